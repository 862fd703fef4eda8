// The files of a shell-less container through a debug container: path mapping in both directions, and the
// ordinary file engine against default/distroless — listed, downloaded with a hash verified, uploaded, errors
// in the target's own paths.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { FileLocation } from '../../../common/contract/files.ts';
import { filesFixture, local, pod, sha } from '../../../test/files/filesFixture.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { DebugService } from '../debug/debugService.ts';
import { mapCommand, shownText, toDebugPath } from './targetRoot.ts';

describe('path mapping', () => {
  const P = '/proc/1/root';
  test('absolute arguments go out under /proc/<pid>/root; scripts, $0, names and link contents do not', () => {
    assert.equal(toDebugPath('/', P), '/proc/1/root/');
    assert.deepEqual(mapCommand(['sh', '-c', 'ls "$1" /etc', 'sh', '/app', 'name', './rel'], P), ['sh', '-c', 'ls "$1" /etc', 'sh', '/proc/1/root/app', 'name', './rel']);
    assert.deepEqual(mapCommand(['tar', 'cf', '-', '-C', '/', './app'], P), ['tar', 'cf', '-', '-C', '/proc/1/root/', './app']);
    assert.deepEqual(mapCommand(['sh', '-c', 'ln -s -- "$1" "$2"', 'sh', '/etc/passwd', '/tmp/l'], P), ['sh', '-c', 'ln -s -- "$1" "$2"', 'sh', '/etc/passwd', '/proc/1/root/tmp/l']);
    assert.match(mapCommand(['sh', '-c', 'readlink -f -- "$1"', 'sh', '/app/link'], P)[2], /cannot be followed/);
  });
  test('messages come back with the target\'s own paths', () => {
    assert.equal(shownText('No such file or folder: /proc/1/root/nope\n', P), 'No such file or folder: /nope\n');
    assert.equal(shownText("tar: /proc/1/root: Cannot open; '/proc/1/root' x", P), "tar: /: Cannot open; '/' x");
    assert.equal(shownText('/proc/12/root/x and /proc/1/rootless', P), '/proc/12/root/x and /proc/1/rootless');
  });
});

describe('default/distroless through a debug container', () => {
  const f = filesFixture();
  let where: FileLocation & { kind: 'container' };

  before(async () => {
    const reg = new ClusterRegistry({ kubeconfig: f.tc.kubeconfigPath });
    try {
      const d = await new DebugService({ kubeConfigFor: (c) => reg.kubeConfigFor(c), who: 'test', pollMs: 50 })
        .startDebugContainer({ target: { context: 'kd-test-1', namespace: 'default', pod: 'distroless', container: 'main' } });
      where = { ...pod('distroless'), through: d.ref.container };
    } finally {
      reg.close();
    }
  });

  test('lists the target\'s root and folders, not the debug container\'s', async () => {
    assert.equal(await f.svc.homeDir(where), '/');
    const top = await f.svc.listDir(where, '/');
    assert.deepEqual(top.entries.map((e) => e.name), ['app', 'dev', 'etc', 'home', 'proc', 'root', 'tmp', 'usr', 'var']);
    const app = await f.svc.listDir(where, '/app');
    assert.equal(app.path, '/app');
    assert.deepEqual(app.entries.map((e) => [e.name, e.type]), [['config.yaml', 'file'], ['server', 'file']]);
    await assert.rejects(f.svc.listDir(where, '/nope'), (e: Error) => e.message === 'No such file or folder: /nope');
  });

  test('downloads a file and a folder with a hash verified; uploads into the target', async () => {
    const t = await f.copy({ from: where, paths: ['/app/config.yaml', '/etc'], to: local, toDir: f.tmp });
    assert.equal(t.state, 'done', JSON.stringify(t.items));
    assert.deepEqual(t.items.map((i) => i.verified), ['sha256 ok (1 file)', 'sha256 ok (5 files)']);
    const root = f.root('distroless');
    assert.equal(await sha(path.join(f.tmp, 'config.yaml')), await sha(path.join(root, 'app/config.yaml')));
    assert.equal(await fsp.readFile(path.join(f.tmp, 'etc/os-release'), 'utf8'), await fsp.readFile(path.join(root, 'etc/os-release'), 'utf8'));

    await fsp.writeFile(path.join(f.tmp, 'patch.txt'), 'from kubedeck\n');
    const up = await f.copy({ from: local, paths: [path.join(f.tmp, 'patch.txt')], to: where, toDir: '/tmp' });
    assert.equal(up.state, 'done', JSON.stringify(up.items));
    assert.equal(up.items[0].finalPath, '/tmp/patch.txt');
    assert.equal(await fsp.readFile(path.join(root, 'tmp/patch.txt'), 'utf8'), 'from kubedeck\n');
  });

  test('a missing file fails in the target\'s own words', async () => {
    const t = await f.copy({ from: where, paths: ['/app/nope.yaml'], to: local, toDir: f.tmp });
    assert.equal(t.state, 'failed');
    assert.match(t.items[0].error!, /\/app\/nope\.yaml/);
    assert.doesNotMatch(t.items[0].error!, /\/proc\//);
  });
});
