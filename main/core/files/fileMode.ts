/**
 * `ls -l` style mode strings ("drwxr-sr-x") for both panes: the local listing and the container's
 * (which knows device, fifo and socket types from find's %y or stat's %f).
 */
import type { FileEntry } from '../../../common/contract/files.ts';

const OTHER_TYPE: Record<string, string> = { b: 'b', c: 'c', p: 'p', s: 's' };

/** `findType`: find's one-letter type, for entries of type 'other' ("?" when unknown). */
export function modeString(type: FileEntry['type'], raw: number, findType?: string): string {
  const t = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : type === 'file' ? '-' : OTHER_TYPE[findType ?? ''] ?? '?';
  const rwx = (bits: number, special: boolean, ch: string) =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-');
  return (
    t +
    rwx((raw >> 6) & 7, (raw & 0o4000) !== 0, 's') +
    rwx((raw >> 3) & 7, (raw & 0o2000) !== 0, 's') +
    rwx(raw & 7, (raw & 0o1000) !== 0, 't')
  );
}
