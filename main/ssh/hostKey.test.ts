import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HOST_KEY_FILE, loadHostKey } from './hostKey.ts';

describe('SSH host key', () => {
  it('is made once (Ed25519, 0600) and kept; its fingerprint is what ssh-keygen prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-hostkey-'));
    try {
      const first = loadHostKey({ dataDir: dir });
      assert.equal(statSync(join(dir, HOST_KEY_FILE)).mode & 0o777, 0o600);
      assert.match(first.publicLine, /^ssh-ed25519 /);
      const again = loadHostKey({ dataDir: dir });
      assert.equal(again.fingerprint, first.fingerprint);
      const printed = execFileSync('ssh-keygen', ['-lf', join(dir, `${HOST_KEY_FILE}.pub`)], { encoding: 'utf8' });
      assert.ok(printed.includes(first.fingerprint), printed);
      assert.throws(() => loadHostKey({ dataDir: dir, file: join(dir, 'missing') }), /--ssh-host-key .*no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
