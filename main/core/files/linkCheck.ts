/**
 * Is a symlink from a container safe where it will finally live?
 *
 * A download is extracted into a staging folder and renamed into place afterwards, so a link must be
 * judged against its FINAL home, not the staging folder: the item (the top-level folder of the
 * archive) becomes `<destination>/<final name>`, and a link is safe only if, resolved from its place
 * in the item, it never leaves the item — whether or not its target exists yet (a target created
 * later, e.g. by the next copy into that name, must not open a way out either).
 *
 * Two checks: a lexical one when the link arrives (cheap, needs nothing on disk), and a full walk
 * at the end that follows every link inside the item component by component (lstat/readlink), so a
 * chain like `a -> b/..` with `b -> .` is caught too. A component that does not exist is taken
 * lexically: whatever appears there later is a plain folder of ours or another judged link.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

const MAX_HOPS = 40;

/** True when `target` placed at `rel` (first component: the item) stays inside the item, lexically. */
export function symlinkStaysInside(rel: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  const parts = rel.split('/');
  if (parts.length < 2) return false; // the item itself is never a link
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  return joined === parts[0] || joined.startsWith(parts[0] + '/');
}

/**
 * Follows the link at `rel` (relative to `rootAbs`, first component the item) on disk; false when
 * any step leaves the item, a target is absolute, or the chain loops.
 */
export async function linkResolvesInside(rootAbs: string, rel: string): Promise<boolean> {
  const [item, ...rest] = rel.split('/');
  if (rest.length === 0) return false;
  const base = path.join(rootAbs, item);
  const cur = rest.slice(0, -1);
  const first = await fsp.readlink(path.join(base, ...rest)).catch(() => undefined);
  if (first === undefined) return true; // gone: nothing to judge
  if (first.startsWith('/')) return false;
  const todo = first.split('/');
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (cur.length === 0) return false;
      cur.pop();
      continue;
    }
    const next = path.join(base, ...cur, c);
    const st = await fsp.lstat(next).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++hops > MAX_HOPS) return false;
      const t = await fsp.readlink(next);
      if (t.startsWith('/')) return false;
      todo.unshift(...t.split('/'));
      continue; // resolved relative to the folder the link is in: `cur` stays
    }
    cur.push(c);
  }
  return true;
}
