/**
 * What a debug container is, as pure functions of the pod object: the ephemeral container Kubedeck adds,
 * which existing one may be reused, and what a container status says about why it does not run. Kept
 * apart from the API calls (debugService.ts) so every rule is a plain test.
 */
import type { V1ContainerStatus, V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';

/** Names of the debug containers Kubedeck adds (kubectl's are debugger-xxxxx). */
export const DEBUG_PREFIX = 'kubedeck-debug-';

/** The image a debug container runs unless the settings say otherwise: busybox has sh, tar, stat and sha256sum. */
export const DEFAULT_DEBUG_IMAGE = 'busybox:1.36';

/** A reference a registry could take: no spaces or shell characters, at most 512 characters. */
export function checkImageName(image: unknown): string {
  if (typeof image !== 'string' || !image.trim()) throw new Error('The debug image must be a name such as busybox:1.36.');
  const s = image.trim();
  if (s.length > 512 || !/^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/.test(s)) {
    throw new Error(`"${s.slice(0, 80)}" is not an image name (letters, digits and . _ - / : @ only, such as busybox:1.36).`);
  }
  return s;
}

/**
 * The ephemeral container Kubedeck adds: the image's own command (busybox: sh) kept alive by an open stdin
 * and a TTY, as `kubectl debug -it` makes it, so a terminal can attach or exec at any time; the target's
 * process namespace; SYS_PTRACE, as kubectl's "general" profile adds, since reading /proc/<pid>/root of a
 * process of another user (distroless :nonroot runs as 65532) needs it.
 */
export function debugContainer(name: string, image: string, target: string): V1EphemeralContainer {
  return {
    name,
    image,
    targetContainerName: target,
    stdin: true,
    tty: true,
    terminationMessagePolicy: 'File',
    securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
  };
}

/** A fresh name that no container of the pod has. */
export function freshName(pod: V1Pod, random: () => string): string {
  const taken = new Set([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name));
  for (;;) {
    const name = DEBUG_PREFIX + random();
    if (!taken.has(name)) return name;
  }
}

function statusOf(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
}

/** A debug container Kubedeck added earlier with this image and target that still runs, if there is one. */
export function reusable(pod: V1Pod, target: string, image: string): string | undefined {
  const found = (pod.spec?.ephemeralContainers ?? []).filter((c) => c.name.startsWith(DEBUG_PREFIX) && c.image === image
    && c.targetContainerName === target && statusOf(pod, c.name)?.state?.running);
  return found.at(-1)?.name;
}

/** Waiting reasons that will not pass by themselves. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError',
  'CreateContainerError', 'RunContainerError']);

export type DebugState = { state: 'running' } | { state: 'pending' } | { state: 'failed'; reason: string };

/** Where the debug container `name` stands: running, still starting, or failed with a sentence why. */
export function debugState(pod: V1Pod, name: string, image: string): DebugState {
  const st = statusOf(pod, name)?.state;
  if (st?.running) return { state: 'running' };
  if (st?.waiting?.reason && STUCK.has(st.waiting.reason)) {
    const why = st.waiting.message ? `: ${st.waiting.message}` : '';
    if (/Image/.test(st.waiting.reason)) {
      return { state: 'failed', reason: `The debug image "${image}" could not be pulled (${st.waiting.reason})${why}. Choose another image in the debug settings.` };
    }
    return { state: 'failed', reason: `The debug container could not start (${st.waiting.reason})${why}.` };
  }
  if (st?.terminated) {
    const t = st.terminated;
    return { state: 'failed', reason: `The debug container exited (${t.reason ?? 'terminated'}, exit code ${t.exitCode})${t.message ? `: ${t.message}` : ''}. Ephemeral containers are never restarted; start a new one.` };
  }
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    return { state: 'failed', reason: `The pod has ended (${pod.status.phase}); a debug container cannot run in it.` };
  }
  return { state: 'pending' };
}
