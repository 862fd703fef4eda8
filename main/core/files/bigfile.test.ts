// 1 GiB up and back through the test cluster: byte-identical, checked on both sides, memory flat.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { bigFile, filesFixture, local, pod, sha } from '../../../test/files/filesFixture.ts';

const GIB = 1024;
// Default service options (no short stall limit): a GiB on a loaded machine may pause for a while.
const f = filesFixture({}, 'kd-big-');

test('a 1 GiB file round-trips byte-identical with flat memory', { timeout: 600_000 }, async () => {
  const src = path.join(f.tmp, 'big.bin');
  await bigFile(src, GIB);
  const want = await sha(src);

  let peakRss = 0;
  const base = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const shell = pod('shell');
  try {
    let t0 = Date.now();
    const up = await f.copy({ from: local, paths: [src], to: shell, toDir: '/tmp' });
    const upSec = (Date.now() - t0) / 1000;
    assert.equal(up.state, 'done', JSON.stringify(up.items));
    assert.equal(up.items[0].verified, 'blake2b ok (1 file)');
    const inPod = path.join(f.root('shell'), 'tmp/big.bin');
    assert.equal((await fsp.stat(inPod)).size, GIB << 20);

    const back = path.join(f.tmp, 'back');
    await fsp.mkdir(back);
    t0 = Date.now();
    const down = await f.copy({ from: shell, paths: ['/tmp/big.bin'], to: local, toDir: back });
    const downSec = (Date.now() - t0) / 1000;
    assert.equal(down.state, 'done', JSON.stringify(down.items));
    assert.equal(down.items[0].verified, 'blake2b ok (1 file)');
    assert.equal(await sha(path.join(back, 'big.bin')), want);
    const grow = (peakRss - base) / (1 << 20);
    console.log(`1 GiB: upload ${upSec.toFixed(1)} s (${(GIB / upSec).toFixed(0)} MiB/s), download ${downSec.toFixed(1)} s (${(GIB / downSec).toFixed(0)} MiB/s), peak RSS growth ${grow.toFixed(0)} MiB (test cluster in the same process)`);
    // The test cluster runs in this process too; the bound is generous, but a buffered GiB would blow it.
    assert.ok(grow < 400, `memory grew by ${grow.toFixed(0)} MiB`);
  } finally {
    clearInterval(timer);
  }
});
