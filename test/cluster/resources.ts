// The cluster's objects (namespaces and pods as the API server serves them) and its event log. Every change goes
// through record(), which stamps a resourceVersion and keeps a snapshot, so lists, watches from a resourceVersion
// and "too old" (410) answers all read one history, as on a real API server.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IMAGE_NAMES, type ImageKind } from './images.ts';

export interface TestContainerSpec {
  name: string;
  /** Which fixture image the container runs: full (bash, coreutils, GNU tar…), busybox, notar, distroless. */
  image?: ImageKind;
  /**
   * The container's main process (argv, run in the container as its PID namespace's child of /pause); what it writes
   * is the container log (pods/log). It is restarted when it exits, as with restartPolicy Always. Without one the
   * container runs only /pause and its log stays empty.
   */
  command?: string[];
  /** Declared ports, as in a real spec (containers[].ports): what a UI offers to port-forward. */
  ports?: { containerPort: number; name?: string; protocol?: 'TCP' | 'UDP' }[];
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
  /** The controller that owns the pod (metadata.ownerReferences), e.g. { kind: 'ReplicaSet', name: 'web-5d9c7b' }. */
  owner?: { kind: string; name: string };
}

export type K8sObject = Record<string, unknown> & { metadata: Record<string, unknown> };
export type Resource = 'pods' | 'namespaces';

export interface PodRecord {
  object: K8sObject;
  /** Container name → host path of its root filesystem. */
  roots: Map<string, string>;
}

export interface WatchEvent {
  rv: number;
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8sObject;
}

export const containersOf = (spec: TestPodSpec): TestContainerSpec[] => spec.containers ?? [{ name: 'main', image: spec.image ?? 'full' }];
export const isRunning = (spec: TestPodSpec): boolean => (spec.phase ?? 'Running') === 'Running';

export class ResourceStore {
  readonly namespaces = new Map<string, K8sObject>();
  /** Keyed namespace/name. */
  readonly pods = new Map<string, PodRecord>();
  readonly events: WatchEvent[] = [];
  rv = 1000;

  /** `publish` gets every event as it is recorded (the watch hub). */
  constructor(private readonly publish: (ev: WatchEvent) => void) {}

  /** The current objects of a resource, in insertion order. */
  current(resource: Resource): K8sObject[] {
    return resource === 'pods' ? [...this.pods.values()].map((x) => x.object) : [...this.namespaces.values()];
  }

  record(resource: Resource, type: WatchEvent['type'], object: K8sObject): void {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    const ev: WatchEvent = { rv: this.rv, resource, type, object: structuredClone(object) };
    this.events.push(ev);
    this.publish(ev);
  }
}

export function namespaceObject(name: string): K8sObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, uid: randomUUID(), resourceVersion: '', creationTimestamp: new Date().toISOString(),
      labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** A Pod as a kubelet reports it: Running with ready containers on the node, or Pending and unschedulable. */
export function podObject(namespace: string, spec: TestPodSpec, where: { ip: string; nodeName: string }): K8sObject {
  const containers = containersOf(spec);
  const now = new Date().toISOString();
  const running = isRunning(spec);
  const { ip } = where;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: spec.name, namespace, uid: randomUUID(), resourceVersion: '', creationTimestamp: now,
      labels: spec.labels ?? { app: spec.name },
      ...(spec.owner ? { ownerReferences: [{ apiVersion: spec.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1', kind: spec.owner.kind,
        name: spec.owner.name, uid: ownerUid(namespace, spec.owner), controller: true, blockOwnerDeletion: true }] } : {}) },
    spec: {
      containers: containers.map((c) => ({ name: c.name, image: IMAGE_NAMES[c.image ?? 'full'], imagePullPolicy: 'IfNotPresent',
        ...(c.command ? { command: [...c.command] } : {}),
        ...(c.ports ? { ports: c.ports.map((p) => ({ protocol: 'TCP', ...p })) } : {}),
        resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' })),
      restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
      // The API server always defaults it; kubectl debug 1.33 reads it without a nil check.
      securityContext: {},
      ...(running ? { nodeName: where.nodeName } : {}),
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
}

/** The same uid for every pod of one owner (a controller's pods all name its uid). */
function ownerUid(namespace: string, owner: { kind: string; name: string }): string {
  const h = createHash('sha256').update(`${namespace}/${owner.kind}/${owner.name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
