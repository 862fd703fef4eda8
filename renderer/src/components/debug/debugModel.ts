/**
 * What the debug views say, as plain functions (tested beside): the heading of a failed start, the
 * progress of a debug container read from the pod as the watch reports it, a debug tab's title, and
 * whether a container is itself an ephemeral one (no "Debug" on a debug container).
 */
import type { ContainerRef, EphemeralContainerInfo, PodInfo } from '../../../../common/contract/index.ts';

export type FailureKind = 'forbidden' | 'noApi' | 'image' | 'other';

/**
 * Which of the failures core words (debugService.ts patchFailure, debugSpec.ts debugState) a message is, for
 * the heading above it; the message itself is always shown as core wrote it.
 */
export function failureKind(message: string): FailureKind {
  if (/\b403\b|forbidden/i.test(message)) return 'forbidden';
  if (/no ephemeral containers API/i.test(message)) return 'noApi';
  if (/could not be pulled|ErrImagePull|ImagePullBackOff|InvalidImageName/.test(message)) return 'image';
  return 'other';
}

export const FAILURE_TITLE: Record<FailureKind, string> = {
  forbidden: 'Not allowed to add a debug container',
  noApi: 'This cluster has no ephemeral containers',
  image: 'The debug image could not be pulled',
  other: 'Could not start a debug container',
};

/** The title of a tab on a debug container: it names the container it debugs, not its own generated name. */
export function debugTabTitle(target: ContainerRef): string {
  return `debug ${target.pod}/${target.container}`;
}

export function sameRef(a: ContainerRef, b: ContainerRef): boolean {
  return a.context === b.context && a.namespace === b.namespace && a.pod === b.pod && a.container === b.container;
}

/** The ephemeral container of this pod with that name, if `container` is one. */
export function ephemeralOf(pod: PodInfo | undefined, container: string): EphemeralContainerInfo | undefined {
  return pod?.ephemeralContainers?.find((c) => c.name === container);
}

/** Debug containers of the pod that target `target` and run, newest first (what a start would reuse). */
export function runningDebugContainers(pod: PodInfo | undefined, target: string): EphemeralContainerInfo[] {
  return (pod?.ephemeralContainers ?? []).filter((c) => c.target === target && c.state === 'running').reverse();
}

/**
 * The debug container a start is adding, as the pod watch shows it before startDebugContainer answers: the
 * newest ephemeral container targeting `target` with `image` that was not there when the start began.
 */
export function pendingDebugContainer(pod: PodInfo | undefined, target: string, image: string, before: ReadonlySet<string>): EphemeralContainerInfo | undefined {
  return (pod?.ephemeralContainers ?? []).filter((c) => c.target === target && c.image === image && !before.has(c.name)).at(-1);
}

/** A line for a container's state: "waiting (ContainerCreating)", "running". */
export function stateText(c: Pick<EphemeralContainerInfo, 'state' | 'reason'>): string {
  return c.reason && c.state !== 'running' ? `${c.state} (${c.reason})` : c.state;
}
