// One fake Kubernetes cluster: an HTTPS API server (discovery, namespaces, pods, watch, pods/exec over WebSocket)
// whose containers are real root filesystems run through chroot. This class is the programmatic API and the
// wiring; the parts are apiServer.ts (TLS, auth), rest.ts (REST, Table output via tables.ts), watch.ts,
// execRoute.ts (exec checks and sessions), resources.ts (objects and event log) and sandbox.ts (processes).
// See README "Test clusters".
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { ClusterCerts } from './certs.ts';
import { type ImageKind, makeContainerRoot } from './images.ts';
import { ApiServer } from './apiServer.ts';
import { ExecRouter } from './execRoute.ts';
import { handleRest } from './rest.ts';
import { containersOf, isRunning, namespaceObject, podObject, ResourceStore, type TestPodSpec } from './resources.ts';
import { killAllUnder, killPid, pidsUnder, Sandboxes, type ProcessInfo } from './sandbox.ts';
import { WatchHub } from './watch.ts';

export { TEST_USER } from './execRoute.ts';
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
  private readonly api: ApiServer;
  private readonly sandboxes = new Sandboxes();
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
    // The store publishes into the hub and the hub reads the store: the callback runs only once both exist.
    this.store = new ResourceStore((ev) => this.watches.publish(ev));
    this.watches = new WatchHub(this.store);
    this.execs = new ExecRouter({
      pod: (namespace, name) => this.store.pods.get(`${namespace}/${name}`),
      nsPidOf: (root) => this.sandboxes.pidOf(root),
    });
    this.api = new ApiServer({
      certs: opts.certs,
      token: this.token,
      request: (req, res) => handleRest({
        store: this.store, watches: this.watches, port: () => this.port,
        checkExecTarget: (namespace, pod, q) => void this.execs.target(namespace, pod, q),
      }, req, res),
      upgrade: (req, socket, head) => this.execs.upgrade(req, socket, head),
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
    return join(`/proc/${init}/root`, inside);
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
  }

  async addPod(namespace: string, spec: TestPodSpec): Promise<void> {
    this.registerPod(namespace, spec, await this.preparePod(namespace, spec));
  }

  /** Makes the container roots (and sandboxes, if running) of a pod not yet registered. */
  private async preparePod(namespace: string, spec: TestPodSpec): Promise<Map<string, string>> {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.name)) throw new Error(`invalid pod name "${spec.name}"`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new Error(`invalid namespace name "${namespace}"`);
    const key = `${namespace}/${spec.name}`;
    if (this.store.pods.has(key)) throw new Error(`pod ${key} exists`);
    const roots = new Map<string, string>();
    const running = isRunning(spec);
    await Promise.all(containersOf(spec).map(async (c) => {
      const root = join(this.opts.dir, 'roots', namespace, spec.name, c.name);
      await makeContainerRoot(this.opts.images[c.image ?? 'full'], root);
      roots.set(c.name, root);
      if (running) await this.sandboxes.start(root);
    }));
    return roots;
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
    return pidsUnder(this.rootOf(namespace, pod, container), true);
  }
}
