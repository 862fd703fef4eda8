/**
 * A terminal session as the session host keeps it: the exec session (terminalSession.ts), its screen
 * (screenState.ts), the output batcher and the viewers attached to it (viewerLink.ts). The shell is paced
 * by the host's own screen — the exec pauses while the headless terminal is more than a few MiB behind —
 * never by a viewer, so a slow page cannot stall the others, the recording or the shell.
 */
import type { OpenTerminalRequest, TerminalInfo, TerminalState, TerminalsEvents } from '../../../common/contract/terminals.ts';
import { OutputBatcher } from './outputBatcher.ts';
import { ScreenState } from './screenState.ts';
import { TerminalSession, clampSize } from './terminalSession.ts';
import type { TerminalDeps } from './terminalDeps.ts';
import { ViewerLink, type TerminalViewer } from './viewerLink.ts';

/** Unparsed bytes in the host's screen above which the exec is paused, and below which it resumes. */
export const SCREEN_HIGH = 4 * 1024 * 1024;
export const SCREEN_LOW = 1024 * 1024;

export interface HostedDeps {
  /** What every exec session gets (cluster access, recordings, audit); `emit` and `who` are the host's. */
  terminal: Omit<TerminalDeps, 'emit' | 'who'>;
  /** Called when the last viewer left (the host starts the grace period) or one came back. */
  onViewersChanged(session: HostedSession): void;
  /** Per-viewer windows (tests make them small). */
  viewerHigh?: number;
  viewerLow?: number;
}

export class HostedSession {
  readonly session: TerminalSession;
  readonly openedAt = Date.now();
  /** Set while no viewer is attached: when the grace period ends. */
  endsAt?: number;
  graceTimer?: NodeJS.Timeout;
  private readonly screen: ScreenState;
  private readonly batcher: OutputBatcher;
  private readonly links = new Map<string, ViewerLink>();
  private ended = false;

  constructor(
    private readonly deps: HostedDeps,
    req: OpenTerminalRequest,
    who: string,
  ) {
    this.session = new TerminalSession(
      {
        ...deps.terminal,
        who,
        emit: (name, payload) => this.fromSession(name, payload),
        highWatermark: SCREEN_HIGH,
        lowWatermark: SCREEN_LOW,
      },
      req,
    );
    this.screen = new ScreenState({
      cols: clampSize(req.cols, 80),
      rows: clampSize(req.rows, 24),
      onParsed: (n) => this.session.ack(n),
    });
    this.batcher = new OutputBatcher({ flush: (data) => this.fanOut(data) });
  }

  get id(): string {
    return this.session.id;
  }

  get viewerCount(): number {
    return this.links.size;
  }

  hasViewer(viewer: TerminalViewer): boolean {
    return this.links.has(viewer.id);
  }

  viewers(): TerminalViewer[] {
    return [...this.links.values()].map((l) => l.viewer);
  }

  info(): TerminalInfo {
    return this.session.info();
  }

  /** Adds the viewer that opened the session: it sees the output from the first byte, no snapshot needed. */
  addOpener(viewer: TerminalViewer): void {
    this.links.set(viewer.id, this.link(viewer));
  }

  /** Adds (or refreshes) a viewer: it is sent a snapshot of the screen, then live output — or, hidden, nothing until shown. */
  attach(viewer: TerminalViewer, cols: number, rows: number, hidden = false): TerminalInfo {
    let link = this.links.get(viewer.id);
    if (!link) {
      link = this.link(viewer);
      link.state = 'hidden';
      this.links.set(viewer.id, link);
      this.deps.onViewersChanged(this);
    }
    if (!viewer.readOnly && cols > 0 && rows > 0) this.resize(cols, rows);
    if (hidden) {
      link.hide();
      return this.info();
    }
    link.visible = true;
    this.resync(link);
    return this.info();
  }

  /** Removes a viewer; true when it was attached. */
  detach(viewer: TerminalViewer): boolean {
    if (!this.links.delete(viewer.id)) return false;
    this.deps.onViewersChanged(this);
    return true;
  }

  setVisible(viewer: TerminalViewer, visible: boolean): void {
    const link = this.need(viewer);
    if (!visible) return link.hide();
    if (link.visible && link.state !== 'hidden') return;
    link.visible = true;
    this.resync(link);
  }

  ack(viewer: TerminalViewer, bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new Error('ackTerminal: bytes must be a non-negative number');
    const link = this.need(viewer);
    if (link.ack(bytes)) this.resync(link);
  }

  write(viewer: TerminalViewer, data: string): void {
    this.control(viewer);
    this.session.write(data);
  }

  resize(cols: number, rows: number): void {
    this.session.resize(cols, rows);
    this.screen.resize(clampSize(cols, this.screen.cols), clampSize(rows, this.screen.rows));
  }

  resizeBy(viewer: TerminalViewer, cols: number, rows: number): void {
    this.control(viewer);
    this.resize(cols, rows);
  }

  /** Set once the session is ending: resolves when its remote tree has been killed. */
  whenEnded?: Promise<void>;

  /** Ends the session: the exec and its remote tree, the screen; every other viewer is told why. */
  end(reason: string): Promise<void> {
    this.whenEnded ??= this.ending(reason);
    return this.whenEnded;
  }

  private async ending(reason: string): Promise<void> {
    this.ended = true;
    clearTimeout(this.graceTimer);
    this.batcher.flush();
    this.batcher.dispose();
    const state: TerminalState = { state: 'disconnected', reason };
    for (const link of this.links.values()) link.viewer.emit('terminal.state', { id: this.id, state });
    this.links.clear();
    try {
      await this.session.close();
    } finally {
      this.screen.dispose();
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private control(viewer: TerminalViewer): void {
    this.need(viewer);
    if (viewer.readOnly) throw new Error('this viewer may watch the terminal, not type in it');
  }

  private need(viewer: TerminalViewer): ViewerLink {
    const link = this.links.get(viewer.id);
    if (!link) throw new Error(`terminal ${this.id} is not attached here (attachTerminal first)`);
    return link;
  }

  private link(viewer: TerminalViewer): ViewerLink {
    return new ViewerLink(viewer, this.id, this.deps.viewerHigh, this.deps.viewerLow);
  }

  /** Sends the viewer the screen as it is now, then live output (nothing twice, nothing missed). */
  private resync(link: ViewerLink): void {
    if (link.state === 'syncing' || this.ended) return;
    // What waits in the batcher goes to the others now; this viewer drops it (it is in the snapshot).
    link.state = 'hidden';
    this.batcher.flush();
    link.beginSync();
    void this.screen.snapshot().then((snap) => {
      if (this.links.get(link.viewer.id) !== link || this.ended) return;
      // Hidden meanwhile: it gets the screen when it is shown again, not now.
      if (link.visible) link.viewer.emit('terminal.snapshot', { id: this.id, ...snap });
      link.endSync();
    });
  }

  private fromSession<E extends keyof TerminalsEvents>(name: E, payload: TerminalsEvents[E]): void {
    if (name === 'terminal.data') {
      const data = (payload as TerminalsEvents['terminal.data']).data;
      this.screen.write(data);
      this.batcher.push(data);
      return;
    }
    if (name === 'terminal.state') {
      // Output before the state, so a viewer sees the last bytes before "exited".
      this.batcher.flush();
      for (const link of this.links.values()) link.viewer.emit(name, payload);
    }
  }

  private fanOut(data: Uint8Array): void {
    for (const link of this.links.values()) link.deliver(data);
  }
}
