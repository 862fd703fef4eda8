/**
 * Whether gzip pays for a copy: only where the container has gzip, the item is big enough to matter,
 * and a 256 KiB sample of its biggest file shrinks well. Already-compressed formats are never tried:
 * gzip would only cost CPU on both ends.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { ItemHooks } from './copyStream.ts';
import type { RemoteFs } from './remoteFs.ts';

const COMPRESSED_EXT = /\.(gz|tgz|zst|xz|bz2|lz4|zip|jar|war|whl|7z|rar|png|jpe?g|gif|webp|mp[34]|mkv|avi|mov|webm|ogg|flac|pdf|apk|deb|rpm)$/i;
const SAMPLE_BYTES = 256 * 1024;
/** Below this much the stream is short anyway. */
const MIN_BYTES = 1024 * 1024;
/** Compressed/raw size of the sample under which gzip is used. */
const PAYS_BELOW = 0.6;

/** Download side: compresses a sample in the container and looks at the ratio. */
export async function worthCompressing(remote: RemoteFs, absFile: string | undefined, totalBytes: number, hooks: ItemHooks): Promise<boolean> {
  const caps = await remote.caps();
  if (hooks.compress === 'never' || !caps.has.has('gzip')) return false;
  if (hooks.compress === 'always') return true;
  if (totalBytes < MIN_BYTES || !absFile || COMPRESSED_EXT.test(absFile)) return false;
  if (!caps.has.has('head') || !caps.has.has('wc')) return false;
  try {
    const out = await remote.run(`head -c ${SAMPLE_BYTES} "$1" | gzip -1 -c | wc -c; head -c ${SAMPLE_BYTES} "$1" | wc -c`, [absFile]);
    const [z, n] = out.trim().split(/\s+/).map(Number);
    const pays = n > 0 && z / n < PAYS_BELOW;
    if (pays) hooks.onNote?.(`gzip: a sample of ${path.posix.basename(absFile)} shrinks to ${Math.round((z / n) * 100)}%, so the stream is compressed`);
    return pays;
  } catch {
    return false;
  }
}

/** Upload side: the same decision, with the sample read and compressed here. */
export async function localWorthCompressing(remote: RemoteFs, biggestFile: string | undefined, totalBytes: number, hooks: ItemHooks): Promise<boolean> {
  if (hooks.compress === 'always') return true;
  if (hooks.compress === 'never' || !(await remote.caps()).has.has('gzip') || totalBytes < MIN_BYTES || !biggestFile) return false;
  return localSampleCompresses(biggestFile);
}

async function localSampleCompresses(file: string): Promise<boolean> {
  if (COMPRESSED_EXT.test(file)) return false;
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) return false;
    return zlib.gzipSync(buf.subarray(0, bytesRead), { level: 1 }).length / bytesRead < PAYS_BELOW;
  } finally {
    await fh.close();
  }
}
