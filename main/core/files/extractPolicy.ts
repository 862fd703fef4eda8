/**
 * What a download may bring, decided per entry as it arrives: the container's listing (taken before
 * the archive) announces every name, its type and size, and an archive is held to it.
 *
 * Why: the archive comes from a container an attacker may control, so anything it adds is hostile
 * by definition. Checking the extracted tree afterwards is too late — a flood of entries has then
 * already cost memory and disk — so every entry is judged here before it touches the disk:
 *   - the top-level item must be of the listed type (a folder stays a folder, a file a file; a
 *     symlink such as `name -> .` is never the item);
 *   - a name the listing did not show, or of another type than listed, is refused;
 *   - a file larger than listed, more entries than listed, or more bytes than listed stop the copy
 *     at once (ArchiveRefused), so memory and disk stay bounded by what was announced.
 * Symlink targets are judged by linkCheck.ts; whether links are created at all is the caller's
 * setting (off by default, see SafeExtractOptions.symlinks).
 */

/** Normalizes an archive name to a relative path, or returns the reason it is refused. */
export function checkEntryName(name: string, allowed: string[] | undefined): { rel: string } | { reason: string } {
  if (name.includes('\0')) return { reason: 'name contains a NUL byte' };
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return { reason: 'absolute name' };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { reason: 'name contains ".."' };
  // On POSIX a backslash is an ordinary character; it is kept (it cannot climb anywhere here).
  if (parts.length === 0) return { rel: '' };
  const rel = parts.join('/');
  if (allowed && allowed.length > 0 && !allowed.includes(parts[0])) return { reason: 'outside the requested path' };
  return { rel };
}

export interface ListedEntry {
  /** Relative to the item's parent, the item's own name first ("victim", "victim/a.txt"). */
  rel: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
}

/** The archive broke the listing's bounds: the copy stops at once (never retried as a dropped stream). */
export class ArchiveRefused extends Error {}

/** Entries beyond the listing that are tolerated before the copy stops (headers GNU tar may add). */
const ENTRY_SLACK = 64;
/** Bytes of refused entries read (and thrown away) beyond the listing's total before the copy stops. */
const BYTE_SLACK = 1 << 20;
/** Raw archive bytes allowed per entry beyond its content: its header, a long name, a pax record. */
const HEADER_ALLOWANCE = 16 << 10;

export type Verdict = { ok: true } | { ok: false; reason: string; fatal: boolean };

const TAR_TYPE: Record<ListedEntry['type'], string[]> = {
  file: ['file', 'contiguous-file', 'link'],
  dir: ['directory'],
  symlink: ['symlink'],
  other: ['character-device', 'block-device', 'fifo', 'socket'],
};

const NAMES: Record<ListedEntry['type'], string> = { file: 'a file', dir: 'a folder', symlink: 'a symlink', other: 'a special file' };

export class ExtractPolicy {
  private readonly listed = new Map<string, ListedEntry>();
  private readonly top: ListedEntry;
  private readonly byteBudget: number;
  private readonly rawBudget: number;
  private entries = 0;
  private bytes = 0;

  constructor(listing: readonly ListedEntry[], topName: string) {
    for (const e of listing) this.listed.set(e.rel, e);
    const top = this.listed.get(topName);
    if (!top) throw new ArchiveRefused(`${topName} is not in its own listing`);
    if (top.type !== 'file' && top.type !== 'dir') throw new ArchiveRefused(`${topName} is ${NAMES[top.type]}; only files and folders are copied`);
    this.top = top;
    this.byteBudget = listing.reduce((s, e) => s + (e.type === 'file' ? e.size : 0), 0) + BYTE_SLACK;
    const blocks = listing.reduce((s, e) => s + (e.type === 'file' ? Math.ceil(e.size / 512) * 512 : 0), 0);
    this.rawBudget = blocks + (listing.length + ENTRY_SLACK) * HEADER_ALLOWANCE + BYTE_SLACK;
  }

  /**
   * Watches one archive stream's raw bytes (after gunzip): tar-stream keeps a long-name or pax header
   * in memory whole, so a header claiming gigabytes must be cut off here, before it is buffered.
   */
  watch(source: NodeJS.ReadableStream, stop: (e: ArchiveRefused) => void): void {
    let raw = 0;
    source.on('data', (c: Buffer) => {
      raw += c.length;
      if (raw > this.rawBudget) stop(new ArchiveRefused(`The container's archive is larger than its listing allows (${this.rawBudget} bytes): stopped, nothing of it kept`));
    });
  }

  /** Counts one archive entry (any type but pax/long-name headers); throws once the listing's count is exceeded. */
  count(): void {
    if (++this.entries > this.listed.size + ENTRY_SLACK) {
      throw new ArchiveRefused(`The container's archive has more entries than its listing announced (${this.listed.size}): stopped at entry ${this.entries}, nothing of it kept`);
    }
  }

  /** Counts bytes read from the archive (kept or thrown away); throws past the listing's total. */
  spend(name: string, size: number): void {
    this.bytes += size;
    if (this.bytes > this.byteBudget) {
      throw new ArchiveRefused(`The container's archive brings more bytes than its listing announced (at ${name}): stopped, nothing of it kept`);
    }
  }

  /** The type check of the top-level item: fatal when it arrives as anything but what was listed. */
  checkTop(rel: string, tarType: string): Verdict {
    if (rel !== this.top.rel || TAR_TYPE[this.top.type].includes(tarType)) return { ok: true };
    return { ok: false, reason: `the item arrived as ${describeTar(tarType)}, but the listing said ${NAMES[this.top.type]}`, fatal: true };
  }

  /** Is this entry one the listing announced, with that type and at most that size? */
  check(rel: string, tarType: string, size: number): Verdict {
    const e = this.listed.get(rel);
    if (!e) return { ok: false, reason: 'not in the folder listing', fatal: true };
    if (!TAR_TYPE[e.type].includes(tarType)) return { ok: false, reason: `arrived as ${describeTar(tarType)}, but the listing said ${NAMES[e.type]}`, fatal: true };
    if (e.type === 'file' && tarType !== 'link' && size > e.size) {
      // A file that grew since the listing would fail the checksum anyway; stopping here bounds the disk.
      throw new ArchiveRefused(`${rel} arrived with ${size} bytes, but the listing said ${e.size}: stopped, nothing of it kept`);
    }
    return { ok: true };
  }
}

function describeTar(t: string): string {
  if (t === 'directory') return 'a folder';
  if (t === 'symlink') return 'a symlink';
  if (t === 'link') return 'a hardlink';
  if (t === 'file' || t === 'contiguous-file') return 'a file';
  return `a ${t}`;
}
