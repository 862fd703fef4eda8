/**
 * Turns one frame from a serve-mode client into a call that fits the contract, or into the reason it does
 * not — at a cost bounded by the method's size limit (callSchema.ts), never by what the frame holds.
 * Order matters: the size is checked against the method named in the frame's head before JSON.parse, the
 * parse has no reviver (a reviver runs once per value: 30 million of them for a 60 MB array), and bytes
 * come only from a binary call frame (common/wire/wire.ts), put at the argument the contract declares
 * as bytes, where the header's placeholder announced exactly as many.
 */
import { decodeCallFrame } from '../../common/wire/wire.ts';
import { checkArgs, DEFAULT_MAX_BYTES, MAX_CALL_HEADER_BYTES, specOf, takesBytes } from './callSchema.ts';

export type GateResult =
  | { ok: true; id: number; method: string; args: unknown[] }
  /** `id` when the frame had a usable one, so that the error can answer that call. */
  | { ok: false; id?: number; message: string };

/**
 * The head every client of common/wire writes (encodeJson of {t, id, method, args}, keys in that order).
 * Only the first bytes are looked at, so this costs the same for any frame size.
 */
const HEAD = /^\{"t":"call","id":(\d{1,15}),"method":"([A-Za-z]{1,64})","args":/;

export function readCallHead(text: string): { id: number; method: string } | undefined {
  const m = HEAD.exec(text.slice(0, 128));
  return m ? { id: Number(m[1]), method: m[2] } : undefined;
}

/**
 * The size limit of a frame: its method's, when the head names a method of the contract; else the small
 * default. A text frame of a method that takes bytes can only be a mistake (its bytes need a binary call),
 * so it is held to the default too rather than parsed at upload size.
 */
export function frameLimit(text: string, binary: boolean): number {
  const head = readCallHead(text);
  const s = head && specOf(head.method);
  return s && (binary || !takesBytes(s)) ? s.maxBytes : DEFAULT_MAX_BYTES;
}

function tooLarge(text: string, bytes: number, binary: boolean): GateResult | undefined {
  const limit = frameLimit(text, binary);
  if (bytes <= limit) return undefined;
  const head = readCallHead(text);
  const s = head && specOf(head.method);
  const what = s ? `${head.method} allows ${limit}${!binary && takesBytes(s) ? ' in a text frame (its bytes go in a binary call)' : ''}` : `this message allows ${limit}`;
  return { ok: false, id: head?.id, message: `message too large: ${bytes} bytes, ${what}` };
}

/**
 * Parses and checks a call's JSON (a text frame, or a binary call's header); `data` is a binary call's
 * bytes, undefined for a text frame.
 */
function parseCall(text: string, data: Uint8Array | undefined): GateResult {
  const head = readCallHead(text);
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, id: head?.id, message: data ? 'binary call header is not JSON' : 'message is not JSON' };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { ok: false, message: 'message must be an object' };
  const { t, id, method, args } = msg as Record<string, unknown>;
  const goodId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
  if (t !== 'call') return { ok: false, id: goodId, message: 'message must be a call ("t": "call")' };
  if (goodId === undefined) return { ok: false, message: 'call id must be a non-negative integer' };
  if (typeof method !== 'string') return { ok: false, id: goodId, message: 'method must be a string' };
  const s = specOf(method);
  if (!s) return { ok: false, id: goodId, message: `unknown method ${JSON.stringify(method.slice(0, 64))}` };
  if (data && !takesBytes(s)) return { ok: false, id: goodId, message: `${method} takes no bytes: send it as a text frame, not a binary call` };
  const wrong = checkArgs(method, s, args, data?.length);
  if (wrong) return { ok: false, id: goodId, message: wrong };
  const list = args as unknown[];
  return { ok: true, id: goodId, method, args: data ? s.args.map((type, i) => (type === 'bytes' ? data : list[i])) : list };
}

/** Validates one text frame; never throws. `bytes` is the frame's length in bytes as received. */
export function gateCall(text: string, bytes: number): GateResult {
  const big = tooLarge(text, bytes, false);
  if (big) return big;
  return parseCall(text, undefined);
}

/**
 * Validates one binary frame as a binary call; never throws. The header is bounded before it is decoded,
 * the frame by the method its header names; the bytes are handed on as a view, not copied (`ws` hands a
 * message over in buffers read from the socket, which nothing reuses).
 */
export function gateBinaryCall(frame: Uint8Array): GateResult {
  const decoded = decodeCallFrame(frame, MAX_CALL_HEADER_BYTES);
  if (!decoded.ok) return { ok: false, message: decoded.message };
  const big = tooLarge(decoded.header, frame.length, true);
  if (big) return big;
  return parseCall(decoded.header, decoded.data);
}
