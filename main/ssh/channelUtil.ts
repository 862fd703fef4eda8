/** What the gateway needs of an ssh2 server channel, and the one way to refuse on it. */
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { ServerChannel } from 'ssh2';

export type ChannelLike = ServerChannel;

/**
 * Says why on stderr and ends with a non-zero exit status. The status goes before the end: a channel
 * that closes first makes OpenSSH report "exit status -1" and drop what stderr still held.
 */
export function fail(channel: ChannelLike, message: string, code = 1): void {
  channel.stderr.write(`kubedeck: ${message}\r\n`);
  finish(channel, code);
}

/** Sends the exit status, then ends the channel (ssh2's pipe with `end: true` would end it before the status). */
export function finish(channel: ChannelLike, code: number): void {
  try {
    channel.exit(code);
    channel.end();
  } catch {
    // the client is gone already
  }
}

/**
 * `src.pipe(dest, { end: false })`, with the connection's socket corked while each chunk is written: ssh2
 * writes one socket write per SSH packet (32 KiB for OpenSSH), so a 256 KiB chunk from the exec stream
 * would be 8 syscalls and 8 wake-ups of the client; corked until the next tick they go as one writev.
 * Measured on `ssh host cat`: the gateway's CPU per byte falls, the client is woken less.
 */
export function pipeBulk(src: Readable, dest: Writable, socket: Socket | undefined): void {
  if (socket) {
    let corked = false;
    src.prependListener('data', () => {
      if (corked) return;
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    });
  }
  src.pipe(dest, { end: false });
}
