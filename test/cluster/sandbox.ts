// Container sandboxes and the processes inside them. A container is a root folder; its processes are found by
// their root directory (/proc/PID/root), like a runtime's cgroup listing, so the double can list and kill
// exactly what runs in one container, or everything under a cluster's folder.
import { spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { sleep, until } from '../util/wait.ts';

export interface ProcessInfo {
  pid: number;
  command: string;
}

// PID 1 reads a pipe from this Node process: when the process dies (even by SIGKILL) the pipe ends, PID 1
// exits and the kernel kills everything left in the container, so a crashed test leaves no process behind.
// PID 1 is the container's main process, so its root is the container's root (a debug container that shares its
// PID namespace reads the target's files at /proc/1/root/, as on a real node). It is perl, loaded from the host
// before it chroots, so the image needs no program of its own for it; $0 names it /pause in `ps`.
const PAUSE = 'chroot($ARGV[0]) or die "chroot: $!"; chdir("/"); $0 = "/pause"; 1 while sysread(STDIN, my $b, 65536);';
// A pod's first sandbox also makes the pod's network namespace (only loopback, brought up here with the host's `ip`
// before the chroot), so every container of the pod shares one localhost, as on a real node; port-forward connects
// inside it (portForward.ts).
const SANDBOX_SCRIPT = 'mount -t proc proc "$1/proc" || exit 1; mount --bind /dev/pts "$1/dev/pts" 2>/dev/null; [ "$3" = net ] && { ip link set lo up || exit 1; }; echo ready; exec perl -e "$2" "$1" >/dev/null';

/**
 * A container's sandbox: PID 1 of its own PID namespace (`/pause`, the container's main process, chrooted into its
 * root) with a mount namespace where the root has /proc and /dev/pts. Every exec joins both, so `ps` in a
 * container shows that container's processes. With `sharePidOf` (the namespace init of a target container, for
 * an ephemeral container with targetContainerName) the sandbox joins that PID namespace instead of making one:
 * its own mount namespace and root, the target's processes. Undefined when namespaces are not available (execs
 * then run in a plain chroot).
 */
export async function startSandbox(root: string, sharePidOf?: number, shareNetOf?: number): Promise<number | undefined> {
  // A new PID namespace needs a fork (unshare waits outside it); a mount namespace alone does not, so in a shared
  // PID namespace unshare execs straight into the script and leaves no process of its own for `ps` to show.
  const unshare = ['unshare', ...(sharePidOf ? [] : ['--pid', '--fork', '--kill-child']), ...(shareNetOf ? [] : ['--net']),
    '--mount', '--propagation', 'private', 'bash', '-c', SANDBOX_SCRIPT, 'sandbox', root, PAUSE, shareNetOf ? '' : 'net'];
  // nsenter forks after joining a PID namespace, so what it runs is inside the target's.
  const join = [...(sharePidOf ? ['-t', String(sharePidOf), '-p'] : []), ...(shareNetOf ? ['--net=/proc/' + shareNetOf + '/ns/net'] : [])];
  const argv = join.length ? ['nsenter', ...join, '--', ...unshare] : unshare;
  const p = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
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
  // The init is the last of the chain nsenter → unshare → bash (exec'd into perl); wait until it has chrooted.
  const pid = p.pid;
  const init = await until('the sandbox init in its root', async () => {
    const leaf = await leafOf(pid);
    return leaf && leaf !== pid && await readlink(`/proc/${leaf}/root`).catch(() => '') === root ? leaf : undefined;
  }, 10_000, 10).catch(() => undefined);
  if (!init) killPid(pid);
  return init;
}

/** The process at the end of a chain of only children. */
async function leafOf(pid: number): Promise<number | undefined> {
  let cur = pid;
  for (let depth = 0; depth < 5; depth++) {
    const kids = (await readFile(`/proc/${cur}/task/${cur}/children`, 'utf8').catch(() => '')).trim();
    if (!kids) return cur;
    cur = Number(kids.split(/\s+/)[0]);
  }
  return cur;
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

  /**
   * Start the sandbox of the container with this root; sharePidOf: the root of a container whose PID namespace it
   * joins; shareNetOf: the root of the pod's first container, whose network namespace (the pod's) it joins.
   */
  async start(root: string, sharePidOf?: string, shareNetOf?: string): Promise<boolean> {
    const share = sharePidOf ? this.inits.get(sharePidOf) : undefined;
    const net = shareNetOf ? this.inits.get(shareNetOf) : undefined;
    const pid = await startSandbox(root, share, net);
    if (pid) this.inits.set(root, pid);
    return pid !== undefined;
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
