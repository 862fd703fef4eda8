// The sftp subsystem's fallback: an image whose sftp-server gives up before its first reply (as OpenSSH's
// does with "No user found for uid" in a container run as a uid without a passwd entry) is served by
// Kubedeck's own SFTP in the same session. The stand-in sftp-server here first swallows the client's INIT
// (9 bytes) and then exits, so the session only works if the gateway replays what the client had sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setUp, startHarness, type Harness } from '../../test/ssh/sshHarness.ts';
import { scp, sftpBatch, sha, shaOf } from '../../test/ssh/sftpClients.ts';

describe('SSH gateway: an sftp-server that gives up is replaced by Kubedeck SFTP', () => {
  let h: Harness;
  let root: string;
  before(() => setUp('the sftp fallback suite\'s setup', async () => {
    h = await startHarness({});
    root = h.tc.clusters[0].rootOf('default', 'busybox', 'main');
    mkdirSync(join(root, 'usr/lib/openssh'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/openssh/sftp-server'), '#!/bin/sh\nhead -c 9 >/dev/null\necho "No user found for uid 4242" >&2\nexit 255\n');
    chmodSync(join(root, 'usr/lib/openssh/sftp-server'), 0o755);
  }));
  after(async () => {
    await h?.stop();
  });

  it('sftp -b: put, get, ls and df work, the server\'s own words reach the user, the audit says it failed', async () => {
    const data = randomBytes(2 << 20);
    const src = join(h.dir, 'fallback-src.bin');
    writeFileSync(src, data);
    const r = await sftpBatch(h, 'kd-test-1/default/busybox', [
      'mkdir /tmp/fb',
      `put ${src} /tmp/fb/up.bin`,
      `get /tmp/fb/up.bin ${h.dir}/fallback-back.bin`,
      'ls -l /tmp/fb',
      'df /tmp',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout.toString());
    assert.match(r.stderr, /No user found for uid 4242/);
    assert.equal(shaOf(join(root, 'tmp/fb/up.bin')), sha(data));
    assert.equal(shaOf(join(h.dir, 'fallback-back.bin')), sha(data));
    assert.match(r.stdout.toString(), /up\.bin/);
    assert.match(r.stdout.toString(), /Size\s+Used\s+Avail/); // df: only Kubedeck's SFTP announces statvfs here
    const audit = readFileSync(join(h.serve.kubedeck.dataDir, 'audit.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"ssh.sftp"'));
    assert.ok(audit.some((l) => l.includes('"sftp-server"') && l.includes('"failed"')), audit.join('\n'));
    assert.ok(audit.some((l) => l.includes('"kubedeck"')), audit.join('\n'));
  });

  it('scp (SFTP mode) down and up through the fallback, with exit status 0', async () => {
    const data = randomBytes(1 << 20);
    writeFileSync(join(root, 'tmp/scp-src.bin'), data);
    const down = await scp(h, 'kd-test-1/default/busybox', ['R:/tmp/scp-src.bin', join(h.dir, 'scp-back.bin')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(shaOf(join(h.dir, 'scp-back.bin')), sha(data));
    const up = await scp(h, 'kd-test-1/default/busybox', [join(h.dir, 'scp-back.bin'), 'R:/tmp/scp-up.bin']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(shaOf(join(root, 'tmp/scp-up.bin')), sha(data));
  });
});
