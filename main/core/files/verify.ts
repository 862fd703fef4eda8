/**
 * The check at the end of every copy, before anything is renamed into place: each file has the bytes
 * it had at the source — by a hash where both sides can hash (copyHash.ts: BLAKE2b or SHA-256), by size
 * otherwise — and the line the user reads about it ("sha256 ok (3 files)"). One function for every
 * direction, so a download, an upload and a local copy cannot disagree about what "checked" means.
 */

/** A file that must have arrived: its name relative to the copied item's parent, its size at the source. */
export interface SourceFile {
  rel: string;
  size: number;
}

export type Hashes = Map<string, string | undefined>;

export interface CopyCheck {
  files: SourceFile[];
  /** Both sides' digests by rel, and the hash's name; absent when one side cannot hash (then sizes are compared). */
  hash?: { label: string; digests: () => Promise<{ source: Hashes; copy: Hashes }> };
  /** The copy's sizes by rel. */
  copySizes: () => Promise<Map<string, number | undefined>>;
  /** Why only sizes could be compared, for the result line ("no b2sum or sha256sum in the container"). */
  sizeNote?: string;
  /** The sentence after "Check failed: " for a file that does not match. */
  differs(what: 'hash' | 'size', rel: string): string;
}

/** Throws on the first file that does not match; returns the "verified" line. */
export async function verifyCopy(c: CopyCheck): Promise<string> {
  const n = c.files.length;
  if (n === 0) return 'nothing to check (no files)';
  const count = `${n} file${n === 1 ? '' : 's'}`;
  if (c.hash) {
    const { source, copy } = await c.hash.digests();
    for (const f of c.files) if (copy.get(f.rel) !== source.get(f.rel)) throw new Error(`Check failed: ${c.differs('hash', f.rel)}`);
    return `${c.hash.label} ok (${count})`;
  }
  const sizes = await c.copySizes();
  for (const f of c.files) if (sizes.get(f.rel) !== f.size) throw new Error(`Check failed: ${c.differs('size', f.rel)}`);
  return `size ok (${count}${c.sizeNote ? `; ${c.sizeNote}` : ''})`;
}
