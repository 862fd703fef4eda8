/**
 * One transfer of the queue: the TransferInfo the contract shows, its cancel switch, and its progress —
 * bytes and totals summed over the items, a rate over the last few seconds, the time left — sent as
 * `transfer.progress` at most every 200 ms while bytes move, and at once on every change of state.
 * FilesService decides what runs when; this object is the one place that knows how far a transfer got.
 */
import type { TransferInfo, TransferItemState } from '../../../common/contract/files.ts';
import { Cancelled, type ItemHooks, type ItemResult } from './copyStream.ts';

const EMIT_EVERY_MS = 200;
/** Rate window: the last few seconds, so the figure follows a change of speed quickly but doesn't jitter. */
const RATE_WINDOW_MS = 3000;

/** How an item's copy behaves: what FilesService's options say. */
export type CopyOptions = Pick<ItemHooks, 'stallMs' | 'retries' | 'compress' | 'symlinks'>;

export class Transfer {
  readonly abort = new AbortController();
  private lastEmit = 0;
  private emitTimer?: NodeJS.Timeout;
  private samples: { t: number; bytes: number }[] = [];

  constructor(
    readonly info: TransferInfo,
    private readonly emit: (info: TransferInfo) => void,
  ) {}

  get settled(): boolean {
    return this.info.state !== 'queued' && this.info.state !== 'running';
  }

  /** Sums the items, updates rate and time left, and emits (throttled unless `force`). */
  push(force = false): void {
    const now = Date.now();
    const info = this.info;
    info.bytes = info.items.reduce((s, i) => s + i.bytes, 0);
    info.totalBytes = info.items.reduce((s, i) => s + i.totalBytes, 0);
    this.samples.push({ t: now, bytes: info.bytes });
    while (this.samples.length > 2 && now - this.samples[0].t > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    if (info.state === 'running' && dt > 0.25) info.rate = Math.max(0, (info.bytes - first.bytes) / dt);
    if (info.state === 'running' && info.rate > 0 && info.totalBytes >= info.bytes) info.etaSeconds = Math.round((info.totalBytes - info.bytes) / info.rate);
    else delete info.etaSeconds;
    if (!force && now - this.lastEmit < EMIT_EVERY_MS) {
      this.emitTimer ??= setTimeout(() => {
        this.emitTimer = undefined;
        this.push(true);
      }, EMIT_EVERY_MS);
      return;
    }
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    this.lastEmit = now;
    this.emit(structuredClone(info));
  }

  /** Cancelled before it ran: every item is cancelled too. */
  cancelQueued(): void {
    this.abort.abort();
    this.info.state = 'cancelled';
    for (const it of this.info.items) if (it.state === 'queued') it.state = 'cancelled';
    this.push(true);
  }

  start(): void {
    this.info.state = 'running';
    this.info.started = new Date().toISOString();
    this.push(true);
  }

  /** Marks the item running and returns the hooks its copy reports through. */
  startItem(item: TransferItemState, opts: CopyOptions): ItemHooks {
    item.state = 'running';
    this.push(true);
    return {
      ...opts,
      signal: this.abort.signal,
      onTotal: (n) => {
        item.totalBytes = n;
        this.push();
      },
      onBytes: (n) => {
        item.bytes += n;
        this.push();
      },
      onNote: (m) => {
        (item.notes ??= []).push(m);
      },
    };
  }

  itemDone(item: TransferItemState, res: ItemResult): void {
    item.state = res.state;
    item.verified = res.verified;
    item.finalPath = res.finalPath;
    if (res.warnings.length) (item.notes ??= []).push(...res.warnings);
    if (res.state === 'done') item.bytes = item.totalBytes;
    this.push(true);
  }

  itemFailed(item: TransferItemState, e: unknown): void {
    if (this.abort.signal.aborted || e instanceof Cancelled) {
      item.state = 'cancelled';
      item.error = 'Cancelled; partial files were removed';
    } else {
      item.state = 'failed';
      item.error = e instanceof Error ? e.message : String(e);
    }
    this.push(true);
  }

  finish(): void {
    const info = this.info;
    const states = info.items.map((i) => i.state);
    info.state = this.abort.signal.aborted ? 'cancelled' : states.includes('failed') ? 'failed' : 'done';
    if (info.state === 'failed') {
      const n = states.filter((s) => s === 'failed').length;
      info.error = `${n} of ${states.length} item${states.length === 1 ? '' : 's'} failed`;
    }
    info.finished = new Date().toISOString();
    info.rate = 0;
    this.push(true);
  }
}
