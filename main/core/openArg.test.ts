import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepLinkFromArgv } from './openArg.ts';

describe('--open', () => {
  it('turns context/namespace/pod/container into the deep link', () => {
    assert.deepEqual(deepLinkFromArgv(['electron', '.', '--open', 'kd-test-1/default/shell/main']), { hash: '#/terminal/kd-test-1/default/shell/main' });
    assert.deepEqual(deepLinkFromArgv(['x', '--open=arn:aws:eks:eu/ns/p/c']), { hash: '#/terminal/arn%3Aaws%3Aeks%3Aeu/ns/p/c' });
    assert.deepEqual(deepLinkFromArgv(['x']), { hash: '' });
  });
  it('refuses a malformed value with a clear message', () => {
    assert.match(deepLinkFromArgv(['x', '--open', 'a/b/c']).error ?? '', /context\/namespace\/pod\/container/);
    assert.match(deepLinkFromArgv(['x', '--open']).error ?? '', /expects/);
  });
});
