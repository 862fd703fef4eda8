import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiresIn, startShare, takeFragmentToken } from './shareLink.ts';

describe('share page start', () => {
  it('takes the token from the fragment and removes it from the address bar', () => {
    const calls: string[] = [];
    const t = takeFragmentToken({ hash: '#t=a.b.c', pathname: '/share', search: '?renderer=dom' }, { replaceState: (_s, _t, url) => calls.push(String(url)) });
    assert.equal(t, 'a.b.c');
    assert.deepEqual(calls, ['/share?renderer=dom']);
    assert.equal(takeFragmentToken({ hash: '', pathname: '/share', search: '' }, { replaceState: () => calls.push('x') }), undefined);
    assert.equal(calls.length, 1);
  });

  it('posts the token once, or asks for the status; a refusal is a sentence', async () => {
    const seen: string[] = [];
    const fetchFn = async (url: string, init?: { method?: string; body?: string }) => {
      seen.push(`${init?.method ?? 'GET'} ${url} ${init?.body ?? ''}`);
      return url === '/share/exchange'
        ? { status: 403, json: async () => ({ ok: false, message: 'This share link has expired. Ask for a new one.' }) }
        : { status: 502, json: async () => Promise.reject(new Error('html')) };
    };
    assert.deepEqual(await startShare(fetchFn, 'a.b.c'), { ok: false, message: 'This share link has expired. Ask for a new one.' });
    assert.match((await startShare(fetchFn, undefined)).ok ? '' : 'The server answered 502', /502/);
    assert.deepEqual(seen, ['POST /share/exchange {"token":"a.b.c"}', 'GET /share/status ']);
  });

  it('says when a link expires', () => {
    assert.equal(expiresIn(1000 + 59 * 60_000 + 500, 1000), 'expires in 59 min');
    assert.equal(expiresIn(3 * 3600_000 + 5 * 60_000, 0), 'expires in 3 h 5 min');
    assert.equal(expiresIn(5 * 86400_000, 0), 'expires in 5 days');
    assert.equal(expiresIn(0, 1), 'has expired');
  });
});
