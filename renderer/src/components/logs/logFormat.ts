/**
 * How a log view draws and saves its lines: a colour per source (pod, or pod/container) in order of first
 * appearance, an optional timestamp, the line's own colours kept on screen and stripped from the saved file;
 * and the page's bounded store of lines (the oldest go past its cap, so a tab open all day stays small).
 */
import type { LogLine } from '../../../../common/contract/index.ts';

/** xterm 256-colour indices that read well on both themes, far apart in hue. */
const PALETTE = [39, 208, 77, 170, 220, 45, 203, 141, 113, 215];

export interface FormatOptions {
  /** Tag lines with their source (several pods or containers in one tab). */
  showSource: boolean;
  /** The source names the container too (some pod has several). */
  showContainer: boolean;
  timestamps: boolean;
}

export const sourceOf = (l: LogLine, withContainer: boolean): string => (withContainer ? `${l.pod}/${l.container}` : l.pod);

/** Colours by source, the first source seen getting the first colour. */
export class SourceColors {
  private readonly map = new Map<string, number>();

  colorOf(source: string): number {
    let c = this.map.get(source);
    if (c === undefined) {
      c = PALETTE[this.map.size % PALETTE.length];
      this.map.set(source, c);
    }
    return c;
  }
}

/** A line as the terminal draws it (no newline): coloured source tag, dim time, the text with its own colours. */
export function formatLine(l: LogLine, o: FormatOptions, colors: SourceColors): string {
  let out = '';
  if (o.showSource) {
    const src = sourceOf(l, o.showContainer);
    out += `\x1b[38;5;${colors.colorOf(src)}m${src}\x1b[0m `;
  }
  if (o.timestamps) out += `\x1b[2m${l.time}\x1b[0m `;
  // Reset after the text: a line that leaves a colour on must not colour the next line's tag.
  return out + l.text + '\x1b[0m';
}

// CSI … final byte, OSC … BEL/ST, and lone ESC x: what a terminal would interpret rather than show.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ESCAPES, '');
}

/** The lines as a .log file: as shown (source, time when shown), without escape sequences. */
export function toLogFile(lines: readonly LogLine[], o: FormatOptions): string {
  return lines.map((l) => {
    const src = o.showSource ? `${sourceOf(l, o.showContainer)} ` : '';
    const time = o.timestamps ? `${l.time} ` : '';
    return `${src}${time}${stripAnsi(l.text)}\n`;
  }).join('');
}

/** A file name for a download: what the tab follows and when, safe on every OS. */
export function logFileName(what: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${what.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.log`;
}

/** The page's lines of one tab, at most `cap` (the oldest go first). */
export class LineStore {
  lines: LogLine[] = [];
  /** Lines this store let go to stay under its cap. */
  trimmed = 0;

  constructor(private readonly cap = 100_000) {}

  push(batch: readonly LogLine[]): void {
    for (const l of batch) this.lines.push(l);
    const over = this.lines.length - this.cap;
    if (over > 0) {
      this.lines.splice(0, over);
      this.trimmed += over;
    }
  }

  clear(): void {
    this.lines = [];
    this.trimmed = 0;
  }
}
