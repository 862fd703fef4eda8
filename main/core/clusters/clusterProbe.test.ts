// A status probe: connected with the version, the HTTP failure sentence with its code, the network
// sentence, and "no answer" when the server keeps silent past the time limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeCluster } from './clusterProbe.ts';

const server = 'https://127.0.0.1:6443';

describe('cluster probe', () => {
  it('is connected with the server version', async () => {
    assert.deepEqual(await probeCluster(async () => ({ gitVersion: 'v1.31.0' }), { server, timeoutMs: 1000 }), { state: 'connected', serverVersion: 'v1.31.0' });
  });

  it('gives the HTTP failure with its code', async () => {
    const status = await probeCluster(() => Promise.reject(Object.assign(new Error('HTTP'), { code: 401, body: '' })), { server, timeoutMs: 1000 });
    assert.equal(status.state, 'error');
    assert.equal((status as { code?: number }).code, 401);
    assert.match((status as { reason: string }).reason, /^401 Unauthorized/);
  });

  it('names the server of a network failure, without a code', async () => {
    const status = await probeCluster(() => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), { server, timeoutMs: 1000 });
    assert.deepEqual(status, { state: 'error', reason: `cannot reach ${server}: connection refused` });
  });

  it('gives up after the time limit', async () => {
    const status = await probeCluster(() => new Promise(() => undefined), { server, timeoutMs: 50 });
    assert.deepEqual(status, { state: 'error', reason: `no answer from ${server} within 0.05 s` });
  });

  it('counts a call that throws at once as a failure', async () => {
    const status = await probeCluster(() => {
      throw new Error('bad client');
    }, { server, timeoutMs: 1000 });
    assert.deepEqual(status, { state: 'error', reason: 'bad client' });
  });
});
