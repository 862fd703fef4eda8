/**
 * One pod terminal: an exec with a TTY, owned by the main process, shown by xterm in the renderer.
 *
 * Flow control follows the xterm.js guide: the renderer acknowledges bytes once xterm has written
 * them; above HIGH_WATERMARK unacknowledged bytes the exec socket is paused (TCP backpressure reaches
 * the process), below LOW_WATERMARK it resumes. So `yes` can't flood the UI and Ctrl-C stays instant.
 *
 * Cleanup: real runtimes keep an exec'd process running when its stream drops, so closing the
 * WebSocket is not enough. The session learns the shell's pid from a marker it strips from the output
 * and kills the shell's whole tree through a second exec (shellProcess.ts).
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerRef, TerminalInfo, TerminalState, TerminalsEvents } from '../../../common/contract/terminals.ts';
import { ExecError, openExec, type ExecResult, type ExecStream } from '../kube/execStream.ts';
import { NO_SHELL_MESSAGE, looksLikeNoShell } from '../kube/noShell.ts';
import { runExec } from '../kube/runCollect.ts';
import { killRemoteTree, remoteCwd, type RunBeside } from './shellProcess.ts';
import { MarkerScanner, shellCommand } from './shell.ts';
import type { RecordingMeta } from '../recordings/recorder.ts';

/** xterm.js flow-control guide: ~100 kB high, ~10 kB low. */
export const HIGH_WATERMARK = 100_000;
export const LOW_WATERMARK = 10_000;

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

export class TerminalSession {
  readonly id: string;
  readonly ref: ContainerRef;
  /** The user's command, or undefined for "the best shell". */
  readonly command?: string[];
  shell?: string;
  private stateValue: TerminalState = { state: 'connecting' };
  private exec?: ExecStream;
  private pid?: number;
  private cols: number;
  private rows: number;
  private unacked = 0;
  private pausedForAck = false;
  private recorder?: RecorderLike;
  private closing = false;
  private generation = 0;
  /** Direct mode: the image has no /bin/sh, the user's command runs unwrapped (no pid, no tree kill). */
  private direct = false;
  private held?: Uint8Array[];
  private reconnecting = false;

  constructor(
    private readonly deps: TerminalDeps,
    req: ContainerRef & { command?: string[]; cols: number; rows: number },
    id: string = randomUUID(),
  ) {
    this.id = id;
    this.ref = { context: req.context, namespace: req.namespace, pod: req.pod, container: req.container };
    this.command = req.command?.length ? [...req.command] : undefined;
    this.cols = clampSize(req.cols, 80);
    this.rows = clampSize(req.rows, 24);
  }

  get state(): TerminalState {
    return this.stateValue;
  }

  /** The remote shell's pid, once known. */
  get remotePid(): number | undefined {
    return this.pid;
  }

  /** True while output is held back for lack of acknowledgements. */
  get paused(): boolean {
    return this.pausedForAck;
  }

  info(): TerminalInfo {
    const info: TerminalInfo = {
      ...this.ref,
      id: this.id,
      command: this.command ?? (this.shell ? [this.shell] : []),
      state: this.stateValue,
      recording: this.recorder !== undefined,
    };
    if (this.shell) info.shell = this.shell;
    return info;
  }

  private setState(state: TerminalState): void {
    this.stateValue = state;
    this.deps.emit('terminal.state', { id: this.id, state });
  }

  /** Starts the exec; resolves once connected or failed (see `state`). */
  async start(): Promise<TerminalInfo> {
    const gen = ++this.generation;
    this.setState({ state: 'connecting' });
    this.pid = undefined;
    this.unacked = 0;
    this.pausedForAck = false;
    let kc: KubeConfig;
    try {
      kc = this.deps.kubeConfigFor(this.ref.context);
    } catch (err) {
      this.setState({ state: 'error', reason: (err as Error).message });
      return this.info();
    }
    const command = this.direct && this.command ? this.command : shellCommand(this.command);
    let exec: ExecStream;
    try {
      exec = await openExec(kc, this.ref, {
        command,
        tty: true,
        stdin: true,
        size: { cols: this.cols, rows: this.rows },
        keepAliveMs: this.deps.keepAliveMs,
      });
    } catch (err) {
      if (gen !== this.generation || this.closing) return this.info();
      const message = err instanceof ExecError ? err.message : String((err as Error)?.message ?? err);
      if (!this.direct && err instanceof ExecError && err.code !== 401 && err.code !== 403 && looksLikeNoShell(message) && /\/bin\/sh/.test(message)) {
        return this.noShell(gen);
      }
      // A reconnect that can't reach the cluster yet stays reconnectable.
      if (this.reconnecting && err instanceof ExecError && err.code === undefined) {
        this.setState({ state: 'disconnected', reason: message });
        return this.info();
      }
      this.setState({ state: 'error', reason: this.explain(message) });
      return this.info();
    }
    if (gen !== this.generation || this.closing) {
      exec.close();
      return this.info();
    }
    this.exec = exec;
    const scanner = new MarkerScanner();
    let sawOutput = false;
    if (this.direct) scanner.done = true;
    // Output is held until openTerminal has answered, so the renderer knows the id before the first prompt.
    this.held = [];
    let firstSign!: () => void;
    const signed = new Promise<void>((r) => (firstSign = r));
    exec.onData((_channel, bytes) => {
      const shown = scanner.push(bytes);
      if (scanner.pid && !this.pid) this.pid = scanner.pid;
      if (scanner.shell && !this.shell) this.shell = scanner.shell;
      if (scanner.pid || (this.direct && shown.length)) firstSign();
      if (shown.length) {
        sawOutput = true;
        this.output(shown);
      }
    });
    void exec.done.then((res) => {
      firstSign();
      this.ended(gen, res, scanner.pid !== undefined || sawOutput, scanner);
    });
    // Wait for the shell to announce itself (or fail: no /bin/sh), so the answer says which.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([signed, new Promise<void>((r) => (timer = setTimeout(r, this.direct ? 1000 : 5000)))]);
    clearTimeout(timer);
    setImmediate(() => this.releaseHeld());
    if (gen !== this.generation || this.closing) return this.info();
    if (this.exec !== exec) return this.info(); // ended already: the state says how
    this.setState({ state: 'connected' });
    if (!this.recorder && this.deps.recordings) {
      try {
        this.recorder = this.deps.recordings.start({
          ...this.ref,
          command: this.command ?? [this.shell ?? 'sh'],
          cols: this.cols,
          rows: this.rows,
          title: `${this.ref.context}/${this.ref.namespace}/${this.ref.pod}/${this.ref.container}`,
          shell: this.shell,
        });
        for (const chunk of this.held ?? []) this.recorder?.output(chunk);
      } catch {
        // A recording never stops a session.
      }
    }
    void this.audit('terminal.open', { command: this.command ?? [this.shell ?? 'sh'], recording: this.recorder?.path });
    return this.info();
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = undefined;
    for (const chunk of held ?? []) this.deps.emit('terminal.data', { id: this.id, data: chunk });
  }

  private async noShell(gen: number): Promise<TerminalInfo> {
    if (this.command) {
      // The user's own command may still run without /bin/sh around it.
      this.direct = true;
      if (gen === this.generation) return this.start();
    }
    this.setState({ state: 'error', reason: NO_SHELL_MESSAGE });
    return this.info();
  }

  private explain(message: string): string {
    if (/does not have a host assigned|container not found|is not running|ContainerCreating|is waiting to start|PodInitializing/i.test(message)) {
      return `${message} (the container is not running yet; wait for the pod to start)`;
    }
    return message;
  }

  private output(bytes: Uint8Array): void {
    if (this.held) this.held.push(bytes);
    else this.deps.emit('terminal.data', { id: this.id, data: bytes });
    try {
      this.recorder?.output(bytes);
    } catch {
      // ignore
    }
    this.unacked += bytes.length;
    const high = this.deps.highWatermark ?? HIGH_WATERMARK;
    if (!this.pausedForAck && this.unacked > high) {
      this.pausedForAck = true;
      this.exec?.pause();
    }
  }

  private ended(gen: number, res: ExecResult, started: boolean, scanner: MarkerScanner): void {
    const tail = scanner.flush();
    if (tail.length) this.output(tail);
    if (gen !== this.generation) return;
    this.exec = undefined;
    if (this.closing) return;
    if (res.dropped) {
      this.setState({ state: 'disconnected', reason: res.error ?? 'connection lost' });
      return;
    }
    if (!started && !this.direct && res.exitCode !== 0 && looksLikeNoShell(res.error, res.exitCode)) {
      void this.noShell(gen);
      return;
    }
    if (res.exitCode >= 0) {
      // Background jobs of the shell (same session) outlive it: end them too.
      void this.killRemote(this.pid);
      this.finishRecording(res.exitCode);
      void this.audit('terminal.close', { exitCode: res.exitCode });
      this.setState({ state: 'exited', exitCode: res.exitCode });
    } else {
      this.finishRecording(-1);
      this.setState({ state: 'error', reason: this.explain(res.error ?? 'the exec failed') });
    }
  }

  private finishRecording(code: number): void {
    const r = this.recorder;
    this.recorder = undefined;
    if (!r) return;
    try {
      if (code >= 0) r.exit(code);
      r.close();
    } catch {
      // ignore
    }
  }

  private audit(kind: string, details: Record<string, unknown>): Promise<unknown> {
    if (!this.deps.audit) return Promise.resolve();
    return this.deps.audit.append(kind, this.deps.who ?? 'local', { id: this.id, ...this.ref, ...details }).catch(() => undefined);
  }

  write(data: string): void {
    if (typeof data !== 'string') throw new Error('writeTerminal: data must be a string');
    if (!this.exec) throw new Error(`terminal ${this.id} is ${this.stateValue.state}, not connected`);
    this.exec.write(data);
    try {
      this.recorder?.input(data);
    } catch {
      // ignore
    }
  }

  resize(cols: number, rows: number): void {
    if (!Number.isFinite(cols) || !Number.isFinite(rows) || cols < 1 || rows < 1) throw new Error('resizeTerminal: cols and rows must be positive numbers');
    this.cols = clampSize(cols, this.cols);
    this.rows = clampSize(rows, this.rows);
    this.exec?.resize(this.cols, this.rows);
    try {
      this.recorder?.resize(this.cols, this.rows);
    } catch {
      // ignore
    }
  }

  ack(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new Error('ackTerminal: bytes must be a non-negative number');
    this.unacked = Math.max(0, this.unacked - bytes);
    const low = this.deps.lowWatermark ?? LOW_WATERMARK;
    if (this.pausedForAck && this.unacked < low) {
      this.pausedForAck = false;
      this.exec?.resume();
    }
  }

  mark(label: string): void {
    if (!this.recorder) throw new Error('this session is not being recorded');
    this.recorder.marker(String(label));
  }

  /** The shell's working directory (via a second exec reading /proc/<pid>/cwd). */
  cwd(): Promise<string | undefined> {
    return remoteCwd(this.runBeside, this.pid);
  }

  /** Kills the remote shell's tree through a second exec. Best effort; bounded in time. */
  private killRemote(pid: number | undefined): Promise<void> {
    return killRemoteTree(this.runBeside, pid);
  }

  /** A fresh KubeConfig lookup each time: the context may have been edited since the session opened. */
  private readonly runBeside: RunBeside = (command, opts) => runExec(this.deps.kubeConfigFor(this.ref.context), this.ref, command, opts);

  /** Ends the session and the remote process; resolves once the kill exec has run. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.generation++;
    const exec = this.exec;
    this.exec = undefined;
    const wasLive = exec !== undefined;
    exec?.resume();
    await this.killRemote(this.pid);
    exec?.close();
    this.finishRecording(-1);
    if (wasLive) void this.audit('terminal.close', { closedBy: 'user' });
  }

  /** Starts a fresh exec under the same id (after a disconnect or an exit). The old shell is killed if still reachable. */
  async reconnect(): Promise<TerminalInfo> {
    if (this.closing) throw new Error(`terminal ${this.id} is closed`);
    const old = this.exec;
    const oldPid = this.pid;
    this.exec = undefined;
    this.generation++;
    old?.close();
    this.finishRecording(-1);
    // The old shell may still run on the far side of a dropped connection; don't leave it behind.
    void this.killRemote(oldPid);
    this.reconnecting = true;
    try {
      return await this.start();
    } finally {
      this.reconnecting = false;
    }
  }
}

function clampSize(n: number, fallback: number): number {
  if (!Number.isFinite(n) || n < 1) return fallback;
  return Math.min(Math.floor(n), 1000);
}
