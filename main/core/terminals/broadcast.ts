/**
 * Broadcast typing for one client: the terminals it types into at once. Only sessions the client is
 * attached to (and may type in) take part; start, change and end go into the audit trail with the targets,
 * so that afterwards it is known which pods received what (each session's recording has the keys).
 */
import type { AuditLike } from './terminalDeps.ts';
import type { SessionHost } from './sessionHost.ts';
import type { TerminalViewer } from './viewerLink.ts';

export class Broadcast {
  private ids: string[] = [];
  private bytes = 0;

  constructor(
    private readonly host: SessionHost,
    private readonly viewer: TerminalViewer,
    private readonly audit?: AuditLike,
  ) {}

  get targets(): readonly string[] {
    return this.ids;
  }

  /** Sets the targets (empty: off); returns those accepted. */
  set(ids: string[]): string[] {
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) throw new Error('setBroadcast: expected a list of terminal ids');
    if (this.viewer.readOnly) throw new Error('this viewer may not type');
    const accepted = [...new Set(ids)].filter((id) => {
      try {
        this.host.of(this.viewer, id);
        return true;
      } catch {
        return false;
      }
    });
    const before = this.ids;
    this.ids = accepted;
    const action = !before.length && accepted.length ? 'start' : before.length && !accepted.length ? 'stop' : 'change';
    if (before.length || accepted.length) this.log(action, before);
    if (action === 'stop' || action === 'start') this.bytes = 0;
    return [...accepted];
  }

  /** Writes to every connected target; returns how many received it. */
  write(data: string): number {
    if (typeof data !== 'string') throw new Error('writeBroadcast: data must be a string');
    if (!this.ids.length) throw new Error('no broadcast is on (setBroadcast first)');
    let n = 0;
    for (const id of this.ids) {
      try {
        this.host.of(this.viewer, id).write(this.viewer, data);
        n++;
      } catch {
        // Ended or not connected: the others still get it.
      }
    }
    this.bytes += data.length;
    return n;
  }

  /** The client went away: a broadcast still on ends (audited). */
  dispose(): void {
    if (this.ids.length) this.set([]);
  }

  private log(action: string, before: string[]): void {
    if (!this.audit) return;
    const targets = (ids: string[]) =>
      ids.flatMap((id) => {
        const s = this.host.get(id);
        return s ? [{ id, ...s.session.ref }] : [{ id }];
      });
    const details: Record<string, unknown> = { action, targets: targets(this.ids) };
    if (action !== 'start') details.before = targets(before);
    if (action === 'stop') details.bytesTyped = this.bytes;
    void this.audit.append('terminal.broadcast', this.viewer.who, details).catch(() => undefined);
  }
}
