// Debug containers against the test cluster: one is added to default/distroless and runs, it is reused,
// a terminal opened on it is a busybox shell that sees the distroless files at /proc/1/root, the audit trail
// names who added which container to which pod; and the refusals a user reads (403, no API, image pull).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { until } from '../../../test/util/wait.ts';
import { AuditLog } from '../audit/auditLog.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { SettingsStore } from '../settings/settings.ts';
import { TerminalService } from '../terminals/terminalService.ts';
import { DebugService } from './debugService.ts';
import { DEFAULT_DEBUG_IMAGE } from './debugSpec.ts';

describe('debug containers', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  let dir: string;
  let audit: AuditLog;
  let settings: SettingsStore;
  let svc: DebugService;
  const target = (pod: string, ns = 'default', context = 'kd-test-1') => ({ context, namespace: ns, pod, container: 'main' });

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    dir = await mkdtemp(join(tmpdir(), 'kd-debug-'));
    audit = new AuditLog(join(dir, 'audit.jsonl'));
    settings = SettingsStore.inDataDir(dir);
    svc = new DebugService({ kubeConfigFor: (c) => registry.kubeConfigFor(c), audit, who: 'alice', settings, pollMs: 50, startTimeoutMs: 20_000 });
  });

  after(async () => {
    registry?.close();
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('adds a running debug container, audits it, reuses it, and a terminal there sees the target\'s files', async () => {
    assert.deepEqual(await svc.getDebugSettings(), { image: DEFAULT_DEBUG_IMAGE });
    const first = await svc.startDebugContainer({ target: target('distroless') });
    assert.match(first.ref.container, /^kubedeck-debug-[a-z0-9]{5}$/);
    assert.deepEqual({ ...first, ref: { ...first.ref, container: 'x' } },
      { ref: { ...target('distroless'), container: 'x' }, target: 'main', image: DEFAULT_DEBUG_IMAGE, reused: false });
    const again = await svc.startDebugContainer({ target: target('distroless') });
    assert.deepEqual(again, { ...first, reused: true });
    const entries = await audit.read();
    assert.deepEqual(entries.filter((e) => e.kind === 'debug.container').map((e) => [e.who, e.details]), [['alice', {
      action: 'add', context: 'kd-test-1', namespace: 'default', pod: 'distroless', container: first.ref.container, image: DEFAULT_DEBUG_IMAGE, target: 'main',
    }]]);

    // the ordinary terminal path, on the debug container's name
    let out = '';
    const terms = TerminalService.withOwnHost({
      kubeConfigFor: (c) => registry.kubeConfigFor(c),
      emit: (name, p) => { if (name === 'terminal.data') out += Buffer.from((p as { data: Uint8Array }).data).toString(); },
    });
    try {
      const t = await terms.openTerminal({ ...first.ref, cols: 100, rows: 30 });
      assert.equal(t.state.state, 'connected', JSON.stringify(t.state));
      await terms.writeTerminal(t.id, 'ls /proc/1/root/app; cat /proc/1/root/etc/os-release\r');
      await until('the distroless files', () => /server\r?\n[\s\S]*PRETTY_NAME="Distroless"/.test(out));
    } finally {
      await terms.dispose();
    }
  });

  it('another image is a new container; the image setting is checked and kept', async () => {
    await assert.rejects(svc.setDebugSettings({ image: 'busy box; rm -rf' }), /is not an image name/);
    assert.deepEqual(await svc.setDebugSettings({ image: 'docker.io/library/busybox:1.37' }), { image: 'docker.io/library/busybox:1.37' });
    const d = await svc.startDebugContainer({ target: target('busybox') });
    assert.equal(d.image, 'docker.io/library/busybox:1.37');
    assert.equal(d.reused, false);
    assert.equal(SettingsStore.inDataDir(dir).get('debug.image', ''), 'docker.io/library/busybox:1.37');
  });

  it('says why it cannot: an image that cannot be pulled, 403, a cluster without the API, no such pod or container', async () => {
    await assert.rejects(svc.startDebugContainer({ target: target('shell'), image: 'registry.example/nosuch:1' }),
      /^Error: The debug image "registry.example\/nosuch:1" could not be pulled \(ErrImagePull\): failed to pull and unpack image "registry.example\/nosuch:1".*Choose another image in the debug settings\.$/);
    await assert.rejects(svc.startDebugContainer({ target: target('shell', 'restricted') }),
      /^Error: 403 Forbidden: pods "shell" is forbidden: User "kubedeck-tester" cannot patch resource "pods\/ephemeralcontainers" .*This cluster does not let you add ephemeral \(debug\) containers in namespace restricted/);
    tc.clusters[0].setEphemeralContainersApi(false);
    try {
      await assert.rejects(svc.startDebugContainer({ target: target('notar') }), /^Error: This cluster has no ephemeral containers API \(404 on pods\/ephemeralcontainers\)/);
    } finally {
      tc.clusters[0].setEphemeralContainersApi(true);
    }
    await assert.rejects(svc.startDebugContainer({ target: target('nope') }), /^Error: 404 Not Found: pods "nope" not found$/);
    await assert.rejects(svc.startDebugContainer({ target: { ...target('multi'), container: 'main' } }), /Pod default\/multi has no container "main" to debug/);
  });
});
