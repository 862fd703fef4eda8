// FilesService through the test cluster: listings and file operations on both sides, conflict
// policies, every direction of copy, cancel, and a permission error as `kubedeck cp` reports it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { bigFile, filesFixture, local, ODD, pod } from '../../../test/files/filesFixture.ts';
import { until } from '../../../test/util/wait.ts';

const f = filesFixture();

describe('listings', () => {
  for (const image of ['shell', 'busybox', 'notar']) {
    test(`odd names are listed right in ${image}`, async () => {
      const dir = path.join(f.root(image), 'tmp/odd');
      await fsp.mkdir(dir, { recursive: true });
      for (const n of ODD) await fsp.writeFile(path.join(dir, n), n);
      await fsp.symlink('with space', path.join(dir, 'link to space'));
      await fsp.mkdir(path.join(dir, 'sub dir'));
      const names = (await f.svc.listDir(pod(image), '/tmp/odd')).entries;
      assert.deepEqual(names.map((e) => e.name).sort(), [...ODD, 'link to space', 'sub dir'].sort());
      const link = names.find((e) => e.name === 'link to space')!;
      assert.equal(link.type, 'symlink');
      assert.equal(link.target, 'with space');
      assert.equal(names.find((e) => e.name === 'new\nline')!.size, 'new\nline'.length);
      assert.equal(names.find((e) => e.name === 'sub dir')!.type, 'dir');
      assert.match(names.find((e) => e.name === 'with space')!.modeString, /^-rw/);
      // The portable loop (what busybox uses) gives the same answer on the GNU image too.
      const r = f.svc.remote(pod(image));
      r.forceLoop = true;
      try {
        const again = (await f.svc.listDir(pod(image), '/tmp/odd')).entries;
        assert.deepEqual(again.map((e) => [e.name, e.type, e.size, e.target]), names.map((e) => [e.name, e.type, e.size, e.target]));
      } finally {
        r.forceLoop = false;
      }
    });
  }

  test('distroless gets a message saying why', async () => {
    await assert.rejects(f.svc.listDir(pod('distroless'), '/'), /no shell \(sh\).*distroless/);
    const t = await f.copy({ from: pod('distroless'), paths: ['/app/server'], to: local, toDir: f.tmp });
    assert.equal(t.state, 'failed');
    assert.match(t.items[0].error!, /no shell/);
  });

  test('missing folders and files-as-folders are clear errors', async () => {
    await assert.rejects(f.svc.listDir(pod('busybox'), '/nope'), /No such file or folder: \/nope/);
    await assert.rejects(f.svc.listDir(pod('shell'), '/etc/passwd'), /Not a folder/);
    await assert.rejects(f.svc.listDir(local, path.join(f.tmp, 'nope')), /No such file or folder/);
  });

  test('mkdir, rename, delete in a container and locally', async () => {
    for (const where of [pod('busybox'), local]) {
      const base = where.kind === 'local' ? f.tmp : '/tmp';
      await f.svc.makeDir(where, `${base}/made -x`);
      await assert.rejects(f.svc.makeDir(where, `${base}/made -x`), /exists/i);
      await f.svc.renamePath(where, `${base}/made -x`, `${base}/renamed ✓`);
      const names = (await f.svc.listDir(where, base)).entries.map((e) => e.name);
      assert.ok(names.includes('renamed ✓') && !names.includes('made -x'));
      await f.svc.deletePaths(where, [`${base}/renamed ✓`]);
      assert.ok(!(await f.svc.listDir(where, base)).entries.some((e) => e.name === 'renamed ✓'));
    }
  });
});

describe('transfers', () => {
  test('conflicts: skip, keep both, overwrite (a half upload never replaces the file)', async () => {
    const file = path.join(f.tmp, 'conflict.txt');
    await fsp.writeFile(file, 'new');
    const inPod = path.join(f.root('shell'), 'tmp/conflict.txt');
    await fsp.writeFile(inPod, 'old');
    let t = await f.copy({ from: local, paths: [file], to: pod('shell'), toDir: '/tmp', conflict: 'skip' });
    assert.equal(t.items[0].state, 'skipped');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'old');
    t = await f.copy({ from: local, paths: [file], to: pod('shell'), toDir: '/tmp', conflict: 'keepBoth' });
    assert.equal(t.items[0].finalPath, '/tmp/conflict (1).txt');
    assert.equal(await fsp.readFile(path.join(f.root('shell'), 'tmp/conflict (1).txt'), 'utf8'), 'new');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'old');
    t = await f.copy({ from: local, paths: [file], to: pod('shell'), toDir: '/tmp', conflict: 'overwrite' });
    assert.equal(t.items[0].state, 'done');
    assert.equal(await fsp.readFile(inPod, 'utf8'), 'new');
    // Download side: keep both.
    t = await f.copy({ from: pod('shell'), paths: ['/tmp/conflict.txt'], to: local, toDir: f.tmp, conflict: 'keepBoth' });
    assert.equal(t.items[0].finalPath, path.join(f.tmp, 'conflict (1).txt'));
  });

  test('container to container, and local to local', async () => {
    const src = path.join(f.root('shell'), 'tmp/c2c');
    await fsp.mkdir(src, { recursive: true });
    await fsp.writeFile(path.join(src, 'one two.txt'), 'c2c');
    const t = await f.copy({ from: pod('shell'), paths: ['/tmp/c2c'], to: pod('busybox'), toDir: '/tmp' });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.equal(t.direction, 'container');
    assert.equal(await fsp.readFile(path.join(f.root('busybox'), 'tmp/c2c/one two.txt'), 'utf8'), 'c2c');
    const l = await fsp.mkdtemp(path.join(f.tmp, 'l2l-'));
    await fsp.writeFile(path.join(l, 'f.txt'), 'local');
    await fsp.mkdir(path.join(l, 'into'));
    const u = await f.copy({ from: local, paths: [path.join(l, 'f.txt')], to: local, toDir: path.join(l, 'into') });
    assert.equal(u.state, 'done', JSON.stringify(u.items));
    assert.equal(await fsp.readFile(path.join(l, 'into/f.txt'), 'utf8'), 'local');
  });

  test('cancel removes partial files and touches nothing else', async () => {
    const { svc, tc } = f;
    const bytesOf = async (id: string) => (await svc.listTransfers()).find((x) => x.id === id)!.bytes;
    const big = path.join(f.root('shell'), 'tmp/cancel.bin');
    await bigFile(big, 256);
    const dest = await fsp.mkdtemp(path.join(f.tmp, 'cancel-'));
    await fsp.writeFile(path.join(dest, 'keep.txt'), 'keep');
    const t = await svc.startTransfer({ from: pod('shell'), paths: ['/tmp/cancel.bin'], to: local, toDir: dest, conflict: 'overwrite' });
    await until('8 MiB downloaded', async () => (await bytesOf(t.id)) >= 8 << 20, 120_000, 20);
    await svc.cancelTransfer(t.id);
    const done = await svc.waitFor(t.id);
    assert.equal(done.state, 'cancelled');
    assert.equal(done.items[0].state, 'cancelled');
    assert.deepEqual(await fsp.readdir(dest), ['keep.txt']);
    // Upload cancel: no temp folder and no file left in the container.
    const local1 = path.join(f.tmp, 'up-cancel.bin');
    await bigFile(local1, 256);
    const u = await svc.startTransfer({ from: local, paths: [local1], to: pod('shell'), toDir: '/root', conflict: 'overwrite' });
    await until('8 MiB uploaded', async () => (await bytesOf(u.id)) >= 8 << 20, 120_000, 20);
    await svc.cancelTransfer(u.id);
    assert.equal((await svc.waitFor(u.id)).state, 'cancelled');
    assert.deepEqual((await fsp.readdir(path.join(f.root('shell'), 'root'))).filter((n) => !n.startsWith('.bash')), []);
    // Nothing of ours keeps running in the container.
    let left: string[] = [];
    await until(
      'no copy process left in the container',
      async () => {
        left = (await tc.clusters[0].processes('default', 'shell', 'main')).map((p) => p.command).filter((c) => /\b(cat|tail|tar|gzip|sha256sum|b2sum)\b/.test(c));
        return left.length === 0;
      },
      15_000,
      200,
    ).catch(() => {});
    assert.deepEqual(left, []);
  });

  test('permission denied (as an unprivileged user, through kubedeck cp)', { skip: process.getuid?.() !== 0 && 'needs root to switch user' }, async () => {
    const dir = await fsp.mkdtemp(path.join(f.tmp, 'perm-'));
    await fsp.chmod(dir, 0o755);
    await fsp.chmod(f.tmp, 0o755);
    await fsp.writeFile(path.join(f.root('shell'), 'tmp/small.txt'), 'small');
    const kc = path.join(f.tmp, 'kubeconfig-nobody');
    await fsp.copyFile(f.tc.kubeconfigPath, kc);
    await fsp.chmod(kc, 0o644);
    let out = '';
    let code = 0;
    // The user we switch to may not be able to reach the clone (a clone under a 0700 folder, as in a
    // `mktemp -d` CI checkout): in a mount namespace of its own, the clone is bind-mounted at a path
    // anyone can traverse, and the CLI runs from there — whatever folder the clone lives in.
    const repo = path.resolve(import.meta.dirname, '../../..');
    const view = await fsp.mkdtemp(path.join(f.tmp, 'repo-'));
    await fsp.chmod(view, 0o755);
    const rel = path.relative(repo, process.execPath);
    const node = rel.startsWith('..') || path.isAbsolute(rel) ? process.execPath : path.join(view, rel);
    try {
      // Async: the test cluster lives in this process and must keep answering.
      await promisify(execFile)('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && cd "$2" && shift 2 && exec "$@"', 'sh', repo, view,
        'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', node, '--import', 'tsx', 'main/cli/cli.ts', 'cp', '--kubeconfig', kc, '--context', 'kd-test-1', 'default/shell:/tmp/small.txt', dir + '/'], {
        env: { ...process.env, HOME: '/tmp' },
      });
    } catch (e) {
      const err = e as { code: number; stderr: string; stdout: string };
      code = err.code;
      out = err.stderr + err.stdout;
    }
    assert.notEqual(code, 0);
    // kubedeck cp's own words about the destination (not a failure to start it: that could say "Permission denied" too)
    assert.equal(out, `kubedeck cp: Permission denied: ${dir}\n`);
    assert.deepEqual(await fsp.readdir(dir), []);
  });
});
