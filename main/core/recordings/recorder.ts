/**
 * Records one terminal session to an asciicast v2 file while it runs.
 *
 * Events are buffered and written at least once a second (and whenever 64 KiB are pending), each write made
 * of whole lines, so if the app is killed the file is a valid recording up to the last second. fsync is not
 * needed for that: a killed process loses nothing the kernel already has. Write errors (a full disk) stop
 * the recording, never the session.
 */
import fs from 'node:fs';
import type { AsciicastHeader, KubedeckHeaderFields } from '../../../common/asciicast/asciicast.ts';

export interface RecordingMeta {
  context: string;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  cols: number;
  rows: number;
  title?: string;
  /** The shell that runs, if known (header env.SHELL); defaults to the command's first word. */
  shell?: string;
}

/** What `close()` leaves beside the recording (`<id>.meta.json`), so listing does not read whole files. */
export interface RecordingSidecar {
  duration: number;
  exitCode?: number;
  closed: true;
}

export interface RecorderOptions {
  id: string;
  path: string;
  meta: RecordingMeta;
  /** Wall clock (ms since the epoch) for the header timestamp. */
  wallClock: () => number;
  /** Monotonic clock (ms) for event times. */
  monotonic: () => number;
  /** Asked at every keystroke, so turning the setting off takes effect at once. */
  recordInput: () => boolean;
  flushMs?: number;
  /**
   * Size cap of this recording in bytes (the retention limit: retention never deletes a live recording, so a
   * runaway `cat /dev/urandom` must stop itself). Past it, output is no longer recorded; markers and the
   * exit still are.
   */
  maxBytes?: () => number;
  onClose?: (r: Recorder) => void;
}

const FLUSH_BYTES = 64 * 1024;

export class Recorder {
  readonly id: string;
  readonly path: string;
  readonly meta: RecordingMeta;
  readonly started: number;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private capped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly t0: number;
  private readonly decoder = new TextDecoder('utf-8');
  private lastTime = 0;
  private cols: number;
  private rows: number;
  private exitCode: number | undefined;
  private closed = false;
  private readonly opts: RecorderOptions;

  constructor(opts: RecorderOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.path = opts.path;
    this.meta = opts.meta;
    this.cols = opts.meta.cols;
    this.rows = opts.meta.rows;
    this.started = opts.wallClock();
    this.t0 = opts.monotonic();
    const m = opts.meta;
    const kubedeck: KubedeckHeaderFields = {
      context: m.context,
      namespace: m.namespace,
      pod: m.pod,
      container: m.container,
      command: m.command,
    };
    const header: AsciicastHeader = {
      version: 2,
      width: m.cols,
      height: m.rows,
      timestamp: Math.floor(this.started / 1000),
      title: m.title ?? `${m.pod}/${m.container} (${m.context}/${m.namespace})`,
      env: { TERM: 'xterm-256color', SHELL: m.shell ?? m.command[0] ?? '/bin/sh' },
      kubedeck,
    };
    // 'wx': never append to (or clobber) somebody else's file; 0600: readable by the owner only.
    this.fd = fs.openSync(this.path, 'wx', 0o600);
    this.written = fs.writeSync(this.fd, JSON.stringify(header) + '\n');
  }

  /** Seconds since the start, to the microsecond, never going backwards. */
  get elapsed(): number {
    const t = Math.round((this.opts.monotonic() - this.t0) * 1000) / 1e6;
    this.lastTime = Math.max(this.lastTime, t);
    return this.lastTime;
  }

  /** Seconds since the start, now (for listing a live recording; writes nothing). */
  get running(): number {
    return Math.max(this.lastTime, Math.round((this.opts.monotonic() - this.t0) * 1000) / 1e6);
  }

  /** Seconds of the last event written so far. */
  get duration(): number {
    return this.lastTime;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get exitStatus(): number | undefined {
    return this.exitCode;
  }

  /** Output bytes, as they came from the PTY; UTF-8 split across chunks is decoded across them. */
  output(data: Uint8Array | string): void {
    if (this.closed) return;
    const text = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
    if (text) this.event('o', text);
  }

  /** Keystrokes: recorded only while input recording is on (typed passwords stay out by default). */
  input(data: string): void {
    if (this.closed || !this.opts.recordInput()) return;
    this.event('i', data);
  }

  resize(cols: number, rows: number): void {
    if (this.closed || (cols === this.cols && rows === this.rows)) return;
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0) return;
    this.cols = cols;
    this.rows = rows;
    this.event('r', `${cols}x${rows}`);
  }

  marker(label: string): void {
    if (this.closed) return;
    this.event('m', String(label ?? ''));
  }

  /**
   * The process ended. asciicast v2 has no exit event, so this is a marker `exit N` (players show it, the
   * asciinema CLI plays it) plus the code in the sidecar written by close().
   */
  exit(code: number): void {
    if (this.closed) return;
    this.flushDecoder();
    this.exitCode = code;
    this.event('m', `exit ${code}`);
  }

  /** Writes what is pending now (the store calls this before reading a live recording). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.fd === undefined || !this.pending.length) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.written += fs.writeSync(this.fd, chunk);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Ends the recording: flushes, closes the file and writes the sidecar. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flushDecoder();
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already gone
      }
      this.fd = undefined;
    }
    const sidecar: RecordingSidecar = { duration: this.lastTime, exitCode: this.exitCode, closed: true };
    try {
      fs.writeFileSync(sidecarPath(this.path), JSON.stringify(sidecar) + '\n', { mode: 0o600 });
    } catch {
      // the recording itself is complete; listing falls back to reading its tail
    }
    this.opts.onClose?.(this);
  }

  private flushDecoder(): void {
    const rest = this.decoder.decode();
    if (rest) this.event('o', rest);
  }

  private event(code: string, data: string): void {
    if (this.fd === undefined || (this.capped && code !== 'm')) return;
    let line = JSON.stringify([this.elapsed, code, data]) + '\n';
    const max = this.opts.maxBytes?.();
    if (!this.capped && code !== 'm' && max !== undefined && this.written + this.pendingBytes + line.length > max) {
      this.capped = true;
      line = JSON.stringify([this.elapsed, 'm', 'recording stopped: size limit reached']) + '\n';
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.opts.flushMs ?? 1000);
      // A pending flush must not keep a quitting process alive; close() flushes what is left.
      this.timer.unref();
    }
  }

  private fail(err: unknown): void {
    console.error(`kubedeck: recording ${this.path} stopped: ${(err as Error).message}`);
    try {
      if (this.fd !== undefined) fs.closeSync(this.fd);
    } catch {
      // ignore
    }
    this.fd = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

export function sidecarPath(castPath: string): string {
  return castPath.replace(/\.cast$/, '') + '.meta.json';
}
