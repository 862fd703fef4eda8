/**
 * Forwarding on the SSH gateway. `ssh -L 8080:localhost:80 pod@gateway` opens direct-tcpip channels to
 * "localhost:80", which here means port 80 of the pod the login routes to: each channel is one
 * `pods/portforward` stream (main/core/portforward/podPortStream.ts, the UI's forwards use the same client).
 * Remote forwarding (-R: tcpip-forward), agent and X11 forwarding are refused: they would open this server to
 * the pod's side. ssh2's reject() sends no description (its public API has none), so the reason is said on the
 * stderr of the login's session channels when it has any, and logged and audited always.
 */
import type { ServerChannel, TcpipRequestInfo } from 'ssh2';
import { openPodPort, type PodPortStream } from '../core/portforward/podPortStream.ts';
import type { Login } from './gateway.ts';

/** Destinations that mean "the pod itself" (its network namespace's loopback). */
export function isPodLocal(host: string, pod: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h === pod || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** What a connection's forwarding parts need: who, where to, and where to say why. */
export interface ForwardingContext {
  login: Login;
  log?: (s: string) => void;
}

/** Per-connection forwarding state: the session channels a refusal can be told on. */
export class ConnectionForwarding {
  private readonly sessions = new Set<ServerChannel>();
  private readonly streams = new Set<PodPortStream>();
  private readonly pending: string[] = [];

  constructor(private readonly ctx: ForwardingContext) {}

  /** A session channel started (shell, exec): it hears about refusals, including those that came before it. */
  addSession(channel: ServerChannel): void {
    this.sessions.add(channel);
    channel.once('close', () => this.sessions.delete(channel));
    for (const m of this.pending.splice(0)) this.tell(m);
  }

  /** Says why something was refused: on every session channel's stderr, in the log, in the audit trail. */
  refuse(what: string, why: string): void {
    const { login } = this.ctx;
    this.ctx.log?.(`ssh: ${login.who}: refused ${what}: ${why}`);
    void login.deps.audit.append('ssh.refused', login.who, { from: login.from, what, why }).catch(() => undefined);
    const message = `${what} refused: ${why}`;
    if (this.sessions.size) this.tell(message); else if (this.pending.length < 8) this.pending.push(message);
  }

  /** A global request the gateway does not serve (tcpip-forward: -R). */
  onRequest(name: string, reject: (() => void) | undefined): void {
    reject?.();
    if (name === 'tcpip-forward' || name === 'streamlocal-forward@openssh.com') this.refuse('remote forwarding (-R)', 'Kubedeck does not open ports on its server for a pod');
    else if (name !== 'keepalive@openssh.com' && name !== 'no-more-sessions@openssh.com') this.ctx.log?.(`ssh: ${this.ctx.login.who}: refused global request ${name}`);
  }

  /** ssh -L: one direct-tcpip channel to localhost:P → port P of the routed pod. */
  onDirectTcpip(accept: () => ServerChannel, reject: () => void, info: TcpipRequestInfo): void {
    const { login } = this.ctx;
    const dest = `${info.destIP}:${info.destPort}`;
    if (login.route instanceof Error) { reject(); this.refuse(`forwarding to ${dest}`, login.route.message); return; }
    const route = login.route;
    if (login.key.noPortForwarding) { reject(); this.refuse(`forwarding to ${dest}`, `key "${login.who}" has no-port-forwarding`); return; }
    if (!isPodLocal(info.destIP, route.pod)) {
      reject();
      this.refuse(`forwarding to ${dest}`, `only the pod's own ports are reachable: use -L LOCAL:localhost:PORT (port PORT of pod ${route.pod})`);
      return;
    }
    let kc;
    try { kc = login.deps.kubeConfigFor(route.context); } catch (err) { reject(); this.refuse(`forwarding to ${dest}`, (err as Error).message); return; }
    openPodPort(kc, route, info.destPort).then((pp) => {
      const channel = accept();
      this.streams.add(pp);
      void login.deps.audit.append('ssh.forward', login.who, { from: login.from, context: route.context, namespace: route.namespace, pod: route.pod, port: info.destPort }).catch(() => undefined);
      channel.on('error', () => undefined);
      pp.stream.on('error', () => undefined);
      pp.stream.pipe(channel);
      channel.pipe(pp.stream);
      channel.once('close', () => pp.close());
      void pp.done.then((reason) => {
        this.streams.delete(pp);
        if (reason) this.refuse(`forwarding to ${dest}`, reason);
        try { channel.close(); } catch { /* gone */ }
      });
    }, (err: Error) => {
      reject();
      this.refuse(`forwarding to ${dest}`, err.message);
    });
  }

  /** The connection ended: its forwarded streams end with it. */
  close(): void {
    for (const s of this.streams) s.close();
    this.streams.clear();
  }

  private tell(message: string): void {
    for (const ch of this.sessions) {
      try { ch.stderr.write(`kubedeck: ${message}\r\n`); } catch { /* closing */ }
    }
  }
}
