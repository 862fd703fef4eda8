import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WRITE_FRAME_BYTES, encodeJson } from '../../../common/wire/wire.ts';
import { PASTE_CHUNK_UNITS, chunkedWrite, pasteChunks } from './pasteChunks.ts';

/** The size of the frame the wire client sends for one writeTerminal of `data`. */
const frameBytes = (data: string): number =>
  new TextEncoder().encode(encodeJson({ t: 'call', id: 2 ** 40, method: 'writeTerminal', args: ['a-terminal-id-of-sixty-four-characters-0123456789abcdef0123456789', data] })).length;

test('a paste under the limit is one write; a longer one is ordered chunks that join back to it', () => {
  assert.deepEqual(pasteChunks('ls -l\r'), ['ls -l\r']);
  const long = Array.from({ length: 30_000 }, (_, i) => `line ${i}\n`).join('');
  const chunks = pasteChunks(long);
  assert.ok(chunks.length > 1);
  assert.equal(chunks.join(''), long);
  assert.ok(chunks.every((c) => c.length <= PASTE_CHUNK_UNITS));
});

test('every chunk fits the serve limit, even of text JSON writes at 6 bytes a unit', () => {
  for (const unit of ['x', '\u0001', '"', 'é', '€', '\ud83d\ude00', '\udc00']) {
    const paste = unit.repeat(Math.ceil((3 * MAX_WRITE_FRAME_BYTES) / unit.length));
    const chunks = pasteChunks(paste);
    assert.equal(chunks.join(''), paste);
    for (const c of chunks) assert.ok(frameBytes(c) <= MAX_WRITE_FRAME_BYTES, `${JSON.stringify(unit)}: a frame of ${frameBytes(c)} bytes`);
  }
});

test('a surrogate pair is never split between chunks', () => {
  const chunks = pasteChunks('a' + '\ud83d\ude00'.repeat(10), 4);
  assert.deepEqual(chunks, ['a\ud83d\ude00', '\ud83d\ude00\ud83d\ude00', '\ud83d\ude00\ud83d\ude00', '\ud83d\ude00\ud83d\ude00', '\ud83d\ude00\ud83d\ude00', '\ud83d\ude00']);
  assert.ok(chunks.every((c) => !/[\ud800-\udbff]$/.test(c)));
});

test('chunked writes go out at once and in order; the result waits for all and reports the first error', async () => {
  const sent: string[] = [];
  const answers: (() => void)[] = [];
  const write = chunkedWrite((id, data) => {
    sent.push(`${id}:${data}`);
    return new Promise<void>((resolve) => answers.push(resolve));
  }, 3);
  let done = false;
  const p = write('t1', 'abcdefgh').then(() => (done = true));
  assert.deepEqual(sent, ['t1:abc', 't1:def', 't1:gh']);
  answers[0]();
  answers[2]();
  await Promise.resolve();
  assert.equal(done, false);
  answers[1]();
  await p;
  assert.equal(done, true);

  const failing = chunkedWrite(async (_id, data) => {
    if (data === 'def') throw new Error('terminal t1 is disconnected, not connected');
  }, 3);
  await assert.rejects(failing('t1', 'abcdefgh'), /disconnected/);
});
