// One live list over a fake informer: debounced list events, the first list or failure makes it
// ready, failures re-probe and retry with backoff, a reconnect clears the error, stop() ends it all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { sleep, until } from '../../../test/util/wait.ts';
import { ResourceWatch } from './resourceWatch.ts';

class FakeInformer implements Informer<KubernetesObject>, ObjectCache<KubernetesObject> {
  items: KubernetesObject[] = [];
  starts = 0;
  stopped = false;
  startResult: () => Promise<void> = async () => undefined;
  private handlers = new Map<string, ((arg: never) => void)[]>();
  on(verb: string, cb: (arg: never) => void): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  off(): void {}
  fire(verb: string, arg?: unknown): void {
    for (const cb of this.handlers.get(verb) ?? []) cb(arg as never);
  }
  start(): Promise<void> {
    this.starts++;
    return this.startResult();
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  get(): KubernetesObject | undefined {
    return undefined;
  }
  list(): readonly KubernetesObject[] {
    return this.items;
  }
}

function watch(informer: FakeInformer) {
  const calls = { lists: 0, rechecks: 0 };
  const w = new ResourceWatch({
    informer,
    onList: () => calls.lists++,
    recheck: () => calls.rechecks++,
    describe: (err) => `described: ${(err as Error).message}`,
    emitDelayMs: 20,
  });
  return { w, calls };
}

describe('resource watch', () => {
  it('is ready after the first list, and turns a burst of events into one list event', async () => {
    const informer = new FakeInformer();
    informer.items = [{ metadata: { name: 'a' } }];
    const { w, calls } = watch(informer);
    try {
      await w.ready;
      assert.equal(w.lastError, undefined);
      assert.deepEqual(w.list().map((o) => o.metadata?.name), ['a']);
      await until('first list event', () => calls.lists === 1);
      informer.fire('add');
      informer.fire('update');
      informer.fire('delete');
      await sleep(60);
      assert.equal(calls.lists, 2);
    } finally {
      w.stop();
    }
  });

  it('a failed first list makes it ready with the reason', async () => {
    const informer = new FakeInformer();
    informer.startResult = () => Promise.reject(new Error('401'));
    const { w } = watch(informer);
    try {
      await w.ready;
      assert.equal(w.lastError, 'described: 401');
    } finally {
      w.stop();
    }
  });

  it('on an error: says why, re-probes, retries; a reconnect clears the error and re-probes', async () => {
    const informer = new FakeInformer();
    const { w, calls } = watch(informer);
    try {
      await w.ready;
      informer.fire('error', new Error('reset'));
      assert.equal(w.lastError, 'described: reset');
      assert.equal(calls.rechecks, 1);
      await until('retried after the backoff', () => informer.starts === 2, 3000);
      informer.fire('connect');
      assert.equal(w.lastError, undefined);
      assert.equal(calls.rechecks, 2);
      informer.fire('connect');
      assert.equal(calls.rechecks, 2, 'a connect without an error before it is not news');
    } finally {
      w.stop();
    }
  });

  it('retryNow skips the backoff; stop() ends retries and events', async () => {
    const informer = new FakeInformer();
    const { w, calls } = watch(informer);
    await w.ready;
    await until('first list event', () => calls.lists === 1);
    w.retryNow();
    assert.equal(informer.starts, 1, 'nothing to retry while healthy');
    informer.fire('error', new Error('gone'));
    w.retryNow();
    assert.equal(informer.starts, 2);
    w.stop();
    assert.ok(informer.stopped);
    informer.fire('error', new Error('after stop'));
    assert.equal(w.lastError, 'described: gone', 'errors after stop are ignored');
    informer.fire('add');
    await sleep(60);
    assert.equal(calls.lists, 1);
  });
});
