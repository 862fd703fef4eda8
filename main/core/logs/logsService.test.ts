// Log sessions against the test cluster: a container followed across a dropped connection without a repeated or
// missing line, a workload's pods merged in time order as pods join and leave, the API server's refusal as a
// stream's state, and a page that never acknowledges: a bounded buffer and a count of dropped lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogLine, LogSessionState } from '../../../common/contract/logs.ts';
import { LOG_PODS, startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { until } from '../../../test/util/wait.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { kubeLogRequest } from './kubeLogRequest.ts';
import { LogSession } from './logSession.ts';
import { LogsService } from './logsService.ts';

describe('log sessions', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  let svc: LogsService;
  const lines = new Map<string, LogLine[]>();
  const states = new Map<string, LogSessionState>();
  const got = (id: string) => lines.get(id) ?? [];

  before(async () => {
    tc = await startTestClusters({ clusters: 1, empty: true });
    await tc.clusters[0].addPods(LOG_PODS);
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    svc = new LogsService({
      kubeConfigFor: (c) => registry.kubeConfigFor(c),
      listPods: (c, ns) => registry.listPods(c, ns),
      onPods: (l) => registry.onEvent((name, p) => { if (name === 'clusters.pods') { const x = p as { context: string; namespace: string; pods: never[] }; l(x.context, x.namespace, x.pods); } }),
      sendLines: ({ id, lines: batch }) => { lines.set(id, [...got(id), ...batch]); void svc.ackLogs(id, batch.length); },
      sendState: (s) => states.set(s.id, s),
      backoffMs: [50, 100, 200],
    });
  });

  after(async () => {
    svc?.dispose();
    registry?.close();
    await tc?.stop();
  });

  it('follows a container; after a dropped connection it goes on with no line repeated or missed', async () => {
    const { id } = await svc.openLogs({ context: 'kd-test-1', namespace: 'default', pod: 'ticker', container: 'main', options: { follow: true } });
    const ticks = () => got(id).filter((l) => /^tick \d+$/.test(l.text)).map((l) => Number(l.text.slice(5)));
    await until('two ticks', () => ticks().length >= 2, 20_000);
    assert.deepEqual(got(id)[0], { ...got(id)[0], pod: 'ticker', container: 'main' });
    assert.match(got(id)[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    tc.clusters[0].dropConnections();
    const before = ticks().length;
    await until('three more ticks after the drop', () => ticks().length >= before + 3, 20_000);
    const t = ticks();
    assert.deepEqual(t, t.map((_, i) => t[0] + i), 'consecutive ticks, none twice');
    assert.ok(got(id).some((l) => l.text.endsWith('every fifth line on stderr')) || t.length < 5, 'stderr is in the log');
    await svc.closeLogs(id);
  });

  it('a workload: both pods of the Deployment merged in time order, a new pod joins, a deleted one leaves', async () => {
    const { id, workload } = await svc.openLogs({ context: 'kd-test-1', namespace: 'default', pod: 'web-7d4b9c-x2k4p', workload: true, options: { follow: true, tailLines: 5 } });
    assert.deepEqual(workload, { kind: 'Deployment', name: 'web' });
    await until('lines of both pods', () => new Set(got(id).map((l) => l.pod)).size === 2, 20_000);
    const keys = got(id).map((l) => l.time.replace(/(\.\d+)?Z$/, (m) => (m === 'Z' ? '.000000000Z' : m.slice(0, -1).padEnd(10, '0') + 'Z')));
    assert.deepEqual(keys, [...keys].sort(), 'in time order');
    await tc.clusters[0].addPod('default', { ...LOG_PODS[1].pod, name: 'web-7d4b9c-zz9zz' });
    await until('the new pod\'s lines', () => got(id).some((l) => l.pod === 'web-7d4b9c-zz9zz'), 20_000);
    await tc.clusters[0].deletePod('default', 'web-7d4b9c-zz9zz');
    await until('its stream gone', () => !states.get(id)?.streams.some((s) => s.pod === 'web-7d4b9c-zz9zz'), 20_000);
    assert.ok(!got(id).some((l) => l.pod === 'ticker'), 'no other pod');
    await svc.closeLogs(id);
  });

  it('the API server\'s refusal is the stream\'s state; a bare pod has no workload', async () => {
    const { id } = await svc.openLogs({ context: 'kd-test-1', namespace: 'default', pod: 'ticker', container: 'main', options: { follow: false, previous: true } });
    await until('the refusal', () => states.get(id)?.streams[0]?.state === 'error', 20_000);
    assert.equal(states.get(id)?.streams[0].message, '400 Bad Request: previous terminated container "main" in pod "ticker" not found');
    await svc.closeLogs(id);
    await until('done', () => states.get(id)?.done, 5000);
    await assert.rejects(svc.openLogs({ context: 'kd-test-1', namespace: 'default', pod: 'ticker', workload: true, options: { follow: true } }), /pod ticker has no owner/);
    await assert.rejects(svc.openLogs({ context: 'kd-test-1', namespace: 'default', pod: '../x', options: { follow: true } }), /namespace and pod must be Kubernetes names/);
    await assert.rejects(svc.openLogs({ context: 'nope', namespace: 'default', pod: 'ticker', options: { follow: true } }), /unknown context "nope"/);
  });

  it('a page that never acknowledges gets one window of lines; the rest waits in a bounded buffer and the overflow is counted', async () => {
    await tc.clusters[0].addPod('default', { name: 'chatty', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'seq 1 20000; exec sleep 3600'] }] });
    await until('all written', () => tc.clusters[0].logLines('default', 'chatty', 'main').length === 20000, 30_000);
    const sent: LogLine[] = [];
    let state: LogSessionState | undefined;
    const s = new LogSession({ id: 'x', namespace: 'default', options: { follow: true }, request: kubeLogRequest((c) => registry.kubeConfigFor(c), 'kd-test-1'),
      sendLines: (b) => sent.push(...b), sendState: (st) => (state = st), window: 100, maxPending: 1000 });
    s.setTargets([{ pod: 'chatty', container: 'main' }]);
    try {
      // One window is with the page; the rest wait (at most maxPending) and the oldest of the overflow are dropped.
      // How many the first batch took depends on when it went, so the counts are checked as sums, not exactly.
      // The whole log must have arrived before the first ack (on a loaded machine it comes in pieces, and lines
      // arriving after an ack find room): then the buffer is full and everything else was counted.
      await until('the window full, the buffer full, the rest counted', () => sent.length === 100 && sent.length + 1000 + (state?.dropped ?? 0) >= 20000, 30_000);
      for (let i = 0; i < 200 && sent.at(-1)?.text !== '20000'; i++) {
        const before = sent.length;
        s.ack(100);
        await until('the next window', () => sent.length > before || sent.at(-1)?.text === '20000', 5000);
      }
      await until('every line sent or counted', () => sent.length + (state?.dropped ?? 0) === 20000, 5000);
      assert.ok(sent.length <= 1100, `${sent.length} lines sent: more than one window and the buffer`);
      const n = sent.map((l) => Number(l.text));
      assert.ok(n.every((v, i) => i === 0 || v > n[i - 1]), 'in order');
      // What was held is the newest 1000 lines, without a gap (the dropped ones were the oldest waiting).
      assert.deepEqual(n.slice(-1000), Array.from({ length: 1000 }, (_, i) => 19001 + i));
    } finally {
      s.close();
    }
  });
});
