/**
 * What a terminal session is given: the cluster's KubeConfig, where its events go, and the recorder and
 * audit seams (main/core/recordings, main/core/audit) as the little a session needs of them. Its own
 * module so that terminalSession.ts holds only the session.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { TerminalsEvents } from '../../../common/contract/terminals.ts';
import type { RecordingMeta } from '../recordings/recorder.ts';

/** What a session needs of a recorder (main/core/recordings Recorder). */
export interface RecorderLike {
  output(data: Uint8Array): void;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  marker(label: string): void;
  exit(code: number): void;
  close(): void;
  /** The recording file (shown in the audit trail). */
  readonly path?: string;
}

/** What a session needs of the recording store (main/core/recordings RecordingStore). */
export interface RecordingStarter {
  start(meta: RecordingMeta): RecorderLike | undefined;
}

/** What a session needs of the audit log (main/core/audit AuditLog). */
export interface AuditLike {
  append(kind: string, who: string, details: Record<string, unknown>): Promise<unknown>;
}

export type TerminalsEmit = <E extends keyof TerminalsEvents>(name: E, payload: TerminalsEvents[E]) => void;

export interface TerminalDeps {
  kubeConfigFor(context: string): KubeConfig;
  emit: TerminalsEmit;
  recordings?: RecordingStarter;
  audit?: AuditLike;
  /** Who is acting, for the audit trail (OS user, or the serve-mode client). */
  who?: string;
  /** WebSocket ping interval (ms); default 30 s. */
  keepAliveMs?: number;
  highWatermark?: number;
  lowWatermark?: number;
}
