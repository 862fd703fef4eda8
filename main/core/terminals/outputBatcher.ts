/**
 * Coalesces a session's output before it is fanned out: a shell writes in many small chunks, and each
 * chunk sent alone costs a frame, an event and a write call per viewer. Like VS Code's terminal data
 * bufferer (~5 ms), except that the first chunk after a quiet spell goes out at once — a keystroke's echo
 * must not wait for a timer — and only what follows within the window is batched (or sent at 64 KiB).
 */
export const BATCH_MS = 5;
export const BATCH_BYTES = 64 * 1024;

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
  private lastFlush = -Infinity;
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
    if (!this.bytes && !this.timer && this.now() - this.lastFlush >= this.windowMs) {
      // Quiet until now: send at once, and batch what follows for one window.
      this.emit(data);
      this.arm();
      return;
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
    this.lastFlush = this.now();
    this.opts.flush(data);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.bytes) {
        this.flush();
        this.arm();
      }
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
