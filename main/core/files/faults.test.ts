// Copies that lose their connection part way (10 %, 50 %, 99 %) in each direction, a stalled upload,
// and a container whose disk fills: each ends byte-identical (resumed) or with a clear error, never a
// half file in place and never a staging folder left behind.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { TransferInfo } from '../../../common/contract/files.ts';
import { bigFile, filesFixture, local, pod, sha } from '../../../test/files/filesFixture.ts';
import { until } from '../../../test/util/wait.ts';

const f = filesFixture({ stallMs: 3000 });
const MIB = 64;

const staged = async (dir: string) => (await fsp.readdir(dir)).filter((n) => n.startsWith('.kubedeck'));
const current = async (id: string) => (await f.svc.listTransfers()).find((x) => x.id === id)!;

/** Waits until the transfer has moved `share` of its bytes (or ended), then drops every connection. */
async function dropAt(id: string, share: number): Promise<boolean> {
  let running = true;
  await until(
    `${Math.round(share * 100)} % copied`,
    async () => {
      const t = await current(id);
      running = t.state === 'running' || t.state === 'queued';
      return !running || (t.totalBytes > 0 && t.bytes >= share * t.totalBytes);
    },
    120_000,
    5,
  );
  f.tc.clusters[0].dropConnections();
  return running;
}

function resumedOrFinished(t: TransferInfo, dropped: boolean): void {
  assert.equal(t.state, 'done', JSON.stringify(t.items));
  assert.match(t.items[0].verified!, /^(blake2b|sha256) ok/);
  if (dropped && t.items[0].notes?.length) assert.ok(t.items[0].notes.some((n) => /resum/.test(n)), JSON.stringify(t.items[0].notes));
}

describe('a connection dropped part way', () => {
  for (const share of [0.1, 0.5, 0.99]) {
    test(`upload dropped at ${share * 100} %: the old file stays until the new one is whole, then byte-identical`, async () => {
      const src = path.join(f.tmp, `up-${share}.bin`);
      await bigFile(src, MIB);
      const inPod = path.join(f.root('shell'), 'tmp', `up-${share}.bin`);
      await fsp.writeFile(inPod, 'the old file');
      const t = await f.svc.startTransfer({ from: local, paths: [src], to: pod('shell'), toDir: '/tmp', conflict: 'overwrite' });
      const dropped = await dropAt(t.id, share);
      // Until the copy is checked, the target is the old file, never a half new one.
      const seen = await fsp.readFile(inPod).catch(() => Buffer.alloc(0));
      assert.ok(seen.toString() === 'the old file' || seen.length === MIB << 20, `target had ${seen.length} bytes mid-copy`);
      const done = await f.svc.waitFor(t.id);
      resumedOrFinished(done, dropped);
      assert.equal(await sha(inPod), await sha(src));
      assert.deepEqual(await staged(path.join(f.root('shell'), 'tmp')), []);
    });

    test(`download dropped at ${share * 100} %: byte-identical, nothing partial left`, async () => {
      const name = `down-${share}.bin`;
      await bigFile(path.join(f.root('shell'), 'tmp', name), MIB);
      const dest = await fsp.mkdtemp(path.join(f.tmp, 'down-'));
      const t = await f.svc.startTransfer({ from: pod('shell'), paths: [`/tmp/${name}`], to: local, toDir: dest, conflict: 'overwrite' });
      const dropped = await dropAt(t.id, share);
      // Under its real name the file is either absent or whole (it is renamed into place once checked,
      // which may be a moment before the transfer itself reports done).
      const early = await fsp.readFile(path.join(dest, name)).catch(() => undefined);
      assert.ok(early === undefined || early.length === MIB << 20, `a partial file appeared under the real name (${early?.length} bytes)`);
      const done = await f.svc.waitFor(t.id);
      resumedOrFinished(done, dropped);
      assert.equal(await sha(path.join(dest, name)), await sha(path.join(f.root('shell'), 'tmp', name)));
      assert.deepEqual(await fsp.readdir(dest), [name]);
    });
  }

  test('a folder upload dropped half way keeps what arrived and sends the rest', async () => {
    const src = path.join(f.tmp, 'tree-up', 'tree');
    await fsp.mkdir(path.join(src, 'sub'), { recursive: true });
    for (let i = 0; i < 4; i++) await bigFile(path.join(src, `big${i}.bin`), 12);
    for (let i = 0; i < 200; i++) await fsp.writeFile(path.join(src, 'sub', `s${i}.txt`), `small ${i}\n`.repeat(i + 1));
    const t = await f.svc.startTransfer({ from: local, paths: [src], to: pod('shell'), toDir: '/tmp', conflict: 'overwrite' });
    const dropped = await dropAt(t.id, 0.5);
    const done = await f.svc.waitFor(t.id);
    resumedOrFinished(done, dropped);
    assert.match(done.items[0].verified!, /blake2b ok \(204 files\)/);
    const inPod = path.join(f.root('shell'), 'tmp', 'tree');
    for (let i = 0; i < 4; i++) assert.equal(await sha(path.join(inPod, `big${i}.bin`)), await sha(path.join(src, `big${i}.bin`)));
    assert.equal(await fsp.readFile(path.join(inPod, 'sub', 's199.txt'), 'utf8'), 'small 199\n'.repeat(200));
    assert.deepEqual(await staged(path.join(f.root('shell'), 'tmp')), []);
    // Nothing of ours was left in the copy itself (pid files, name lists).
    assert.deepEqual((await fsp.readdir(inPod)).sort(), ['big0.bin', 'big1.bin', 'big2.bin', 'big3.bin', 'sub']);
  });

  test('a stalled upload is noticed and resumed from the byte the container has', async () => {
    const src = path.join(f.tmp, 'stall-up.bin');
    await bigFile(src, MIB);
    const t = await f.svc.startTransfer({ from: local, paths: [src], to: pod('busybox'), toDir: '/tmp', conflict: 'overwrite' });
    await until('some bytes uploaded', async () => (await current(t.id)).bytes > 8 << 20, 120_000, 5);
    f.tc.clusters[0].stallStreams(true);
    // Stalled until the service's 3 s stall limit notices: the silence itself is what is tested.
    await until('the stall noticed', async () => !!(await current(t.id)).items[0].notes?.some((n) => /dropped/.test(n)) || (await current(t.id)).state !== 'running', 60_000, 50);
    f.tc.clusters[0].stallStreams(false);
    const done = await f.svc.waitFor(t.id);
    assert.equal(done.state, 'done', JSON.stringify(done.items));
    assert.ok(done.items[0].notes?.some((n) => /resuming at \d+ bytes/.test(n)), JSON.stringify(done.items[0].notes));
    assert.equal(await sha(path.join(f.root('busybox'), 'tmp/stall-up.bin')), await sha(src));
  });
});

describe('a container whose disk fills', { skip: process.getuid?.() !== 0 && 'needs root for the container mount namespace' }, () => {
  for (const kind of ['file', 'folder'] as const) {
    test(`mid-upload of a ${kind}: "no space left", the old target intact, nothing staged left`, async () => {
      const disk = await f.tc.clusters[0].limitDisk('default', 'shell', 'main', `/small-${kind}`, 8 << 20);
      await fsp.writeFile(path.join(disk, 'target'), 'the old target');
      const src = path.join(f.tmp, `full-${kind}`, 'target');
      if (kind === 'file') {
        await fsp.mkdir(path.dirname(src), { recursive: true });
        await bigFile(src, 16);
      } else {
        await fsp.mkdir(src, { recursive: true });
        for (let i = 0; i < 4; i++) await bigFile(path.join(src, `part${i}.bin`), 4);
      }
      if (kind === 'folder') await fsp.rm(path.join(disk, 'target'));
      if (kind === 'folder') await fsp.mkdir(path.join(disk, 'target'));
      if (kind === 'folder') await fsp.writeFile(path.join(disk, 'target', 'old.txt'), 'the old target');
      const t = await f.copy({ from: local, paths: [src], to: pod('shell'), toDir: `/small-${kind}` });
      assert.equal(t.state, 'failed', JSON.stringify(t.items));
      assert.match(t.items[0].error!, /no space left/i);
      if (kind === 'file') assert.equal(await fsp.readFile(path.join(disk, 'target'), 'utf8'), 'the old target');
      else assert.deepEqual(await fsp.readdir(path.join(disk, 'target')), ['old.txt']);
      assert.deepEqual(await fsp.readdir(disk), ['target']);
    });
  }
});
