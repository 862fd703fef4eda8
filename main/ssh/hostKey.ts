/**
 * The gateway's host key: Ed25519, made once and kept in the data folder (0600), so clients see the same
 * key on every start and `known_hosts` keeps working. `--ssh-host-key FILE` uses a key of the user's own.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export interface HostKey {
  /** The private key as ssh2 takes it (OpenSSH format). */
  privateKey: Buffer;
  /** `SHA256:…` as `ssh-keygen -lf` and OpenSSH's first-connection prompt print it. */
  fingerprint: string;
  /** The public key line (`ssh-ed25519 AAAA… kubedeck`), for a known_hosts entry. */
  publicLine: string;
  path: string;
}

/**
 * Loads `file`, or the data folder's host key, making it first if there is none. A given file must exist
 * (a typo must not silently mint a new identity); a key that cannot be parsed is an error that says so.
 */
export function loadHostKey(opts: { dataDir: string; file?: string }): HostKey {
  const path = opts.file ?? join(opts.dataDir, HOST_KEY_FILE);
  if (!existsSync(path)) {
    if (opts.file) throw new Error(`--ssh-host-key ${opts.file}: no such file`);
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'kubedeck' });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // wx: two starts racing must not overwrite each other's key.
    try {
      writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' });
      writeFileSync(`${path}.pub`, `${pair.public}\n`, { mode: 0o644, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const privateKey = readFileSync(path);
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`host key ${path}: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) throw new Error(`host key ${path}: not a private key`);
  if (!opts.file && (statSync(path).mode & 0o077) !== 0) {
    throw new Error(`host key ${path} is readable by others (mode ${(statSync(path).mode & 0o777).toString(8)}): chmod 600 it`);
  }
  return { privateKey, fingerprint: fingerprintOf(key), publicLine: `${key.type} ${key.getPublicSSH().toString('base64')} kubedeck`, path };
}

/** OpenSSH's SHA256 fingerprint of a key: base64 of the hash of its wire-format public key, unpadded. */
export function fingerprintOf(key: ParsedKey): string {
  return `SHA256:${createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}
