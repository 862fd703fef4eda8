// The remote listing scripts run on this machine's GNU tools and on busybox (when installed), without a cluster.
import assert from 'node:assert/strict';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { hostExec } from './hostExec.ts';
import { parseEntries, RemoteFs } from './remoteFs.ts';

let dir: string;
let bbPath: string | undefined;
const NAMES = ['plain', 'with space', 'new\nline', '-dash', '.hidden', 'ünï ✓', 'tab\there'];

before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-remote-'));
  for (const n of NAMES) await fsp.writeFile(path.join(dir, n), n);
  await fsp.symlink('new\nline', path.join(dir, 'link'));
  await fsp.mkdir(path.join(dir, 'sub'));
  if (existsSync('/usr/bin/busybox') || existsSync('/bin/busybox')) {
    bbPath = path.join(dir, '..', `${path.basename(dir)}-bb`);
    await fsp.mkdir(bbPath);
    const bb = existsSync('/usr/bin/busybox') ? '/usr/bin/busybox' : '/bin/busybox';
    for (const a of ['sh', 'stat', 'readlink', 'find', 'printf', 'cat', 'sha256sum', 'mkdir', 'mv', 'rm', 'pwd', 'tar', 'gzip']) await fsp.symlink(bb, path.join(bbPath, a));
  }
});
after(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
  if (bbPath) await fsp.rm(bbPath, { recursive: true, force: true });
});

const variants = (): [string, () => RemoteFs][] => [
  ['GNU find', () => new RemoteFs(hostExec())],
  ['portable loop (coreutils stat)', () => Object.assign(new RemoteFs(hostExec()), { forceLoop: true })],
  ...(bbPath ? [['busybox', () => new RemoteFs(hostExec({ PATH: bbPath }))] as [string, () => RemoteFs]] : []),
];

test('every variant lists odd names the same way', async () => {
  let reference: string | undefined;
  for (const [label, make] of variants()) {
    const entries = await make().list(dir);
    const shape = JSON.stringify(entries.map((e) => [e.name, e.type, e.size, e.target ?? null, e.modeString]));
    assert.deepEqual(entries.map((e) => e.name).sort(), [...NAMES, 'link', 'sub'].sort(), label);
    assert.equal(entries.find((e) => e.name === 'link')?.target, 'new\nline', label);
    reference ??= shape;
    assert.equal(shape, reference, `${label} differs`);
  }
});

test('parseEntries skips garbage and keeps what parses', () => {
  const good = Buffer.from('./a b\0S81a4 3 1700000000 root root\n\0junk\0\0');
  const e = parseEntries(good);
  assert.equal(e.length, 1);
  assert.equal(e[0].name, 'a b');
  assert.equal(e[0].modeString, '-rw-r--r--');
  assert.equal(e[0].modified, '2023-11-14T22:13:20.000Z');
});
