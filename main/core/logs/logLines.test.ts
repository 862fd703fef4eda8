import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, LogCursor, timeKey, type TimedLine } from './logLines.ts';

test('timeKey sorts as time does, whatever the precision and offset', () => {
  const keys = ['2026-12-02T16:00:00Z', '2026-12-02T16:00:00.1Z', '2026-12-02T16:00:00.25Z', '2026-12-02T17:00:01+01:00'].map(timeKey);
  assert.deepEqual(keys, ['2026-12-02T16:00:00.000000000Z', '2026-12-02T16:00:00.100000000Z', '2026-12-02T16:00:00.250000000Z', '2026-12-02T16:00:01.000000000Z']);
  assert.equal(timeKey('not a time'), undefined);
});

test('lines split across chunks and inside a UTF-8 character come out whole; the last one at the end', () => {
  const s = new LineSplitter();
  const euro = Buffer.from('2026-12-02T16:00:00.5Z price 5€\n2026-12-02T16:00:01Z tail');
  const a = s.push(euro.subarray(0, 30));
  const b = s.push(euro.subarray(30));
  assert.deepEqual(a, []);
  assert.deepEqual(b.map((l) => [l.time, l.text]), [['2026-12-02T16:00:00.5Z', 'price 5€']]);
  assert.deepEqual(s.end().map((l) => l.text), ['tail']);
});

test('a reconnect from the last time repeats no line, also when several share that time and more comes back than asked', () => {
  const line = (sec: number, text: string): TimedLine => ({ time: `t${sec}`, key: timeKey(`2026-12-02T16:00:0${sec}Z`)!, text });
  const c = new LogCursor();
  const first = [line(1, 'a'), line(2, 'b'), line(2, 'c')].filter((l) => c.admit(l));
  assert.equal(first.length, 3);
  assert.equal(c.lastTime, 't2');
  c.rewind();
  const again = [line(1, 'a'), line(2, 'b'), line(2, 'c'), line(2, 'd'), line(3, 'e')].filter((l) => c.admit(l));
  assert.deepEqual(again.map((l) => l.text), ['d', 'e']);
});
