// The SSH gateway's SFTP subsystem with real clients against the test cluster, on the three kinds of
// image: one with OpenSSH's sftp-server (the "shell" pod: piped through), and two without (notar:
// coreutils, busybox: answered by commands in the container). Every transfer is sha256-checked against
// the container's own filesystem.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstat, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../../test/ssh/sshHarness.ts';
import { python, scp, sftpBatch, sha, shaOf, sshfsMissing, sshfsMount, unmount } from '../../test/ssh/sftpClients.ts';

const PODS = [
  { pod: 'shell', what: 'sftp-server of the image' },
  { pod: 'notar', what: 'commands (coreutils)' },
  { pod: 'busybox', what: 'commands (busybox)' },
];

describe('SSH gateway: SFTP, scp, sshfs', () => {
  let h: Harness;
  let local: string;
  const root = (pod: string) => h.tc.clusters[0].rootOf('default', pod, 'main');
  before(async () => {
    h = await startHarness({});
    local = mkdtempSync(join(h.dir, 'local-'));
  });
  after(async () => {
    await h?.stop();
  });

  for (const { pod, what } of PODS) {
    it(`sftp -b on ${pod} (${what}): put, get, ls, mkdir, rename, symlink, chmod, rm, df`, async () => {
      const data = randomBytes(3 << 20);
      const src = join(local, `${pod}-src.bin`);
      writeFileSync(src, data);
      const r = await sftpBatch(h, `kd-test-1/default/${pod}`, [
        'mkdir /tmp/sb',
        `put ${src} "/tmp/sb/with space ü.bin"`,
        `get "/tmp/sb/with space ü.bin" ${local}/${pod}-back.bin`,
        'rename "/tmp/sb/with space ü.bin" /tmp/sb/renamed.bin',
        'symlink renamed.bin /tmp/sb/link',
        'chmod 640 /tmp/sb/renamed.bin',
        'mkdir /tmp/sb/sub',
        'put /etc/hostname /tmp/sb/sub/gone',
        'rm /tmp/sb/sub/gone',
        'rmdir /tmp/sb/sub',
        'ls -l /tmp/sb',
        'df /tmp',
        '-get /tmp/sb/nope /tmp/nope',
      ]);
      assert.equal(r.code, 0, r.stderr + r.stdout.toString());
      assert.equal(shaOf(join(local, `${pod}-back.bin`)), sha(data));
      const dir = join(root(pod), 'tmp/sb');
      assert.equal(shaOf(join(dir, 'renamed.bin')), sha(data));
      assert.equal(statSync(join(dir, 'renamed.bin')).mode & 0o777, 0o640);
      assert.equal(readlinkSync(join(dir, 'link')), 'renamed.bin');
      assert.deepEqual(readdirSync(dir).sort(), ['link', 'renamed.bin']);
      const out = r.stdout.toString();
      assert.match(out, /-rw-r-----.*renamed\.bin/);
      assert.match(out, /l.*link/);
      assert.match(out, /Size\s+Used\s+Avail/); // df: statvfs@openssh.com
      assert.match(r.stderr, /nope.*(not found|No such file)/i);
    });

    it(`scp both ways on ${pod}: a file and a folder with -r (SFTP mode)`, async () => {
      const data = randomBytes(1 << 20);
      const tree = join(local, `${pod}-tree`);
      mkdirSync(join(tree, 'a b/ünï'), { recursive: true });
      writeFileSync(join(tree, 'top.bin'), data);
      writeFileSync(join(tree, 'a b/ünï/deep.txt'), 'deep\n');
      const up = await scp(h, `kd-test-1/default/${pod}`, ['-r', tree, 'R:/tmp/scp-tree']);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(shaOf(join(root(pod), 'tmp/scp-tree/top.bin')), sha(data));
      assert.equal(readFileSync(join(root(pod), 'tmp/scp-tree/a b/ünï/deep.txt'), 'utf8'), 'deep\n');
      const back = join(local, `${pod}-tree-back`);
      const down = await scp(h, `kd-test-1/default/${pod}`, ['-r', 'R:/tmp/scp-tree', back]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(shaOf(join(back, 'top.bin')), sha(data));
      assert.equal(readFileSync(join(back, 'a b/ünï/deep.txt'), 'utf8'), 'deep\n');
      const one = await scp(h, `kd-test-1/default/${pod}`, ['R:/tmp/scp-tree/top.bin', join(local, `${pod}-one.bin`)]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(shaOf(join(local, `${pod}-one.bin`)), sha(data));
    });
  }

  it('64 MiB get and put are byte-identical (commands on notar, sftp-server on shell)', async () => {
    const data = randomBytes(64 << 20);
    const src = join(local, 'big.bin');
    writeFileSync(src, data);
    for (const pod of ['notar', 'shell']) {
      const r = await sftpBatch(h, `kd-test-1/default/${pod}`, [`put ${src} /tmp/big.bin`, `get /tmp/big.bin ${local}/big-${pod}.bin`], 300);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(shaOf(join(root(pod), 'tmp/big.bin')), sha(data), `${pod}: put`);
      assert.equal(shaOf(join(local, `big-${pod}.bin`)), sha(data), `${pod}: get`);
    }
  });

  for (const pod of ['notar', 'busybox']) {
    it(`paramiko on ${pod}: names with a newline and unicode, prefetch, posix-rename, out-of-order writes, truncate, append`, async () => {
      const data = randomBytes(2 << 20);
      const src = join(local, `py-${pod}.bin`);
      writeFileSync(src, data);
      const out = await python(h, 'paramiko', `kd-test-1/default/${pod}`, '/tmp/py', src);
      assert.deepEqual(out, {
        get: sha(data),
        size: data.length,
        names: ['odd name\nwith newline ü 日本.bin'],
        readlink: 'renamed',
        lstat_is_link: true,
        mode: '0o640',
        mtime: 1200000000,
        sparse: [65546, 'AAAAAAAAAA', 'BBBBBBBBBB', 65526],
        truncated: 5,
        append: 'one\ntwo\n',
        missing: 'FileNotFoundError',
        rmdir_full: 'OSError',
        gone: true,
      });
    });
  }

  it('asyncssh on busybox and on the sftp-server: put, get, listdir, statvfs, rename', async () => {
    const data = randomBytes(1 << 20);
    const src = join(local, 'as.bin');
    writeFileSync(src, data);
    for (const pod of ['busybox', 'shell']) {
      const out = await python(h, 'asyncssh', `kd-test-1/default/${pod}`, '/tmp/as', src);
      const names = (out.names as string[]).filter((n) => n !== '.' && n !== '..');
      assert.deepEqual(names, ['odd name\nwith newline ü 日本.bin'], pod);
      assert.equal(out.get, sha(data), pod);
      assert.equal(out.statvfs, true, pod);
      assert.deepEqual((out.after_rename as string[]).filter((n) => n !== '.' && n !== '..'), ['b'], pod);
    }
  });

  it('sshfs mounts a container folder: ls, read, write, rename over, unmount', async (t) => {
    const why = sshfsMissing();
    if (why) return t.skip(why);
    const inPod = join(root('busybox'), 'tmp/fs');
    mkdirSync(join(inPod, 'sub'), { recursive: true });
    const data = randomBytes(5 << 20);
    writeFileSync(join(inPod, 'there.bin'), data);
    const mnt = mkdtempSync(join(h.dir, 'mnt-'));
    const m = await sshfsMount(h, 'kd-test-1/default/busybox', '/tmp/fs', mnt);
    if (m.code !== 0 && /fuse: device not found|Operation not permitted|permission denied/i.test(m.stderr)) return t.skip(`sshfs cannot mount here: ${m.stderr.trim()}`);
    assert.equal(m.code, 0, m.stderr);
    // Only asynchronous file calls on the mount: a synchronous one would block the event loop that runs
    // the gateway answering it (a deadlock in the kernel's FUSE wait).
    const mine = randomBytes(3 << 20);
    try {
      assert.deepEqual((await readdir(mnt)).sort(), ['sub', 'there.bin']);
      assert.equal(sha(await readFile(join(mnt, 'there.bin'))), sha(data));
      await writeFile(join(mnt, 'sub/here ü.bin'), mine);
      await writeFile(join(mnt, 'there.bin'), 'replaced\n');
      await writeFile(join(mnt, 'sub/over'), 'old\n');
      await writeFile(join(mnt, 'sub/tmp'), 'new\n');
      await rename(join(mnt, 'sub/tmp'), join(mnt, 'sub/over')); // an editor's save: rename over (posix-rename)
      assert.ok((await lstat(join(mnt, 'sub'))).isDirectory());
      assert.deepEqual((await readdir(join(mnt, 'sub'))).sort(), ['here ü.bin', 'over']);
    } finally {
      const u = await unmount(mnt);
      assert.equal(u.code, 0, u.stderr);
    }
    assert.equal(shaOf(join(inPod, 'sub/here ü.bin')), sha(mine));
    assert.equal(readFileSync(join(inPod, 'sub/over'), 'utf8'), 'new\n');
    assert.equal(readFileSync(join(inPod, 'there.bin'), 'utf8'), 'replaced\n');
    assert.deepEqual(readdirSync(mnt), []);
  });

  it('legacy scp -O works where the image has scp and says why where it has not', async () => {
    const data = randomBytes(1 << 20);
    const src = join(local, 'legacy.bin');
    writeFileSync(src, data);
    const up = await scp(h, 'kd-test-1/default/shell', ['-O', src, 'R:/tmp/legacy.bin']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(shaOf(join(root('shell'), 'tmp/legacy.bin')), sha(data));
    const down = await scp(h, 'kd-test-1/default/shell', ['-O', 'R:/tmp/legacy.bin', join(local, 'legacy-back.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(shaOf(join(local, 'legacy-back.bin')), sha(data));
    const none = await scp(h, 'kd-test-1/default/busybox', ['-O', src, 'R:/tmp/legacy.bin']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /scp: not found/);
    assert.ok(!existsSync(join(root('busybox'), 'tmp/legacy.bin')));
  });

  it('distroless: a clear sentence, and audit lines for sessions and files', async () => {
    const r = await sftpBatch(h, 'kd-test-1/default/distroless', ['ls /']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SFTP needs a shell in the container\. This container has no shell/);
    const audit = readFileSync(join(h.serve.kubedeck.dataDir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind?: string; type?: string; who?: string; details?: Record<string, unknown> });
    const kinds = (k: string) => audit.filter((e) => JSON.stringify(e).includes(`"${k}"`));
    assert.ok(kinds('ssh.sftp').length >= 6, 'a line per SFTP session');
    assert.ok(kinds('ssh.sftp').some((e) => JSON.stringify(e).includes('"sftp-server"')));
    assert.ok(kinds('ssh.sftp').some((e) => JSON.stringify(e).includes('"kubedeck"')));
    assert.ok(kinds('ssh.sftp').some((e) => JSON.stringify(e).includes('no shell')));
    const files = kinds('ssh.sftp.file');
    assert.ok(files.some((e) => JSON.stringify(e).includes('/tmp/big.bin') && JSON.stringify(e).includes(String(64 << 20))), 'the 64 MiB transfer');
    assert.ok(files.every((e) => JSON.stringify(e).includes('alice@laptop')));
    assert.ok(kinds('ssh.sftp.rename').length > 0);
  });
});
