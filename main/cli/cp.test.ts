// kubectl cp's path syntax, the options of `kubedeck cp`, and the context it copies with.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestClusters, type TestClusters } from '../../test/cluster/index.ts';
import { Kubedeck } from '../core/kubedeck.ts';
import { parseCpArgs, parseRemote, runCp } from './cp.ts';

test('remote specs as kubectl cp reads them', () => {
  assert.deepEqual(parseRemote('ns/pod:/a b/c'), { namespace: 'ns', pod: 'pod', path: '/a b/c' });
  assert.deepEqual(parseRemote('pod:/x'), { pod: 'pod', path: '/x' });
  assert.deepEqual(parseRemote('pod:rel/x'), { pod: 'pod', path: 'rel/x' });
  assert.equal(parseRemote('/local/file'), undefined);
  assert.equal(parseRemote('./with:colon'), undefined);
  assert.equal(parseRemote('C:\\Users\\x'), undefined);
  assert.equal(parseRemote(':/x'), undefined);
});

test('options and usage errors', () => {
  assert.deepEqual(parseCpArgs(['--context', 'c1', '-c', 'main', '--kubeconfig=/k', 'a', 'b']), {
    compress: 'auto',
    context: 'c1',
    container: 'main',
    kubeconfig: '/k',
    src: 'a',
    dst: 'b',
  });
  assert.equal(parseCpArgs(['--no-compress', '--', '-dash', 'p:/x']).src, '-dash');
  assert.throws(() => parseCpArgs(['only-one']), /exactly SRC and DST/);
  assert.throws(() => parseCpArgs(['--bogus', 'a', 'b']), /unknown option --bogus/);
  assert.throws(() => parseCpArgs(['-c']), /-c needs a value/);
});

// `kubedeck cp` takes its context where the app does: the same files in the same order, the files
// added in the app included, and kubectl's current-context rule (the first file that sets one).
describe('kubedeck cp picks the context the app would', () => {
  let tc: TestClusters;
  let dir: string;
  let local: string;
  let first: string;
  let second: string;
  /** `kubedeck cp default/shell:/tmp/cp-context.txt <name>` under env: it must copy the file of kd-test-1. */
  const copiesFromKdTest1 = async (env: NodeJS.ProcessEnv, name: string) => {
    let err = '';
    const out = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const errStream = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream;
    const code = await runCp(['default/shell:/tmp/cp-context.txt', join(local, name)], { out, err: errStream, env });
    assert.equal(code, 0, err);
    assert.equal(await readFile(join(local, name), 'utf8'), 'from kd-test-1\n');
  };
  /** The app, as it starts under env. */
  const withApp = async (env: NodeJS.ProcessEnv, use: (app: Kubedeck) => void) => {
    const app = new Kubedeck({ env, dataDir: env.KUBEDECK_DATA_DIR });
    try {
      use(app);
    } finally {
      await app.shutdown();
    }
  };

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kd-cp-context-'));
    local = join(dir, 'local');
    await mkdir(local);
    await writeFile(join(tc.clusters[0].rootOf('default', 'shell', 'main'), 'tmp/cp-context.txt'), 'from kd-test-1\n');
    first = tc.kubeconfigPath; // current-context: kd-test-1
    second = join(dir, 'second.yaml');
    await writeFile(
      second,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: elsewhere',
        'clusters:',
        '- name: nowhere',
        '  cluster: {server: "https://127.0.0.1:1"}',
        'users:',
        '- name: nobody',
        '  user: {token: "x"}',
        'contexts:',
        '- name: elsewhere',
        '  context: {cluster: nowhere, user: nobody}',
      ].join('\n') + '\n',
    );
  });

  after(async () => {
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('with two KUBECONFIG files, takes the current-context of the first (the client library would take the last)', async () => {
    const env = { KUBECONFIG: [first, second].join(delimiter), KUBEDECK_DATA_DIR: join(dir, 'data-1') };
    // What `loadFromDefault` (the old way) picks: the last file's current-context.
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = env.KUBECONFIG;
    try {
      const kc = new KubeConfig();
      kc.loadFromDefault();
      assert.equal(kc.getCurrentContext(), 'elsewhere');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    await withApp(env, (app) => assert.equal(app.registry.currentContext(), 'kd-test-1'));
    await copiesFromKdTest1(env, 'one.txt');
  });

  it('sees the kubeconfig files added in the app', async () => {
    const data = join(dir, 'data-2');
    const env = { KUBECONFIG: join(dir, 'none.yaml'), KUBEDECK_DATA_DIR: data };
    await withApp(env, (app) => app.registry.addKubeconfig(first));
    await copiesFromKdTest1(env, 'two.txt');
    assert.deepEqual(JSON.parse(await readFile(join(data, 'settings.json'), 'utf8')).kubeconfigs, [first], 'cp leaves the settings as they were');
  });
});

// Issue 17's reproduction, literally: `ln -s ../x /srv/d/l` in the stock shell container (real GNU tar),
// then `kubedeck cp default/shell:/srv/d S/new` and a second copy into `S/new/l/`; and the same into an
// existing folder. Symlinks are skipped and reported by default; --keep-symlinks keeps only the one
// that stays inside the item.
describe('kubedeck cp and symlinks from the container', () => {
  let tc: TestClusters;
  let dir: string;
  const cp = async (...args: string[]) => {
    let err = '';
    const out = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const errStream = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream;
    const code = await runCp(['--context', 'kd-test-1', ...args], { out, err: errStream, env: { KUBECONFIG: tc.kubeconfigPath, KUBEDECK_DATA_DIR: join(dir, 'data') } });
    return { code, err };
  };
  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kd-cp-links-'));
    const d = join(tc.clusters[0].rootOf('default', 'shell', 'main'), 'srv/d');
    await mkdir(join(d, 'sub'), { recursive: true });
    await symlink('../x', join(d, 'l'));
    await symlink('sub', join(d, 'in'));
  });
  after(async () => {
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [mode, dst, item] of [['to a new name', 'new', 'new'], ['into an existing folder', '', 'd']] as const) {
    for (const keep of [false, true]) {
      it(`${mode}${keep ? ', --keep-symlinks' : ''}: nothing lands in S/x`, async () => {
        const s = join(dir, `S-${item}-${keep}`);
        await mkdir(join(s, 'x'), { recursive: true });
        const r = await cp(...(keep ? ['--keep-symlinks'] : []), 'default/shell:/srv/d', dst ? join(s, dst) : s + '/');
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /warning: (\.\/)?d\/l: symlink to \.\.\/x leaves the folder/);
        if (keep) assert.equal(await readlink(join(s, item, 'in')), 'sub');
        else assert.match(r.err, /warning: (\.\/)?d\/in: symlink to sub not created/);
        await assert.rejects(lstat(join(s, item, 'l')));
        const again = await cp('default/shell:/etc/os-release', join(s, item, 'l') + '/');
        assert.notEqual(again.code, 0);
        assert.deepEqual(await readdir(join(s, 'x')), []);
      });
    }
  }

  it('--keep-symlinks is an option; the setting files.keepSymlinks is the default', () => {
    assert.equal(parseCpArgs(['--keep-symlinks', 'a', 'p:/b']).keepSymlinks, true);
    assert.equal(parseCpArgs(['a', 'p:/b']).keepSymlinks, undefined);
  });
});
