// Uploads through the test cluster, each checked by bringing it back down: odd names, modes, times
// and symlinks in every image kind, 3,000 files in one folder, and gzip only where it pays.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { filesFixture, local, ODD, pod, sha } from '../../../test/files/filesFixture.ts';

const f = filesFixture();

describe('up and back', () => {
  // The check's hash is BLAKE2b where the image has b2sum (coreutils), SHA-256 with busybox's sha256sum.
  for (const [image, hash] of [['shell', 'blake2b'], ['busybox', 'sha256'], ['notar', 'blake2b']] as const) {
    test(`a folder with odd names round-trips through ${image}, checked by ${hash}`, async () => {
      const src = path.join(f.tmp, `src-${image}`, 'tree ✓');
      await fsp.mkdir(path.join(src, 'deep/er'), { recursive: true });
      for (const n of ODD) await fsp.writeFile(path.join(src, n), `content of ${n}\n`.repeat(100));
      await fsp.writeFile(path.join(src, 'deep/er/exec.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
      await fsp.utimes(path.join(src, 'deep/er/exec.sh'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
      await fsp.symlink('deep/er/exec.sh', path.join(src, 'link'));
      const up = await f.copy({ from: local, paths: [src], to: pod(image), toDir: '/tmp' });
      assert.equal(up.state, 'done', JSON.stringify(up.items));
      assert.equal(up.items[0].verified, `${hash} ok (8 files)`);
      const inPod = path.join(f.root(image), 'tmp/tree ✓');
      assert.equal(await fsp.readFile(path.join(inPod, 'new\nline'), 'utf8'), 'content of new\nline\n'.repeat(100));
      const st = await fsp.stat(path.join(inPod, 'deep/er/exec.sh'));
      assert.equal(st.mode & 0o777, 0o755);
      assert.equal(st.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
      assert.equal(await fsp.readlink(path.join(inPod, 'link')), 'deep/er/exec.sh');
      // No temp folder left behind in the container.
      assert.deepEqual((await fsp.readdir(path.join(f.root(image), 'tmp'))).filter((n) => n.startsWith('.kubedeck')), []);

      const back = path.join(f.tmp, `back-${image}`);
      await fsp.mkdir(back);
      const down = await f.copy({ from: pod(image), paths: ['/tmp/tree ✓'], to: local, toDir: back });
      assert.equal(down.state, 'done', JSON.stringify(down.items));
      assert.equal(down.items[0].verified, `${hash} ok (8 files)`);
      for (const n of [...ODD, 'deep/er/exec.sh']) assert.equal(await fsp.readFile(path.join(back, 'tree ✓', n), 'utf8'), await fsp.readFile(path.join(src, n), 'utf8'));
      const st2 = await fsp.stat(path.join(back, 'tree ✓/deep/er/exec.sh'));
      assert.equal(st2.mode & 0o777, 0o755);
      assert.equal(st2.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
      assert.deepEqual(await fsp.readdir(back), ['tree ✓']);
    });
  }

  test('a folder of 3,000 small files with long names round-trips, verified file by file', async () => {
    // Checksums and resumed tars name files on exec command lines: batches must fit an API server's URL limit.
    const src = path.join(f.tmp, 'many', 'many files');
    await fsp.mkdir(src, { recursive: true });
    const names = Array.from({ length: 3000 }, (_, i) => `a rather long file name, number ${String(i).padStart(5, '0')} (ünïcødé).txt`);
    for (const n of names) await fsp.writeFile(path.join(src, n), `${n}\n`);
    const up = await f.copy({ from: local, paths: [src], to: pod('shell'), toDir: '/tmp' });
    assert.equal(up.state, 'done', up.error ?? JSON.stringify(up.items[0]));
    assert.match(up.items[0].verified!, /(blake2b|sha256) ok \(3000 files\)/);
    assert.equal((await fsp.readdir(path.join(f.root('shell'), 'tmp/many files'))).length, 3000);
    const back = path.join(f.tmp, 'many-back');
    await fsp.mkdir(back);
    const down = await f.copy({ from: pod('shell'), paths: ['/tmp/many files'], to: local, toDir: back });
    assert.equal(down.state, 'done', down.error ?? JSON.stringify(down.items[0]));
    assert.match(down.items[0].verified!, /(blake2b|sha256) ok \(3000 files\)/);
    assert.equal(await fsp.readFile(path.join(back, 'many files', names[2999]), 'utf8'), `${names[2999]}\n`);
  });

  test('gzip where it pays, not where it does not', async () => {
    const r = f.root('shell');
    await fsp.writeFile(path.join(r, 'tmp/text.log'), 'a log line that repeats itself quite a lot\n'.repeat(100_000));
    await fsp.writeFile(path.join(r, 'tmp/noise.bin'), randomBytes(3 << 20));
    const dest = await fsp.mkdtemp(path.join(f.tmp, 'gz-'));
    const t = await f.copy({ from: pod('shell'), paths: ['/tmp/text.log', '/tmp/noise.bin'], to: local, toDir: dest });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.ok(t.items[0].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(t.items[0].notes));
    assert.ok(!t.items[1].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(t.items[1].notes));
    assert.equal(await sha(path.join(dest, 'text.log')), await sha(path.join(r, 'tmp/text.log')));
    const u = await f.copy({ from: local, paths: [path.join(dest, 'text.log')], to: pod('busybox'), toDir: '/tmp' });
    assert.equal(u.state, 'done', JSON.stringify(u.items));
    assert.ok(u.items[0].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(u.items[0].notes));
    assert.equal(await sha(path.join(f.root('busybox'), 'tmp/text.log')), await sha(path.join(r, 'tmp/text.log')));
  });
});
