/** Child processes for the benchmark: run and collect, and read a process's memory from /proc. */
import { spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident set size of the process in bytes (GNU time's "Maximum resident set size"), when measured. */
  maxRss?: number;
}

/** Runs a command to its end; never rejects on a non-zero exit (the caller decides). */
export function run(cmd: string, args: string[], opts: SpawnOptions & { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr.length < 1 << 20 ? (stderr += d) : undefined));
    child.stdin!.end(opts.input ?? '');
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/**
 * Runs a command under GNU time and reports its peak RSS (VmHWM of the process itself, which is
 * what `ru_maxrss` measures). Wall time is measured around it; /usr/bin/time adds a fork and exec.
 */
export async function runWithPeakRss(cmd: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const marker = '@@bench-maxrss ';
  const r = await run('/usr/bin/time', ['-f', `${marker}%M`, cmd, ...args], opts);
  const m = r.stderr.match(/@@bench-maxrss (\d+)/);
  const stderr = r.stderr.replace(/@@bench-maxrss \d+\n?/, '').replace(/^Command (exited with non-zero status|terminated by signal) \d+\n?/m, '');
  return { ...r, stderr, maxRss: m ? Number(m[1]) * 1024 : undefined };
}

/** A field of /proc/PID/status in bytes (VmRSS, VmHWM…), or undefined if the process is gone. */
export function procStatus(pid: number, field: string): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Proportional set size in bytes (shared pages split among their users): fair for Chromium's processes. */
export function procPss(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The command line of a process, split on NULs. */
export function procCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every descendant pid of `root` (by walking /proc/PID/task/TID/children). */
export function descendants(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const kids: number[] = [];
    try {
      // Each thread has its own list: a child forked by another thread is only in that thread's.
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          kids.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
        } catch {
          // thread gone
        }
      }
    } catch {
      // gone
    }
    for (const k of kids) {
      out.push(k);
      queue.push(k);
    }
  }
  return out;
}

export const MiB = 1 << 20;
export const MB = 1e6;

/** Progress on stderr, so stdout holds only the table. */
export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
