/**
 * The kubectl side: the real kubectl on PATH, under a pseudo-terminal as a user runs it
 * (`kubectl exec -it` needs a terminal on stdin), driven by ptyprobe.py.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, runWithPeakRss } from './proc.ts';

const PROBE = fileURLToPath(new URL('./ptyprobe.py', import.meta.url));

export interface Target {
  kubeconfig: string;
  context: string;
  namespace: string;
  pod: string;
  container: string;
}

function kubectlArgs(t: Target, ...rest: string[]): string[] {
  return ['--kubeconfig', t.kubeconfig, '--context', t.context, ...rest];
}

function execArgs(t: Target, command: string[]): string[] {
  return ['kubectl', ...kubectlArgs(t, 'exec', '-it', '-n', t.namespace, t.pod, '-c', t.container, '--', ...command)];
}

async function probe<T>(mode: string, opts: string[], cmd: string[], timeoutMs: number): Promise<T> {
  const r = await run('python3', [PROBE, mode, ...opts, '--', ...cmd], { timeoutMs });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`ptyprobe ${mode} failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300) || r.stdout.slice(0, 300)}`);
  }
}

/** `kubectl exec -it … -- command` with stdin a terminal and stdout /dev/null; wall seconds from spawn to exit. */
export async function kubectlSink(t: Target, command: string[], timeoutMs = 600_000): Promise<number> {
  const r = await probe<{ seconds: number; exit: number; stderr: string }>('sink', [], execArgs(t, command), timeoutMs);
  if (r.exit !== 0) throw new Error(`kubectl exec exited ${r.exit}: ${r.stderr.trim()}`);
  return r.seconds;
}

/** `kubectl exec -it … -- command` with its output to /dev/null, in the background until it ends or is killed. */
export function spawnKubectlSink(t: Target, command: string[]): ChildProcess {
  return spawn('python3', [PROBE, 'sink', '--', ...execArgs(t, command)], { stdio: 'ignore' });
}

/** Keystroke echo latencies (ms) in `kubectl exec -it … -- shell` once its prompt is idle. */
export async function kubectlEcho(t: Target, keys: number, shell: string[]): Promise<number[]> {
  const r = await probe<{ lat_ms: number[]; error: string | null }>('echo', ['--keys', String(keys)], execArgs(t, shell), 60_000 + keys * 2000);
  if (r.error) throw new Error(`kubectl echo: ${r.error}`);
  return r.lat_ms;
}

/** Milliseconds from starting `kubectl exec -it … -- shell` to the first byte of its prompt. */
export async function kubectlFirstPrompt(t: Target, shell: string[]): Promise<number> {
  const r = await probe<{ ms: number | null }>('first-byte', [], execArgs(t, shell), 60_000);
  if (r.ms === null) throw new Error('kubectl exec printed nothing');
  return r.ms;
}

/** `kubectl cp SRC DST` (paths in kubectl's syntax), with its peak memory. */
export async function kubectlCp(t: Target, src: string, dst: string): Promise<{ seconds: number; maxRss?: number }> {
  const r = await runWithPeakRss('kubectl', kubectlArgs(t, 'cp', '-c', t.container, src, dst), { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new Error(`kubectl cp ${src} ${dst} exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  return { seconds: r.seconds, maxRss: r.maxRss };
}
