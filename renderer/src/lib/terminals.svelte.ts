/**
 * The terminals store the views use: terminal tabs (each one terminal, or two side by side) and their sessions.
 * Only the tab state is reactive; the parts are plain and tested on their own:
 *   terminalTabs.ts      tabs, panes, titles, focus (over the $state made here)
 *   terminalStreams.ts   output and state events to their pane, acknowledgements, output before a pane attaches
 *   terminalSessions.ts  opening, reconnecting, typing ahead, resizing, closing sessions on the main side
 */
import type { TerminalState } from '../../../common/contract/index.ts';
import { api, connection } from './api.ts';
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
    api.on('terminal.state', ({ id, state }) => this.router.state(id, state));
    connection.onChange((s, reconnected) => {
      if (s.state === 'connected' && reconnected) void this.sessions.reconcile(() => this.allSessions());
      if (s.state === 'reconnecting') this.sessions.connectionLost(this.allSessions());
    });
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

  ack(id: string, bytes: number): void {
    this.router.ack(id, bytes);
  }
}

const state = $state<TabsState>({ tabs: [], activeKey: undefined, focusSeq: 0 });

export const terminals = new Terminals(state);
