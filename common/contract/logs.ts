/**
 * Log tabs: a container's log (`pods/log`), every container of a pod, or every pod of a workload (the pods
 * whose controller is the same Deployment, StatefulSet, Job…, as they come and go), merged in time order with
 * each line tagged with its pod and container. Core follows the streams (reconnecting after a drop without
 * repeating a line) and sends the lines in batches; the page acknowledges them, and a page that falls behind
 * has the oldest undelivered lines dropped, and counted, instead of growing the server's memory.
 */
import type { WorkloadRef } from './clusters.ts';

export interface OpenLogsRequest {
  context: string;
  namespace: string;
  pod: string;
  /** One container; absent: every container of the pod (of each pod, with `workload`). */
  container?: string;
  /** Follow every pod of the pod's workload (PodInfo.workload) instead of the pod alone. */
  workload?: boolean;
  options: LogOptions;
}

export interface LogOptions {
  /** Keep streaming new lines (`follow=true`); after a container restarts, its new instance's lines. Ignored with `previous`. */
  follow: boolean;
  /** The previous (ended) instance of each container (`previous=true`). */
  previous?: boolean;
  /** Only lines of the last so many seconds (`sinceSeconds`). */
  sinceSeconds?: number;
  /** Only the last so many lines of each container (`tailLines`); absent: all of them. */
  tailLines?: number;
}

export interface LogSessionInfo {
  id: string;
  /** The workload followed, with `workload`. */
  workload?: WorkloadRef;
}

/** One line of a container's log. */
export interface LogLine {
  /** When the container wrote it: the kubelet's RFC3339Nano timestamp (every line has one: core asks for them). */
  time: string;
  pod: string;
  container: string;
  /** The line without its newline. */
  text: string;
}

/** One container stream of a session: streaming, reconnecting after a drop, ended (the container stopped), or failed (the API server's reason). */
export interface LogStreamState {
  pod: string;
  container: string;
  state: 'connecting' | 'streaming' | 'reconnecting' | 'ended' | 'error';
  message?: string;
}

export interface LogSessionState {
  id: string;
  streams: LogStreamState[];
  /** Lines dropped because the page did not acknowledge fast enough (the oldest undelivered go first). */
  dropped: number;
  /** Nothing more will come (not following, and every stream ended or failed). */
  done: boolean;
  /** Why the whole session failed (the pod or workload could not be found), when it did. */
  error?: string;
}

export interface LogsMethods {
  /**
   * Starts following; lines arrive as `logs.lines` events, state as `logs.state`. Rejects with a sentence for a
   * malformed request, an unknown cluster, or a pod without a workload when `workload` is asked; the API
   * server's own refusals (a container that has no previous instance, a pending pod) arrive as a stream's
   * `error` state with its message.
   */
  openLogs(req: OpenLogsRequest): Promise<LogSessionInfo>;
  /** Stops a session's streams (idempotent). A client's sessions end when it goes. */
  closeLogs(id: string): Promise<void>;
  /** The page has taken `lines` more lines of this session: up to LOG_WINDOW_LINES may be unacknowledged. */
  ackLogs(id: string, lines: number): Promise<void>;
}

export interface LogsEvents {
  /** A batch of lines, in time order (within a batch; batches follow each other in time). */
  'logs.lines': { id: string; lines: LogLine[] };
  /** A session's streams changed state, or lines were dropped. */
  'logs.state': LogSessionState;
}

/** Lines a page may have unacknowledged; past this, core holds the rest. */
export const LOG_WINDOW_LINES = 5000;

export const LOGS_METHODS: Record<keyof LogsMethods, true> = {
  openLogs: true,
  closeLogs: true,
  ackLogs: true,
};
