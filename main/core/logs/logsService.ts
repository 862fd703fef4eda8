/**
 * The logs methods of one client (a window, a serve connection): its log sessions, checked requests, and which
 * pods and containers each follows — one container, every container of a pod, or every pod of the pod's workload,
 * kept current from the cluster's pod watch as pods come and go. Every session of the client ends when it goes.
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PodInfo, WorkloadRef } from '../../../common/contract/clusters.ts';
import type { LogLine, LogOptions, LogSessionInfo, LogSessionState, LogsMethods, OpenLogsRequest } from '../../../common/contract/logs.ts';
import type { LogRequest } from './containerStream.ts';
import { kubeLogRequest } from './kubeLogRequest.ts';
import { LogSession } from './logSession.ts';

export interface LogsServiceDeps {
  kubeConfigFor(context: string): KubeConfig;
  listPods(context: string, namespace: string): Promise<PodInfo[]>;
  /** Calls back with a namespace's pods whenever the watch sees them change; returns the unsubscribe. */
  onPods(listener: (context: string, namespace: string, pods: PodInfo[]) => void): () => void;
  sendLines(payload: { id: string; lines: LogLine[] }): void;
  sendState(payload: LogSessionState): void;
  /** The pods/log request of a context (default: a streamed GET through its KubeConfig). */
  request?: (context: string) => LogRequest;
  backoffMs?: readonly number[];
}

/** At most this many sessions per client: a page that loops on openLogs cannot exhaust the server. */
const MAX_SESSIONS = 64;

export class LogsService implements LogsMethods {
  private readonly sessions = new Map<string, { session: LogSession; unsubscribe?: () => void }>();

  constructor(private readonly d: LogsServiceDeps) {}

  async openLogs(req: OpenLogsRequest): Promise<LogSessionInfo> {
    const r = checkRequest(req);
    if (this.sessions.size >= MAX_SESSIONS) throw new Error(`too many log tabs open (${MAX_SESSIONS}); close some first`);
    this.d.kubeConfigFor(r.context); // throws for an unknown context
    const id = randomUUID();
    const request = (this.d.request ?? ((c) => kubeLogRequest((x) => this.d.kubeConfigFor(x), c)))(r.context);
    const session = new LogSession({ id, namespace: r.namespace, options: r.options, request, backoffMs: this.d.backoffMs,
      sendLines: (lines) => this.d.sendLines({ id, lines }), sendState: (s) => this.d.sendState(s) });
    if (r.container && !r.workload) {
      this.sessions.set(id, { session });
      session.setTargets([{ pod: r.pod, container: r.container }]);
      return { id };
    }
    const pods = await this.d.listPods(r.context, r.namespace);
    const pod = pods.find((p) => p.name === r.pod);
    if (!pod) throw new Error(`pod ${r.namespace}/${r.pod} not found in ${r.context}`);
    const workload = r.workload ? pod.workload : undefined;
    if (r.workload && !workload) throw new Error(`pod ${r.pod} has no owner: it is not part of a workload`);
    const targetsOf = (list: PodInfo[]) => list
      .filter((p) => (workload ? sameWorkload(p.workload, workload) : p.name === r.pod))
      .flatMap((p) => p.containers.filter((c) => !r.container || c.name === r.container).map((c) => ({ pod: p.name, container: c.name })));
    const unsubscribe = this.d.onPods((context, namespace, list) => {
      if (context !== r.context || namespace !== r.namespace) return;
      // A pod of the tab alone that was deleted: its streams end by themselves (404); keep what was shown.
      if (!workload && !list.some((p) => p.name === r.pod)) return;
      session.setTargets(targetsOf(list));
    });
    this.sessions.set(id, { session, unsubscribe });
    session.setTargets(targetsOf(pods));
    return { id, ...(workload ? { workload } : {}) };
  }

  async closeLogs(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.unsubscribe?.();
    s.session.close();
  }

  async ackLogs(id: string, lines: number): Promise<void> {
    this.sessions.get(id)?.session.ack(lines);
  }

  dispose(): void {
    for (const id of [...this.sessions.keys()]) void this.closeLogs(id);
  }
}

const sameWorkload = (a: WorkloadRef | undefined, b: WorkloadRef) => !!a && a.kind === b.kind && a.name === b.name;

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The request as core can trust it, or an Error saying what is wrong. */
export function checkRequest(req: unknown): Required<Pick<OpenLogsRequest, 'context' | 'namespace' | 'pod'>> & { container?: string; workload: boolean; options: LogOptions } {
  const bad = (why: string): never => { throw new Error(`openLogs: ${why}`); };
  if (typeof req !== 'object' || req === null) bad('the request must be an object');
  const r = req as Record<string, unknown>;
  for (const k of ['context', 'namespace', 'pod'] as const) if (typeof r[k] !== 'string' || !r[k]) bad(`${k} must be a non-empty string`);
  if (!NAME.test(r.namespace as string) || !NAME.test(r.pod as string)) bad('namespace and pod must be Kubernetes names');
  if (r.container !== undefined && (typeof r.container !== 'string' || !NAME.test(r.container))) bad('container must be a Kubernetes name');
  const o = (r.options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object') bad('options must be an object');
  const count = (k: string, min: number) => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(`options.${k} must be a whole number ≥ ${min}`);
    return v as number;
  };
  const options: LogOptions = { follow: o.follow !== false, previous: o.previous === true };
  const since = count('sinceSeconds', 1);
  const tail = count('tailLines', 0);
  if (since !== undefined) options.sinceSeconds = since;
  if (tail !== undefined) options.tailLines = tail;
  return { context: r.context as string, namespace: r.namespace as string, pod: r.pod as string,
    ...(r.container ? { container: r.container as string } : {}), workload: r.workload === true, options };
}
