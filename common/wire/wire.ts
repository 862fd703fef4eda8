/**
 * The serve-mode wire format: the KubedeckApi contract over one WebSocket.
 * Text frames carry JSON messages; bytes travel in binary frames, never inside JSON, so that nothing has
 * to be re-encoded (base64 costs a third more and a copy per chunk) and no JSON reviver ever runs over
 * what a client sent (a reviver runs once per value: millions of them for one large hostile frame).
 *
 *   client → server  {"t":"call","id":7,"method":"openTerminal","args":[...]}
 *   client → server  binary call, for a call with a bytes argument (stageUpload):
 *                    [2][u32 BE header length][header utf-8][the bytes]
 *                    header: {"t":"call","id":8,"method":"stageUpload","args":["a.bin",{"$bytes":1048576},0,false]}
 *                    The placeholder {"$bytes": n} stands where the bytes argument goes; n is their length
 *                    (the rest of the frame), so a frame cut or padded on the way is refused, not misread.
 *   server → client  {"t":"result","id":7,"value":...} | {"t":"error","id":7,"message":"..."}
 *   server → client  {"t":"event","name":"terminal.state","payload":{...}}
 *   server → client  binary: [1][u16 BE length of id][id utf-8][output bytes]   ('terminal.data')
 *
 * No result or event other than 'terminal.data' carries bytes today; encodeJson refuses a Uint8Array
 * anywhere in a JSON message, so one that starts to would fail loudly rather than arrive as {"0":…}.
 */

export type ClientMessage = { t: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage =
  | { t: 'result'; id: number; value: unknown }
  | { t: 'error'; id: number; message: string }
  | { t: 'event'; name: string; payload: unknown };

export const BINARY_TERMINAL_DATA = 1;
export const BINARY_CALL = 2;
/** Type byte and header length of a binary call. */
const CALL_PREFIX = 5;

/** Where a binary call's header puts its bytes argument; `$bytes` is their length. */
export interface BytesPlaceholder {
  $bytes: number;
}

/**
 * The largest writeTerminal frame serve mode accepts (main/serve/callSchema.ts): a keystroke or a paste
 * needs kilobytes. Here because the page splits longer pastes to fit (renderer/src/lib/pasteChunks.ts).
 */
export const MAX_WRITE_FRAME_BYTES = 256 * 1024;

/** JSON.stringify of a message; throws on a Uint8Array, which only a binary call may carry. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) throw new TypeError('bytes travel only as a top-level call argument, in a binary call frame');
    return v;
  });
}

/**
 * A call as the frame to send: JSON text, or a binary call when one argument is a Uint8Array.
 * Throws for more than one bytes argument or bytes nested in another argument.
 */
export function encodeCall(msg: ClientMessage): string | Uint8Array {
  const at = msg.args.flatMap((a, i) => (a instanceof Uint8Array ? [i] : []));
  if (at.length === 0) return encodeJson(msg);
  if (at.length > 1) throw new TypeError(`${msg.method}: a call carries at most one bytes argument`);
  const data = msg.args[at[0]] as Uint8Array;
  const placeholder: BytesPlaceholder = { $bytes: data.length };
  const header = new TextEncoder().encode(encodeJson({ ...msg, args: msg.args.map((a, i) => (i === at[0] ? placeholder : a)) }));
  const out = new Uint8Array(CALL_PREFIX + header.length + data.length);
  out[0] = BINARY_CALL;
  new DataView(out.buffer).setUint32(1, header.length);
  out.set(header, CALL_PREFIX);
  out.set(data, CALL_PREFIX + header.length);
  return out;
}

export type DecodedCallFrame = { ok: true; header: string; data: Uint8Array } | { ok: false; message: string };

/**
 * Splits a binary call into its header text and its bytes, at a cost bounded by `maxHeader` whatever the
 * frame claims: the header length is checked against the frame and the limit before anything is decoded.
 */
export function decodeCallFrame(frame: Uint8Array, maxHeader: number): DecodedCallFrame {
  if (frame.length === 0 || frame[0] !== BINARY_CALL) return { ok: false, message: `binary messages must be calls (type ${BINARY_CALL}, got ${frame.length ? frame[0] : 'nothing'})` };
  if (frame.length < CALL_PREFIX) return { ok: false, message: `binary call of ${frame.length} bytes is too short for its header length` };
  const len = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1);
  if (len > maxHeader) return { ok: false, message: `binary call header of ${len} bytes is over the ${maxHeader} allowed` };
  if (CALL_PREFIX + len > frame.length) return { ok: false, message: `binary call header says ${len} bytes, the frame has ${frame.length - CALL_PREFIX} after the prefix` };
  let header: string;
  try {
    header = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(CALL_PREFIX, CALL_PREFIX + len));
  } catch {
    return { ok: false, message: 'binary call header is not UTF-8' };
  }
  return { ok: true, header, data: frame.subarray(CALL_PREFIX + len) };
}

/** Frames a terminal output chunk as a binary message. */
export function encodeTerminalData(id: string, data: Uint8Array): Uint8Array {
  const idBytes = new TextEncoder().encode(id);
  const out = new Uint8Array(3 + idBytes.length + data.length);
  out[0] = BINARY_TERMINAL_DATA;
  out[1] = idBytes.length >> 8;
  out[2] = idBytes.length & 0xff;
  out.set(idBytes, 3);
  out.set(data, 3 + idBytes.length);
  return out;
}

/** Reads a binary message framed by encodeTerminalData; undefined if it is not one. */
export function decodeTerminalData(frame: Uint8Array): { id: string; data: Uint8Array } | undefined {
  if (frame.length < 3 || frame[0] !== BINARY_TERMINAL_DATA) return undefined;
  const len = (frame[1] << 8) | frame[2];
  if (3 + len > frame.length) return undefined;
  const id = new TextDecoder().decode(frame.subarray(3, 3 + len));
  return { id, data: frame.subarray(3 + len) };
}
