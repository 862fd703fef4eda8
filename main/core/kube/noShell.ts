/**
 * "This image has no shell" (distroless, scratch): how a failed exec says it, and the sentences that
 * tell the user. Terminals and the file browser both run everything through /bin/sh or sh, so both
 * ask the same question of a failed exec; this is the one place that answers it.
 */

/** How runc, crun, CRI-O and dockershim say that the program to exec is not in the image. */
const MISSING_PROGRAM = /no such file|not found in \$path|executable file|enoent|cannot run|can't execute|exec format|sh\\?["'`]?: not found/i;

/** The failure is about the shell itself: `exec: "sh"`, `exec: "/bin/sh"`, `stat /bin/sh`, `sh` in backquotes. */
const NAMES_SHELL = /\/bin\/sh\b|["'`]sh\\?["'`]/;

/**
 * True when a failed exec means the image has no shell. `message`: the refusal or the status of the
 * exec; `exitCode` and `stderr`: how it ended, when it ran at all. 126/127 count only when nothing
 * else spoke: a shell that exists prints its own "sh: …: not found" for a missing command.
 * The caller makes sure the shell did not already start (no output, no announced pid).
 */
export function looksLikeNoShell(message: string | undefined, exitCode?: number, stderr?: string): boolean {
  if (exitCode === 0) return false;
  for (const said of [message, stderr]) if (said && MISSING_PROGRAM.test(said) && NAMES_SHELL.test(said)) return true;
  return (exitCode === 126 || exitCode === 127) && !stderr;
}

/** What a terminal tab shows when there is no shell to open. */
export const NO_SHELL_MESSAGE =
  'This container has no shell: /bin/sh does not exist in its image (distroless or scratch?). ' +
  'Run a command the image has, or attach a debug container: kubectl debug -it <pod> --image=busybox --target=<container>.';

/** Why a container cannot be browsed, in words a user can act on. */
export function noShellMessage(detail: string): string {
  return (
    `This container has no shell (sh) to run file commands in — typical of distroless or scratch images — so Kubedeck cannot list or copy its files (${detail.trim()}). ` +
    'Use an ephemeral debug container (kubectl debug) sharing its process namespace, or copy through a volume another container mounts.'
  );
}
