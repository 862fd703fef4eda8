import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrustedSender } from './ipcPolicy.ts';

describe('IPC sender check', () => {
  const main = { url: 'kubedeck://app/index.html#/terminal/a/b/c/d' };
  it("accepts the app's own top frame", () => {
    assert.equal(isTrustedSender({ senderFrame: main, sender: { mainFrame: main } }), true);
  });
  it('refuses subframes, other origins, destroyed frames and junk', () => {
    const sub = { url: 'kubedeck://app/index.html' };
    assert.equal(isTrustedSender({ senderFrame: sub, sender: { mainFrame: main } }), false);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'kubedeck://other/index.html', 'not a url', 'kubedeck://app.evil/']) {
      const f = { url };
      assert.equal(isTrustedSender({ senderFrame: f, sender: { mainFrame: f } }), false, url);
    }
    assert.equal(isTrustedSender({ senderFrame: null, sender: { mainFrame: main } }), false);
  });
});
