/**
 * The session host: every terminal session of this Kubedeck, whoever opened it. A session has viewers
 * (pages, windows; later SSH channels and share-link observers) that attach and detach; a viewer that goes
 * away without closing the session only detaches, and a session with no viewer left runs on for the grace
 * period (setting `terminals.graceSeconds`), then ends with the usual cleanup (its remote tree killed).
 * Closing on purpose (`close`) and `shutdown` end sessions at once.
 */
import type { OpenTerminalRequest, SessionInfo, TerminalInfo } from '../../../common/contract/terminals.ts';
import { HostedSession, type HostedDeps } from './hostedSession.ts';
import type { TerminalDeps } from './terminalDeps.ts';
import type { TerminalViewer } from './viewerLink.ts';

export const DEFAULT_GRACE_SECONDS = 15 * 60;
/** How many ended sessions are remembered, so that attaching to one says why it is gone. */
const ENDED_KEPT = 1000;

export interface SessionHostDeps {
  terminal: Omit<TerminalDeps, 'emit' | 'who'>;
  /** The grace period in ms, read when the last viewer leaves (so a changed setting applies). 0: end at once. */
  graceMs(): number;
  viewerHigh?: number;
  viewerLow?: number;
}

export class SessionHost {
  private readonly sessions = new Map<string, HostedSession>();
  private readonly endedWhy = new Map<string, string>();
  /** Viewers to tell when the list of sessions changes (every connected client). */
  private readonly watchers = new Set<TerminalViewer>();
  private shuttingDown = false;
  private readonly hosted: HostedDeps;

  constructor(private readonly deps: SessionHostDeps) {
    this.hosted = {
      terminal: deps.terminal,
      viewerHigh: deps.viewerHigh,
      viewerLow: deps.viewerLow,
      onViewersChanged: (s) => this.viewersChanged(s),
    };
  }

  /**
   * Registers a client for `terminal.sessions` events; returns the function that detaches it from
   * everything, which resolves once the sessions that ended for it (no grace period) have been cleaned up.
   */
  connect(viewer: TerminalViewer): () => Promise<void> {
    this.watchers.add(viewer);
    return async () => {
      this.watchers.delete(viewer);
      const left = [...this.sessions.values()].filter((s) => s.detach(viewer));
      await Promise.allSettled(left.map((s) => s.whenEnded));
    };
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The hosted session (tests, the composition root). */
  get(id: string): HostedSession | undefined {
    return this.sessions.get(id);
  }

  async open(viewer: TerminalViewer, req: OpenTerminalRequest): Promise<TerminalInfo> {
    if (this.shuttingDown) throw new Error('Kubedeck is shutting down');
    if (viewer.readOnly) throw new Error('this viewer may not open terminals');
    const s = new HostedSession(this.hosted, req, viewer.who);
    s.addOpener(viewer);
    this.sessions.set(s.id, s);
    this.changed();
    return s.session.start();
  }

  attach(viewer: TerminalViewer, id: string, cols: number, rows: number, hidden = false): TerminalInfo {
    return this.need(id).attach(viewer, cols, rows, hidden);
  }

  detach(viewer: TerminalViewer, id: string): void {
    this.sessions.get(id)?.detach(viewer);
  }

  /** A session this viewer is attached to. */
  of(viewer: TerminalViewer, id: string): HostedSession {
    const s = this.need(id);
    if (!s.hasViewer(viewer)) throw new Error(`terminal ${JSON.stringify(id)} is not attached here (attachTerminal first)`);
    return s;
  }

  /** Ends a session for every viewer (a tab closed on purpose). Unknown ids are ignored. */
  async close(viewer: TerminalViewer, id: string, why = `closed by ${viewer.who}`): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    if (viewer.readOnly) throw new Error('this viewer may not close terminals');
    await this.end(s, `The session was closed (${why}).`);
  }

  /** The sessions this viewer is attached to. */
  attachedTo(viewer: TerminalViewer): TerminalInfo[] {
    return [...this.sessions.values()].filter((s) => s.hasViewer(viewer)).map((s) => s.info());
  }

  list(viewer: TerminalViewer): SessionInfo[] {
    return [...this.sessions.values()].map((s) => {
      const info: SessionInfo = { ...s.info(), viewers: s.viewerCount, attached: s.hasViewer(viewer), openedAt: s.openedAt };
      if (s.endsAt !== undefined) info.endsAt = s.endsAt;
      return info;
    });
  }

  /** Ends everything (app quit, serve shutdown). */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.allSettled([...this.sessions.values()].map((s) => this.end(s, 'Kubedeck shut down.')));
  }

  private need(id: string): HostedSession {
    const s = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (s) return s;
    const why = typeof id === 'string' ? this.endedWhy.get(id) : undefined;
    throw new Error(why ? `terminal ${id} has ended: ${why}` : `terminal ${JSON.stringify(id)} has ended or never existed`);
  }

  /** Ends a session once; every caller waits for the same cleanup. */
  private end(s: HostedSession, why: string): Promise<void> {
    if (this.sessions.get(s.id) !== s) return s.whenEnded ?? Promise.resolve();
    this.sessions.delete(s.id);
    this.endedWhy.set(s.id, why);
    if (this.endedWhy.size > ENDED_KEPT) this.endedWhy.delete(this.endedWhy.keys().next().value as string);
    const ended = s.end(why);
    this.changed();
    return ended;
  }

  private viewersChanged(s: HostedSession): void {
    if (s.viewerCount > 0) {
      clearTimeout(s.graceTimer);
      s.graceTimer = undefined;
      s.endsAt = undefined;
    } else if (!s.isEnded && !this.shuttingDown) {
      const ms = Math.max(0, this.deps.graceMs());
      if (ms === 0) {
        void this.end(s, 'its last viewer went away (no grace period is set)');
      } else {
        s.endsAt = Date.now() + ms;
        clearTimeout(s.graceTimer);
        s.graceTimer = setTimeout(() => void this.end(s, `no one attached to it for ${describeMs(ms)}`), ms);
        s.graceTimer.unref?.();
      }
    }
    this.changed();
  }

  private changed(): void {
    const payload = { count: this.sessions.size };
    for (const v of this.watchers) v.emit('terminal.sessions', payload);
  }
}

function describeMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  return `${Math.round(s / 60)} minutes`;
}
