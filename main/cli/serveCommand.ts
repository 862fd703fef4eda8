/** `kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T] [--user NAME] [--rotate-share-key] [--tls-cert F --tls-key F | --tls-self-signed] [--ssh-port P …]`: the UI for a browser (and an SSH gateway). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kubedeck, type FilesFactory } from '../core/kubedeck.ts';
import { isLoopback } from '../serve/auth.ts';
import { startServer, type ServeHandle } from '../serve/server.ts';
import { loadOrMakeSelfSigned, readTlsFiles, selfSignedNames, type TlsPair } from '../serve/tlsCert.ts';
import { gatewayDeps, startSshGateway, type SshGateway } from '../ssh/gateway.ts';
import { sshCiphers, sshKeepalive } from '../ssh/sshSettings.ts';
import { parseCommand, UsageError } from './args.ts';

export const SERVE_USAGE =
  'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T] [--user NAME] [--rotate-share-key] [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--ssh-port P [--ssh-authorized-keys FILE] [--ssh-host-key FILE]]';

export interface ServeArgs {
  port: number;
  host: string;
  kubeconfig?: string;
  token?: string;
  /** The owner's name in the audit trail and on share links (default: the OS user). */
  user?: string;
  /** Make a new share-link signing key first: every link made before is refused. */
  rotateShareKey?: boolean;
  /** HTTPS and WSS with this PEM certificate and key (both or neither). */
  tlsCert?: string;
  tlsKey?: string;
  /** HTTPS with a self-signed pair kept in the data folder (its fingerprint is printed). */
  tlsSelfSigned?: boolean;
  /** The SSH gateway's port (0: any free one); absent: no gateway. */
  sshPort?: number;
  sshAuthorizedKeys?: string;
  sshHostKey?: string;
}

const SERVE_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  kubeconfig: { type: 'string' },
  token: { type: 'string' },
  user: { type: 'string' },
  'rotate-share-key': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-self-signed': { type: 'boolean' },
  'ssh-port': { type: 'string' },
  'ssh-authorized-keys': { type: 'string' },
  'ssh-host-key': { type: 'string' },
} as const;

/** Parses serve's arguments; throws a UsageError for anything unknown or malformed. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = parseCommand(argv, { options: SERVE_OPTIONS, usage: SERVE_USAGE, positionals: false, quote: (a) => JSON.stringify(a) });
  const out: ServeArgs = { port: 0, host: values.host ?? '127.0.0.1' };
  if (values.port !== undefined) {
    const n = Number(values.port);
    if (!/^\d+$/.test(values.port) || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${JSON.stringify(values.port)}`, SERVE_USAGE);
    out.port = n;
  }
  if (values.kubeconfig !== undefined) out.kubeconfig = values.kubeconfig;
  if (values.token !== undefined) {
    if (values.token.length < 16) throw new UsageError('--token must be at least 16 characters', SERVE_USAGE);
    out.token = values.token;
  }
  if (values.user !== undefined) {
    if (!/^[\p{L}\p{N}._@-]{1,40}$/u.test(values.user)) throw new UsageError('--user must be 1–40 letters, digits or . _ @ -', SERVE_USAGE);
    out.user = values.user;
  }
  if (values['rotate-share-key']) out.rotateShareKey = true;
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together', SERVE_USAGE);
  if (values['tls-cert'] !== undefined && values['tls-self-signed']) throw new UsageError('--tls-self-signed or --tls-cert/--tls-key, not both', SERVE_USAGE);
  if (values['tls-cert'] !== undefined) {
    out.tlsCert = values['tls-cert'];
    out.tlsKey = values['tls-key'];
  }
  if (values['tls-self-signed']) out.tlsSelfSigned = true;
  const sshPort = values['ssh-port'];
  if (sshPort !== undefined) {
    if (!/^\d+$/.test(sshPort) || Number(sshPort) > 65535) throw new UsageError(`--ssh-port must be a number from 0 to 65535, not ${JSON.stringify(sshPort)}`, SERVE_USAGE);
    out.sshPort = Number(sshPort);
  }
  for (const [opt, key] of [['ssh-authorized-keys', 'sshAuthorizedKeys'], ['ssh-host-key', 'sshHostKey']] as const) {
    const v = values[opt];
    if (v === undefined) continue;
    if (out.sshPort === undefined) throw new UsageError(`--${opt} needs --ssh-port`, SERVE_USAGE);
    out[key] = v;
  }
  return out;
}

export interface RunningServe {
  kubedeck: Kubedeck;
  server: ServeHandle;
  /** The certificate served, when TLS is on. */
  tls?: TlsPair;
  /** The SSH gateway, when --ssh-port was given. */
  ssh?: SshGateway;
  stop(): Promise<void>;
}

/** Starts Kubedeck and its server (used by the CLI and by `npm run demo`). */
export async function startServe(
  args: ServeArgs,
  extra: { files?: FilesFactory; dataDir?: string; log?: (s: string) => void; ssh?: { keepaliveMs?: number; keepaliveCountMax?: number } } = {},
): Promise<RunningServe> {
  const kubedeck = new Kubedeck({ kubeconfig: args.kubeconfig, files: extra.files, dataDir: extra.dataDir, portForwardsOnServer: true });
  let server: ServeHandle;
  let tls: TlsPair | undefined;
  try {
    if (args.tlsCert !== undefined && args.tlsKey !== undefined) tls = readTlsFiles(args.tlsCert, args.tlsKey);
    else if (args.tlsSelfSigned) tls = loadOrMakeSelfSigned(kubedeck.dataDir, selfSignedNames(args.host));
    if (args.rotateShareKey) kubedeck.share.rotateKey(args.user ?? 'owner');
    server = await startServer({ kubedeck, port: args.port, host: args.host, token: args.token, user: args.user, log: extra.log, tls });
  } catch (err) {
    await kubedeck.shutdown();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`port ${args.port} is in use; pick another with --port`, { cause: err });
    throw err;
  }
  let ssh: SshGateway | undefined;
  if (args.sshPort !== undefined) {
    try {
      ssh = await startSshGateway(gatewayDeps(kubedeck), {
        port: args.sshPort,
        host: args.host,
        dataDir: kubedeck.dataDir,
        authorizedKeysFile: args.sshAuthorizedKeys ?? join(homedir(), '.ssh', 'authorized_keys'),
        hostKeyFile: args.sshHostKey,
        log: extra.log,
        ...sshKeepalive(kubedeck.settings),
        ...sshCiphers(kubedeck.settings),
        ...extra.ssh,
      });
    } catch (err) {
      await server.close();
      await kubedeck.shutdown();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${args.sshPort} is in use; pick another with --ssh-port`, { cause: err });
      throw err;
    }
  }
  return {
    kubedeck,
    server,
    tls,
    ssh,
    stop: async () => {
      await ssh?.close();
      await server.close();
      await kubedeck.shutdown();
    },
  };
}

/** The CLI entry: prints the URL, runs until SIGINT/SIGTERM, then ends every session cleanly. Bad arguments throw a UsageError. */
export async function runServe(argv: string[], extra: { files?: FilesFactory } = {}): Promise<void> {
  const args = parseServeArgs(argv);
  const running = await startServe(args, { ...extra, log: (s) => console.error(`kubedeck: ${s}`) });
  const { clusters, problems } = running.kubedeck.registry.listClusters();
  for (const line of serveWarnings(args, running.tls)) console.error(`kubedeck: ${line}`);
  console.error(`kubedeck: ${clusters.length} context(s) loaded${problems.length ? `, ${problems.length} kubeconfig problem(s):` : ''}`);
  for (const p of problems) console.error(`  ${p.source}: ${p.reason}`);
  if (args.rotateShareKey) console.error('kubedeck: a new share-link key was made; every earlier share link is refused.');
  console.log(`Kubedeck is serving. Open:\n\n  ${running.server.url}\n`);
  if (running.ssh) console.log(sshBanner(running.ssh, args.host));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.error('kubedeck: closing sessions…');
    void running.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** What serve says before its URL: exposure beyond loopback, clear text without TLS, the certificate to check. */
export function serveWarnings(args: Pick<ServeArgs, 'host' | 'tlsSelfSigned'>, tls: TlsPair | undefined): string[] {
  const lines: string[] = [];
  if (!isLoopback(args.host)) {
    lines.push(`WARNING: listening on ${args.host}, not loopback: anyone who can reach this port and learns the token gets your clusters.`);
    if (!tls) lines.push('WARNING: without TLS (--tls-cert/--tls-key or --tls-self-signed), share links, cookies and keystrokes travel in clear text on the network.');
  }
  if (tls) {
    lines.push(`HTTPS certificate SHA-256 fingerprint: ${tls.fingerprint}`);
    if (args.tlsSelfSigned) lines.push(`self-signed${tls.created ? ' (new)' : ''}: a browser warns once; check that its fingerprint is this one before you go on.`);
  }
  return lines;
}

/** How to reach the SSH gateway, with the host key's fingerprint to check on first connection. */
export function sshBanner(ssh: SshGateway, host: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return (
    `SSH gateway on port ${ssh.port} (host key ${ssh.hostKey.fingerprint}):\n\n` +
    `  ssh -p ${ssh.port} -l CONTEXT/NAMESPACE/POD[/CONTAINER] ${h}\n` +
    `  sftp -P ${ssh.port} CONTEXT/NAMESPACE/POD@${h}\n`
  );
}
