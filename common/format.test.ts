import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatClock, formatDuration, formatRate, formatTimestamp } from './format.ts';

test('formats times and sizes', () => {
  assert.equal(formatClock(0), '0:00');
  assert.equal(formatClock(75.9), '1:15');
  assert.equal(formatClock(3725), '1:02:05');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(300 * 1024 * 1024), '300 MiB');
});

test('sizes are IEC everywhere: one decimal below 10, whole bytes, no "1024 KiB"', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(10 * 1024), '10 KiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
  assert.equal(formatBytes(5.5 * 1024 ** 3), '5.5 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
  assert.equal(formatBytes(512.4), '512 B', 'rates are not whole numbers');
  assert.equal(formatBytes(Number.NaN), '');
  assert.equal(formatBytes(Infinity), '');
  assert.equal(formatRate(12.4 * 1024 * 1024), '12 MiB/s');
  assert.equal(formatRate(Number.NaN), '');
});

test('durations in words, rounded to what is shown', () => {
  assert.equal(formatDuration(undefined), '');
  assert.equal(formatDuration(Number.NaN), '');
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(44.6), '45 s');
  assert.equal(formatDuration(59.7), '1 min 0 s');
  assert.equal(formatDuration(125), '2 min 5 s');
  assert.equal(formatDuration(3780), '1 h 3 min');
  assert.equal(formatDuration(2 * 3600 - 10), '2 h 0 min');
});

test('timestamps in local time, the same in every locale', () => {
  const d = new Date(2026, 2, 1, 14, 5, 9);
  assert.equal(formatTimestamp(d.toISOString()), '2026-03-01 14:05');
  assert.equal(formatTimestamp(d.getTime(), { seconds: true }), '2026-03-01 14:05:09');
  assert.equal(formatTimestamp('not a time'), '');
});
