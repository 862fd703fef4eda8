/** What the gateway needs of an ssh2 server channel, and the one way to refuse on it. */
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
