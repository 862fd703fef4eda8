// SafeExtractor against crafted archives, without a cluster: what is refused, and that nothing lands outside.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import tar from 'tar-stream';
import { checkEntryName, SafeExtractor, symlinkStaysInside } from './safeExtract.ts';
import { packEntries, walkLocal } from './tarPack.ts';

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}
after(async () => {
  for (const d of temps) await fsp.rm(d, { recursive: true, force: true });
});

type H = Partial<tar.Header> & { name: string; body?: string };

async function archive(entries: H[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) {
    if (body !== undefined) pack.entry(h, body);
    else pack.entry(h);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function extract(entries: H[], allowed = ['top'], symlinks: 'skip' | 'create' = 'create') {
  const base = await tempDir('kd-x-');
  const root = path.join(base, 'root');
  await fsp.mkdir(root);
  await fsp.writeFile(path.join(base, 'sentinel'), 'untouched');
  const ex = new SafeExtractor({ root, allowed, symlinks });
  await ex.extract(Readable.from([await archive(entries)]));
  await ex.finish();
  const outside = (await fsp.readdir(base)).sort();
  return { ex, base, root, outside };
}

test('name checks', () => {
  assert.deepEqual(checkEntryName('top/a/./b', ['top']), { rel: 'top/a/b' });
  assert.deepEqual(checkEntryName('./top/', ['top']), { rel: 'top' });
  assert.match((checkEntryName('/etc/passwd', []) as { reason: string }).reason, /absolute/);
  assert.match((checkEntryName('top/../../x', ['top']) as { reason: string }).reason, /\.\./);
  assert.match((checkEntryName('other/x', ['top']) as { reason: string }).reason, /outside the requested path/);
  assert.ok(symlinkStaysInside('top/a/l', '../b'));
  assert.ok(!symlinkStaysInside('top/l', '../../x'));
  assert.ok(!symlinkStaysInside('top/l', '/etc'));
});

test('a normal tree extracts with modes and times', async () => {
  const mtime = new Date('2021-05-06T07:08:09Z');
  const { ex, root, outside } = await extract([
    { name: 'top', type: 'directory', mode: 0o750, mtime },
    { name: 'top/x.sh', body: '#!/bin/sh\n', mode: 0o755, mtime },
    { name: 'top/l', type: 'symlink', linkname: 'x.sh' },
    { name: 'top/h', type: 'link', linkname: 'top/x.sh' },
  ]);
  assert.deepEqual(ex.refused, []);
  assert.deepEqual(outside, ['root', 'sentinel']);
  const st = await fsp.stat(path.join(root, 'top/x.sh'));
  assert.equal(st.mode & 0o777, 0o755);
  assert.equal(st.mtime.toISOString(), mtime.toISOString());
  assert.equal((await fsp.stat(path.join(root, 'top'))).mode & 0o777, 0o750);
  assert.equal(await fsp.readlink(path.join(root, 'top/l')), 'x.sh');
  assert.equal((await fsp.stat(path.join(root, 'top/h'))).ino, st.ino);
});

const attacks: [string, H[], RegExp][] = [
  ['absolute name', [{ name: '/tmp/kd-pwned', body: 'x' }], /absolute/],
  ['dot-dot', [{ name: 'top/../../pwned', body: 'x' }], /\.\./],
  ['outside the requested path', [{ name: 'elsewhere', body: 'x' }], /outside the requested path/],
  ['symlink to outside, then write through it', [{ name: 'top/l', type: 'symlink', linkname: '../..' }, { name: 'top/l/pwned', body: 'x' }], /leaves the folder|through the symlink/],
  ['absolute symlink', [{ name: 'top/l', type: 'symlink', linkname: '/etc' }], /leaves the folder/],
  ['symlink chain', [{ name: 'top/b', type: 'symlink', linkname: '.' }, { name: 'top/a', type: 'symlink', linkname: 'b/../..' }], /leads outside|leaves the folder/],
  ['symlink replacing a folder', [{ name: 'top/d', type: 'directory' }, { name: 'top/d', type: 'symlink', linkname: '.' }, { name: 'top/d/f', body: 'x' }], /replace a folder/],
  ['hardlink outside', [{ name: 'top/h', type: 'link', linkname: '/etc/passwd' }], /hardlink/],
  ['hardlink to something not from the archive', [{ name: 'top/h', type: 'link', linkname: 'top/nothing' }], /hardlink/],
  ['block device', [{ name: 'top/sda', type: 'block-device', devmajor: 8, devminor: 0 }], /block-device/],
  ['fifo', [{ name: 'top/p', type: 'fifo' }], /fifo/],
];
for (const [what, entries, reason] of attacks) {
  test(`refuses ${what}`, async () => {
    const { ex, outside, base } = await extract(entries);
    assert.ok(ex.refused.some((r) => reason.test(r.reason)), JSON.stringify(ex.refused));
    assert.deepEqual(outside, ['root', 'sentinel']);
    assert.equal(await fsp.readFile(path.join(base, 'sentinel'), 'utf8'), 'untouched');
    await assert.rejects(fsp.lstat('/tmp/kd-pwned'));
    await assert.rejects(fsp.lstat(path.join(base, 'pwned')));
  });
}

for (const [what, entries] of attacks) {
  test(`with symlinks off (the default), ${what} creates no link and nothing outside`, async () => {
    const { ex, outside, base, root } = await extract(entries, ['top'], 'skip');
    assert.ok(ex.refused.length > 0);
    assert.deepEqual(outside, ['root', 'sentinel']);
    assert.equal(await fsp.readFile(path.join(base, 'sentinel'), 'utf8'), 'untouched');
    const links = (await fsp.readdir(root, { recursive: true })).filter((n) => entries.some((e) => e.type === 'symlink' && e.name === n));
    for (const n of links) assert.ok(!(await fsp.lstat(path.join(root, n))).isSymbolicLink(), n);
  });
}

test('pack → extract round trip keeps bytes, modes and names', async () => {
  const src = await tempDir('kd-p-');
  await fsp.mkdir(path.join(src, 't/sub'), { recursive: true });
  await fsp.writeFile(path.join(src, 't/new\nline -x'), Buffer.alloc(300_000, 7));
  await fsp.writeFile(path.join(src, 't/sub/ü'), 'u', { mode: 0o600 });
  const entries = await walkLocal(path.join(src, 't'), 't');
  const out = await tempDir('kd-o-');
  const chunks: Buffer[] = [];
  const { hashes } = await packEntries(entries, async (c) => void chunks.push(c));
  const ex = new SafeExtractor({ root: out, allowed: ['t'] });
  await ex.extract(Readable.from([Buffer.concat(chunks)]));
  await ex.finish();
  for (const [rel, h] of hashes) assert.equal(ex.files.get(rel)?.digest, h);
  assert.equal((await fsp.stat(path.join(out, 't/sub/ü'))).mode & 0o777, 0o600);
  assert.equal((await fsp.readFile(path.join(out, 't/new\nline -x'))).length, 300_000);
});
