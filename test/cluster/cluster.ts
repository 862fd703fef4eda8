// One fake Kubernetes cluster: an HTTPS API server (discovery, namespaces, pods, watch, pods/exec over WebSocket)
// whose containers are real root filesystems run through chroot. This class is the programmatic API and the
// wiring; the parts are apiServer.ts (TLS, auth), rest.ts (REST, Table output via tables.ts), watch.ts,
// execRoute.ts (exec checks and sessions), resources.ts (objects and event log) and sandbox.ts (processes).
// See README "Test clusters".
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { until } from '../util/wait.ts';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { ClusterCerts } from './certs.ts';
import { IMAGE_CMD, imageKindOf, type ImageKind, makeContainerRoot, resolveInRoot } from './images.ts';
import { ContainerMain } from './containerMain.ts';
import { validateEphemeralContainers, withDefaults, type ContainerObject } from './ephemeral.ts';
import { ApiError, noRoute, notFound, status } from './apiStatus.ts';
import { ApiServer } from './apiServer.ts';
import { ExecRouter } from './execRoute.ts';
import { PortForwardRouter } from './portForward.ts';
import { handleRest } from './rest.ts';
import { ContainerLog, servePodLog, type ContainerLogs } from './podLogs.ts';
import { containersOf, isRunning, type K8sObject, namespaceObject, podObject, ResourceStore, type TestContainerSpec, type TestPodSpec } from './resources.ts';
import { killAllUnder, killPid, pidsUnder, Sandboxes, type ProcessInfo } from './sandbox.ts';
import { WatchHub } from './watch.ts';

import { TEST_USER } from './execRoute.ts';

export { TEST_USER };
export type { TestContainerSpec, TestPodSpec } from './resources.ts';
export type { ProcessInfo } from './sandbox.ts';

export interface ClusterOptions {
  index: number;
  name: string;
  dir: string;
  images: Record<ImageKind, string>;
  certs: ClusterCerts;
  port?: number;
}

export class TestCluster {
  readonly name: string;
  readonly context: string;
  readonly token: string;
  readonly caData: string;
  readonly index: number;
  private readonly store: ResourceStore;
  private readonly watches: WatchHub;
  private readonly execs: ExecRouter;
  /** pods/portforward (its `log` says which transport each forward used). */
  readonly portForwards: PortForwardRouter;
  private readonly api: ApiServer;
  private readonly sandboxes = new Sandboxes();
  private stopped = false;
  private readonly nodeName: string;
  private ipCounter = 10;
  /** namespace/pod/container → the main process of an ephemeral container (what pods/attach reaches). */
  private readonly mains = new Map<string, ContainerMain>();
  /** namespace/pod/container → its log (the running instance's and the previous one's). */
  private readonly logs = new Map<string, ContainerLogs>();
  /** Main processes being restarted on purpose (restartContainer): started again at once. */
  private readonly restarting = new Set<ContainerMain>();
  private ephemeralApi = true;

  constructor(private readonly opts: ClusterOptions) {
    this.name = opts.name;
    this.context = opts.name;
    this.index = opts.index;
    this.token = randomBytes(24).toString('hex');
    this.caData = Buffer.from(opts.certs.caPem).toString('base64');
    this.nodeName = `${opts.name}-node`;
    // The store publishes into the hub and the hub reads the store: the callback runs only once both exist.
    this.store = new ResourceStore((ev) => this.watches.publish(ev));
    this.watches = new WatchHub(this.store);
    this.execs = new ExecRouter({
      pod: (namespace, name) => this.store.pods.get(`${namespace}/${name}`),
      nsPidOf: (root) => this.sandboxes.pidOf(root),
      mainOf: (namespace, pod, container) => this.mains.get(`${namespace}/${pod}/${container}`),
    });
    this.portForwards = new PortForwardRouter({
      pod: (namespace, name) => this.store.pods.get(`${namespace}/${name}`),
      netPidOf: (namespace, pod) => this.netPidOf(namespace, pod),
    });
    this.api = new ApiServer({
      certs: opts.certs,
      token: this.token,
      request: (req, res) => handleRest({
        store: this.store, watches: this.watches, port: () => this.port,
        checkExecTarget: (namespace, pod, q) => void this.execs.target(namespace, pod, q),
        updateEphemeral: (namespace, pod, next) => this.updateEphemeral(namespace, pod, next),
        podLog: (namespace, pod, q) => servePodLog({
          pod: (ns, name) => this.store.pods.get(`${ns}/${name}`),
          logs: (ns, name, container) => this.logs.get(`${ns}/${name}/${container}`),
        }, namespace, pod, req, res, q),
      }, req, res),
      upgrade: (req, socket, head) => this.portForwards.handles(req) ? this.portForwards.upgrade(req, socket, head) : this.execs.upgrade(req, socket, head),
    });
  }

  /** Port of the API server (0 until started; a restart keeps it). */
  get port(): number { return this.api.port; }

  /** https URL of the API server. */
  get server(): string { return `https://127.0.0.1:${this.port}`; }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    this.stopped = false;
    await this.api.listen(this.opts.port ?? this.port);
  }

  /** Stop the API server (all connections drop), then serve again on the same port. Containers keep running. */
  async restart(): Promise<void> {
    await this.closeServer();
    await this.start();
  }

  /**
   * Stop the API server (all connections drop) and serve nothing until start(): a cluster that is down.
   * Containers keep running.
   */
  async closeServer(): Promise<void> {
    this.dropConnections();
    await this.api.close();
  }

  /** Stop serving, kill every process in this cluster's containers, remove its roots. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeServer();
    this.execs.killAll();
    this.portForwards.killAll();
    for (const m of this.mains.values()) m.kill();
    this.mains.clear();
    for (const l of this.logs.values()) l.current.end();
    this.logs.clear();
    this.sandboxes.killAll();
    await killAllUnder(this.opts.dir + '/');
    this.execs.clear();
    await rm(this.opts.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  // ---------------------------------------------------------------- faults

  /** Drop every connection of this cluster at once (API requests, watches, exec streams). Processes keep running. */
  dropConnections(): void {
    this.watches.dropAll();
    this.api.dropSockets();
  }

  /**
   * A small disk in a container: a tmpfs of `bytes` mounted at `dir` (absolute, in the container) in
   * the container's own mount namespace, so writes past that size fail with "No space left on device"
   * as on a full volume. Returns the host path through which the test sees that folder as the
   * container does. Needs the container's namespaces (root); the mount ends with the pod.
   */
  async limitDisk(namespace: string, pod: string, container: string, dir: string, bytes: number): Promise<string> {
    const root = this.rootOf(namespace, pod, container);
    const init = this.sandboxes.pidOf(root);
    if (!init) throw new Error('limitDisk needs container namespaces (run as root with unshare and nsenter)');
    const inside = join(root, dir);
    await mkdir(inside, { recursive: true });
    await promisify(execFile)('nsenter', ['-t', String(init), '-m', '--', 'mount', '-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', inside]);
    // PID 1 of the sandbox (/pause) is chrooted into the container's root: its /proc root is that root.
    return join(`/proc/${init}/root`, dir);
  }

  /** Stall every stream (exec in both directions, watches): data waits until stallStreams(false). */
  stallStreams(on: boolean): void {
    this.execs.stall(on);
    this.watches.stall(on);
  }

  // ---------------------------------------------------------------- fixture / programmatic API

  addNamespace(name: string): void {
    if (this.store.namespaces.has(name)) return;
    const obj = namespaceObject(name);
    this.store.namespaces.set(name, obj);
    this.store.record('namespaces', 'ADDED', obj);
  }

  async deleteNamespace(name: string): Promise<void> {
    const ns = this.store.namespaces.get(name);
    if (!ns) return;
    for (const key of [...this.store.pods.keys()]) {
      if (key.startsWith(`${name}/`)) await this.deletePod(name, key.slice(name.length + 1));
    }
    this.store.namespaces.delete(name);
    this.store.record('namespaces', 'DELETED', ns);
  }

  /** Add several pods at once (their roots are made in parallel; events in the given order). */
  async addPods(pods: { namespace: string; pod: TestPodSpec }[]): Promise<void> {
    const prepared = await Promise.all(pods.map((p) => this.preparePod(p.namespace, p.pod)));
    prepared.forEach((roots, i) => this.registerPod(pods[i].namespace, pods[i].pod, roots));
    for (const p of pods) this.startContainers(p.namespace, p.pod);
  }

  async addPod(namespace: string, spec: TestPodSpec): Promise<void> {
    this.registerPod(namespace, spec, await this.preparePod(namespace, spec));
    this.startContainers(namespace, spec);
  }

  /** A running pod's containers as a kubelet starts them: each gets its log, and its main process if it has a command. */
  private startContainers(namespace: string, spec: TestPodSpec): void {
    if (!isRunning(spec)) return;
    for (const c of containersOf(spec)) {
      const key = `${namespace}/${spec.name}/${c.name}`;
      // A main that preparePod started already (its declared ports waited for) is adopted, not started twice:
      // a second one crash-looped on the taken port and rewrote the web fixture's index.html each second.
      const started = this.mains.get(key);
      const log = new ContainerLog();
      this.logs.set(key, { current: log });
      if (started?.running) started.spec.onOutput = (d) => log.write(d);
      if (c.command) void this.runMain(namespace, spec.name, c, started?.running ? started : undefined);
    }
  }

  /** Runs a container's main process into a fresh log, and again each time it ends while its pod lives (restartPolicy Always). */
  private async runMain(namespace: string, pod: string, c: TestContainerSpec, adopt?: ContainerMain): Promise<void> {
    const key = `${namespace}/${pod}/${c.name}`;
    const rec = this.store.pods.get(`${namespace}/${pod}`);
    const root = rec?.roots.get(c.name);
    const argv = c.command ?? [];
    const path = root && argv.length ? await resolveInRoot(root, argv[0]) : undefined;
    if (!rec || !root || !path || this.stopped || this.store.pods.get(`${namespace}/${pod}`) !== rec) return;
    const log = this.logs.get(key)?.current ?? new ContainerLog();
    const main = adopt ?? new ContainerMain({ root, nsPid: this.sandboxes.pidOf(root), path, argv, tty: false, stdin: false, hostname: pod, onOutput: (d) => log.write(d) });
    this.mains.set(key, main);
    const startedAt = new Date().toISOString();
    const exitCode = await main.exited;
    log.end();
    const asked = this.restarting.delete(main);
    if (this.stopped || this.mains.get(key) !== main) return; // the pod is gone
    this.mains.delete(key);
    this.rotateLog(namespace, pod, c.name, { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: new Date().toISOString() });
    // A crash loops with a back-off, as a kubelet's does (10 s there; 1 s is enough to keep a double from spinning).
    if (!asked) await new Promise((r) => setTimeout(r, 1000));
    if (!this.stopped && this.store.pods.get(`${namespace}/${pod}`) === rec) await this.runMain(namespace, pod, c);
  }

  /** The instance ended: its log becomes the previous one, the status counts a restart and shows its end in lastState. */
  private rotateLog(namespace: string, pod: string, container: string, terminated: Record<string, unknown>): void {
    const key = `${namespace}/${pod}/${container}`;
    const logs = this.logs.get(key);
    if (logs) { logs.current.end(); this.logs.set(key, { current: new ContainerLog(), previous: logs.current }); }
    const rec = this.store.pods.get(`${namespace}/${pod}`);
    const st = (rec?.object.status as { containerStatuses?: Record<string, unknown>[] } | undefined)?.containerStatuses?.find((s) => s.name === container);
    if (!rec || !st) return;
    st.lastState = { terminated: { ...terminated, containerID: st.containerID } };
    st.restartCount = Number(st.restartCount ?? 0) + 1;
    st.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    st.state = { running: { startedAt: new Date().toISOString() } };
    this.store.record('pods', 'MODIFIED', rec.object);
  }

  /**
   * Restarts a container as a kubelet does after a failed probe: its main process is killed (exit 137) and started
   * again; the log of the ended instance is what `kubectl logs --previous` shows. Resolves once the new one runs.
   * A container without a command just starts a new (empty) log.
   */
  async restartContainer(namespace: string, pod: string, container: string): Promise<void> {
    const key = `${namespace}/${pod}/${container}`;
    if (!this.logs.has(key)) throw new Error(`no running container ${key}`);
    const main = this.mains.get(key);
    if (!main) {
      const now = new Date().toISOString();
      this.rotateLog(namespace, pod, container, { exitCode: 137, reason: 'Error', startedAt: now, finishedAt: now });
      return;
    }
    this.restarting.add(main);
    main.kill();
    await main.exited;
    await until(`${key} running again`, () => { const m = this.mains.get(key); return m !== undefined && m !== main; }, 10_000, 10);
  }

  /** The lines a container's running instance has written so far (for tests that wait for output). */
  logLines(namespace: string, pod: string, container: string): string[] {
    return (this.logs.get(`${namespace}/${pod}/${container}`)?.current.entries ?? []).map((e) => e.text.toString('utf8'));
  }

  /** Makes the container roots (and sandboxes, if running) of a pod not yet registered. */
  private async preparePod(namespace: string, spec: TestPodSpec): Promise<Map<string, string>> {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.name)) throw new Error(`invalid pod name "${spec.name}"`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new Error(`invalid namespace name "${namespace}"`);
    const key = `${namespace}/${spec.name}`;
    if (this.store.pods.has(key)) throw new Error(`pod ${key} exists`);
    const roots = new Map<string, string>();
    const running = isRunning(spec);
    const containers = containersOf(spec);
    await Promise.all(containers.map(async (c) => {
      const root = join(this.opts.dir, 'roots', namespace, spec.name, c.name);
      await makeContainerRoot(this.opts.images[c.image ?? 'full'], root);
      roots.set(c.name, root);
    }));
    if (running) {
      // The first container's sandbox makes the pod's network namespace; the others join it (one localhost per pod).
      const first = roots.get(containers[0].name) as string;
      await this.sandboxes.start(first);
      await Promise.all(containers.slice(1).map((c) => this.sandboxes.start(roots.get(c.name) as string, undefined, first)));
      for (const c of containers) if (c.command) await this.startMain(namespace, spec.name, c.name, roots.get(c.name) as string, c.command);
      const ports = containers.flatMap((c) => c.command ? (c.ports ?? []).map((p) => p.containerPort) : []);
      const netPid = this.sandboxes.pidOf(first);
      if (ports.length && netPid) await this.untilListening(netPid, ports);
    }
    return roots;
  }

  /** A container's own main process (the spec's command), e.g. the web fixture's HTTP server. */
  private async startMain(namespace: string, pod: string, container: string, root: string, argv: string[]): Promise<void> {
    const path = await resolveInRoot(root, argv[0]);
    if (!path) throw new Error(`${argv[0]}: not found in the image of ${namespace}/${pod}/${container}`);
    this.mains.set(`${namespace}/${pod}/${container}`, new ContainerMain({ root, nsPid: this.sandboxes.pidOf(root), path, argv, tty: false, stdin: false, hostname: pod }));
  }

  /** Until every declared TCP port listens in the pod's network namespace (what a readiness probe would wait for). */
  private async untilListening(netPid: number, ports: number[]): Promise<void> {
    const listening = async () => {
      const text = (await Promise.all(['tcp', 'tcp6'].map((f) => readFile(`/proc/${netPid}/net/${f}`, 'utf8').catch(() => '')))).join('\n');
      // Lines: "sl local_address rem_address st …"; local is HEXIP:HEXPORT, st 0A is LISTEN.
      const open = new Set(text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === '0A').map((f) => parseInt(f[1].split(':').pop() ?? '', 16)));
      return ports.every((p) => open.has(p));
    };
    await until(`ports ${ports.join(', ')} listening`, listening, 10_000, 20);
  }

  /** Host pid of a pod's network namespace holder (its first container's init), for port-forward. */
  netPidOf(namespace: string, pod: string): number | undefined {
    const rec = this.store.pods.get(`${namespace}/${pod}`);
    const first = (rec?.object.spec as { containers?: { name: string }[] } | undefined)?.containers?.[0]?.name;
    const root = first ? rec?.roots.get(first) : undefined;
    return root ? this.sandboxes.pidOf(root) : undefined;
  }

  private registerPod(namespace: string, spec: TestPodSpec, roots: Map<string, string>): void {
    this.addNamespace(namespace);
    const key = `${namespace}/${spec.name}`;
    if (this.store.pods.has(key)) throw new Error(`pod ${key} exists`);
    const object = podObject(namespace, spec, { ip: `10.244.${this.index}.${this.ipCounter++}`, nodeName: this.nodeName });
    this.store.pods.set(key, { object, roots });
    this.store.record('pods', 'ADDED', object);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const pod = this.store.pods.get(key);
    if (!pod) return;
    this.store.pods.delete(key);
    for (const [k, m] of this.mains) if (k.startsWith(`${key}/`)) { m.kill(); this.mains.delete(k); }
    for (const [k, l] of this.logs) if (k.startsWith(`${key}/`)) { l.current.end(); this.logs.delete(k); }
    for (const root of pod.roots.values()) {
      this.sandboxes.kill(root);
      for (const p of await pidsUnder(root)) killPid(p.pid);
    }
    this.store.record('pods', 'DELETED', pod.object);
    for (const root of pod.roots.values()) await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Change a pod's labels (emits MODIFIED to watchers). */
  labelPod(namespace: string, name: string, labels: Record<string, string>): void {
    const pod = this.store.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    pod.object.metadata.labels = { ...(pod.object.metadata.labels as Record<string, string>), ...labels };
    this.store.record('pods', 'MODIFIED', pod.object);
  }

  /** Host path of a container's root filesystem. */
  rootOf(namespace: string, pod: string, container: string): string {
    const root = this.store.pods.get(`${namespace}/${pod}`)?.roots.get(container);
    if (!root) throw new Error(`no container ${namespace}/${pod}/${container}`);
    return root;
  }

  /** Processes running in that container (found by their root directory, like a runtime's cgroup listing). */
  async processes(namespace: string, pod: string, container: string): Promise<ProcessInfo[]> {
    const root = this.rootOf(namespace, pod, container);
    const init = this.sandboxes.pidOf(root);
    // The sandbox's /pause is the container's main process, not something a test started.
    return (await pidsUnder(root, true)).filter((p) => p.pid !== init);
  }

  // ---------------------------------------------------------------- ephemeral containers

  /** Serve (true, the default) or not serve (false: 404, as on a cluster without the API) pods/ephemeralcontainers. */
  setEphemeralContainersApi(on: boolean): void {
    this.ephemeralApi = on;
  }

  /**
   * PATCH or PUT of pods/ephemeralcontainers, after the route worked out the new list: RBAC (403 in namespace
   * restricted), validation (422), then the pod stored and each new container started the way a kubelet would —
   * Waiting (ContainerCreating), then Running; Waiting with ErrImagePull for an image no registry has.
   */
  updateEphemeral(namespace: string, name: string, next: (current: ContainerObject[]) => unknown): K8sObject {
    if (!this.ephemeralApi) throw new ApiError(noRoute());
    if (namespace === 'restricted') {
      throw new ApiError(status(403, 'Forbidden',
        `pods "${name}" is forbidden: User "${TEST_USER}" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "${namespace}"`,
        { name, kind: 'pods' }));
    }
    const pod = this.store.pods.get(`${namespace}/${name}`);
    if (!pod) throw notFound('pods', name);
    const spec = pod.object.spec as { ephemeralContainers?: ContainerObject[]; nodeName?: string };
    const current = spec.ephemeralContainers ?? [];
    const list = validateEphemeralContainers(pod.object, next(structuredClone(current)));
    const added = list.slice().filter((c) => !current.some((o) => o.name === c.name)).map(withDefaults);
    if (!added.length) return pod.object;
    spec.ephemeralContainers = [...current, ...added];
    this.store.record('pods', 'MODIFIED', pod.object);
    if (spec.nodeName) for (const c of added) void this.startEphemeral(namespace, name, c);
    return pod.object;
  }

  /** Sets the status of one ephemeral container (emits MODIFIED, as a kubelet's status update does). */
  private setEphemeralState(namespace: string, name: string, c: ContainerObject, state: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    const pod = this.store.pods.get(`${namespace}/${name}`);
    if (!pod) return;
    const st = pod.object.status as { ephemeralContainerStatuses?: Record<string, unknown>[] };
    const list = st.ephemeralContainerStatuses ?? [];
    const entry = { name: c.name, image: c.image, imageID: '', lastState: {}, ready: false, restartCount: 0, ...extra, state };
    const at = list.findIndex((s) => s.name === c.name);
    if (at >= 0) list[at] = { ...list[at], ...entry }; else list.push(entry);
    st.ephemeralContainerStatuses = list;
    this.store.record('pods', 'MODIFIED', pod.object);
  }

  private async startEphemeral(namespace: string, name: string, c: ContainerObject): Promise<void> {
    const key = `${namespace}/${name}`;
    this.setEphemeralState(namespace, name, c, { waiting: { reason: 'ContainerCreating' } });
    const kind = imageKindOf(String(c.image));
    const pod = this.store.pods.get(key);
    if (!pod) return;
    if (!kind) {
      const ref = String(c.image).includes('/') ? String(c.image) : `docker.io/library/${String(c.image)}`;
      const full = /[:@][^/]*$/.test(ref) ? ref : `${ref}:latest`;
      this.setEphemeralState(namespace, name, c, { waiting: { reason: 'ErrImagePull',
        message: `failed to pull and unpack image "${full}": failed to resolve reference "${full}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed` } });
      return;
    }
    const root = join(this.opts.dir, 'roots', namespace, name, c.name);
    // The pod can be deleted, or the cluster stopped, at any await: each step checks before it starts something.
    const gone = () => this.stopped || this.store.pods.get(key) !== pod;
    await makeContainerRoot(this.opts.images[kind], root).catch(() => undefined);
    if (gone()) { await rm(root, { recursive: true, force: true }); return; }
    pod.roots.set(c.name, root);
    const target = typeof c.targetContainerName === 'string' && c.targetContainerName ? pod.roots.get(c.targetContainerName) : undefined;
    const podFirst = pod.roots.get((pod.object.spec as { containers: { name: string }[] }).containers[0].name);
    await this.sandboxes.start(root, target, podFirst);
    if (gone()) { this.sandboxes.kill(root); return; }
    const argv = [...((c.command as string[] | undefined) ?? IMAGE_CMD[kind]), ...((c.args as string[] | undefined) ?? [])];
    const path = await resolveInRoot(root, argv[0]);
    if (gone()) { this.sandboxes.kill(root); return; }
    const containerID = `containerd://${randomBytes(32).toString('hex')}`;
    const ids = { imageID: `${String(c.image)}@sha256:${randomBytes(32).toString('hex')}`, containerID };
    const startedAt = new Date().toISOString();
    if (!path) {
      this.setEphemeralState(namespace, name, c, { terminated: { exitCode: 128, reason: 'StartError', startedAt: '1970-01-01T00:00:00Z', finishedAt: startedAt, containerID,
        message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown` } }, ids);
      return;
    }
    const main = new ContainerMain({ root, nsPid: this.sandboxes.pidOf(root), path, argv, tty: c.tty === true, stdin: c.stdin === true, hostname: name });
    this.mains.set(`${key}/${c.name}`, main);
    this.setEphemeralState(namespace, name, c, { running: { startedAt } }, ids);
    const exitCode = await main.exited;
    if (this.mains.get(`${key}/${c.name}`) !== main) return; // the pod is gone
    this.setEphemeralState(namespace, name, c, { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt,
      finishedAt: new Date().toISOString(), containerID } }, ids);
  }
}
