// Downloads from containers an attacker controls, end to end through the test cluster: the symlink
// holes of issue 17 with real GNU tar in the stock `shell` container (both destination modes; the
// `kubedeck cp` commands of the issue itself are in main/cli/cp.test.ts), the item arriving as `name -> .`/`..`, the entry flood, and the
// no-tar (cat) path.
import assert from 'node:assert/strict';
import { createWriteStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import tar from 'tar-stream';
import type { FileLocation, TransferInfo } from '../../../common/contract/files.ts';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { FilesService } from './filesService.ts';
import { downloadItem } from './download.ts';

let tc: TestClusters;
let reg: ClusterRegistry;
let tmp: string;
const root = (pod: string) => tc.clusters[0].rootOf('default', pod, 'main');
const pod = (name: string): FileLocation => ({ kind: 'container', context: 'kd-test-1', namespace: 'default', pod: name, container: 'main' });

/**
 * The engine as `kubedeck cp SRC DST` drives it, in both destination modes: into an existing folder
 * (the item keeps its name) or to a new name (asName). Resolves to the error, if any, and the warnings.
 */
async function copyAs(svc: FilesService, from: string, src: string, s: string, mode: Mode, symlinks: 'skip' | 'create' = 'skip'): Promise<{ error?: string; warnings: string[]; item: string }> {
  const item = mode === 'to a new name' ? path.join(s, 'new') : path.join(s, path.posix.basename(src));
  const hooks = { signal: new AbortController().signal, symlinks, asName: mode === 'to a new name' ? 'new' : undefined };
  return downloadItem(svc.remote(pod(from) as FileLocation & { kind: 'container' }), src, s, 'overwrite', hooks).then(
    (r) => ({ warnings: r.warnings, item }),
    (e: Error) => ({ error: e.message, warnings: [], item }),
  );
}
const MODES = ['to a new name', 'into an existing folder'] as const;
type Mode = (typeof MODES)[number];

async function download(svc: FilesService, from: string, src: string, toDir: string): Promise<TransferInfo> {
  const t = await svc.startTransfer({ from: pod(from), paths: [src], to: { kind: 'local' }, toDir, conflict: 'overwrite' });
  return svc.waitFor(t.id);
}

/** A fresh S with S/x (what the links aim at) and a sentinel; returns S and a check that nothing in S/x changed. */
async function destination(name: string): Promise<{ s: string; untouched: () => Promise<void> }> {
  const s = path.join(tmp, name);
  await fsp.mkdir(path.join(s, 'x'), { recursive: true });
  await fsp.writeFile(path.join(s, 'sentinel'), 'untouched');
  return {
    s,
    untouched: async () => {
      assert.deepEqual(await fsp.readdir(path.join(s, 'x')), []);
      assert.equal(await fsp.readFile(path.join(s, 'sentinel'), 'utf8'), 'untouched');
    },
  };
}

before(async () => {
  tc = await startTestClusters({ clusters: 1 });
  reg = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-dlsafe-'));
  // The container: `mkdir -p /srv/d && ln -s ../x /srv/d/l`, plus a link that stays inside.
  const d = path.join(root('shell'), 'srv/d');
  await fsp.mkdir(path.join(d, 'sub'), { recursive: true });
  await fsp.writeFile(path.join(d, 'sub/f.txt'), 'f');
  await fsp.symlink('../x', path.join(d, 'l'));
  await fsp.symlink('sub', path.join(d, 'in'));
  await fsp.cp(d, path.join(root('notar'), 'srv/d'), { recursive: true, verbatimSymlinks: true });
});

after(async () => {
  reg?.close();
  await tc?.stop();
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
});

describe('a symlink one level up (issue 17, case 1), real GNU tar', () => {
  for (const mode of MODES) {
    test(`${mode}: links are skipped and reported; the next copy cannot go through one`, async () => {
      const svc = new FilesService(reg, undefined, () => {});
      try {
        const { s, untouched } = await destination(`eng-${mode.replace(/ /g, '-')}`);
        const r = await copyAs(svc, 'shell', '/srv/d', s, mode);
        assert.equal(r.error, undefined);
        assert.ok(r.warnings.some((w) => /d\/l: symlink to \.\.\/x leaves the folder/.test(w)), JSON.stringify(r.warnings));
        assert.ok(r.warnings.some((w) => /d\/in: symlink to sub not created/.test(w)), JSON.stringify(r.warnings));
        assert.deepEqual(await fsp.readdir(r.item), ['sub']);
        await assert.rejects(copyAs(svc, 'shell', '/etc/os-release', path.join(r.item, 'l'), 'into an existing folder').then((x) => x.error && Promise.reject(new Error(x.error))));
        const on = await copyAs(svc, 'shell', '/srv/d', s, mode, 'create');
        assert.equal(on.error, undefined);
        assert.equal(await fsp.readlink(path.join(on.item, 'in')), 'sub');
        await assert.rejects(fsp.lstat(path.join(on.item, 'l')));
        await untouched();
      } finally {
        await svc.dispose();
      }
    });
  }

  for (const image of ['shell', 'notar']) {
    test(`the app's downloads from ${image}: skipped by default, judged from the final place when the setting is on`, async () => {
      const { s, untouched } = await destination(`app-${image}`);
      const off = new FilesService(reg, undefined, () => {});
      const on = new FilesService(reg, undefined, () => {}, { symlinks: () => 'create' });
      try {
        await fsp.mkdir(path.join(s, 'off'));
        const t = await download(off, image, '/srv/d', path.join(s, 'off'));
        assert.equal(t.state, 'done', JSON.stringify(t.items));
        assert.ok(t.items[0].notes?.some((n) => /d\/l: symlink to \.\.\/x leaves the folder/.test(n)) && t.items[0].notes?.some((n) => /d\/in: symlink to sub not created/.test(n)), JSON.stringify(t.items[0].notes));
        assert.deepEqual(await fsp.readdir(path.join(s, 'off/d')), ['sub']);
        await fsp.mkdir(path.join(s, 'on'));
        const u = await download(on, image, '/srv/d', path.join(s, 'on'));
        assert.equal(u.state, 'done', JSON.stringify(u.items));
        assert.equal(await fsp.readlink(path.join(s, 'on/d/in')), 'sub');
        await assert.rejects(fsp.lstat(path.join(s, 'on/d/l')));
        await untouched();
      } finally {
        await off.dispose();
        await on.dispose();
      }
    });
  }
});

describe('hostile archives (the container\'s tar replaced)', () => {
  let svc: FilesService;
  const setArchive = async (entries: Iterable<Partial<tar.Header> & { name: string }>) => {
    const pack = tar.pack();
    const done = pipeline(Readable.from(pack as unknown as AsyncIterable<Buffer>), createWriteStream(path.join(root('evil'), 'evil.tar')));
    for (const h of entries) await new Promise<void>((res, rej) => pack.entry(h, h.type === 'file' ? 'pwned' : '', (e) => (e ? rej(e) : res())));
    pack.finalize();
    await done;
  };

  before(async () => {
    await tc.clusters[0].addPod('default', { name: 'evil', image: 'full' });
    const r = root('evil');
    await fsp.mkdir(path.join(r, 'data/victim'), { recursive: true });
    await fsp.writeFile(path.join(r, 'data/victim/ok.txt'), 'ok');
    await fsp.rm(path.join(r, 'usr/bin/tar'), { force: true });
    await fsp.writeFile(path.join(r, 'usr/bin/tar'), '#!/bin/sh\ncat /evil.tar\n', { mode: 0o755 });
    svc = new FilesService(reg, undefined, () => {}, { symlinks: () => 'create' });
  });
  after(async () => svc?.dispose());

  for (const linkname of ['.', '..']) {
    for (const mode of MODES) {
      test(`the item arriving as \`victim -> ${linkname}\` is refused (${mode}, even with symlinks on)`, async () => {
        await setArchive([{ name: 'victim', type: 'symlink', linkname }, { name: 'victim/pwned.txt', type: 'file' }]);
        const { s, untouched } = await destination(`item-${linkname === '.' ? 'dot' : 'dotdot'}-${mode.replace(/ /g, '-')}`);
        const r = await copyAs(svc, 'evil', '/data/victim', s, mode, 'create');
        assert.match(r.error ?? 'no error', /the item arrived as a symlink, but the listing said a folder/);
        assert.deepEqual((await fsp.readdir(s)).sort(), ['sentinel', 'x']);
        await untouched();
      });
    }
  }

  test('a flood of 100,000 unannounced entries fails fast with a clear error and creates nothing', async () => {
    function* flood() {
      yield { name: 'victim', type: 'directory' as const };
      for (let i = 0; i < 100_000; i++) yield { name: `victim/f${i}`, type: 'file' as const, size: 0 };
    }
    await setArchive(flood());
    const { s, untouched } = await destination('flood');
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    const t = await download(svc, 'evil', '/data/victim', s);
    const ms = Date.now() - t0;
    assert.equal(t.state, 'failed');
    assert.match(t.items[0].error!, /more entries than its listing announced \(2\)/);
    assert.ok(ms < 15_000, `took ${ms} ms`);
    const grown = process.memoryUsage().rss - rss0;
    assert.ok(grown < 150 << 20, `rss grew ${grown >> 20} MiB`);
    assert.deepEqual((await fsp.readdir(s)).sort(), ['sentinel', 'x']);
    await untouched();
  });
});
