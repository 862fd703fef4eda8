/**
 * The debug domain of the contract: adds an ephemeral debug container to a pod through the
 * `pods/ephemeralcontainers` subresource (a strategic merge patch, as kubectl debug sends), reuses a
 * running one, waits until it runs, and audits who added which container to which pod. The terminal
 * and the Files view then reach it like any other container of the pod (exec with its name).
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ContainerRef } from '../../../common/contract/containerRef.ts';
import type { DebugContainerInfo, DebugMethods, DebugSettings, StartDebugRequest } from '../../../common/contract/debug.ts';
import { describeApiError } from '../kube/apiErrors.ts';
import { checkImageName, debugContainer, debugState, DEFAULT_DEBUG_IMAGE, freshName, reusable } from './debugSpec.ts';

/** Settings key of the debug image. */
export const DEBUG_IMAGE = 'debug.image';

export interface DebugDeps {
  kubeConfigFor(context: string): KubeConfig;
  audit?: { append(kind: string, who: string, details: Record<string, unknown>): Promise<unknown> };
  who: string;
  settings?: { get<T>(key: string, fallback: T): T; set(key: string, value: unknown): void };
  /** How long a new debug container may take to run (default 120 s: a first pull of the image can be slow). */
  startTimeoutMs?: number;
  /** How often its status is read while it starts (default 250 ms). */
  pollMs?: number;
}

/** The 5 lowercase letters and digits of a fresh name, as kubectl's debugger-xxxxx. */
const randomSuffix = () => [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

export class DebugService implements DebugMethods {
  constructor(private readonly deps: DebugDeps) {}

  async getDebugSettings(): Promise<DebugSettings> {
    return { image: this.image() };
  }

  async setDebugSettings(settings: DebugSettings): Promise<DebugSettings> {
    if (!settings || typeof settings !== 'object') throw new Error('setDebugSettings: expected {image}');
    const image = checkImageName(settings.image);
    this.deps.settings?.set(DEBUG_IMAGE, image);
    return { image };
  }

  async startDebugContainer(req: StartDebugRequest): Promise<DebugContainerInfo> {
    if (!req || typeof req !== 'object') throw new Error('startDebugContainer: expected {target, image?}');
    const { target } = req;
    checkRef(target);
    const img = checkImageName(req.image ?? this.image());
    const kc = this.deps.kubeConfigFor(target.context);
    const api = kc.makeApiClient(CoreV1Api);
    const where = { name: target.pod, namespace: target.namespace };
    const server = kc.getCurrentCluster()?.server;
    const pod = await api.readNamespacedPod(where).catch((e: unknown) => { throw new Error(describeApiError(e, server).reason, { cause: e }); });
    if (!(pod.spec?.containers ?? []).some((c) => c.name === target.container)) {
      throw new Error(`Pod ${target.namespace}/${target.pod} has no container "${target.container}" to debug.`);
    }
    const info = (name: string, reused: boolean): DebugContainerInfo => ({ ref: { ...target, container: name }, target: target.container, image: img, reused });
    const again = reusable(pod, target.container, img);
    if (again) return info(again, true);

    const name = freshName(pod, randomSuffix);
    const body = { spec: { ephemeralContainers: [debugContainer(name, img, target.container)] } };
    try {
      await api.patchNamespacedPodEphemeralcontainers({ ...where, body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    } catch (e) {
      throw new Error(patchFailure(e, target, server), { cause: e });
    }
    await this.deps.audit?.append('debug.container', this.deps.who, {
      action: 'add', context: target.context, namespace: target.namespace, pod: target.pod, container: name, image: img, target: target.container,
    }).catch(() => undefined);
    await this.waitRunning(api, where, name, img);
    return info(name, false);
  }

  private image(): string {
    const v = this.deps.settings?.get<unknown>(DEBUG_IMAGE, DEFAULT_DEBUG_IMAGE);
    return typeof v === 'string' && v.trim() ? v.trim() : DEFAULT_DEBUG_IMAGE;
  }

  private async waitRunning(api: CoreV1Api, where: { name: string; namespace: string }, name: string, image: string): Promise<void> {
    const deadline = Date.now() + (this.deps.startTimeoutMs ?? 120_000);
    let last = 'it has no status yet';
    for (;;) {
      let pod: V1Pod;
      try {
        pod = await api.readNamespacedPod(where);
      } catch (e) {
        throw new Error(`The debug container ${name} was added, but its pod could not be read: ${describeApiError(e).reason}`, { cause: e });
      }
      const st = debugState(pod, name, image);
      if (st.state === 'running') return;
      if (st.state === 'failed') throw new Error(st.reason);
      const waiting = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.waiting;
      if (waiting?.reason) last = `it is waiting (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`;
      if (Date.now() > deadline) throw new Error(`The debug container ${name} did not start in time: ${last}.`);
      await new Promise((r) => setTimeout(r, this.deps.pollMs ?? 250));
    }
  }
}

function checkRef(ref: ContainerRef): void {
  if (!ref || typeof ref !== 'object') throw new Error('startDebugContainer: target must be {context, namespace, pod, container}');
  for (const k of ['context', 'namespace', 'pod', 'container'] as const) {
    if (typeof ref[k] !== 'string' || !ref[k]) throw new Error(`startDebugContainer: target.${k} must be a non-empty string`);
  }
}

/** The sentence for a refused patch: 403 and a missing API get their own, everything else the server's words. */
export function patchFailure(e: unknown, target: ContainerRef, server?: string): string {
  const { reason, code } = describeApiError(e, server);
  if (code === 403) {
    return `${reason}. This cluster does not let you add ephemeral (debug) containers in namespace ${target.namespace}: ask for "patch" on pods/ephemeralcontainers, or debug another way.`;
  }
  if (code === 404) {
    // A missing pod names itself in the Status details; a missing subresource (no ephemeral containers API) does not.
    const body = (e as { body?: unknown }).body;
    let name: unknown;
    try { name = (typeof body === 'string' ? JSON.parse(body) : body)?.details?.name; } catch { name = undefined; }
    if (!name) return 'This cluster has no ephemeral containers API (404 on pods/ephemeralcontainers): it needs Kubernetes 1.25 or newer, with the EphemeralContainers feature on.';
  }
  return reason;
}
