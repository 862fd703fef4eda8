// Property: whatever archive a container sends (random mixes of files, folders, symlinks, hardlinks,
// `..` and absolute names), SafeExtractor never changes anything outside its folder, and every link
// it leaves stays inside the item once the item is renamed to its final place. Seeded, so a failure
// names the seed that reproduces it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import tar from 'tar-stream';
import { ExtractPolicy, type ListedEntry } from './extractPolicy.ts';
import { linkResolvesInside } from './linkCheck.ts';
import { SafeExtractor } from './safeExtract.ts';

const ARCHIVES = 300;

/** mulberry32: small, seeded, good enough to pick archive shapes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['top', 'top/a', 'top/b', 'top/b/c', 'top/l', 'top/l/x', 'top/b/l', 'top/b/l/y', 'top/m', 'top/m/z', '../x', 'top/../../x', '/ABS/x', 'x', 'top/./a', 'top//b//c', './top/n'];
const TARGETS = ['.', '..', '../..', '../x', 'a', 'b', 'b/..', 'b/../..', 'l/..', 'm/../..', '/etc', 'ABS', '../../../../tmp', 'c/../../..', 'missing/../..', ''];
const HARD = ['top/a', 'top/b/c', '../sentinel', '/etc/passwd', 'top/l', 'ABS', 'top/l/x'];
const TYPES = ['file', 'file', 'directory', 'symlink', 'symlink', 'link', 'fifo'] as const;

type H = Partial<tar.Header> & { name: string; body?: string };

function randomArchive(rand: () => number, abs: string): { entries: H[]; listing: ListedEntry[] } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const fix = (s: string) => s.replace('ABS', abs);
  const entries: H[] = [];
  const n = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    const type = pick(TYPES);
    const name = fix(pick(NAMES));
    if (type === 'file') entries.push({ name, type, body: 'pwned'.repeat(Math.floor(rand() * 3)) });
    else if (type === 'symlink') entries.push({ name, type, linkname: fix(pick(TARGETS)) });
    else if (type === 'link') entries.push({ name, type, linkname: fix(pick(HARD)) });
    else entries.push({ name, type });
  }
  // A listing that matches part of the archive (sometimes most, sometimes little of it).
  const listing: ListedEntry[] = [{ rel: 'top', type: 'dir', size: 0 }];
  for (const e of entries) {
    const rel = path.posix.normalize(e.name).replace(/\/$/, '');
    if (rel === 'top' || rel.startsWith('/') || rel.startsWith('..') || rand() < 0.3 || listing.some((l) => l.rel === rel)) continue;
    const type = e.type === 'directory' ? 'dir' : e.type === 'symlink' ? 'symlink' : e.type === 'fifo' ? 'other' : 'file';
    listing.push({ rel, type, size: 10 });
  }
  return { entries, listing };
}

/** The archive as a stream, the way an exec's stdout arrives. */
function packed(entries: H[]): Readable {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry(h, body ?? Buffer.alloc(0));
  pack.finalize();
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

/** Relative paths under dir, never following a link (readdir's recursive mode follows them). */
async function walk(dir: string, skip?: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? path.join(rel, d.name) : d.name;
    if (r === skip) continue;
    out.push(r);
    if (d.isDirectory()) out.push(...(await walk(dir, skip, r)));
  }
  return out;
}

/** Everything under dir except `skip`: names, types, modes, times, contents and link targets. */
async function snapshot(dir: string, skip: string): Promise<string[]> {
  const out: string[] = [];
  for (const rel of (await walk(dir, skip)).sort()) {
    const a = path.join(dir, rel);
    const st = await fsp.lstat(a);
    let what = `${rel} ${st.mode} ${st.mtimeMs} ${st.size} ${st.nlink}`;
    if (st.isSymbolicLink()) what += ` -> ${await fsp.readlink(a)}`;
    else if (st.isFile()) what += ` ${createHash('sha256').update(await fsp.readFile(a)).digest('hex')}`;
    out.push(what);
  }
  return out;
}

const temps: string[] = [];
after(async () => {
  for (const d of temps) await fsp.rm(d, { recursive: true, force: true });
});

for (const symlinks of ['create', 'skip'] as const) {
  for (const withListing of [true, false]) {
    test(`${ARCHIVES} random hostile archives change nothing outside (symlinks ${symlinks}, ${withListing ? 'held to a listing' : 'no listing'})`, async () => {
      const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-prop-'));
      temps.push(base);
      // The world outside: a sentinel beside the staging folder, a sibling the links aim at, an absolute target.
      const abs = path.join(base, 'abs');
      await fsp.mkdir(path.join(abs, 'x'), { recursive: true });
      await fsp.writeFile(path.join(abs, 'x/keep'), 'keep');
      await fsp.mkdir(path.join(base, 'x'));
      await fsp.writeFile(path.join(base, 'sentinel'), 'untouched');
      const before = await snapshot(base, 'work');
      for (let seed = 1; seed <= ARCHIVES; seed++) {
        const rand = prng(seed * 7919 + (symlinks === 'create' ? 1 : 2) + (withListing ? 10 : 20));
        const { entries, listing } = randomArchive(rand, abs);
        const work = path.join(base, 'work');
        const root = path.join(work, 'staging');
        await fsp.mkdir(root, { recursive: true });
        const policy = withListing ? new ExtractPolicy(listing, 'top') : undefined;
        const ex = new SafeExtractor({ root, allowed: ['top'], symlinks, policy });
        await ex
          .extract(packed(entries))
          .then(() => ex.finish())
          .catch(() => {});
        const why = `seed ${seed}: ${JSON.stringify(entries)}`;
        assert.deepEqual(await snapshot(base, 'work'), before, why);
        // Into its final place, as a download does; then every link left must stay inside the item.
        if (await fsp.lstat(path.join(root, 'top')).then((s) => s.isDirectory(), () => false)) {
          await fsp.rename(path.join(root, 'top'), path.join(work, 'final'));
          for (const rel of await walk(path.join(work, 'final'))) {
            const st = await fsp.lstat(path.join(work, 'final', rel));
            if (!st.isSymbolicLink()) continue;
            assert.equal(symlinks, 'create', `a link was created with symlinks off: ${why}`);
            assert.ok(await linkResolvesInside(work, path.join('final', rel)), `final/${rel} leads outside: ${why}`);
          }
        }
        await fsp.rm(work, { recursive: true, force: true });
      }
      await assert.rejects(fsp.lstat('/tmp/pwned'));
    });
  }
}
