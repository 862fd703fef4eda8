import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerLog, logOptions, parseRfc3339, rfc3339Nano } from './podLogs.ts';

test('timestamps are Go RFC3339Nano: trailing zeros of the fraction dropped; parsed back to the nanosecond', () => {
  const ns = 1_764_000_000_123_450_000n;
  assert.equal(rfc3339Nano(ns), '2025-11-24T16:00:00.12345Z');
  assert.equal(rfc3339Nano(1_764_000_000_000_000_000n), '2025-11-24T16:00:00Z');
  assert.equal(parseRfc3339('2025-11-24T16:00:00.12345Z'), ns);
  assert.equal(parseRfc3339('2025-11-24T17:00:00+01:00'), 1_764_000_000_000_000_000n);
  assert.equal(parseRfc3339('yesterday'), undefined);
});

test('PodLogOptions are checked as the API server checks them', () => {
  assert.throws(() => logOptions(new URLSearchParams('tailLines=-1')), /tailLines: Invalid value: -1: must be greater than or equal to 0/);
  assert.throws(() => logOptions(new URLSearchParams('limitBytes=0')), /limitBytes: Invalid value: 0: must be greater than 0/);
  assert.throws(() => logOptions(new URLSearchParams('sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z')), /at most one of sinceTime or sinceSeconds/);
  assert.throws(() => logOptions(new URLSearchParams('sinceTime=soon')), /parsing time "soon"/);
  const o = logOptions(new URLSearchParams('follow=true&previous=1&timestamps=false&tailLines=3'));
  assert.deepEqual([o.follow, o.previous, o.timestamps, o.tailLines], [true, true, false, 3]);
});

test('a log keeps complete lines in order; a partial line waits for its newline or the end', () => {
  const log = new ContainerLog();
  log.write(Buffer.from('one\ntw'));
  log.write(Buffer.from('o\nthr'));
  assert.deepEqual(log.entries.map((e) => e.text.toString()), ['one\n', 'two\n']);
  log.end();
  assert.deepEqual(log.entries.map((e) => e.text.toString()), ['one\n', 'two\n', 'thr']);
  assert.ok(log.entries[0].ns < log.entries[1].ns && log.entries[1].ns < log.entries[2].ns);
});
