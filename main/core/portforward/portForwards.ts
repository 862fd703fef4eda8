/**
 * The port-forwards of one Kubedeck: each a local TCP listener (on this machine in the app, on the server in serve
 * mode) whose every accepted connection becomes one `pods/portforward` stream (podPortStream.ts). Shared by every
 * client of the process, so a page reload or a second window sees the same list. A forward watches its pod and ends
 * with a reason when the pod is deleted or stops running; a connection that fails (nothing listens on the port)
 * leaves the forward up and shows the failure as `lastError`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { PortForwardInfo, StartPortForwardRequest } from '../../../common/contract/portForwards.ts';
import { describeApiError } from '../kube/apiErrors.ts';
import { openPodPort, PortForwardError, type PodPortStream } from './podPortStream.ts';

export interface PortForwardsDeps {
  kubeConfigFor(context: string): KubeConfig;
  audit?: { append(kind: string, who: string, details: Record<string, unknown>): Promise<unknown> };
  /** Serve mode: listeners are on the server, and error messages say so. */
  onServer: boolean;
  /** Counters are published at most this often while traffic flows (default 250 ms). */
  publishMs?: number;
  /** Pause before a dropped pod watch is opened again (default 1000 ms). */
  rewatchMs?: number;
}

type Listener = (forwards: PortForwardInfo[]) => void;

interface Forward {
  info: PortForwardInfo;
  server: Server;
  sockets: Set<Socket>;
  streams: Set<PodPortStream>;
  stopWatch?: () => void;
}

/** Why a pod cannot be forwarded to, or undefined when it runs. */
export function podProblem(pod: V1Pod, container?: string): string | undefined {
  const name = pod.metadata?.name ?? '?';
  if (pod.metadata?.deletionTimestamp) return `pod ${name} is terminating`;
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') return `pod ${name} is not running (${phase})`;
  if (container && !(pod.spec?.containers ?? []).some((c) => c.name === container)) return `pod ${name} has no container ${container}`;
  return undefined;
}

export class PortForwards {
  private readonly forwards = new Map<string, Forward>();
  private readonly listeners = new Set<Listener>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: PortForwardsDeps) {}

  private get where(): string {
    return this.deps.onServer ? 'on the server' : 'on this machine';
  }

  onChanged(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  list(): PortForwardInfo[] {
    return [...this.forwards.values()].map((f) => ({ ...f.info, target: { ...f.info.target } })).sort((a, b) => b.startedAt - a.startedAt);
  }

  async start(who: string, req: StartPortForwardRequest): Promise<PortForwardInfo> {
    if (this.closed) throw new Error('Kubedeck is shutting down');
    const { target, podPort, localPort = 0, bindAddress = '127.0.0.1' } = checkRequest(req);
    const kc = this.deps.kubeConfigFor(target.context);
    let pod: V1Pod;
    try {
      pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: target.pod, namespace: target.namespace });
    } catch (err) {
      const { reason, code } = describeApiError(err, kc.getCurrentCluster()?.server);
      throw new Error(code === 404 ? `pod ${target.pod} not found in ${target.context}/${target.namespace}` : reason, { cause: err });
    }
    const problem = podProblem(pod, target.container);
    if (problem) throw new Error(problem);

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(this.listenError(err, bindAddress, localPort))));
      server.listen({ port: localPort, host: bindAddress }, () => resolve());
    });
    const addr = server.address();
    const bound = addr && typeof addr === 'object' ? addr : { address: bindAddress, port: localPort };
    const f: Forward = {
      server, sockets: new Set(), streams: new Set(),
      info: {
        id: randomBytes(8).toString('hex'), target: { ...target }, podPort, localAddress: bound.address, localPort: bound.port,
        onServer: this.deps.onServer, state: 'active', bytesIn: 0, bytesOut: 0, connections: 0, activeConnections: 0,
        startedAt: Date.now(), startedBy: who,
      },
    };
    server.on('connection', (sock) => this.accept(f, kc, sock));
    server.on('error', (err) => this.end(f, `the listener failed: ${err.message}`));
    this.forwards.set(f.info.id, f);
    f.stopWatch = this.watchPod(f, kc);
    await this.deps.audit?.append('portForward', who, { action: 'start', ...target, podPort, localAddress: f.info.localAddress, localPort: f.info.localPort, onServer: this.deps.onServer }).catch(() => undefined);
    this.changed(true);
    return { ...f.info, target: { ...f.info.target } };
  }

  async stop(id: string, who: string): Promise<void> {
    const f = this.forwards.get(id);
    if (!f) throw new Error('no such port-forward');
    if (f.info.state === 'ended') return;
    await this.deps.audit?.append('portForward', who, { action: 'stop', ...f.info.target, podPort: f.info.podPort, localPort: f.info.localPort }).catch(() => undefined);
    this.end(f, `stopped by ${who}`);
  }

  clearEnded(): void {
    for (const [id, f] of this.forwards) if (f.info.state === 'ended') this.forwards.delete(id);
    this.changed(true);
  }

  /** Ends every forward (app quit, serve shutdown). */
  shutdown(): void {
    this.closed = true;
    for (const f of this.forwards.values()) this.end(f, 'Kubedeck stopped');
    clearTimeout(this.timer);
  }

  private listenError(err: NodeJS.ErrnoException, host: string, port: number): string {
    if (err.code === 'EADDRINUSE') return `port ${port} is in use ${this.where}`;
    if (err.code === 'EACCES') return `port ${port} needs administrator rights ${this.where} (use a port above 1023)`;
    if (err.code === 'EADDRNOTAVAIL') return `${host} is not an address ${this.where}`;
    return `cannot listen on ${host}:${port} ${this.where}: ${err.message}`;
  }

  private accept(f: Forward, kc: KubeConfig, sock: Socket): void {
    if (f.info.state !== 'active') { sock.destroy(); return; }
    f.info.connections++;
    f.info.activeConnections++;
    f.sockets.add(sock);
    sock.on('error', () => undefined);
    sock.pause();
    let pp: PodPortStream | undefined;
    sock.once('close', () => {
      f.sockets.delete(sock);
      f.info.activeConnections--;
      pp?.close();
      this.changed(true);
    });
    this.changed(true);
    openPodPort(kc, f.info.target, f.info.podPort).then((stream) => {
      pp = stream;
      if (sock.destroyed || f.info.state !== 'active') { stream.close(); return; }
      f.streams.add(stream);
      stream.stream.on('data', (d: Buffer) => { f.info.bytesIn += d.length; this.changed(); });
      sock.on('data', (d: Buffer) => { f.info.bytesOut += d.length; this.changed(); });
      stream.stream.on('error', () => undefined);
      stream.stream.pipe(sock);
      sock.pipe(stream.stream);
      sock.resume();
      void stream.done.then((reason) => {
        f.streams.delete(stream);
        if (reason) { f.info.lastError = reason; this.changed(true); }
        sock.destroy();
      });
    }, (err: unknown) => {
      f.info.lastError = err instanceof Error ? err.message : String(err);
      sock.destroy();
      if (err instanceof PortForwardError && err.code === 404) this.end(f, `pod ${f.info.target.pod} is gone`);
      this.changed(true);
    });
  }

  /** Follows the pod: deleted or no longer running ends the forward. A dropped watch is opened again. */
  private watchPod(f: Forward, kc: KubeConfig): () => void {
    const { namespace, pod, container } = f.info.target;
    let stopped = false;
    let abort: { abort(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const open = () => {
      if (stopped) return;
      new Watch(kc).watch(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { fieldSelector: `metadata.name=${pod}` }, (type, obj: V1Pod) => {
        if (stopped) return;
        if (type === 'DELETED') this.end(f, `pod ${pod} was deleted`);
        else if (type === 'ADDED' || type === 'MODIFIED') {
          const problem = podProblem(obj, container);
          if (problem) this.end(f, problem);
        }
      }, () => {
        if (stopped) return;
        retry = setTimeout(() => void check(), this.deps.rewatchMs ?? 1000);
      }).then((a) => { abort = a; if (stopped) a.abort(); }, () => {
        if (!stopped) retry = setTimeout(() => void check(), this.deps.rewatchMs ?? 1000);
      });
    };
    // After a dropped watch: the pod may have gone meanwhile.
    const check = async () => {
      if (stopped) return;
      try {
        const p = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace });
        const problem = podProblem(p, container);
        if (problem) { this.end(f, problem); return; }
      } catch (err) {
        if (describeApiError(err).code === 404) { this.end(f, `pod ${pod} was deleted`); return; }
      }
      open();
    };
    open();
    return () => { stopped = true; clearTimeout(retry); abort?.abort(); };
  }

  private end(f: Forward, reason: string): void {
    if (f.info.state === 'ended') return;
    f.info.state = 'ended';
    f.info.endedReason = reason;
    f.info.endedAt = Date.now();
    f.stopWatch?.();
    f.server.close();
    for (const s of f.streams) s.close();
    for (const s of f.sockets) s.destroy();
    this.changed(true);
  }

  private changed(now = false): void {
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.publish();
      return;
    }
    this.timer ??= setTimeout(() => { this.timer = undefined; this.publish(); }, this.deps.publishMs ?? 250);
  }

  private publish(): void {
    const list = this.list();
    for (const l of this.listeners) {
      try { l(list); } catch { /* one listener must not break the others */ }
    }
  }
}

const LOCAL_NAMES = new Set(['localhost']);

function checkRequest(req: StartPortForwardRequest): Required<Omit<StartPortForwardRequest, 'target'>> & Pick<StartPortForwardRequest, 'target'> {
  if (!req || typeof req !== 'object' || !req.target || typeof req.target !== 'object') throw new Error('startPortForward: expected {target, podPort, localPort?, bindAddress?}');
  const { context, namespace, pod, container } = req.target;
  for (const [k, v] of Object.entries({ context, namespace, pod })) if (typeof v !== 'string' || !v) throw new Error(`startPortForward: target.${k} is missing`);
  if (container !== undefined && typeof container !== 'string') throw new Error('startPortForward: target.container must be a name');
  const podPort = Number(req.podPort);
  if (!Number.isInteger(podPort) || podPort < 1 || podPort > 65535) throw new Error(`the pod port must be a whole number from 1 to 65535 (got ${String(req.podPort)})`);
  const localPort = req.localPort === undefined || req.localPort === null ? 0 : Number(req.localPort);
  if (!Number.isInteger(localPort) || localPort < 0 || localPort > 65535) throw new Error(`the local port must be a whole number from 0 (any free port) to 65535 (got ${String(req.localPort)})`);
  const bindAddress = req.bindAddress === undefined || req.bindAddress === '' ? '127.0.0.1' : String(req.bindAddress);
  if (!isIP(bindAddress) && !LOCAL_NAMES.has(bindAddress)) throw new Error(`bind address ${bindAddress} is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)`);
  return { target: { context, namespace, pod, ...(container ? { container } : {}) }, podPort, localPort, bindAddress };
}
