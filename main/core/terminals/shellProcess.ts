/**
 * What a terminal session does to its shell through a second exec: kill the shell's whole process
 * tree (real runtimes keep an exec'd process running when its stream drops) and read its working
 * directory. The second exec is passed in as a function, so the session's seams stay clean and the
 * time bound can be tested without a cluster.
 */
import { CWD_SCRIPT, KILL_TREE_SCRIPT, SH } from './shell.ts';

/** Runs a command beside the shell, in the same container, and collects its output. */
export type RunBeside = (command: string[], opts: { timeoutMs: number }) => Promise<{ exitCode: number; stdout: string }>;

/** How long a kill may take as a whole. */
export const KILL_LIMIT_MS = 8_000;

/**
 * Kills the remote shell's tree. Best effort; bounded in time. True when the shell is known to be gone
 * (the kill script ran to its end), false when it may still run (the cluster could not be reached), so
 * that a caller can keep the pid and try again later.
 */
export async function killRemoteTree(run: RunBeside, pid: number | undefined, limitMs = KILL_LIMIT_MS): Promise<boolean> {
  if (!pid) return true;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Bounded as a whole: a cluster that blackholes the connection must not hold a tab (or quitting) open.
    const res = await Promise.race([
      run([SH, '-c', KILL_TREE_SCRIPT, 'kubedeck', String(pid)], { timeoutMs: limitMs }),
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), limitMs))),
    ]);
    return res?.exitCode === 0;
  } catch {
    // Unreachable cluster or pod gone: nothing more we can do from here.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The shell's working directory (via /proc/<pid>/cwd); undefined when it can't be known. */
export async function remoteCwd(run: RunBeside, pid: number | undefined): Promise<string | undefined> {
  if (!pid) return undefined;
  try {
    const res = await run([SH, '-c', CWD_SCRIPT, 'kubedeck', String(pid)], { timeoutMs: 10_000 });
    const dir = res.stdout.trim();
    return res.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
  } catch {
    return undefined;
  }
}
