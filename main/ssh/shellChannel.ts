/**
 * An SSH shell (or a command with a pty) as a session of the session host: the channel is a viewer
 * (viewerLink.ts) like a page. Output is written to the channel and acknowledged once ssh2 has taken it
 * into the channel's window, so a slow client slows only itself; keystrokes go in as the session's input,
 * window-change is a resize. When the shell exits the channel gets its exit status and the session ends;
 * when the client goes away (closed, killed, keepalive expired) the channel only detaches and the session
 * runs on for the grace period, attachable from the UI, then ends with the usual remote cleanup.
 */
import { randomUUID } from 'node:crypto';
import type { TerminalsEvents } from '../../common/contract/terminals.ts';
import type { TerminalViewer } from '../core/terminals/viewerLink.ts';
import { fail, finish, type ChannelLike } from './channelUtil.ts';
import type { Login } from './gateway.ts';
import type { Route } from './route.ts';

export interface ShellRequest {
  channel: ChannelLike;
  login: Login;
  target: Route;
  /** `ssh -t host cmd`: run `sh -c cmd` under the pty; undefined: the best shell. */
  command?: string;
  cols: number;
  rows: number;
  /** Registers the window-change handler. */
  onResize(handler: (cols: number, rows: number) => void): void;
}

export async function runShell(req: ShellRequest): Promise<void> {
  const { channel, login } = req;
  const host = login.deps.host;
  // Known once the host has opened the session; events before that are not this viewer's.
  const opened: { id?: string } = {};
  let over = false;
  const end = (code: number, message?: string): void => {
    if (over) return;
    over = true;
    if (message) fail(channel, message, code);
    else finish(channel, code);
    if (opened.id) void host.close(viewer, opened.id, `its SSH shell ended (${login.who})`).catch(() => undefined);
  };
  const viewer: TerminalViewer = {
    id: `ssh-${randomUUID()}`,
    who: login.who,
    emit: <E extends keyof TerminalsEvents>(name: E, payload: TerminalsEvents[E]) => {
      if (over) return;
      if (name === 'terminal.data') {
        const { id: sid, data } = payload as TerminalsEvents['terminal.data'];
        if (sid !== opened.id) return;
        const n = data.length;
        // Acknowledged once the channel has taken the bytes (ssh2 calls back when they fit its window).
        channel.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), () => {
          const s = host.get(sid);
          if (s?.hasViewer(viewer)) s.ack(viewer, n);
        });
      } else if (name === 'terminal.snapshot') {
        // This viewer fell behind (a slow client): the screen as it is now, drawn on a reset terminal.
        const snap = payload as TerminalsEvents['terminal.snapshot'];
        if (snap.id === opened.id) channel.write(`\x1bc${snap.data}`);
      } else if (name === 'terminal.state') {
        const { id: sid, state } = payload as TerminalsEvents['terminal.state'];
        if (sid !== opened.id) return;
        if (state.state === 'exited') end(state.exitCode);
        else if (state.state === 'error') end(1, state.reason);
        else if (state.state === 'disconnected') end(255, `the connection to the cluster dropped: ${state.reason}`);
      }
    },
  };
  const gone = (): void => {
    if (over) return;
    over = true;
    // The client went away without the shell ending: detach only (grace period, attachable from the UI).
    if (opened.id) host.detach(viewer, opened.id);
  };
  channel.on('close', gone);
  channel.on('error', () => undefined);

  const command = req.command === undefined ? undefined : ['sh', '-c', req.command];
  let info;
  try {
    info = await host.open(viewer, { ...req.target, command, cols: req.cols, rows: req.rows });
  } catch (err) {
    return end(1, (err as Error).message);
  }
  const id = (opened.id = info.id);
  if (info.state.state === 'error') return end(1, info.state.reason);
  if (info.state.state === 'exited') return end(info.state.exitCode);
  if (over) {
    // The client left while the shell was starting.
    host.detach(viewer, id);
    return;
  }
  const decoder = new TextDecoder('utf-8');
  channel.on('data', (chunk: Buffer) => {
    const s = host.get(info.id);
    if (!s || over) return;
    try {
      s.write(viewer, decoder.decode(chunk, { stream: true }));
    } catch {
      // not connected (reconnecting, ending): the keystroke has nowhere to go
    }
  });
  req.onResize((cols, rows) => {
    try {
      host.get(info.id)?.resizeBy(viewer, cols, rows);
    } catch {
      // ended meanwhile
    }
  });
}
