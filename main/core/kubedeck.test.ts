// The composition: a client's calls reach the services, a terminal is recorded and audited, and
// shutdown (app quit) ends every client's shells.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../test/cluster/index.ts';
import { Kubedeck } from './kubedeck.ts';
import { sleep, until } from '../../test/util/wait.ts';

describe('Kubedeck composition', () => {
  let tc: TestClusters;
  let dir: string;

  before(async () => {
    tc = await startTestClusters({ clusters: 2 });
    dir = await mkdtemp(join(tmpdir(), 'kd-compose-'));
  });
  after(async () => {
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records and audits a terminal, refuses unknown methods, and shutdown leaves no shell', async () => {
    const kd = new Kubedeck({ dataDir: join(dir, 'data'), kubeconfig: tc.kubeconfigPath });
    const events: string[] = [];
    let out = '';
    const a = kd.connect((name, payload) => {
      events.push(name);
      if (name === 'terminal.data') out += Buffer.from((payload as { data: Uint8Array }).data).toString();
    }, 'tester');
    const b = kd.connect(() => undefined, 'other');
    try {
      await assert.rejects(a.call('__proto__', []), /unknown method/);
      await assert.rejects(a.call('listClusters', 'x'), /arguments must be a list/);
      const { clusters } = await a.methods.listClusters();
      assert.deepEqual(clusters.map((c) => c.context), ['kd-test-1', 'kd-test-2']);
      const t = await a.methods.openTerminal({ context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 });
      assert.equal(t.state.state, 'connected');
      assert.equal(t.recording, true);
      await a.methods.writeTerminal(t.id, 'echo recorded-$((5*5))\n');
      for (let i = 0; i < 100 && !out.includes('recorded-25'); i++) await sleep(50);
      await a.methods.markTerminal(t.id, 'checkpoint');
      const t2 = await b.methods.openTerminal({ context: 'kd-test-2', namespace: 'default', pod: 'busybox', container: 'main', cols: 80, rows: 24 });
      assert.equal(t2.state.state, 'connected');
      // Clients see only the sessions they are attached to, and type only into those.
      assert.deepEqual((await a.methods.listTerminals()).map((x) => x.id), [t.id]);
      await assert.rejects(a.methods.writeTerminal(t2.id, 'x'), /not attached here/);
      assert.deepEqual((await a.methods.listSessions()).map((x) => [x.id, x.attached]), [[t.id, true], [t2.id, false]]);
      await kd.shutdown();
      assert.equal((await tc.clusters[0].processes('default', 'shell', 'main')).length, 0);
      assert.equal((await tc.clusters[1].processes('default', 'busybox', 'main')).length, 0);
      const recs = await kd.recordings.list();
      const mine = recs.find((r) => r.context === 'kd-test-1');
      assert.ok(mine, 'the session was recorded');
      assert.match(await kd.recordings.read(mine.id), /recorded-25/);
      const audit = await kd.audit.read();
      const kinds = audit.map((e) => `${e.kind}:${e.who}`);
      assert.ok(kinds.includes('terminal.open:tester') && kinds.includes('terminal.close:tester'), kinds.join(' '));
      assert.ok(kinds.includes('terminal.open:other'));
      assert.ok(events.includes('clusters.status') || events.includes('terminal.state'));
    } finally {
      await kd.shutdown();
    }
  });

  it('puts refused and failed opens in the audit trail with the reason (403, no shell)', async () => {
    const kd = new Kubedeck({ dataDir: join(dir, 'data-refused'), kubeconfig: tc.kubeconfigPath });
    const a = kd.connect(() => undefined, 'tester');
    try {
      const denied = await a.methods.openTerminal({ context: 'kd-test-1', namespace: 'restricted', pod: 'shell', container: 'main', cols: 80, rows: 24 });
      const noShell = await a.methods.openTerminal({ context: 'kd-test-1', namespace: 'default', pod: 'distroless', container: 'main', cols: 80, rows: 24 });
      assert.equal(denied.state.state, 'error');
      assert.equal(noShell.state.state, 'error');
      const refused = await until('both audited', async () => {
        const r = (await kd.audit.read()).filter((e) => e.kind === 'terminal.refused');
        return r.length >= 2 && r;
      });
      const byPod = Object.fromEntries(refused.map((e) => [`${e.details.namespace}/${e.details.pod}`, String(e.details.reason)]));
      assert.match(byPod['restricted/shell'], /^403 Forbidden/);
      assert.match(byPod['default/distroless'], /no shell/);
      assert.ok(refused.every((e) => e.who === 'tester'));
    } finally {
      await kd.shutdown();
    }
  });
});
