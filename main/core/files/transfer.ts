/**
 * The copy engine: one item (a file or a folder) per call, in either direction.
 *
 * Download (container → local): the tree is walked first (sizes for progress, the manifest for the
 * check), then `tar cf -` (folders) or `cat` (single files, and every file of a no-tar image) streams
 * into SafeExtractor inside a staging folder `.kubedeck-<id>.part` next to the destination. A stream
 * that drops or stalls is resumed: the file being written continues with `tail -c +N` from the byte
 * reached, and a folder archive is restarted for the entries not yet written (`--no-recursion`, names
 * as argv). The result is checked (sha256 on both sides where the container has sha256sum, sizes
 * otherwise) and only then renamed into place; on any failure the staging folder is removed, so a
 * partial file never appears under the real name and nothing else is touched.
 *
 * Upload (local → container): a tar-stream pack into `tar xof - -C <dir>/.kubedeck-upload-<id>`
 * (or `cat >` per file without tar), checked the same way, then `mv` over the target — a half upload
 * never replaces a good file.
 *
 * gzip is used when the container has it and a sample compresses well (see worthCompressing).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { type Readable, Transform, type Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { ConflictPolicy } from '../../../common/contract/files.ts';
import { type RemoteProcess, RemoteError } from './exec.ts';
import { freeLocalName, localError } from './localFs.ts';
import { argBatches, type RemoteEntry, type RemoteFs, remotePath } from './remoteFs.ts';
import { type Refusal, SafeExtractor } from './safeExtract.ts';
import { ArchiveRefused, ExtractPolicy } from './extractPolicy.ts';
import { type LocalEntry, packEntries, walkLocal } from './tarPack.ts';

export interface ItemHooks {
  signal: AbortSignal;
  /** Total bytes of the item, once known. */
  onTotal?(bytes: number): void;
  /** Bytes moved since the last call (may go back: negative after a resume restarts a file). */
  onBytes?(n: number): void;
  /** A line for the log (resume, refusals…). */
  onNote?(msg: string): void;
  /** No byte for this long counts as a dropped stream. */
  stallMs?: number;
  /** How many times a dropped download resumes. */
  retries?: number;
  compress?: 'auto' | 'always' | 'never';
  /** Unique token for temp names. */
  id?: string;
  /** Land under this name instead of the source's (kubectl cp's DST that names a file). */
  asName?: string;
  /** Symlinks from a container: skipped and reported (default), or created when they stay inside. */
  symlinks?: 'skip' | 'create';
}

export interface ItemResult {
  state: 'done' | 'skipped';
  /** "sha256 ok (3 files)", "size ok". */
  verified?: string;
  /** Where the item landed. */
  finalPath?: string;
  /** Entries left out on purpose (symlinks leaving the folder, devices), reported to the user. */
  warnings: string[];
  /** Symlinks not created (symlinks from containers are off): "name -> target". */
  skippedLinks?: string[];
}

class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

const COMPRESSED_EXT = /\.(gz|tgz|zst|xz|bz2|lz4|zip|jar|war|whl|7z|rar|png|jpe?g|gif|webp|mp[34]|mkv|avi|mov|webm|ogg|flac|pdf|apk|deb|rpm)$/i;

/** Refusals that mean the archive itself is hostile or broken: the whole item fails. */
function fatal(r: Refusal): boolean {
  return r.fatal;
}

/** Counts bytes and notices silence: the watchdog of a stream (drops sometimes never close). */
class Activity extends Transform {
  last = Date.now();
  constructor(private readonly onChunk?: (n: number) => void) {
    super({ highWaterMark: 256 * 1024 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.last = Date.now();
    this.onChunk?.(chunk.length);
    cb(null, chunk);
  }
}

interface RunOutcome<T> {
  value?: T;
  error?: unknown;
  exitCode: number;
  dropped: boolean;
  stderr: string;
}

/**
 * Runs a command and hands its stdout (gunzipped if asked) to `consume`; watches for stalls and
 * cancellation. Never throws for the remote side's failures: the outcome says what happened.
 */
async function runStreaming<T>(
  remote: RemoteFs,
  command: string[],
  hooks: ItemHooks,
  consume: (stdout: Readable, proc: RemoteProcess, activity: Activity) => Promise<T>,
  opts: { gunzip?: boolean } = {},
): Promise<RunOutcome<T>> {
  hooks.signal.throwIfAborted();
  let proc: RemoteProcess;
  try {
    proc = await remote.exec(command);
  } catch (e) {
    return { error: e, exitCode: -1, dropped: true, stderr: '' };
  }
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 8192) stderr += b.toString('utf8');
  });
  proc.stdin.on('error', () => {});
  const activity = new Activity();
  let stalled = false;
  const stallMs = hooks.stallMs ?? 30_000;
  const timer = setInterval(() => {
    if (Date.now() - activity.last > stallMs) {
      stalled = true;
      proc.close();
    }
  }, Math.min(1000, stallMs / 2));
  const onAbort = () => proc.close();
  hooks.signal.addEventListener('abort', onAbort);
  proc.stdout.on('error', (e) => activity.destroy(e));
  let out: Readable = proc.stdout.pipe(activity);
  if (opts.gunzip) {
    const gz = zlib.createGunzip();
    activity.on('error', (e) => gz.destroy(e));
    out = activity.pipe(gz);
  }
  let value: T | undefined;
  let error: unknown;
  try {
    value = await consume(out, proc, activity);
  } catch (e) {
    error = e;
    proc.close();
  }
  const res = await proc.done;
  clearInterval(timer);
  hooks.signal.removeEventListener('abort', onAbort);
  if (hooks.signal.aborted) throw new Cancelled();
  const dropped = stalled || !!res.dropped;
  if (stalled) stderr = `no data for ${Math.round(stallMs / 1000)} s; ${stderr}`;
  return { value, error, exitCode: res.exitCode, dropped, stderr: (res.error ? res.error + ': ' : '') + stderr.trim() };
}

/** Does gzip pay for this file? Compresses a 256 KiB sample from the container and looks at the ratio. */
async function worthCompressing(remote: RemoteFs, absFile: string | undefined, totalBytes: number, hooks: ItemHooks): Promise<boolean> {
  const caps = await remote.caps();
  if (hooks.compress === 'never' || !caps.has.has('gzip')) return false;
  if (hooks.compress === 'always') return true;
  if (totalBytes < 1024 * 1024 || !absFile || COMPRESSED_EXT.test(absFile)) return false;
  if (!caps.has.has('head') || !caps.has.has('wc')) return false;
  try {
    const out = await remote.run('head -c 262144 "$1" | gzip -1 -c | wc -c; head -c 262144 "$1" | wc -c', [absFile]);
    const [z, n] = out.trim().split(/\s+/).map(Number);
    const pays = n > 0 && z / n < 0.6;
    if (pays) hooks.onNote?.(`gzip: a sample of ${path.posix.basename(absFile)} shrinks to ${Math.round((z / n) * 100)}%, so the stream is compressed`);
    return pays;
  } catch {
    return false;
  }
}

function cleanMessage(o: RunOutcome<unknown>, what: string): string {
  const err = o.error instanceof Error ? o.error.message : o.error ? String(o.error) : '';
  if (o.error && (o.error as NodeJS.ErrnoException).code && !(o.error instanceof RemoteError)) return localError(o.error).message;
  const parts = [o.stderr, err].filter(Boolean);
  return `${what}: ${parts.join('; ') || `exit code ${o.exitCode}`}`;
}

function tempId(hooks: ItemHooks): string {
  return hooks.id ?? randomBytes(6).toString('hex');
}

/** Copies one file or folder from the container into a local folder. */
export async function downloadItem(remote: RemoteFs, srcPath: string, localDir: string, conflict: ConflictPolicy, hooks: ItemHooks, resolvedLink = false): Promise<ItemResult> {
  const src = remotePath(srcPath);
  const name = path.posix.basename(src);
  const parent = path.posix.dirname(src);
  const dir = path.resolve(localDir);
  const caps = await remote.caps();
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
  let moved = 0;
  const ex = new SafeExtractor({
    root: staging,
    allowed: [name],
    policy,
    symlinks: hooks.symlinks ?? 'skip',
    onProgress: (n) => {
      moved += n;
      hooks.onBytes?.(n);
    },
    onRefused: (r) => hooks.onNote?.(`refused ${r.name}: ${r.reason}`),
  });
  try {
    // The container hashes its files while they stream (page cache: one disk read serves both), so
    // the check at the end costs no extra round of waiting. A file changed in between fails the check.
    const listedFiles = manifest.filter((e) => e.type === 'file');
    const remoteHashesP = caps.has.has('sha256sum') && listedFiles.length > 0 ? remote.hashes(parent, listedFiles.map((f) => f.rel)) : undefined;
    remoteHashesP?.catch(() => {});
    const retries = hooks.retries ?? 5;
    let attempts = 0;
    const retry = (why: string) => {
      attempts++;
      if (attempts > retries) throw new Error(`Stream dropped ${attempts} times; giving up (${why})`);
      hooks.onNote?.(`stream dropped (${why}); resuming at ${moved} bytes`);
    };

    /** Streams the rest of ex.partial (a single remote file) with resume. */
    const pullFile = async (absRemote: string) => {
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
          retry(o.stderr || 'connection lost');
          continue;
        }
        if (o.error && (o.error as NodeJS.ErrnoException).code) throw localError(o.error);
        if (o.exitCode === 0 && o.error) throw new Error(`${absRemote} changed while it was copied: ${(o.error as Error).message}`);
        throw new Error(cleanMessage(o, `Reading ${absRemote} failed`));
      }
    };

    const fileHeader = (e: RemoteEntry) => ({ name: e.rel, size: e.size, mode: e.mode, mtime: new Date(e.mtimeSec * 1000), type: 'file' as const });

    if (root.type === 'file' || root.type === 'symlink' || !caps.has.has('tar')) {
      // Single files, and every file of an image without tar: one stream per file, resumable.
      if (root.type !== 'file' && root.type !== 'symlink' && !caps.has.has('cat')) throw new Error('The container has neither tar nor cat: files cannot be read from it.');
      for (const e of manifest) {
        hooks.signal.throwIfAborted();
        if (e.type === 'dir') await ex.applyEntry({ name: e.rel, type: 'directory', mode: e.mode, mtime: new Date(e.mtimeSec * 1000) });
        else if (e.type === 'symlink') await ex.applyEntry({ name: e.rel, type: 'symlink', linkname: e.target ?? '', mode: 0o777 });
        else if (e.type === 'file') {
          if (await ex.beginFile(fileHeader(e))) await pullFile(path.posix.join(parent, e.rel));
        } else warnings.push(`${e.rel}: not a file, folder or symlink; left out`);
      }
    } else {
      const biggest = manifest.filter((e) => e.type === 'file').sort((a, b) => b.size - a.size)[0];
      const gz = await worthCompressing(remote, biggest && path.posix.join(parent, biggest.rel), total, hooks);
      let pending: string[] | undefined; // undefined: the whole tree
      for (;;) {
        const batches = pending === undefined ? [[`./${name}`]] : [...argBatches(pending.map((r) => `./${r}`))];
        let droppedWhy: string | undefined;
        for (const batch of batches) {
          const cmd = ['tar', gz ? 'czf' : 'cf', '-', '-C', parent, ...(pending === undefined ? [] : ['--no-recursion']), ...batch];
          const o = await runStreaming(remote, cmd, hooks, (out) => ex.extract(out), { gunzip: gz });
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
        retry(droppedWhy);
        if (ex.partial) await pullFile(path.posix.join(parent, ex.partial.rel));
        pending = manifest.filter((e) => !ex.seen.has(e.rel) && e.type !== 'other').map((e) => e.rel);
        if (pending.length === 0) break;
      }
    }
    await ex.finish();

    // An archive that brings names the listing did not show is not the folder that was asked for
    // (a hostile or replaced tar): refuse the whole item rather than guess which parts to trust.
    const listed = new Set(manifest.map((e) => e.rel));
    const unexpected = [...ex.seen].filter((rel) => !listed.has(rel));
    if (unexpected.length) {
      const refusedHere = ex.refused.map((r) => `${r.name} (${r.reason})`);
      throw new Error(
        `The container's archive does not match its folder listing (unexpected: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''})` +
          (refusedHere.length ? `; refused ${refusedHere.slice(0, 5).join(', ')}` : '') +
          `. Nothing was written outside ${dir}.`,
      );
    }
    const bad = ex.refused.filter(fatal);
    if (bad.length) {
      const list = bad.slice(0, 5).map((r) => `${r.name} (${r.reason})`).join(', ');
      throw new Error(`Refused ${bad.length} unsafe entr${bad.length === 1 ? 'y' : 'ies'} from the container's archive: ${list}${bad.length > 5 ? ', …' : ''}. Nothing was written outside ${dir}.`);
    }
    for (const r of ex.refused) warnings.push(`${r.name}: ${r.reason}`);

    // The check: every file of the manifest arrived, and its bytes match (the container's hashes
    // were computed while the bytes travelled; see remoteHashes above).
    const files = manifest.filter((e) => e.type === 'file' && !ex.refused.some((r) => r.name.replace(/^\.\//, '') === e.rel));
    for (const f of files) if (!ex.files.has(f.rel)) throw new Error(`Missing after the copy: ${f.rel}`);
    let verified: string;
    if (caps.has.has('sha256sum') && files.length > 0) {
      // The early hashing can be cut by the same drop the copy survived: then hash again now.
      const list = await remoteHashesP!.catch(() => remote.hashes(parent, listedFiles.map((f) => f.rel)));
      const remoteHash = new Map(listedFiles.map((f, i) => [f.rel, list[i]]));
      files.forEach((f) => {
        if (remoteHash.get(f.rel) !== ex.files.get(f.rel)?.sha256) throw new Error(`Check failed: sha256 of ${f.rel} differs from the container's (it may have changed during the copy)`);
      });
      verified = `sha256 ok (${files.length} file${files.length === 1 ? '' : 's'})`;
    } else {
      for (const f of files) {
        if (ex.files.get(f.rel)?.size !== f.size) throw new Error(`Check failed: size of ${f.rel} differs`);
      }
      verified = files.length ? `size ok (${files.length} file${files.length === 1 ? '' : 's'}; no sha256sum in the container)` : 'nothing to check (no files)';
    }

    // Into place.
    const target = path.join(dir, finalName);
    const old = path.join(staging, '.old');
    const hadOld = await fsp.lstat(target).then(() => true, () => false);
    if (hadOld) {
      if (conflict !== 'overwrite') throw new Error(`Already exists: ${target}`);
      await fsp.rename(target, old);
    }
    try {
      await fsp.rename(path.join(staging, name), target);
    } catch (e) {
      if (hadOld) await fsp.rename(old, target).catch(() => {});
      throw e;
    }
    await fsp.rm(staging, { recursive: true, force: true });
    return { state: 'done', verified, finalPath: target, warnings, skippedLinks: ex.skippedLinks.map((l) => `${l.rel} -> ${l.target}`) };
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    if (hooks.signal.aborted || e instanceof Cancelled) throw new Cancelled();
    throw (e as NodeJS.ErrnoException).code ? localError(e) : e;
  }
}

/** Writes one chunk and waits for the consumer when its buffer is full (the upload's backpressure). */
async function writeAll(w: Writable, chunk: Buffer, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new Cancelled();
  if (w.destroyed || w.writableEnded) throw new Error('the container stopped reading');
  if (w.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      w.off('drain', onDrain);
      w.off('close', onClose);
      w.off('error', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the container stopped reading'));
    const onAbort = () => done(new Cancelled());
    w.on('drain', onDrain);
    w.on('close', onClose);
    w.on('error', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

/** Copies one local file or folder into a container folder. */
export async function uploadItem(remote: RemoteFs, localSrc: string, remoteDir: string, conflict: ConflictPolicy, hooks: ItemHooks): Promise<ItemResult> {
  const src = path.resolve(localSrc);
  const name = path.basename(src);
  const dir = remotePath(remoteDir);
  const caps = await remote.caps();
  const warnings: string[] = [];
  const entries = await walkLocal(src, name, (rel, why) => warnings.push(`${rel}: ${why}`)).catch((e) => {
    throw localError(e, src);
  });
  const total = entries.reduce((s, e) => s + e.size, 0);
  hooks.onTotal?.(total);
  let finalName = hooks.asName ?? name;
  if (await remote.exists(path.posix.join(dir, finalName))) {
    if (conflict === 'skip') return { state: 'skipped', warnings, finalPath: path.posix.join(dir, finalName) };
    if (conflict === 'keepBoth') finalName = await remote.freeName(dir, finalName);
  }
  // The archive carries the final name, so the rename at the end is a single mv.
  const renamed: LocalEntry[] = entries.map((e) => ({ ...e, rel: finalName + e.rel.slice(name.length) }));
  const staging = path.posix.join(dir, `.kubedeck-upload-${tempId(hooks)}`);
  await remote.run('mkdir -- "$1"', [staging]).catch((e: Error) => {
    throw new Error(`Cannot write in ${dir} in the container: ${e.message}`);
  });
  try {
    let hashes = new Map<string, string>();
    if (caps.has.has('tar')) {
      const big = entries.filter((e) => e.type === 'file').sort((a, b) => b.size - a.size)[0];
      const gz = hooks.compress === 'always' || (hooks.compress !== 'never' && caps.has.has('gzip') && total >= 1024 * 1024 && !!big && (await localSampleCompresses(big.abs)));
      if (gz) hooks.onNote?.('gzip: the files compress well, so the stream is compressed');
      const o = await runStreaming(
        remote,
        ['tar', gz ? 'xzof' : 'xof', '-', '-C', staging],
        hooks,
        async (out, proc, activity) => {
          out.resume();
          let sink: Writable = proc.stdin;
          let gzip: zlib.Gzip | undefined;
          if (gz) {
            gzip = zlib.createGzip({ level: 1 });
            gzip.pipe(proc.stdin);
            sink = gzip;
          }
          const r = await packEntries(renamed, (chunk) => writeAll(sink, chunk, hooks.signal), {
            signal: hooks.signal,
            onProgress: (n) => {
              activity.last = Date.now();
              hooks.onBytes?.(n);
            },
          });
          sink.end();
          if (gzip) await once(gzip, 'end');
          return r;
        },
      );
      if (o.error || o.exitCode !== 0) throw new Error(cleanMessage(o, `Upload into ${dir} failed`));
      hashes = o.value!.hashes;
    } else {
      if (!caps.has.has('cat')) throw new Error('The container has neither tar nor cat: files cannot be written into it.');
      hashes = await uploadFileByFile(remote, renamed, staging, hooks);
    }

    // The check.
    const files = renamed.filter((e) => e.type === 'file');
    let verified: string;
    if (caps.has.has('sha256sum') && files.length > 0) {
      const rh = await remote.hashes(staging, files.map((f) => f.rel));
      files.forEach((f, i) => {
        if (rh[i] !== hashes.get(f.rel)) throw new Error(`Check failed: sha256 of ${f.rel} in the container differs from the local file`);
      });
      verified = `sha256 ok (${files.length} file${files.length === 1 ? '' : 's'})`;
    } else {
      const tree = await remote.walk(path.posix.join(staging, finalName));
      const sizes = new Map(tree.map((t) => [t.rel, t.size]));
      for (const f of files) if (sizes.get(f.rel) !== f.size) throw new Error(`Check failed: size of ${f.rel} in the container differs`);
      verified = files.length ? `size ok (${files.length} file${files.length === 1 ? '' : 's'}; no sha256sum in the container)` : 'nothing to check (no files)';
    }

    // Into place: mv the old one aside, mv the new one in, put the old one back if that fails.
    const target = path.posix.join(dir, finalName);
    await remote.run(
      `s=$1; n=$2; t=$3; m=$4
if [ -e "$t" ] || [ -L "$t" ]; then
  if [ "$m" = overwrite ]; then mv -- "$t" "$s/.old" || exit 1; else echo "Already exists: $t" >&2; exit 5; fi
fi
if ! mv -- "$s/$n" "$t"; then [ -e "$s/.old" ] && mv -- "$s/.old" "$t"; exit 1; fi
rm -rf -- "$s"`,
      [staging, finalName, target, conflict],
    );
    return { state: 'done', verified, finalPath: target, warnings };
  } catch (e) {
    // Best effort: the staging folder is ours alone; the target was never touched.
    await remote.run('rm -rf -- "$1"', [staging]).catch(() => {});
    if (hooks.signal.aborted || e instanceof Cancelled) throw new Cancelled();
    throw e;
  }
}

async function localSampleCompresses(file: string): Promise<boolean> {
  if (COMPRESSED_EXT.test(file)) return false;
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) return false;
    return zlib.gzipSync(buf.subarray(0, bytesRead), { level: 1 }).length / bytesRead < 0.6;
  } finally {
    await fh.close();
  }
}

/** Images without tar: folders with mkdir, files with `cat >`, then modes and times in one go. */
async function uploadFileByFile(remote: RemoteFs, entries: LocalEntry[], staging: string, hooks: ItemHooks): Promise<Map<string, string>> {
  const { createHash } = await import('node:crypto');
  const hashes = new Map<string, string>();
  for (const e of entries) {
    hooks.signal.throwIfAborted();
    const target = path.posix.join(staging, e.rel);
    if (e.type === 'dir') await remote.run('mkdir -- "$1"', [target]);
    else if (e.type === 'symlink') await remote.run('ln -s -- "$1" "$2"', [e.target ?? '', target]);
    else {
      const hash = createHash('sha256');
      const o = await runStreaming(remote, ['sh', '-c', 'cat > "$1"', 'sh', target], hooks, async (out, proc, activity) => {
        out.resume();
        for await (const c of createReadStream(e.abs, { highWaterMark: 256 * 1024 })) {
          const chunk = c as Buffer;
          hash.update(chunk);
          await writeAll(proc.stdin, chunk, hooks.signal);
          activity.last = Date.now();
          hooks.onBytes?.(chunk.length);
        }
        proc.stdin.end();
      });
      if (o.error || o.exitCode !== 0) throw new Error(cleanMessage(o, `Writing ${e.rel} failed`));
      hashes.set(e.rel, hash.digest('hex'));
    }
  }
  // Modes and modified times (deepest first, so a read-only folder is made read-only last).
  const meta = entries.filter((e) => e.type !== 'symlink').reverse();
  const stamp = (d: Date) => d.toISOString().replace(/[-T:]/g, '').replace(/(\d{12})(\d{2})\..*$/, '$1.$2');
  for (let i = 0; i < meta.length; i += 200) {
    const args = meta.slice(i, i + 200).flatMap((e) => [(e.mode & 0o7777).toString(8), stamp(e.mtime), path.posix.join(staging, e.rel)]);
    await remote.run('while [ $# -ge 3 ]; do chmod "$1" "$3" && TZ=UTC0 touch -t "$2" "$3" || exit 1; shift 3; done', args);
  }
  return hashes;
}

export { Cancelled };
