// Port-forwards against the test cluster's web pod: an HTTP GET through the local listener, byte-identical bulk both
// ways, live counters, the errors a user reads (port taken here or on the server, pod gone or not running, nothing
// listening in the pod), the pod deleted under a forward, stop; the audit trail names who did what.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, WEB_POD, type TestClusters } from '../../../test/cluster/index.ts';
import { until } from '../../../test/util/wait.ts';
import type { PortForwardInfo } from '../../../common/contract/portForwards.ts';
import { AuditLog } from '../audit/auditLog.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { PortForwards } from './portForwards.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('port-forwards', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  let dir: string;
  let audit: AuditLog;
  let pf: PortForwards;
  let last: PortForwardInfo[] = [];
  const web = { context: 'kd-test-1', namespace: 'default', pod: 'web', container: 'httpd' };
  const big = randomBytes(4 << 20);

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    await tc.clusters[0].addPod('default', WEB_POD);
    const www = join(tc.clusters[0].rootOf('default', 'web', 'httpd'), 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'big'), big);
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    dir = await mkdtemp(join(tmpdir(), 'kd-pf-'));
    audit = new AuditLog(join(dir, 'audit.jsonl'));
    pf = new PortForwards({ kubeConfigFor: (c) => registry.kubeConfigFor(c), audit, onServer: false, publishMs: 20 });
    pf.onChanged((l) => { last = l; });
  });

  after(async () => {
    pf?.shutdown();
    registry?.close();
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an HTTP GET through the forward, a 4 MiB download byte-identical, counters that grow, stop', async () => {
    const f = await pf.start('alice', { target: web, podPort: 80 });
    assert.equal(f.state, 'active');
    assert.equal(f.localAddress, '127.0.0.1');
    assert.ok(f.localPort > 0);
    assert.equal(f.onServer, false);
    assert.equal(await (await fetch(`http://127.0.0.1:${f.localPort}/`)).text(), 'hello from web\n');
    const body = Buffer.from(await (await fetch(`http://127.0.0.1:${f.localPort}/big`)).arrayBuffer());
    assert.equal(sha(body), sha(big));
    const seen = await until('the counters in an event', () => last.find((x) => x.id === f.id && x.bytesIn > big.length && x.connections >= 2 && x.activeConnections === 0));
    assert.ok(seen.bytesOut > 0);
    await pf.stop(f.id, 'alice');
    const ended = pf.list().find((x) => x.id === f.id);
    assert.equal(ended?.state, 'ended');
    assert.equal(ended?.endedReason, 'stopped by alice');
    await assert.rejects(fetch(`http://127.0.0.1:${f.localPort}/`));
    const trail = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; who: string; details: Record<string, unknown> });
    assert.deepEqual(trail.filter((e) => e.kind === 'portForward').map((e) => [e.who, e.details.action, e.details.pod, e.details.podPort]), [['alice', 'start', 'web', 80], ['alice', 'stop', 'web', 80]]);
  });

  it('bytes from the client reach the pod unchanged: 2 MiB echoed back by nc in a pod', async () => {
    // busybox nc in the pod echoes what it gets back through cat: bulk the other way, with backpressure both ways.
    await tc.clusters[0].addPod('default', { name: 'echo', containers: [{ name: 'nc', image: 'busybox', ports: [{ containerPort: 7000 }],
      command: ['nc', '-ll', '-p', '7000', '-e', 'cat'] }] });
    const f = await pf.start('alice', { target: { context: 'kd-test-1', namespace: 'default', pod: 'echo' }, podPort: 7000 });
    const data = randomBytes(2 << 20);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      const sock = createConnection(f.localPort, '127.0.0.1', () => sock.write(data));
      sock.on('data', (d: Buffer) => { chunks.push(d); n += d.length; if (n >= data.length) { sock.destroy(); resolve(Buffer.concat(chunks)); } });
      sock.on('error', reject);
    });
    assert.equal(sha(got), sha(data));
    await until('bytes out counted', () => pf.list().find((x) => x.id === f.id && x.bytesOut === data.length && x.bytesIn === data.length));
    await pf.stop(f.id, 'alice');
  });

  it('a local port in use: "port N is in use on this machine" (and "on the server" in serve mode)', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      await assert.rejects(pf.start('alice', { target: web, podPort: 80, localPort: port }), { message: `port ${port} is in use on this machine` });
      const onServer = new PortForwards({ kubeConfigFor: (c) => registry.kubeConfigFor(c), onServer: true });
      await assert.rejects(onServer.start('alice', { target: web, podPort: 80, localPort: port }), { message: `port ${port} is in use on the server` });
      onServer.shutdown();
    } finally { taken.close(); }
  });

  it('refusals before listening: no such pod, a pending pod, an unknown container, bad ports and addresses', async () => {
    await assert.rejects(pf.start('alice', { target: { ...web, pod: 'nope' }, podPort: 80 }), { message: 'pod nope not found in kd-test-1/default' });
    await assert.rejects(pf.start('alice', { target: { ...web, pod: 'pending', container: undefined }, podPort: 80 }), { message: 'pod pending is not running (Pending)' });
    await assert.rejects(pf.start('alice', { target: { ...web, container: 'x' }, podPort: 80 }), { message: 'pod web has no container x' });
    await assert.rejects(pf.start('alice', { target: web, podPort: 0 }), /the pod port must be a whole number from 1 to 65535/);
    await assert.rejects(pf.start('alice', { target: web, podPort: 80, localPort: 70000 }), /the local port must be a whole number from 0/);
    await assert.rejects(pf.start('alice', { target: web, podPort: 80, bindAddress: 'example.com' }), /is not an IP address/);
  });

  it('nothing listens on the pod port: the connection fails, the forward stays up and shows why', async () => {
    const f = await pf.start('alice', { target: web, podPort: 81 });
    await assert.rejects(fetch(`http://127.0.0.1:${f.localPort}/`));
    const row = await until('lastError', () => pf.list().find((x) => x.id === f.id && x.lastError));
    assert.equal(row.lastError, 'nothing listens on port 81 in pod web (connection refused)');
    assert.equal(row.state, 'active');
    await pf.stop(f.id, 'alice');
  });

  it('the pod deleted: the forward ends with the reason and its port closes', async () => {
    await tc.clusters[0].addPod('default', { ...WEB_POD, name: 'doomed' });
    const f = await pf.start('alice', { target: { ...web, pod: 'doomed' }, podPort: 80 });
    assert.equal(await (await fetch(`http://127.0.0.1:${f.localPort}/`)).text(), 'hello from doomed\n');
    await tc.clusters[0].deletePod('default', 'doomed');
    const row = await until('the forward ended', () => last.find((x) => x.id === f.id && x.state === 'ended'));
    assert.equal(row.endedReason, 'pod doomed was deleted');
    await assert.rejects(fetch(`http://127.0.0.1:${f.localPort}/`));
    pf.clearEnded();
    assert.ok(!pf.list().some((x) => x.state === 'ended'));
  });
});
