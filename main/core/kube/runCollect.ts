/**
 * Running a command to completion and collecting what it printed: the short execs (listings, hashes,
 * probes, the terminal's cwd and kill scripts). One helper for the whole core, over a RemoteProcess, so
 * the host-run tests of the file engine collect output exactly as the product does.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerRef } from '../../../common/contract/terminals.ts';
import type { ExecResult } from './execStream.ts';
import { type ExecFn, kubeExec } from './remoteProcess.ts';

export interface Collected extends ExecResult {
  stdout: Buffer;
  stderr: string;
}

export interface CollectOptions {
  /** Bytes for stdin; without them stdin is closed right away. */
  input?: Uint8Array | string;
  /** Closes the exec after this long (its result then says "closed"); default: no limit. */
  timeoutMs?: number;
}

/** Runs a command to completion and collects its output (small outputs only). */
export async function runCollect(exec: ExecFn, command: string[], opts: CollectOptions = {}): Promise<Collected> {
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
  if (opts.input !== undefined) p.stdin.end(opts.input);
  else p.stdin.end();
  const deadline = opts.timeoutMs === undefined ? undefined : setTimeout(() => p.close(), opts.timeoutMs);
  const res = await p.done;
  clearTimeout(deadline);
  // The output streams normally end with the exec; don't wait long (nor keep the process alive) if one doesn't.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  return { ...res, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

/** runCollect over the exec WebSocket, with text output and a time limit (default 15 s). */
export async function runExec(
  kc: KubeConfig,
  target: ContainerRef,
  command: string[],
  opts: { timeoutMs?: number; stdin?: Uint8Array | string } = {},
): Promise<ExecResult & { stdout: string; stderr: string }> {
  const exec = kubeExec(kc, target, { stdin: opts.stdin !== undefined, keepAliveMs: 0 });
  const res = await runCollect(exec, command, { input: opts.stdin, timeoutMs: opts.timeoutMs ?? 15_000 });
  return { ...res, stdout: res.stdout.toString('utf8') };
}
