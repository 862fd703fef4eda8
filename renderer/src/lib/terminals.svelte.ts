/**
 * Terminal tabs and their sessions. A tab holds one terminal, or two side by side (split).
 * Output bytes go straight from the event to the pane's xterm (no reactive state in the data path);
 * the pane acknowledges them from xterm's write callback, which drives the main side's flow control.
 */
import type { ContainerRef, TerminalInfo, TerminalState } from '../../../common/contract/index.ts';
import { api, connection } from './api.ts';

export interface Session {
  /** Stable for the pane's life; the session id may change when a lost session is opened afresh. */
  key: string;
  /** The main side's session id; empty until openTerminal answers. */
  id: string;
  ref: ContainerRef;
  command?: string[];
  state: TerminalState;
  recording: boolean;
  shell?: string;
  /** Whether openTerminal was called (the pane starts it once it knows its size). */
  started: boolean;
  /** Whether any output arrived (a failed open leaves an empty terminal). */
  hadOutput?: boolean;
}

export interface Tab {
  key: string;
  /** A name the user gave; otherwise the title is context/namespace/pod. */
  customTitle?: string;
  panes: Session[];
  activePane: number;
}

/** What a pane registers to receive its session's output. */
export interface Sink {
  write(id: string, data: Uint8Array): void;
  /** A note from Kubedeck itself, drawn dim in the terminal (not sent by the pod). */
  note(text: string): void;
  size(): { cols: number; rows: number } | undefined;
}

/** Output that arrived before its pane was ready (the first prompt often comes before openTerminal's answer). */
const BACKLOG_LIMIT = 4 * 1024 * 1024;

let nextKey = 1;
const newKey = (p: string) => `${p}${nextKey++}`;

export function tabTitle(tab: Tab): string {
  if (tab.customTitle) return tab.customTitle;
  const r = tab.panes[0]?.ref;
  return r ? `${r.context}/${r.namespace}/${r.pod}` : 'terminal';
}

const SEVERITY: Record<TerminalState['state'], number> = { connected: 0, connecting: 1, exited: 2, disconnected: 3, error: 4 };

/** The state a tab shows: its worst pane's. */
export function tabState(tab: Tab): TerminalState {
  let worst = tab.panes[0]?.state ?? { state: 'connecting' };
  for (const p of tab.panes) if (SEVERITY[p.state.state] > SEVERITY[worst.state]) worst = p.state;
  return worst;
}

const isFinal = (s: TerminalState) => s.state === 'exited' || s.state === 'error' || s.state === 'disconnected';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Terminals {
  tabs = $state<Tab[]>([]);
  activeKey = $state<string | undefined>();
  /** Bumped to ask the active pane to take keyboard focus. */
  focusSeq = $state(0);

  private readonly sinks = new Map<string, Sink>();
  private readonly idToKey = new Map<string, string>();
  private readonly backlog = new Map<string, Uint8Array[]>();
  private backlogBytes = 0;
  private readonly earlyStates = new Map<string, TerminalState>();
  /** Session ids that produced output (checked per chunk, so kept out of reactive state). */
  private readonly withOutput = new Set<string>();
  private started = false;

  get active(): Tab | undefined {
    return this.tabs.find((t) => t.key === this.activeKey);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    api.on('terminal.data', ({ id, data }) => this.receive(id, data));
    api.on('terminal.state', ({ id, state }) => {
      const s = this.sessionById(id);
      if (s) this.applyState(s, state);
      else this.earlyStates.set(id, state);
    });
    connection.onChange((s, reconnected) => {
      if (s.state === 'connected' && reconnected) void this.reconcile();
      if (s.state === 'reconnecting') {
        // A serve-mode client's sessions end with its socket (main/core closes a client's terminals).
        for (const sess of this.allSessions()) {
          if (sess.state.state === 'connected' || sess.state.state === 'connecting') {
            this.applyState(sess, { state: 'disconnected', reason: 'The connection to Kubedeck was lost.' });
          }
        }
      }
    });
  }

  allSessions(): Session[] {
    return this.tabs.flatMap((t) => t.panes);
  }

  sessionById(id: string): Session | undefined {
    const key = this.idToKey.get(id);
    return key ? this.allSessions().find((s) => s.key === key) : undefined;
  }

  private receive(id: string, data: Uint8Array): void {
    const key = this.idToKey.get(id);
    const sink = key ? this.sinks.get(key) : undefined;
    if (sink) {
      sink.write(id, data);
      if (!this.withOutput.has(id)) {
        this.withOutput.add(id);
        const s = this.sessionById(id);
        if (s) s.hadOutput = true;
      }
      return;
    }
    if (this.backlogBytes + data.length > BACKLOG_LIMIT) return;
    let list = this.backlog.get(id);
    if (!list) this.backlog.set(id, (list = []));
    list.push(data);
    this.backlogBytes += data.length;
  }

  private flushBacklog(id: string): void {
    const key = this.idToKey.get(id);
    const sink = key ? this.sinks.get(key) : undefined;
    const list = this.backlog.get(id);
    if (!sink || !list) return;
    this.backlog.delete(id);
    for (const d of list) {
      this.backlogBytes -= d.length;
      sink.write(id, d);
    }
  }

  private applyState(s: Session, state: TerminalState): void {
    const prev = s.state;
    s.state = state;
    const sink = this.sinks.get(s.key);
    if (!sink || prev.state === state.state) return;
    if (state.state === 'exited') sink.note(`Process exited with code ${state.exitCode}.`);
    if (state.state === 'disconnected') sink.note(`Disconnected: ${state.reason}`);
    // An error is shown on a card over the pane; only a session that had output gets a line in it too.
    if (state.state === 'error' && s.hadOutput) sink.note(state.reason);
  }

  /** Opens a terminal in a new, focused tab. The pane calls `startSession` when it knows its size. */
  open(ref: ContainerRef, command?: string[]): Tab {
    const tab: Tab = { key: newKey('tab'), panes: [this.newSession(ref, command)], activePane: 0 };
    this.tabs.push(tab);
    this.activate(tab.key);
    return this.tabs[this.tabs.length - 1];
  }

  private newSession(ref: ContainerRef, command?: string[]): Session {
    return { key: newKey('s'), id: '', ref: { ...ref }, command, state: { state: 'connecting' }, recording: false, started: false };
  }

  /** A new tab with a fresh terminal into the same container (and command) as the given tab's. */
  duplicate(tabKey: string): void {
    const tab = this.tabs.find((t) => t.key === tabKey);
    const first = tab?.panes[0];
    if (first) this.open(first.ref, first.command);
  }

  closeOthers(tabKey: string): void {
    for (const t of this.tabs.filter((x) => x.key !== tabKey)) this.close(t.key);
    this.activate(tabKey);
  }

  /** Splits a tab: a second terminal into the same container, beside the first. */
  split(tabKey: string): void {
    const tab = this.tabs.find((t) => t.key === tabKey);
    if (!tab || tab.panes.length >= 2) return;
    const first = tab.panes[0];
    tab.panes.push(this.newSession(first.ref, first.command));
    tab.activePane = 1;
    this.focusSeq++;
  }

  /** Closes one pane of a split tab (the tab itself when it is the last pane). */
  closePane(tabKey: string, paneKey: string): void {
    const tab = this.tabs.find((t) => t.key === tabKey);
    if (!tab) return;
    if (tab.panes.length <= 1) return this.close(tabKey);
    const s = tab.panes.find((p) => p.key === paneKey);
    tab.panes = tab.panes.filter((p) => p.key !== paneKey);
    tab.activePane = 0;
    if (s) this.endSession(s);
    this.focusSeq++;
  }

  registerSink(sessionKey: string, sink: Sink): () => void {
    this.sinks.set(sessionKey, sink);
    const s = this.allSessions().find((x) => x.key === sessionKey);
    if (s?.id) this.flushBacklog(s.id);
    return () => {
      if (this.sinks.get(sessionKey) === sink) this.sinks.delete(sessionKey);
    };
  }

  async startSession(s: Session, cols: number, rows: number): Promise<void> {
    if (s.started) return;
    s.started = true;
    await this.openFresh(s, cols, rows);
  }

  private async openFresh(s: Session, cols: number, rows: number): Promise<void> {
    s.state = { state: 'connecting' };
    let info: TerminalInfo;
    try {
      info = await api.openTerminal({ ...s.ref, command: s.command ? [...s.command] : undefined, cols, rows });
    } catch (err) {
      this.typedAhead.delete(s.key);
      this.applyState(s, { state: 'error', reason: errorMessage(err) });
      return;
    }
    if (!this.allSessions().some((x) => x.key === s.key)) {
      // The tab was closed while the session was opening.
      void api.closeTerminal(info.id).catch(() => {});
      return;
    }
    this.bind(s, info);
  }

  private bind(s: Session, info: TerminalInfo): void {
    if (s.id && s.id !== info.id) this.idToKey.delete(s.id);
    s.id = info.id;
    s.recording = info.recording;
    s.shell = info.shell;
    this.idToKey.set(info.id, s.key);
    this.flushBacklog(info.id);
    let state = info.state;
    const early = this.earlyStates.get(info.id);
    this.earlyStates.delete(info.id);
    // An end reported while the answer was on its way wins over the "connected" the answer carried.
    if (early && isFinal(early) && !isFinal(state)) state = early;
    this.applyState(s, state);
    const typed = this.typedAhead.get(s.key);
    this.typedAhead.delete(s.key);
    if (typed && state.state === 'connected') void api.writeTerminal(info.id, typed).catch(() => {});
    // The pane may have changed size while the session was opening.
    const size = this.sinks.get(s.key)?.size();
    if (size && state.state === 'connected' && (size.cols !== 0 && size.rows !== 0)) void api.resizeTerminal(info.id, size.cols, size.rows).catch(() => {});
  }

  /** Starts a new exec for a disconnected or exited session (same id when the main side still has it). */
  async reconnect(s: Session): Promise<void> {
    if (s.state.state === 'connecting') return;
    const sink = this.sinks.get(s.key);
    sink?.note('Reconnecting…');
    const size = sink?.size() ?? { cols: 80, rows: 24 };
    s.state = { state: 'connecting' };
    if (s.id) {
      try {
        const info = await api.reconnectTerminal(s.id);
        this.bind(s, info);
        return;
      } catch {
        // The main side no longer knows this session (for instance after serve mode's socket dropped): open afresh.
      }
    }
    await this.openFresh(s, size.cols, size.rows);
  }

  /** Keys typed while a session is still connecting, sent once it is (a user types before the prompt). */
  private readonly typedAhead = new Map<string, string>();

  write(s: Session, data: string): void {
    if (s.state.state === 'connecting') {
      const prev = this.typedAhead.get(s.key) ?? '';
      if (prev.length + data.length <= 4096) this.typedAhead.set(s.key, prev + data);
      return;
    }
    if (!s.id || s.state.state !== 'connected') return;
    void api.writeTerminal(s.id, data).catch(() => {});
  }

  resize(s: Session, cols: number, rows: number): void {
    if (!s.id || s.state.state !== 'connected') return;
    void api.resizeTerminal(s.id, cols, rows).catch(() => {});
  }

  private ackPending = new Map<string, number>();
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  /** Acknowledges rendered bytes, batched per tick so a flood of small chunks is not a flood of calls. */
  ack(id: string, bytes: number): void {
    this.ackPending.set(id, (this.ackPending.get(id) ?? 0) + bytes);
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      for (const [sid, n] of this.ackPending) void api.ackTerminal(sid, n).catch(() => {});
      this.ackPending.clear();
    }, 0);
  }

  private endSession(s: Session): void {
    this.sinks.delete(s.key);
    this.typedAhead.delete(s.key);
    if (!s.id) return;
    this.idToKey.delete(s.id);
    this.backlog.delete(s.id);
    void api.closeTerminal(s.id).catch(() => {});
  }

  close(tabKey: string): void {
    const i = this.tabs.findIndex((t) => t.key === tabKey);
    if (i < 0) return;
    const [tab] = this.tabs.splice(i, 1);
    for (const s of tab.panes) this.endSession(s);
    if (this.activeKey === tabKey) {
      const next = this.tabs[Math.min(i, this.tabs.length - 1)];
      this.activate(next?.key);
    }
  }

  activate(tabKey: string | undefined): void {
    this.activeKey = tabKey;
    this.focusSeq++;
  }

  /** Next (+1) or previous (-1) tab, wrapping. */
  cycle(step: number): void {
    if (!this.tabs.length) return;
    const i = this.tabs.findIndex((t) => t.key === this.activeKey);
    const next = (i + step + this.tabs.length) % this.tabs.length;
    this.activate(this.tabs[next].key);
  }

  /** Moves a tab to another position (drag and drop). */
  move(tabKey: string, toIndex: number): void {
    const from = this.tabs.findIndex((t) => t.key === tabKey);
    if (from < 0) return;
    const [tab] = this.tabs.splice(from, 1);
    this.tabs.splice(Math.max(0, Math.min(toIndex, this.tabs.length)), 0, tab);
  }

  rename(tabKey: string, title: string): void {
    const tab = this.tabs.find((t) => t.key === tabKey);
    if (tab) tab.customTitle = title.trim() || undefined;
  }

  /** After serve mode's socket came back: sessions the main side no longer has are disconnected. */
  private async reconcile(): Promise<void> {
    let alive: TerminalInfo[];
    try {
      alive = await api.listTerminals();
    } catch {
      return;
    }
    const byId = new Map(alive.map((t) => [t.id, t]));
    for (const s of this.allSessions()) {
      if (!s.id) continue;
      const info = byId.get(s.id);
      if (info) this.applyState(s, info.state);
      else if (!isFinal(s.state)) this.applyState(s, { state: 'disconnected', reason: 'The connection to Kubedeck was lost.' });
    }
  }
}

export const terminals = new Terminals();
