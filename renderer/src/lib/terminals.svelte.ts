/**
 * The terminals store the views use: terminal tabs (each one terminal, or two side by side) and their sessions.
 * Only the tab state is reactive; the parts are plain and tested on their own:
 *   terminalTabs.ts      tabs, panes, titles, focus (over the $state made here)
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
import { TabList, type Session, type TabsState } from './terminalTabs.ts';

export { tabState, tabTitle, tabTitleParts, type Session, type Tab } from './terminalTabs.ts';
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
  private readonly sessions = new TerminalSessions({ api, router: this.router, isOpen: (key) => !!this.sessionByKey(key) });
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
    return {
      v: 1,
      active: this.tabs.findIndex((t) => t.key === this.activeKey),
      tabs: this.tabs.map((t) => ({
        title: t.customTitle,
        showContainer: t.showContainer,
        activePane: t.activePane,
        panes: t.panes.map((p) => ({ id: p.id, ref: { ...p.ref }, command: p.command ? [...p.command] : undefined })),
      })),
    };
  }

  /** The tabs of the page before its reload, each pane attaching to its session when it mounts. */
  private restore(): void {
    const saved = loadLayout(pageStorage(), isSavedLayout);
    if (!saved || this.tabs.length) return;
    for (const st of saved.tabs) {
      const panes = st.panes.filter((p) => p.id);
      if (!panes.length) continue;
      const tab = this.open(panes[0].ref, panes[0].command, st.showContainer);
      tab.customTitle = st.title;
      for (let i = 1; i < panes.length; i++) this.split(tab.key);
      panes.forEach((p, i) => {
        tab.panes[i].id = p.id;
        tab.panes[i].ref = { ...p.ref };
      });
      tab.activePane = Math.min(Math.max(0, st.activePane), tab.panes.length - 1);
    }
    this.activate(this.tabs[saved.active]?.key ?? this.tabs[0]?.key);
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
}

interface SavedLayout {
  v: 1;
  active: number;
  tabs: { title?: string; showContainer?: boolean; activePane: number; panes: { id: string; ref: ContainerRef; command?: string[] }[] }[];
}

function isSavedLayout(v: unknown): v is SavedLayout {
  const l = v as SavedLayout;
  return !!l && l.v === 1 && Array.isArray(l.tabs) && l.tabs.every((t) => Array.isArray(t?.panes) && t.panes.every((p) => typeof p?.id === 'string' && typeof p.ref?.pod === 'string'));
}

const state = $state<TabsState>({ tabs: [], activeKey: undefined, focusSeq: 0 });

export const terminals = new Terminals(state);
