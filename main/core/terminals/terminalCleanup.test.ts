// No shell left behind at awkward moments: a client closing while its terminal is still connecting (at
// random points, before, during and after the exec opens), and a reconnect tried while the API server is
// down, which must keep the old shell's pid until that shell is known to be gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { TerminalService } from './terminalService.ts';
import { sleep, until } from '../../../test/util/wait.ts';

/** How many open/close races to run; the issue found the leak 12 times out of 12. */
const RACES = 200;

describe('terminal cleanup races', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  const req = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 };
  const procs = () => tc.clusters[0].processes('default', 'shell', 'main');

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
  });

  after(async () => {
    registry?.close();
    await tc?.stop();
  });

  it(`leaves no process in the pod when a client closes 0–40 ms after openTerminal (${RACES} times)`, async () => {
    const baseline = (await procs()).length;
    const closes: Promise<void>[] = [];
    for (let i = 0; i < RACES; i++) {
      const client = TerminalService.withOwnHost({ kubeConfigFor: (c) => registry.kubeConfigFor(c), emit: () => undefined });
      const opened = client.openTerminal(req).catch(() => undefined);
      // Spread over the whole start: before the exec opens, while it opens, before and after the pid marker.
      await sleep(Math.floor(Math.random() * 41));
      closes.push(client.dispose());
      await opened;
    }
    await Promise.all(closes);
    await until('only the baseline processes', async () => (await procs()).length === baseline, 15_000);
    await sleep(500);
    assert.equal((await procs()).length, baseline, 'no shell started after the last close');
  });

  it('a reconnect during an outage keeps the old pid and kills that shell once the cluster is back', async () => {
    let down = false;
    // The outage: the same context, pointing at a port nothing listens on.
    const unreachable = (c: string): KubeConfig => {
      const kc = registry.kubeConfigFor(c);
      const out = new KubeConfig();
      out.loadFromOptions({
        clusters: kc.clusters.map((cl) => ({ ...cl, server: 'https://127.0.0.1:1' })),
        users: kc.users,
        contexts: kc.contexts,
        currentContext: kc.currentContext,
      });
      return out;
    };
    const svc = TerminalService.withOwnHost({ kubeConfigFor: (c) => (down ? unreachable(c) : registry.kubeConfigFor(c)), emit: () => undefined, keepAliveMs: 1000 });
    try {
      const t = await svc.openTerminal(req);
      assert.equal(t.state.state, 'connected');
      assert.equal((await procs()).length, 1);
      down = true;
      tc.clusters[0].dropConnections();
      await until('disconnected', () => svc.session(t.id)?.state.state === 'disconnected', 15_000);
      const during = await svc.reconnectTerminal(t.id);
      assert.equal(during.state.state, 'disconnected');
      // The runtime keeps the old shell past the drop; nothing could kill it yet.
      assert.equal((await procs()).length, 1);
      down = false;
      const back = await svc.reconnectTerminal(t.id);
      assert.equal(back.state.state, 'connected');
      await until('only the new shell left', async () => (await procs()).length === 1, 10_000);
      await sleep(500);
      assert.equal((await procs()).length, 1, 'the old shell was killed, the new one runs');
      await svc.closeTerminal(t.id);
      await until('no process left', async () => (await procs()).length === 0, 10_000);
    } finally {
      await svc.dispose();
    }
  });
});
