/**
 * The files of a container without a shell, through an ephemeral debug container of the same pod that
 * shares its process namespace: the target's main process is visible there, and /proc/<pid>/root of it
 * is the target's root filesystem. This module is one ExecFn wrapped around the debug container's: every
 * absolute path in a command's arguments is a path of the target (/app/config.yaml) and goes out as
 * /proc/<pid>/root/app/config.yaml; whatever the command says back on stderr (and in its exit status)
 * comes back with the target's own paths. So the file engine (listings, tar, verification, safe
 * extraction) runs unchanged, and the user only ever sees the target's paths.
 *
 * Limits, from how /proc/<pid>/root works: an absolute symlink inside the target resolves in the debug
 * container's root, so links are listed but not followed (a download of a link by itself is refused); the
 * debug container needs the right to read another process's root (the same user, or SYS_PTRACE).
 */
import { Transform } from 'node:stream';
import type { ExecFn, RemoteProcess } from '../kube/remoteProcess.ts';
import { runCollect } from '../kube/runCollect.ts';

/**
 * sh script: the pid of the target's main process as the debug container sees it — PID 1 when the pod
 * does not share one process namespace (the target's entrypoint), else the first process whose root is
 * not the debug container's own.
 */
export const FIND_TARGET_SCRIPT = `for p in 1 $(cd /proc && ls -d [0-9]* 2>/dev/null | sort -n); do
  [ "$p" = "$$" ] && continue
  [ -d "/proc/$p/root/" ] || { [ "$p" = 1 ] && [ -e /proc/1 ] && denied=1; continue; }
  [ "/proc/$p/root/" -ef / ] && continue
  echo "$p"; exit 0
done
if [ -n "$denied" ]; then echo "the debug container may not read /proc/1/root (it needs the target's user or the SYS_PTRACE capability)" >&2; exit 4; fi
echo "no process of the target container is visible in the debug container (was it started with the target's process namespace?)" >&2; exit 3`;

/** The script download.ts runs to resolve a symlink chosen by itself: through /proc/<pid>/root it would resolve in the wrong root. */
const RESOLVE_LINK = 'readlink -f -- "$1"';
/** upload.ts's link creation: its first argument is the link's content, not a path to map. */
const MAKE_LINK = 'ln -s -- "$1" "$2"';

export class TargetRoot {
  private prefixP?: Promise<string>;

  /** `debugExec` runs commands in the debug container. */
  constructor(private readonly debugExec: ExecFn) {}

  /** /proc/<pid>/root of the target's main process (found once, by FIND_TARGET_SCRIPT). */
  prefix(): Promise<string> {
    this.prefixP ??= (async () => {
      const r = await runCollect(this.debugExec, ['sh', '-c', FIND_TARGET_SCRIPT]);
      const pid = r.stdout.toString('utf8').trim();
      if (r.exitCode !== 0 || !/^\d+$/.test(pid)) {
        this.prefixP = undefined;
        throw new Error(`The files of this container cannot be reached through its debug container: ${r.stderr.trim() || r.error || `exit code ${r.exitCode}`}`);
      }
      return `/proc/${pid}/root`;
    })();
    return this.prefixP;
  }

  /** The ExecFn the file engine uses for the target: paths mapped out, messages mapped back. */
  exec(): ExecFn {
    return async (command) => {
      const prefix = await this.prefix();
      const p = await this.debugExec(mapCommand(command, prefix));
      return shownProcess(p, prefix);
    };
  }
}

/** A target path (absolute) as the debug container reaches it; the root keeps its slash (cd and tar follow it). */
export function toDebugPath(p: string, prefix: string): string {
  return p === '/' ? `${prefix}/` : prefix + p;
}

/** Text from the debug container with its /proc/<pid>/root paths written back as the target's own. */
export function shownText(text: string, prefix: string): string {
  const re = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/|(?![^\\s'"\`:;,)\\]]))`, 'g');
  return text.replace(re, '/');
}

/** argv for the debug container: every absolute path argument mapped (never a `sh -c` script or its $0). */
export function mapCommand(command: string[], prefix: string): string[] {
  const isSh = command[0] === 'sh' && command[1] === '-c';
  if (isSh && command[2] === RESOLVE_LINK) {
    return ['sh', '-c', 'echo "$1 is a symlink; links inside a container reached through a debug container cannot be followed: open the folder it points to instead" >&2; exit 1', 'sh', command[4] ?? ''];
  }
  const keep = new Set<number>(isSh ? [0, 1, 2, 3] : [0]);
  if (isSh && command[2] === MAKE_LINK) keep.add(4);
  return command.map((a, i) => (keep.has(i) || !a.startsWith('/') ? a : toDebugPath(a, prefix)));
}

function shownProcess(p: RemoteProcess, prefix: string): RemoteProcess {
  let held = '';
  // Line by line, so a path cut between two chunks is still found.
  const stderr = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      held += chunk.toString('utf8');
      const cut = held.lastIndexOf('\n') + 1;
      const out = held.slice(0, cut);
      held = held.slice(cut);
      cb(null, out ? shownText(out, prefix) : undefined);
    },
    flush(cb) {
      cb(null, held ? shownText(held, prefix) : undefined);
    },
  });
  p.stderr.on('error', (e) => stderr.destroy(e));
  p.stderr.pipe(stderr);
  const done = p.done.then((r) => (r.error ? { ...r, error: shownText(r.error, prefix) } : r));
  return { ...p, stderr, done };
}
