/**
 * Download (container → local) of one item, a file or a folder.
 *
 * The tree is walked first (sizes for progress, the manifest for the check), then `tar cf -` (folders)
 * or `cat` (single files, and every file of a no-tar image) streams into SafeExtractor inside a staging
 * folder `.kubedeck-<id>.part` next to the destination. A stream that drops or stalls is resumed: the
 * file being written continues with `tail -c +N` from the byte reached, and a folder archive is
 * restarted for the entries not yet written (`--no-recursion`, names as argv). The result is checked
 * (verify.ts) and only then renamed into place; on any failure the staging folder is removed, so a
 * partial file never appears under the real name and nothing else is touched.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ConflictPolicy } from '../../../common/contract/files.ts';
import { worthCompressing } from './compression.ts';
import { Cancelled, cleanMessage, type ItemHooks, type ItemResult, runStreaming, tempId } from './copyStream.ts';
import { freeLocalName, localError } from './localFs.ts';
import { argBatches, type RemoteEntry, type RemoteFs, remotePath } from './remoteFs.ts';
import { type Refusal, SafeExtractor } from './safeExtract.ts';
import { verifyCopy } from './verify.ts';
import { copyHashFor, SHA256, type CopyHash } from './copyHash.ts';
import { ArchiveRefused, ExtractPolicy } from './extractPolicy.ts';

/**
 * A folder's archive gzipped at level 1, exiting with tar's status. Not `tar czf`: that is gzip's
 * default level 6, which compresses text at a fraction of the speed of the link (a 64 MiB folder of
 * logs came down at 0.2× kubectl cp); level 1 keeps up and still shrinks logs to about a fifth.
 */
const GZIP_TAR = `{ st=$( { { tar cf - "$@"; echo $? >&3; } | gzip -1 -c >&4; } 3>&1 ); exit "\${st:-1}"; } 4>&1`;

/** Copies one file or folder from the container into a local folder. */
export async function downloadItem(remote: RemoteFs, srcPath: string, localDir: string, conflict: ConflictPolicy, hooks: ItemHooks, resolvedLink = false): Promise<ItemResult> {
  const src = remotePath(srcPath);
  const name = path.posix.basename(src);
  const parent = path.posix.dirname(src);
  const dir = path.resolve(localDir);
  const caps = await remote.caps();
  const copyHash = copyHashFor(caps.has);
  const manifest = await remote.walk(src);
  const root = manifest.find((e) => e.rel === name);
  if (!root) throw new Error(`No such file or folder in the container: ${src}`);
  if (root.type === 'other') throw new Error(`${src} is not a regular file or folder`);
  if (root.type === 'symlink' && !resolvedLink) {
    // A link chosen by itself: copy what it points to, under the link's name (as cp and kubectl cp do).
    const target = (await remote.run('readlink -f -- "$1"', [src])).replace(/\n$/, '');
    if (!target.startsWith('/') || target === src) throw new Error(`${src} is a symlink that cannot be resolved`);
    return downloadItem(remote, target, localDir, conflict, { ...hooks, asName: hooks.asName ?? name }, true);
  }
  const total = manifest.reduce((s, e) => s + (e.type === 'file' ? e.size : 0), 0);
  hooks.onTotal?.(total);
  const policy = new ExtractPolicy(manifest, name); // the archive is held to this listing, entry by entry

  const dst = await fsp.stat(dir).catch((e) => {
    throw localError(e, dir);
  });
  if (!dst.isDirectory()) throw new Error(`Not a folder: ${dir}`);
  let finalName = hooks.asName ?? name;
  const exists = await fsp.lstat(path.join(dir, finalName)).then(() => true, () => false);
  if (exists && conflict === 'skip') return { state: 'skipped', warnings: [], finalPath: path.join(dir, finalName) };
  if (exists && conflict === 'keepBoth') finalName = await freeLocalName(dir, finalName);

  const staging = path.join(dir, `.kubedeck-${tempId(hooks)}.part`);
  await fsp.mkdir(staging, { mode: 0o700 }).catch((e) => {
    throw localError(e, dir);
  });
  const warnings: string[] = [];
  const pull = new Puller(remote, hooks, staging, name, parent, policy, copyHash ?? SHA256);
  const ex = pull.ex;
  try {
    // The container hashes its files while they stream (page cache: one disk read serves both), so
    // the check at the end costs no extra round of waiting. A file changed in between fails the check.
    const listedFiles = manifest.filter((e) => e.type === 'file');
    const hashListed = () => remote.hashes(parent, listedFiles.map((f) => f.rel));
    const remoteHashesP = copyHash && listedFiles.length > 0 ? hashListed() : undefined;
    remoteHashesP?.catch(() => {});

    if (root.type === 'file' || root.type === 'symlink' || !caps.has.has('tar')) {
      if (root.type !== 'file' && root.type !== 'symlink' && !caps.has.has('cat')) throw new Error('The container has neither tar nor cat: files cannot be read from it.');
      await pull.oneByOne(manifest, warnings);
    } else {
      await pull.tree(manifest, total);
    }
    await ex.finish();
    refuseForeign(manifest, ex.seen, ex.refused, dir);
    for (const r of ex.refused) warnings.push(`${r.name}: ${r.reason}`);

    // Every file of the manifest arrived, and its bytes match (the container's hashes were computed
    // while the bytes travelled; see remoteHashesP above).
    const files = manifest.filter((e) => e.type === 'file' && !ex.refused.some((r) => r.name.replace(/^\.\//, '') === e.rel));
    for (const f of files) if (!ex.files.has(f.rel)) throw new Error(`Missing after the copy: ${f.rel}`);
    const verified = await verifyCopy({
      files,
      hash: copyHash && {
        label: copyHash.label,
        digests: async () => {
          // The early hashing can be cut by the same drop the copy survived: then hash again now.
          const list = await remoteHashesP!.catch(hashListed);
          return { source: new Map(listedFiles.map((f, i) => [f.rel, list[i]])), copy: new Map([...ex.files].map(([rel, f]) => [rel, f.digest])) };
        },
      },
      copySizes: async () => new Map([...ex.files].map(([rel, f]) => [rel, f.size])),
      sizeNote: 'no b2sum or sha256sum in the container',
      differs: (what, rel) => (what === 'hash' ? `${copyHash!.label} of ${rel} differs from the container's (it may have changed during the copy)` : `size of ${rel} differs`),
    });

    const target = path.join(dir, finalName);
    await intoPlace(path.join(staging, name), target, path.join(staging, '.old'), conflict);
    await fsp.rm(staging, { recursive: true, force: true });
    return { state: 'done', verified, finalPath: target, warnings, skippedLinks: ex.skippedLinks.map((l) => `${l.rel} -> ${l.target}`) };
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    if (hooks.signal.aborted || e instanceof Cancelled) throw new Cancelled();
    throw (e as NodeJS.ErrnoException).code ? localError(e) : e;
  }
}

/** The streams of one download into its staging folder, each resumed where it dropped. */
class Puller {
  readonly ex: SafeExtractor;
  /** Bytes written so far (for the resume note). */
  private moved = 0;
  private attempts = 0;

  constructor(
    private readonly remote: RemoteFs,
    private readonly hooks: ItemHooks,
    staging: string,
    private readonly name: string,
    private readonly parent: string,
    policy: ExtractPolicy,
    hash: CopyHash,
  ) {
    this.ex = new SafeExtractor({
      root: staging,
      hash: () => hash.create(),
      allowed: [name],
      policy,
      symlinks: hooks.symlinks ?? 'skip',
      onProgress: (n) => {
        this.moved += n;
        hooks.onBytes?.(n);
      },
      onRefused: (r) => hooks.onNote?.(`refused ${r.name}: ${r.reason}`),
    });
  }

  private retry(why: string): void {
    this.attempts++;
    if (this.attempts > (this.hooks.retries ?? 5)) throw new Error(`Stream dropped ${this.attempts} times; giving up (${why})`);
    this.hooks.onNote?.(`stream dropped (${why}); resuming at ${this.moved} bytes`);
  }

  /** Streams the rest of ex.partial (a single remote file) with resume. */
  async file(absRemote: string): Promise<void> {
    const { ex, remote, hooks } = this;
    const gz = await worthCompressing(remote, absRemote, ex.partial?.size ?? 0, hooks);
    while (ex.partial) {
      const offset = ex.partial.bytes;
      const cmd = gz
        ? ['sh', '-c', 'tail -c +"$1" "$2" | gzip -1 -c', 'sh', String(offset + 1), absRemote]
        : offset === 0
          ? ['cat', absRemote]
          : ['tail', '-c', `+${offset + 1}`, absRemote];
      const o = await runStreaming(remote, cmd, hooks, (out) => ex.resume(out), { gunzip: gz });
      if (!o.error && o.exitCode === 0 && !ex.partial) return;
      if (o.dropped && (ex.partial?.bytes ?? 0) >= offset) {
        this.retry(o.stderr || 'connection lost');
        continue;
      }
      if (o.error && (o.error as NodeJS.ErrnoException).code) throw localError(o.error);
      if (o.exitCode === 0 && o.error) throw new Error(`${absRemote} changed while it was copied: ${(o.error as Error).message}`);
      throw new Error(cleanMessage(o, `Reading ${absRemote} failed`));
    }
  }

  /** Single files, and every file of an image without tar: one stream per file, resumable. */
  async oneByOne(manifest: RemoteEntry[], warnings: string[]): Promise<void> {
    const { ex } = this;
    for (const e of manifest) {
      this.hooks.signal.throwIfAborted();
      const mtime = new Date(e.mtimeSec * 1000);
      if (e.type === 'dir') await ex.applyEntry({ name: e.rel, type: 'directory', mode: e.mode, mtime });
      else if (e.type === 'symlink') await ex.applyEntry({ name: e.rel, type: 'symlink', linkname: e.target ?? '', mode: 0o777 });
      else if (e.type === 'file') {
        if (await ex.beginFile({ name: e.rel, size: e.size, mode: e.mode, mtime, type: 'file' })) await this.file(path.posix.join(this.parent, e.rel));
      } else warnings.push(`${e.rel}: not a file, folder or symlink; left out`);
    }
  }

  /** A folder as one tar stream; after a drop, the file cut short is finished and tar restarts for what is left. */
  async tree(manifest: RemoteEntry[], total: number): Promise<void> {
    const { ex, parent, name } = this;
    const biggest = manifest.filter((e) => e.type === 'file').sort((a, b) => b.size - a.size)[0];
    const gz = await worthCompressing(this.remote, biggest && path.posix.join(parent, biggest.rel), total, this.hooks);
    let pending: string[] | undefined; // undefined: the whole tree
    for (;;) {
      const batches = pending === undefined ? [[`./${name}`]] : [...argBatches(pending.map((r) => `./${r}`))];
      let droppedWhy: string | undefined;
      for (const batch of batches) {
        const args = ['-C', parent, ...(pending === undefined ? [] : ['--no-recursion']), ...batch];
        const cmd = gz ? ['sh', '-c', GZIP_TAR, 'sh', ...args] : ['tar', 'cf', '-', ...args];
        const o = await runStreaming(this.remote, cmd, this.hooks, (out) => ex.extract(out), { gunzip: gz });
        if (!o.error && o.exitCode === 0) continue;
        if (o.error instanceof ArchiveRefused) throw o.error; // hostile, not dropped: never retried
        if (o.dropped) {
          droppedWhy = o.stderr || 'connection lost';
          break;
        }
        if (o.error && !o.stderr) throw o.error instanceof Error ? localError(o.error) : new Error(String(o.error));
        throw new Error(cleanMessage(o, 'tar in the container failed'));
      }
      if (droppedWhy === undefined) break;
      this.retry(droppedWhy);
      if (ex.partial) await this.file(path.posix.join(parent, ex.partial.rel));
      pending = manifest.filter((e) => !ex.seen.has(e.rel) && e.type !== 'other').map((e) => e.rel);
      if (pending.length === 0) break;
    }
  }
}

/** Refusals that mean the archive itself is hostile or broken: the whole item fails. */
function fatal(r: Refusal): boolean {
  return r.fatal;
}

/**
 * An archive that brings names the listing did not show is not the folder that was asked for (a
 * hostile or replaced tar): refuse the whole item rather than guess which parts to trust.
 */
function refuseForeign(manifest: RemoteEntry[], seen: Set<string>, refused: Refusal[], dir: string): void {
  const listed = new Set(manifest.map((e) => e.rel));
  const unexpected = [...seen].filter((rel) => !listed.has(rel));
  if (unexpected.length) {
    const refusedHere = refused.map((r) => `${r.name} (${r.reason})`);
    throw new Error(
      `The container's archive does not match its folder listing (unexpected: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''})` +
        (refusedHere.length ? `; refused ${refusedHere.slice(0, 5).join(', ')}` : '') +
        `. Nothing was written outside ${dir}.`,
    );
  }
  const bad = refused.filter(fatal);
  if (bad.length) {
    const list = bad.slice(0, 5).map((r) => `${r.name} (${r.reason})`).join(', ');
    throw new Error(`Refused ${bad.length} unsafe entr${bad.length === 1 ? 'y' : 'ies'} from the container's archive: ${list}${bad.length > 5 ? ', …' : ''}. Nothing was written outside ${dir}.`);
  }
}

/** Renames the checked copy over `target`, keeping the old one at `old` until the new one is in. */
async function intoPlace(copy: string, target: string, old: string, conflict: ConflictPolicy): Promise<void> {
  const hadOld = await fsp.lstat(target).then(() => true, () => false);
  if (hadOld) {
    if (conflict !== 'overwrite') throw new Error(`Already exists: ${target}`);
    await fsp.rename(target, old);
  }
  try {
    await fsp.rename(copy, target);
  } catch (e) {
    if (hadOld) await fsp.rename(old, target).catch(() => {});
    throw e;
  }
}
