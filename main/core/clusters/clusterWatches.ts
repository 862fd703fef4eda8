/**
 * The live namespace and pod lists of every context: one ResourceWatch per context (namespaces) and
 * per context and namespace (pods), started on first use and kept until the context changes or the
 * registry closes. What it needs of the registry (a KubeConfig, a re-probe, the event stream) is passed in.
 */
import { CoreV1Api, makeInformer, type KubeConfig, type KubernetesObject, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import type { ClustersEvents, NamespaceInfo, PodInfo } from '../../../common/contract/clusters.ts';
import { describeApiError } from '../kube/apiErrors.ts';
import { toPodInfo } from './podInfo.ts';
import { ResourceWatch, type ResourceWatchDeps } from './resourceWatch.ts';

export type ClustersEmit = <E extends keyof ClustersEvents>(name: E, payload: ClustersEvents[E]) => void;

export interface ClusterWatchesDeps {
  kubeConfigFor(context: string): KubeConfig;
  /** The server of a context, for error sentences. */
  serverOf(context: string): string | undefined;
  /** A watch of this context failed or recovered: probe its status again. */
  recheck(context: string): void;
  emit: ClustersEmit;
  /** Builds the informer (tests pass a fake); default: client-node's makeInformer. */
  makeInformer?: <T extends KubernetesObject>(kc: KubeConfig, path: string, list: () => Promise<{ items: T[] }>) => ResourceWatchDeps<T>['informer'];
}

export class ClusterWatches {
  private readonly namespaceWatches = new Map<string, ResourceWatch<V1Namespace>>();
  private readonly podWatches = new Map<string, ResourceWatch<V1Pod>>();

  constructor(private readonly deps: ClusterWatchesDeps) {}

  /** The namespaces of a context, kept live by a watch (`clusters.namespaces` events). */
  async listNamespaces(context: string): Promise<NamespaceInfo[]> {
    const kc = this.deps.kubeConfigFor(context);
    let w = this.namespaceWatches.get(context);
    if (!w) {
      const api = kc.makeApiClient(CoreV1Api);
      w = this.start<V1Namespace>(context, kc, '/api/v1/namespaces', () => api.listNamespace(), () =>
        this.deps.emit('clusters.namespaces', { context, namespaces: this.namespacesOf(context) }),
      );
      this.namespaceWatches.set(context, w);
    }
    await w.ready;
    if (w.lastError && w.list().length === 0) throw new Error(`${context}: ${w.lastError}`);
    return this.namespacesOf(context);
  }

  /** The pods of a namespace, kept live by a watch (`clusters.pods` events). */
  async listPods(context: string, namespace: string): Promise<PodInfo[]> {
    if (typeof namespace !== 'string' || !namespace) throw new Error('listPods: namespace is required');
    const kc = this.deps.kubeConfigFor(context);
    const key = podKey(context, namespace);
    let w = this.podWatches.get(key);
    if (!w) {
      const api = kc.makeApiClient(CoreV1Api);
      w = this.start<V1Pod>(context, kc, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, () => api.listNamespacedPod({ namespace }), () =>
        this.deps.emit('clusters.pods', { context, namespace, pods: this.podsOf(context, namespace) }),
      );
      this.podWatches.set(key, w);
    }
    await w.ready;
    if (w.lastError && w.list().length === 0) throw new Error(`${context}/${namespace}: ${w.lastError}`);
    return this.podsOf(context, namespace);
  }

  /** The pod as last seen by the watch (if its namespace is watched). */
  podInfo(context: string, namespace: string, pod: string): PodInfo | undefined {
    return this.podsOf(context, namespace).find((p) => p.name === pod);
  }

  /** Retries the failed watches of a context now. */
  retry(context: string): void {
    for (const [, w] of this.watchesOf(context)) w.retryNow();
  }

  /** Stops the watches of a context (it changed or went away). */
  forget(context: string): void {
    for (const [key, w] of this.watchesOf(context)) {
      w.stop();
      this.namespaceWatches.delete(key);
      this.podWatches.delete(key);
    }
  }

  close(): void {
    for (const w of [...this.namespaceWatches.values(), ...this.podWatches.values()]) w.stop();
    this.namespaceWatches.clear();
    this.podWatches.clear();
  }

  private watchesOf(context: string): [string, ResourceWatch<KubernetesObject>][] {
    return ([...this.namespaceWatches, ...this.podWatches] as [string, ResourceWatch<KubernetesObject>][]).filter(
      ([key]) => key === context || key.startsWith(podKey(context, '')),
    );
  }

  private namespacesOf(context: string): NamespaceInfo[] {
    return (this.namespaceWatches.get(context)?.list() ?? [])
      .map((ns) => ({ context, name: ns.metadata?.name ?? '', phase: ns.status?.phase }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private podsOf(context: string, namespace: string): PodInfo[] {
    return (this.podWatches.get(podKey(context, namespace))?.list() ?? []).map((p) => toPodInfo(context, p)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private start<T extends KubernetesObject>(context: string, kc: KubeConfig, path: string, list: () => Promise<{ items: T[] }>, onList: () => void): ResourceWatch<T> {
    const make = this.deps.makeInformer ?? ((k, p, l) => makeInformer(k, p, l as never));
    return new ResourceWatch<T>({
      informer: make<T>(kc, path, list),
      onList,
      recheck: () => this.deps.recheck(context),
      describe: (err) => describeApiError(err, this.deps.serverOf(context)).reason,
    });
  }
}

/** Pod watches are keyed by context and namespace; a NUL cannot occur in either name. */
function podKey(context: string, namespace: string): string {
  return context + '\0' + namespace;
}
