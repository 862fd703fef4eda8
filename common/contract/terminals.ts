/**
 * Pod terminals: exec sessions owned by the main process's session host, shown in xterm by the renderer.
 * A session outlives the page that opened it: pages (and later SSH channels, share-link observers) are
 * its viewers. A viewer that goes away without `closeTerminal` only detaches; the session runs on for a
 * grace period (setting `terminals.graceSeconds`, default 15 minutes) and can be attached again with its
 * exact screen.
 */

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
  /**
   * Opening failed: 403, no shell in the image, pod not running... `reason` says which. `noShell`: the image
   * has no shell, so the page offers a debug container (common/contract/debug.ts).
   */
  | { state: 'error'; reason: string; noShell?: true };

export interface TerminalInfo extends ContainerRef {
  id: string;
  command: string[];
  /** The shell that was chosen when no command was given ("bash", "sh"), if known. */
  shell?: string;
  state: TerminalState;
  /** True when this session is being recorded. */
  recording: boolean;
}

/** A session of the host, as `listSessions` shows it (also those no page shows now). */
export interface SessionInfo extends TerminalInfo {
  /** How many viewers are attached (pages, windows), this client included. */
  viewers: number;
  /** Whether this client is one of them. */
  attached: boolean;
  /** When the session was opened (ms since the epoch). */
  openedAt: number;
  /** Set while no viewer is attached: when the session ends unless one attaches (ms since the epoch). */
  endsAt?: number;
}

/** The screen of a session as a page must draw it before any further output (see `attachTerminal`). */
export interface TerminalSnapshot {
  id: string;
  /** The terminal's size when the screen was taken; the page sizes its terminal to it before writing `data`. */
  cols: number;
  rows: number;
  /**
   * Escape sequences that rebuild screen, scrollback, cursor, colours and modes (the alternate screen of a
   * full-screen program included) on a freshly reset terminal — @xterm/addon-serialize's output.
   */
  data: string;
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
  /**
   * Attaches this client as a viewer of a session it does not show yet (a reloaded page restoring its
   * tabs, a second window on the same shell). A `terminal.snapshot` event with the session's exact screen
   * is sent before any further `terminal.data` for it; `cols`/`rows` is the viewer's size (0 keeps the
   * session's). Attaching twice is harmless (a fresh snapshot). Throws "… has ended …" (with why) for a
   * session that was closed or ended after its grace period, and for ids the host never had.
   * `hidden`: attach without showing it yet (a restored tab in the background, whose terminal the page
   * creates only when the tab is first shown): no snapshot and no output until `setTerminalVisible(id, true)`.
   */
  attachTerminal(id: string, cols: number, rows: number, hidden?: boolean): Promise<TerminalInfo>;
  /**
   * Stops showing a session without ending it: with no viewer left it runs on for the grace period. What
   * a page does implicitly when it goes away (reload, closed tab, dropped socket).
   */
  detachTerminal(id: string): Promise<void>;
  /**
   * A hidden tab costs nothing: while not visible this viewer is sent no output; made visible again it
   * gets a `terminal.snapshot` of the screen as it is now, then live output.
   */
  setTerminalVisible(id: string, visible: boolean): Promise<void>;
  /** Every session of the host (all pages' and windows', attached or not), oldest first. */
  listSessions(): Promise<SessionInfo[]>;
  /**
   * Broadcast typing: from now on `writeBroadcast` sends to these sessions (ids this client is attached
   * to; others are ignored). An empty list ends the broadcast. Start, change and end are in the audit trail.
   */
  setBroadcast(ids: string[]): Promise<string[]>;
  /** Sends keystrokes or a paste to every connected session of the current broadcast; resolves with how many got it. */
  writeBroadcast(data: string): Promise<number>;
  /** Sends keystrokes or pasted text to the session's stdin. Throws unless the session is connected. */
  writeTerminal(id: string, data: string): Promise<void>;
  /** Resizes the remote PTY (exec channel 4). */
  resizeTerminal(id: string, cols: number, rows: number): Promise<void>;
  /**
   * Acknowledges `bytes` of output as written by xterm (call from `term.write(data, cb)`, batched). Each
   * viewer has its own window: a viewer more than 1 MiB behind is sent nothing more until it has caught up,
   * then a `terminal.snapshot` (it skips intermediate frames, never the final screen); the shell is paced by
   * the host's own screen state, so one slow viewer never stalls the others or the recording.
   */
  ackTerminal(id: string, bytes: number): Promise<void>;
  /**
   * Ends the session for every viewer and the remote process tree (no shell is left running in the pod);
   * resolves once the kill has run (≤ 8 s even for an unreachable cluster). Unknown ids are ignored.
   */
  closeTerminal(id: string): Promise<void>;
  /**
   * Starts a new exec for a disconnected, exited or failed session, under the same id; the old remote
   * shell is killed if it still runs. Resolves like `openTerminal`; while the cluster is still
   * unreachable the state stays `disconnected` (with the reason), so it can be retried.
   */
  reconnectTerminal(id: string): Promise<TerminalInfo>;
  /** The sessions this client (window or serve-mode connection) is attached to. */
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
  /** Replace the screen with this one (after attachTerminal, setTerminalVisible, or a resync of a viewer that fell behind). */
  'terminal.snapshot': TerminalSnapshot;
  /** The host's sessions changed (opened, ended, a viewer came or went): call `listSessions` for the list. */
  'terminal.sessions': { count: number };
}

export const TERMINALS_METHODS: Record<keyof TerminalsMethods, true> = {
  openTerminal: true,
  attachTerminal: true,
  detachTerminal: true,
  setTerminalVisible: true,
  listSessions: true,
  setBroadcast: true,
  writeBroadcast: true,
  writeTerminal: true,
  resizeTerminal: true,
  ackTerminal: true,
  closeTerminal: true,
  reconnectTerminal: true,
  listTerminals: true,
  terminalCwd: true,
  markTerminal: true,
};
