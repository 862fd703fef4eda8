import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { until } from '../../../test/util/wait.ts';
import { OutputBatcher } from './outputBatcher.ts';

const text = (chunks: Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString());

describe('output batcher', () => {
  it('sends a lone chunk at once (an echo waits for no timer), and batches what follows within the window', async () => {
    const sent: Uint8Array[] = [];
    let now = 0;
    const b = new OutputBatcher({ flush: (d) => sent.push(d), windowMs: 5, now: () => now });
    b.push(Buffer.from('a'));
    assert.deepEqual(text(sent), ['a']);
    b.push(Buffer.from('b'));
    b.push(Buffer.from('c'));
    assert.deepEqual(text(sent), ['a'], 'held for the window');
    now = 10;
    await until('the window flushed', () => sent.length === 2);
    assert.deepEqual(text(sent), ['a', 'bc']);
    b.dispose();
  });

  it('sends at the size limit without waiting, and flush() empties it on demand', () => {
    const sent: Uint8Array[] = [];
    const b = new OutputBatcher({ flush: (d) => sent.push(d), windowMs: 1000, maxBytes: 4, now: () => 0 });
    b.push(Buffer.from('1'));
    b.push(Buffer.from('23'));
    b.push(Buffer.from('45'));
    assert.deepEqual(text(sent), ['1', '2345']);
    b.push(Buffer.from('6'));
    b.flush();
    assert.deepEqual(text(sent), ['1', '2345', '6']);
    b.dispose();
  });
});
