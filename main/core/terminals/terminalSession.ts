/**
 * One pod terminal: an exec with a TTY, owned by the main process, shown by xterm in the renderer.
 *
 * Flow control follows the xterm.js guide: the renderer acknowledges bytes once xterm has written
 * them; above HIGH_WATERMARK unacknowledged bytes the exec socket is paused (TCP backpressure reaches
 * the process), below LOW_WATERMARK it resumes. So `yes` can't flood the UI and Ctrl-C stays instant.
 *
 * Cleanup: real runtimes keep an exec'd process running when its stream drops, so closing the
 * WebSocket is not enough. The session learns the shell's pid from a marker it strips from the output
 * and kills the shell's whole tree through a second exec (shellProcess.ts). Each start records its
 * attempt (shellAttempt.ts) before it awaits anything, so a close at any moment kills what it started;
 * pids of earlier shells that could not be killed yet (the cluster was down) are kept until they are.
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerRef, TerminalInfo, TerminalState } from '../../../common/contract/terminals.ts';
import type { RecorderLike, TerminalDeps } from './terminalDeps.ts';
import { ExecError, openExec, type ExecResult, type ExecStream } from '../kube/execStream.ts';
import { NO_SHELL_MESSAGE, looksLikeNoShell } from '../kube/noShell.ts';
import { runExec } from '../kube/runCollect.ts';
import { KILL_LIMIT_MS, killRemoteTree, remoteCwd, type RunBeside } from './shellProcess.ts';
import { ShellAttempt } from './shellAttempt.ts';
import { MarkerScanner, shellCommand } from './shell.ts';

/** xterm.js flow-control guide: ~100 kB high, ~10 kB low. */
export const HIGH_WATERMARK = 100_000;
export const LOW_WATERMARK = 10_000;

export type { AuditLike, RecorderLike, RecordingStarter, TerminalDeps, TerminalsEmit } from './terminalDeps.ts';

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
  /** The current exec attempt, from before its open to its end: what a close must clean up. */
  private attempt?: ShellAttempt;
  /** Pids of earlier shells of this session not yet known to be gone. */
  private readonly owed = new Set<number>();

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
    // A refused or failed open (403, no shell, pod not running…) is as much a part of the trail as an open.
    if (state.state === 'error') void this.audit('terminal.refused', { command: this.command ?? ['(shell)'], reason: state.reason });
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
    const attempt = new ShellAttempt((pid) => this.killRemote(pid));
    attempt.noPid = this.direct;
    this.attempt = attempt;
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
      attempt.opened(undefined);
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
    attempt.opened(exec);
    const scanner = new MarkerScanner();
    let sawOutput = false;
    if (this.direct) scanner.done = true;
    let firstSign!: () => void;
    const signed = new Promise<void>((r) => (firstSign = r));
    const current = (): boolean => gen === this.generation && !this.closing;
    exec.onData((_channel, bytes) => {
      const shown = scanner.push(bytes);
      if (scanner.pid) attempt.learnedPid(scanner.pid);
      // A stale attempt only needs its pid learned: whoever made it stale reaps it (close, reconnect).
      if (!current()) return;
      if (scanner.pid && !this.pid) this.pid = scanner.pid;
      if (scanner.shell && !this.shell) this.shell = scanner.shell;
      if (scanner.pid || (this.direct && shown.length)) firstSign();
      if (shown.length) {
        sawOutput = true;
        this.output(shown);
      }
    });
    if (!current()) return this.info();
    this.exec = exec;
    // Output is held until openTerminal has answered, so the renderer knows the id before the first prompt.
    this.held = [];
    void exec.done.then((res) => {
      firstSign();
      this.ended(gen, res, scanner.pid !== undefined || sawOutput, scanner);
    });
    if (this.owed.size) void this.killOwed();
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
    this.setState({ state: 'error', reason: NO_SHELL_MESSAGE, noShell: true });
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
  private killRemote(pid: number | undefined): Promise<boolean> {
    return killRemoteTree(this.runBeside, pid);
  }

  /** A fresh KubeConfig lookup each time: the context may have been edited since the session opened. */
  private readonly runBeside: RunBeside = (command, opts) => runExec(this.deps.kubeConfigFor(this.ref.context), this.ref, command, opts);

  /** Kills the shells of earlier attempts that could not be killed then; keeps the pids of those still unreachable. */
  private async killOwed(): Promise<void> {
    await Promise.all(
      [...this.owed].map(async (pid) => {
        if (await this.killRemote(pid)) this.owed.delete(pid);
      }),
    );
  }

  /** Reaps an attempt; a pid it could not kill is owed, to be killed once the cluster answers again. */
  private async retire(attempt: ShellAttempt | undefined): Promise<void> {
    if (!attempt) return;
    // Owed from the start, so that a reconnect racing this kill still knows the pid.
    if (attempt.pid) this.owed.add(attempt.pid);
    const gone = await attempt.reap();
    if (attempt.pid) {
      if (gone) this.owed.delete(attempt.pid);
      else this.owed.add(attempt.pid);
    }
  }

  /**
   * Ends the session and the remote process; resolves once the kill exec has run, at most KILL_LIMIT_MS
   * (a start still under way is reaped in the background past that).
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.generation++;
    const exec = this.exec;
    this.exec = undefined;
    const wasLive = exec !== undefined;
    const attempt = this.attempt;
    this.attempt = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.retire(attempt), this.killOwed()]),
      new Promise<void>((r) => (timer = setTimeout(r, KILL_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    this.finishRecording(-1);
    // Awaited: once close() (and so shutdown) resolves, the trail says the session ended.
    if (wasLive) await this.audit('terminal.close', { closedBy: 'user' });
  }

  /** Starts a fresh exec under the same id (after a disconnect or an exit). The old shell is killed if still reachable. */
  async reconnect(): Promise<TerminalInfo> {
    if (this.closing) throw new Error(`terminal ${this.id} is closed`);
    const old = this.attempt;
    this.attempt = undefined;
    this.exec = undefined;
    this.generation++;
    this.finishRecording(-1);
    // The old shell may still run on the far side of a dropped connection; don't leave it behind. If it
    // can't be killed now (the cluster is down), its pid is owed and killed by a later start or close.
    void this.retire(old);
    this.reconnecting = true;
    try {
      return await this.start();
    } finally {
      this.reconnecting = false;
    }
  }
}

/** A terminal size from a client: a whole number of cells, 1–1000, else the fallback. */
export function clampSize(n: number, fallback: number): number {
  if (!Number.isFinite(n) || n < 1) return fallback;
  return Math.min(Math.floor(n), 1000);
}
