// Container sandboxes and the processes inside them. A container is a root folder; its processes are found by
// their root directory (/proc/PID/root), like a runtime's cgroup listing, so the double can list and kill
// exactly what runs in one container, or everything under a cluster's folder.
import { spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { sleep } from '../util/wait.ts';

export interface ProcessInfo {
  pid: number;
  command: string;
}

// PID 1 reads a pipe from this Node process: when the process dies (even by SIGKILL) the pipe ends, PID 1
// exits and the kernel kills everything left in the container, so a crashed test leaves no process behind.
const SANDBOX_SCRIPT = 'mount -t proc proc "$1/proc" || exit 1; mount --bind /dev/pts "$1/dev/pts" 2>/dev/null; echo ready; exec -a /pause cat >/dev/null';

/**
 * A container's sandbox: PID 1 of its own PID namespace (`/pause`, a host `cat`, outside the root so it is no
 * process of the container) with a mount namespace where the root has /proc and /dev/pts. Every exec
 * joins both, so `ps` in a container shows that container's processes. Undefined when namespaces are
 * not available (execs then run in a plain chroot).
 */
export async function startSandbox(root: string): Promise<number | undefined> {
  const p = spawn('unshare', ['--pid', '--fork', '--mount', '--propagation', 'private', '--kill-child', 'bash', '-c', SANDBOX_SCRIPT, 'sandbox', root],
    { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  p.stdin?.on('error', () => undefined);
  (p.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  p.on('error', () => undefined);
  const ok = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10000);
    p.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(true); } });
    p.on('exit', () => { clearTimeout(t); resolve(false); });
  });
  p.stdout?.destroy();
  p.unref();
  if (!ok || !p.pid) { if (p.pid) killPid(p.pid); return undefined; }
  try {
    const child = Number((await readFile(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8')).trim().split(/\s+/)[0]);
    return child > 0 ? child : undefined;
  } catch {
    return undefined;
  }
}

/** Processes whose root directory is `root` (exact) or under `prefix` (when exact is false). */
export async function pidsUnder(root: string, exact = false): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  let entries: string[];
  try { entries = await readdir('/proc'); } catch { return out; }
  await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (e) => {
    try {
      const r = await readlink(`/proc/${e}/root`);
      if (exact ? r === root : r.startsWith(root)) {
        const cmd = (await readFile(`/proc/${e}/cmdline`)).toString('utf8').split('\0').filter(Boolean).join(' ');
        out.push({ pid: Number(e), command: cmd });
      }
    } catch { /* exited or not ours */ }
  }));
  return out.sort((a, b) => a.pid - b.pid);
}

export function killPid(pid: number): void {
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Kills every process under `prefix`, a few rounds, since a dying shell's children can be forked meanwhile. */
export async function killAllUnder(prefix: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const pids = await pidsUnder(prefix);
    if (!pids.length) return;
    for (const p of pids) killPid(p.pid);
    await sleep(50);
  }
}

/** The sandboxes of one cluster: container root → host pid of its namespace init (PID 1 of the container). */
export class Sandboxes {
  private readonly inits = new Map<string, number>();

  async start(root: string): Promise<void> {
    const pid = await startSandbox(root);
    if (pid) this.inits.set(root, pid);
  }

  pidOf(root: string): number | undefined {
    return this.inits.get(root);
  }

  /** Killing a PID namespace's init kills everything in it, like a container's end. */
  kill(root: string): void {
    const pid = this.inits.get(root);
    this.inits.delete(root);
    if (pid) killPid(pid);
  }

  killAll(): void {
    for (const root of [...this.inits.keys()]) this.kill(root);
  }
}
