// One fake Kubernetes cluster: an HTTPS API server (discovery, namespaces, pods, watch, pods/exec over WebSocket)
// whose containers are real root filesystems run through chroot. See README "Test clusters" and issue 2 §3.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { ClusterCerts } from './certs.ts';
import { IMAGE_NAMES, type ImageKind, makeContainerRoot } from './images.ts';
import { ExecSession, SUPPORTED_PROTOCOLS, type ExecRequest } from './exec.ts';

export interface TestContainerSpec {
  name: string;
  /** Which fixture image the container runs: full (bash, coreutils, GNU tar…), busybox, notar, distroless. */
  image?: ImageKind;
}

export interface TestPodSpec {
  name: string;
  /** Containers; default one container `main` with the full image. */
  containers?: TestContainerSpec[];
  /** Shortcut for a single container `main` with this image. */
  image?: ImageKind;
  /** Running (default) or Pending (unscheduled: exec fails with 400 as on a real cluster). */
  phase?: 'Running' | 'Pending';
  labels?: Record<string, string>;
}

export interface ProcessInfo {
  pid: number;
  command: string;
}

interface PodRecord {
  object: K8sObject;
  roots: Map<string, string>;
}

type K8sObject = Record<string, unknown> & { metadata: Record<string, unknown> };

interface WatchEvent {
  rv: number;
  resource: 'pods' | 'namespaces';
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8sObject;
}

interface Watcher {
  resource: 'pods' | 'namespaces';
  namespace?: string;
  name?: string;
  table: boolean;
  res: ServerResponse;
  queue: string[];
}

export interface ClusterOptions {
  index: number;
  name: string;
  dir: string;
  images: Record<ImageKind, string>;
  certs: ClusterCerts;
  port?: number;
}

export const TEST_USER = 'kubedeck-tester';
const FORBIDDEN_EXEC_NAMESPACES = new Set(['restricted']);

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export class ApiError extends Error {
  constructor(readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
  get code(): number { return Number(this.body.code); }
}

const notFound = (kind: string, name: string) =>
  new ApiError(status(404, 'NotFound', `${kind} "${name}" not found`, { name, kind }));
const badRequest = (message: string) => new ApiError(status(400, 'BadRequest', message));

function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

export class TestCluster {
  readonly name: string;
  readonly context: string;
  readonly token: string;
  readonly caData: string;
  readonly index: number;
  port = 0;
  private httpServer?: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ExecSession>();
  private readonly watchers = new Set<Watcher>();
  private readonly namespaces = new Map<string, K8sObject>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly events: WatchEvent[] = [];
  /** Container root → host pid of its namespace init (PID 1 of the container's PID namespace). */
  private readonly sandboxes = new Map<string, number>();
  private rv = 1000;
  private stalled = false;
  private stopped = false;
  private readonly nodeName: string;
  private ipCounter = 10;

  constructor(private readonly opts: ClusterOptions) {
    this.name = opts.name;
    this.context = opts.name;
    this.index = opts.index;
    this.token = randomBytes(24).toString('hex');
    this.caData = Buffer.from(opts.certs.caPem).toString('base64');
    this.nodeName = `${opts.name}-node`;
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 << 20,
      handleProtocols: (protocols) => pickProtocol([...protocols]) ?? false });
  }

  /** https URL of the API server. */
  get server(): string { return `https://127.0.0.1:${this.port}`; }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    this.stopped = false;
    const srv = createServer({ key: this.opts.certs.keyPem, cert: this.opts.certs.certPem });
    srv.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    srv.on('request', (req, res) => { this.onRequest(req, res).catch((e) => this.fail(res, e)); });
    srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    srv.on('tlsClientError', () => { /* clients that reject our CA; nothing to do */ });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.opts.port ?? this.port, '127.0.0.1', () => { srv.off('error', reject); resolve(); });
    });
    const addr = srv.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.httpServer = srv;
  }

  /** Stop the API server (all connections drop), then serve again on the same port. Containers keep running. */
  async restart(): Promise<void> {
    await this.closeServer();
    await this.start();
  }

  private async closeServer(): Promise<void> {
    const srv = this.httpServer;
    this.httpServer = undefined;
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  /** Stop serving, kill every process in this cluster's containers, remove its roots. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeServer();
    for (const s of this.sessions) s.kill();
    for (const root of [...this.sandboxes.keys()]) this.killSandbox(root);
    await this.killAll();
    for (const s of this.sessions) s.kill();
    this.sessions.clear();
    await rm(this.opts.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Killing a PID namespace's init kills everything in it, like a container's end. */
  private killSandbox(root: string): void {
    const pid = this.sandboxes.get(root);
    this.sandboxes.delete(root);
    if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }

  private async killAll(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const pids = await pidsUnder(this.opts.dir + '/');
      if (!pids.length) return;
      for (const p of pids) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---------------------------------------------------------------- faults

  /** Drop every connection of this cluster at once (API requests, watches, exec streams). Processes keep running. */
  dropConnections(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stall every stream (exec in both directions, watches): data waits until stallStreams(false). */
  stallStreams(on: boolean): void {
    this.stalled = on;
    for (const s of this.sessions) s.stall(on);
    if (!on) for (const w of this.watchers) this.flushWatcher(w);
  }

  // ---------------------------------------------------------------- fixture / programmatic API

  addNamespace(name: string): void {
    if (this.namespaces.has(name)) return;
    const obj: K8sObject = {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, uid: randomUUID(), resourceVersion: '', creationTimestamp: new Date().toISOString(),
        labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    this.namespaces.set(name, obj);
    this.record('namespaces', 'ADDED', obj);
  }

  async deleteNamespace(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns) return;
    for (const key of [...this.pods.keys()]) {
      if (key.startsWith(`${name}/`)) await this.deletePod(name, key.slice(name.length + 1));
    }
    this.namespaces.delete(name);
    this.record('namespaces', 'DELETED', ns);
  }

  /** Add several pods at once (their roots are made in parallel; events in the given order). */
  async addPods(pods: { namespace: string; pod: TestPodSpec }[]): Promise<void> {
    const prepared = await Promise.all(pods.map((p) => this.preparePod(p.namespace, p.pod)));
    prepared.forEach((roots, i) => this.registerPod(pods[i].namespace, pods[i].pod, roots));
  }

  async addPod(namespace: string, spec: TestPodSpec): Promise<void> {
    this.registerPod(namespace, spec, await this.preparePod(namespace, spec));
  }

  private async preparePod(namespace: string, spec: TestPodSpec): Promise<Map<string, string>> {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.name)) throw new Error(`invalid pod name "${spec.name}"`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new Error(`invalid namespace name "${namespace}"`);
    const key = `${namespace}/${spec.name}`;
    if (this.pods.has(key)) throw new Error(`pod ${key} exists`);
    const containers = spec.containers ?? [{ name: 'main', image: spec.image ?? 'full' }];
    const roots = new Map<string, string>();
    const running = (spec.phase ?? 'Running') === 'Running';
    await Promise.all(containers.map(async (c) => {
      const root = join(this.opts.dir, 'roots', namespace, spec.name, c.name);
      await makeContainerRoot(this.opts.images[c.image ?? 'full'], root);
      roots.set(c.name, root);
      if (running) {
        const ns = await startSandbox(root);
        if (ns) this.sandboxes.set(root, ns);
      }
    }));
    return roots;
  }

  private registerPod(namespace: string, spec: TestPodSpec, roots: Map<string, string>): void {
    this.addNamespace(namespace);
    const key = `${namespace}/${spec.name}`;
    if (this.pods.has(key)) throw new Error(`pod ${key} exists`);
    const containers = spec.containers ?? [{ name: 'main', image: spec.image ?? 'full' }];
    const now = new Date().toISOString();
    const running = (spec.phase ?? 'Running') === 'Running';
    const ip = `10.244.${this.index}.${this.ipCounter++}`;
    const object: K8sObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: spec.name, namespace, uid: randomUUID(), resourceVersion: '', creationTimestamp: now,
        labels: spec.labels ?? { app: spec.name } },
      spec: {
        containers: containers.map((c) => ({ name: c.name, image: IMAGE_NAMES[c.image ?? 'full'], imagePullPolicy: 'IfNotPresent',
          resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' })),
        restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
        serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
        ...(running ? { nodeName: this.nodeName } : {}),
      },
      status: running ? {
        phase: 'Running', hostIP: '172.18.0.2', podIP: ip, podIPs: [{ ip }], startTime: now, qosClass: 'BestEffort',
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']
          .map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })),
        containerStatuses: containers.map((c) => ({
          name: c.name, ready: true, started: true, restartCount: 0, image: IMAGE_NAMES[c.image ?? 'full'],
          imageID: `${IMAGE_NAMES[c.image ?? 'full']}@sha256:${randomBytes(32).toString('hex')}`,
          containerID: `containerd://${randomBytes(32).toString('hex')}`, state: { running: { startedAt: now } },
        })),
      } : {
        phase: 'Pending', qosClass: 'BestEffort',
        conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: now,
          reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.' }],
      },
    };
    this.pods.set(key, { object, roots });
    this.record('pods', 'ADDED', object);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    for (const root of pod.roots.values()) {
      this.killSandbox(root);
      for (const p of await pidsUnder(root)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    this.record('pods', 'DELETED', pod.object);
    for (const root of pod.roots.values()) await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Change a pod's labels (emits MODIFIED to watchers). */
  labelPod(namespace: string, name: string, labels: Record<string, string>): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    pod.object.metadata.labels = { ...(pod.object.metadata.labels as Record<string, string>), ...labels };
    this.record('pods', 'MODIFIED', pod.object);
  }

  /** Host path of a container's root filesystem. */
  rootOf(namespace: string, pod: string, container: string): string {
    const root = this.pods.get(`${namespace}/${pod}`)?.roots.get(container);
    if (!root) throw new Error(`no container ${namespace}/${pod}/${container}`);
    return root;
  }

  /** Processes running in that container (found by their root directory, like a runtime's cgroup listing). */
  async processes(namespace: string, pod: string, container: string): Promise<ProcessInfo[]> {
    return pidsUnder(this.rootOf(namespace, pod, container), true);
  }

  // ---------------------------------------------------------------- events

  private record(resource: 'pods' | 'namespaces', type: WatchEvent['type'], object: K8sObject): void {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    const snapshot = structuredClone(object);
    const ev: WatchEvent = { rv: this.rv, resource, type, object: snapshot };
    this.events.push(ev);
    for (const w of this.watchers) if (matches(w, ev)) this.sendEvent(w, ev);
  }

  private sendEvent(w: Watcher, ev: WatchEvent): void {
    const object = w.table ? this.table(ev.resource, [ev.object], String(ev.rv)) : ev.object;
    w.queue.push(JSON.stringify({ type: ev.type, object }) + '\n');
    this.flushWatcher(w);
  }

  private flushWatcher(w: Watcher): void {
    if (this.stalled || w.res.destroyed) return;
    if (w.queue.length) w.res.write(w.queue.join(''));
    w.queue = [];
  }

  // ---------------------------------------------------------------- HTTP

  private authenticate(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    return h === `Bearer ${this.token}`;
  }

  private fail(res: ServerResponse, e: unknown): void {
    const body = e instanceof ApiError ? e.body : status(500, 'InternalError', `Internal error occurred: ${String(e)}`);
    if (res.headersSent) { res.destroy(); return; }
    send(res, Number(body.code), body);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authenticate(req)) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const url = new URL(req.url ?? '/', 'https://x');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const table = /as=Table/.test(req.headers.accept ?? '');
    const method = req.method ?? 'GET';
    if (method !== 'GET') {
      if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec$/.test(p)) {
        return send(res, 400, status(400, 'BadRequest', 'Upgrade request required'));
      }
      return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    }
    if (p === '/version') return send(res, 200, VERSION);
    if (p === '/healthz' || p === '/livez' || p === '/readyz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
    if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] });
    if (p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (p === '/api/v1') return send(res, 200, API_RESOURCES);
    let m: RegExpExecArray | null;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    if (p === '/api/v1/namespaces') {
      if (watch) return this.watch(req, res, { resource: 'namespaces', table, q });
      return this.list(res, 'namespaces', [...this.namespaces.values()], table, q);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p))) {
      const ns = this.namespaces.get(m[1]);
      if (!ns) throw notFound('namespaces', m[1]);
      return send(res, 200, table ? this.table('namespaces', [ns]) : ns);
    }
    if (p === '/api/v1/pods') {
      if (watch) return this.watch(req, res, { resource: 'pods', table, q });
      return this.list(res, 'pods', [...this.pods.values()].map((x) => x.object), table, q);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p))) {
      const ns = m[1];
      if (watch) return this.watch(req, res, { resource: 'pods', table, q, namespace: ns });
      return this.list(res, 'pods', [...this.pods.values()].map((x) => x.object).filter((o) => o.metadata.namespace === ns), table, q);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(p))) {
      const pod = this.pods.get(`${m[1]}/${m[2]}`);
      if (!pod) throw notFound('pods', m[2]);
      return send(res, 200, table ? this.table('pods', [pod.object]) : pod.object);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(p))) {
      this.execTarget(m[1], m[2], q);
      return send(res, 400, status(400, 'BadRequest', 'Upgrade request required'));
    }
    throw new ApiError(status(404, 'NotFound', 'the server could not find the requested resource', { causes: [] }));
  }

  private list(res: ServerResponse, resource: 'pods' | 'namespaces', items: K8sObject[], table: boolean, q: URLSearchParams): void {
    const filtered = items.filter((o) => selectorMatches(o, q)).sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    const rv = String(this.rv);
    if (table) return send(res, 200, this.table(resource, filtered, rv));
    send(res, 200, { kind: resource === 'pods' ? 'PodList' : 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items: filtered });
  }

  private table(resource: 'pods' | 'namespaces', items: K8sObject[], rv = String(this.rv)): Record<string, unknown> {
    const now = Date.now();
    const age = (o: K8sObject) => humanDuration(now - Date.parse(String(o.metadata.creationTimestamp)));
    const col = (name: string, type: string, priority = 0, format = '') => ({ name, type, format, description: name, priority });
    const meta = (o: K8sObject) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
    if (resource === 'namespaces') {
      return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: rv },
        columnDefinitions: [col('Name', 'string', 0, 'name'), col('Status', 'string'), col('Age', 'string')],
        rows: items.map((o) => ({ cells: [o.metadata.name, (o.status as { phase: string }).phase, age(o)], object: meta(o) })) };
    }
    return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: rv },
      columnDefinitions: [col('Name', 'string', 0, 'name'), col('Ready', 'string'), col('Status', 'string'), col('Restarts', 'string'),
        col('Age', 'string'), col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
      rows: items.map((o) => {
        const st = o.status as { phase: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
        const spec = o.spec as { containers: unknown[]; nodeName?: string };
        const ready = (st.containerStatuses ?? []).filter((c) => c.ready).length;
        return { cells: [o.metadata.name, `${ready}/${spec.containers.length}`, st.phase, '0', age(o), st.podIP ?? '<none>',
          spec.nodeName ?? '<none>', '<none>', '<none>'], object: meta(o) };
      }) };
  }

  private watch(req: IncomingMessage, res: ServerResponse, o: { resource: 'pods' | 'namespaces'; table: boolean; q: URLSearchParams; namespace?: string }): void {
    const fs = o.q.get('fieldSelector') ?? '';
    const nameSel = /metadata\.name=([^,]+)/.exec(fs)?.[1];
    const w: Watcher = { resource: o.resource, namespace: o.namespace, name: nameSel, table: o.table, res, queue: [] };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const fromRv = o.q.get('resourceVersion');
    const labelSel = o.q.get('labelSelector');
    const accept = (ev: WatchEvent) => matches(w, ev) && selectorMatches(ev.object, o.q);
    if (!fromRv || fromRv === '0') {
      // Start with the current state as ADDED events.
      const current = o.resource === 'pods' ? [...this.pods.values()].map((x) => x.object) : [...this.namespaces.values()];
      for (const obj of current) {
        const ev: WatchEvent = { rv: Number(obj.metadata.resourceVersion), resource: o.resource, type: 'ADDED', object: obj };
        if (accept(ev)) this.sendEvent(w, ev);
      }
    } else {
      const n = Number(fromRv);
      if (this.events.length && n < this.events[0].rv - 1) {
        w.queue.push(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${n} (${this.events[0].rv})`) }) + '\n');
        this.flushWatcher(w);
        res.end();
        return;
      }
      for (const ev of this.events) if (ev.rv > n && accept(ev)) this.sendEvent(w, ev);
    }
    const wrapped: Watcher = w;
    if (labelSel) {
      // label-filtered watchers get events through matches() + selector check
      (wrapped as Watcher & { q?: URLSearchParams }).q = o.q;
    }
    this.watchers.add(wrapped);
    const timeout = Number(o.q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => { this.watchers.delete(wrapped); if (timer) clearTimeout(timer); };
    req.on('close', done);
    res.on('close', done);
  }

  // ---------------------------------------------------------------- exec

  /** Validate an exec target like the API server does; returns the container name and its root. */
  private execTarget(namespace: string, name: string, q: URLSearchParams): { container: string; root: string; pod: PodRecord } {
    if (FORBIDDEN_EXEC_NAMESPACES.has(namespace)) {
      throw new ApiError(status(403, 'Forbidden',
        `pods "${name}" is forbidden: User "${TEST_USER}" cannot create resource "pods/exec" in API group "" in the namespace "${namespace}"`,
        { name, kind: 'pods' }));
    }
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw notFound('pods', name);
    const containers = (pod.object.spec as { containers: { name: string }[] }).containers.map((c) => c.name);
    let container = q.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
      container = containers[0];
    } else if (!containers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    if (!(pod.object.spec as { nodeName?: string }).nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    return { container, root: pod.roots.get(container)!, pod };
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const reject = (code: number, body: Record<string, unknown> | string) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      socket.end(`HTTP/1.1 ${code} ${HTTP_TEXT[code] ?? 'Error'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    if (!this.authenticate(req)) return reject(401, status(401, 'Unauthorized', 'Unauthorized'));
    const url = new URL(req.url ?? '/', 'https://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'POST')) {
      return reject(404, status(404, 'NotFound', 'the server could not find the requested resource', { causes: [] }));
    }
    const [, namespace, podName] = m;
    let target;
    try {
      target = this.execTarget(namespace, podName, url.searchParams);
    } catch (e) {
      const body = e instanceof ApiError ? e.body : status(500, 'InternalError', String(e));
      return reject(Number(body.code), body);
    }
    const q = url.searchParams;
    const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
    const command = q.getAll('command');
    const exec: ExecRequest = {
      namespace, pod: podName, container: target.container, root: target.root, command,
      stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty'), hostname: podName,
      nsPid: this.sandboxes.get(target.root),
    };
    if (!command.length) return reject(400, status(400, 'BadRequest', 'you must specify at least one command for the container'));
    if (!exec.stdin && !exec.stdout && !exec.stderr) return reject(400, status(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'));
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(400, status(400, 'BadRequest', `unable to upgrade connection: this test API server speaks WebSocket (${SUPPORTED_PROTOCOLS.join(', ')}) only`));
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const protocol = pickProtocol(offered);
    if (!protocol) {
      return reject(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${SUPPORTED_PROTOCOLS.join(' ')}]`);
    }
    // The API server upgrades POST as well as GET (SPDY-era clients POST); ws accepts GET only.
    if (req.method === 'POST') req.method = 'GET';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ExecSession(ws, protocol, exec, this.stalled);
      this.sessions.add(session);
      session.finished.then(() => this.sessions.delete(session), () => this.sessions.delete(session));
    });
  }
}

function pickProtocol(offered: string[]): string | undefined {
  return offered.find((p) => SUPPORTED_PROTOCOLS.includes(p));
}

function matches(w: Watcher, ev: WatchEvent): boolean {
  if (ev.resource !== w.resource) return false;
  if (w.namespace && ev.object.metadata.namespace !== w.namespace) return false;
  if (w.name && ev.object.metadata.name !== w.name) return false;
  const q = (w as Watcher & { q?: URLSearchParams }).q;
  if (q && !selectorMatches(ev.object, q)) return false;
  return true;
}

function selectorMatches(o: K8sObject, q: URLSearchParams): boolean {
  const ls = q.get('labelSelector');
  if (ls) {
    const labels = (o.metadata.labels ?? {}) as Record<string, string>;
    for (const term of ls.split(',').map((s) => s.trim()).filter(Boolean)) {
      let mm: RegExpExecArray | null;
      if ((mm = /^([^!=]+)!=(.*)$/.exec(term))) { if (labels[mm[1].trim()] === mm[2].trim()) return false; }
      else if ((mm = /^([^=]+)==?(.*)$/.exec(term))) { if (labels[mm[1].trim()] !== mm[2].trim()) return false; }
      else if ((mm = /^!(.+)$/.exec(term))) { if (mm[1].trim() in labels) return false; }
      else if (!(term in labels)) return false;
    }
  }
  const fs = q.get('fieldSelector');
  if (fs) {
    for (const term of fs.split(',').filter(Boolean)) {
      const mm = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
      if (!mm) continue;
      const val = mm[1] === 'metadata.name' ? o.metadata.name : mm[1] === 'metadata.namespace' ? o.metadata.namespace
        : mm[1] === 'status.phase' ? (o.status as { phase?: string } | undefined)?.phase
          : mm[1] === 'spec.nodeName' ? (o.spec as { nodeName?: string } | undefined)?.nodeName : undefined;
      if (mm[2] === '!=' ? val === mm[3] : val !== mm[3]) return false;
    }
  }
  return true;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}

const HTTP_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.2', gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean', buildDate: '2025-02-12T21:19:47Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' };

const API_RESOURCES = {
  kind: 'APIResourceList', groupVersion: 'v1',
  resources: [
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=' },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'],
      categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=' },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
  ],
};

// PID 1 reads a pipe from this Node process: when the process dies (even by SIGKILL) the pipe ends, PID 1
// exits and the kernel kills everything left in the container, so a crashed test leaves no process behind.
const SANDBOX_SCRIPT = 'mount -t proc proc "$1/proc" || exit 1; mount --bind /dev/pts "$1/dev/pts" 2>/dev/null; echo ready; exec -a /pause cat >/dev/null';

/**
 * A container's sandbox: PID 1 of its own PID namespace (`/pause`, a host `cat`, outside the root so it is no
 * process of the container) with a mount namespace where the root has /proc and /dev/pts. Every exec
 * joins both, so `ps` in a container shows that container's processes. Undefined when namespaces are
 * not available (execs then run in a plain chroot).
 */
async function startSandbox(root: string): Promise<number | undefined> {
  const p = spawn('unshare', ['--pid', '--fork', '--mount', '--propagation', 'private', '--kill-child', 'bash', '-c', SANDBOX_SCRIPT, 'sandbox', root],
    { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  p.stdin?.on('error', () => undefined);
  (p.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  p.on('error', () => undefined);
  const ok = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10000);
    p.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(true); } });
    p.on('exit', () => { clearTimeout(t); resolve(false); });
  });
  p.stdout?.destroy();
  p.unref();
  if (!ok || !p.pid) { try { if (p.pid) process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } return undefined; }
  try {
    const child = Number((await readFile(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8')).trim().split(/\s+/)[0]);
    return child > 0 ? child : undefined;
  } catch {
    return undefined;
  }
}

/** Processes whose root directory is `root` (exact) or under `prefix` (when exact is false). */
async function pidsUnder(root: string, exact = false): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  let entries: string[];
  try { entries = await readdir('/proc'); } catch { return out; }
  await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (e) => {
    try {
      const r = await readlink(`/proc/${e}/root`);
      if (exact ? r === root : r.startsWith(root)) {
        const cmd = (await readFile(`/proc/${e}/cmdline`)).toString('utf8').split('\0').filter(Boolean).join(' ');
        out.push({ pid: Number(e), command: cmd });
      }
    } catch { /* exited or not ours */ }
  }));
  return out.sort((a, b) => a.pid - b.pid);
}
