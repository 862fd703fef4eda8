// The copy engine through the test cluster: real exec streams, real container roots.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tar from 'tar-stream';
import { ClusterRegistry } from '../../main/core/clusters/clusterRegistry.ts';
import { FilesService } from '../../main/core/files/filesService.ts';
import type { FileLocation, TransferInfo, TransferRequest } from '../../common/contract/files.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';

let tc: TestClusters;
let reg: ClusterRegistry;
let svc: FilesService;
let tmp: string;
const events: TransferInfo[] = [];

const pod = (name: string): FileLocation & { kind: 'container' } => ({ kind: 'container', context: 'kd-test-1', namespace: 'default', pod: name, container: 'main' });
const local: FileLocation = { kind: 'local' };
const root = (name: string) => tc.clusters[0].rootOf('default', name, 'main');

async function copy(req: Omit<TransferRequest, 'conflict'> & { conflict?: TransferRequest['conflict'] }, s = svc): Promise<TransferInfo> {
  const t = await s.startTransfer({ conflict: 'overwrite', ...req });
  return s.waitFor(t.id);
}

async function sha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** A fixed pseudo-random pattern: one random MiB, each copy stamped with its index (no two MiB alike). */
async function bigFile(file: string, mib: number): Promise<void> {
  const block = randomBytes(1 << 20);
  const fh = await fsp.open(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(i * 2654435761 >>> 0, 4096);
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
}

const ODD = ['with space', 'ünïcødé ✓', 'new\nline', '-leading-dash', '.hidden', "quote's \"x\"", 'back\\slash'];

before(async () => {
  tc = await startTestClusters({ clusters: 1 });
  reg = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
  svc = new FilesService(reg, undefined, (_n, p) => events.push(p), { stallMs: 3000 });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-files-'));
});

after(async () => {
  try {
    await svc?.dispose().catch(() => {});
    reg?.close();
    await tc?.stop();
  } finally {
    // A tmpfs left mounted by an interrupted disk-full case would keep its folder.
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
});

describe('listings', () => {
  for (const image of ['shell', 'busybox', 'notar']) {
    test(`odd names are listed right in ${image}`, async () => {
      const dir = path.join(root(image), 'tmp/odd');
      await fsp.mkdir(dir, { recursive: true });
      for (const n of ODD) await fsp.writeFile(path.join(dir, n), n);
      await fsp.symlink('with space', path.join(dir, 'link to space'));
      await fsp.mkdir(path.join(dir, 'sub dir'));
      const names = (await svc.listDir(pod(image), '/tmp/odd')).entries;
      assert.deepEqual(names.map((e) => e.name).sort(), [...ODD, 'link to space', 'sub dir'].sort());
      const link = names.find((e) => e.name === 'link to space')!;
      assert.equal(link.type, 'symlink');
      assert.equal(link.target, 'with space');
      assert.equal(names.find((e) => e.name === 'new\nline')!.size, 'new\nline'.length);
      assert.equal(names.find((e) => e.name === 'sub dir')!.type, 'dir');
      assert.match(names.find((e) => e.name === 'with space')!.modeString, /^-rw/);
      // The portable loop (what busybox uses) gives the same answer on the GNU image too.
      const r = svc.remote(pod(image));
      r.forceLoop = true;
      try {
        const again = (await svc.listDir(pod(image), '/tmp/odd')).entries;
        assert.deepEqual(again.map((e) => [e.name, e.type, e.size, e.target]), names.map((e) => [e.name, e.type, e.size, e.target]));
      } finally {
        r.forceLoop = false;
      }
    });
  }

  test('distroless gets a message saying why', async () => {
    await assert.rejects(svc.listDir(pod('distroless'), '/'), /no shell \(sh\).*distroless/);
    const t = await copy({ from: pod('distroless'), paths: ['/app/server'], to: local, toDir: tmp });
    assert.equal(t.state, 'failed');
    assert.match(t.items[0].error!, /no shell/);
  });

  test('missing folders and files-as-folders are clear errors', async () => {
    await assert.rejects(svc.listDir(pod('busybox'), '/nope'), /No such file or folder: \/nope/);
    await assert.rejects(svc.listDir(pod('shell'), '/etc/passwd'), /Not a folder/);
    await assert.rejects(svc.listDir(local, path.join(tmp, 'nope')), /No such file or folder/);
  });

  test('mkdir, rename, delete in a container and locally', async () => {
    for (const where of [pod('busybox'), local]) {
      const base = where.kind === 'local' ? tmp : '/tmp';
      await svc.makeDir(where, `${base}/made -x`);
      await assert.rejects(svc.makeDir(where, `${base}/made -x`), /exists/i);
      await svc.renamePath(where, `${base}/made -x`, `${base}/renamed ✓`);
      const names = (await svc.listDir(where, base)).entries.map((e) => e.name);
      assert.ok(names.includes('renamed ✓') && !names.includes('made -x'));
      await svc.deletePaths(where, [`${base}/renamed ✓`]);
      assert.ok(!(await svc.listDir(where, base)).entries.some((e) => e.name === 'renamed ✓'));
    }
  });
});

describe('copies', () => {
  for (const image of ['shell', 'busybox', 'notar']) {
    test(`a folder with odd names round-trips through ${image}`, async () => {
      const src = path.join(tmp, `src-${image}`, 'tree ✓');
      await fsp.mkdir(path.join(src, 'deep/er'), { recursive: true });
      for (const n of ODD) await fsp.writeFile(path.join(src, n), `content of ${n}\n`.repeat(100));
      await fsp.writeFile(path.join(src, 'deep/er/exec.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
      await fsp.utimes(path.join(src, 'deep/er/exec.sh'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
      await fsp.symlink('deep/er/exec.sh', path.join(src, 'link'));
      const up = await copy({ from: local, paths: [src], to: pod(image), toDir: '/tmp' });
      assert.equal(up.state, 'done', JSON.stringify(up.items));
      assert.match(up.items[0].verified!, /sha256 ok \(8 files\)/);
      const inPod = path.join(root(image), 'tmp/tree ✓');
      assert.equal(await fsp.readFile(path.join(inPod, 'new\nline'), 'utf8'), 'content of new\nline\n'.repeat(100));
      const st = await fsp.stat(path.join(inPod, 'deep/er/exec.sh'));
      assert.equal(st.mode & 0o777, 0o755);
      assert.equal(st.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
      assert.equal(await fsp.readlink(path.join(inPod, 'link')), 'deep/er/exec.sh');
      // No temp folder left behind in the container.
      assert.deepEqual((await fsp.readdir(path.join(root(image), 'tmp'))).filter((n) => n.startsWith('.kubedeck')), []);

      const back = path.join(tmp, `back-${image}`);
      await fsp.mkdir(back);
      const down = await copy({ from: pod(image), paths: ['/tmp/tree ✓'], to: local, toDir: back });
      assert.equal(down.state, 'done', JSON.stringify(down.items));
      assert.match(down.items[0].verified!, /sha256 ok \(8 files\)/);
      for (const n of [...ODD, 'deep/er/exec.sh']) assert.equal(await fsp.readFile(path.join(back, 'tree ✓', n), 'utf8'), await fsp.readFile(path.join(src, n), 'utf8'));
      const st2 = await fsp.stat(path.join(back, 'tree ✓/deep/er/exec.sh'));
      assert.equal(st2.mode & 0o777, 0o755);
      assert.equal(st2.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
      assert.deepEqual(await fsp.readdir(back), ['tree ✓']);
    });
  }

  test('a folder of 3,000 small files with long names round-trips, verified file by file', async () => {
    // Checksums and resumed tars name files on exec command lines: batches must fit an API server's URL limit.
    const src = path.join(tmp, 'many', 'many files');
    await fsp.mkdir(src, { recursive: true });
    const names = Array.from({ length: 3000 }, (_, i) => `a rather long file name, number ${String(i).padStart(5, '0')} (ünïcødé).txt`);
    for (const n of names) await fsp.writeFile(path.join(src, n), `${n}\n`);
    const up = await copy({ from: local, paths: [src], to: pod('shell'), toDir: '/tmp' });
    assert.equal(up.state, 'done', up.error ?? JSON.stringify(up.items[0]));
    assert.match(up.items[0].verified!, /sha256 ok \(3000 files\)/);
    assert.equal((await fsp.readdir(path.join(root('shell'), 'tmp/many files'))).length, 3000);
    const back = path.join(tmp, 'many-back');
    await fsp.mkdir(back);
    const down = await copy({ from: pod('shell'), paths: ['/tmp/many files'], to: local, toDir: back });
    assert.equal(down.state, 'done', down.error ?? JSON.stringify(down.items[0]));
    assert.match(down.items[0].verified!, /sha256 ok \(3000 files\)/);
    assert.equal(await fsp.readFile(path.join(back, 'many files', names[2999]), 'utf8'), `${names[2999]}\n`);
  });

  test('conflicts: skip, keep both, overwrite (a half upload never replaces the file)', async () => {
    const f = path.join(tmp, 'conflict.txt');
    await fsp.writeFile(f, 'new');
    const inPod = path.join(root('shell'), 'tmp/conflict.txt');
    await fsp.writeFile(inPod, 'old');
    let t = await copy({ from: local, paths: [f], to: pod('shell'), toDir: '/tmp', conflict: 'skip' });
    assert.equal(t.items[0].state, 'skipped');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'old');
    t = await copy({ from: local, paths: [f], to: pod('shell'), toDir: '/tmp', conflict: 'keepBoth' });
    assert.equal(t.items[0].finalPath, '/tmp/conflict (1).txt');
    assert.equal(await fsp.readFile(path.join(root('shell'), 'tmp/conflict (1).txt'), 'utf8'), 'new');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'old');
    t = await copy({ from: local, paths: [f], to: pod('shell'), toDir: '/tmp', conflict: 'overwrite' });
    assert.equal(t.items[0].state, 'done');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'new');
    // Download side: keep both.
    t = await copy({ from: pod('shell'), paths: ['/tmp/conflict.txt'], to: local, toDir: tmp, conflict: 'keepBoth' });
    assert.equal(t.items[0].finalPath, path.join(tmp, 'conflict (1).txt'));
  });

  test('gzip where it pays, not where it does not', async () => {
    const r = root('shell');
    await fsp.writeFile(path.join(r, 'tmp/text.log'), 'a log line that repeats itself quite a lot\n'.repeat(100_000));
    await fsp.writeFile(path.join(r, 'tmp/noise.bin'), randomBytes(3 << 20));
    const dest = await fsp.mkdtemp(path.join(tmp, 'gz-'));
    const t = await copy({ from: pod('shell'), paths: ['/tmp/text.log', '/tmp/noise.bin'], to: local, toDir: dest });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.ok(t.items[0].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(t.items[0].notes));
    assert.ok(!t.items[1].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(t.items[1].notes));
    assert.equal(await sha(path.join(dest, 'text.log')), await sha(path.join(r, 'tmp/text.log')));
    const u = await copy({ from: local, paths: [path.join(dest, 'text.log')], to: pod('busybox'), toDir: '/tmp' });
    assert.equal(u.state, 'done', JSON.stringify(u.items));
    assert.ok(u.items[0].notes?.some((n) => /^gzip/.test(n)), JSON.stringify(u.items[0].notes));
    assert.equal(await sha(path.join(root('busybox'), 'tmp/text.log')), await sha(path.join(r, 'tmp/text.log')));
  });

  test('a symlink chosen by itself copies what it points to', async () => {
    const r = root('busybox');
    await fsp.writeFile(path.join(r, 'tmp/real.txt'), 'real');
    await fsp.symlink('real.txt', path.join(r, 'tmp/alias.txt')).catch(() => {});
    const dest = await fsp.mkdtemp(path.join(tmp, 'ln-'));
    const t = await copy({ from: pod('busybox'), paths: ['/tmp/alias.txt'], to: local, toDir: dest });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.equal(await fsp.readFile(path.join(dest, 'alias.txt'), 'utf8'), 'real');
    assert.ok((await fsp.lstat(path.join(dest, 'alias.txt'))).isFile());
  });

  test('container to container, and local to local', async () => {
    const src = path.join(root('shell'), 'tmp/c2c');
    await fsp.mkdir(src, { recursive: true });
    await fsp.writeFile(path.join(src, 'one two.txt'), 'c2c');
    const t = await copy({ from: pod('shell'), paths: ['/tmp/c2c'], to: pod('busybox'), toDir: '/tmp' });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.equal(t.direction, 'container');
    assert.equal(await fsp.readFile(path.join(root('busybox'), 'tmp/c2c/one two.txt'), 'utf8'), 'c2c');
    const l = await fsp.mkdtemp(path.join(tmp, 'l2l-'));
    await fsp.writeFile(path.join(l, 'f.txt'), 'local');
    await fsp.mkdir(path.join(l, 'into'));
    const u = await copy({ from: local, paths: [path.join(l, 'f.txt')], to: local, toDir: path.join(l, 'into') });
    assert.equal(u.state, 'done', JSON.stringify(u.items));
    assert.equal(await fsp.readFile(path.join(l, 'into/f.txt'), 'utf8'), 'local');
  });

  test('a dropped stream resumes from the byte it reached (single file and folder)', async () => {
    const big = path.join(root('shell'), 'tmp/resume.bin');
    await bigFile(big, 96);
    await fsp.mkdir(path.join(root('shell'), 'tmp/resume-dir'), { recursive: true });
    await bigFile(path.join(root('shell'), 'tmp/resume-dir/a.bin'), 48);
    await bigFile(path.join(root('shell'), 'tmp/resume-dir/b.bin'), 48);
    for (const [src, files] of [['/tmp/resume.bin', ['resume.bin']], ['/tmp/resume-dir', ['resume-dir/a.bin', 'resume-dir/b.bin']]] as const) {
      const dest = await fsp.mkdtemp(path.join(tmp, 'resume-'));
      const t = await svc.startTransfer({ from: pod('shell'), paths: [src], to: local, toDir: dest, conflict: 'overwrite' });
      // Drop every connection once some bytes (but not all) have arrived.
      while (true) {
        const cur = (await svc.listTransfers()).find((x) => x.id === t.id)!;
        if (cur.bytes > 20 << 20 || cur.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      tc.clusters[0].dropConnections();
      const done = await svc.waitFor(t.id);
      assert.equal(done.state, 'done', JSON.stringify(done.items));
      assert.ok(done.items[0].notes?.some((n) => /resuming at \d+ bytes/.test(n)), JSON.stringify(done.items[0].notes));
      assert.match(done.items[0].verified!, /sha256 ok/);
      for (const f of files) assert.equal(await sha(path.join(dest, f)), await sha(path.join(root('shell'), 'tmp', f)));
    }
  });

  test('a stalled stream is detected and resumed', async () => {
    const dest = await fsp.mkdtemp(path.join(tmp, 'stall-'));
    const t = await svc.startTransfer({ from: pod('busybox'), paths: ['/bin/busybox'], to: local, toDir: dest, conflict: 'overwrite' });
    tc.clusters[0].stallStreams(true);
    await new Promise((r) => setTimeout(r, 3500));
    tc.clusters[0].stallStreams(false);
    const done = await svc.waitFor(t.id);
    assert.equal(done.state, 'done', JSON.stringify(done.items));
    assert.equal(await sha(path.join(dest, 'busybox')), await sha(path.join(root('busybox'), 'bin/busybox')));
  });

  test('cancel removes partial files and touches nothing else', async () => {
    const big = path.join(root('shell'), 'tmp/cancel.bin');
    await bigFile(big, 256);
    const dest = await fsp.mkdtemp(path.join(tmp, 'cancel-'));
    await fsp.writeFile(path.join(dest, 'keep.txt'), 'keep');
    const t = await svc.startTransfer({ from: pod('shell'), paths: ['/tmp/cancel.bin'], to: local, toDir: dest, conflict: 'overwrite' });
    while ((await svc.listTransfers()).find((x) => x.id === t.id)!.bytes < 8 << 20) await new Promise((r) => setTimeout(r, 20));
    await svc.cancelTransfer(t.id);
    const done = await svc.waitFor(t.id);
    assert.equal(done.state, 'cancelled');
    assert.equal(done.items[0].state, 'cancelled');
    assert.deepEqual(await fsp.readdir(dest), ['keep.txt']);
    // Upload cancel: no temp folder and no file left in the container.
    const local1 = path.join(tmp, 'up-cancel.bin');
    await bigFile(local1, 256);
    const u = await svc.startTransfer({ from: local, paths: [local1], to: pod('shell'), toDir: '/root', conflict: 'overwrite' });
    while ((await svc.listTransfers()).find((x) => x.id === u.id)!.bytes < 8 << 20) await new Promise((r) => setTimeout(r, 20));
    await svc.cancelTransfer(u.id);
    assert.equal((await svc.waitFor(u.id)).state, 'cancelled');
    assert.deepEqual((await fsp.readdir(path.join(root('shell'), 'root'))).filter((n) => !n.startsWith('.bash')), []);
    // Nothing of ours keeps running in the container.
    const deadline = Date.now() + 15_000;
    let left: string[];
    do {
      left = (await tc.clusters[0].processes('default', 'shell', 'main')).map((p) => p.command).filter((c) => /\b(cat|tail|tar|gzip|sha256sum)\b/.test(c));
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    assert.deepEqual(left, []);
  });

  test('disk full: a clear error, the partial file removed, nothing else touched', { skip: process.getuid?.() !== 0 && 'needs root to mount a small tmpfs' }, async () => {
    const mnt = await fsp.mkdtemp(path.join(tmp, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    try {
      await fsp.writeFile(path.join(mnt, 'keep.txt'), 'keep');
      await fsp.writeFile(path.join(root('shell'), 'tmp/small.txt'), 'small');
      await bigFile(path.join(root('shell'), 'tmp/eight.bin'), 8);
      const t = await copy({ from: pod('shell'), paths: ['/tmp/eight.bin'], to: local, toDir: mnt });
      assert.equal(t.state, 'failed');
      assert.match(t.items[0].error!, /Disk full/);
      assert.deepEqual(await fsp.readdir(mnt), ['keep.txt']);
      // Read-only: refused up front with the reason.
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const r = await copy({ from: pod('shell'), paths: ['/tmp/small.txt'], to: local, toDir: mnt });
      assert.match(r.items[0].error!, /Read-only file system/);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  test('permission denied (as an unprivileged user, through kubedeck cp)', { skip: process.getuid?.() !== 0 && 'needs root to switch user' }, async () => {
    const dir = await fsp.mkdtemp(path.join(tmp, 'perm-'));
    await fsp.chmod(dir, 0o755);
    await fsp.chmod(tmp, 0o755);
    await fsp.writeFile(path.join(root('shell'), 'tmp/small.txt'), 'small');
    const kc = path.join(tmp, 'kubeconfig-nobody');
    await fsp.copyFile(tc.kubeconfigPath, kc);
    await fsp.chmod(kc, 0o644);
    let out = '';
    let code = 0;
    try {
      // Async: the test cluster lives in this process and must keep answering.
      await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', 'main/cli/cli.ts', 'cp', '--kubeconfig', kc, '--context', 'kd-test-1', 'default/shell:/tmp/small.txt', dir + '/'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, HOME: '/tmp' },
      });
    } catch (e) {
      const err = e as { code: number; stderr: string; stdout: string };
      code = err.code;
      out = err.stderr + err.stdout;
    }
    assert.notEqual(code, 0);
    assert.match(out, /Permission denied/);
    assert.deepEqual(await fsp.readdir(dir), []);
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
    await tc.clusters[0].addPod('default', { name: 'evil', image: 'full' });
    const r = root('evil');
    await fsp.mkdir(path.join(r, 'data/victim'), { recursive: true });
    await fsp.writeFile(path.join(r, 'data/victim/ok.txt'), 'ok');
    // The image's tar answers every request with the crafted archive.
    for (const t of ['usr/bin/tar']) {
      await fsp.rm(path.join(r, t), { force: true });
      await fsp.writeFile(path.join(r, t), '#!/bin/sh\ncat /evil.tar\n', { mode: 0o755 });
    }
    outside = await fsp.mkdtemp(path.join(tmp, 'outside-'));
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
      await fsp.writeFile(path.join(root('evil'), 'evil.tar'), Buffer.concat(chunks));

      const t = await copy({ from: pod('evil'), paths: ['/data/victim'], to: local, toDir: chosen });
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
