// The sentences a user reads for what Kubernetes (or the network in between) answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeApiError, describeHttpFailure, describeNetworkError } from './apiErrors.ts';

test('an HTTP code with a Status body, plain text, or nothing', () => {
  const status = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'pods "x" is forbidden: no', reason: 'Forbidden', code: 403 });
  assert.deepEqual(describeHttpFailure(403, status).message, '403 Forbidden: pods "x" is forbidden: no');
  assert.equal(describeHttpFailure(403, status).status?.reason, 'Forbidden');
  assert.equal(describeHttpFailure(502, '<html>Bad gateway</html>\n').message, '502 error: <html>Bad gateway</html>');
  assert.equal(describeHttpFailure(401, '').message, '401 Unauthorized: the credentials were rejected (check the token or client certificate of this context)');
  assert.equal(describeHttpFailure(404, '').message, '404 Not Found');
});

test('network and TLS failures name the server', () => {
  assert.equal(describeNetworkError({ code: 'ECONNREFUSED' }, 'https://k:6443'), 'cannot reach https://k:6443: connection refused');
  assert.equal(describeNetworkError({ cause: { code: 'ENOTFOUND' } }), 'cannot reach: host not found');
  assert.equal(describeNetworkError({ code: 'ECONNRESET' }), 'connection to the server was reset');
  assert.match(describeNetworkError({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'https://k'), /^TLS certificate of https:\/\/k not trusted \(SELF_SIGNED_CERT_IN_CHAIN\); check certificate-authority/);
  assert.equal(describeNetworkError(new Error('fetch failed', { cause: new Error('socket hang up') })), 'fetch failed (socket hang up)');
});

test('describeApiError: REST exceptions by code and body, anything else as a network error', () => {
  assert.deepEqual(describeApiError({ code: 403, body: { message: 'nope' } }), { reason: '403 Forbidden: nope', code: 403 });
  assert.deepEqual(describeApiError({ statusCode: 500, body: 'boom' }), { reason: '500 Internal Server Error: boom', code: 500 });
  assert.deepEqual(describeApiError({ code: 'ETIMEDOUT' }, 'https://k'), { reason: 'cannot reach https://k: connection timed out' });
});
