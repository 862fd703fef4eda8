/**
 * The terminals domain of the contract for one client (an Electron window or a serve-mode
 * WebSocket connection). A client sees and controls only its own sessions; `dispose()` (the window
 * closed, the socket dropped, the app quits) closes every one of them, remote shells included.
 */
import type { OpenTerminalRequest, TerminalInfo, TerminalsMethods } from '../../../common/contract/terminals.ts';
import { TerminalSession, type TerminalDeps } from './terminalSession.ts';

export class TerminalService implements TerminalsMethods {
  private readonly sessions = new Map<string, TerminalSession>();
  private disposed = false;

  constructor(private readonly deps: TerminalDeps) {}

  private get(id: string): TerminalSession {
    const s = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!s) throw new Error(`no terminal with id ${JSON.stringify(id)}`);
    return s;
  }

  /** The session object (tests and the composition root). */
  session(id: string): TerminalSession | undefined {
    return this.sessions.get(id);
  }

  async openTerminal(req: OpenTerminalRequest): Promise<TerminalInfo> {
    if (this.disposed) throw new Error('this client is closed');
    validateRequest(req);
    const session = new TerminalSession(this.deps, req);
    this.sessions.set(session.id, session);
    return session.start();
  }

  async writeTerminal(id: string, data: string): Promise<void> {
    this.get(id).write(data);
  }

  async resizeTerminal(id: string, cols: number, rows: number): Promise<void> {
    this.get(id).resize(cols, rows);
  }

  async ackTerminal(id: string, bytes: number): Promise<void> {
    this.get(id).ack(bytes);
  }

  async closeTerminal(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.close();
  }

  async reconnectTerminal(id: string): Promise<TerminalInfo> {
    return this.get(id).reconnect();
  }

  async listTerminals(): Promise<TerminalInfo[]> {
    return [...this.sessions.values()].map((s) => s.info());
  }

  async terminalCwd(id: string): Promise<string | undefined> {
    return this.get(id).cwd();
  }

  async markTerminal(id: string, label: string): Promise<void> {
    this.get(id).mark(label);
  }

  /** Closes every session of this client (and their remote shells). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.close()));
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
