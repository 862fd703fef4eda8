/**
 * The SSH gateway of `kubedeck serve --ssh-port P`: `ssh`, `scp`, `sftp`, `sshfs` and port forwards land in a
 * container of any cluster of the kubeconfig, with the same recordings, audit trail and cleanup as the UI.
 *
 * - Authentication: public keys only, from an authorized_keys file (authorizedKeys.ts), read anew at each
 *   login so an edited file takes effect; the key's comment is who the user is.
 * - The user name is the address (route.ts). A bad address or a refused target is still let in, so that
 *   the answer is a sentence on stderr and a non-zero exit rather than "Permission denied".
 * - A shell (or a command with a pty) is a session of the session host (shellChannel.ts): recorded, in the
 *   UI's session list, attachable there; a client that vanishes only detaches it (grace period).
 *   A command without a pty is a plain exec (execChannel.ts), binary-clean.
 * - Vanished clients (kill -9, a dead network) are noticed by SSH keepalives.
 * - Two ssh2 servers that differ only in their cipher offer: OpenSSH clients get AES-GCM (ciphers.ts).
 */
import ssh2, { type Connection, type PublicKeyAuthContext, type Session } from 'ssh2';
import type { Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Kubedeck } from '../core/kubedeck.ts';
import type { SessionHost } from '../core/terminals/sessionHost.ts';
import type { AuditLike } from '../core/terminals/terminalDeps.ts';
import { allows, findKey, readAuthorizedKeys, type AuthorizedKey } from './authorizedKeys.ts';
import { loadHostKey, fingerprintOf, type HostKey } from './hostKey.ts';
import { parseRoute, routeName, RouteError, type Route } from './route.ts';
import { runShell } from './shellChannel.ts';
import { runCommand } from './execChannel.ts';
import { runSftp } from './sftpSubsystem.ts';
import { fail, type ChannelLike } from './channelUtil.ts';
import { ConnectionForwarding } from './forwarding.ts';
import { listenSsh, type SshListener } from './sshListener.ts';
import { CIPHERS_GCM, CIPHERS_WIDE, isOpenSsh } from './ciphers.ts';

export interface GatewayDeps {
  host: SessionHost;
  audit: AuditLike;
  kubeConfigFor(context: string): KubeConfig;
  currentContext(): string | undefined;
  namespaceOf(context: string): string | undefined;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  /** Default ~/.ssh/authorized_keys. */
  authorizedKeysFile: string;
  /** Default: the data folder's own (made on first start). */
  hostKeyFile?: string;
  dataDir: string;
  /** SSH keepalive interval (ms) and how many may go unanswered; default 15 s × 3 (ssh2's own defaults). */
  keepaliveMs?: number;
  keepaliveCountMax?: number;
  /** "auto" (default): OpenSSH clients are offered AES-GCM only; "all": everyone the full list (ciphers.ts). */
  ciphers?: 'auto' | 'all';
  log?: (s: string) => void;
}

export interface SshGateway {
  readonly port: number;
  readonly hostKey: HostKey;
  /** Stops listening and ends every connection (their shells detach, as a vanished client's would). */
  close(): Promise<void>;
}

/** The core's parts the gateway uses. */
export function gatewayDeps(kubedeck: Kubedeck): GatewayDeps {
  return {
    host: kubedeck.terminals,
    audit: kubedeck.audit,
    kubeConfigFor: (c) => kubedeck.registry.kubeConfigFor(c),
    currentContext: () => kubedeck.registry.currentContext(),
    namespaceOf: (c) => {
      try {
        return kubedeck.registry.kubeConfigFor(c).getContextObject(c)?.namespace;
      } catch {
        return undefined;
      }
    },
  };
}

/** One logged-in connection: who, where to, and what this key may do. */
export interface Login {
  who: string;
  key: AuthorizedKey;
  /** The route, or why the user name is not one (said on each channel). */
  route: Route | Error;
  from: string;
  deps: GatewayDeps;
  /** Bulk output is written with the connection's socket corked (channelUtil.ts `pipeBulk`). */
  socket?: Socket;
}

export async function startSshGateway(deps: GatewayDeps, opts: GatewayOptions): Promise<SshGateway> {
  const hostKey = loadHostKey({ dataDir: opts.dataDir, file: opts.hostKeyFile });
  const initial = readAuthorizedKeys(opts.authorizedKeysFile);
  opts.log?.(`ssh: ${initial.keys.length} key(s) may log in (${opts.authorizedKeysFile})`);
  for (const p of initial.problems) opts.log?.(`ssh: ${p}`);
  const connections = new Set<Connection>();
  const onConnection = (client: Connection, info: ssh2.ClientInfo): void => {
    connections.add(client);
    const from = `${info.ip}:${info.port}`;
    let login: Login | undefined;
    client.on('error', (err: Error & { level?: string }) => {
      // Keepalive expired (a dead network): ssh2 only half-closes; destroy, so channels close and shells detach.
      if (err.level === 'client-timeout') listener.socketOf(info.ip, info.port)?.destroy();
    });
    client.on('close', () => connections.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const found = authorize(ctx, opts.authorizedKeysFile);
      if (!found) return ctx.reject(['publickey']);
      if (!ctx.signature) return ctx.accept(); // "would this key do?" — yes: the client signs next
      if (!ctx.blob || found.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        void deps.audit.append('ssh.refused', found.name, { from, user: ctx.username, why: 'bad signature' }).catch(() => undefined);
        return ctx.reject(['publickey']);
      }
      login = { who: found.name, key: found, route: route(deps, found, ctx.username), from, deps, socket: listener.socketOf(info.ip, info.port) };
      const l = login;
      void deps.audit
        .append('ssh.login', l.who, { from, user: ctx.username, key: fingerprintOf(found.key), ...(l.route instanceof Error ? { refused: l.route.message } : { target: routeName(l.route) }) })
        .catch(() => undefined);
      ctx.accept();
    });
    client.on('ready', () => {
      if (!login) return client.end();
      const l = login;
      // -L to the pod's ports; -R, agent and X11 refused with a reason (forwarding.ts).
      const fwd = new ConnectionForwarding({ login: l, log: opts.log });
      client.on('close', () => fwd.close());
      client.on('session', (accept) => onSession(accept(), l, fwd));
      client.on('request', (_accept, reject, name) => fwd.onRequest(name, reject));
      client.on('tcpip', (accept, reject, info) => fwd.onDirectTcpip(accept, reject, info));
    });
  };
  const serverWith = (cipher: ssh2.Algorithms['cipher']) => {
    const server = new ssh2.Server(
      {
        hostKeys: [hostKey.privateKey],
        keepaliveInterval: opts.keepaliveMs ?? 15_000,
        keepaliveCountMax: opts.keepaliveCountMax ?? 3,
        ident: 'Kubedeck',
        algorithms: { cipher },
      },
      onConnection,
    );
    server.on('error', (err: Error) => opts.log?.(`ssh: ${err.message}`));
    return server;
  };
  const wide = serverWith(CIPHERS_WIDE);
  const gcm = opts.ciphers === 'all' ? wide : serverWith(CIPHERS_GCM);
  // Our own TCP listener (sshListener.ts), so that a vanished client's socket can be destroyed.
  const listener: SshListener = await listenSsh((ident) => (isOpenSsh(ident) ? gcm : wide), opts.port, opts.host ?? '127.0.0.1');
  const port = listener.port;
  return {
    port,
    hostKey,
    close: async () => {
      const closed = listener.close();
      for (const c of connections) c.end();
      await closed;
    },
  };
}

function authorize(ctx: PublicKeyAuthContext, file: string): AuthorizedKey | undefined {
  return findKey(readAuthorizedKeys(file).keys, ctx.key.algo, ctx.key.data);
}

function route(deps: GatewayDeps, key: AuthorizedKey, user: string): Route | Error {
  try {
    const r = parseRoute(user, { currentContext: deps.currentContext(), namespaceOf: (c) => deps.namespaceOf(c) });
    if (!allows(key, r.context, r.namespace)) return new RouteError(`key "${key.name}" may not reach ${r.context}/${r.namespace} (its kubedeck-allow option)`);
    return r;
  } catch (err) {
    return err as Error;
  }
}

/** One session channel: a pty (maybe), then a shell, a command or a subsystem. */
function onSession(session: Session, login: Login, fwd: ConnectionForwarding): void {
  let pty: { cols: number; rows: number; term: string } | undefined;
  const env: Record<string, string> = {};
  const early: { cols: number; rows: number }[] = [];
  let onResize: ((cols: number, rows: number) => void) | undefined;
  session.on('pty', (accept, reject, info) => {
    if (login.key.noPty) return reject();
    pty = { cols: info.cols || 80, rows: info.rows || 24, term: info.term };
    accept();
  });
  session.on('window-change', (accept, _reject, info) => {
    accept?.();
    if (onResize) onResize(info.cols, info.rows);
    else early.push({ cols: info.cols, rows: info.rows });
  });
  session.on('env', (accept, _reject, info) => {
    // ssh2 gives {key, val}; its types say value.
    const i = info as unknown as { key: string; val?: string; value?: string };
    env[i.key] = String(i.val ?? i.value ?? '');
    accept?.();
  });
  session.on('auth-agent', (_accept, reject) => { reject?.(); fwd.refuse('agent forwarding (-A)', 'a pod never gets your SSH agent'); });
  session.on('x11', (_accept, reject) => { reject?.(); fwd.refuse('X11 forwarding (-X)', 'pods have no display to forward'); });
  session.on('signal', (accept) => accept?.());
  const start = (channel: ChannelLike, command: string | undefined): void => {
    fwd.addSession(channel);
    if (login.route instanceof Error) return fail(channel, login.route.message);
    const target = login.route;
    if (pty) {
      const size = early.at(-1) ?? pty;
      void runShell({ channel, login, target, command, cols: size.cols, rows: size.rows, onResize: (f) => (onResize = f) });
    } else {
      void runCommand({ channel, login, target, command: command ?? '' });
    }
  };
  session.on('shell', (accept) => start(accept() as ChannelLike, undefined));
  session.on('exec', (accept, _reject, info) => start(accept() as ChannelLike, info.command));
  session.on('subsystem', (accept, reject, info) => {
    if (info.name !== 'sftp') return reject();
    const channel = accept() as ChannelLike;
    if (login.route instanceof Error) return fail(channel, login.route.message);
    void runSftp({ channel, login, target: login.route });
  });
}

