/**
 * Every context of every loaded kubeconfig, each with its own status and its own watches.
 * Failures stay per cluster: a malformed file, an unreachable server or a 401 marks that entry only.
 * Credentials stay here; what leaves (ClusterInfo, PodInfo…) carries names and states only.
 */
import { CoreV1Api, KubeConfig, VersionApi, makeInformer, type Informer, type ObjectCache, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import type {
  ClusterInfo,
  ClusterStatus,
  ClustersEvents,
  ContainerInfo,
  KubeconfigProblem,
  NamespaceInfo,
  PodInfo,
} from '../../../common/contract/clusters.ts';
import { describeHttpFailure, describeNetworkError } from '../kube/exec.ts';
import type { SettingsStore } from '../settings/settings.ts';
import { defaultKubeconfigFiles, kubeConfigOf, loadKubeconfigs, type LoadedContext } from './kubeconfigs.ts';

export type ClustersEmit = <E extends keyof ClustersEvents>(name: E, payload: ClustersEvents[E]) => void;

export interface ClusterRegistryOptions {
  /** `--kubeconfig FILE`: replaces KUBECONFIG and ~/.kube/config, as in kubectl. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where files added in the app are remembered (key `kubeconfigs`). */
  settings?: SettingsStore;
  /** How long a status probe may take before the cluster counts as unreachable. */
  probeTimeoutMs?: number;
  /** Poll interval (ms) for edits of the kubeconfig files; 0 turns it off. Default 2000. */
  watchFilesMs?: number;
}

const SETTINGS_KEY = 'kubeconfigs';
/** Debounce of list events: a burst of watch events becomes one full-list event. */
const EMIT_DELAY_MS = 50;

/** A sentence for an error of a REST call (ApiException, fetch failures, timeouts). */
export function describeApiError(err: unknown, server?: string): { reason: string; code?: number } {
  const e = err as { code?: unknown; body?: unknown; statusCode?: number };
  const code = typeof e?.code === 'number' ? e.code : e?.statusCode;
  if (typeof code === 'number' && code >= 300) {
    const body = typeof e.body === 'string' ? e.body : e.body ? JSON.stringify(e.body) : '';
    return { reason: describeHttpFailure(code, body).message, code };
  }
  return { reason: describeNetworkError(err, server) };
}

interface Watched<T> {
  informer: Informer<T & { metadata?: { name?: string } }> & ObjectCache<T>;
  ready: Promise<void>;
  stopped: boolean;
  retryTimer?: NodeJS.Timeout;
  backoffMs: number;
  emitTimer?: NodeJS.Timeout;
  lastError?: string;
}

export class ClusterRegistry {
  private contexts = new Map<string, LoadedContext>();
  private problems: KubeconfigProblem[] = [];
  private statuses = new Map<string, ClusterStatus>();
  private kubeConfigs = new Map<string, KubeConfig>();
  private nsWatches = new Map<string, Watched<V1Namespace>>();
  private podWatches = new Map<string, Watched<V1Pod>>();
  private listeners = new Set<ClustersEmit>();
  private probeGen = new Map<string, number>();
  private closed = false;
  private watchedFiles = new Map<string, (cur: Stats, prev: Stats) => void>();
  private reloadTimer?: NodeJS.Timeout;

  constructor(private readonly opts: ClusterRegistryOptions = {}) {
    this.reload();
  }

  /** Subscribes to cluster events; returns the unsubscribe function. */
  onEvent(listener: ClustersEmit): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit: ClustersEmit = (name, payload) => {
    for (const l of this.listeners) l(name, payload);
  };

  /** Files added in the app (absolute paths). */
  addedFiles(): string[] {
    return this.opts.settings?.get<string[]>(SETTINGS_KEY, []) ?? [];
  }

  /** Re-reads every kubeconfig; contexts that changed are probed again. */
  reload(): void {
    const base = defaultKubeconfigFiles({ explicit: this.opts.kubeconfig, env: this.opts.env, home: this.opts.home });
    const added = this.addedFiles();
    const required = new Set([...added, ...(this.opts.kubeconfig ? base : [])]);
    const result = loadKubeconfigs([...base, ...added], required);
    const before = this.contexts;
    this.contexts = result.contexts;
    this.problems = result.problems;
    for (const [name, old] of before) {
      const now = this.contexts.get(name);
      if (!now || JSON.stringify(now) !== JSON.stringify(old)) this.forget(name);
    }
    for (const name of this.contexts.keys()) if (!this.statuses.has(name)) this.probe(name);
    this.watchFiles([...base, ...added]);
  }

  /** Follows edits of the kubeconfig files (kubectl config set-context, a cloud CLI refreshing a token…). */
  private watchFiles(files: string[]): void {
    const interval = this.opts.watchFilesMs ?? 2000;
    if (this.closed || interval <= 0) return;
    const wanted = new Set(files);
    for (const [file, listener] of this.watchedFiles) {
      if (!wanted.has(file)) {
        unwatchFile(file, listener);
        this.watchedFiles.delete(file);
      }
    }
    for (const file of wanted) {
      if (this.watchedFiles.has(file)) continue;
      const listener = (cur: Stats, prev: Stats): void => {
        if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
        // Editors write in several steps: settle first.
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => {
          if (!this.closed) this.changed();
        }, 200);
      };
      watchFile(file, { interval, persistent: false }, listener);
      this.watchedFiles.set(file, listener);
    }
  }

  private forget(context: string): void {
    this.kubeConfigs.delete(context);
    this.statuses.delete(context);
    for (const [key, w] of [...this.nsWatches, ...this.podWatches] as [string, Watched<unknown>][]) {
      if (key === context || key.startsWith(context + '\0')) {
        this.stopWatch(w);
        this.nsWatches.delete(key);
        this.podWatches.delete(key);
      }
    }
  }

  listClusters(): { clusters: ClusterInfo[]; problems: KubeconfigProblem[] } {
    const clusters = [...this.contexts.values()].map((l) => ({
      context: l.context.name,
      cluster: l.context.cluster,
      source: l.source,
      defaultNamespace: l.context.namespace || 'default',
      status: this.statuses.get(l.context.name) ?? { state: 'connecting' as const },
    }));
    return { clusters, problems: [...this.problems] };
  }

  addKubeconfig(path: string): { clusters: ClusterInfo[]; problems: KubeconfigProblem[] } {
    if (typeof path !== 'string' || !path.trim()) throw new Error('addKubeconfig: give the path of a kubeconfig file');
    const file = resolve(path);
    const probe = loadKubeconfigs([file], new Set([file]));
    if (probe.problems.length) throw new Error(`${file}: ${probe.problems[0].reason}`);
    if (!this.opts.settings) throw new Error('no settings store: cannot remember added kubeconfigs');
    const added = this.addedFiles();
    if (!added.includes(file)) this.opts.settings.set(SETTINGS_KEY, [...added, file]);
    return this.changed();
  }

  removeKubeconfig(path: string): { clusters: ClusterInfo[]; problems: KubeconfigProblem[] } {
    const file = resolve(path);
    const added = this.addedFiles();
    if (!added.includes(file)) throw new Error(`${file} was not added in the app (files from KUBECONFIG or ~/.kube/config are removed there)`);
    this.opts.settings?.set(SETTINGS_KEY, added.filter((f) => f !== file));
    return this.changed();
  }

  private changed(): { clusters: ClusterInfo[]; problems: KubeconfigProblem[] } {
    this.reload();
    const list = this.listClusters();
    this.emit('clusters.changed', list);
    return list;
  }

  has(context: string): boolean {
    return this.contexts.has(context);
  }

  /** A KubeConfig whose current context is `context` (holding only that context's cluster and user). */
  kubeConfigFor(context: string): KubeConfig {
    let kc = this.kubeConfigs.get(context);
    if (kc) return kc;
    const loaded = this.contexts.get(context);
    if (!loaded) throw new Error(`unknown context "${context}"`);
    kc = kubeConfigOf(loaded);
    this.kubeConfigs.set(context, kc);
    return kc;
  }

  status(context: string): ClusterStatus | undefined {
    return this.statuses.get(context);
  }

  private setStatus(context: string, status: ClusterStatus): void {
    if (this.closed || !this.contexts.has(context)) return;
    const old = this.statuses.get(context);
    if (old && JSON.stringify(old) === JSON.stringify(status)) return;
    this.statuses.set(context, status);
    this.emit('clusters.status', { context, status });
  }

  private serverOf(context: string): string | undefined {
    return this.contexts.get(context)?.cluster?.server;
  }

  /** Asks the server for its version: connected, or error with the reason. */
  probe(context: string): Promise<ClusterStatus> {
    const gen = (this.probeGen.get(context) ?? 0) + 1;
    this.probeGen.set(context, gen);
    this.setStatus(context, { state: 'connecting' });
    const run = async (): Promise<ClusterStatus> => {
      let kc: KubeConfig;
      try {
        kc = this.kubeConfigFor(context);
      } catch (err) {
        return { state: 'error', reason: (err as Error).message };
      }
      const timeout = this.opts.probeTimeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      try {
        const version = await Promise.race([
          kc.makeApiClient(VersionApi).getCode(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer from ${this.serverOf(context)} within ${timeout / 1000} s`)), timeout);
          }),
        ]);
        return { state: 'connected', serverVersion: version.gitVersion };
      } catch (err) {
        const { reason, code } = describeApiError(err, this.serverOf(context));
        return code ? { state: 'error', reason, code } : { state: 'error', reason };
      } finally {
        clearTimeout(timer);
      }
    };
    return run().then((status) => {
      if (this.probeGen.get(context) === gen) this.setStatus(context, status);
      return status;
    });
  }

  /** Retries a cluster: probes it again and restarts its watches now. */
  async reconnectCluster(context: string): Promise<void> {
    if (!this.contexts.has(context)) throw new Error(`unknown context "${context}"`);
    for (const [key, w] of [...this.nsWatches, ...this.podWatches] as [string, Watched<unknown>][]) {
      if ((key === context || key.startsWith(context + '\0')) && w.retryTimer) {
        clearTimeout(w.retryTimer);
        w.retryTimer = undefined;
        w.backoffMs = 0;
        void w.informer.start();
      }
    }
    await this.probe(context);
  }

  /** The namespaces of a context, kept live by a watch (`clusters.namespaces` events). */
  async listNamespaces(context: string): Promise<NamespaceInfo[]> {
    const kc = this.kubeConfigFor(context);
    let w = this.nsWatches.get(context);
    if (!w) {
      const api = kc.makeApiClient(CoreV1Api);
      w = this.startWatch<V1Namespace>(context, kc, '/api/v1/namespaces', () => api.listNamespace(), () =>
        this.emit('clusters.namespaces', { context, namespaces: this.namespacesOf(context) }),
      );
      this.nsWatches.set(context, w);
    }
    await w.ready;
    if (w.lastError && w.informer.list().length === 0) throw new Error(`${context}: ${w.lastError}`);
    return this.namespacesOf(context);
  }

  private namespacesOf(context: string): NamespaceInfo[] {
    const w = this.nsWatches.get(context);
    return (w?.informer.list() ?? [])
      .map((ns) => ({ context, name: ns.metadata?.name ?? '', phase: ns.status?.phase }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The pods of a namespace, kept live by a watch (`clusters.pods` events). */
  async listPods(context: string, namespace: string): Promise<PodInfo[]> {
    if (typeof namespace !== 'string' || !namespace) throw new Error('listPods: namespace is required');
    const kc = this.kubeConfigFor(context);
    const key = context + '\0' + namespace;
    let w = this.podWatches.get(key);
    if (!w) {
      const api = kc.makeApiClient(CoreV1Api);
      w = this.startWatch<V1Pod>(context, kc, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, () => api.listNamespacedPod({ namespace }), () =>
        this.emit('clusters.pods', { context, namespace, pods: this.podsOf(context, namespace) }),
      );
      this.podWatches.set(key, w);
    }
    await w.ready;
    if (w.lastError && w.informer.list().length === 0) throw new Error(`${context}/${namespace}: ${w.lastError}`);
    return this.podsOf(context, namespace);
  }

  /** The pod as last seen by the watch (if its namespace is watched). */
  podInfo(context: string, namespace: string, pod: string): PodInfo | undefined {
    return this.podsOf(context, namespace).find((p) => p.name === pod);
  }

  private podsOf(context: string, namespace: string): PodInfo[] {
    const w = this.podWatches.get(context + '\0' + namespace);
    return (w?.informer.list() ?? []).map((p) => toPodInfo(context, p)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private startWatch<T extends { metadata?: { name?: string } }>(
    context: string,
    kc: KubeConfig,
    path: string,
    list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
    emitList: () => void,
  ): Watched<T> {
    const informer = makeInformer<T & { metadata?: object }>(kc, path, list as never);
    let resolveReady!: () => void;
    const w: Watched<T> = {
      informer: informer as Watched<T>['informer'],
      ready: new Promise<void>((r) => (resolveReady = r)),
      stopped: false,
      backoffMs: 0,
    };
    const scheduleEmit = (): void => {
      if (w.emitTimer || w.stopped) return;
      w.emitTimer = setTimeout(() => {
        w.emitTimer = undefined;
        if (!w.stopped) emitList();
      }, EMIT_DELAY_MS);
    };
    informer.on('add', scheduleEmit);
    informer.on('update', scheduleEmit);
    informer.on('delete', scheduleEmit);
    informer.on('connect', () => {
      if (w.lastError) {
        w.lastError = undefined;
        void this.probe(context);
      }
    });
    informer.on('error', (err: unknown) => {
      if (w.stopped) return;
      const { reason } = describeApiError(err, this.serverOf(context));
      w.lastError = reason;
      resolveReady();
      // The server went away or refused us: say so on the cluster, keep retrying with backoff.
      void this.probe(context);
      w.backoffMs = Math.min(w.backoffMs ? w.backoffMs * 2 : 500, 10_000);
      w.retryTimer = setTimeout(() => {
        w.retryTimer = undefined;
        if (!w.stopped) void informer.start().then(resolveAfterList);
      }, w.backoffMs);
      w.retryTimer.unref();
    });
    const resolveAfterList = (): void => {
      if (!w.lastError) {
        w.backoffMs = 0;
        scheduleEmit();
      }
      resolveReady();
    };
    void informer.start().then(resolveAfterList, (err: unknown) => {
      w.lastError = describeApiError(err, this.serverOf(context)).reason;
      resolveReady();
    });
    return w;
  }

  private stopWatch(w: Watched<unknown>): void {
    w.stopped = true;
    clearTimeout(w.retryTimer);
    clearTimeout(w.emitTimer);
    void w.informer.stop();
  }

  /** Stops every watch (app quit, end of a test). */
  close(): void {
    this.closed = true;
    clearTimeout(this.reloadTimer);
    for (const [file, listener] of this.watchedFiles) unwatchFile(file, listener);
    this.watchedFiles.clear();
    for (const w of [...this.nsWatches.values(), ...this.podWatches.values()] as Watched<unknown>[]) this.stopWatch(w);
    this.nsWatches.clear();
    this.podWatches.clear();
    this.listeners.clear();
  }
}

export function toPodInfo(context: string, pod: V1Pod): PodInfo {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers: ContainerInfo[] = (pod.spec?.containers ?? []).map((c) => {
    const s = statuses.get(c.name);
    let state: ContainerInfo['state'] = 'unknown';
    let reason: string | undefined;
    if (s?.state?.running) state = 'running';
    else if (s?.state?.waiting) {
      state = 'waiting';
      reason = s.state.waiting.reason;
    } else if (s?.state?.terminated) {
      state = 'terminated';
      reason = s.state.terminated.reason;
    }
    const info: ContainerInfo = { name: c.name, image: c.image ?? '', state, ready: s?.ready ?? false };
    if (reason) info.reason = reason;
    return info;
  });
  const created = pod.metadata?.creationTimestamp;
  return {
    context,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    containers,
    created: created ? new Date(created as unknown as string).toISOString() : undefined,
  };
}
