/**
 * The host's copy of a session's screen: every output byte goes through an @xterm/headless terminal, so
 * that a viewer attaching late (a reloaded page, a second window, a viewer that fell behind) is sent the
 * exact screen — scrollback, cursor, colours, modes, a full-screen program's alternate screen — serialized
 * by @xterm/addon-serialize, instead of a backlog. VS Code's pty host keeps its terminals the same way.
 *
 * The interface is asynchronous on purpose (writes are parsed later, a snapshot waits for what was written
 * before it), so the parser can move to a worker thread without its callers changing.
 */
import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';

/** The page's xterm keeps this many lines (renderer xtermSetup.ts); the host keeps as many, so a restore loses none. */
export const SCROLLBACK_LINES = 10_000;

export interface ScreenSnapshot {
  cols: number;
  rows: number;
  data: string;
}

export interface ScreenOptions {
  cols: number;
  rows: number;
  scrollback?: number;
  /** Called with the byte count of each written chunk once it has been parsed (drives the exec's pacing). */
  onParsed?(bytes: number): void;
}

export class ScreenState {
  private readonly term: InstanceType<typeof xtermHeadless.Terminal>;
  private readonly serializer: InstanceType<typeof serializeAddon.SerializeAddon>;
  private pendingBytes = 0;
  private disposed = false;

  constructor(private readonly opts: ScreenOptions) {
    this.term = new xtermHeadless.Terminal({
      cols: opts.cols,
      rows: opts.rows,
      scrollback: opts.scrollback ?? SCROLLBACK_LINES,
      allowProposedApi: true,
    });
    this.serializer = new serializeAddon.SerializeAddon();
    // The addon's typings name the browser Terminal; the headless one has the same buffer API it reads.
    this.term.loadAddon(this.serializer as unknown as Parameters<typeof this.term.loadAddon>[0]);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Bytes written but not parsed yet. */
  get backlog(): number {
    return this.pendingBytes;
  }

  write(data: Uint8Array): void {
    if (this.disposed || !data.length) return;
    const n = data.length;
    this.pendingBytes += n;
    this.term.write(data, () => {
      this.pendingBytes -= n;
      this.opts.onParsed?.(n);
    });
  }

  resize(cols: number, rows: number): void {
    if (this.disposed || (cols === this.term.cols && rows === this.term.rows)) return;
    this.term.resize(cols, rows);
  }

  /**
   * The screen after everything written so far (and nothing written after this call): the barrier is an
   * empty write, whose callback xterm runs right after the chunks before it were parsed.
   */
  snapshot(): Promise<ScreenSnapshot> {
    if (this.disposed) return Promise.resolve({ cols: this.opts.cols, rows: this.opts.rows, data: '' });
    return new Promise((resolve) => {
      this.term.write('', () => resolve(this.take()));
    });
  }

  private take(): ScreenSnapshot {
    if (this.disposed) return { cols: this.term.cols, rows: this.term.rows, data: '' };
    return { cols: this.term.cols, rows: this.term.rows, data: this.serializer.serialize({ scrollback: this.term.options.scrollback }) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.term.dispose();
  }
}
