/**
 * The terminals store the views use: terminal tabs (each a grid of panes) and their sessions.
 * Only the tab state is reactive; the parts are plain and tested on their own:
 *   terminalTabs.ts      tabs, their grid of panes (paneLayout.ts), titles, focus; the layout as plain data
 *   terminalStreams.ts   output, snapshot and state events to their pane, acknowledgements, output before a pane attaches
 *   terminalSessions.ts  opening or attaching, reconnecting, typing ahead, resizing, visibility, closing sessions
 *   layoutStore.ts       the layout kept in sessionStorage, so a reload gets its tabs back and re-attaches them
 * Sessions live in the main side's session host: a reload or a dropped socket only detaches from them.
 */
import type { ContainerRef, SessionInfo, TerminalState } from '../../../common/contract/index.ts';
import { api, connection } from './api.ts';
import { loadLayout, pageStorage, saveLayout } from './layoutStore.ts';
import { StreamRouter, type Sink } from './terminalStreams.ts';
import { TerminalSessions } from './terminalSessions.ts';
import { TabList, type SavedLayout, type Session, type TabsState } from './terminalTabs.ts';
import { Broadcast, type BroadcastState } from './broadcast.ts';
import { settings } from './settings.svelte.ts';

export { tabState, tabTitle, tabTitleParts, type LogTabSpec, type Session, type Tab } from './terminalTabs.ts';
export type { Sink } from './terminalStreams.ts';

class Terminals extends TabList {
  private readonly router = new StreamRouter({
    ack: (id, bytes) => void api.ackTerminal(id, bytes).catch(() => {}),
    onState: (key, state) => this.stateOf(key, state),
    onFirstOutput: (key) => {
      const s = this.sessionByKey(key);
      if (s) s.hadOutput = true;
    },
  });
  private readonly sessions = new TerminalSessions({ api, router: this.router, isOpen: (key) => !!this.sessionByKey(key), defaultCommand: () => settings.shellCommand() });
  private started = false;

  constructor(state: TabsState) {
    super(state, (s) => this.sessions.end(s));
  }

  /** Subscribes to the terminal events and the connection; called by the view and by deep links, once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.on('terminal.data', ({ id, data }) => this.router.data(id, data));
    api.on('terminal.snapshot', (snap) => this.router.snapshot(snap));
    api.on('terminal.state', ({ id, state }) => this.router.state(id, state));
    connection.onChange((s, reconnected) => {
      if (s.state === 'connected' && reconnected) void this.sessions.reattachAll(() => this.allSessions());
      if (s.state === 'reconnecting') this.sessions.connectionLost(this.allSessions());
    });
    this.restore();
    $effect.root(() => {
      $effect(() => saveLayout(pageStorage(), this.layout()));
    });
  }

  /** What a reload needs to get the tabs back (read inside an effect: every field it touches is tracked). */
  private layout(): SavedLayout {
    return this.save();
  }

  /** The tabs of the page before its reload (grid, sizes, titles), each pane attaching to its session when it mounts. */
  private restore(): void {
    const saved = loadLayout(pageStorage(), isSavedLayout);
    if (!saved || this.tabs.length) return;
    try {
      const added = this.restoreTabs(saved);
      for (const tab of added) if (tab.deferred) for (const s of tab.panes) void this.sessions.startHidden(s);
    } catch {
      // A layout this version cannot read: the page starts without tabs; the sessions run on and are listed.
    }
  }

  /** Shows a session of the host that no tab of this page shows (from the sessions list) in a new tab. */
  attachExisting(info: SessionInfo): void {
    const shown = this.allSessions().find((s) => s.id === info.id);
    const tab = shown ? this.tabs.find((t) => t.panes.includes(shown)) : undefined;
    if (tab) return this.activate(tab.key);
    const ref: ContainerRef = { context: info.context, namespace: info.namespace, pod: info.pod, container: info.container };
    const opened = this.open(ref, info.command.length ? info.command : undefined);
    opened.panes[0].id = info.id;
  }

  private stateOf(key: string, state: TerminalState): void {
    const s = this.sessionByKey(key);
    if (s) this.sessions.applyState(s, state);
  }

  // What a pane calls for its session.

  registerSink(sessionKey: string, sink: Sink): () => void {
    return this.router.attach(sessionKey, sink);
  }

  startSession(s: Session, cols: number, rows: number): Promise<void> {
    return this.sessions.start(s, cols, rows);
  }

  reconnect(s: Session): Promise<void> {
    return this.sessions.reconnect(s);
  }

  write(s: Session, data: string): void {
    this.sessions.write(s, data);
  }

  resize(s: Session, cols: number, rows: number): void {
    this.sessions.resize(s, cols, rows);
  }

  setVisible(s: Session, visible: boolean): void {
    this.sessions.setVisible(s, visible);
  }

  ack(id: string, bytes: number): void {
    this.router.ack(id, bytes);
  }

  // Broadcast typing (broadcast.ts): which terminals receive, kept in step with the tabs by an effect.

  readonly broadcast = new Broadcast(broadcastState, { api, tabs: () => this.tabs });

  /** Ends the effect (nothing does: the store lives as long as the page). */
  readonly stopBroadcastSync = $effect.root(() => {
    $effect(() => this.broadcast.sync());
  });

  /** Keys typed (or a confirmed paste) in a pane: to every receiving terminal while it is one, else to it alone. */
  input(s: Session, data: string): void {
    if (!this.broadcast.input(s, data)) this.write(s, data);
  }

  /** Whether a paste into this pane may go ahead: one confirmation when it would reach several terminals, or when `single.ask` (a multi-line paste). */
  confirmPaste(s: Session, text: string, single?: { ask: boolean; target: string }): Promise<boolean> {
    return this.broadcast.confirmPaste(s, text, single);
  }
}

/** A first look only: restoreTabs checks every tab and pane, and refuses the whole layout with a reason. */
function isSavedLayout(v: unknown): v is SavedLayout {
  return typeof v === 'object' && v !== null && (v as SavedLayout).version === 1;
}

const state = $state<TabsState>({ tabs: [], activeKey: undefined, focusSeq: 0 });
const broadcastState = $state<BroadcastState>({ tabs: [], excluded: [] });

export const terminals = new Terminals(state);
