// Two kubeconfig mistakes that used to be blamed on the API server: a context whose user entry does not
// exist (reported as a 401 although nothing was sent), and a credential plugin that never answers (calls
// hung, then "no answer from https://…"). Each now says what is wrong and names the entry or the plugin.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { TerminalService } from '../terminals/terminalService.ts';
import { ClusterRegistry } from './clusterRegistry.ts';

describe('kubeconfig problems', () => {
  let tc: TestClusters;
  let dir: string;

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kd-kcp-'));
  });

  after(async () => {
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = async (name: string, users: string[], contextUser: string): Promise<string> => {
    const c1 = tc.clusters[0];
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: real',
        `  cluster: {server: "${c1.server}", certificate-authority-data: "${c1.caData}"}`,
        `users:${users.length ? '' : ' []'}`,
        ...users,
        'contexts:',
        `- name: ${name}`,
        `  context: {cluster: real, user: ${contextUser}, namespace: default}`,
      ].join('\n') + '\n',
    );
    return file;
  };

  it('says that a context\'s user entry is missing instead of reporting a 401', async () => {
    const reg = new ClusterRegistry({ kubeconfig: await kubeconfig('no-user', [], 'ghost') });
    try {
      const status = await reg.probe('no-user');
      assert.equal(status.state, 'error');
      assert.match((status as { reason: string }).reason, /context no-user refers to user "ghost", which no kubeconfig defines/);
      assert.doesNotMatch((status as { reason: string }).reason, /401|Unauthorized/);
      await assert.rejects(reg.listNamespaces('no-user'), /user "ghost", which no kubeconfig defines/);
      const svc = TerminalService.withOwnHost({ kubeConfigFor: (c) => reg.kubeConfigFor(c), emit: () => undefined });
      const t = await svc.openTerminal({ context: 'no-user', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 });
      assert.equal(t.state.state, 'error');
      assert.match((t.state as { reason: string }).reason, /user "ghost"/);
      await svc.dispose();
    } finally {
      reg.close();
    }
  });

  it('gives a credential plugin that never answers its own time limit, and names it', async () => {
    const plugin = join(dir, 'stuck-login');
    await writeFile(plugin, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    const file = await kubeconfig(
      'stuck',
      ['- name: sso', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${plugin}`, '      interactiveMode: Never'],
      'sso',
    );
    const reg = new ClusterRegistry({ kubeconfig: file, pluginTimeoutMs: 1000, probeTimeoutMs: 10_000 });
    try {
      const t0 = Date.now();
      const status = await reg.probe('stuck');
      assert.ok(Date.now() - t0 < 5000, 'the plugin\'s limit, not the server\'s, ended the probe');
      assert.equal(status.state, 'error');
      const reason = (status as { reason: string }).reason;
      assert.match(reason, /credential plugin "stuck-login" gave no answer within 1 s/);
      assert.doesNotMatch(reason, /no answer from https/);
      await assert.rejects(reg.listNamespaces('stuck'), /credential plugin "stuck-login" gave no answer/);
      const svc = TerminalService.withOwnHost({ kubeConfigFor: (c) => reg.kubeConfigFor(c), emit: () => undefined });
      const opened = await svc.openTerminal({ context: 'stuck', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 });
      assert.equal(opened.state.state, 'error');
      assert.match((opened.state as { reason: string }).reason, /credential plugin "stuck-login"/);
      await svc.dispose();
    } finally {
      reg.close();
    }
  });
});
