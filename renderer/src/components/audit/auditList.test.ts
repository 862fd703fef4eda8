import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry } from '../../../../common/contract/index.ts';
import { auditKinds, detailPairs, filterAudit } from './auditList.ts';

function entry(seq: number, kind: string, details: Record<string, unknown> = {}, who = 'me'): AuditEntry {
  return { seq, time: `2024-01-0${seq}T00:00:00Z`, kind, who, details, hash: `h${seq}`, prev: `h${seq - 1}` };
}

const entries = [entry(1, 'terminal.open', { pod: 'web-1' }), entry(2, 'files.transfer', { paths: ['/a', '/b'] }, 'ci'), entry(3, 'terminal.close', { pod: 'web-1', code: 0 })];

test('kinds are listed once, sorted', () => {
  assert.deepEqual(auditKinds([...entries, entry(4, 'files.transfer')]), ['files.transfer', 'terminal.close', 'terminal.open']);
});

test('filters by kind and by every word, newest first, leaving the list as it was', () => {
  assert.deepEqual(filterAudit(entries, '', '').map((e) => e.seq), [3, 2, 1]);
  assert.deepEqual(filterAudit(entries, 'terminal.open', '').map((e) => e.seq), [1]);
  assert.deepEqual(filterAudit(entries, '', 'WEB-1 close').map((e) => e.seq), [3]);
  assert.deepEqual(filterAudit(entries, '', 'ci /b').map((e) => e.seq), [2]);
  assert.deepEqual(filterAudit(entries, '', '2024-01-01').map((e) => e.seq), [1]);
  assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3]);
});

test('details read as text', () => {
  assert.deepEqual(detailPairs(entry(1, 'k', { paths: ['/a', '/b'], size: 3, obj: { x: 1 }, none: null })), [
    ['paths', '/a /b'],
    ['size', '3'],
    ['obj', '{"x":1}'],
    ['none', ''],
  ]);
});
