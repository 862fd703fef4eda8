/** Pod terminals: exec sessions owned by the main process, shown in xterm by the renderer. */

/** Where a terminal runs. */
export interface ContainerRef {
  context: string;
  namespace: string;
  pod: string;
  container: string;
}

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
  /** Opens an exec session; resolves once it is connected or has failed (the state says which). */
  openTerminal(req: OpenTerminalRequest): Promise<TerminalInfo>;
  /** Sends keystrokes or pasted text to the session's stdin. */
  writeTerminal(id: string, data: string): Promise<void>;
  /** Resizes the remote PTY (exec channel 4). */
  resizeTerminal(id: string, cols: number, rows: number): Promise<void>;
  /** Acknowledges `bytes` of output as written by xterm; drives flow control. */
  ackTerminal(id: string, bytes: number): Promise<void>;
  /** Ends the session and the remote process (no shell is left running in the pod). */
  closeTerminal(id: string): Promise<void>;
  /** Starts a new exec for a disconnected or exited session, under the same id. */
  reconnectTerminal(id: string): Promise<TerminalInfo>;
  /** The sessions that exist now (for a reloaded page in serve mode). */
  listTerminals(): Promise<TerminalInfo[]>;
  /** The shell's current working directory, for opening the file browser there. */
  terminalCwd(id: string): Promise<string | undefined>;
  /** Adds a marker to the session's recording (asciicast `m` event). */
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
