/**
 * What the renderer learns about a pod: names and states from the pod object, nothing else.
 * A pure mapping, apart from the watches that feed it, so it is easy to read and to test.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ContainerInfo, EphemeralContainerInfo, PodInfo, WorkloadRef } from '../../../common/contract/clusters.ts';

function containerInfo(c: { name: string; image?: string; ports?: { containerPort: number; name?: string; protocol?: string }[] }, s: V1ContainerStatus | undefined): ContainerInfo {
  let state: ContainerInfo['state'] = 'unknown';
  let reason: string | undefined;
  let message: string | undefined;
  if (s?.state?.running) state = 'running';
  else if (s?.state?.waiting) {
    state = 'waiting';
    reason = s.state.waiting.reason;
    message = s.state.waiting.message;
  } else if (s?.state?.terminated) {
    state = 'terminated';
    reason = s.state.terminated.reason;
    message = s.state.terminated.message;
  }
  const info: ContainerInfo = { name: c.name, image: c.image ?? '', state, ready: s?.ready ?? false };
  if (reason) info.reason = reason;
  if (message) info.message = message;
  if (c.ports?.length) info.ports = c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) }));
  return info;
}

export function toPodInfo(context: string, pod: V1Pod): PodInfo {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers = (pod.spec?.containers ?? []).map((c) => containerInfo(c, statuses.get(c.name)));
  const ephStatuses = new Map((pod.status?.ephemeralContainerStatuses ?? []).map((s) => [s.name, s]));
  const ephemeral: EphemeralContainerInfo[] = (pod.spec?.ephemeralContainers ?? []).map((c) => {
    const info: EphemeralContainerInfo = containerInfo(c, ephStatuses.get(c.name));
    // The kubelet has not reported it yet: it is being created.
    if (!ephStatuses.has(c.name)) Object.assign(info, { state: 'waiting', reason: 'ContainerCreating' });
    if (c.targetContainerName) info.target = c.targetContainerName;
    return info;
  });
  const created = pod.metadata?.creationTimestamp;
  return {
    context,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    containers,
    ...(ephemeral.length ? { ephemeralContainers: ephemeral } : {}),
    created: created ? new Date(created as unknown as string).toISOString() : undefined,
    ...(workloadOf(pod) ? { workload: workloadOf(pod) } : {}),
  };
}

/**
 * The workload of a pod from its controller reference. A Deployment's ReplicaSet is named
 * `<deployment>-<pod-template-hash>` and its pods carry that hash as a label, so the Deployment is found without
 * reading the ReplicaSet (which needs the apps API and a get per pod); pods of two ReplicaSets of one Deployment
 * (a rollout) are then one workload, as `kubectl logs deployment/x` would want.
 */
export function workloadOf(pod: V1Pod): WorkloadRef | undefined {
  const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!ref?.kind || !ref.name) return undefined;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
  return { kind: ref.kind, name: ref.name };
}
