// kubectl cp's path syntax and the options of `kubedeck cp`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpArgs, parseRemote } from './cp.ts';

test('remote specs as kubectl cp reads them', () => {
  assert.deepEqual(parseRemote('ns/pod:/a b/c'), { namespace: 'ns', pod: 'pod', path: '/a b/c' });
  assert.deepEqual(parseRemote('pod:/x'), { pod: 'pod', path: '/x' });
  assert.deepEqual(parseRemote('pod:rel/x'), { pod: 'pod', path: 'rel/x' });
  assert.equal(parseRemote('/local/file'), undefined);
  assert.equal(parseRemote('./with:colon'), undefined);
  assert.equal(parseRemote('C:\\Users\\x'), undefined);
  assert.equal(parseRemote(':/x'), undefined);
});

test('options and usage errors', () => {
  assert.deepEqual(parseCpArgs(['--context', 'c1', '-c', 'main', '--kubeconfig=/k', 'a', 'b']), {
    compress: 'auto',
    context: 'c1',
    container: 'main',
    kubeconfig: '/k',
    src: 'a',
    dst: 'b',
  });
  assert.equal(parseCpArgs(['--no-compress', '--', '-dash', 'p:/x']).src, '-dash');
  assert.throws(() => parseCpArgs(['only-one']), /exactly SRC and DST/);
  assert.throws(() => parseCpArgs(['--bogus', 'a', 'b']), /unknown option --bogus/);
  assert.throws(() => parseCpArgs(['-c']), /-c needs a value/);
});
