/**
 * What the file engine needs from "run a command in a container": a process with byte streams and an
 * exit status. Built on the terminals engineer's openExec in production (see execAdapters.ts); tests
 * may also run the same shell scripts on the host, which is how the busybox variants are checked
 * without a cluster.
 */
import type { Readable, Writable } from 'node:stream';

export interface RemoteResult {
  exitCode: number;
  /** Set when the stream ended without a status from the API server (dropped connection, 403...). */
  error?: string;
  /** The connection ended without a status: the stream was cut (resume may help). */
  dropped?: boolean;
}

export interface RemoteProcess {
  /** Bytes for the command's stdin; end() half-closes it (v5 [255,0]). */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  done: Promise<RemoteResult>;
  /** Ends the stream now (cancel); done settles soon after. */
  close(): void;
}

/** Runs argv (no shell in between: names pass through untouched) in one fixed container. */
export type ExecFn = (command: string[]) => Promise<RemoteProcess>;

/** Raised when a command could not run at all or failed; `message` is for the user. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly exitCode?: number,
    readonly dropped = false,
  ) {
    super(message);
  }
}

/** Runs a command to completion and collects its output (small outputs only: listings, hashes). */
export async function runCollect(
  exec: ExecFn,
  command: string[],
  input?: Uint8Array | string,
): Promise<{ stdout: Buffer; stderr: string; exitCode: number; error?: string; dropped?: boolean }> {
  const p = await exec(command);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  p.stdout.on('data', (b: Buffer) => out.push(b));
  p.stderr.on('data', (b: Buffer) => err.push(b));
  const ended = Promise.all([
    new Promise<void>((r) => { p.stdout.once('end', r); p.stdout.once('close', r); p.stdout.once('error', () => r()); }),
    new Promise<void>((r) => { p.stderr.once('end', r); p.stderr.once('close', r); p.stderr.once('error', () => r()); }),
  ]);
  p.stdin.on('error', () => {});
  if (input !== undefined) p.stdin.end(input);
  else p.stdin.end();
  const res = await p.done;
  // The output streams normally end with the exec; don't wait long (nor keep the process alive) if one doesn't.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: res.exitCode, error: res.error, dropped: res.dropped };
}
