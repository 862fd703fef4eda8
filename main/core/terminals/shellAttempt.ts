/**
 * One exec attempt of a terminal session, and what it leaves to clean up. The session makes one before
 * its first await that can be interrupted (opening the exec), so a close or a reconnect at any moment
 * finds it: before the exec opens (it waits for the open to settle), after it opened but before the shell
 * announced its pid (it waits for the pid, keeping the stream open: closing it first would orphan a shell
 * it can no longer name), or later (it kills at once). Only then is the stream closed.
 */
import type { ExecStream } from '../kube/execStream.ts';

/** How long a cleanup waits for a starting shell to announce its pid (the session's own start waits 5 s). */
export const PID_WAIT_MS = 5_000;

export class ShellAttempt {
  exec?: ExecStream;
  pid?: number;
  /** Direct mode: the command runs unwrapped and never announces a pid. */
  noPid = false;
  private settled = false;
  private ended = false;
  private readonly wakers = new Set<() => void>();
  private reaping?: Promise<boolean>;

  /** `kill` ends a pid's tree; true when the shell is known gone (shellProcess.ts). */
  constructor(private readonly kill: (pid: number | undefined) => Promise<boolean>) {}

  /** The open settled: with the stream, or without one (it failed). */
  opened(exec: ExecStream | undefined): void {
    this.exec = exec;
    this.settled = true;
    void exec?.done.then(() => {
      this.ended = true;
      this.wake();
    });
    this.wake();
  }

  learnedPid(pid: number): void {
    this.pid ??= pid;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private async until(ready: () => boolean, ms?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let waker!: () => void;
    try {
      await new Promise<void>((resolve) => {
        waker = () => ready() && resolve();
        this.wakers.add(waker);
        if (ms !== undefined) timer = setTimeout(resolve, ms);
        waker();
      });
    } finally {
      clearTimeout(timer);
      this.wakers.delete(waker);
    }
  }

  /**
   * Ends this attempt's shell wherever its start is, then closes the stream. Once per attempt; resolves
   * true when nothing of it is known to run any more, false when its pid may still run (kept by the
   * session, to be killed once the cluster answers again).
   */
  reap(): Promise<boolean> {
    this.reaping ??= (async () => {
      await this.until(() => this.settled);
      const exec = this.exec;
      if (!exec) return true;
      // A paused stream would hold the marker back.
      exec.resume();
      if (!this.noPid) await this.until(() => this.pid !== undefined || this.ended, PID_WAIT_MS);
      const gone = await this.kill(this.pid);
      exec.close();
      return gone;
    })();
    return this.reaping;
  }
}
