/**
 * Routes each session's `terminal.data`, `terminal.snapshot` and `terminal.state` events to the pane that shows it, and sends the
 * pane's acknowledgements back. No reactive state here: output is the hot path (megabytes a second during a
 * flood) and goes straight from the event into the pane's xterm; the pane acknowledges from xterm's write
 * callback, which drives the main side's flow control (docs/ARCHITECTURE.md, the terminal path).
 *
 * Output can arrive before its pane is ready (the first prompt often comes before openTerminal's answer, and a
 * pane attaches when it mounts): it waits in a backlog until both the session id is bound and the pane attached.
 * A snapshot (the whole screen, after attaching or a resync) replaces whatever output waited before it.
 */
import type { TerminalSnapshot, TerminalState } from '../../../common/contract/index.ts';

/** What a pane registers to receive its session's output. */
export interface Sink {
  write(id: string, data: Uint8Array): void;
  /** Replace the screen: reset the terminal, size it to the snapshot, write the snapshot's data. */
  snapshot(id: string, snap: TerminalSnapshot): void;
  /** A note from Kubedeck itself, drawn dim in the terminal (not sent by the pod). */
  note(text: string): void;
  size(): { cols: number; rows: number } | undefined;
}

export interface RouterOptions {
  /** Sends an acknowledgement to the main side (already batched per session). */
  ack(id: string, bytes: number): void;
  /** A state event for a session bound to a pane (`key` is the pane's session key). */
  onState(key: string, state: TerminalState): void;
  /** The first output of a session id reached its pane. */
  onFirstOutput(key: string): void;
  /** Bytes waiting for their pane, all sessions together; beyond it output is dropped (default 4 MiB). */
  backlogLimit?: number;
  /** Runs the batched acknowledgements later (default: the next macrotask, so a tick's chunks make one call). */
  defer?(fn: () => void): void;
}

export class StreamRouter {
  private readonly sinks = new Map<string, Sink>();
  private readonly keyOfId = new Map<string, string>();
  private readonly idOfKey = new Map<string, string>();
  private readonly backlog = new Map<string, (Uint8Array | TerminalSnapshot)[]>();
  private backlogBytes = 0;
  /** States of ids not bound yet: an end can be reported while openTerminal's answer is on its way. */
  private readonly earlyStates = new Map<string, TerminalState>();
  /** Session ids that produced output (checked per chunk, so a set rather than the session's field). */
  private readonly withOutput = new Set<string>();
  private readonly pendingAcks = new Map<string, number>();
  private ackScheduled = false;
  private readonly backlogLimit: number;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly opts: RouterOptions) {
    this.backlogLimit = opts.backlogLimit ?? 4 * 1024 * 1024;
    this.defer = opts.defer ?? ((fn) => void setTimeout(fn, 0));
  }

  /** A `terminal.data` event. */
  data(id: string, data: Uint8Array): void {
    const key = this.keyOfId.get(id);
    const sink = key ? this.sinks.get(key) : undefined;
    if (key && sink) {
      sink.write(id, data);
      if (!this.withOutput.has(id)) {
        this.withOutput.add(id);
        this.opts.onFirstOutput(key);
      }
      return;
    }
    if (this.backlogBytes + data.length > this.backlogLimit) return;
    let list = this.backlog.get(id);
    if (!list) this.backlog.set(id, (list = []));
    list.push(data);
    this.backlogBytes += data.length;
  }

  /** A `terminal.snapshot` event: the screen as it is, to draw before any output that follows it. */
  snapshot(snap: TerminalSnapshot): void {
    const key = this.keyOfId.get(snap.id);
    const sink = key ? this.sinks.get(key) : undefined;
    if (key && sink) {
      sink.snapshot(snap.id, snap);
      return;
    }
    // Everything that waited is in the snapshot.
    this.dropBacklog(snap.id);
    this.backlog.set(snap.id, [snap]);
    this.backlogBytes += snap.data.length;
  }

  private dropBacklog(id: string): void {
    for (const d of this.backlog.get(id) ?? []) this.backlogBytes -= sizeOf(d);
    this.backlog.delete(id);
  }

  /** A `terminal.state` event. */
  state(id: string, state: TerminalState): void {
    const key = this.keyOfId.get(id);
    if (key) this.opts.onState(key, state);
    else this.earlyStates.set(id, state);
  }

  /**
   * Binds a session id (openTerminal's or reconnectTerminal's answer) to a pane's session key; the key's
   * previous id, if another, is forgotten. Returns the state reported for the id before it was bound, if any.
   */
  bind(key: string, id: string): TerminalState | undefined {
    const previous = this.idOfKey.get(key);
    if (previous && previous !== id) this.keyOfId.delete(previous);
    this.idOfKey.set(key, id);
    this.keyOfId.set(id, key);
    this.flush(id);
    const early = this.earlyStates.get(id);
    this.earlyStates.delete(id);
    return early;
  }

  /** A pane starts showing its session; returns the detach function (which leaves a newer sink in place). */
  attach(key: string, sink: Sink): () => void {
    this.sinks.set(key, sink);
    const id = this.idOfKey.get(key);
    if (id) this.flush(id);
    return () => {
      if (this.sinks.get(key) === sink) this.sinks.delete(key);
    };
  }

  sink(key: string): Sink | undefined {
    return this.sinks.get(key);
  }

  /** The pane's session ended for good: forget its sink, its id and whatever output still waited. */
  release(key: string): void {
    this.sinks.delete(key);
    const id = this.idOfKey.get(key);
    this.idOfKey.delete(key);
    if (!id) return;
    this.keyOfId.delete(id);
    this.forget(id);
  }

  /** Drops what is kept for an id that no pane will show (its tab closed while it opened). */
  forget(id: string): void {
    this.dropBacklog(id);
    this.earlyStates.delete(id);
    this.withOutput.delete(id);
  }

  /** Acknowledges rendered bytes, batched so a flood of small chunks is not a flood of calls. */
  ack(id: string, bytes: number): void {
    this.pendingAcks.set(id, (this.pendingAcks.get(id) ?? 0) + bytes);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    this.defer(() => {
      this.ackScheduled = false;
      for (const [sid, n] of this.pendingAcks) this.opts.ack(sid, n);
      this.pendingAcks.clear();
    });
  }

  private flush(id: string): void {
    const key = this.keyOfId.get(id);
    const sink = key ? this.sinks.get(key) : undefined;
    const list = this.backlog.get(id);
    if (!sink || !list) return;
    this.backlog.delete(id);
    for (const d of list) {
      this.backlogBytes -= sizeOf(d);
      if (d instanceof Uint8Array) sink.write(id, d);
      else sink.snapshot(id, d);
    }
  }
}

const sizeOf = (d: Uint8Array | TerminalSnapshot): number => (d instanceof Uint8Array ? d.length : d.data.length);
