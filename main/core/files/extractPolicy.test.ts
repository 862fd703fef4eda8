// The listing an archive is held to (extractPolicy.ts) and the link judgement (linkCheck.ts), through
// SafeExtractor without a cluster: refused as they arrive, bounded, judged from the final place.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import tar from 'tar-stream';
import { ArchiveRefused, ExtractPolicy, type ListedEntry } from './extractPolicy.ts';
import { linkResolvesInside, symlinkStaysInside } from './linkCheck.ts';
import { SafeExtractor } from './safeExtract.ts';

const temps: string[] = [];
after(async () => {
  for (const d of temps) await fsp.rm(d, { recursive: true, force: true });
});
async function staging(): Promise<{ base: string; root: string }> {
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-pol-'));
  temps.push(base);
  const root = path.join(base, 'staging');
  await fsp.mkdir(root);
  return { base, root };
}

type H = Partial<tar.Header> & { name: string; body?: string };
function packStream(entries: Iterable<H>): Readable {
  const pack = tar.pack();
  void (async () => {
    for (const { body, ...h } of entries) {
      await new Promise<void>((resolve, reject) => {
        const s = pack.entry(h, body ?? '', (e) => (e ? reject(e) : resolve()));
        void s;
      });
    }
    pack.finalize();
  })().catch((e: Error) => pack.destroy(e));
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

const LISTING: ListedEntry[] = [
  { rel: 'd', type: 'dir', size: 0 },
  { rel: 'd/a.txt', type: 'file', size: 2 },
  { rel: 'd/l', type: 'symlink', size: 0 },
];

async function run(entries: Iterable<H>, listing = LISTING, symlinks: 'skip' | 'create' = 'skip') {
  const { base, root } = await staging();
  const ex = new SafeExtractor({ root, allowed: [listing[0].rel], policy: new ExtractPolicy(listing, listing[0].rel), symlinks });
  const err = await ex.extract(packStream(entries)).then(() => ex.finish()).then(() => undefined, (e: Error) => e);
  return { ex, err, base, root };
}

test('a tree as listed extracts; its symlink is skipped and reported by default', async () => {
  const { ex, err, root } = await run([{ name: 'd', type: 'directory' }, { name: 'd/a.txt', body: 'ok' }, { name: 'd/l', type: 'symlink', linkname: 'a.txt' }]);
  assert.equal(err, undefined);
  assert.deepEqual(ex.skippedLinks, [{ rel: 'd/l', target: 'a.txt' }]);
  assert.deepEqual(ex.refused.map((r) => [r.name, r.fatal]), [['d/l', false]]);
  assert.match(ex.refused[0].reason, /not created/);
  assert.deepEqual((await fsp.readdir(path.join(root, 'd'))).sort(), ['a.txt']);
});

test('with symlinks on, a link inside the item is created', async () => {
  const { ex, err, root } = await run([{ name: 'd', type: 'directory' }, { name: 'd/a.txt', body: 'ok' }, { name: 'd/l', type: 'symlink', linkname: 'a.txt' }], LISTING, 'create');
  assert.equal(err, undefined);
  assert.deepEqual(ex.refused, []);
  assert.equal(await fsp.readlink(path.join(root, 'd/l')), 'a.txt');
});

test('the item itself must be of the listed type (a folder arriving as `d -> .` or `d -> ..` is refused)', async () => {
  for (const linkname of ['.', '..', 'a.txt']) {
    for (const symlinks of ['skip', 'create'] as const) {
      const { ex, root } = await run([{ name: 'd', type: 'symlink', linkname }], LISTING, symlinks);
      assert.ok(ex.refused.some((r) => r.fatal && /the item arrived as a symlink, but the listing said a folder/.test(r.reason)), JSON.stringify(ex.refused));
      assert.deepEqual(await fsp.readdir(root), []);
    }
  }
  const file: ListedEntry[] = [{ rel: 'f', type: 'file', size: 1 }];
  const asDir = await run([{ name: 'f', type: 'directory' }], file);
  assert.ok(asDir.ex.refused.some((r) => r.fatal && /arrived as a folder, but the listing said a file/.test(r.reason)));
  assert.deepEqual(await fsp.readdir(asDir.root), []);
  assert.throws(() => new ExtractPolicy([{ rel: 'l', type: 'symlink', size: 0 }], 'l'), /only files and folders/);
});

test('an entry the listing did not announce, or of another type, is refused before it is created', async () => {
  const { ex, root } = await run([
    { name: 'd', type: 'directory' },
    { name: 'd/extra/deep.txt', body: 'x' },
    { name: 'd/a.txt', type: 'directory' },
  ]);
  assert.deepEqual(ex.refused.map((r) => [r.name, r.fatal]), [['d/extra/deep.txt', true], ['d/a.txt', true]]);
  assert.match(ex.refused[0].reason, /not in the folder listing/);
  assert.match(ex.refused[1].reason, /arrived as a folder, but the listing said a file/);
  assert.deepEqual(await fsp.readdir(path.join(root, 'd')), []);
});

test('a file bigger than listed stops the copy at once', async () => {
  const { err, root } = await run([{ name: 'd', type: 'directory' }, { name: 'd/a.txt', body: 'x'.repeat(10_000) }]);
  assert.ok(err instanceof ArchiveRefused, String(err));
  assert.match(err.message, /d\/a\.txt arrived with 10000 bytes, but the listing said 2/);
  assert.deepEqual(await fsp.readdir(path.join(root, 'd')), []);
});

test('refused entries cannot bring unbounded bytes either', async () => {
  const { err } = await run([{ name: 'd', type: 'directory' }, { name: 'elsewhere', body: 'x'.repeat(2 << 20) }]);
  assert.ok(err instanceof ArchiveRefused, String(err));
  assert.match(err.message, /more bytes than its listing announced/);
});

test('a flood of 100,000 unannounced empty entries fails fast, creates nothing, and stays small in memory', async () => {
  function* flood(): Generator<H> {
    yield { name: 'd', type: 'directory' };
    for (let i = 0; i < 100_000; i++) yield { name: `d/flood-${i}`, body: '' };
  }
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  const { ex, err, root } = await run(flood());
  const ms = Date.now() - t0;
  assert.ok(err instanceof ArchiveRefused, String(err));
  assert.match(err.message, /more entries than its listing announced \(3\)/);
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.ok(ex.refused.length < 100, `${ex.refused.length} refusals kept`);
  assert.deepEqual(await fsp.readdir(path.join(root, 'd')), []);
  const grown = process.memoryUsage().heapUsed - heap0;
  assert.ok(grown < 64 << 20, `heap grew ${grown} bytes`);
});

test('links are judged from their final place: inside the item, whether or not the target exists', () => {
  // S/new/l -> ../x was the hole: inside the staging folder, outside the item once renamed.
  assert.ok(!symlinkStaysInside('new/l', '../x'));
  assert.ok(!symlinkStaysInside('d/sub/l', '../../x'));
  assert.ok(symlinkStaysInside('d/sub/l', '../not-yet-there'));
  assert.ok(symlinkStaysInside('d/l', '.'));
  assert.ok(!symlinkStaysInside('d', '.'));
  assert.ok(!symlinkStaysInside('d/l', '/etc'));
});

test('chains are followed on disk, into targets that do not exist yet', async () => {
  const { root } = await staging();
  await fsp.mkdir(path.join(root, 'd/sub'), { recursive: true });
  await fsp.symlink('.', path.join(root, 'd/b'));
  await fsp.symlink('b/..', path.join(root, 'd/a')); // lexically d, really the staging folder
  await fsp.symlink('sub', path.join(root, 'd/s'));
  await fsp.symlink('s/../../x', path.join(root, 'd/c')); // d/sub/.. = d, then .. leaves
  await fsp.symlink('s/missing/..', path.join(root, 'd/ok'));
  await fsp.symlink('loop2', path.join(root, 'd/loop1'));
  await fsp.symlink('loop1', path.join(root, 'd/loop2'));
  assert.equal(await linkResolvesInside(root, 'd/b'), true);
  assert.equal(await linkResolvesInside(root, 'd/a'), false);
  assert.equal(await linkResolvesInside(root, 'd/c'), false);
  assert.equal(await linkResolvesInside(root, 'd/ok'), true);
  assert.equal(await linkResolvesInside(root, 'd/loop1'), false);
});

test('with symlinks on, a chain that leads outside is removed at the end and reported', async () => {
  const listing: ListedEntry[] = [{ rel: 'd', type: 'dir', size: 0 }, { rel: 'd/b', type: 'symlink', size: 0 }, { rel: 'd/a', type: 'symlink', size: 0 }];
  const { ex, err, root } = await run([{ name: 'd', type: 'directory' }, { name: 'd/b', type: 'symlink', linkname: '.' }, { name: 'd/a', type: 'symlink', linkname: 'b/..' }], listing, 'create');
  assert.equal(err, undefined);
  assert.ok(ex.refused.some((r) => r.name === 'd/a' && /leads outside/.test(r.reason)), JSON.stringify(ex.refused));
  assert.deepEqual(await fsp.readdir(path.join(root, 'd')), ['b']);
});

/** A raw ustar header (tar-stream's pack will not write a pax header of a chosen size). */
function rawHeader(name: string, typeflag: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  const field = (off: number, len: number, v: string) => b.write(v.padEnd(len, '\0').slice(0, len), off, 'latin1');
  field(0, 100, name);
  field(100, 8, '0000644');
  field(108, 8, '0000000');
  field(116, 8, '0000000');
  field(124, 12, size.toString(8).padStart(11, '0'));
  field(136, 12, '00000000000');
  field(148, 8, '        ');
  field(156, 1, typeflag);
  field(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const x of b) sum += x;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return b;
}

// tar-stream itself caps one such header at 4 MiB; a run of them (each replacing the last) is cut off here.
test('a run of 3 MiB pax headers (300 MiB, no entry) is cut off by the raw byte bound', async () => {
  const { root } = await staging();
  const ex = new SafeExtractor({ root, allowed: ['d'], policy: new ExtractPolicy(LISTING, 'd') });
  async function* hostile() {
    yield rawHeader('d', '5', 0);
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) {
      yield rawHeader('PaxHeader/d/a.txt', 'x', 3 << 20);
      for (let j = 0; j < 3; j++) yield chunk;
    }
  }
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const err = await ex.extract(Readable.from(hostile())).then(() => undefined, (e: Error) => e);
  assert.ok(err instanceof ArchiveRefused, String(err));
  assert.match(err.message, /larger than its listing allows/);
  const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0;
  assert.ok(grown < 64 << 20, `memory grew ${grown >> 20} MiB`);
});
