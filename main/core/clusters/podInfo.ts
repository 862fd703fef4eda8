/**
 * What the renderer learns about a pod: names and states from the pod object, nothing else.
 * A pure mapping, apart from the watches that feed it, so it is easy to read and to test.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerInfo, PodInfo } from '../../../common/contract/clusters.ts';

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
