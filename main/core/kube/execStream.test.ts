// openExec against a test cluster: exit codes, Status errors, stdin half-close, and backpressure of
// the Node streams in both directions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { ExecError, openExec } from './execStream.ts';
import { runExec } from './runCollect.ts';
import { sleep } from '../../../test/util/wait.ts';


describe('openExec', () => {
  let tc: TestClusters;
  let kc: KubeConfig;
  const shell = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' };

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    kc = new KubeConfig();
    kc.loadFromFile(tc.kubeconfigPath);
  });
  after(async () => {
    await tc?.stop();
  });

  it('speaks v5 and reports exit codes and stderr', async () => {
    const ok = await runExec(kc, shell, ['sh', '-c', 'echo out; echo err >&2']);
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.stdout, 'out\n');
    assert.equal(ok.stderr, 'err\n');
    const three = await runExec(kc, shell, ['sh', '-c', 'exit 3']);
    assert.equal(three.exitCode, 3);
    const s = await openExec(kc, shell, { command: ['true'], tty: false, stdin: false });
    assert.equal(s.protocol, 'v5.channel.k8s.io');
    assert.equal((await s.done).exitCode, 0);
  });

  it('falls back to v4 (no half-close there) and to channel.k8s.io', async () => {
    const v4 = await openExec(kc, shell, { command: ['sh', '-c', 'echo v4; exit 4'], tty: false, stdin: true, protocols: ['v4.channel.k8s.io'] });
    assert.equal(v4.protocol, 'v4.channel.k8s.io');
    assert.equal(v4.endStdin(), false);
    let out = '';
    v4.onData((_c, b) => (out += Buffer.from(b).toString()));
    assert.equal((await v4.done).exitCode, 4);
    assert.equal(out, 'v4\n');
    const v1 = await openExec(kc, shell, { command: ['sh', '-c', 'exit 0'], tty: false, stdin: false, protocols: ['channel.k8s.io'] });
    assert.equal(v1.protocol, 'channel.k8s.io');
    assert.equal((await v1.done).exitCode, 0);
  });

  it('turns refused upgrades into clear messages', async () => {
    await assert.rejects(openExec(kc, { ...shell, pod: 'nope' }, { command: ['true'], tty: false, stdin: false }), (e: ExecError) => {
      assert.equal(e.code, 404);
      assert.match(e.message, /^404 Not Found: .*nope/);
      return true;
    });
    await assert.rejects(openExec(kc, { ...shell, namespace: 'restricted' }, { command: ['true'], tty: false, stdin: false }), (e: ExecError) => {
      assert.equal(e.code, 403);
      assert.match(e.message, /^403 Forbidden: .*pods\/exec/);
      return true;
    });
    const bad = new KubeConfig();
    bad.loadFromString(kc.exportConfig().replace(tc.clusters[0].token, 'wrong-token'));
    await assert.rejects(openExec(bad, shell, { command: ['true'], tty: false, stdin: false }), (e: ExecError) => {
      assert.equal(e.code, 401);
      assert.match(e.message, /^401 Unauthorized/);
      return true;
    });
  });

  it('streams stdin with backpressure and half-closes it', async () => {
    const s = await openExec(kc, shell, { command: ['wc', '-c'], tty: false, stdin: true });
    const { stdin, stdout } = s.toStreams();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sawBackpressure = false;
    for (let i = 0; i < 16; i++) {
      if (!stdin.write(chunk)) {
        sawBackpressure = true;
        await new Promise((r) => stdin.once('drain', r));
      }
    }
    stdin.end();
    const res = await s.done;
    assert.equal(res.exitCode, 0);
    assert.equal(out.trim(), String(16 * 1024 * 1024));
    assert.ok(sawBackpressure, 'write() said to wait at some point');
  });

  it('pauses the socket while stdout is not read, and loses nothing', async () => {
    const total = 20 * 1024 * 1024;
    const s = await openExec(kc, shell, { command: ['head', '-c', String(total), '/dev/zero'], tty: false, stdin: false });
    const { stdout } = s.toStreams();
    await sleep(1000);
    assert.equal(s.paused, true, 'unread stdout pauses the exec socket');
    assert.ok(stdout.readableLength < 4 * 1024 * 1024, `buffered ${stdout.readableLength}`);
    let n = 0;
    for await (const c of stdout) n += (c as Buffer).length;
    assert.equal(n, total);
    assert.equal((await s.done).exitCode, 0);
  });
});
