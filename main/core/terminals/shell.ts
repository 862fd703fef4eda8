/**
 * The scripts a terminal runs in the container: choosing a shell, learning its pid, and killing what
 * it leaves behind. All POSIX sh (busybox ash, dash, bash), no ps/pkill needed.
 */

/**
 * Announces `$$` (the pid every later `exec` keeps) and the chosen shell in an OSC sequence the
 * session strips from the output. An OSC is used so that, should it ever leak, a terminal ignores it.
 */
export const MARKER_PREFIX = '\x1b]7777;kubedeck;';
export const MARKER_END = '\x07';

const ANNOUNCE = `printf '\\033]7777;kubedeck;%s;%s\\007' "$$" "$s"`;

/**
 * Picks the best shell: `command -v bash` then `exec bash -il`, else ash, else sh (busybox and alpine
 * images have no bash; Freelens and Rancher get this wrong). TERM is set for xterm.js.
 */
export const CHOOSE_SHELL_SCRIPT = [
  'export TERM=xterm-256color',
  'if command -v bash >/dev/null 2>&1; then s=bash; elif command -v ash >/dev/null 2>&1; then s=ash; else s=sh; fi',
  ANNOUNCE,
  'case "$s" in bash) exec bash -il;; *) exec "$s" -il 2>/dev/null || exec "$s" -i;; esac',
].join('\n');

/** Runs the user's command with the pid announced first (`exec` keeps the pid). */
export const WRAP_COMMAND_SCRIPT = ['s="$1"', ANNOUNCE, 'exec "$@"'].join('\n');

/** The shell used to run the scripts above; every image with a shell has it. */
export const SH = '/bin/sh';

export function shellCommand(command?: string[]): string[] {
  if (command && command.length) return [SH, '-c', WRAP_COMMAND_SCRIPT, 'kubedeck', ...command];
  return [SH, '-c', CHOOSE_SHELL_SCRIPT];
}

/**
 * Kills the process `$1`, everything in its session, and all its descendants: HUP first (an
 * interactive bash forwards it to its jobs), KILL for what survives. Real runtimes leave an exec'd
 * process running when its stream drops, so this is the only way to leave no shell behind.
 */
export const KILL_TREE_SCRIPT = `
t="$1"
case "$t" in ''|*[!0-9]*) exit 2;; esac
set_of() {
  pids=" $t "
  changed=1
  while [ $changed = 1 ]; do
    changed=0
    for d in /proc/[0-9]*; do
      p=\${d#/proc/}
      case "$pids" in *" $p "*) continue;; esac
      [ "$p" = "$$" ] && continue
      stat=''
      read -r stat < "$d/stat" 2>/dev/null || continue
      rest=\${stat##*) }
      set -- $rest
      case "$pids" in *" $2 "*) pids="$pids$p "; changed=1; continue;; esac
      [ "$4" = "$t" ] && { pids="$pids$p "; changed=1; }
    done
  done
  echo "$pids"
}
all=$(set_of)
kill -HUP -"$t" 2>/dev/null
kill -HUP $all 2>/dev/null
kill -CONT $all 2>/dev/null
i=0
while [ $i -lt 10 ]; do
  left=''
  for p in $all; do [ -d /proc/$p ] && left="$left $p"; done
  [ -z "$left" ] && exit 0
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i+1))
done
kill -KILL -"$t" 2>/dev/null
kill -KILL $all 2>/dev/null
exit 0
`;

/** Reads the shell's working directory. */
export const CWD_SCRIPT = 'readlink "/proc/$1/cwd" 2>/dev/null || (cd "/proc/$1/cwd" 2>/dev/null && pwd -P)';

/**
 * Removes the marker from the first output of a session and reports the pid and shell it carries.
 * Works on bytes (latin1 maps them 1:1) so a UTF-8 character split across chunks is never touched.
 * Scanning stops once the marker is found or after SCAN_LIMIT bytes.
 */
export class MarkerScanner {
  static readonly SCAN_LIMIT = 8192;
  pid?: number;
  shell?: string;
  done = false;
  private held = '';
  private seen = 0;

  /** Returns the bytes to show now (maybe empty while a partial marker is held back). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.done) return chunk;
    const text = this.held + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    this.held = '';
    this.seen += chunk.length;
    const at = text.indexOf(MARKER_PREFIX);
    if (at >= 0) {
      const end = text.indexOf(MARKER_END, at + MARKER_PREFIX.length);
      if (end < 0 && this.seen < MarkerScanner.SCAN_LIMIT) {
        this.held = text.slice(at);
        return Buffer.from(text.slice(0, at), 'latin1');
      }
      if (end >= 0) {
        const [pid, shell] = text.slice(at + MARKER_PREFIX.length, end).split(';');
        const n = Number(pid);
        if (Number.isInteger(n) && n > 0) this.pid = n;
        this.shell = shell || undefined;
        this.done = true;
        return Buffer.from(text.slice(0, at) + text.slice(end + 1), 'latin1');
      }
    }
    if (this.seen >= MarkerScanner.SCAN_LIMIT) {
      this.done = true;
      return Buffer.from(text, 'latin1');
    }
    // Hold back a tail that could be the start of the marker.
    const esc = text.lastIndexOf('\x1b');
    if (esc >= 0 && MARKER_PREFIX.startsWith(text.slice(esc))) {
      this.held = text.slice(esc);
      return Buffer.from(text.slice(0, esc), 'latin1');
    }
    return Buffer.from(text, 'latin1');
  }

  /** What is still held back (the session ended before the marker completed). */
  flush(): Uint8Array {
    this.done = true;
    const out = Buffer.from(this.held, 'latin1');
    this.held = '';
    return out;
  }
}
