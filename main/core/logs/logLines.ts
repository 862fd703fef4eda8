/**
 * The lines of a `pods/log?timestamps=true` stream: split from chunks (a line can straddle two), each cut into
 * the kubelet's timestamp and the text, and a cursor that makes a reconnect with `sinceTime` repeat no line.
 */
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is cut (a runaway line must not hold the whole stream in memory). */
export const MAX_LINE_CHARS = 64 * 1024;

export interface TimedLine {
  time: string;
  /** time as a fixed-width key that sorts as the time does (RFC3339Nano drops trailing zeros, so it does not). */
  key: string;
  text: string;
}

/** A fixed-width UTC key `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` of an RFC3339 time; undefined when it is none. */
export function timeKey(time: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  let base = m[1];
  if (m[3] !== 'Z') {
    const ms = Date.parse(`${m[1]}${m[3]}`);
    if (Number.isNaN(ms)) return undefined;
    base = new Date(ms).toISOString().slice(0, 19);
  }
  return `${base}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Splits a byte stream into timestamped lines. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** The complete lines in this chunk. */
  push(chunk: Buffer): TimedLine[] {
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_LINE_CHARS * 2) this.partial = this.partial.slice(0, MAX_LINE_CHARS * 2);
    return parts.map(parseLine);
  }

  /** What is left at the end of the stream (a last line without its newline). */
  end(): TimedLine[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest ? [parseLine(rest)] : [];
  }
}

function parseLine(raw: string): TimedLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const sp = line.indexOf(' ');
  const time = sp > 0 ? line.slice(0, sp) : '';
  const key = timeKey(time);
  // A line without a timestamp (a server that ignored timestamps=true): now, so it still sorts and dedupes sensibly.
  if (!key) {
    const now = new Date().toISOString();
    return { time: now, key: timeKey(now) ?? now, text: cut(line) };
  }
  return { time, key, text: cut(line.slice(sp + 1)) };
}

const cut = (s: string) => (s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS)} … [line cut at ${MAX_LINE_CHARS} characters]` : s);

/**
 * Where a stream has got to: the last line's time and how many lines carried exactly that time. A reconnect asks
 * for `sinceTime` = that time (a real API server passes it on to the kubelet at whole seconds, so more comes
 * back than asked); `admit` then lets through only what was not seen.
 */
export class LogCursor {
  private lastKey = '';
  private atLast = 0;
  private replaySeen = 0;
  lastTime?: string;

  /** Call before the lines of a reconnected stream. */
  rewind(): void {
    this.replaySeen = 0;
  }

  admit(line: TimedLine): boolean {
    if (line.key < this.lastKey) return false;
    if (line.key === this.lastKey) {
      if (this.replaySeen < this.atLast) { this.replaySeen++; return false; }
      this.atLast++;
      this.replaySeen++;
      return true;
    }
    this.lastKey = line.key;
    this.lastTime = line.time;
    this.atLast = 1;
    this.replaySeen = 1;
    return true;
  }
}
