/**
 * The key that signs share links: an Ed25519 pair in the data folder (share-key.json, mode 0600), so that
 * links to pods survive a restart of `kubedeck serve`. `rotate` makes a new pair (and key id): every link
 * signed before is refused from then on. The server's id (the tokens' audience) stays across rotations,
 * so an old link is told apart from one of another server.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SHARE_KEY_FILE = 'share-key.json';

export interface ShareKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Changes with every rotation; in each token's header. */
  kid: string;
  /** This server's id: the tokens' audience is `kubedeck:<serverId>`. */
  serverId: string;
}

interface KeyFile {
  kid: string;
  serverId: string;
  privateKey: string;
  createdAt: string;
}

const id = (): string => randomBytes(12).toString('base64url');

function readKeyFile(file: string): KeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const k = JSON.parse(text) as Partial<KeyFile>;
  if (typeof k.kid !== 'string' || typeof k.serverId !== 'string' || typeof k.privateKey !== 'string') {
    throw new Error(`${file} is not a Kubedeck share key (start serve with --rotate-share-key to make a new one)`);
  }
  return k as KeyFile;
}

function writeKeyFile(file: string, k: KeyFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(k, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Loads the data folder's share key, making one the first time (or a new one with `rotate`). */
export function loadShareKey(dataDir: string, opts: { rotate?: boolean } = {}): ShareKey {
  const file = join(dataDir, SHARE_KEY_FILE);
  let k = readKeyFile(file);
  if (!k || opts.rotate) {
    const { privateKey } = generateKeyPairSync('ed25519');
    k = {
      kid: id(),
      serverId: k?.serverId ?? id(),
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      createdAt: new Date().toISOString(),
    };
    writeKeyFile(file, k);
  } else {
    // A key file copied with looser permissions is tightened: it is as good as every link's password.
    chmodSync(file, 0o600);
  }
  const privateKey = createPrivateKey(k.privateKey);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} does not hold an Ed25519 key`);
  return { privateKey, publicKey: createPublicKey(privateKey), kid: k.kid, serverId: k.serverId };
}
