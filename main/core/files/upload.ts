/**
 * Upload (local → container) of one item, a file or a folder, into a staging folder
 * `<dir>/.kubedeck-upload-<id>` beside the target, checked (verify.ts), then `mv`'d over the target —
 * a half upload never replaces a good file.
 *
 * - A single file goes as raw bytes (gzipped where it pays) appended to the staged file; a second exec
 *   beside the writer hashes it in 16 MiB pieces as they land (page cache: no disk read), so the
 *   container's hash is ready ~50 ms after the last byte. A dropped or stalled stream resumes from
 *   the byte the container has; pieces before it keep their hashes.
 * - A folder goes as one tar stream (gzipped where it pays) into `tar x`; the list of its files rides
 *   at the end of the same archive and the same exec hashes them (`xargs -0 b2sum`), so there is
 *   no round trip per batch. After a drop the files already in place stay, the one cut short is
 *   finished from its last byte, and a new archive brings the rest.
 * - Images without tar: `cat >` per file.
 * Each attempt writes its shell's pid into the staging folder; a resume waits for that process to end
 * first (runtimes keep an exec's process running after its stream drops), so nothing else writes
 * while the container's sizes are read.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { ConflictPolicy } from '../../../common/contract/files.ts';
import { localWorthCompressing } from './compression.ts';
import { Cancelled, cleanMessage, type ItemHooks, type ItemResult, runStreaming, tempId } from './copyStream.ts';
import { localError } from './localFs.ts';
import type { RemoteProcess } from '../kube/remoteProcess.ts';
import { type Caps, type RemoteFs, remotePath } from './remoteFs.ts';
import { type LocalEntry, packEntries, walkLocal } from './tarPack.ts';
import { verifyCopy } from './verify.ts';
import { copyHashFor, digestOfLine, SHA256, type CopyHash } from './copyHash.ts';

/**
 * Whether the target exists, and (unless the policy says to stop there) the staging folder made, in
 * one exec. Prints "exists" (nothing made) or "ready".
 */
const PREPARE_SCRIPT = `d=$1; n=$2; s=$3; m=$4
if [ -e "$d/$n" ] || [ -L "$d/$n" ]; then [ "$m" = overwrite ] || { echo exists; exit 0; }; fi
mkdir -- "$s" || exit 1
echo ready`;

/**
 * Modes and times of files written raw (triples after the first four arguments), then: mv the old
 * one aside, mv the new one in, put the old one back if that fails.
 */
const INTO_PLACE_SCRIPT = `s=$1; n=$2; t=$3; m=$4; shift 4
while [ $# -ge 3 ]; do chmod "$1" "$s/$3" && TZ=UTC0 touch -t "$2" "$s/$3" || exit 1; shift 3; done
if [ -e "$t" ] || [ -L "$t" ]; then
  if [ "$m" = overwrite ]; then mv -- "$t" "$s/.old" || exit 1; else echo "Already exists: $t" >&2; exit 5; fi
fi
if ! mv -- "$s/$n" "$t"; then [ -e "$s/.old" ] && mv -- "$s/.old" "$t"; exit 1; fi
rm -rf -- "$s"`;

/**
 * One attempt at a file's bytes: $1 the file, $2 the byte to start at (what the container has), $3
 * the pid file, $4 "z" when the bytes come gzipped. Prints "rc N", the writer's exit status.
 */
const RAW_SCRIPT = `f=$1; off=$2; echo $$ > "$3" || exit 1
[ "$off" -gt 0 ] || : > "$f" || exit 1
if [ "$4" = z ]; then gzip -dc >> "$f"; else cat >> "$f"; fi
echo "rc $?"`;

/**
 * The container's hashes of a file written raw, piece by piece while it is still arriving: each
 * line "K END" on stdin asks for piece K ($2 bytes long), hashed once the file reaches END. A
 * second exec beside the writer, so hashing runs while the bytes travel instead of after; it
 * stops when stdin ends, or when the writer ($3: its pid file) is gone short of END.
 */
const piecesScript = (tool: CopyHash['tool']) => `f=$1; c=$2; pf=$3
alive() { p=$(cat "$pf" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }
size() { stat -c %s "$f" 2>/dev/null || echo 0; }
while read k e; do
  while [ "$(size)" -lt "$e" ]; do alive || exit 3; sleep 0.05 2>/dev/null || sleep 1; done
  h=$(dd if="$f" bs="$c" skip="$k" count=1 2>/dev/null | ${tool}) || exit 1
  echo "p $k \${h%% *}"
done`;

/**
 * A folder's archive: $1 the staging folder, $2 "z" for gzip. After tar, the names it carried in
 * `.kubedeck-names` (NUL-separated) are hashed by the same exec, in order.
 */
const treeScript = (tool: CopyHash['tool']) => `cd "$1" || exit 4; echo $$ > .kubedeck-pid || exit 1
tar "x$2of" - || exit 97
[ -f .kubedeck-names ] || exit 0
exec xargs -0 ${tool} -- < .kubedeck-names 2>/dev/null`;

/**
 * Before a resume: wait (up to ~10 s) for the dropped attempt's shell ($1: its pid file) to end, then
 * kill it if it still runs; prints the size of $2 (0 if absent).
 */
const SETTLE_SCRIPT = `p=$(cat "$1" 2>/dev/null); i=0
while [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1 2>/dev/null || sleep 1; i=$((i+1)); done
[ -n "$p" ] && kill -9 "$p" 2>/dev/null
if [ -n "$2" ] && [ -e "$2" ]; then wc -c < "$2"; else echo 0; fi`;

const NAMES = '.kubedeck-names';
/** What tar says when it cannot go on writing: the upload stops at once instead of sending the rest. */
const FATAL_STDERR = /No space left on device|Disk quota exceeded|Read-only file system/i;
const PID = '.kubedeck-pid';
/**
 * A single file's hash is taken in pieces of this size on both ends (the container hashes each
 * piece as soon as it has landed; its last piece is hashed ~50 ms after the last byte).
 */
const PIECE = 16 << 20;
/** Bytes a raw upload reads and sends at a time. */
const CHUNK = 512 << 10;
/** Pack output is gathered into frames of about this size (a tar of small files is many tiny chunks). */
const FRAME = 256 << 10;

/** Copies one local file or folder into a container folder. */
export async function uploadItem(remote: RemoteFs, localSrc: string, remoteDir: string, conflict: ConflictPolicy, hooks: ItemHooks): Promise<ItemResult> {
  const src = path.resolve(localSrc);
  const name = path.basename(src);
  const dir = remotePath(remoteDir);
  const capsP = remote.caps();
  const warnings: string[] = [];
  const entries = await walkLocal(src, name, (rel, why) => warnings.push(`${rel}: ${why}`)).catch((e) => {
    throw localError(e, src);
  });
  const caps = await capsP;
  const total = entries.reduce((s, e) => s + e.size, 0);
  hooks.onTotal?.(total);
  let finalName = hooks.asName ?? name;
  const id = tempId(hooks);
  const staging = path.posix.join(dir, `.kubedeck-upload-${id}`);
  const cannotWrite = (e: Error) => new Error(`Cannot write in ${dir} in the container: ${e.message}`);
  const state = (await remote.run(PREPARE_SCRIPT, [dir, finalName, staging, conflict]).catch((e: Error) => {
    throw cannotWrite(e);
  })).trim();
  if (state === 'exists') {
    if (conflict === 'skip') return { state: 'skipped', warnings, finalPath: path.posix.join(dir, finalName) };
    finalName = await remote.freeName(dir, finalName);
    await remote.run('mkdir -- "$1"', [staging]).catch((e: Error) => {
      throw cannotWrite(e);
    });
  }
  // The archive carries the final name, so the rename at the end is a single mv.
  const renamed: LocalEntry[] = entries.map((e) => ({ ...e, rel: finalName + e.rel.slice(name.length) }));
  const up = new Uploader(remote, caps, hooks, staging, dir);
  try {
    let hashes: Map<string, string | undefined>;
    let remoteHashes: Map<string, string | undefined> | undefined;
    if (renamed.length === 1 && renamed[0].type === 'file' && caps.has.has('cat')) {
      const r = await up.rawFile(renamed[0], 0, 0, true);
      hashes = new Map([[renamed[0].rel, r.local]]);
      if (r.remote) remoteHashes = new Map([[renamed[0].rel, r.remote]]);
      up.stamps.push(renamed[0]);
    } else if (caps.has.has('tar')) {
      ({ hashes, remoteHashes } = await up.tree(renamed, total));
    } else {
      if (!caps.has.has('cat')) throw new Error('The container has neither tar nor cat: files cannot be written into it.');
      hashes = await uploadFileByFile(remote, renamed, staging, hooks, up.hash ?? SHA256);
    }

    const files = renamed.filter((e) => e.type === 'file');
    const verified = await verifyCopy({
      files,
      hash: up.hash && {
        label: up.hash.label,
        digests: async () => {
          if (!remoteHashes || files.some((f) => !remoteHashes!.get(f.rel))) {
            const rh = await remote.hashes(staging, files.map((f) => f.rel));
            remoteHashes = new Map(files.map((f, i) => [f.rel, rh[i]]));
          }
          return { source: hashes, copy: remoteHashes };
        },
      },
      copySizes: async () => new Map((await remote.walk(path.posix.join(staging, finalName))).map((t) => [t.rel, t.size])),
      sizeNote: 'no b2sum or sha256sum in the container',
      differs: (what, rel) => (what === 'hash' ? `${up.hash!.label} of ${rel} in the container differs from the local file` : `size of ${rel} in the container differs`),
    });

    const target = path.posix.join(dir, finalName);
    const stamps = up.stamps.flatMap((e) => [(e.mode & 0o7777).toString(8), touchStamp(e.mtime), e.rel]);
    await remote.run(INTO_PLACE_SCRIPT, [staging, finalName, target, conflict, ...stamps]);
    return { state: 'done', verified, finalPath: target, warnings };
  } catch (e) {
    // Best effort: the staging folder is ours alone; the target was never touched.
    await remote.run('rm -rf -- "$1"', [staging]).catch(() => {});
    if (hooks.signal.aborted || e instanceof Cancelled) throw new Cancelled();
    throw e;
  }
}

/** `touch -t` form of a time, in UTC (the script sets TZ=UTC0): CCYYMMDDhhmm.ss */
function touchStamp(d: Date): string {
  return d.toISOString().replace(/[-T:]/g, '').replace(/(\d{12})(\d{2})\..*$/, '$1.$2');
}

/** An attempt whose stream dropped or stalled: resumed. */
class Dropped extends Error {}

/** The streams of one upload into its staging folder, each resumed where it dropped. */
class Uploader {
  /** Files written raw whose mode and time the final script sets. */
  readonly stamps: LocalEntry[] = [];
  /** The hash both ends compute (undefined: the container has none, sizes are compared). */
  readonly hash: CopyHash | undefined;
  private attempts = 0;
  /** Bytes reported through onBytes so far (a resume takes back what the container did not keep). */
  private reported = 0;

  constructor(
    private readonly remote: RemoteFs,
    private readonly caps: Caps,
    private readonly hooks: ItemHooks,
    private readonly staging: string,
    private readonly dir: string,
  ) {
    this.hash = copyHashFor(caps.has);
  }

  private progress(n: number): void {
    this.reported += n;
    this.hooks.onBytes?.(n);
  }

  /** Sets the item's progress to `bytes` (back, after a drop, to what the container kept). */
  private progressAt(bytes: number): void {
    this.progress(bytes - this.reported);
  }

  /** Counts a drop; throws once the retries are spent. */
  private retry(why: string): void {
    this.attempts++;
    if (this.attempts > (this.hooks.retries ?? 5)) throw new Error(`Upload into ${this.dir}: the stream dropped ${this.attempts} times; giving up (${why})`);
  }

  /** Waits for the dropped attempt's process to end; returns the size of `file` in the container. */
  private async settle(file: string | undefined): Promise<number> {
    for (let i = 0; ; i++) {
      this.hooks.signal.throwIfAborted();
      try {
        return Number((await this.remote.run(SETTLE_SCRIPT, [path.posix.join(this.staging, PID), file ?? ''])).trim()) || 0;
      } catch (e) {
        // The API server may still be away: try again a few times, a little later each time.
        if (i >= 4) throw e;
        await new Promise((r) => setTimeout(r, 250 * 2 ** i));
      }
    }
  }

  /**
   * A file's bytes from `offset` on, raw (gzipped where it pays); resumed after a drop from what the
   * container has. `before`: bytes of the item already in place (progress). `pieces`: hash in pieces
   * in the container while the bytes travel (a single file); otherwise only the local hash of the
   * whole file is returned (a folder's file: the folder's own exec hashes it). The two hashes
   * returned are of the same form, so they compare equal exactly when every piece matches.
   */
  async rawFile(e: LocalEntry, offset: number, before = 0, pieces = false): Promise<{ local: string; remote?: string }> {
    const file = path.posix.join(this.staging, e.rel);
    const byPiece = pieces && !!this.hash && ['dd', 'stat'].every((c) => this.caps.has.has(c));
    const gz = await localWorthCompressing(this.remote, e.abs, e.size - offset, this.hooks);
    if (gz) this.hooks.onNote?.('gzip: the file compresses well, so the stream is compressed');
    const local: string[] = [];
    const remote: (string | undefined)[] = [];
    for (;;) {
      try {
        const whole = await this.rawAttempt(e, file, offset, before, gz, byPiece ? { local, remote } : undefined);
        if (!byPiece) return { local: whole! };
        const count = Math.ceil(e.size / PIECE);
        const missing = [...Array(count).keys()].filter((k) => !remote[k]);
        if (missing.length) {
          // The hashing exec fell behind or failed: ask again for the pieces it did not give.
          const lines = missing.map((k) => `${k} ${Math.min((k + 1) * PIECE, e.size)}\n`).join('');
          const out = await this.remote.run(piecesScript(this.hash!.tool), [file, String(PIECE), path.posix.join(this.staging, PID)], lines);
          for (const m of out.matchAll(/^p (\d+) ([0-9a-f]+)$/gm)) if (this.hash!.hex.test(m[2])) remote[Number(m[1])] = m[2];
        }
        const form = (xs: (string | undefined)[]) => `${this.hash!.label} per ${PIECE} bytes: ${xs.slice(0, count).join(',')}`;
        return { local: form(local), remote: remote.slice(0, count).every(Boolean) ? form(remote) : undefined };
      } catch (err) {
        if (!(err instanceof Dropped)) throw err;
        this.retry(err.message);
        this.hooks.onNote?.(`upload stream dropped (${err.message})`);
        offset = Math.min(await this.settle(file), e.size);
        this.hooks.onNote?.(`upload resuming at ${offset} bytes`);
      }
    }
  }

  /**
   * One stream of a raw file. Returns the hash of the whole local file, or with `pieces` fills in
   * both ends' piece hashes (kept across attempts: pieces before the one `offset` falls in stay).
   */
  private async rawAttempt(
    e: LocalEntry,
    file: string,
    offset: number,
    before: number,
    gz: boolean,
    pieces?: { local: string[]; remote: (string | undefined)[] },
  ): Promise<string | undefined> {
    const { hooks } = this;
    const pidFile = path.posix.join(this.staging, PID);
    let stdout = '';
    let refused: string | undefined;
    // Whole-file hash from byte 0, or piece hashes from the start of the piece `offset` falls in.
    const first = pieces ? Math.floor(offset / PIECE) : 0;
    let piece = first;
    const newHash = () => (this.hash ?? SHA256).create();
    let hash = newHash();
    let hasher: RemoteProcess | undefined;
    if (pieces) {
      pieces.remote.length = first;
      pieces.local.length = first;
    }
    let o: Awaited<ReturnType<typeof runStreaming<void>>>;
    try {
      o = await runStreaming(this.remote, ['sh', '-c', RAW_SCRIPT, 'sh', file, String(offset), pidFile, gz ? 'z' : ''], hooks, async (out, proc, activity) => {
        out.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
        const ended = once(out, 'end').catch(() => {});
        // The writer in the container only speaks on stderr when it fails (a full disk): stop at once.
        // Its words may come in more than one frame ("cat:" then " write error: No space left"): wait for the whole line.
        let said = '';
        const failed = new Promise<never>((_r, reject) => {
          const fail = () => {
            if (refused !== undefined || !said.trim()) return;
            refused = said.trim();
            reject(new Error(refused));
          };
          proc.stderr.on('data', (b: Buffer) => {
            said = (said + b.toString('utf8')).slice(-4096);
            if (said.includes('\n')) fail();
          });
          proc.stderr.once('end', fail);
        });
        failed.catch(() => {});
        if (pieces) {
          hasher = await this.remote.exec(['sh', '-c', piecesScript(this.hash!.tool), 'sh', file, String(PIECE), pidFile]).catch(() => undefined);
          let text = '';
          hasher?.stdout.on('data', (b: Buffer) => {
            text += b.toString('utf8');
            const lines = text.split('\n');
            text = lines.pop()!;
            for (const m of lines.map((l) => /^p (\d+) ([0-9a-f]+)$/.exec(l))) if (m && Number(m[1]) >= first && this.hash!.hex.test(m[2])) pieces.remote[Number(m[1])] = m[2];
          });
          hasher?.stdin.on('error', () => {});
          hasher?.stderr.resume();
        }
        let pos = pieces ? first * PIECE : 0;
        // Splits the local bytes into pieces as they are read; a finished piece is asked of the container.
        const feed = (chunk: Buffer) => {
          let c = chunk;
          while (pieces && pos + c.length >= (piece + 1) * PIECE) {
            const cut = (piece + 1) * PIECE - pos;
            hash.update(c.subarray(0, cut));
            pieces.local[piece] = hash.digest('hex');
            hash = newHash();
            pos += cut;
            c = c.subarray(cut);
            hasher?.stdin.write(`${piece} ${pos}\n`);
            piece++;
          }
          hash.update(c);
          pos += c.length;
        };
        if (pos < offset) for await (const c of createReadStream(e.abs, { start: pos, end: offset - 1, highWaterMark: 1 << 20 })) feed(c as Buffer);
        this.progressAt(before + offset);
        const { sink, gzip } = stdinSink(proc.stdin, gz);
        if (e.size > offset) {
          for await (const c of createReadStream(e.abs, { start: offset, end: e.size - 1, highWaterMark: CHUNK })) {
            const chunk = c as Buffer;
            feed(chunk);
            await Promise.race([writeAll(sink, chunk, hooks.signal), failed]);
            activity.last = Date.now();
            this.progress(chunk.length);
          }
        }
        if (pos !== e.size) throw new Error(`${e.abs} changed while it was read (${pos} of ${e.size} bytes)`);
        if (pieces && pos > piece * PIECE) {
          pieces.local[piece] = hash.digest('hex');
          hasher?.stdin.write(`${piece} ${pos}\n`);
        }
        hasher?.stdin.end();
        sink.end();
        if (gzip) await Promise.race([once(gzip, 'end'), failed]);
        await Promise.race([ended, failed]);
      });
    } catch (err) {
      hasher?.close(); // cancelled: the hashing exec ends with the writer
      throw err;
    }
    const hashed = hasher?.done;
    if (hasher && (o.error || o.exitCode !== 0)) hasher.close();
    if (refused !== undefined) throw new Error(`Upload into ${this.dir} failed: ${refused.split('\n').slice(-2).join('; ')}`);
    if (o.error && (o.error as NodeJS.ErrnoException).code && !o.dropped) throw localError(o.error, e.abs);
    const rc = /^rc (\d+)$/m.exec(stdout)?.[1];
    if (!o.error && o.exitCode === 0 && rc === '0') {
      await hashed;
      return pieces ? undefined : hash.digest('hex');
    }
    if (o.dropped) throw new Dropped(o.stderr || 'connection lost');
    throw new Error(cleanMessage(o, `Upload into ${this.dir} failed`));
  }

  /** A folder as tar streams, resumed after a drop for what the container does not have yet. */
  async tree(entries: LocalEntry[], total: number): Promise<{ hashes: Map<string, string | undefined>; remoteHashes?: Map<string, string | undefined> }> {
    const { remote, hooks, caps } = this;
    const big = entries.filter((e) => e.type === 'file').sort((a, b) => b.size - a.size)[0];
    const gz = await localWorthCompressing(remote, big?.abs, total, hooks);
    if (gz) hooks.onNote?.('gzip: the files compress well, so the stream is compressed');
    const files = entries.filter((e) => e.type === 'file');
    // The same exec hashes what it extracted, where the names can be listed plainly (no newline or
    // backslash, which builds of the tools print differently) and the tools are there.
    const listed = !!this.hash && caps.has.has('xargs') && files.length > 0 && !files.some((f) => /[\n\\]/.test(f.rel));
    const list = listed ? Buffer.from(files.map((f) => `./${f.rel}\0`).join(''), 'utf8') : undefined;
    const names: LocalEntry | undefined = list && { rel: NAMES, abs: NAMES, type: 'file', size: list.length, mode: 0o600, mtime: new Date(), data: list };
    const hashes = new Map<string, string>();
    let todo = entries;
    for (;;) {
      try {
        const lines = await this.treeAttempt(names ? [...todo, names] : todo, gz, hashes);
        const remoteHashes = names && lines.length === files.length ? new Map(files.map((f, i) => [f.rel, lines[i]])) : undefined;
        return { hashes, remoteHashes };
      } catch (err) {
        if (!(err instanceof Dropped)) throw err;
        this.retry(err.message);
        hooks.onNote?.(`upload stream dropped (${err.message})`);
        todo = await this.rest(entries, hashes);
      }
    }
  }

  /** After a drop: what the container has; the file cut short finished raw; what is left to send. */
  private async rest(entries: LocalEntry[], hashes: Map<string, string>): Promise<LocalEntry[]> {
    await this.settle(undefined);
    const have = new Map((await this.remote.walk(path.posix.join(this.staging, entries[0].rel)).catch(() => [])).map((r) => [r.rel, r]));
    // tar writes one file after the other: only the last one present may be cut short (or lack its time).
    let last = -1;
    entries.forEach((e, i) => {
      if (e.type === 'file' && have.has(e.rel)) last = i;
    });
    const todo: LocalEntry[] = [];
    let kept = 0;
    let cut: { e: LocalEntry; at: number } | undefined;
    entries.forEach((e, i) => {
      const there = have.get(e.rel);
      if (e.type === 'dir') todo.push(e); // again: tar sets folder modes and times after their files
      else if (e.type === 'symlink') {
        if (!there) todo.push(e);
      } else if (i < last && there?.size === e.size && hashes.has(e.rel)) kept += e.size;
      else if (i === last && there && there.size > 0 && there.size < e.size) cut = { e, at: there.size };
      else {
        hashes.delete(e.rel);
        todo.push(e);
      }
    });
    this.progressAt(kept);
    if (cut) {
      this.hooks.onNote?.(`upload resuming ${cut.e.rel} at ${cut.at} bytes`);
      hashes.set(cut.e.rel, (await this.rawFile(cut.e, cut.at, kept)).local);
      this.stamps.push(cut.e);
      kept += cut.e.size;
    }
    const left = todo.filter((e) => e.type === 'file').length;
    this.hooks.onNote?.(`upload resuming with ${left} file${left === 1 ? '' : 's'} left`);
    return todo;
  }

  private async treeAttempt(entries: LocalEntry[], gz: boolean, hashes: Map<string, string>): Promise<(string | undefined)[]> {
    const { hooks } = this;
    let stdout = '';
    let fatal: string | undefined;
    const o = await runStreaming(this.remote, ['sh', '-c', treeScript((this.hash ?? SHA256).tool), 'sh', this.staging, gz ? 'z' : ''], hooks, async (out, proc, activity) => {
      out.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      const ended = once(out, 'end').catch(() => {});
      // tar goes on after a failed write (and may warn harmlessly): stop at once only when the disk cannot take more.
      let said = '';
      const failed = new Promise<never>((_r, reject) =>
        proc.stderr.on('data', (b: Buffer) => {
          said = (said + b.toString('utf8')).slice(-4096);
          if (FATAL_STDERR.test(said)) reject(new Error((fatal = said.trim())));
        }),
      );
      failed.catch(() => {});
      const { sink, gzip } = stdinSink(proc.stdin, gz);
      const frames = new Frames((chunk) => Promise.race([writeAll(sink, chunk, hooks.signal), failed]));
      await packEntries(entries, (chunk) => frames.push(chunk), {
        signal: hooks.signal,
        hashes,
        hash: () => (this.hash ?? SHA256).create(),
        onProgress: (n) => {
          activity.last = Date.now();
          this.progress(n);
        },
      });
      await frames.flush();
      sink.end();
      if (gzip) await Promise.race([once(gzip, 'end'), failed]);
      await Promise.race([ended, failed]);
    });
    if (fatal !== undefined) throw new Error(`Upload into ${this.dir} failed: ${fatal.split('\n').slice(-2).join('; ')}`);
    if (o.error && (o.error as NodeJS.ErrnoException).code && !o.dropped) throw localError(o.error);
    if (!o.error && o.exitCode === 0) return stdout.split('\n').filter(Boolean).map((l) => digestOfLine(this.hash ?? SHA256, l));
    if (o.dropped) throw new Dropped(o.stderr || 'connection lost');
    // The hashing tool could not read a file: the check hashes again the slow way and says which.
    if (o.exitCode === 123 && !o.error) return [];
    throw new Error(cleanMessage(o, `Upload into ${this.dir} failed`));
  }
}

/** Gathers small chunks into frames of about FRAME bytes (a 512-byte tar header is not worth a frame). */
class Frames {
  private parts: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly write: (chunk: Buffer) => Promise<void>) {}

  async push(chunk: Buffer): Promise<void> {
    if (chunk.length >= FRAME && this.bytes === 0) return this.write(chunk);
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= FRAME) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    await this.write(buf);
  }
}

/** Images without tar: folders with mkdir, files with `cat >`, then modes and times in one go. */
async function uploadFileByFile(remote: RemoteFs, entries: LocalEntry[], staging: string, hooks: ItemHooks, copyHash: CopyHash): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const e of entries) {
    hooks.signal.throwIfAborted();
    const target = path.posix.join(staging, e.rel);
    if (e.type === 'dir') await remote.run('mkdir -- "$1"', [target]);
    else if (e.type === 'symlink') await remote.run('ln -s -- "$1" "$2"', [e.target ?? '', target]);
    else {
      const hash = copyHash.create();
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
  for (let i = 0; i < meta.length; i += 200) {
    const args = meta.slice(i, i + 200).flatMap((e) => [(e.mode & 0o7777).toString(8), touchStamp(e.mtime), path.posix.join(staging, e.rel)]);
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

/** Where an upload writes: the exec's stdin, through gzip (level 1: it must keep up with the link) when `gz`. */
function stdinSink(stdin: Writable, gz: boolean): { sink: Writable; gzip?: zlib.Gzip } {
  if (!gz) return { sink: stdin };
  const gzip = zlib.createGzip({ level: 1 });
  gzip.pipe(stdin);
  return { sink: gzip, gzip };
}
