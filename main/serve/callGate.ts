/**
 * Turns one text frame from a serve-mode client into a call that fits the contract, or into the reason it
 * does not — at a cost bounded by the method's size limit (callSchema.ts), never by what the frame holds.
 * Order matters: the size is checked against the method named in the frame's head before JSON.parse, the
 * parse has no reviver (a reviver runs once per value: 30 million of them for a 60 MB array), and
 * {"$bytes"} values are turned into bytes only at the argument positions the contract declares as bytes.
 */
import { checkArgs, DEFAULT_MAX_BYTES, specOf, type MethodSpec } from './callSchema.ts';

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

/** The size limit of a frame: its method's, when the head names a method of the contract; else the small default. */
export function frameLimit(text: string): number {
  const head = readCallHead(text);
  const s = head && specOf(head.method);
  return s ? s.maxBytes : DEFAULT_MAX_BYTES;
}

function reviveBytes(s: MethodSpec, args: unknown[]): unknown[] {
  return args.map((a, i) => (s.args[i] === 'bytes' ? new Uint8Array(Buffer.from((a as { $bytes: string }).$bytes, 'base64')) : a));
}

/** Validates one text frame; never throws. `bytes` is the frame's length in bytes as received. */
export function gateCall(text: string, bytes: number): GateResult {
  const head = readCallHead(text);
  const limit = frameLimit(text);
  if (bytes > limit) {
    return { ok: false, id: head?.id, message: `message too large: ${bytes} bytes, ${head && specOf(head.method) ? head.method : 'this message'} allows ${limit}` };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, id: head?.id, message: 'message is not JSON' };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { ok: false, message: 'message must be an object' };
  const { t, id, method, args } = msg as Record<string, unknown>;
  const goodId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
  if (t !== 'call') return { ok: false, id: goodId, message: 'message must be a call ("t": "call")' };
  if (goodId === undefined) return { ok: false, message: 'call id must be a non-negative integer' };
  if (typeof method !== 'string') return { ok: false, id: goodId, message: 'method must be a string' };
  const s = specOf(method);
  if (!s) return { ok: false, id: goodId, message: `unknown method ${JSON.stringify(method.slice(0, 64))}` };
  const wrong = checkArgs(method, s, args);
  if (wrong) return { ok: false, id: goodId, message: wrong };
  return { ok: true, id: goodId, method, args: reviveBytes(s, args as unknown[]) };
}
