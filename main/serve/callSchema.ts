/**
 * What serve mode accepts of each contract method before anything else touches a message: the types of
 * its arguments and how large its text frame may be. One table, typed against KubedeckMethods so that a
 * method added to the contract without a row here fails the typecheck; the checks are generated from it.
 * Why here: a browser tab is untrusted input, and core's own checks assume well-typed values (a
 * `String(obj)` on a hostile object throws; a 60 MB array costs seconds of CPU before any check runs).
 */
import type { KubedeckMethods } from '../../common/contract/index.ts';
import { MAX_WRITE_FRAME_BYTES, type BytesPlaceholder } from '../../common/wire/wire.ts';

/**
 * `bytes`: a Uint8Array, which only a binary call frame carries (common/wire/wire.ts): its header holds the
 * placeholder {"$bytes": length} at this position, the rest of the frame the bytes.
 */
export type ArgType = 'string' | 'number' | 'boolean' | 'object' | 'strings' | 'bytes';

export interface MethodSpec {
  args: readonly ArgType[];
  /** How many of the last `args` may be left out (optional parameters of the method). */
  optional?: number;
  /** The largest frame a call of this method may be (bytes of JSON, or of a binary call with its header). */
  maxBytes: number;
}

const KiB = 1024;
/** Requests that name a few things (ids, paths, sizes). */
const SMALL = 16 * KiB;
/** Requests with lists or settings in them (many paths, per-cluster policies). */
const MEDIUM = 256 * KiB;
/** A pasted text can be long; the page splits longer pastes into frames of this (renderer/src/lib/pasteChunks.ts). */
const PASTE = MAX_WRITE_FRAME_BYTES;
/** stageUpload carries STAGE_CHUNK (1 MiB, renderer/src/lib/transferModel.ts) as raw bytes, plus its header. */
const UPLOAD = 1024 * KiB + SMALL;

const spec = (maxBytes: number, ...args: ArgType[]): MethodSpec => ({ args, maxBytes });
/** A method whose last `optional` arguments may be left out. */
const withOptional = (optional: number, s: MethodSpec): MethodSpec => ({ ...s, optional });

export const CALL_SPECS: Record<keyof KubedeckMethods, MethodSpec> = {
  listClusters: spec(SMALL),
  addKubeconfig: spec(SMALL, 'string'),
  removeKubeconfig: spec(SMALL, 'string'),
  listNamespaces: spec(SMALL, 'string'),
  listPods: spec(SMALL, 'string', 'string'),
  reconnectCluster: spec(SMALL, 'string'),
  openTerminal: spec(SMALL, 'object'),
  attachTerminal: withOptional(1, spec(SMALL, 'string', 'number', 'number', 'boolean')),
  detachTerminal: spec(SMALL, 'string'),
  setTerminalVisible: spec(SMALL, 'string', 'boolean'),
  listSessions: spec(SMALL),
  setBroadcast: spec(MEDIUM, 'strings'),
  writeBroadcast: spec(PASTE, 'string'),
  writeTerminal: spec(PASTE, 'string', 'string'),
  resizeTerminal: spec(SMALL, 'string', 'number', 'number'),
  ackTerminal: spec(SMALL, 'string', 'number'),
  closeTerminal: spec(SMALL, 'string'),
  reconnectTerminal: spec(SMALL, 'string'),
  listTerminals: spec(SMALL),
  terminalCwd: spec(SMALL, 'string'),
  markTerminal: spec(SMALL, 'string', 'string'),
  listDir: spec(SMALL, 'object', 'string'),
  homeDir: spec(SMALL, 'object'),
  makeDir: spec(SMALL, 'object', 'string'),
  renamePath: spec(SMALL, 'object', 'string', 'string'),
  deletePaths: spec(MEDIUM, 'object', 'strings'),
  startTransfer: spec(MEDIUM, 'object'),
  cancelTransfer: spec(SMALL, 'string'),
  listTransfers: spec(SMALL),
  stageUpload: spec(UPLOAD, 'string', 'bytes', 'number', 'boolean'),
  listRecordings: spec(SMALL),
  readRecording: spec(SMALL, 'string'),
  deleteRecording: spec(SMALL, 'string'),
  searchRecordings: spec(SMALL, 'string'),
  getRecordingSettings: spec(SMALL),
  setRecordingSettings: spec(MEDIUM, 'object'),
  readAudit: spec(SMALL),
  startDebugContainer: spec(SMALL, 'object'),
  getDebugSettings: spec(SMALL),
  setDebugSettings: spec(SMALL, 'object'),
  createShareLink: spec(SMALL, 'object'),
  listShareLinks: spec(SMALL),
  revokeShareLink: spec(SMALL, 'string'),
  shareSession: spec(SMALL),
  startPortForward: spec(SMALL, 'object'),
  listPortForwards: spec(SMALL),
  stopPortForward: spec(SMALL, 'string'),
  clearEndedPortForwards: spec(SMALL),
  openLogs: spec(SMALL, 'object'),
  closeLogs: spec(SMALL, 'string'),
  ackLogs: spec(SMALL, 'string', 'number'),
  getTerminalSettings: spec(SMALL),
  setTerminalSettings: spec(SMALL, 'object'),
};

/** The largest frame of any method: the WebSocket's own limit, checked before a frame is even buffered. */
export const MAX_FRAME_BYTES = Math.max(...Object.values(CALL_SPECS).map((s) => s.maxBytes));
/** A frame whose method cannot be read from its head is held to this (see readCallHead). */
export const DEFAULT_MAX_BYTES = SMALL;
/** The largest header of a binary call: names and numbers only, the bytes come after it. */
export const MAX_CALL_HEADER_BYTES = SMALL;

// A binary call carries one run of bytes; a method with two bytes arguments would need a new frame.
for (const [method, s] of Object.entries(CALL_SPECS)) {
  if (s.args.filter((a) => a === 'bytes').length > 1) throw new Error(`${method}: at most one bytes argument per method`);
}

/** Whether calls of this method carry bytes, and so come as binary call frames only. */
export function takesBytes(s: MethodSpec): boolean {
  return s.args.includes('bytes');
}

/** The spec of a method name, only for names of the contract (never `constructor`, `__proto__`…). */
export function specOf(method: string): MethodSpec | undefined {
  return Object.hasOwn(CALL_SPECS, method) ? CALL_SPECS[method as keyof KubedeckMethods] : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A binary call header's {"$bytes": length} placeholder, as JSON.parse leaves it. */
function isPlaceholder(v: unknown): v is BytesPlaceholder {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.$bytes === 'number' && Number.isSafeInteger(v.$bytes) && v.$bytes >= 0;
}

function matches(type: ArgType, v: unknown, bytes: number | undefined): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'bytes':
      return bytes !== undefined && isPlaceholder(v) && v.$bytes === bytes;
  }
}

/**
 * Why these JSON-decoded arguments do not fit the method, or undefined when they do. `bytes` is the length
 * of the bytes a binary call carries (undefined for a text frame, which can carry none).
 */
export function checkArgs(method: string, s: MethodSpec, args: unknown, bytes?: number): string | undefined {
  if (!Array.isArray(args)) return `${method}: arguments must be a list`;
  const least = s.args.length - (s.optional ?? 0);
  if (args.length < least || args.length > s.args.length) {
    const expected = least === s.args.length ? `${least}` : `${least} to ${s.args.length}`;
    return `${method}: expected ${expected} argument(s), got ${args.length}`;
  }
  for (let i = 0; i < args.length; i++) {
    if (matches(s.args[i], args[i], bytes)) continue;
    const what = `${method}: argument ${i + 1}`;
    if (s.args[i] !== 'bytes') return `${what} must be ${describe(s.args[i])}`;
    if (bytes === undefined) return `${what} must be bytes, sent in a binary call frame (a text frame cannot carry them)`;
    if (isPlaceholder(args[i])) return `${what} announces ${args[i].$bytes} bytes, the frame carries ${bytes}`;
    return `${what} must be the placeholder {"$bytes": ${bytes}}`;
  }
  return undefined;
}

function describe(t: ArgType): string {
  return t === 'strings' ? 'a list of strings' : t === 'object' ? 'an object' : `a ${t}`;
}
