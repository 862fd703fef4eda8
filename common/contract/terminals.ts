/** Pod terminals: exec sessions owned by the main process, shown in xterm by the renderer. */

import type { ContainerRef } from './containerRef.ts';

/** Where a terminal runs; re-exported because every request and info of this domain extends it. */
export type { ContainerRef };

export interface OpenTerminalRequest extends ContainerRef {
  /** The command to run; absent: the best shell the image has (bash, else sh/ash). */
  command?: string[];
  /** Initial size, so the first prompt is drawn at the right width. */
  cols: number;
  rows: number;
}

export type TerminalState =
  | { state: 'connecting' }
  | { state: 'connected' }
  /** The process ended; `exitCode` as reported by the API server's status channel. */
  | { state: 'exited'; exitCode: number }
  /** The connection dropped; the remote process may still run. `reconnectTerminal` starts a fresh one. */
  | { state: 'disconnected'; reason: string }
  /** Opening failed: 403, no shell in the image, pod not running... `reason` says which. */
  | { state: 'error'; reason: string };

export interface TerminalInfo extends ContainerRef {
  id: string;
  command: string[];
  /** The shell that was chosen when no command was given ("bash", "sh"), if known. */
  shell?: string;
  state: TerminalState;
  /** True when this session is being recorded. */
  recording: boolean;
}

export interface TerminalsMethods {
  /**
   * Opens an exec session with a TTY; resolves once the shell has announced itself (≤ 5 s) or the open
   * failed — `state` says which: `connected`, or `error` with a sentence ("403 Forbidden: …", "This
   * container has no shell: …", "400 Bad Request: … (the container is not running yet …)").
   * Output (`terminal.data`) for the new id is only sent after this promise has resolved.
   * Throws only for malformed requests (missing namespace, non-string command…).
   */
  openTerminal(req: OpenTerminalRequest): Promise<TerminalInfo>;
  /** Sends keystrokes or pasted text to the session's stdin. Throws unless the session is connected. */
  writeTerminal(id: string, data: string): Promise<void>;
  /** Resizes the remote PTY (exec channel 4). */
  resizeTerminal(id: string, cols: number, rows: number): Promise<void>;
  /**
   * Acknowledges `bytes` of output as written by xterm (call from `term.write(data, cb)`); drives flow
   * control: above 100 kB unacknowledged the exec socket is paused, below 10 kB it resumes.
   */
  ackTerminal(id: string, bytes: number): Promise<void>;
  /**
   * Ends the session and the remote process tree (no shell is left running in the pod); resolves once
   * the kill has run (≤ 8 s even for an unreachable cluster). Unknown ids are ignored.
   */
  closeTerminal(id: string): Promise<void>;
  /**
   * Starts a new exec for a disconnected, exited or failed session, under the same id; the old remote
   * shell is killed if it still runs. Resolves like `openTerminal`; while the cluster is still
   * unreachable the state stays `disconnected` (with the reason), so it can be retried.
   */
  reconnectTerminal(id: string): Promise<TerminalInfo>;
  /** The sessions of this client (window or serve-mode connection) that exist now. */
  listTerminals(): Promise<TerminalInfo[]>;
  /** The shell's current working directory (read from /proc in the container), or undefined if unknown. */
  terminalCwd(id: string): Promise<string | undefined>;
  /** Adds a marker to the session's recording (asciicast `m` event). Throws if the session is not recorded. */
  markTerminal(id: string, label: string): Promise<void>;
}

export interface TerminalsEvents {
  /** Output bytes of a session (stdout and stderr, as the PTY merges them). */
  'terminal.data': { id: string; data: Uint8Array };
  /** A session's state changed. */
  'terminal.state': { id: string; state: TerminalState };
}

export const TERMINALS_METHODS: Record<keyof TerminalsMethods, true> = {
  openTerminal: true,
  writeTerminal: true,
  resizeTerminal: true,
  ackTerminal: true,
  closeTerminal: true,
  reconnectTerminal: true,
  listTerminals: true,
  terminalCwd: true,
  markTerminal: true,
};
