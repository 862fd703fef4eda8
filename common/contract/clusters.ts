/** Clusters, contexts, namespaces and pods as the renderer sees them: names and states, never credentials. */

/** Connection state of one kubeconfig context. Each cluster fails on its own. */
export type ClusterStatus =
  | { state: 'connecting' }
  | { state: 'connected'; serverVersion?: string }
  /** `reason` is a sentence a user can act on ("401 Unauthorized: the token was rejected"). */
  | { state: 'error'; reason: string; code?: number };

/** One kubeconfig context: an entry in the sidebar tree. */
export interface ClusterInfo {
  /** The context name; unique across all loaded kubeconfigs (first file wins, as in kubectl). */
  context: string;
  /** The cluster name the context points to. */
  cluster: string;
  /** The kubeconfig file this context came from (a path on the main side; shown, never read, by the renderer). */
  source: string;
  /** The namespace the context defaults to. */
  defaultNamespace: string;
  status: ClusterStatus;
}

/** A kubeconfig file that failed to load, with the reason. Its contexts are absent; nothing else is affected. */
export interface KubeconfigProblem {
  source: string;
  reason: string;
}

export interface ContainerInfo {
  name: string;
  image: string;
  /** running, waiting (with reason) or terminated, as in the pod's containerStatuses. */
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  /** The waiting or terminated state's message (an image pull error, say), when the pod has one. */
  message?: string;
  ready: boolean;
  /** The spec's declared ports (containers[].ports), when it has any: what the port-forward dialog offers. */
  ports?: { containerPort: number; name?: string; protocol?: string }[];
}

/** An ephemeral container (a debug container added to a running pod), with the container it targets. */
export interface EphemeralContainerInfo extends ContainerInfo {
  /** targetContainerName: the container whose processes it sees; absent when it has none. */
  target?: string;
}

export interface PodInfo {
  context: string;
  namespace: string;
  name: string;
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  containers: ContainerInfo[];
  /** Ephemeral containers (`kubectl debug`, Kubedeck's debug containers), in the order they were added. */
  ephemeralContainers?: EphemeralContainerInfo[];
  /** ISO 8601 creation time. */
  created?: string;
  /**
   * The workload the pod belongs to, from its controller ownerReference: a ReplicaSet's pod (with the
   * ReplicaSet's pod-template-hash) is its Deployment's; other controllers (StatefulSet, DaemonSet, Job…) as named.
   * Absent for a bare pod. Pods with the same workload are what a workload log tab follows.
   */
  workload?: WorkloadRef;
}

export interface WorkloadRef {
  kind: string;
  name: string;
}

export interface NamespaceInfo {
  context: string;
  name: string;
  phase?: string;
}

export interface ClustersMethods {
  /** Every context of every loaded kubeconfig, and the files that failed to load. */
  listClusters(): Promise<{ clusters: ClusterInfo[]; problems: KubeconfigProblem[] }>;
  /**
   * Adds a kubeconfig file (remembered in settings) and returns the new state of the list.
   * Throws "<file>: <reason>" for a file that is missing or not a kubeconfig; nothing is added then.
   */
  addKubeconfig(path: string): Promise<{ clusters: ClusterInfo[]; problems: KubeconfigProblem[] }>;
  /** Forgets a kubeconfig file that was added in the app (files from KUBECONFIG or ~/.kube/config are refused). */
  removeKubeconfig(path: string): Promise<{ clusters: ClusterInfo[]; problems: KubeconfigProblem[] }>;
  /**
   * Namespaces of a context; starts a watch that keeps them live (see `clusters.namespaces`) and
   * reconnects after a drop. Throws with the cluster's reason (401, unreachable…) when it can't list.
   */
  listNamespaces(context: string): Promise<NamespaceInfo[]>;
  /** Pods of a namespace of a context; starts a watch that keeps them live (see `clusters.pods`). Throws like listNamespaces. */
  listPods(context: string, namespace: string): Promise<PodInfo[]>;
  /** Retries a cluster in the error state now: probes it again and restarts its watches. */
  reconnectCluster(context: string): Promise<void>;
}

export interface ClustersEvents {
  /** A cluster's status changed. */
  'clusters.status': { context: string; status: ClusterStatus };
  /** The list of contexts changed (a kubeconfig was added, removed or edited). */
  'clusters.changed': { clusters: ClusterInfo[]; problems: KubeconfigProblem[] };
  /** The full, current namespace list of a context. */
  'clusters.namespaces': { context: string; namespaces: NamespaceInfo[] };
  /** The full, current pod list of a namespace. */
  'clusters.pods': { context: string; namespace: string; pods: PodInfo[] };
}

export const CLUSTERS_METHODS: Record<keyof ClustersMethods, true> = {
  listClusters: true,
  addKubeconfig: true,
  removeKubeconfig: true,
  listNamespaces: true,
  listPods: true,
  reconnectCluster: true,
};
