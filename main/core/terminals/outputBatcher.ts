/**
 * Coalesces a session's output before it is fanned out: a shell writes in many small chunks, and each
 * chunk sent alone costs a frame, an event and a write call per viewer. Like VS Code's terminal data
 * bufferer (~5 ms), except that small output goes out at once: the first QUICK_BYTES of each window are
 * sent as they come, so a keystroke's echo never waits for a timer — not even while the user types fast,
 * each key's echo landing within the window of the one before — and only output beyond that (a command's
 * listing, a flood) is batched for the window, or sent as soon as 64 KiB are waiting.
 */
export const BATCH_MS = 5;
export const BATCH_BYTES = 64 * 1024;
/** Per window, this much output is sent without waiting: echoes and prompts, never a flood. */
export const QUICK_BYTES = 1024;

export interface BatcherOptions {
  flush(data: Uint8Array): void;
  windowMs?: number;
  maxBytes?: number;
  now?: () => number;
}

export class OutputBatcher {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private timer?: NodeJS.Timeout;
  private windowStart = -Infinity;
  private sentInWindow = 0;
  private readonly windowMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly opts: BatcherOptions) {
    this.windowMs = opts.windowMs ?? BATCH_MS;
    this.maxBytes = opts.maxBytes ?? BATCH_BYTES;
    this.now = opts.now ?? (() => performance.now());
  }

  push(data: Uint8Array): void {
    if (!data.length) return;
    if (!this.bytes) {
      const now = this.now();
      if (now - this.windowStart >= this.windowMs) {
        this.windowStart = now;
        this.sentInWindow = 0;
      }
      if (this.sentInWindow + data.length <= QUICK_BYTES) {
        this.emit(data);
        return;
      }
    }
    this.chunks.push(data);
    this.bytes += data.length;
    if (this.bytes >= this.maxBytes) this.flush();
    else if (!this.timer) this.arm();
  }

  /** Sends what is waiting now (before a snapshot is taken, so no chunk is both in it and sent after it). */
  flush(): void {
    if (!this.bytes) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.emit(data);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chunks = [];
    this.bytes = 0;
  }

  private emit(data: Uint8Array): void {
    this.sentInWindow += data.length;
    this.opts.flush(data);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.windowMs);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
