/**
 * The serve-mode wire format: the KubedeckApi contract over one WebSocket.
 * Text frames carry JSON messages; terminal output travels in binary frames so that bytes are not
 * re-encoded (base64 would cost a third more and a copy per chunk).
 *
 *   client → server  {"t":"call","id":7,"method":"openTerminal","args":[...]}
 *   server → client  {"t":"result","id":7,"value":...} | {"t":"error","id":7,"message":"..."}
 *   server → client  {"t":"event","name":"terminal.state","payload":{...}}
 *   server → client  binary: [1][u16 BE length of id][id utf-8][output bytes]   ('terminal.data')
 *
 * Uint8Array values inside JSON (arguments or payloads) are encoded as {"$bytes":"<base64>"}.
 */

export type ClientMessage = { t: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage =
  | { t: 'result'; id: number; value: unknown }
  | { t: 'error'; id: number; message: string }
  | { t: 'event'; name: string; payload: unknown };

export const BINARY_TERMINAL_DATA = 1;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** JSON.stringify that keeps Uint8Array values (as {"$bytes": base64}). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: toBase64(v) } : v));
}

/** JSON.parse that restores {"$bytes": base64} values to Uint8Array. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string' && Object.keys(v).length === 1
      ? fromBase64((v as { $bytes: string }).$bytes)
      : v,
  );
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
  const id = new TextDecoder().decode(frame.subarray(3, 3 + len));
  return { id, data: frame.subarray(3 + len) };
}
