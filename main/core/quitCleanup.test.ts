import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createQuitHandler } from './quitCleanup.ts';

describe('quit cleanup', () => {
  it('holds the first quit until cleanup is done, then quits once', async () => {
    let prevented = 0;
    let quits = 0;
    let finish!: () => void;
    const handler = createQuitHandler({ cleanup: () => new Promise<void>((r) => (finish = r)), quit: () => quits++ });
    const event = { preventDefault: () => prevented++ };
    handler(event);
    handler(event); // a second quit while cleaning is held too
    assert.equal(prevented, 2);
    assert.equal(quits, 0);
    finish();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(quits, 1);
    handler(event); // the app's own second quit goes through
    assert.equal(prevented, 2);
  });

  it('quits anyway when cleanup hangs or fails', async () => {
    let quits = 0;
    createQuitHandler({ cleanup: () => new Promise<void>(() => undefined), quit: () => quits++, timeoutMs: 20 })({ preventDefault() {} });
    createQuitHandler({ cleanup: () => Promise.reject(new Error('boom')), quit: () => quits++ })({ preventDefault() {} });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(quits, 2);
  });
});
