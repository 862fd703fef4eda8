/**
 * The life of a pane's session on the main side: opening it at the pane's size (or attaching to it, when the
 * pane was restored after a reload), binding the answer to the pane, reconnecting, keys typed before the shell
 * is there, resizes, visibility, closing, and attaching again after serve mode's socket came back. It changes the Session objects it is given (reactive ones in the app) and draws
 * Kubedeck's own notes in the pane; the calls and the router are passed in, so it is tested with fakes.
 */
import type { KubedeckMethods, TerminalInfo, TerminalState } from '../../../common/contract/index.ts';
import { isFinal, type Session } from './terminalTabs.ts';
import type { StreamRouter } from './terminalStreams.ts';

export type TerminalCalls = Pick<
  KubedeckMethods,
  'openTerminal' | 'attachTerminal' | 'detachTerminal' | 'setTerminalVisible' | 'reconnectTerminal' | 'writeTerminal' | 'resizeTerminal' | 'closeTerminal'
>;

export interface SessionDeps {
  api: TerminalCalls;
  router: Pick<StreamRouter, 'bind' | 'sink' | 'release' | 'forget'>;
  /** Whether a session is still in a tab (a tab can be closed while its terminal opens). */
  isOpen(key: string): boolean;
  /** The command a tab that names none runs (the shell command setting); undefined: the best shell. */
  defaultCommand?(): string[] | undefined;
}

/** Keys typed before the shell is there, at most this much (a user types before the prompt, not a novel). */
const TYPED_AHEAD_LIMIT = 4096;

export const CONNECTION_LOST = 'The connection to Kubedeck was lost.';

const ignore = () => {};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TerminalSessions {
  /** Keys typed while a session is still connecting, sent once it is. */
  private readonly typedAhead = new Map<string, string>();

  constructor(private readonly deps: SessionDeps) {}

  /** Sets a session's state; a change the user should read about gets a note in the terminal. */
  applyState(s: Session, state: TerminalState): void {
    const prev = s.state;
    s.state = state;
    const sink = this.deps.router.sink(s.key);
    if (!sink || prev.state === state.state) return;
    if (state.state === 'exited') sink.note(`Process exited with code ${state.exitCode}.`);
    if (state.state === 'disconnected') sink.note(`Disconnected: ${state.reason}`);
    // An error is shown on a card over the pane; only a session that had output gets a line in it too.
    if (state.state === 'error' && s.hadOutput) sink.note(state.reason);
  }

  /**
   * Opens the session once, at the size the pane has — or, for a pane restored after a reload (it has the
   * id of a session the host keeps), attaches to it: the host sends its exact screen, then live output.
   */
  async start(s: Session, cols: number, rows: number): Promise<void> {
    if (s.started) return;
    s.started = true;
    if (s.id) await this.attach(s, cols, rows);
    else await this.openFresh(s, cols, rows);
  }

  /**
   * A restored pane of a tab in the background: attached, so the host keeps its session for this page,
   * but sent nothing; its pane (created when the tab is first shown) makes it visible and gets the screen.
   */
  async startHidden(s: Session): Promise<void> {
    if (s.started || !s.id) return;
    s.started = true;
    await this.attach(s, 0, 0, true);
  }

  /** Attaches this page to the pane's session on the main side; one that ended shows why. */
  private async attach(s: Session, cols: number, rows: number, hidden = false): Promise<void> {
    const id = s.id;
    this.deps.router.bind(s.key, id);
    let info: TerminalInfo;
    try {
      // The flag is left out rather than sent false: serve checks each call's arguments by position.
      info = await (hidden ? this.deps.api.attachTerminal(id, 0, 0, true) : this.deps.api.attachTerminal(id, cols, rows));
    } catch (err) {
      this.applyState(s, { state: 'error', reason: errorMessage(err) });
      return;
    }
    if (!this.deps.isOpen(s.key)) {
      // The tab was closed while attaching: that closes the session, as closing a tab always does.
      void this.deps.api.closeTerminal(id).catch(ignore);
      return;
    }
    // The pane's status card says how the session is; a note in the terminal would be wiped by the snapshot.
    this.bind(s, info, true);
  }

  /** Starts a new exec for a disconnected or exited session (same id when the main side still has it). */
  async reconnect(s: Session): Promise<void> {
    if (s.state.state === 'connecting') return;
    const sink = this.deps.router.sink(s.key);
    sink?.note('Reconnecting…');
    const size = sink?.size() ?? { cols: 80, rows: 24 };
    s.state = { state: 'connecting' };
    if (s.id) {
      try {
        this.bind(s, await this.deps.api.reconnectTerminal(s.id));
        return;
      } catch {
        // The main side no longer knows this session (for instance after serve mode's socket dropped): open afresh.
      }
    }
    await this.openFresh(s, size.cols, size.rows);
  }

  write(s: Session, data: string): void {
    if (s.state.state === 'connecting') {
      const prev = this.typedAhead.get(s.key) ?? '';
      if (prev.length + data.length <= TYPED_AHEAD_LIMIT) this.typedAhead.set(s.key, prev + data);
      return;
    }
    if (!s.id || s.state.state !== 'connected') return;
    void this.deps.api.writeTerminal(s.id, data).catch(ignore);
  }

  resize(s: Session, cols: number, rows: number): void {
    if (!s.id || s.state.state !== 'connected') return;
    void this.deps.api.resizeTerminal(s.id, cols, rows).catch(ignore);
  }

  /** Whether the pane is shown; a hidden one is sent no output, and the current screen when shown again. */
  setVisible(s: Session, visible: boolean): void {
    if (!s.id || !s.started || s.state.state === 'connecting') return;
    void this.deps.api.setTerminalVisible(s.id, visible).catch(ignore);
  }

  /** The pane stops showing its session, which runs on (and can be attached again, from the sessions list). */
  detach(s: Session): void {
    this.typedAhead.delete(s.key);
    this.deps.router.release(s.key);
    if (s.id) void this.deps.api.detachTerminal(s.id).catch(ignore);
  }

  /** The pane went away: its session ends on the main side. */
  end(s: Session): void {
    this.typedAhead.delete(s.key);
    this.deps.router.release(s.key);
    if (s.id) void this.deps.api.closeTerminal(s.id).catch(ignore);
  }

  /** Serve mode's socket dropped: the sessions run on in the host, but this page sees nothing of them until it is back. */
  connectionLost(sessions: Session[]): void {
    for (const s of sessions) {
      if (s.state.state === 'connected' || s.state.state === 'connecting') this.applyState(s, { state: 'disconnected', reason: CONNECTION_LOST });
    }
  }

  /**
   * After serve mode's socket came back (a new connection, so a new viewer): attaches every pane to its
   * session again — the host sends each one's screen as it is now — or shows why a session is gone.
   */
  async reattachAll(sessions: () => Session[]): Promise<void> {
    await Promise.all(
      sessions().map(async (s) => {
        if (!s.id || !s.started) return;
        const sink = this.deps.router.sink(s.key);
        const size = sink?.size() ?? { cols: 0, rows: 0 };
        let info: TerminalInfo;
        try {
          // A pane not created yet (its tab never shown since the reload) stays hidden until it is.
          info = await (sink ? this.deps.api.attachTerminal(s.id, size.cols, size.rows) : this.deps.api.attachTerminal(s.id, 0, 0, true));
        } catch (err) {
          if (!isFinal(s.state) || s.state.state === 'disconnected') this.applyState(s, { state: 'disconnected', reason: errorMessage(err) });
          return;
        }
        if (this.deps.isOpen(s.key)) this.applyState(s, info.state);
      }),
    );
  }

  private async openFresh(s: Session, cols: number, rows: number): Promise<void> {
    s.state = { state: 'connecting' };
    let info: TerminalInfo;
    try {
      info = await this.deps.api.openTerminal({ ...s.ref, command: s.command ? [...s.command] : this.deps.defaultCommand?.(), cols, rows });
    } catch (err) {
      this.typedAhead.delete(s.key);
      this.applyState(s, { state: 'error', reason: errorMessage(err) });
      return;
    }
    if (!this.deps.isOpen(s.key)) {
      // The tab was closed while the session was opening.
      this.deps.router.forget(info.id);
      void this.deps.api.closeTerminal(info.id).catch(ignore);
      return;
    }
    this.bind(s, info);
  }

  private bind(s: Session, info: TerminalInfo, quiet = false): void {
    s.id = info.id;
    s.recording = info.recording;
    s.shell = info.shell;
    const early = this.deps.router.bind(s.key, info.id);
    // An end reported while the answer was on its way wins over the "connected" the answer carried.
    const state = early && isFinal(early) && !isFinal(info.state) ? early : info.state;
    if (quiet) s.state = state;
    else this.applyState(s, state);
    const typed = this.typedAhead.get(s.key);
    this.typedAhead.delete(s.key);
    if (typed && state.state === 'connected') void this.deps.api.writeTerminal(info.id, typed).catch(ignore);
    // The pane may have changed size while the session was opening.
    const size = this.deps.router.sink(s.key)?.size();
    if (size && state.state === 'connected' && size.cols !== 0 && size.rows !== 0) void this.deps.api.resizeTerminal(info.id, size.cols, size.rows).catch(ignore);
  }
}
