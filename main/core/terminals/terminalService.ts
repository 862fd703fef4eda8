/**
 * The terminals domain of the contract for one client (an Electron window or a serve-mode WebSocket
 * connection), over the one session host. The client is a viewer: it sees the sessions it opened or
 * attached to. `dispose()` (the window closed or reloaded, the socket dropped) only detaches it; the
 * host ends a session with no viewer after the grace period, or at once on `closeTerminal` and shutdown.
 */
import { randomUUID } from 'node:crypto';
import type { OpenTerminalRequest, SessionInfo, TerminalInfo, TerminalsMethods } from '../../../common/contract/terminals.ts';
import { Broadcast } from './broadcast.ts';
import { SessionHost } from './sessionHost.ts';
import type { TerminalSession } from './terminalSession.ts';
import type { AuditLike, TerminalDeps, TerminalsEmit } from './terminalDeps.ts';
import type { TerminalViewer } from './viewerLink.ts';

export interface TerminalServiceDeps {
  host: SessionHost;
  emit: TerminalsEmit;
  who: string;
  audit?: AuditLike;
  readOnly?: boolean;
}

export class TerminalService implements TerminalsMethods {
  readonly viewer: TerminalViewer;
  private readonly host: SessionHost;
  private readonly broadcast: Broadcast;
  private readonly disconnect: () => Promise<void>;
  private disposed = false;

  constructor(deps: TerminalServiceDeps) {
    this.host = deps.host;
    this.viewer = { id: randomUUID(), who: deps.who, readOnly: deps.readOnly, emit: deps.emit };
    this.broadcast = new Broadcast(this.host, this.viewer, deps.audit);
    this.disconnect = this.host.connect(this.viewer);
  }

  /**
   * A client over a host of its own, with no grace period unless given: one client's sessions end with it,
   * as they did before the host existed (tests, the bench's in-process rows).
   */
  static withOwnHost(deps: TerminalDeps & { graceMs?: number; viewerHigh?: number; viewerLow?: number }): TerminalService {
    const { emit, who, graceMs, viewerHigh, viewerLow, ...terminal } = deps;
    const host = new SessionHost({ terminal, graceMs: () => graceMs ?? 0, viewerHigh, viewerLow });
    return new TerminalService({ host, emit, who: who ?? 'local', audit: deps.audit });
  }

  /** The exec session behind an id (tests, the composition root). */
  session(id: string): TerminalSession | undefined {
    return this.host.get(id)?.session;
  }

  /** The host this client is a viewer of. */
  get sessionHost(): SessionHost {
    return this.host;
  }

  private live(): void {
    if (this.disposed) throw new Error('this client is closed');
  }

  async openTerminal(req: OpenTerminalRequest): Promise<TerminalInfo> {
    this.live();
    validateRequest(req);
    return this.host.open(this.viewer, req);
  }

  async attachTerminal(id: string, cols: number, rows: number, hidden?: boolean): Promise<TerminalInfo> {
    this.live();
    return this.host.attach(this.viewer, id, cols, rows, hidden === true);
  }

  async detachTerminal(id: string): Promise<void> {
    this.host.detach(this.viewer, id);
  }

  async setTerminalVisible(id: string, visible: boolean): Promise<void> {
    this.host.of(this.viewer, id).setVisible(this.viewer, visible === true);
  }

  async listSessions(): Promise<SessionInfo[]> {
    return this.host.list(this.viewer);
  }

  async setBroadcast(ids: string[]): Promise<string[]> {
    return this.broadcast.set(ids);
  }

  async writeBroadcast(data: string): Promise<number> {
    return this.broadcast.write(data);
  }

  async writeTerminal(id: string, data: string): Promise<void> {
    this.host.of(this.viewer, id).write(this.viewer, data);
  }

  async resizeTerminal(id: string, cols: number, rows: number): Promise<void> {
    if (!Number.isFinite(cols) || !Number.isFinite(rows) || cols < 1 || rows < 1) throw new Error('resizeTerminal: cols and rows must be positive numbers');
    this.host.of(this.viewer, id).resizeBy(this.viewer, cols, rows);
  }

  async ackTerminal(id: string, bytes: number): Promise<void> {
    // An ack can trail a detach or an end by a moment: nothing to do then.
    const s = this.host.get(id);
    if (s?.hasViewer(this.viewer)) s.ack(this.viewer, bytes);
  }

  async closeTerminal(id: string): Promise<void> {
    await this.host.close(this.viewer, id);
  }

  async reconnectTerminal(id: string): Promise<TerminalInfo> {
    const s = this.host.of(this.viewer, id);
    if (this.viewer.readOnly) throw new Error('this viewer may not reconnect terminals');
    return s.session.reconnect();
  }

  async listTerminals(): Promise<TerminalInfo[]> {
    return this.host.attachedTo(this.viewer);
  }

  async terminalCwd(id: string): Promise<string | undefined> {
    return this.host.of(this.viewer, id).session.cwd();
  }

  async markTerminal(id: string, label: string): Promise<void> {
    this.host.of(this.viewer, id).session.mark(label);
  }

  /** The client went away: it detaches from every session (they run on for the grace period). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.broadcast.dispose();
    await this.disconnect();
  }
}

function validateRequest(req: OpenTerminalRequest): void {
  if (!req || typeof req !== 'object') throw new Error('openTerminal: expected {context, namespace, pod, container, cols, rows}');
  for (const k of ['context', 'namespace', 'pod'] as const) {
    if (typeof req[k] !== 'string' || !req[k]) throw new Error(`openTerminal: ${k} is required`);
  }
  if (req.container !== undefined && typeof req.container !== 'string') throw new Error('openTerminal: container must be a string');
  if (req.command !== undefined && (!Array.isArray(req.command) || req.command.some((c) => typeof c !== 'string'))) {
    throw new Error('openTerminal: command must be a list of strings');
  }
}
