/**
 * Every context of every loaded kubeconfig, each with its own status and its own watches.
 * Failures stay per cluster: a malformed file, an unreachable server or a 401 marks that entry only.
 * Credentials stay here; what leaves (ClusterInfo, PodInfo…) carries names and states only.
 *
 * This is the composition: the files come from kubeconfigs.ts (kubectl's rules) and are followed by
 * KubeconfigWatcher, statuses come from probeCluster, live lists from ClusterWatches.
 */
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { resolve } from 'node:path';
import type { ClusterInfo, ClusterStatus, KubeconfigProblem, NamespaceInfo, PodInfo } from '../../../common/contract/clusters.ts';
import type { SettingsStore } from '../settings/settings.ts';
import { probeCluster } from './clusterProbe.ts';
import { ClusterWatches, type ClustersEmit } from './clusterWatches.ts';
import { KubeconfigWatcher } from './kubeconfigWatcher.ts';
import { defaultKubeconfigFiles, kubeConfigOf, loadKubeconfigs, type LoadedContext } from './kubeconfigs.ts';

export type { ClustersEmit } from './clusterWatches.ts';

export interface ClusterRegistryOptions {
  /** `--kubeconfig FILE`: replaces KUBECONFIG and ~/.kube/config, as in kubectl. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where files added in the app are remembered (key `kubeconfigs`). */
  settings?: Pick<SettingsStore, 'get' | 'set'>;
  /** How long a status probe may take before the cluster counts as unreachable. */
  probeTimeoutMs?: number;
  /** How long a kubeconfig credential plugin may take (execPlugin.ts); keep it below probeTimeoutMs. */
  pluginTimeoutMs?: number;
  /** Poll interval (ms) for edits of the kubeconfig files; 0 turns it off. Default 2000. */
  watchFilesMs?: number;
}

type ClusterList = { clusters: ClusterInfo[]; problems: KubeconfigProblem[] };

const SETTINGS_KEY = 'kubeconfigs';

export class ClusterRegistry {
  private contexts = new Map<string, LoadedContext>();
  private problems: KubeconfigProblem[] = [];
  private current?: string;
  private statuses = new Map<string, ClusterStatus>();
  private kubeConfigs = new Map<string, KubeConfig>();
  private listeners = new Set<ClustersEmit>();
  private probeGen = new Map<string, number>();
  private closed = false;
  private readonly fileWatcher: KubeconfigWatcher;
  private readonly watches: ClusterWatches;

  constructor(private readonly opts: ClusterRegistryOptions = {}) {
    this.fileWatcher = new KubeconfigWatcher({ intervalMs: opts.watchFilesMs ?? 2000, onChange: () => this.changed() });
    this.watches = new ClusterWatches({
      kubeConfigFor: (c) => this.kubeConfigFor(c),
      serverOf: (c) => this.serverOf(c),
      recheck: (c) => void this.probe(c),
      emit: this.emit,
    });
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
    this.current = result.currentContext;
    for (const [name, old] of before) {
      const now = this.contexts.get(name);
      if (!now || JSON.stringify(now) !== JSON.stringify(old)) this.forget(name);
    }
    for (const name of this.contexts.keys()) if (!this.statuses.has(name)) this.probe(name);
    this.fileWatcher.follow([...base, ...added]);
  }

  private forget(context: string): void {
    this.kubeConfigs.delete(context);
    this.statuses.delete(context);
    this.watches.forget(context);
  }

  listClusters(): ClusterList {
    const clusters = [...this.contexts.values()].map((l) => ({
      context: l.context.name,
      cluster: l.context.cluster,
      source: l.source,
      defaultNamespace: l.context.namespace || 'default',
      status: this.statuses.get(l.context.name) ?? { state: 'connecting' as const },
    }));
    return { clusters, problems: [...this.problems] };
  }

  /** The current-context of the kubeconfig files as kubectl picks it (the first file that sets one). */
  currentContext(): string | undefined {
    return this.current;
  }

  addKubeconfig(path: string): ClusterList {
    if (typeof path !== 'string' || !path.trim()) throw new Error('addKubeconfig: give the path of a kubeconfig file');
    const file = resolve(path);
    const probe = loadKubeconfigs([file], new Set([file]));
    if (probe.problems.length) throw new Error(`${file}: ${probe.problems[0].reason}`);
    if (!this.opts.settings) throw new Error('no settings store: cannot remember added kubeconfigs');
    const added = this.addedFiles();
    if (!added.includes(file)) this.opts.settings.set(SETTINGS_KEY, [...added, file]);
    return this.changed();
  }

  removeKubeconfig(path: string): ClusterList {
    const file = resolve(path);
    const added = this.addedFiles();
    if (!added.includes(file)) throw new Error(`${file} was not added in the app (files from KUBECONFIG or ~/.kube/config are removed there)`);
    this.opts.settings?.set(SETTINGS_KEY, added.filter((f) => f !== file));
    return this.changed();
  }

  private changed(): ClusterList {
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
    kc = kubeConfigOf(loaded, this.opts.pluginTimeoutMs);
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
      return probeCluster(() => kc.makeApiClient(VersionApi).getCode(), { server: this.serverOf(context), timeoutMs: this.opts.probeTimeoutMs ?? 15_000 });
    };
    return run().then((status) => {
      // Only the latest probe of a context may set its status: an older, slower answer is stale.
      if (this.probeGen.get(context) === gen) this.setStatus(context, status);
      return status;
    });
  }

  /** Retries a cluster: probes it again and restarts its watches now. */
  async reconnectCluster(context: string): Promise<void> {
    if (!this.contexts.has(context)) throw new Error(`unknown context "${context}"`);
    this.watches.retry(context);
    await this.probe(context);
  }

  /** The namespaces of a context, kept live by a watch (`clusters.namespaces` events). */
  listNamespaces(context: string): Promise<NamespaceInfo[]> {
    return this.watches.listNamespaces(context);
  }

  /** The pods of a namespace, kept live by a watch (`clusters.pods` events). */
  listPods(context: string, namespace: string): Promise<PodInfo[]> {
    return this.watches.listPods(context, namespace);
  }

  /** The pod as last seen by the watch (if its namespace is watched). */
  podInfo(context: string, namespace: string, pod: string): PodInfo | undefined {
    return this.watches.podInfo(context, namespace, pod);
  }

  /** Stops every watch (app quit, end of a test). */
  close(): void {
    this.closed = true;
    this.fileWatcher.close();
    this.watches.close();
    this.listeners.clear();
  }
}
