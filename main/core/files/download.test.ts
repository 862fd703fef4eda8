// Downloads through the test cluster: symlinks, dropped and stalled streams resumed, a full or
// read-only disk, and hostile archives refused with nothing written outside the chosen folder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import tar from 'tar-stream';
import { bigFile, filesFixture, local, pod, sha } from '../../../test/files/filesFixture.ts';
import { sleep, until } from '../../../test/util/wait.ts';

const f = filesFixture();

describe('downloads', () => {
  test('a symlink chosen by itself copies what it points to', async () => {
    const r = f.root('busybox');
    await fsp.writeFile(path.join(r, 'tmp/real.txt'), 'real');
    await fsp.symlink('real.txt', path.join(r, 'tmp/alias.txt')).catch(() => {});
    const dest = await fsp.mkdtemp(path.join(f.tmp, 'ln-'));
    const t = await f.copy({ from: pod('busybox'), paths: ['/tmp/alias.txt'], to: local, toDir: dest });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.equal(await fsp.readFile(path.join(dest, 'alias.txt'), 'utf8'), 'real');
    assert.ok((await fsp.lstat(path.join(dest, 'alias.txt'))).isFile());
  });

  test('a dropped stream resumes from the byte it reached (single file and folder)', async () => {
    const { svc, tc } = f;
    const big = path.join(f.root('shell'), 'tmp/resume.bin');
    await bigFile(big, 96);
    await fsp.mkdir(path.join(f.root('shell'), 'tmp/resume-dir'), { recursive: true });
    await bigFile(path.join(f.root('shell'), 'tmp/resume-dir/a.bin'), 48);
    await bigFile(path.join(f.root('shell'), 'tmp/resume-dir/b.bin'), 48);
    for (const [src, files] of [['/tmp/resume.bin', ['resume.bin']], ['/tmp/resume-dir', ['resume-dir/a.bin', 'resume-dir/b.bin']]] as const) {
      const dest = await fsp.mkdtemp(path.join(f.tmp, 'resume-'));
      const t = await svc.startTransfer({ from: pod('shell'), paths: [src], to: local, toDir: dest, conflict: 'overwrite' });
      // Drop every connection once some bytes (but not all) have arrived.
      await until(
        '20 MiB downloaded',
        async () => {
          const cur = (await svc.listTransfers()).find((x) => x.id === t.id)!;
          return cur.bytes > 20 << 20 || cur.state !== 'running';
        },
        120_000,
        20,
      );
      tc.clusters[0].dropConnections();
      const done = await svc.waitFor(t.id);
      assert.equal(done.state, 'done', JSON.stringify(done.items));
      assert.ok(done.items[0].notes?.some((n) => /resuming at \d+ bytes/.test(n)), JSON.stringify(done.items[0].notes));
      assert.match(done.items[0].verified!, /blake2b ok/);
      for (const file of files) assert.equal(await sha(path.join(dest, file)), await sha(path.join(f.root('shell'), 'tmp', file)));
    }
  });

  test('a stalled stream is detected and resumed', async () => {
    const { svc, tc } = f;
    const dest = await fsp.mkdtemp(path.join(f.tmp, 'stall-'));
    const t = await svc.startTransfer({ from: pod('busybox'), paths: ['/bin/busybox'], to: local, toDir: dest, conflict: 'overwrite' });
    tc.clusters[0].stallStreams(true);
    // Longer than the service's 3 s stall limit: the silence itself is what is tested.
    await sleep(3500);
    tc.clusters[0].stallStreams(false);
    const done = await svc.waitFor(t.id);
    assert.equal(done.state, 'done', JSON.stringify(done.items));
    assert.equal(await sha(path.join(dest, 'busybox')), await sha(path.join(f.root('busybox'), 'bin/busybox')));
  });

  test('disk full: a clear error, the partial file removed, nothing else touched', { skip: process.getuid?.() !== 0 && 'needs root to mount a small tmpfs' }, async () => {
    const mnt = await fsp.mkdtemp(path.join(f.tmp, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    try {
      await fsp.writeFile(path.join(mnt, 'keep.txt'), 'keep');
      await fsp.writeFile(path.join(f.root('shell'), 'tmp/small.txt'), 'small');
      await bigFile(path.join(f.root('shell'), 'tmp/eight.bin'), 8);
      const t = await f.copy({ from: pod('shell'), paths: ['/tmp/eight.bin'], to: local, toDir: mnt });
      assert.equal(t.state, 'failed');
      assert.match(t.items[0].error!, /Disk full/);
      assert.deepEqual(await fsp.readdir(mnt), ['keep.txt']);
      // Read-only: refused up front with the reason.
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const r = await f.copy({ from: pod('shell'), paths: ['/tmp/small.txt'], to: local, toDir: mnt });
      assert.match(r.items[0].error!, /Read-only file system/);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('malicious archives', () => {
  type Crafted = { name: string; entries: (tar.Header | Partial<tar.Header>)[]; expect: RegExp };
  const cases: Crafted[] = [
    { name: 'absolute name', entries: [{ name: '/tmp/kd-evil-abs', type: 'file' }], expect: /absolute name/ },
    { name: 'dot-dot', entries: [{ name: 'victim/../../escape.txt', type: 'file' }], expect: /"\.\."/ },
    { name: 'outside the requested path', entries: [{ name: 'other/file.txt', type: 'file' }], expect: /outside the requested path/ },
    {
      name: 'symlink then a file through it',
      entries: [{ name: 'victim/ln', type: 'symlink', linkname: 'OUTSIDE' }, { name: 'victim/ln/pwned.txt', type: 'file' }],
      expect: /leaves the folder|through the symlink/,
    },
    {
      name: 'symlink chain (a -> b/.., b -> .)',
      entries: [
        { name: 'victim/b', type: 'symlink', linkname: '.' },
        { name: 'victim/a', type: 'symlink', linkname: 'b/../..' },
        { name: 'victim/a/pwned.txt', type: 'file' },
      ],
      expect: /leaves the folder|through the symlink/,
    },
    { name: 'hardlink to a file outside', entries: [{ name: 'victim/hl', type: 'link', linkname: 'OUTSIDE_ABS' }], expect: /hardlink/ },
    { name: 'hardlink to a file via dot-dot', entries: [{ name: 'victim/hl', type: 'link', linkname: '../sentinel.txt' }], expect: /hardlink/ },
    { name: 'device node', entries: [{ name: 'victim/dev', type: 'character-device', devmajor: 1, devminor: 3 }], expect: /character-device entries are not extracted/ },
    { name: 'fifo', entries: [{ name: 'victim/fifo', type: 'fifo' }], expect: /fifo entries are not extracted/ },
  ];

  let outside: string;
  before(async () => {
    await f.tc.clusters[0].addPod('default', { name: 'evil', image: 'full' });
    const r = f.root('evil');
    await fsp.mkdir(path.join(r, 'data/victim'), { recursive: true });
    await fsp.writeFile(path.join(r, 'data/victim/ok.txt'), 'ok');
    // The image's tar answers every request with the crafted archive.
    for (const t of ['usr/bin/tar']) {
      await fsp.rm(path.join(r, t), { force: true });
      await fsp.writeFile(path.join(r, t), '#!/bin/sh\ncat /evil.tar\n', { mode: 0o755 });
    }
    outside = await fsp.mkdtemp(path.join(f.tmp, 'outside-'));
    await fsp.writeFile(path.join(outside, 'sentinel.txt'), 'untouched');
  });

  for (const c of cases) {
    test(`refuses ${c.name}`, async () => {
      const chosen = path.join(outside, 'chosen');
      await fsp.mkdir(chosen, { recursive: true });
      const pack = tar.pack();
      for (const e of c.entries) {
        const h = { ...e } as tar.Header;
        if (h.linkname === 'OUTSIDE') h.linkname = outside;
        if (h.linkname === 'OUTSIDE_ABS') h.linkname = path.join(outside, 'sentinel.txt');
        if (h.name === '/tmp/kd-evil-abs') h.name = path.join(outside, 'abs-pwned.txt');
        if (h.type === 'file' || h.type === undefined) pack.entry(h, 'pwned');
        else pack.entry(h);
      }
      pack.entry({ name: 'victim/ok.txt' }, 'ok');
      pack.finalize();
      const chunks: Buffer[] = [];
      for await (const ch of pack) chunks.push(ch as Buffer);
      await fsp.writeFile(path.join(f.root('evil'), 'evil.tar'), Buffer.concat(chunks));

      const t = await f.copy({ from: pod('evil'), paths: ['/data/victim'], to: local, toDir: chosen });
      const item = t.items[0];
      assert.equal(item.state, 'failed', JSON.stringify(item));
      assert.match(item.error! + (item.notes ?? []).join(' '), c.expect);
      // Nothing outside the chosen folder changed, and nothing of the archive stayed inside it.
      assert.deepEqual((await fsp.readdir(outside)).sort(), ['chosen', 'sentinel.txt']);
      assert.equal(await fsp.readFile(path.join(outside, 'sentinel.txt'), 'utf8'), 'untouched');
      assert.deepEqual(await fsp.readdir(chosen), []);
      await assert.rejects(fsp.lstat(path.join(os.tmpdir(), 'escape.txt')));
    });
  }
});
