import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServeArgs } from './serveCommand.ts';

describe('kubedeck serve arguments', () => {
  it('defaults to loopback and a free port', () => {
    assert.deepEqual(parseServeArgs([]), { port: 0, host: '127.0.0.1' });
  });
  it('reads --port, --host, --kubeconfig, --token in both spellings', () => {
    assert.deepEqual(parseServeArgs(['--port', '8080', '--kubeconfig=/k', '--host', '::1', '--token', 'x'.repeat(20)]), {
      port: 8080,
      host: '::1',
      kubeconfig: '/k',
      token: 'x'.repeat(20),
    });
  });
  it('reads --user and --rotate-share-key', () => {
    assert.deepEqual(parseServeArgs(['--user', 'ann', '--rotate-share-key']), { port: 0, host: '127.0.0.1', user: 'ann', rotateShareKey: true });
    assert.throws(() => parseServeArgs(['--user', 'a b']), /--user must be/);
    assert.throws(() => parseServeArgs(['--rotate-share-key=yes']), /takes no value/);
  });

  it('reads the SSH gateway options', () => {
    assert.deepEqual(parseServeArgs(['--ssh-port', '2222', '--ssh-authorized-keys', '/k', '--ssh-host-key=/h']), {
      port: 0,
      host: '127.0.0.1',
      sshPort: 2222,
      sshAuthorizedKeys: '/k',
      sshHostKey: '/h',
    });
    assert.throws(() => parseServeArgs(['--ssh-port', 'ssh']), /--ssh-port must be a number/);
    assert.throws(() => parseServeArgs(['--ssh-host-key', '/h']), /--ssh-host-key needs --ssh-port/);
  });

  it('refuses bad input with a clear message', () => {
    assert.throws(() => parseServeArgs(['--port', 'http']), /--port must be a number/);
    assert.throws(() => parseServeArgs(['--port', '70000']), /--port must be a number/);
    assert.throws(() => parseServeArgs(['--kubeconfig']), /needs a value/);
    assert.throws(() => parseServeArgs(['--token', 'short']), /at least 16/);
    assert.throws(() => parseServeArgs(['--frobnicate']), /unknown option "--frobnicate"\nusage: kubedeck serve/);
  });
});
