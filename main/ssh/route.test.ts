import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, routeName } from './route.ts';

const d = { currentContext: 'kd-test-1', namespaceOf: (c: string) => (c === 'kd-test-1' ? 'team' : undefined) };

describe('SSH user name → container', () => {
  it('reads the full form and the short ones', () => {
    assert.deepEqual(parseRoute('kd-test-2/default/shell/main', d), { context: 'kd-test-2', namespace: 'default', pod: 'shell', container: 'main' });
    assert.deepEqual(parseRoute('kd-test-2/default/shell', d), { context: 'kd-test-2', namespace: 'default', pod: 'shell', container: '' });
    assert.deepEqual(parseRoute('ops/web', d), { context: 'kd-test-1', namespace: 'ops', pod: 'web', container: '' });
    // The short form `pod` uses the current context's own namespace.
    assert.deepEqual(parseRoute('web', d), { context: 'kd-test-1', namespace: 'team', pod: 'web', container: '' });
    assert.equal(parseRoute('web', { currentContext: 'x' }).namespace, 'default');
  });
  it('decodes %2F and other escapes in names', () => {
    const r = parseRoute('arn:aws:eks:eu-west-1:1:cluster%2Fprod/default/web', d);
    assert.equal(r.context, 'arn:aws:eks:eu-west-1:1:cluster/prod');
    assert.equal(routeName(r), 'arn:aws:eks:eu-west-1:1:cluster%2Fprod/default/web');
  });
  it('refuses what is not an address, with the help', () => {
    assert.throws(() => parseRoute('a/b/c/d/e', d), /not a pod address: log in as context\/namespace\/pod/);
    assert.throws(() => parseRoute('a//b', d), /not a pod address/);
    assert.throws(() => parseRoute('a/%zz/b', d), /bad %-escape/);
    assert.throws(() => parseRoute('web', {}), /no current-context/);
  });
});
