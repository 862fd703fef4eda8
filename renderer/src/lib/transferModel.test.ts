import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransferInfo } from '../../../common/contract/index.ts';
import { applyProgress, directionLabel, isActive, itemMark, itemName, percent, sameLocation, stageFile, transferTitle, withoutFinished } from './transferModel.ts';

function transfer(id: string, state: TransferInfo['state'], paths = ['/tmp/a.txt']): TransferInfo {
  return {
    id,
    direction: 'upload',
    request: { from: { kind: 'local' }, paths, to: { kind: 'container', context: 'c', namespace: 'n', pod: 'p', container: 'k' }, toDir: '/tmp', conflict: 'keepBoth' },
    items: paths.map((path) => ({ path, bytes: 0, totalBytes: 10, state: state === 'done' ? 'done' : 'queued' })),
    bytes: 0,
    totalBytes: 10,
    rate: 0,
    state,
  };
}

test('a progress event for a new transfer goes first; one that ends it says so once', () => {
  const old = transfer('1', 'done');
  let r = applyProgress([old], transfer('2', 'running'));
  assert.deepEqual(r.list.map((t) => t.id), ['2', '1']);
  assert.equal(r.finished, false);
  r = applyProgress(r.list, transfer('2', 'done'));
  assert.deepEqual(r.list.map((t) => [t.id, t.state]), [['2', 'done'], ['1', 'done']]);
  assert.equal(r.finished, true);
  // The same end again (a repeated event) does not refresh the pane a second time.
  assert.equal(applyProgress(r.list, transfer('2', 'done')).finished, false);
  // A transfer first seen already over (started elsewhere, ended fast) counts as finished.
  assert.equal(applyProgress([], transfer('3', 'failed')).finished, true);
});

test('applying progress leaves the old list as it was', () => {
  const list = [transfer('1', 'running')];
  applyProgress(list, transfer('1', 'done'));
  assert.equal(list[0].state, 'running');
});

test('active transfers are kept by "clear finished"', () => {
  const list = [transfer('1', 'queued'), transfer('2', 'running'), transfer('3', 'done'), transfer('4', 'failed'), transfer('5', 'cancelled')];
  assert.deepEqual(withoutFinished(list).map((t) => t.id), ['1', '2']);
  assert.equal(isActive({ state: 'cancelled' }), false);
});

test('locations compare by value', () => {
  const a = { kind: 'container', context: 'c', namespace: 'n', pod: 'p', container: 'k' } as const;
  assert.ok(sameLocation(a, { ...a }));
  assert.ok(!sameLocation(a, { ...a, pod: 'q' }));
  assert.ok(sameLocation({ kind: 'local' }, { kind: 'local' }));
  assert.ok(!sameLocation(undefined, undefined));
});

test('what a row says', () => {
  assert.equal(directionLabel('download'), 'container → local');
  assert.equal(directionLabel('container'), 'container → container');
  assert.equal(percent(5, 10), 50);
  assert.equal(percent(5, 0), 0);
  assert.equal(percent(20, 10), 100);
  assert.equal(itemMark('skipped'), '↷');
  assert.equal(itemName({ path: '/a/b.txt' }), 'b.txt');
  assert.equal(itemName({ path: '/a/b.txt', finalPath: '/x/b (1).txt' }), 'b.txt → b (1).txt');
  assert.equal(itemName({ path: '/a/dir/', finalPath: '/x/dir' }), 'dir');
  assert.equal(transferTitle(transfer('1', 'done', ['/a/one'])), 'one');
  assert.equal(transferTitle(transfer('1', 'done', ['/a/one', '/a/two'])), '2 items');
});

test('a dropped file is sent in chunks, the last one final', async () => {
  const data = new Uint8Array(10).map((_, i) => i);
  const calls: [string, number[], number, boolean][] = [];
  const progress: number[] = [];
  const path = await stageFile(
    { name: 'f.bin', size: data.length, read: async (a, b) => data.slice(a, b) },
    async (name, bytes, offset, final) => {
      calls.push([name, [...bytes], offset, final]);
      return { path: `/stage/${name}` };
    },
    (sent) => progress.push(sent),
    4,
  );
  assert.equal(path, '/stage/f.bin');
  assert.deepEqual(calls, [
    ['f.bin', [0, 1, 2, 3], 0, false],
    ['f.bin', [4, 5, 6, 7], 4, false],
    ['f.bin', [8, 9], 8, true],
  ]);
  assert.deepEqual(progress, [0, 4, 8]);
});

test('an empty dropped file is one final call', async () => {
  const calls: [number, number, boolean][] = [];
  const path = await stageFile(
    { name: 'empty', size: 0, read: async () => assert.fail('nothing to read') },
    async (_name, bytes, offset, final) => {
      calls.push([bytes.length, offset, final]);
      return { path: '/stage/empty' };
    },
    () => {},
  );
  assert.equal(path, '/stage/empty');
  assert.deepEqual(calls, [[0, 0, true]]);
});
