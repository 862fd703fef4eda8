/**
 * Search in recordings: the output text of `o` events with escape sequences stripped, matched as a stream
 * so a recording of any size is searched in constant memory. The format itself is read by
 * common/asciicast/asciicast.ts.
 */

/**
 * Strips terminal escape sequences from output, statefully, so a sequence split across two `o` events is
 * still removed. Keeps printable text, newlines and tabs; CSI/OSC/DCS/APC/PM/SOS strings and other C0
 * controls go. `\r` is dropped (`\r\n` becomes `\n`).
 */
export class EscapeStripper {
  private state: 'text' | 'esc' | 'csi' | 'str' | 'strEsc' | 'charset' = 'text';

  push(s: string): string {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      const c = s.charCodeAt(i);
      switch (this.state) {
        case 'text':
          if (c === 0x1b) this.state = 'esc';
          else if (c === 0x9b) this.state = 'csi';
          else if (c === 0x0a || c === 0x09) out += ch;
          else if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0)) out += ch;
          break;
        case 'esc':
          if (ch === '[') this.state = 'csi';
          else if (ch === ']' || ch === 'P' || ch === '_' || ch === '^' || ch === 'X') this.state = 'str';
          else if (ch === '(' || ch === ')' || ch === '*' || ch === '+' || ch === '#' || ch === '%') this.state = 'charset';
          else this.state = 'text';
          break;
        case 'charset':
          this.state = 'text';
          break;
        case 'csi':
          // parameters and intermediates 0x20–0x3f, final byte 0x40–0x7e
          if (c >= 0x40 && c <= 0x7e) this.state = 'text';
          else if (c === 0x1b) this.state = 'esc';
          break;
        case 'str':
          if (c === 0x07) this.state = 'text';
          else if (c === 0x1b) this.state = 'strEsc';
          break;
        case 'strEsc':
          this.state = ch === '\\' ? 'text' : 'str';
          break;
      }
    }
    return out;
  }
}

export interface TextMatch {
  /** Time of the event that completed the match: the moment the whole word is on screen. */
  time: number;
  snippet: string;
}

/**
 * Case-insensitive search over a stream of timed text pieces with a bounded window, so a recording of any
 * size is searched in constant memory and a word split across events is still found.
 */
export class StreamSearcher {
  private readonly q: string;
  private buf = '';
  /** Absolute offset of buf[0] in the whole text. */
  private base = 0;
  /** Where the next match may start (absolute). */
  private from = 0;
  /** (absolute end offset of a piece, time) for pieces still in the window, in order. */
  private pieces: { end: number; time: number }[] = [];
  readonly matches: TextMatch[] = [];
  /** Characters kept in the window: enough for a match split across pieces plus its snippet. */
  private readonly keep: number;

  constructor(query: string, private readonly limit = 50) {
    this.q = query.toLowerCase();
    this.keep = Math.max(160, this.q.length * 2 + 60);
  }

  get full(): boolean {
    return this.matches.length >= this.limit;
  }

  push(text: string, time: number): void {
    if (!text || !this.q || this.full) return;
    this.buf += text;
    const end = this.base + this.buf.length;
    this.pieces.push({ end, time });
    const lower = this.buf.toLowerCase();
    for (;;) {
      const at = lower.indexOf(this.q, this.from - this.base);
      if (at < 0) break;
      const absEnd = this.base + at + this.q.length;
      const piece = this.pieces.find((p) => p.end >= absEnd) ?? this.pieces[this.pieces.length - 1];
      this.matches.push({ time: piece.time, snippet: this.snippet(at) });
      this.from = absEnd;
      if (this.full) return;
    }
    this.from = Math.max(this.from, end - this.q.length + 1);
    if (this.buf.length > this.keep * 4) {
      const cut = this.buf.length - this.keep;
      this.buf = this.buf.slice(cut);
      this.base += cut;
      const firstKept = this.pieces.findIndex((p) => p.end > this.base);
      this.pieces = this.pieces.slice(Math.max(0, firstKept));
    }
  }

  /** The line around a match (what is in the window of it), trimmed to a readable length. */
  private snippet(at: number): string {
    const lineStart = this.buf.lastIndexOf('\n', at) + 1;
    let lineEnd = this.buf.indexOf('\n', at + this.q.length);
    if (lineEnd < 0) lineEnd = this.buf.length;
    let s = Math.max(lineStart, at - 60);
    const e = Math.min(lineEnd, at + this.q.length + 60);
    if (s > lineStart) {
      const sp = this.buf.indexOf(' ', s);
      if (sp >= 0 && sp < at) s = sp + 1;
    }
    return ((s > lineStart ? '…' : '') + this.buf.slice(s, e).trim() + (e < lineEnd ? '…' : '')).replace(/\t/g, ' ');
  }
}
