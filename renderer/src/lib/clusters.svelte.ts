/**
 * The sidebar's model: clusters → namespaces → pods → containers, kept live by the clusters.* events,
 * with a filter and the rows the tree shows (flattened, for keyboard navigation).
 */
import type { ClusterInfo, ContainerInfo, KubeconfigProblem, NamespaceInfo, PodInfo } from '../../../common/contract/index.ts';
import { api, connection } from './api.ts';

export type TreeRow =
  | { kind: 'cluster'; key: string; depth: 0; cluster: ClusterInfo; expanded: boolean }
  | { kind: 'namespace'; key: string; depth: 1; context: string; namespace: string; expanded: boolean; loading: boolean; error?: string; count?: number }
  | { kind: 'pod'; key: string; depth: 2; pod: PodInfo; expanded: boolean }
  | { kind: 'container'; key: string; depth: 3; pod: PodInfo; container: ContainerInfo }
  /** A placeholder line: loading, empty, or an error, under a cluster or namespace. */
  | { kind: 'note'; key: string; depth: number; text: string; tone: 'muted' | 'error' };

const SEP = '\u0000';
export const clusterKey = (context: string) => `c${SEP}${context}`;
export const namespaceKey = (context: string, namespace: string) => `n${SEP}${context}${SEP}${namespace}`;
export const podKey = (context: string, namespace: string, pod: string) => `p${SEP}${context}${SEP}${namespace}${SEP}${pod}`;
const containerKey = (pod: PodInfo, container: string) => `k${SEP}${pod.context}${SEP}${pod.namespace}${SEP}${pod.name}${SEP}${container}`;
const podsKey = (context: string, namespace: string) => `${context}${SEP}${namespace}`;

/** Clusters at most this many are expanded (with their default namespace) on first load. */
const AUTO_EXPAND_CLUSTERS = 5;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The container a pod opens into: the first running one, else the first. */
export function defaultContainer(pod: PodInfo): string | undefined {
  return (pod.containers.find((c) => c.state === 'running') ?? pod.containers[0])?.name;
}

class ClusterTree {
  clusters = $state<ClusterInfo[]>([]);
  problems = $state<KubeconfigProblem[]>([]);
  /** Set when listClusters itself failed. */
  loadError = $state<string | undefined>();
  loaded = $state(false);
  namespaces = $state<Record<string, NamespaceInfo[]>>({});
  namespaceErrors = $state<Record<string, string>>({});
  pods = $state<Record<string, PodInfo[]>>({});
  podErrors = $state<Record<string, string>>({});
  /** Node keys currently loading. */
  loading = $state<Record<string, boolean>>({});
  expanded = $state<Record<string, boolean>>({});
  filter = $state('');
  /** True while serve mode's connection is down: what the tree shows may be stale. */
  offline = $state(false);
  /** The key of the row with keyboard focus. */
  selected = $state<string | undefined>();

  private started = false;
  private autoExpanded = new Set<string>();

  /** Subscribes to events and loads the cluster list; called once by the tree component. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.on('clusters.changed', ({ clusters, problems }) => {
      this.clusters = clusters;
      this.problems = problems;
      this.autoExpand();
    });
    api.on('clusters.status', ({ context, status }) => {
      const c = this.clusters.find((x) => x.context === context);
      if (!c) return;
      const wasConnected = c.status.state === 'connected';
      c.status = status;
      // Coming back from an error: reload what is open, the watches behind it may be new.
      if (status.state === 'connected' && !wasConnected) this.refreshCluster(context);
    });
    api.on('clusters.namespaces', ({ context, namespaces }) => {
      this.namespaces[context] = namespaces;
      delete this.namespaceErrors[context];
    });
    api.on('clusters.pods', ({ context, namespace, pods }) => {
      this.pods[podsKey(context, namespace)] = pods;
      delete this.podErrors[podsKey(context, namespace)];
    });
    connection.onChange((s, reconnected) => {
      this.offline = s.state === 'reconnecting';
      // The server forgot this page's watches when the socket dropped: load everything again.
      if (s.state === 'connected' && reconnected) void this.reload();
    });
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      const { clusters, problems } = await api.listClusters();
      this.clusters = clusters;
      this.problems = problems;
      this.loadError = undefined;
    } catch (err) {
      this.loadError = errorMessage(err);
    }
    this.loaded = true;
    this.autoExpand();
    for (const c of this.clusters) this.refreshCluster(c.context);
  }

  private autoExpand(): void {
    if (this.clusters.length > AUTO_EXPAND_CLUSTERS) return;
    for (const c of this.clusters) {
      if (this.autoExpanded.has(c.context)) continue;
      this.autoExpanded.add(c.context);
      this.expanded[clusterKey(c.context)] = true;
      this.expanded[namespaceKey(c.context, c.defaultNamespace || 'default')] = true;
      void this.loadNamespaces(c.context);
      void this.loadPods(c.context, c.defaultNamespace || 'default');
    }
  }

  /** Reloads the open parts of one cluster. */
  refreshCluster(context: string): void {
    if (!this.expanded[clusterKey(context)]) return;
    void this.loadNamespaces(context);
    for (const ns of this.namespaces[context] ?? []) {
      if (this.expanded[namespaceKey(context, ns.name)]) void this.loadPods(context, ns.name);
    }
  }

  async loadNamespaces(context: string): Promise<void> {
    const key = clusterKey(context);
    this.loading[key] = true;
    try {
      this.namespaces[context] = await api.listNamespaces(context);
      delete this.namespaceErrors[context];
    } catch (err) {
      this.namespaceErrors[context] = errorMessage(err);
    } finally {
      delete this.loading[key];
    }
  }

  async loadPods(context: string, namespace: string): Promise<void> {
    const key = namespaceKey(context, namespace);
    this.loading[key] = true;
    try {
      this.pods[podsKey(context, namespace)] = await api.listPods(context, namespace);
      delete this.podErrors[podsKey(context, namespace)];
    } catch (err) {
      this.podErrors[podsKey(context, namespace)] = errorMessage(err);
    } finally {
      delete this.loading[key];
    }
  }

  toggle(row: TreeRow, open?: boolean): void {
    if (row.kind === 'note' || row.kind === 'container') return;
    const next = open ?? !row.expanded;
    this.expanded[row.key] = next;
    if (!next) return;
    if (row.kind === 'cluster') void this.loadNamespaces(row.cluster.context);
    if (row.kind === 'namespace') void this.loadPods(row.context, row.namespace);
  }

  /** Adds a kubeconfig file (a path on the machine Kubedeck runs on); throws a readable error if it can't. */
  async addKubeconfig(path: string): Promise<void> {
    const { clusters, problems } = await api.addKubeconfig(path.trim());
    this.clusters = clusters;
    this.problems = problems;
    this.autoExpand();
  }

  async retryCluster(context: string): Promise<void> {
    try {
      await api.reconnectCluster(context);
    } catch (err) {
      const c = this.clusters.find((x) => x.context === context);
      if (c) c.status = { state: 'error', reason: errorMessage(err) };
    }
  }

  private filterLoads = new Set<string>();

  /** With a filter typed, pods of every namespace of every connected cluster are needed to find a match. */
  loadAllForFilter(): void {
    for (const c of this.clusters) {
      if (c.status.state !== 'connected') continue;
      const nss = this.namespaces[c.context];
      if (!nss) {
        if (!this.filterLoads.has(c.context)) {
          this.filterLoads.add(c.context);
          void this.loadNamespaces(c.context).then(() => this.loadAllForFilter());
        }
        continue;
      }
      for (const ns of nss) {
        const k = podsKey(c.context, ns.name);
        if (this.pods[k] || this.filterLoads.has(k)) continue;
        this.filterLoads.add(k);
        void this.loadPods(c.context, ns.name);
      }
    }
  }

  /** The rows the tree shows, in order. */
  rows = $derived.by(() => this.computeRows());

  private computeRows(): TreeRow[] {
    const q = this.filter.trim().toLowerCase();
    const rows: TreeRow[] = [];
    for (const cluster of this.clusters) {
      const ctx = cluster.context;
      const cKey = clusterKey(ctx);
      if (q) {
        const clusterMatches = ctx.toLowerCase().includes(q);
        const nsRows: TreeRow[] = [];
        for (const ns of this.namespaces[ctx] ?? []) {
          const pods = this.pods[podsKey(ctx, ns.name)] ?? [];
          const nsMatches = ns.name.toLowerCase().includes(q);
          const matched = pods.filter((p) => p.name.toLowerCase().includes(q) || `${ns.name}/${p.name}`.toLowerCase().includes(q));
          const shown = nsMatches || clusterMatches ? pods : matched;
          if (!shown.length && !nsMatches) continue;
          const nKey = namespaceKey(ctx, ns.name);
          nsRows.push({ kind: 'namespace', key: nKey, depth: 1, context: ctx, namespace: ns.name, expanded: true, loading: !!this.loading[nKey], count: shown.length });
          for (const pod of shown) this.pushPod(nsRows, pod);
        }
        if (!nsRows.length && !clusterMatches) continue;
        rows.push({ kind: 'cluster', key: cKey, depth: 0, cluster, expanded: true });
        rows.push(...nsRows);
        continue;
      }
      const cOpen = !!this.expanded[cKey];
      rows.push({ kind: 'cluster', key: cKey, depth: 0, cluster, expanded: cOpen });
      if (!cOpen) continue;
      const nss = this.namespaces[ctx];
      const nsErr = this.namespaceErrors[ctx];
      if (!nss) {
        if (nsErr && cluster.status.state !== 'error') rows.push({ kind: 'note', key: `${cKey}${SEP}err`, depth: 1, text: nsErr, tone: 'error' });
        else if (cluster.status.state !== 'error') rows.push({ kind: 'note', key: `${cKey}${SEP}loading`, depth: 1, text: 'Loading namespaces…', tone: 'muted' });
        continue;
      }
      if (!nss.length) rows.push({ kind: 'note', key: `${cKey}${SEP}empty`, depth: 1, text: 'No namespaces', tone: 'muted' });
      for (const ns of nss) {
        const nKey = namespaceKey(ctx, ns.name);
        const nOpen = !!this.expanded[nKey];
        const pods = this.pods[podsKey(ctx, ns.name)];
        const err = this.podErrors[podsKey(ctx, ns.name)];
        rows.push({ kind: 'namespace', key: nKey, depth: 1, context: ctx, namespace: ns.name, expanded: nOpen, loading: !!this.loading[nKey], error: err, count: pods?.length });
        if (!nOpen) continue;
        if (err && !pods) rows.push({ kind: 'note', key: `${nKey}${SEP}err`, depth: 2, text: err, tone: 'error' });
        else if (!pods) rows.push({ kind: 'note', key: `${nKey}${SEP}loading`, depth: 2, text: 'Loading pods…', tone: 'muted' });
        else if (!pods.length) rows.push({ kind: 'note', key: `${nKey}${SEP}empty`, depth: 2, text: 'No pods', tone: 'muted' });
        else for (const pod of pods) this.pushPod(rows, pod);
      }
    }
    return rows;
  }

  private pushPod(rows: TreeRow[], pod: PodInfo): void {
    const pKey = podKey(pod.context, pod.namespace, pod.name);
    const open = !!this.expanded[pKey];
    rows.push({ kind: 'pod', key: pKey, depth: 2, pod, expanded: open });
    if (open) for (const c of pod.containers) rows.push({ kind: 'container', key: containerKey(pod, c.name), depth: 3, pod, container: c });
  }
}

export const clusterTree = new ClusterTree();
