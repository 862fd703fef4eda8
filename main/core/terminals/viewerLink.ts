/**
 * One viewer of one session and its own flow control. Output is sent while the viewer keeps up; a viewer
 * more than VIEWER_HIGH bytes behind (a slow link, a busy page) is sent nothing more until its
 * acknowledgements are back under VIEWER_LOW, and then the screen as it is (a snapshot) instead of the
 * backlog it missed. A hidden viewer (a tab in the background) is sent nothing until it is shown again.
 */
import type { TerminalsEmit } from './terminalDeps.ts';

/** Far enough behind to stop feeding a viewer; xterm's guide pauses at ~100 kB, a snapshot costs more than that. */
export const VIEWER_HIGH = 1024 * 1024;
export const VIEWER_LOW = 128 * 1024;

/** Who watches a session: a page or window (a client of Kubedeck), later an SSH channel or a share-link observer. */
export interface TerminalViewer {
  /** Unique per client. */
  readonly id: string;
  /** For the audit trail. */
  readonly who: string;
  /** Sees the screen but may not type or resize. */
  readonly readOnly?: boolean;
  readonly emit: TerminalsEmit;
}

export type LinkState = 'live' | 'hidden' | 'behind' | 'syncing';

export class ViewerLink {
  state: LinkState = 'live';
  /** Bytes sent and not yet acknowledged. */
  unacked = 0;
  /** Whether the viewer wants output (false while its tab is hidden). */
  visible = true;
  /** Output that came while a snapshot was being taken; sent right after it. */
  private pending: Uint8Array[] = [];

  constructor(
    readonly viewer: TerminalViewer,
    private readonly sessionId: string,
    private readonly high = VIEWER_HIGH,
    private readonly low = VIEWER_LOW,
  ) {}

  /** Output for this viewer; returns true when it just fell behind (the caller resyncs it later). */
  deliver(data: Uint8Array): void {
    if (this.state === 'syncing') {
      this.pending.push(data);
      return;
    }
    if (this.state !== 'live') return;
    this.send(data);
    if (this.unacked > this.high) this.state = 'behind';
  }

  /** Acknowledged bytes; true when the viewer was behind and has caught up (time for a snapshot). */
  ack(bytes: number): boolean {
    this.unacked = Math.max(0, this.unacked - bytes);
    return this.state === 'behind' && this.unacked <= this.low;
  }

  /** A snapshot is being taken for this viewer: output from now on waits for it. */
  beginSync(): void {
    this.state = 'syncing';
    this.pending = [];
  }

  /** The snapshot was sent: what waited follows it, and the viewer is live again (or hidden, if hidden meanwhile). */
  endSync(): void {
    const pending = this.pending;
    this.pending = [];
    this.unacked = 0;
    if (!this.visible) {
      this.state = 'hidden';
      return;
    }
    this.state = 'live';
    for (const d of pending) this.deliver(d);
  }

  hide(): void {
    this.visible = false;
    if (this.state !== 'syncing') this.state = 'hidden';
    this.pending = [];
  }

  private send(data: Uint8Array): void {
    this.unacked += data.length;
    this.viewer.emit('terminal.data', { id: this.sessionId, data });
  }
}
