// The login shell's environment, taken as a GUI launch would: a real bash as the user's shell, with a HOME
// of its own whose rc files put a fake credential plugin on PATH — the plugin exists nowhere else.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { until } from '../../../test/util/wait.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { adoptLoginShellEnv, loginEnvChanges, readLoginShellEnv } from './loginShellEnv.ts';

const BASH = execFileSync('sh', ['-c', 'command -v bash']).toString().trim();
// What a desktop launcher hands an app: a short PATH, none of the user's own folders.
const LAUNCHER_PATH = '/usr/bin:/bin';

describe('login shell environment', () => {
  let dir: string;
  let home: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-loginenv-'));
    home = join(dir, 'home');
    await mkdir(join(home, 'bin'), { recursive: true });
    // Like many a real setup: .bash_profile sources .bashrc, which sets PATH and a cloud profile; both chatter.
    await writeFile(join(home, '.bash_profile'), 'echo "Welcome to the login shell"\n. "$HOME/.bashrc"\n');
    await writeFile(join(home, '.bashrc'), 'export PATH="$HOME/bin:$PATH"\nexport AWS_PROFILE=work\nexport UNRELATED=1\necho "rc read" >&2\n');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const deps = (over: Partial<Parameters<typeof readLoginShellEnv>[0]> = {}) => ({
    shell: BASH, execPath: process.execPath, platform: process.platform, env: { HOME: home, PATH: LAUNCHER_PATH }, ...over,
  });

  it('reads PATH and variables from the rc files of an interactive login shell, whatever they print', async () => {
    const r = await readLoginShellEnv(deps());
    assert.ok('env' in r, 'error' in r ? r.error : '');
    assert.equal(r.env.PATH?.split(':')[0], join(home, 'bin'));
    assert.equal(r.env.AWS_PROFILE, 'work');
    assert.equal(r.env.KUBEDECK_RESOLVING_ENVIRONMENT, undefined, 'our own marker is not handed back');
    assert.equal(r.env.ELECTRON_RUN_AS_NODE, undefined);
  });

  it('gives up after its time limit and kills the whole shell', async () => {
    const slowHome = join(dir, 'slow');
    await mkdir(slowHome, { recursive: true });
    await writeFile(join(slowHome, '.bash_profile'), 'sleep 3141\n');
    const r = await readLoginShellEnv(deps({ env: { HOME: slowHome, PATH: LAUNCHER_PATH }, timeoutMs: 500 }));
    assert.deepEqual(r, { error: `${BASH} -il gave no environment within 0.5 s` });
    await until('the slow rc file\'s sleep is killed', () => {
      try {
        execFileSync('pgrep', ['-f', 'sleep 3141']);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('says why when there is no shell, or it cannot start, or prints nothing', async () => {
    assert.deepEqual(await readLoginShellEnv(deps({ shell: undefined })), { error: 'no login shell known ($SHELL is not set)' });
    const missing = await readLoginShellEnv(deps({ shell: join(dir, 'no-such-shell') }));
    assert.match('error' in missing ? missing.error : '', /no-such-shell could not be started: spawn .* ENOENT/);
    const mute = join(dir, 'mute-shell');
    await writeFile(mute, '#!/bin/sh\necho "not a shell" >&2\nexit 3\n');
    await chmod(mute, 0o755);
    assert.deepEqual(await readLoginShellEnv(deps({ shell: mute })), { error: `${mute} -il printed no environment (exit 3): not a shell` });
    assert.match((await readLoginShellEnv(deps({ platform: 'win32' })) as { error: string }).error, /not needed on Windows/);
    assert.match((await readLoginShellEnv(deps({ env: { KUBEDECK_RESOLVING_ENVIRONMENT: '1' } })) as { error: string }).error, /already inside/);
  });

  it('merges: the login PATH first, nothing of the old PATH lost; plugin variables only where unset', () => {
    const changes = loginEnvChanges(
      { PATH: '/usr/bin:/opt/launcher/bin', AWS_PROFILE: 'chosen-at-launch' },
      { PATH: '/home/u/bin:/usr/bin', AWS_PROFILE: 'work', AWS_REGION: 'eu-west-1', CLOUDSDK_CONFIG: '/home/u/.gcloud', KUBECONFIG: '/home/u/k', HTTPS_PROXY: 'http://p:3128', EDITOR: 'vim', PS1: '$ ' },
    );
    assert.deepEqual(changes, {
      PATH: '/home/u/bin:/usr/bin:/opt/launcher/bin',
      AWS_REGION: 'eu-west-1', CLOUDSDK_CONFIG: '/home/u/.gcloud', KUBECONFIG: '/home/u/k', HTTPS_PROXY: 'http://p:3128',
    });
    assert.deepEqual(loginEnvChanges({ PATH: '/a:/b' }, { PATH: '/a:/b' }), {});
  });

  describe('a credential plugin only the login shell can find', () => {
    let tc: TestClusters;
    let kubeconfig: string;
    let savedPath: string | undefined;
    let savedAws: string | undefined;

    before(async () => {
      tc = await startTestClusters({ clusters: 1 });
      const c1 = tc.clusters[0];
      const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: c1.token } });
      await writeFile(join(home, 'bin', 'kd-fake-auth-plugin'), `#!/bin/sh\necho '${credential}'\n`);
      await chmod(join(home, 'bin', 'kd-fake-auth-plugin'), 0o755);
      kubeconfig = join(dir, 'plugin.yaml');
      await writeFile(kubeconfig, [
        'apiVersion: v1', 'kind: Config',
        'clusters:', '- name: gke', `  cluster: {server: "${c1.server}", certificate-authority-data: "${c1.caData}"}`,
        'users:', '- name: sso', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1',
        '      command: kd-fake-auth-plugin', '      interactiveMode: Never',
        'contexts:', '- name: gke-prod', '  context: {cluster: gke, user: sso, namespace: default}',
      ].join('\n') + '\n');
      savedPath = process.env.PATH;
      savedAws = process.env.AWS_PROFILE;
      delete process.env.AWS_PROFILE;
    });
    after(async () => {
      process.env.PATH = savedPath;
      if (savedAws === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = savedAws;
      await tc?.stop();
    });

    it('is "not found" with the PATH searched, then found once the login shell\'s PATH is taken', async () => {
      // Credential plugins are started with the app's own environment: this is the app launched from a menu.
      process.env.PATH = LAUNCHER_PATH;
      const reg = new ClusterRegistry({ kubeconfig });
      try {
        const before = await reg.probe('gke-prod');
        assert.equal(before.state, 'error');
        assert.match((before as { reason: string }).reason,
          /^the credential plugin "kd-fake-auth-plugin" was not found on PATH \(searched \/usr\/bin:\/bin\); install it, or give its full path as the kubeconfig's exec command$/);
        const adopted = await adoptLoginShellEnv(process.env, { ...deps(), env: { HOME: home, PATH: LAUNCHER_PATH } });
        assert.deepEqual(adopted, { changed: ['PATH', 'AWS_PROFILE'] });
        // (the system's /etc/profile has its say too, as on a real machine)
        const path = process.env.PATH!.split(':');
        assert.equal(path[0], join(home, 'bin'));
        for (const d of LAUNCHER_PATH.split(':')) assert.ok(path.includes(d), `${d} kept`);
        assert.equal((await reg.probe('gke-prod')).state, 'connected');
      } finally {
        reg.close();
        process.env.PATH = savedPath;
      }
    });
  });
});
