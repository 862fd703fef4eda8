/**
 * What a download and an upload of one item share: the hooks a caller watches it through, the result
 * it reports, cancellation, and running one container command as a watched stream (bytes counted,
 * silence noticed, cancel honoured), so that each direction only says what it does with the bytes.
 */
import { randomBytes } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { RemoteProcess } from '../kube/remoteProcess.ts';
import { localError } from './localFs.ts';
import { RemoteError, type RemoteFs } from './remoteFs.ts';

export interface ItemHooks {
  signal: AbortSignal;
  /** Total bytes of the item, once known. */
  onTotal?(bytes: number): void;
  /** Bytes moved since the last call (may go back: negative after a resume restarts a file). */
  onBytes?(n: number): void;
  /** A line for the log (resume, refusals…). */
  onNote?(msg: string): void;
  /** No byte for this long counts as a dropped stream. */
  stallMs?: number;
  /** How many times a dropped download resumes. */
  retries?: number;
  compress?: 'auto' | 'always' | 'never';
  /** Unique token for temp names. */
  id?: string;
  /** Land under this name instead of the source's (kubectl cp's DST that names a file). */
  asName?: string;
  /** Symlinks from a container: skipped and reported (default), or created when they stay inside. */
  symlinks?: 'skip' | 'create';
}

export interface ItemResult {
  state: 'done' | 'skipped';
  /** "sha256 ok (3 files)", "size ok (1 file)". */
  verified?: string;
  /** Where the item landed. */
  finalPath?: string;
  /** Entries left out on purpose (symlinks leaving the folder, devices), reported to the user. */
  warnings: string[];
  /** Symlinks not created (symlinks from containers are off): "name -> target". */
  skippedLinks?: string[];
}

export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

/** Unique part of a temp name: the caller's, or a fresh one. */
export function tempId(hooks: ItemHooks): string {
  return hooks.id ?? randomBytes(6).toString('hex');
}

/** Counts bytes and notices silence: the watchdog of a stream (drops sometimes never close). */
export class Activity extends Transform {
  last = Date.now();
  constructor(private readonly onChunk?: (n: number) => void) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.last = Date.now();
    this.onChunk?.(chunk.length);
    cb(null, chunk);
  }
}

export interface RunOutcome<T> {
  value?: T;
  error?: unknown;
  exitCode: number;
  dropped: boolean;
  stderr: string;
}

/**
 * Runs a command and hands its stdout (gunzipped if asked) to `consume`; watches for stalls and
 * cancellation. Never throws for the remote side's failures: the outcome says what happened.
 */
export async function runStreaming<T>(
  remote: RemoteFs,
  command: string[],
  hooks: ItemHooks,
  consume: (stdout: Readable, proc: RemoteProcess, activity: Activity) => Promise<T>,
  opts: { gunzip?: boolean } = {},
): Promise<RunOutcome<T>> {
  hooks.signal.throwIfAborted();
  let proc: RemoteProcess;
  try {
    proc = await remote.exec(command);
  } catch (e) {
    return { error: e, exitCode: -1, dropped: true, stderr: '' };
  }
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 8192) stderr += b.toString('utf8');
  });
  proc.stdin.on('error', () => {});
  const activity = new Activity();
  let stalled = false;
  const stallMs = hooks.stallMs ?? 30_000;
  const timer = setInterval(() => {
    if (Date.now() - activity.last > stallMs) {
      stalled = true;
      proc.close();
    }
  }, Math.min(1000, stallMs / 2));
  const onAbort = () => proc.close();
  hooks.signal.addEventListener('abort', onAbort);
  proc.stdout.on('error', (e) => activity.destroy(e));
  let out: Readable = proc.stdout.pipe(activity);
  if (opts.gunzip) {
    const gz = zlib.createGunzip();
    activity.on('error', (e) => gz.destroy(e));
    out = activity.pipe(gz);
  }
  let value: T | undefined;
  let error: unknown;
  try {
    value = await consume(out, proc, activity);
  } catch (e) {
    error = e;
    proc.close();
  }
  const res = await proc.done;
  clearInterval(timer);
  hooks.signal.removeEventListener('abort', onAbort);
  if (hooks.signal.aborted) throw new Cancelled();
  const dropped = stalled || !!res.dropped;
  if (stalled) stderr = `no data for ${Math.round(stallMs / 1000)} s; ${stderr}`;
  return { value, error, exitCode: res.exitCode, dropped, stderr: (res.error ? res.error + ': ' : '') + stderr.trim() };
}

/** "what: the container's words" for a failed run, or the local error's own sentence. */
export function cleanMessage(o: RunOutcome<unknown>, what: string): string {
  const err = o.error instanceof Error ? o.error.message : o.error ? String(o.error) : '';
  if (o.error && (o.error as NodeJS.ErrnoException).code && !(o.error instanceof RemoteError)) return localError(o.error).message;
  const parts = [o.stderr, err].filter(Boolean);
  return `${what}: ${parts.join('; ') || `exit code ${o.exitCode}`}`;
}
