/**
 * The tty output every throughput measurement runs: a log-like line repeated by `yes`, so kubectl,
 * each Kubedeck path and xterm's own parse rate are measured on the same bytes.
 */

/**
 * What the tty exec prints: a log-like line with one colour (SGR) pair, repeated by `yes`. The PTY
 * turns each \n into \r\n, so the terminal receives a little more than it writes.
 */
export const LINE = '\x1b[32mINFO\x1b[0m 2026-11-21T22:42:09Z kubedeck-bench pod/shell: the quick brown fox jumps over the lazy dog 0123456789';

export function floodCommand(bytes: number): string[] {
  const printfArg = LINE.split('\x1b').join('\\033');
  return ['sh', '-c', `yes "$(printf '${printfArg}')" | head -c ${bytes}`];
}

/** Bytes a terminal receives when the command writes `bytes` (each \n becomes \r\n). */
export function receivedBytes(bytes: number): number {
  const per = LINE.length + 1;
  return bytes + Math.floor(bytes / per);
}
