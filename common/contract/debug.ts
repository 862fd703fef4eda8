/**
 * Ephemeral debug containers: a shell and the files of a container whose image has none (distroless,
 * scratch). Core adds an ephemeral container to the pod (`pods/ephemeralcontainers`) that shares the
 * target's process namespace, waits until it runs, and the page opens an ordinary terminal on it
 * (`openTerminal` with the debug container's name) or browses the target's files through it
 * (a `FileLocation` with `through`).
 */
import type { ContainerRef } from './containerRef.ts';

export interface DebugContainerInfo {
  /** The debug container: the same pod, `container` is the ephemeral container's name. Open a terminal here. */
  ref: ContainerRef;
  /** The container whose processes (and, through /proc, files) the debug container sees. */
  target: string;
  /** The image it runs. */
  image: string;
  /** True when a running debug container of the same image and target was reused instead of adding one. */
  reused: boolean;
}

export interface StartDebugRequest {
  /** The container to debug: the debug container shares its process namespace. */
  target: ContainerRef;
  /** The image to run; default the `debug.image` setting. */
  image?: string;
}

export interface DebugSettings {
  /** The image new debug containers run (default busybox). It needs sh; for the Files view also tar, stat and sha256sum. */
  image: string;
}

export interface DebugMethods {
  /**
   * Adds an ephemeral debug container to the target's pod (targetContainerName = the target, so it sees
   * the target's processes) and resolves once it runs; a running one of the same image and target that
   * Kubedeck added before is reused. The image defaults to the `debug.image` setting. Every added container
   * is audited (who, which container, which pod). Rejects with a sentence a user can act on: 403 (the
   * cluster forbids ephemeral containers here), 404 (the cluster has no ephemeral containers API, or the pod
   * is gone), the image could not be pulled (the container's waiting reason and message), it exited, or it
   * did not start in time.
   */
  startDebugContainer(req: StartDebugRequest): Promise<DebugContainerInfo>;
  /** The debug settings (the image). */
  getDebugSettings(): Promise<DebugSettings>;
  /** Changes the debug settings; rejects an empty or malformed image name. */
  setDebugSettings(settings: DebugSettings): Promise<DebugSettings>;
}

export const DEBUG_METHODS: Record<keyof DebugMethods, true> = {
  startDebugContainer: true,
  getDebugSettings: true,
  setDebugSettings: true,
};
