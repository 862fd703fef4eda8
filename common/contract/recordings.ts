/** Session recordings (asciicast v2), playback and search. The audit trail is its own domain (audit.ts). */

export interface RecordingInfo {
  id: string;
  context: string;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** ISO 8601 start; duration in seconds. */
  started: string;
  duration: number;
  size: number;
  exitCode?: number;
  /** True while the session is still being written. */
  live: boolean;
}

export interface RecordingSearchHit {
  recordingId: string;
  /** Seconds from the start of the recording. */
  time: number;
  /** The matching line with some context, escape sequences stripped. */
  snippet: string;
}

export type RecordPolicy = { mode: 'all' } | { mode: 'none' } | { mode: 'perCluster'; contexts: string[] };

export interface RecordingSettings {
  policy: RecordPolicy;
  /** Record keystrokes (`i` events). Off by default: typed passwords stay out. */
  recordInput: boolean;
  /** Retention: the oldest recordings go first past either limit. */
  maxTotalBytes: number;
  maxAgeDays: number;
}

export interface RecordingsMethods {
  listRecordings(): Promise<RecordingInfo[]>;
  /** The whole asciicast v2 file as text, for the player and for export. */
  readRecording(id: string): Promise<string>;
  deleteRecording(id: string): Promise<void>;
  searchRecordings(query: string): Promise<RecordingSearchHit[]>;
  getRecordingSettings(): Promise<RecordingSettings>;
  setRecordingSettings(s: RecordingSettings): Promise<RecordingSettings>;
}

export interface RecordingsEvents {
  'recordings.changed': { recordings: RecordingInfo[] };
}

export const RECORDINGS_METHODS: Record<keyof RecordingsMethods, true> = {
  listRecordings: true,
  readRecording: true,
  deleteRecording: true,
  searchRecordings: true,
  getRecordingSettings: true,
  setRecordingSettings: true,
};
