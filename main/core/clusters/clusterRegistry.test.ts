// Cluster registry against test clusters: kubeconfig merging the kubectl way, per-cluster failures,
// files added in the app, and live namespace/pod watches that survive a cluster restart.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import type { ClusterStatus, PodInfo } from '../../../common/contract/clusters.ts';
import { runExec } from '../kube/runCollect.ts';
import { SettingsStore } from '../settings/settings.ts';
import { ClusterRegistry } from './clusterRegistry.ts';
import { sleep, until } from '../../../test/util/wait.ts';


describe('cluster registry', () => {
  let tc: TestClusters;
  let dir: string;
  let extra: string;
  let malformed: string;

  before(async () => {
    tc = await startTestClusters({ clusters: 2 });
    // A port nothing listens on.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    dir = await mkdtemp(join(tmpdir(), 'kd-registry-'));
    const c1 = tc.clusters[0];
    // A second file: one unreachable server, one context with a rejected token, and a context
    // that clashes with the first file (first file wins, as in kubectl).
    extra = join(dir, 'extra.yaml');
    await writeFile(
      extra,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: nowhere',
        `  cluster: {server: "https://127.0.0.1:${closedPort}"}`,
        '- name: real',
        `  cluster: {server: "${c1.server}", certificate-authority-data: "${c1.caData}"}`,
        'users:',
        '- name: wrong',
        '  user: {token: "not-the-token"}',
        'contexts:',
        '- name: unreachable',
        '  context: {cluster: nowhere, user: wrong}',
        '- name: badtoken',
        '  context: {cluster: real, user: wrong, namespace: default}',
        '- name: kd-test-1',
        '  context: {cluster: nowhere, user: wrong}',
      ].join('\n') + '\n',
    );
    malformed = join(dir, 'broken.yaml');
    await writeFile(malformed, 'clusters: [\n  - :: this is not yaml\n');
  });

  after(async () => {
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('merges every KUBECONFIG file, reports a malformed one, and each cluster fails on its own', async () => {
    const reg = new ClusterRegistry({ env: { KUBECONFIG: [tc.kubeconfigPath, malformed, extra].join(':') }, probeTimeoutMs: 5000 });
    try {
      const { clusters, problems } = reg.listClusters();
      assert.deepEqual(clusters.map((c) => c.context).sort(), ['badtoken', 'kd-test-1', 'kd-test-2', 'unreachable']);
      assert.equal(clusters.find((c) => c.context === 'kd-test-1')?.source, tc.kubeconfigPath, 'first file wins');
      assert.equal(problems.length, 1);
      assert.equal(problems[0].source, malformed);
      assert.match(problems[0].reason, /YAML/);
      const status = (ctx: string): ClusterStatus | undefined => reg.status(ctx);
      await until('all probed', () => ['kd-test-1', 'kd-test-2', 'unreachable', 'badtoken'].every((c) => status(c)?.state !== 'connecting'));
      assert.equal(status('kd-test-1')?.state, 'connected');
      assert.equal(status('kd-test-2')?.state, 'connected');
      const unreachable = status('unreachable') as { state: string; reason: string };
      assert.equal(unreachable.state, 'error');
      assert.match(unreachable.reason, /connection refused|cannot reach/);
      const bad = status('badtoken') as { state: string; reason: string; code?: number };
      assert.equal(bad.state, 'error');
      assert.equal(bad.code, 401);
      assert.match(bad.reason, /^401 Unauthorized/);
      // Working clusters keep working next to broken ones.
      const pods = await reg.listPods('kd-test-2', 'default');
      assert.ok(pods.some((p) => p.name === 'shell' && p.phase === 'Running' && p.containers[0].name === 'main'));
      await assert.rejects(reg.listPods('badtoken', 'default'), /401/);
    } finally {
      reg.close();
    }
  });

  it('remembers files added in the app, and refuses a bad one with the reason', async () => {
    const settingsFile = join(dir, 'data', 'settings.json');
    const reg = new ClusterRegistry({ env: { KUBECONFIG: join(dir, 'none.yaml') }, settings: new SettingsStore(settingsFile) });
    try {
      assert.equal(reg.listClusters().clusters.length, 0);
      assert.throws(() => reg.addKubeconfig(malformed), /YAML/);
      const after = reg.addKubeconfig(tc.kubeconfigPath);
      assert.deepEqual(after.clusters.map((c) => c.context), ['kd-test-1', 'kd-test-2']);
      assert.match(await readFile(settingsFile, 'utf8'), /kubeconfig/);
    } finally {
      reg.close();
    }
    const again = new ClusterRegistry({ env: { KUBECONFIG: join(dir, 'none.yaml') }, settings: new SettingsStore(settingsFile) });
    try {
      assert.deepEqual(again.listClusters().clusters.map((c) => c.context), ['kd-test-1', 'kd-test-2']);
      assert.equal(again.removeKubeconfig(tc.kubeconfigPath).clusters.length, 0);
    } finally {
      again.close();
    }
  });

  it('authenticates through an exec credential plugin, for REST and for exec', async () => {
    const c1 = tc.clusters[0];
    const file = join(dir, 'plugin.yaml');
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: c1.token } });
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: real',
        `  cluster: {server: "${c1.server}", certificate-authority-data: "${c1.caData}"}`,
        'users:',
        '- name: plugin',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        '      command: /bin/sh',
        `      args: ["-c", ${JSON.stringify(`echo '${credential}'`)}]`,
        '      interactiveMode: Never',
        'contexts:',
        '- name: via-plugin',
        '  context: {cluster: real, user: plugin, namespace: default}',
      ].join('\n') + '\n',
    );
    const reg = new ClusterRegistry({ kubeconfig: file });
    try {
      assert.equal((await reg.probe('via-plugin')).state, 'connected');
      const res = await runExec(reg.kubeConfigFor('via-plugin'), { context: 'via-plugin', namespace: 'default', pod: 'shell', container: 'main' }, ['sh', '-c', 'echo plugged']);
      assert.equal(res.stdout, 'plugged\n');
    } finally {
      reg.close();
    }
  });

  it('follows edits of a kubeconfig file', async () => {
    const file = join(dir, 'edited.yaml');
    const original = await readFile(tc.kubeconfigPath, 'utf8');
    await writeFile(file, original);
    const reg = new ClusterRegistry({ kubeconfig: file, watchFilesMs: 100 });
    let changed: string[] | undefined;
    reg.onEvent((name, payload) => {
      if (name === 'clusters.changed') changed = (payload as { clusters: { context: string }[] }).clusters.map((c) => c.context);
    });
    try {
      assert.deepEqual(reg.listClusters().clusters.map((c) => c.context), ['kd-test-1', 'kd-test-2']);
      await sleep(300);
      await writeFile(file, original.replaceAll('name: kd-test-2\n  context:', 'name: renamed\n  context:').replace('- name: kd-test-2\n  context:', '- name: renamed\n  context:'));
      await until('clusters.changed', () => changed?.includes('renamed'), 10_000);
      assert.deepEqual(changed, ['kd-test-1', 'renamed']);
      await until('renamed probed', () => reg.status('renamed')?.state === 'connected');
    } finally {
      reg.close();
    }
  });

  it('keeps namespaces and pods live, also across a cluster restart', async () => {
    const reg = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    let pods: PodInfo[] = [];
    let namespaces: string[] = [];
    reg.onEvent((name, payload) => {
      if (name === 'clusters.pods') pods = (payload as { pods: PodInfo[] }).pods;
      if (name === 'clusters.namespaces') namespaces = (payload as { namespaces: { name: string }[] }).namespaces.map((n) => n.name);
    });
    try {
      const c = tc.clusters[1];
      assert.ok((await reg.listNamespaces('kd-test-2')).some((n) => n.name === 'restricted'));
      await reg.listPods('kd-test-2', 'default');
      c.addNamespace('team-a');
      await until('namespace event', () => namespaces.includes('team-a'));
      await c.addPod('default', { name: 'fresh', image: 'busybox' });
      await until('pod event', () => pods.some((p) => p.name === 'fresh'));
      await c.restart();
      await c.deletePod('default', 'fresh');
      await until('pod removal seen after restart', () => pods.length > 0 && !pods.some((p) => p.name === 'fresh'), 30_000);
      await until('connected again', () => reg.status('kd-test-2')?.state === 'connected');
    } finally {
      reg.close();
    }
  });
});
