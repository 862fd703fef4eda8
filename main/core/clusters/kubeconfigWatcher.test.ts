// Following kubeconfig edits: a change settles before onChange, unchanged polls are ignored,
// dropped files are released and close() releases everything.
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { describe, it } from 'node:test';
import { sleep } from '../../../test/util/wait.ts';
import { KubeconfigWatcher, type FilePoller } from './kubeconfigWatcher.ts';

type Listener = (cur: Stats, prev: Stats) => void;

function fakePoller(): FilePoller & { listeners: Map<string, Listener>; intervals: number[] } {
  const listeners = new Map<string, Listener>();
  const intervals: number[] = [];
  return {
    listeners,
    intervals,
    watchFile: (file, opts, listener) => {
      intervals.push(opts.interval);
      listeners.set(file, listener);
    },
    unwatchFile: (file, listener) => {
      if (listeners.get(file) === listener) listeners.delete(file);
    },
  };
}

const stat = (mtimeMs: number, size = 10, ino = 1) => ({ mtimeMs, size, ino }) as Stats;

describe('kubeconfig watcher', () => {
  it('calls onChange once after a burst of writes has settled, and not for an unchanged poll', async () => {
    const poller = fakePoller();
    let changes = 0;
    const w = new KubeconfigWatcher({ intervalMs: 100, settleMs: 30, poller, onChange: () => changes++ });
    try {
      w.follow(['/a']);
      assert.deepEqual(poller.intervals, [100]);
      const fire = poller.listeners.get('/a')!;
      fire(stat(1), stat(1));
      await sleep(60);
      assert.equal(changes, 0, 'same mtime, size and inode: no change');
      fire(stat(2), stat(1));
      fire(stat(3), stat(2));
      fire(stat(3, 11), stat(3));
      await sleep(60);
      assert.equal(changes, 1);
    } finally {
      w.close();
    }
  });

  it('follows exactly the files it is given, and releases them on close', () => {
    const poller = fakePoller();
    const w = new KubeconfigWatcher({ intervalMs: 100, poller, onChange: () => undefined });
    w.follow(['/a', '/b']);
    w.follow(['/b', '/c']);
    assert.deepEqual([...poller.listeners.keys()].sort(), ['/b', '/c']);
    assert.deepEqual(w.files().sort(), ['/b', '/c']);
    w.close();
    assert.equal(poller.listeners.size, 0);
    w.follow(['/d']);
    assert.equal(poller.listeners.size, 0, 'closed: nothing is watched again');
  });

  it('watches nothing with an interval of 0, and a change after close is dropped', async () => {
    const poller = fakePoller();
    new KubeconfigWatcher({ intervalMs: 0, poller, onChange: () => undefined }).follow(['/a']);
    assert.equal(poller.listeners.size, 0);
    let changes = 0;
    const w = new KubeconfigWatcher({ intervalMs: 100, settleMs: 10, poller, onChange: () => changes++ });
    w.follow(['/a']);
    const fire = poller.listeners.get('/a')!;
    fire(stat(2), stat(1));
    w.close();
    await sleep(40);
    assert.equal(changes, 0);
  });
});
