// 1 GiB up and back through the test cluster: byte-identical, checked on both sides, memory flat.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ClusterRegistry } from '../../main/core/clusters/clusterRegistry.ts';
import { FilesService } from '../../main/core/files/filesService.ts';
import type { FileLocation } from '../../common/contract/files.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';

const GIB = 1024;
let tc: TestClusters;
let reg: ClusterRegistry;
let tmp: string;

before(async () => {
  tc = await startTestClusters({ clusters: 1 });
  reg = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-big-'));
});
after(async () => {
  try {
    reg?.close();
    await tc?.stop();
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
});

async function sha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

test('a 1 GiB file round-trips byte-identical with flat memory', { timeout: 600_000 }, async () => {
  const src = path.join(tmp, 'big.bin');
  // A fixed pseudo-random pattern: one random MiB, each copy stamped with its index.
  const block = randomBytes(1 << 20);
  const fh = await fsp.open(src, 'w');
  for (let i = 0; i < GIB; i++) {
    block.writeUInt32BE(i, 0);
    await fh.write(block);
  }
  await fh.close();
  const want = await sha(src);

  let peakRss = 0;
  const base = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const svc = new FilesService(reg, undefined, () => {}, {});
  const shell: FileLocation = { kind: 'container', context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' };
  try {
    let t0 = Date.now();
    const up = await svc.waitFor((await svc.startTransfer({ from: { kind: 'local' }, paths: [src], to: shell, toDir: '/tmp', conflict: 'overwrite' })).id);
    const upSec = (Date.now() - t0) / 1000;
    assert.equal(up.state, 'done', JSON.stringify(up.items));
    assert.equal(up.items[0].verified, 'sha256 ok (1 file)');
    const inPod = path.join(tc.clusters[0].rootOf('default', 'shell', 'main'), 'tmp/big.bin');
    assert.equal((await fsp.stat(inPod)).size, GIB << 20);

    const back = path.join(tmp, 'back');
    await fsp.mkdir(back);
    t0 = Date.now();
    const down = await svc.waitFor((await svc.startTransfer({ from: shell, paths: ['/tmp/big.bin'], to: { kind: 'local' }, toDir: back, conflict: 'overwrite' })).id);
    const downSec = (Date.now() - t0) / 1000;
    assert.equal(down.state, 'done', JSON.stringify(down.items));
    assert.equal(down.items[0].verified, 'sha256 ok (1 file)');
    assert.equal(await sha(path.join(back, 'big.bin')), want);
    const grow = (peakRss - base) / (1 << 20);
    console.log(`1 GiB: upload ${upSec.toFixed(1)} s (${(GIB / upSec).toFixed(0)} MiB/s), download ${downSec.toFixed(1)} s (${(GIB / downSec).toFixed(0)} MiB/s), peak RSS growth ${grow.toFixed(0)} MiB (test cluster in the same process)`);
    // The test cluster runs in this process too; the bound is generous, but a buffered GiB would blow it.
    assert.ok(grow < 400, `memory grew by ${grow.toFixed(0)} MiB`);
  } finally {
    clearInterval(timer);
    await svc.dispose();
  }
});
