/**
 * Serve mode refuses a writeTerminal frame over MAX_WRITE_FRAME_BYTES (256 KiB, main/serve/callSchema.ts),
 * so a longer paste is sent as several writes, in order. Order needs no waiting: one WebSocket delivers
 * frames in order and core writes each one to the shell before it reads the next.
 */
import { MAX_WRITE_FRAME_BYTES } from '../../../common/wire/wire.ts';

/**
 * UTF-16 units per chunk. JSON.stringify writes one unit as at most 6 bytes (a control character or a lone
 * surrogate as \uXXXX; other text takes 1–3 bytes of UTF-8), so a chunk's frame stays under the limit with
 * room for the call's head and the terminal id. Counted by the worst case, not measured: no chunk can fail.
 */
export const PASTE_CHUNK_UNITS = Math.floor((MAX_WRITE_FRAME_BYTES - 2048) / 6);

/** Splits `data` into ordered chunks of at most `max` UTF-16 units, never between the halves of a surrogate pair. */
export function pasteChunks(data: string, max = PASTE_CHUNK_UNITS): string[] {
  if (data.length <= max) return [data];
  const out: string[] = [];
  let at = 0;
  while (at < data.length) {
    let end = Math.min(at + max, data.length);
    // Each chunk becomes UTF-8 on its own: a pair split in two would arrive as two U+FFFD.
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff && end - 1 > at) end--;
    out.push(data.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * A writeTerminal that sends long data as ordered chunks. All chunks are sent at once (one after another on
 * the socket); the result settles when every chunk has been answered, with the first error if any.
 */
export function chunkedWrite(write: (id: string, data: string) => Promise<void>, max = PASTE_CHUNK_UNITS): (id: string, data: string) => Promise<void> {
  return (id, data) => {
    if (typeof data !== 'string' || data.length <= max) return write(id, data);
    return Promise.all(pasteChunks(data, max).map((chunk) => write(id, chunk))).then(() => undefined);
  };
}
