/**
 * The sidebar's model: clusters → namespaces → pods → containers, kept live by the clusters.* events,
 * with a filter and the rows the tree shows (flattened, for keyboard navigation; built by clusterRows.ts).
 */
import type { ClusterInfo, KubeconfigProblem, NamespaceInfo, PodInfo } from '../../../common/contract/index.ts';
import { api, connection } from './api.ts';
import { clusterKey, namespaceKey, podsKey, treeRows, type TreeInput, type TreeRow } from './clusterRows.ts';

/** Clusters at most this many are expanded (with their default namespace) on first load. */
const AUTO_EXPAND_CLUSTERS = 5;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class ClusterTree implements TreeInput {
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

  /** The rows the tree shows, in order (clusterRows.ts). */
  rows = $derived.by(() => treeRows(this));
}

export const clusterTree = new ClusterTree();
