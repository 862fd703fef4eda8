import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { until } from '../../../test/util/wait.ts';
import { OutputBatcher, QUICK_BYTES } from './outputBatcher.ts';

const text = (chunks: Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString());

describe('output batcher', () => {
  it('sends small output at once (echoes of fast typing wait for no timer), and batches a burst within the window', async () => {
    const sent: Uint8Array[] = [];
    let now = 0;
    const b = new OutputBatcher({ flush: (d) => sent.push(d), windowMs: 5, now: () => now });
    for (const key of 'abc') b.push(Buffer.from(key));
    assert.deepEqual(text(sent), ['a', 'b', 'c'], 'each echo sent as it came, all within one window');
    const line = 'x'.repeat(QUICK_BYTES);
    b.push(Buffer.from(line));
    b.push(Buffer.from('y'));
    assert.equal(sent.length, 3, 'a burst beyond the quick budget is held for the window');
    now = 10;
    await until('the window flushed', () => sent.length === 4);
    assert.deepEqual(text(sent).slice(3), [line + 'y']);
    b.push(Buffer.from('z'));
    assert.deepEqual(text(sent).slice(4), ['z'], 'a new window: small output goes at once again');
    b.dispose();
  });

  it('sends at the size limit without waiting, and flush() empties it on demand', () => {
    const sent: Uint8Array[] = [];
    const b = new OutputBatcher({ flush: (d) => sent.push(d), windowMs: 1000, maxBytes: 6, now: () => 0 });
    b.push(Buffer.from('1'.repeat(QUICK_BYTES)));
    b.push(Buffer.from('23'));
    b.push(Buffer.from('45'));
    assert.equal(sent.length, 1, 'the quick budget is spent: the rest waits');
    b.push(Buffer.from('67'));
    assert.deepEqual(text(sent).slice(1), ['234567'], 'sent at the size limit');
    b.push(Buffer.from('8'));
    b.flush();
    assert.deepEqual(text(sent).slice(2), ['8']);
    b.dispose();
  });
});
