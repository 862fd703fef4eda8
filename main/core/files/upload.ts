/**
 * Upload (local → container) of one item, a file or a folder: a tar-stream pack into
 * `tar xof - -C <dir>/.kubedeck-upload-<id>` (or `cat >` per file in an image without tar), checked
 * (verify.ts), then `mv` over the target — a half upload never replaces a good file.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { ConflictPolicy } from '../../../common/contract/files.ts';
import { localWorthCompressing } from './compression.ts';
import { Cancelled, cleanMessage, type ItemHooks, type ItemResult, runStreaming, tempId } from './copyStream.ts';
import { localError } from './localFs.ts';
import { type RemoteFs, remotePath } from './remoteFs.ts';
import { type LocalEntry, packEntries, walkLocal } from './tarPack.ts';
import { verifyCopy } from './verify.ts';

/** mv the old one aside, mv the new one in, put the old one back if that fails. */
const INTO_PLACE_SCRIPT = `s=$1; n=$2; t=$3; m=$4
if [ -e "$t" ] || [ -L "$t" ]; then
  if [ "$m" = overwrite ]; then mv -- "$t" "$s/.old" || exit 1; else echo "Already exists: $t" >&2; exit 5; fi
fi
if ! mv -- "$s/$n" "$t"; then [ -e "$s/.old" ] && mv -- "$s/.old" "$t"; exit 1; fi
rm -rf -- "$s"`;

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
    let hashes: Map<string, string>;
    if (caps.has.has('tar')) hashes = await uploadTar(remote, renamed, staging, dir, total, hooks);
    else {
      if (!caps.has.has('cat')) throw new Error('The container has neither tar nor cat: files cannot be written into it.');
      hashes = await uploadFileByFile(remote, renamed, staging, hooks);
    }

    const files = renamed.filter((e) => e.type === 'file');
    const verified = await verifyCopy({
      files,
      sha256: caps.has.has('sha256sum')
        ? async () => {
            const rh = await remote.hashes(staging, files.map((f) => f.rel));
            return { source: hashes, copy: new Map(files.map((f, i) => [f.rel, rh[i]])) };
          }
        : undefined,
      copySizes: async () => new Map((await remote.walk(path.posix.join(staging, finalName))).map((t) => [t.rel, t.size])),
      sizeNote: 'no sha256sum in the container',
      differs: (what, rel) => (what === 'sha256' ? `sha256 of ${rel} in the container differs from the local file` : `size of ${rel} in the container differs`),
    });

    const target = path.posix.join(dir, finalName);
    await remote.run(INTO_PLACE_SCRIPT, [staging, finalName, target, conflict]);
    return { state: 'done', verified, finalPath: target, warnings };
  } catch (e) {
    // Best effort: the staging folder is ours alone; the target was never touched.
    await remote.run('rm -rf -- "$1"', [staging]).catch(() => {});
    if (hooks.signal.aborted || e instanceof Cancelled) throw new Cancelled();
    throw e;
  }
}

/** The whole item as one tar stream (gzipped where it pays); returns the local sha256 of every file. */
async function uploadTar(remote: RemoteFs, entries: LocalEntry[], staging: string, dir: string, total: number, hooks: ItemHooks): Promise<Map<string, string>> {
  const big = entries.filter((e) => e.type === 'file').sort((a, b) => b.size - a.size)[0];
  const gz = await localWorthCompressing(remote, big?.abs, total, hooks);
  if (gz) hooks.onNote?.('gzip: the files compress well, so the stream is compressed');
  const o = await runStreaming(remote, ['tar', gz ? 'xzof' : 'xof', '-', '-C', staging], hooks, async (out, proc, activity) => {
    out.resume();
    let sink: Writable = proc.stdin;
    let gzip: zlib.Gzip | undefined;
    if (gz) {
      gzip = zlib.createGzip({ level: 1 });
      gzip.pipe(proc.stdin);
      sink = gzip;
    }
    const r = await packEntries(entries, (chunk) => writeAll(sink, chunk, hooks.signal), {
      signal: hooks.signal,
      onProgress: (n) => {
        activity.last = Date.now();
        hooks.onBytes?.(n);
      },
    });
    sink.end();
    if (gzip) await once(gzip, 'end');
    return r;
  });
  if (o.error || o.exitCode !== 0) throw new Error(cleanMessage(o, `Upload into ${dir} failed`));
  return o.value!.hashes;
}

/** Images without tar: folders with mkdir, files with `cat >`, then modes and times in one go. */
async function uploadFileByFile(remote: RemoteFs, entries: LocalEntry[], staging: string, hooks: ItemHooks): Promise<Map<string, string>> {
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
