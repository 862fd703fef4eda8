import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryBool } from './queryBool.ts';

const read = (query: string) => queryBool(new URLSearchParams(query), 'stdout');

test('true: every spelling strconv.ParseBool accepts as true, and what the API server also takes as true', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', '', 'yes']) assert.equal(read(`stdout=${v}`), true, v);
  assert.equal(read('stdout'), true, 'a bare key is the empty string');
});

test('false: absent, 0 and false in any case', () => {
  for (const v of ['0', 'FALSE', 'false', 'False', 'fAlSe']) assert.equal(read(`stdout=${v}`), false, v);
  assert.equal(read('stdin=true'), false, 'absent');
});

test('the first value counts, as in Go', () => {
  assert.equal(read('stdout=false&stdout=true'), false);
  assert.equal(read('stdout=True&stdout=0'), true);
});
