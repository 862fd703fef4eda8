// build/setup-host.sh on machines we don't have: dpkg, apt-get, id and uname are stand-ins on PATH that
// say which packages are installed, who we are and what system this is, and log what apt-get was asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'setup-host.sh');
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kd-setup-host-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Machine { installed: string[]; uid: number; system?: string; apt?: boolean }

async function run(m: Machine, profile = 'demo') {
  const bin = await mkdtemp(join(dir, 'bin-'));
  const log = join(bin, 'apt.log');
  const tool = async (name: string, body: string) => {
    await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(bin, name), 0o755);
  };
  await tool('dpkg', `case " ${m.installed.join(' ')} " in *" $2 "*) echo 'Status: install ok installed'; exit 0;; esac; exit 1`);
  await tool('id', `echo ${m.uid}`);
  await tool('uname', `echo ${m.system ?? 'Linux'}`);
  if (m.apt !== false) await tool('apt-get', `echo "$@" >> ${log}; [ -t 0 ] && echo 'stdin is a terminal' >> ${log}; exit 0`);
  // Only the stand-ins and what bash itself needs (grep): no real apt-get can be reached.
  const grep = spawnSync('sh', ['-c', 'command -v grep']).stdout.toString().trim();
  await tool('grep', `exec ${grep} "$@"`);
  const r = spawnSync('/bin/bash', [SCRIPT, profile], { env: { PATH: bin }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stderr: r.stderr, apt: existsSync(log) ? await readFile(log, 'utf8') : '' };
}

const DEMO = ['busybox-static', 'python3', 'openssl'];

describe('setup-host.sh', () => {
  test('everything there: no apt-get call, exit 0, silent', async () => {
    const r = await run({ installed: DEMO, uid: 1000 });
    assert.deepEqual(r, { code: 0, stderr: '', apt: '' });
  });

  test('root on Debian: installs only what is missing, with no prompts and no stdin', async () => {
    const r = await run({ installed: ['python3', 'openssl'], uid: 0 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.apt, 'update -qq\ninstall -y -qq busybox-static\n');
    assert.match(r.stderr, /installing busybox-static/);
  });

  test('the ci profile adds the browser, asciinema, fonts, the python client and the SSH clients', async () => {
    const r = await run({ installed: DEMO, uid: 0 }, 'ci');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.apt, /^install -y -qq chromium asciinema fonts-dejavu-core python3-kubernetes openssh-client openssh-sftp-server sshfs python3-paramiko python3-asyncssh$/m);
  });

  test('not root: nothing installed, the exact command to run', async () => {
    const r = await run({ installed: ['openssl'], uid: 1000 });
    assert.equal(r.code, 1);
    assert.equal(r.apt, '');
    assert.match(r.stderr, /missing packages: busybox-static python3/);
    assert.match(r.stderr, /sudo sh -c 'apt-get update && apt-get install -y busybox-static python3'/);
  });

  test('not Debian: nothing installed, says what is needed and that Kubedeck itself needs none of it', async () => {
    const r = await run({ installed: [], uid: 0, system: 'Darwin', apt: false });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not Debian or Ubuntu/);
    assert.match(r.stderr, /busybox-static python3 openssl/);
    assert.match(r.stderr, /npx kubedeck serve/);
  });

  test('an unknown profile is a usage error', async () => {
    const r = await run({ installed: DEMO, uid: 0 }, 'nope');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown profile 'nope'/);
  });
});
