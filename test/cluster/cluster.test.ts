// The test double's own contract: wire protocol details, watch events, the process listing and fault injection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestClusters, type TestClusters, type TestCluster } from './index.ts';
import { apiGet, apiWatch, rawExec } from './rawexec.ts';
import { sleep, until } from '../util/wait.ts';

let tc: TestClusters;
let c1: TestCluster;
let c2: TestCluster;

before(async () => {
  tc = await startTestClusters({ clusters: 2 });
  [c1, c2] = tc.clusters;
});
after(async () => { await tc?.stop(); });

describe('clusters and kubeconfig', () => {
  test('own port, CA and token per cluster; kubeconfig has one context each with namespace default', async () => {
    assert.notEqual(c1.port, c2.port);
    assert.notEqual(c1.caData, c2.caData);
    assert.notEqual(c1.token, c2.token);
    const kc = await readFile(tc.kubeconfigPath, 'utf8');
    for (const c of tc.clusters) {
      assert.ok(kc.includes(`server: https://127.0.0.1:${c.port}`));
      assert.ok(kc.includes(`certificate-authority-data: ${c.caData}`));
      assert.ok(kc.includes(`token: ${c.token}`));
    }
    assert.equal(kc.match(/namespace: default/g)?.length, 2);
    // one cluster's token is wrong for the other
    const wrong = await apiGet(c1, '/api/v1/pods', { token: c2.token });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const none = await apiGet(c1, '/version', { token: '' });
    assert.equal(none.status, 401);
  });

  test('discovery', async () => {
    assert.equal(((await apiGet(c1, '/version')).body as { major: string }).major, '1');
    assert.deepEqual(((await apiGet(c1, '/api')).body as { versions: string[] }).versions, ['v1']);
    assert.equal(((await apiGet(c1, '/apis')).body as { kind: string }).kind, 'APIGroupList');
    const res = (await apiGet(c1, '/api/v1')).body as { resources: { name: string }[] };
    assert.deepEqual(res.resources.map((r) => r.name), ['namespaces', 'pods', 'pods/attach', 'pods/ephemeralcontainers', 'pods/exec', 'pods/log']);
    const nf = await apiGet(c1, '/apis/apps/v1/deployments');
    assert.equal(nf.status, 404);
  });

  test('fixture roots: full image has GNU tar, busybox its own tar, notar none, distroless no shell', async () => {
    const full = c1.rootOf('default', 'shell', 'main');
    assert.ok(existsSync(join(full, 'usr/bin/tar')) && existsSync(join(full, 'usr/bin/sha256sum')) && existsSync(join(full, 'usr/bin/gzip')));
    assert.ok(existsSync(join(c1.rootOf('default', 'busybox', 'main'), 'bin/tar')));
    assert.ok(!existsSync(join(c1.rootOf('default', 'notar', 'main'), 'usr/bin/tar')));
    assert.ok(existsSync(join(c1.rootOf('default', 'notar', 'main'), 'usr/bin/ls')));
    const dl = c1.rootOf('default', 'distroless', 'main');
    assert.ok(!existsSync(join(dl, 'bin/sh')) && !existsSync(join(dl, 'usr/bin/ls')));
    // roots are separate: a file in one container is not in the other
    await writeFile(join(c1.rootOf('default', 'multi', 'app'), 'tmp/only-app'), 'x');
    assert.ok(!existsSync(join(c1.rootOf('default', 'multi', 'sidecar'), 'tmp/only-app')));
    assert.ok(!existsSync(join(c2.rootOf('default', 'multi', 'app'), 'tmp/only-app')));
  });
});

describe('exec wire protocol', () => {
  test('subprotocol: first supported in the client\'s list; none → 403', async () => {
    const a = await rawExec(c1, { pod: 'shell', command: ['true'], protocols: ['v4.channel.k8s.io', 'v5.channel.k8s.io'] });
    assert.equal(a.protocol, 'v4.channel.k8s.io');
    await a.closed;
    const b = await rawExec(c1, { pod: 'shell', command: ['true'], protocols: ['v3.channel.k8s.io', 'base64.channel.k8s.io', 'channel.k8s.io'] });
    assert.equal(b.protocol, 'base64.channel.k8s.io');
    await b.closed;
    await assert.rejects(rawExec(c1, { pod: 'shell', command: ['true'], protocols: ['v3.channel.k8s.io'] }),
      (e: { status: number; body: string }) => e.status === 403 && /unable to negotiate protocol/.test(e.body));
  });

  test('upgrade on POST as on GET', async () => {
    const { connect } = await import('node:tls');
    const sock = connect({ host: '127.0.0.1', port: c1.port, ca: Buffer.from(c1.caData, 'base64'), servername: 'localhost' });
    let got = '';
    sock.on('data', (d: Buffer) => { got += d.toString('latin1'); });
    sock.write(`POST /api/v1/namespaces/default/pods/shell/exec?command=echo&command=posted&stdout=true HTTP/1.1\r\nHost: 127.0.0.1\r\n`
      + `Authorization: Bearer ${c1.token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n`
      + `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
    await until('output over a POST upgrade', () => got.includes('posted'), 5000);
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.match(got, /sec-websocket-protocol: v5\.channel\.k8s\.io/i);
    sock.destroy();
  });

  test('first frame is an empty message on the lowest writable channel; status then close 1000', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['sh', '-c', 'echo hi; exit 4'] });
    const { code } = await e.closed;
    assert.equal(code, 1000);
    assert.deepEqual(e.frames[0], { channel: 1, data: Buffer.alloc(0) });
    assert.equal(e.text(1), 'hi\n');
    assert.deepEqual(e.status(), { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo hi; exit 4], exit code 4',
      details: { causes: [{ reason: 'ExitCode', message: '4' }] } });
    const onlyErr = await rawExec(c1, { pod: 'shell', command: ['sh', '-c', 'echo e >&2'], stdout: false, stderr: true });
    await onlyErr.closed;
    assert.deepEqual(onlyErr.frames[0], { channel: 2, data: Buffer.alloc(0) });
    assert.equal(onlyErr.text(2), 'e\n');
    assert.deepEqual(onlyErr.status(), { metadata: {}, status: 'Success' });
  });

  test('base64.channel.k8s.io and channel.k8s.io carry data and the error text', async () => {
    const b = await rawExec(c1, { pod: 'busybox', command: ['sh', '-c', 'printf "\\001\\377"; exit 2'], protocols: ['base64.channel.k8s.io'] });
    await b.closed;
    assert.deepEqual(Buffer.concat(b.frames.filter((f) => f.channel === 1).map((f) => f.data)), Buffer.from([1, 255]));
    assert.match(b.text(3), /exit code 2$/);
    const v1 = await rawExec(c1, { pod: 'shell', command: ['true'], protocols: ['channel.k8s.io'] });
    await v1.closed;
    assert.equal(v1.text(3), '');
  });

  test('v5 [255, 0] half-closes stdin; stdout keeps flowing to the end', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['sh', '-c', 'cat; echo done'], stdin: true });
    e.send(0, 'abc\n');
    await e.waitFor(1, 'abc\n');
    e.ws.send(Buffer.from([255, 0]));
    await e.closed;
    assert.equal(e.text(1), 'abc\ndone\n');
    assert.equal(e.status()?.status, 'Success');
  });

  test('tty: real PTY, size from the first resize, several case-insensitive resize objects per frame', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['bash', '-c', 'tty; stty size; while read x; do stty size; done'], stdin: true, tty: true });
    e.send(4, '{"Width":100,"Height":30}');
    await e.waitFor(1, '30 100\r\n');
    assert.match(e.text(1), /^\/dev\/pts\/\d+\r\n/);
    e.send(4, '{"width":90,"height":20}{"WIDTH":120,"HEIGHT":40}');
    // resize and keys reach the PTY on separate paths: ask again until the new size shows
    for (let i = 0; i < 50 && !e.text(1).includes('40 120'); i++) {
      e.send(0, '\n');
      await sleep(100);
    }
    e.send(0, '\x04');
    await e.closed;
    assert.match(e.text(1), /40 120\r\n$/);
    assert.equal(e.status()?.status, 'Success');
  });

  test('tty in busybox; interactive shell exits with its code', async () => {
    const e = await rawExec(c2, { pod: 'busybox', command: ['sh'], stdin: true, tty: true });
    e.send(4, '{"Width":80,"Height":24}');
    e.send(0, 'echo $((6*7))\n');
    await e.waitFor(1, '42');
    e.send(0, 'exit 5\n');
    await e.closed;
    assert.deepEqual(e.status()?.details, { causes: [{ reason: 'ExitCode', message: '5' }] });
  });

  test('tty: Ctrl-C reaches a flood whose output the client stopped reading', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['yes', 'flood'], stdin: true, tty: true });
    e.send(4, '{"Width":80,"Height":24}');
    await e.waitFor(1, 'flood\r\nflood');
    e.ws.pause(); // stop reading: the server's send buffer, then the PTY, fill up
    await sleep(1500);
    e.send(0, '\x03');
    await sleep(300);
    e.ws.resume();
    await e.closed;
    assert.deepEqual(e.status()?.details, { causes: [{ reason: 'ExitCode', message: '130' }] });
  });

  test('container defaulted for one container, required for several; exec in the chosen container\'s root', async () => {
    await assert.rejects(rawExec(c1, { pod: 'multi', command: ['true'] }),
      (e: { status: number; body: string }) => e.status === 400 && JSON.parse(e.body).message === 'a container name must be specified for pod multi, choose one of: [app sidecar]');
    await writeFile(join(c1.rootOf('default', 'multi', 'sidecar'), 'tmp/mark'), 'sidecar-file');
    const e = await rawExec(c1, { pod: 'multi', container: 'sidecar', command: ['cat', '/tmp/mark'] });
    await e.closed;
    assert.equal(e.text(1), 'sidecar-file');
  });

  test('bulk output is not corrupted (64 MiB through sha256sum)', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['sh', '-c', 'head -c 67108864 /dev/zero'] });
    let n = 0;
    const h = (await import('node:crypto')).createHash('sha256');
    e.ws.on('message', (d: Buffer) => { if (d[0] === 1) { n += d.length - 1; h.update(d.subarray(1)); } });
    const t = Date.now();
    await e.closed;
    assert.equal(n, 64 << 20);
    assert.equal(h.digest('hex'), '3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351');
    assert.ok(Date.now() - t < 20000, `took ${Date.now() - t} ms`);
  });
});

describe('watch', () => {
  test('ADDED, MODIFIED, DELETED when the programmatic API changes pods; resourceVersion resumes', async () => {
    const list = (await apiGet(c2, '/api/v1/namespaces/default/pods')).body as { metadata: { resourceVersion: string }; items: unknown[] };
    assert.equal(list.items.length, 6);
    const w = apiWatch(c2, `/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    const all = apiWatch(c2, '/api/v1/pods?watch=true');
    await all.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'pending');
    await c2.addPod('default', { name: 'extra', image: 'busybox' });
    await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'extra');
    c2.labelPod('default', 'extra', { tier: 'web' });
    await w.waitFor((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'extra');
    await c2.deletePod('default', 'extra');
    await w.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'extra');
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(w.events[1].object.metadata.labels?.tier, 'web');
    await all.waitFor((e) => e.type === 'DELETED');
    w.close();
    all.close();
  });

  test('namespaces: add and delete', async () => {
    const w = apiWatch(c2, '/api/v1/namespaces?watch=1');
    c2.addNamespace('team-x');
    await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'team-x');
    await c2.deleteNamespace('team-x');
    await w.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'team-x');
    w.close();
  });
});

describe('processes and faults', () => {
  test('a shell whose stream dropped keeps running (tty and not), listed by processes()', async () => {
    const e = await rawExec(c1, { pod: 'notar', command: ['bash', '-c', 'exec -a kd-drop-tty bash'], stdin: true, tty: true });
    e.send(4, '{"Width":80,"Height":24}');
    const bg = await rawExec(c1, { pod: 'notar', command: ['sleep', '600'] });
    await until('processes started', async () => {
      const ps = await c1.processes('default', 'notar', 'main');
      return ps.some((p) => p.command === 'kd-drop-tty') && ps.some((p) => p.command === 'sleep 600');
    }, 5000);
    c1.dropConnections();
    await e.closed;
    await bg.closed;
    await sleep(500);
    const ps = await c1.processes('default', 'notar', 'main');
    assert.ok(ps.some((p) => p.command === 'kd-drop-tty'), JSON.stringify(ps));
    assert.ok(ps.some((p) => p.command === 'sleep 600'), JSON.stringify(ps));
    assert.deepEqual(await c1.processes('default', 'shell', 'main'), []);
    // the API server is still there after the drop
    assert.equal((await apiGet(c1, '/api/v1/namespaces')).status, 200);
    for (const p of ps) process.kill(p.pid, 'SIGKILL');
    await until('killed', async () => (await c1.processes('default', 'notar', 'main')).length === 0, 5000);
  });

  test('a container is one PID namespace with /proc: a second exec sees and kills the first one\'s process', async () => {
    const e = await rawExec(c2, { pod: 'busybox', command: ['sh', '-c', 'echo $$; exec sleep 500'] });
    await e.waitFor(1, '\n');
    const inner = e.text(1).trim();
    const ps = await rawExec(c2, { pod: 'busybox', command: ['ps', '-o', 'pid,args'] });
    await ps.closed;
    const rows = ps.text(1).trim().split('\n').slice(1).map((l) => l.trim().replace(/\s+/, ' '));
    assert.ok(rows.some((r) => /^1 .*\/pause$/.test(r)), rows.join('|'));
    assert.ok(rows.includes(`${inner} sleep 500`), rows.join('|'));
    assert.ok(!rows.some((r) => /kd-drop|node|python/.test(r)), rows.join('|'));
    const k = await rawExec(c2, { pod: 'busybox', command: ['kill', '-9', inner] });
    await k.closed;
    await e.closed;
    assert.deepEqual(e.status()?.details, { causes: [{ reason: 'ExitCode', message: '137' }] });
  });

  test('stallStreams holds data both ways until released', async () => {
    const e = await rawExec(c1, { pod: 'shell', command: ['cat'], stdin: true });
    e.send(0, 'one\n');
    await e.waitFor(1, 'one\n');
    c1.stallStreams(true);
    e.send(0, 'two\n');
    await sleep(400);
    assert.equal(e.text(1), 'one\n');
    c1.stallStreams(false);
    await e.waitFor(1, 'one\ntwo\n');
    e.ws.send(Buffer.from([255, 0]));
    await e.closed;
  });

  test('restart: same port, connections dropped, pods and their processes survive', async () => {
    const port = c2.port;
    const e = await rawExec(c2, { pod: 'shell', command: ['sleep', '300'] });
    await until('sleep started', async () => (await c2.processes('default', 'shell', 'main')).length === 1, 5000);
    await c2.restart();
    await e.closed;
    assert.equal(c2.port, port);
    const pods = (await apiGet(c2, '/api/v1/pods')).body as { items: unknown[] };
    assert.equal(pods.items.length, 7);
    assert.deepEqual((await c2.processes('default', 'shell', 'main')).map((p) => p.command), ['sleep 300']);
    const again = await rawExec(c2, { pod: 'shell', command: ['echo', 'back'] });
    await again.closed;
    assert.equal(again.text(1), 'back\n');
  });

  test('stop kills every process and removes the roots', async () => {
    const extra = await startTestClusters({ clusters: 1 });
    const c = extra.clusters[0];
    const root = c.rootOf('default', 'shell', 'main');
    const e = await rawExec(c, { pod: 'shell', command: ['bash'], stdin: true, tty: true });
    e.send(4, '{"Width":80,"Height":24}');
    await until('bash started', async () => (await c.processes('default', 'shell', 'main')).length > 0, 5000);
    const pids = (await c.processes('default', 'shell', 'main')).map((p) => p.pid);
    await extra.stop();
    assert.ok(!existsSync(root));
    for (const pid of pids) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      assert.ok(!stat || / Z /.test(stat), `process ${pid} still running: ${stat}`);
    }
  });
});

describe('ephemeral containers', () => {
  type Pod = { spec: { ephemeralContainers?: { name: string; image: string; targetContainerName?: string }[] };
    status: { ephemeralContainerStatuses?: { name: string; state: Record<string, { reason?: string; message?: string }> }[] } };
  const path = (pod: string, ns = 'default') => `/api/v1/namespaces/${ns}/pods/${pod}/ephemeralcontainers`;
  const stateOf = async (c: TestCluster, pod: string, name: string) => {
    const p = (await apiGet(c, `/api/v1/namespaces/default/pods/${pod}`)).body as Pod;
    return p.status.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;
  };
  const debugger_ = (name: string, extra: Record<string, unknown> = {}) =>
    ({ spec: { ephemeralContainers: [{ name, image: 'busybox', stdin: true, tty: true, targetContainerName: 'main', ...extra }] } });

  test('strategic merge patch adds one; it runs in the target\'s PID namespace and reads its files at /proc/1/root', async () => {
    const r = await apiGet(c1, path('distroless'), { method: 'PATCH', body: debugger_('dbg-a') });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body as Pod).spec.ephemeralContainers?.map((c) => c.name), ['dbg-a']);
    await until('running', async () => (await stateOf(c1, 'distroless', 'dbg-a'))?.running);
    const ls = await rawExec(c1, { pod: 'distroless', container: 'dbg-a', command: ['sh', '-c', 'ls /proc/1/root/app; cat /proc/1/root/etc/os-release; ps -o pid,args'] });
    await ls.closed;
    assert.match(ls.text(1), /^config.yaml\nserver\nPRETTY_NAME="Distroless"/);
    assert.match(ls.text(1), /\n\s*1 .*\/pause\n/);
    assert.doesNotMatch(ls.text(1), /unshare|nsenter|perl/);
    // the subresource's GET is the pod
    const got = await apiGet(c1, path('distroless'));
    assert.equal((got.body as { kind: string }).kind, 'Pod');
  });

  test('attach reaches the main process (sh with a tty): input, output, and exit ends it as Terminated', async () => {
    await apiGet(c1, path('busybox'), { method: 'PATCH', body: debugger_('dbg-b') });
    await until('running', async () => (await stateOf(c1, 'busybox', 'dbg-b'))?.running);
    const a = await rawExec(c1, { verb: 'attach', pod: 'busybox', container: 'dbg-b', command: [], stdin: true, tty: true });
    a.send(1 - 1, 'echo hi-$((6*7))\n');
    await a.waitFor(1, 'hi-42');
    a.send(0, 'exit 3\n');
    await a.closed;
    assert.equal(a.status()?.status, 'Success');
    const st = await until('terminated', async () => (await stateOf(c1, 'busybox', 'dbg-b'))?.terminated);
    assert.equal((st as { exitCode?: number }).exitCode, 3);
  });

  test('JSON merge patch; refusals: changed or removed, duplicate name, no image, unknown target, 403, API missing', async () => {
    const first = await apiGet(c2, path('distroless'), { method: 'PATCH', body: debugger_('dbg-c') });
    const list = (first.body as Pod).spec.ephemeralContainers!;
    const add = await apiGet(c2, path('distroless'), { method: 'PATCH', contentType: 'application/merge-patch+json',
      body: { spec: { ephemeralContainers: [...list, { name: 'dbg-d', image: 'busybox' }] } } });
    assert.equal(add.status, 200, JSON.stringify(add.body));
    assert.deepEqual((add.body as Pod).spec.ephemeralContainers?.map((c) => c.name), ['dbg-c', 'dbg-d']);
    const msg = async (body: unknown, type?: string, pod = 'distroless', ns = 'default') => {
      const r = await apiGet(c2, path(pod, ns), { method: 'PATCH', body, contentType: type });
      return `${r.status} ${(r.body as { message: string }).message}`;
    };
    assert.equal(await msg({ spec: { ephemeralContainers: [] } }, 'application/merge-patch+json'),
      '422 Pod "distroless" is invalid: [spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg-c" may not be removed, spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg-d" may not be removed]');
    assert.equal(await msg(debugger_('dbg-c', { image: 'other' })), '422 Pod "distroless" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg-c" may not be changed');
    assert.equal(await msg(debugger_('main')), '422 Pod "distroless" is invalid: spec.ephemeralContainers[2].name: Duplicate value: "main"');
    assert.equal(await msg(debugger_('dbg-e', { image: '' })), '422 Pod "distroless" is invalid: spec.ephemeralContainers[2].image: Required value');
    assert.equal(await msg(debugger_('dbg-e', { targetContainerName: 'nope' })), '422 Pod "distroless" is invalid: spec.ephemeralContainers[2].targetContainerName: Not found: "nope"');
    assert.equal(await msg(debugger_('dbg-e'), undefined, 'shell', 'restricted'),
      '403 pods "shell" is forbidden: User "kubedeck-tester" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "restricted"');
    assert.equal(await msg(debugger_('dbg-e'), undefined, 'nope'), '404 pods "nope" not found');
    c2.setEphemeralContainersApi(false);
    try {
      assert.equal(await msg(debugger_('dbg-e')), '404 the server could not find the requested resource');
    } finally { c2.setEphemeralContainersApi(true); }
  });

  test('an image no registry has stays Waiting with ErrImagePull; exec there is refused as by a kubelet', async () => {
    await apiGet(c2, path('shell'), { method: 'PATCH', body: debugger_('dbg-x', { image: 'registry.example/nosuch:1' }) });
    const st = await until('ErrImagePull', async () => (await stateOf(c2, 'shell', 'dbg-x'))?.waiting?.reason === 'ErrImagePull' && stateOf(c2, 'shell', 'dbg-x'));
    assert.match(String(st && st.waiting.message), /failed to pull and unpack image "registry.example\/nosuch:1"/);
    await assert.rejects(rawExec(c2, { pod: 'shell', container: 'dbg-x', command: ['true'] }), /container not found \(\\"dbg-x\\"\)/);
  });
});
