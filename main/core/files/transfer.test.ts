// Transfer: totals over items, throttled progress events, rate, and the end states, without a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransferInfo } from '../../../common/contract/files.ts';
import { sleep, until } from '../../../test/util/wait.ts';
import { Cancelled } from './copyStream.ts';
import { Transfer } from './transfer.ts';

function transfer(paths: string[]): { t: Transfer; sent: TransferInfo[] } {
  const info: TransferInfo = {
    id: 't1',
    direction: 'download',
    request: { from: { kind: 'local' }, paths, to: { kind: 'local' }, toDir: '/x', conflict: 'overwrite' },
    items: paths.map((p) => ({ path: p, bytes: 0, totalBytes: 0, state: 'queued' })),
    bytes: 0,
    totalBytes: 0,
    rate: 0,
    state: 'queued',
  };
  const sent: TransferInfo[] = [];
  return { t: new Transfer(info, (i) => sent.push(i)), sent };
}

test('bytes add up over items, events are throttled, rate and time left follow', async () => {
  const { t, sent } = transfer(['/a', '/b']);
  t.start();
  const [a, b] = t.info.items;
  const hooks = t.startItem(a, {});
  const before = sent.length;
  hooks.onTotal!(1000);
  for (let i = 0; i < 10; i++) hooks.onBytes!(10);
  assert.equal(sent.length, before, 'byte updates inside 200 ms wait for the next event');
  await until('the trailing progress event', () => sent.length > before, 2000, 10);
  assert.equal(sent.at(-1)!.bytes, 100);
  assert.equal(sent.at(-1)!.totalBytes, 1000);
  await sleep(300);
  hooks.onBytes!(100);
  await until('a rate', () => sent.at(-1)!.bytes === 200, 2000, 10);
  assert.ok(sent.at(-1)!.rate > 0);
  assert.ok(sent.at(-1)!.etaSeconds! >= 0);
  t.itemDone(a, { state: 'done', verified: 'size ok (1 file)', finalPath: '/x/a', warnings: ['w'] });
  assert.equal(a.bytes, 1000);
  assert.deepEqual(a.notes, ['w']);
  t.startItem(b, {});
  t.itemFailed(b, new Error('boom'));
  t.finish();
  const last = sent.at(-1)!;
  assert.equal(last.state, 'failed');
  assert.equal(last.error, '1 of 2 items failed');
  assert.equal(last.rate, 0);
  assert.equal(last.etaSeconds, undefined);
  assert.ok(last.finished);
  assert.ok(t.settled);
});

test('cancel: queued items and a running one end as cancelled', () => {
  const queued = transfer(['/a', '/b']);
  queued.t.cancelQueued();
  assert.equal(queued.t.info.state, 'cancelled');
  assert.deepEqual(queued.t.info.items.map((i) => i.state), ['cancelled', 'cancelled']);
  assert.equal(queued.sent.at(-1)!.state, 'cancelled');

  const running = transfer(['/a']);
  running.t.start();
  const item = running.t.info.items[0];
  running.t.startItem(item, {});
  running.t.itemFailed(item, new Cancelled());
  assert.equal(item.state, 'cancelled');
  assert.equal(item.error, 'Cancelled; partial files were removed');
  running.t.abort.abort();
  running.t.finish();
  assert.equal(running.t.info.state, 'cancelled');
});
