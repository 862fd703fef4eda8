import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordPolicy, RecordingInfo } from '../../../common/contract/index.ts';
import { filterRecordings, matchesTitle, policyContexts, recordingWhere, snippetParts, startedLabel, withContext, withMode } from './recordingList.ts';

function rec(id: string, over: Partial<RecordingInfo> = {}): RecordingInfo {
  return { id, context: 'prod', namespace: 'default', pod: 'web-1', container: 'main', command: [], started: '2024-05-01T10:00:00Z', duration: 3, size: 100, live: false, ...over };
}

test('the filter needs every word, anywhere in the row', () => {
  const list = [rec('1'), rec('2', { context: 'staging', command: ['sh', '-c', 'top'] }), rec('3', { exitCode: 3 })];
  assert.equal(filterRecordings(list, '  '), list);
  assert.deepEqual(filterRecordings(list, 'STAGING top').map((r) => r.id), ['2']);
  assert.deepEqual(filterRecordings(list, 'exit 3').map((r) => r.id), ['3']);
  assert.deepEqual(filterRecordings(list, 'prod web').map((r) => r.id), ['1', '3']);
  assert.deepEqual(filterRecordings(list, '2024-05-01').length, 3);
});

test('where a recording was made, and when', () => {
  assert.equal(recordingWhere(rec('1')), 'prod · default/web-1 · main');
  assert.equal(startedLabel('not a date'), 'not a date');
  assert.notEqual(startedLabel('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00Z');
});

test('the search title counts matches', () => {
  assert.equal(matchesTitle(0, 'x'), 'No matches for “x”');
  assert.equal(matchesTitle(1, 'x'), '1 match for “x”');
  assert.equal(matchesTitle(200, 'x'), '200+ matches for “x”');
});

test('a snippet is split around every match, in any case', () => {
  assert.deepEqual(snippetParts('echo Word and word', 'word'), [
    { text: 'echo ', match: false },
    { text: 'Word', match: true },
    { text: ' and ', match: false },
    { text: 'word', match: true },
  ]);
  assert.deepEqual(snippetParts('<b>', ''), [{ text: '<b>', match: false }]);
  assert.deepEqual(snippetParts('abc', 'x'), [{ text: 'abc', match: false }]);
});

test('the policy edits of the settings form', () => {
  const per: RecordPolicy = { mode: 'perCluster', contexts: ['a'] };
  assert.deepEqual(withMode(per, 'all'), { mode: 'all' });
  assert.deepEqual(withMode({ mode: 'none' }, 'perCluster'), { mode: 'perCluster', contexts: [] });
  assert.deepEqual(withMode(per, 'perCluster'), per);
  assert.deepEqual(withContext(per, 'b', true), { mode: 'perCluster', contexts: ['a', 'b'] });
  assert.deepEqual(withContext(per, 'a', false), { mode: 'perCluster', contexts: [] });
  assert.deepEqual(withContext({ mode: 'all' }, 'a', true), { mode: 'all' });
  assert.deepEqual(policyContexts(['a', 'b'], { mode: 'perCluster', contexts: ['b', 'gone'] }), ['a', 'b', 'gone']);
  assert.deepEqual(policyContexts(['a'], { mode: 'none' }), ['a']);
});
