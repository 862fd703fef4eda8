/**
 * What a person sees in a terminal, as a value two terminals can be compared by: every line of both
 * buffers (scrollback included) cell by cell with colours and attributes, the cursor, and which buffer
 * (normal or a full-screen program's alternate one) is shown. For tests of restored screens.
 */
import xtermHeadless from '@xterm/headless';

type Headless = InstanceType<typeof xtermHeadless.Terminal>;

export function newHeadless(cols: number, rows: number, scrollback = 10_000): Headless {
  return new xtermHeadless.Terminal({ cols, rows, scrollback, allowProposedApi: true });
}

/** Writes and waits until parsed. */
export function writeAll(term: Headless, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

export interface ScreenView {
  buffer: 'normal' | 'alternate';
  cols: number;
  rows: number;
  cursor: { x: number; y: number };
  /** Lines of the normal buffer and, when shown, the alternate one: text plus a run-length attribute map. */
  normal: string[];
  alternate?: string[];
}

function lines(term: Headless, which: 'normal' | 'alternate'): string[] {
  const buf = which === 'normal' ? term.buffer.normal : term.buffer.alternate;
  const out: string[] = [];
  const cell = buf.getNullCell();
  const plain = attrOf(buf.getNullCell());
  for (let y = 0; y < buf.length; y++) {
    const line = buf.getLine(y);
    if (!line) continue;
    let text = '';
    let attrs = '';
    let last = '';
    for (let x = 0; x < term.cols; x++) {
      line.getCell(x, cell);
      text += cell.getChars() || (cell.getWidth() ? ' ' : '');
      const a = attrOf(cell);
      if (a !== last) attrs += `[${x}]${a}`;
      last = a;
    }
    out.push(`${text.replace(/ +$/, '')}${line.isWrapped ? ' ↩' : ''} ${attrs}`);
  }
  // Trailing blank lines are the same screen however many a terminal keeps.
  while (out.length && out[out.length - 1] === ` [0]${plain}`) out.pop();
  return out;
}

type Cell = ReturnType<Headless['buffer']['normal']['getNullCell']>;

function attrOf(c: Cell): string {
  return `${c.getFgColorMode()}:${c.getFgColor()}/${c.getBgColorMode()}:${c.getBgColor()}/${+c.isBold()}${+c.isItalic()}${+c.isUnderline()}${+c.isInverse()}${+c.isDim()}`;
}

export function screenOf(term: Headless): ScreenView {
  const active = term.buffer.active;
  const view: ScreenView = {
    buffer: active.type,
    cols: term.cols,
    rows: term.rows,
    cursor: { x: active.cursorX, y: active.cursorY },
    normal: lines(term, 'normal'),
  };
  if (active.type === 'alternate') view.alternate = lines(term, 'alternate');
  return view;
}
