/**
 * The rows of the sidebar's tree, flattened in display order (for rendering and keyboard navigation), from the
 * cluster store's state: clusters → namespaces → pods → containers, with notes for what is loading, empty or
 * failed, and a filter that shows every pod whose name (or namespace/name) matches. Pure functions of that
 * state, so the store derives them reactively and the tests call them with plain objects.
 */
import type { ClusterInfo, ContainerInfo, ContainerRef, NamespaceInfo, PodInfo } from '../../../common/contract/index.ts';

export type TreeRow =
  | { kind: 'cluster'; key: string; depth: 0; cluster: ClusterInfo; expanded: boolean }
  | { kind: 'namespace'; key: string; depth: 1; context: string; namespace: string; expanded: boolean; loading: boolean; error?: string; count?: number }
  | { kind: 'pod'; key: string; depth: 2; pod: PodInfo; expanded: boolean }
  /** `ephemeral`: a debug container added to the running pod (container.target is the one it sees). */
  | { kind: 'container'; key: string; depth: 3; pod: PodInfo; container: ContainerInfo & { target?: string }; ephemeral?: true }
  /** A placeholder line: loading, empty, or an error, under a cluster or namespace. */
  | { kind: 'note'; key: string; depth: number; text: string; tone: 'muted' | 'error' };

/** What the rows are made from (the cluster store's state). */
export interface TreeInput {
  clusters: ClusterInfo[];
  /** By context. */
  namespaces: Record<string, NamespaceInfo[]>;
  namespaceErrors: Record<string, string>;
  /** By podsKey(context, namespace). */
  pods: Record<string, PodInfo[]>;
  podErrors: Record<string, string>;
  /** Row keys currently loading. */
  loading: Record<string, boolean>;
  /** Row keys expanded. */
  expanded: Record<string, boolean>;
  filter: string;
}

const SEP = '\u0000';
export const clusterKey = (context: string) => `c${SEP}${context}`;
export const namespaceKey = (context: string, namespace: string) => `n${SEP}${context}${SEP}${namespace}`;
export const podKey = (context: string, namespace: string, pod: string) => `p${SEP}${context}${SEP}${namespace}${SEP}${pod}`;
const containerKey = (pod: PodInfo, container: string) => `k${SEP}${pod.context}${SEP}${pod.namespace}${SEP}${pod.name}${SEP}${container}`;
/** Where a namespace's pods are kept in TreeInput.pods. */
export const podsKey = (context: string, namespace: string) => `${context}${SEP}${namespace}`;

/** A row key as an element id (the separator is not allowed in one). */
export const rowId = (key: string) => `row-${key.replaceAll(SEP, '-')}`;

/** The container a pod opens into: the first running one, else the first. */
export function defaultContainer(pod: PodInfo): string | undefined {
  return (pod.containers.find((c) => c.state === 'running') ?? pod.containers[0])?.name;
}

/** Where a row opens a terminal: a container, or a pod's default container; nothing for the other rows. */
export function terminalTarget(row: TreeRow): ContainerRef | undefined {
  if (row.kind === 'container') return { context: row.pod.context, namespace: row.pod.namespace, pod: row.pod.name, container: row.container.name };
  if (row.kind === 'pod') {
    const container = defaultContainer(row.pod);
    if (container) return { context: row.pod.context, namespace: row.pod.namespace, pod: row.pod.name, container };
  }
  return undefined;
}

export function treeRows(t: TreeInput): TreeRow[] {
  const q = t.filter.trim().toLowerCase();
  const rows: TreeRow[] = [];
  for (const cluster of t.clusters) {
    if (q) filteredCluster(t, cluster, q, rows);
    else openCluster(t, cluster, rows);
  }
  return rows;
}

/** With a filter, everything that holds a match is shown open; a matching cluster or namespace shows all its pods. */
function filteredCluster(t: TreeInput, cluster: ClusterInfo, q: string, rows: TreeRow[]): void {
  const ctx = cluster.context;
  const clusterMatches = ctx.toLowerCase().includes(q);
  const nsRows: TreeRow[] = [];
  for (const ns of t.namespaces[ctx] ?? []) {
    const pods = t.pods[podsKey(ctx, ns.name)] ?? [];
    const nsMatches = ns.name.toLowerCase().includes(q);
    const matched = pods.filter((p) => p.name.toLowerCase().includes(q) || `${ns.name}/${p.name}`.toLowerCase().includes(q));
    const shown = nsMatches || clusterMatches ? pods : matched;
    if (!shown.length && !nsMatches) continue;
    const nKey = namespaceKey(ctx, ns.name);
    nsRows.push({ kind: 'namespace', key: nKey, depth: 1, context: ctx, namespace: ns.name, expanded: true, loading: !!t.loading[nKey], count: shown.length });
    for (const pod of shown) pushPod(t, nsRows, pod);
  }
  if (!nsRows.length && !clusterMatches) return;
  rows.push({ kind: 'cluster', key: clusterKey(ctx), depth: 0, cluster, expanded: true });
  rows.push(...nsRows);
}

/** Without a filter, what the user expanded, with a note where a level is loading, empty or failed. */
function openCluster(t: TreeInput, cluster: ClusterInfo, rows: TreeRow[]): void {
  const ctx = cluster.context;
  const cKey = clusterKey(ctx);
  const cOpen = !!t.expanded[cKey];
  rows.push({ kind: 'cluster', key: cKey, depth: 0, cluster, expanded: cOpen });
  if (!cOpen) return;
  const nss = t.namespaces[ctx];
  const nsErr = t.namespaceErrors[ctx];
  if (!nss) {
    // A cluster in error says why on its own row; no note under it.
    if (nsErr && cluster.status.state !== 'error') rows.push({ kind: 'note', key: `${cKey}${SEP}err`, depth: 1, text: nsErr, tone: 'error' });
    else if (cluster.status.state !== 'error') rows.push({ kind: 'note', key: `${cKey}${SEP}loading`, depth: 1, text: 'Loading namespaces…', tone: 'muted' });
    return;
  }
  if (!nss.length) rows.push({ kind: 'note', key: `${cKey}${SEP}empty`, depth: 1, text: 'No namespaces', tone: 'muted' });
  for (const ns of nss) {
    const nKey = namespaceKey(ctx, ns.name);
    const nOpen = !!t.expanded[nKey];
    const pods = t.pods[podsKey(ctx, ns.name)];
    const err = t.podErrors[podsKey(ctx, ns.name)];
    rows.push({ kind: 'namespace', key: nKey, depth: 1, context: ctx, namespace: ns.name, expanded: nOpen, loading: !!t.loading[nKey], error: err, count: pods?.length });
    if (!nOpen) continue;
    if (err && !pods) rows.push({ kind: 'note', key: `${nKey}${SEP}err`, depth: 2, text: err, tone: 'error' });
    else if (!pods) rows.push({ kind: 'note', key: `${nKey}${SEP}loading`, depth: 2, text: 'Loading pods…', tone: 'muted' });
    else if (!pods.length) rows.push({ kind: 'note', key: `${nKey}${SEP}empty`, depth: 2, text: 'No pods', tone: 'muted' });
    else for (const pod of pods) pushPod(t, rows, pod);
  }
}

function pushPod(t: TreeInput, rows: TreeRow[], pod: PodInfo): void {
  const pKey = podKey(pod.context, pod.namespace, pod.name);
  const open = !!t.expanded[pKey];
  rows.push({ kind: 'pod', key: pKey, depth: 2, pod, expanded: open });
  if (!open) return;
  for (const c of pod.containers) rows.push({ kind: 'container', key: containerKey(pod, c.name), depth: 3, pod, container: c });
  // Names are unique across a pod's containers of every kind, so the keys cannot collide.
  for (const c of pod.ephemeralContainers ?? []) rows.push({ kind: 'container', key: containerKey(pod, c.name), depth: 3, pod, container: c, ephemeral: true });
}

export type Tone = 'ok' | 'warn' | 'error' | 'muted';

/**
 * The tree filter's placeholder. It names a number of pods only when it knows every pod of every connected
 * cluster: pods are loaded per namespace as namespaces are opened, and a count of the loaded ones read
 * "12 pods" where the clusters had 14. Until then it says how many namespaces the filter searches (all of
 * them: filtering loads the rest).
 */
export function filterPlaceholder(t: Pick<TreeInput, 'clusters' | 'namespaces' | 'pods'>): string {
  let pods = 0;
  let namespaces = 0;
  let complete = true;
  for (const c of t.clusters) {
    if (c.status.state !== 'connected') continue;
    const nss = t.namespaces[c.context];
    if (!nss) {
      complete = false;
      continue;
    }
    namespaces += nss.length;
    for (const ns of nss) {
      const list = t.pods[podsKey(c.context, ns.name)];
      if (list) pods += list.length;
      else complete = false;
    }
  }
  if (complete && pods) return `Filter ${pods} ${pods === 1 ? 'pod' : 'pods'}…`;
  if (namespaces) return `Filter pods in ${namespaces} ${namespaces === 1 ? 'namespace' : 'namespaces'}…`;
  return 'Filter pods…';
}

/**
 * A pod's phase or a container's state as the tree shows it: capitalised alike ("Running" for both, as
 * Kubernetes writes phases); a container's reason (CrashLoopBackOff, Completed) is shown as written.
 */
export function stateLabel(state: string): string {
  return state ? state[0].toUpperCase() + state.slice(1) : state;
}

/** A pod's colour: running with every container ready (or running), pending or not ready, failed, the rest. */
export function podTone(pod: PodInfo): Tone {
  const p = pod.phase.toLowerCase();
  if (p === 'running') return pod.containers.every((c) => c.ready || c.state === 'running') ? 'ok' : 'warn';
  if (p === 'pending') return 'warn';
  if (p === 'failed') return 'error';
  return 'muted';
}

export function containerTone(c: ContainerInfo): Tone {
  return c.state === 'running' ? 'ok' : c.state === 'terminated' ? 'muted' : 'warn';
}

/** Splits a name around the first match of the filter, to mark it. */
export function matchParts(text: string, filter: string): { pre: string; hit: string; post: string } {
  const q = filter.trim().toLowerCase();
  const at = q ? text.toLowerCase().indexOf(q) : -1;
  if (at < 0) return { pre: text, hit: '', post: '' };
  return { pre: text.slice(0, at), hit: text.slice(at, at + q.length), post: text.slice(at + q.length) };
}
