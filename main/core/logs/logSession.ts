/**
 * One log tab's session: a ContainerStream per (pod, container) it follows — the set changes as a workload's pods
 * come and go — merged in time order and sent in batches. Flow control as for terminals, in lines: at most
 * `window` lines unacknowledged by the page; what waits beyond that is held up to `maxPending` lines, and past
 * that the oldest waiting lines are dropped and counted (the page shows the count), so a page that cannot keep
 * up costs the server a bounded buffer, never a growing one, and never stalls the streams.
 */
import { LOG_WINDOW_LINES, type LogLine, type LogOptions, type LogSessionState, type LogStreamState } from '../../../common/contract/logs.ts';
import { ContainerStream, type LogRequest } from './containerStream.ts';
import type { TimedLine } from './logLines.ts';

export interface LogSessionDeps {
  id: string;
  namespace: string;
  options: LogOptions;
  request: LogRequest;
  sendLines(lines: LogLine[]): void;
  sendState(state: LogSessionState): void;
  window?: number;
  maxPending?: number;
  /** How long lines gather before a batch goes (ms): one event per batch, not per line. */
  flushMs?: number;
  backoffMs?: readonly number[];
}

/** The most lines in one event. */
const BATCH_LINES = 1000;
/** How long the first batch waits for every stream's first answer, so the first screen is in time order. */
const FIRST_WAIT_MS = 2000;

interface Pending extends LogLine { key: string }

export class LogSession {
  private readonly streams = new Map<string, ContainerStream>();
  private pending: Pending[] = [];
  private unacked = 0;
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly openedAt = Date.now();
  private error?: string;

  constructor(private readonly d: LogSessionDeps) {}

  get id(): string { return this.d.id; }

  /** Follow exactly these pods' containers: new ones start, missing ones stop (their lines so far stay). */
  setTargets(targets: { pod: string; container: string }[]): void {
    if (this.closed) return;
    const want = new Set(targets.map((t) => `${t.pod}/${t.container}`));
    for (const [key, s] of this.streams) if (!want.has(key)) { s.close(); this.streams.delete(key); }
    for (const t of targets) {
      const key = `${t.pod}/${t.container}`;
      if (this.streams.has(key)) continue;
      const s = new ContainerStream({
        request: this.d.request, namespace: this.d.namespace, pod: t.pod, container: t.container, options: this.d.options,
        backoffMs: this.d.backoffMs,
        onLines: (lines) => this.add(t.pod, t.container, lines),
        onState: () => { this.sendState(); this.schedule(); },
      });
      this.streams.set(key, s);
      void s.run().then(() => this.sendState());
    }
    this.sendState();
  }

  /** The whole session failed (its pod is gone, say): shown as the tab's error. */
  fail(message: string): void {
    this.error = message;
    this.sendState();
  }

  ack(lines: number): void {
    if (!Number.isFinite(lines) || lines <= 0) return;
    this.unacked = Math.max(0, this.unacked - lines);
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
    this.pending = [];
  }

  state(): LogSessionState {
    const streams: LogStreamState[] = [...this.streams.values()].map((s) => s.current);
    const following = this.d.options.follow && !this.d.options.previous;
    const done = !following && streams.every((s) => s.state === 'ended' || s.state === 'error') && this.pending.length === 0;
    return { id: this.d.id, streams, dropped: this.dropped, done, ...(this.error ? { error: this.error } : {}) };
  }

  private sendState(): void {
    if (!this.closed) this.d.sendState(this.state());
  }

  private add(pod: string, container: string, lines: TimedLine[]): void {
    if (this.closed) return;
    for (const l of lines) this.pending.push({ time: l.time, pod, container, text: l.text, key: l.key });
    const max = this.d.maxPending ?? 20 * LOG_WINDOW_LINES;
    if (this.pending.length > max) {
      this.sortPending();
      const over = this.pending.length - max;
      this.pending.splice(0, over);
      this.dropped += over;
      this.sendState();
    }
    this.schedule();
  }

  private sortPending(): void {
    // Stable: lines of one stream with the same time keep their order.
    this.pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private schedule(): void {
    if (this.closed || this.timer || !this.pending.length) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, this.d.flushMs ?? 30);
  }

  private flush(): void {
    if (this.closed || !this.pending.length) return;
    const waiting = [...this.streams.values()].some((s) => s.current.state === 'connecting');
    if (waiting && Date.now() - this.openedAt < FIRST_WAIT_MS) { this.schedule(); return; }
    const room = (this.d.window ?? LOG_WINDOW_LINES) - this.unacked;
    if (room <= 0) return; // an ack reschedules
    this.sortPending();
    const batch = this.pending.splice(0, Math.min(room, BATCH_LINES)).map(({ key: _key, ...line }) => line);
    this.unacked += batch.length;
    this.d.sendLines(batch);
    if (this.pending.length) this.schedule();
    else if (this.state().done) this.sendState();
  }
}
