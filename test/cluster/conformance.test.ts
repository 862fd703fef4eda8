// Conformance: real clients (kubectl 1.32 on PATH, kubectl.1.30, 1.31 and 1.33 beside it, @kubernetes/client-node)
// against the test double — what they print and exit with is what a user would see against a real cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { startTestClusters, WEB_POD, type TestClusters } from './index.ts';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { until } from '../util/wait.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const KUBECTL = execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim();
const KUBECTL_DIR = dirname(realpathSync(KUBECTL));
// Every kubectl that speaks exec over WebSocket (1.30 on); 1.32 is the one on PATH.
const KUBECTLS: [string, string][] = [['kubectl (PATH)', KUBECTL], ['kubectl.1.30', join(KUBECTL_DIR, 'kubectl.1.30')],
  ['kubectl.1.31', join(KUBECTL_DIR, 'kubectl.1.31')], ['kubectl.1.33', join(KUBECTL_DIR, 'kubectl.1.33')]];

let tc: TestClusters;
let work: string;
let env: NodeJS.ProcessEnv;

interface Result { code: number | null; stdout: string; stderr: string }

function run(bin: string, args: string[], opts: { input?: string | Buffer } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input ?? '');
  });
}

/** Run argv under a PTY of rows×cols; steps wait for text, resize the terminal, send keys (see ptydrive.py). */
function underPty(argv: string[], rows: number, cols: number, steps: unknown[] = []): Promise<Result> {
  return run('python3', [join(HERE, 'ptydrive.py'), JSON.stringify({ argv, rows, cols, steps, timeout: 25 })]);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'kd-conformance-'));
  tc = await startTestClusters({ clusters: 2, kubeconfigPath: join(work, 'kubeconfig') });
  // HOME of its own so kubectl's discovery cache stays in the temp folder.
  env = { ...process.env, KUBECONFIG: tc.kubeconfigPath, HOME: work };
});

after(async () => {
  await tc?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubectl get', () => {
  test('get pods -A lists the fixture of the current context', async () => {
    const r = await run(KUBECTL, ['get', 'pods', '-A']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const rows = lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(' '));
    assert.deepEqual(rows.sort(), [
      'default busybox 1/1 Running', 'default distroless 1/1 Running', 'default multi 2/2 Running', 'default notar 1/1 Running',
      'default pending 0/1 Pending', 'default shell 1/1 Running', 'restricted shell 1/1 Running',
    ]);
  });

  test('every context reaches its own cluster; get namespaces and a single pod as JSON', async () => {
    assert.deepEqual(tc.contexts, ['kd-test-1', 'kd-test-2']);
    const ns = await run(KUBECTL, ['--context', 'kd-test-2', 'get', 'ns', '-o', 'name']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.deepEqual(ns.stdout.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-system', 'namespace/restricted']);
    const pod = await run(KUBECTL, ['--context', 'kd-test-2', 'get', 'pod', 'multi', '-o', 'json']);
    const obj = JSON.parse(pod.stdout) as { spec: { containers: { name: string }[] }; status: { phase: string } };
    assert.deepEqual(obj.spec.containers.map((c) => c.name), ['app', 'sidecar']);
    assert.equal(obj.status.phase, 'Running');
    const cfg = await run(KUBECTL, ['config', 'view', '--minify', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}']);
    assert.equal(cfg.stdout, tc.clusters[0].caData);
  });

  test('a pod added through the API appears, a deleted one is gone', async () => {
    await tc.clusters[1].addPod('team-a', { name: 'web', image: 'busybox' });
    const r = await run(KUBECTL, ['--context', 'kd-test-2', 'get', 'pods', '-n', 'team-a']);
    assert.match(r.stdout, /^web\s+1\/1\s+Running/m);
    await tc.clusters[1].deletePod('team-a', 'web');
    const gone = await run(KUBECTL, ['--context', 'kd-test-2', 'get', 'pod', '-n', 'team-a', 'web']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Error from server \(NotFound\): pods "web" not found/);
  });
});

describe('errors as a real API server words them', () => {
  test('wrong token: 401', async () => {
    const r = await run(KUBECTL, ['--token', 'wrong', 'get', 'pods']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
    const e = await run(KUBECTL, ['--token', 'wrong', 'exec', 'shell', '--', 'true']);
    assert.match(e.stderr, /You must be logged in to the server \(Unauthorized\)/);
  });

  test('exec in namespace restricted: 403 Forbidden', async () => {
    const r = await run(KUBECTL, ['-n', 'restricted', 'exec', 'shell', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Forbidden\): pods "shell" is forbidden: User "kubedeck-tester" cannot create resource "pods\/exec" in API group "" in the namespace "restricted"/);
  });

  test('debug: 403 in namespace restricted; a cluster without the ephemeralcontainers API', async () => {
    const f = await run(KUBECTL, ['-n', 'restricted', 'debug', 'shell', '--image=busybox', '--target=main']);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /Error from server \(Forbidden\): pods "shell" is forbidden: User "kubedeck-tester" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "restricted"/);
    tc.clusters[1].setEphemeralContainersApi(false);
    try {
      const d = await run(KUBECTL, ['--context', 'kd-test-2', 'debug', 'distroless', '--image=busybox', '--target=main']);
      assert.equal(d.code, 1);
      assert.match(d.stderr, /error: ephemeral containers are disabled for this cluster/);
    } finally { tc.clusters[1].setEphemeralContainersApi(true); }
  });

  test('unknown pod 404, unknown container and pending pod 400, missing program', async () => {
    const nf = await run(KUBECTL, ['exec', 'nope', '--', 'true']);
    assert.match(nf.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    const uc = await run(KUBECTL, ['exec', 'multi', '-c', 'nope', '--', 'true']);
    assert.match(uc.stderr, /Error from server \(BadRequest\): container nope is not valid for pod multi/);
    const pend = await run(KUBECTL, ['exec', 'pending', '--', 'true']);
    assert.equal(pend.code, 1);
    assert.match(pend.stderr, /Error from server \(BadRequest\): pod pending does not have a host assigned/);
    const dl = await run(KUBECTL, ['exec', 'distroless', '--', 'sh', '-c', 'true']);
    assert.equal(dl.code, 1);
    assert.match(dl.stderr, /exec: "sh": executable file not found in \$PATH/);
    const nt = await run(KUBECTL, ['exec', 'notar', '--', 'tar', '--version']);
    assert.match(nt.stderr, /exec: "tar": executable file not found in \$PATH/);
  });
});

for (const [label, bin] of KUBECTLS) {
  describe(`${label} exec`, () => {
    test('exit code, stdout and stderr apart', async () => {
      const r = await run(bin, ['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 3/);
      const ok = await run(bin, ['--context', 'kd-test-2', 'exec', 'busybox', '--', 'sh', '-c', 'echo $HOSTNAME; ls /bin/tar']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'busybox\n/bin/tar\n');
    });

    test('stdin piped through cat, byte-identical, and EOF ends it', async () => {
      const data = randomBytes(200_000).toString('base64');
      const r = await run(bin, ['exec', '-i', 'shell', '--', 'cat'], { input: data });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, data);
    });

    test('exec -it -- stty size under a pty of known size, and after a resize', async () => {
      // After the resize, each Enter prints the size again, until the new size shows (resize and keys travel apart).
      const r = await underPty([bin, 'exec', '-it', 'shell', '--', 'sh', '-c', 'stty size; while read x; do stty size; done'], 37, 101,
        [{ wait: '37 101' }, { resize: [52, 133], sleep: 0.2, send: '\n', until: '52 133', repeat: '\n' }, { send: '\x04' }]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /^37 101\r\n/);
      assert.match(r.stdout, /52 133\r\n$/);
    });

    test('debug -it --target: a busybox shell that sees the distroless container\'s files at /proc/1/root; get -o yaml shows it', async () => {
      // "# " is the prompt once attached (the resize kubectl sends on attach makes sh redraw it); keys typed before
      // kubectl has attached can be lost (kubectl prints "try pressing enter" for that), so they wait for it.
      const r = await underPty([bin, 'debug', '-it', 'distroless', '--image=busybox', '--target=main'], 30, 100,
        [{ wait: '# ', send: 'ls /proc/1/root/ /proc/1/root/app\n' }, { wait: 'server', send: 'exit\n' }]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /Targeting container "main"/);
      const name = /Defaulting debug container name to (debugger-[a-z0-9]+)\./.exec(r.stdout)?.[1];
      assert.ok(name, r.stdout);
      assert.match(r.stdout, /\/proc\/1\/root\/:\r\napp\s+dev\s+etc\s+home\s+proc\s+root\s+tmp\s+usr\s+var\s*\r\n/);
      assert.match(r.stdout, /\/proc\/1\/root\/app:\r\nconfig.yaml\s+server\r\n/);
      const y = await run(bin, ['get', 'pod', 'distroless', '-o', 'yaml']);
      assert.equal(y.code, 0, y.stderr);
      assert.match(y.stdout, new RegExp(`ephemeralContainers:[\\s\\S]*- image: busybox[\\s\\S]*name: ${name}\\n[\\s\\S]*stdin: true\\n\\s+targetContainerName: main\\n`));
      assert.match(y.stdout, new RegExp(`ephemeralContainerStatuses:[\\s\\S]*name: ${name}\\n`));
      // the shell exited, so the container did (ephemeral containers are never restarted)
      const st = await run(bin, ['get', 'pod', 'distroless', '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.terminated.reason}`]);
      assert.equal(st.stdout, 'Completed');
    });

    test('cp of a file and a folder, both directions, byte-identical', async () => {
      const dir = await mkdtemp(join(work, 'cp-'));
      const file = randomBytes(700_001);
      await writeFile(join(dir, 'blob.bin'), file);
      await mkdir(join(dir, 'tree/sub'), { recursive: true });
      await writeFile(join(dir, 'tree/a.txt'), 'hello\n');
      await writeFile(join(dir, 'tree/sub/b.bin'), randomBytes(4096));
      const tag = label.replace(/\W+/g, '');
      const up1 = await run(bin, ['cp', join(dir, 'blob.bin'), `shell:/tmp/${tag}.bin`]);
      assert.equal(up1.code, 0, up1.stderr);
      const up2 = await run(bin, ['cp', join(dir, 'tree'), `shell:/root/${tag}-tree`]);
      assert.equal(up2.code, 0, up2.stderr);
      // what landed inside the container's own root
      const root = tc.clusters[0].rootOf('default', 'shell', 'main');
      assert.deepEqual(await readFile(join(root, `tmp/${tag}.bin`)), file);
      assert.equal(await readFile(join(root, `root/${tag}-tree/a.txt`), 'utf8'), 'hello\n');
      const down1 = await run(bin, ['cp', `shell:/tmp/${tag}.bin`, join(dir, 'back.bin')]);
      assert.equal(down1.code, 0, down1.stderr);
      assert.deepEqual(await readFile(join(dir, 'back.bin')), file);
      const down2 = await run(bin, ['cp', `shell:/root/${tag}-tree`, join(dir, 'tree-back')]);
      assert.equal(down2.code, 0, down2.stderr);
      const cmp = await run('diff', ['-r', join(dir, 'tree'), join(dir, 'tree-back')]);
      assert.equal(cmp.code, 0, cmp.stdout);
    });
  });
}

describe('@kubernetes/client-node Exec', () => {
  const kcFor = (context: string) => {
    const kc = new KubeConfig();
    kc.loadFromFile(tc.kubeconfigPath);
    kc.setCurrentContext(context);
    return kc;
  };
  const execOnce = async (context: string, pod: string, container: string, command: string[], input?: string) => {
    const exec = new Exec(kcFor(context));
    const stdout = new PassThrough(), stderr = new PassThrough();
    let out = '', err = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const stdin = input === undefined ? null : new PassThrough();
    const status = await new Promise<V1Status>((resolve, reject) => {
      exec.exec('default', pod, container, command, stdout, stderr, stdin, false, (s) => resolve(s)).catch(reject);
      if (stdin) stdin.end(input);
    });
    return { status, out, err };
  };

  test('status callback: Success', async () => {
    const r = await execOnce('kd-test-2', 'multi', 'sidecar', ['sh', '-c', 'echo from-$HOSTNAME']);
    assert.equal(r.status.status, 'Success');
    assert.equal(r.out, 'from-multi\n');
  });

  test('status callback: Failure, NonZeroExitCode with ExitCode cause', async () => {
    const r = await execOnce('kd-test-1', 'shell', 'main', ['sh', '-c', 'echo oops >&2; exit 7']);
    assert.equal(r.status.status, 'Failure');
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.deepEqual(r.status.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
    assert.equal(r.err, 'oops\n');
  });

  test('stdin through cat', async () => {
    const r = await execOnce('kd-test-1', 'shell', 'main', ['cat'], 'piped text\n');
    assert.equal(r.status.status, 'Success');
    assert.equal(r.out, 'piped text\n');
  });
});

describe("python's kubernetes client (Debian python3-kubernetes) stream()", () => {
  // Debian's python has the package; a python on PATH (pyenv, a venv) may not.
  const PYTHON = '/usr/bin/python3';
  interface PyResult { stdout: string; stderr: string; code: number | null }
  const pyExec = async (spec: Record<string, unknown>): Promise<PyResult> => {
    const r = await run(PYTHON, [join(HERE, 'pyexec.py'), JSON.stringify({ kubeconfig: tc.kubeconfigPath, context: 'kd-test-1', timeout: 25, ...spec })]);
    assert.equal(r.code, 0, `pyexec.py exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as PyResult;
  };

  test('without a tty: stdout and stderr apart, the exit code (it sends stdout=True)', async () => {
    const r = await pyExec({ pod: 'shell', command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 3 });
    const ok = await pyExec({ pod: 'multi', container: 'sidecar', command: ['sh', '-c', 'echo $HOSTNAME; test -t 0 || echo no-tty'] });
    assert.deepEqual(ok, { stdout: 'multi\nno-tty\n', stderr: '', code: 0 });
  });

  test('stdin without a tty', async () => {
    const r = await pyExec({ pod: 'shell', stdin: true, command: ['head', '-n', '1'], steps: [{ send: 'from python\n' }] });
    assert.deepEqual(r, { stdout: 'from python\n', stderr: '', code: 0 });
  });

  test('with a tty: a resize reaches the PTY, EOF ends the shell, its exit code comes back', async () => {
    const r = await pyExec({
      pod: 'shell', tty: true, stdin: true,
      command: ['sh', '-c', 'tty; while read x; do stty size; done; exit 5'],
      steps: [{ resize: [52, 133] }, { until: '52 133', repeat: '\n' }, { send: '\x04' }],
    });
    assert.equal(r.code, 5);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r\n/); // (after the echo of a first Enter, typed before the shell began)
    assert.match(r.stdout, /52 133\r\n/);
  });
});

// kubectl port-forward: 1.30 upgrades to SPDY/3.1 unless KUBECTL_PORT_FORWARD_WEBSOCKETS=true (alpha); 1.31 on
// tunnel SPDY through a WebSocket (`SPDY/3.1+portforward.k8s.io`, beta, on by default). The double serves both and
// records which one each forward used.
describe('kubectl port-forward', () => {
  const big = randomBytes(3 << 20);
  before(async () => {
    await tc.clusters[0].addPod('default', WEB_POD);
    await mkdir(join(tc.clusters[0].rootOf('default', 'web', 'httpd'), 'www'), { recursive: true });
    await writeFile(join(tc.clusters[0].rootOf('default', 'web', 'httpd'), 'www', 'big'), big);
  });

  /** Starts `kubectl port-forward`, resolves once it prints the local port. */
  async function forward(bin: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const p = spawn(bin, ['port-forward', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    const port = await until(`${bin} to print its local port`, () => Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1]), 20_000);
    return { port, stderr: () => err, exited, stop: () => p.kill('SIGTERM') };
  }

  for (const [label, bin] of KUBECTLS) {
    const version = /1\.(\d+)/.exec(label)?.[1] ?? '32';
    test(`${label}: an HTTP GET through the forward, a 3 MiB file byte-identical; the transport it chose`, async () => {
      const before = tc.clusters[0].portForwards.log.length;
      const f = await forward(bin, ['pod/web', ':80']);
      try {
        const res = await fetch(`http://127.0.0.1:${f.port}/`);
        assert.equal(await res.text(), 'hello from web\n');
        const file = Buffer.from(await (await fetch(`http://127.0.0.1:${f.port}/big`)).arrayBuffer());
        assert.equal(createHash('sha256').update(file).digest('hex'), createHash('sha256').update(big).digest('hex'));
      } finally { f.stop(); }
      await f.exited;
      assert.equal(tc.clusters[0].portForwards.log[before], version === '30' ? 'spdy' : 'spdy-over-websocket');
    });
  }

  test('kubectl 1.30 with KUBECTL_PORT_FORWARD_WEBSOCKETS=true tunnels through a WebSocket', async () => {
    const before = tc.clusters[0].portForwards.log.length;
    const f = await forward(KUBECTLS[1][1], ['pod/web', ':80'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'true' });
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${f.port}/`)).text(), 'hello from web\n');
    } finally { f.stop(); }
    await f.exited;
    assert.equal(tc.clusters[0].portForwards.log[before], 'spdy-over-websocket');
  });

  test('a port nothing listens on: the kubelet\'s error, and kubectl ends with "lost connection to pod"', async () => {
    const f = await forward(KUBECTL, ['pod/web', ':81']);
    await assert.rejects(fetch(`http://127.0.0.1:${f.port}/`));
    assert.equal(await f.exited, 1);
    assert.match(f.stderr(), /an error occurred forwarding \d+ -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : .*dial tcp4 127\.0\.0\.1:81: connect: connection refused/);
    assert.match(f.stderr(), /error: lost connection to pod/);
  });

  test('refusals: 403 in namespace restricted, pod not found, a pending pod', async () => {
    const r1 = await run(KUBECTL, ['-n', 'restricted', 'port-forward', 'pod/shell', ':80']);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /cannot create resource "pods\/portforward" in API group "" in the namespace "restricted"/);
    const r2 = await run(KUBECTL, ['port-forward', 'pod/nope', ':80']);
    assert.match(r2.stderr, /pods "nope" not found/);
    const r3 = await run(KUBECTL, ['port-forward', 'pod/pending', ':80']);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /pod is not running\. Current status=Pending/);
  });

  test("@kubernetes/client-node PortForward (the kubelet's WebSocket protocol, v4.channel.k8s.io)", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(tc.kubeconfigPath);
    const pf = new PortForward(kc);
    const before = tc.clusters[0].portForwards.log.length;
    const server = createServer((sock) => { void pf.portForward('default', 'web', [80], sock, null, sock); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      assert.equal(await res.text(), 'hello from web\n');
    } finally { server.close(); }
    assert.equal(tc.clusters[0].portForwards.log[before], 'websocket');
  });
});

describe('kubectl logs (pods/log)', () => {
  // kd-test-2, namespace logs: the fixture listings of kd-test-1 stay as the tests above expect them.
  const ctx = ['--context', 'kd-test-2', '-n', 'logs'];
  const lineOf = (s: string) => s.trim().split('\n').filter(Boolean);

  before(async () => {
    const c = tc.clusters[1];
    await c.addPod('logs', { name: 'ticker', containers: [
      { name: 'main', image: 'busybox', command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; [ $i -eq 2 ] && echo "tick 2 err" >&2; sleep 1; done'] },
      { name: 'side', image: 'busybox', command: ['sh', '-c', 'echo "side up"; exec sleep 3600'] },
    ] });
    await until('three ticks', () => c.logLines('logs', 'ticker', 'main').length >= 4, 20_000);
    // A restart keeps the ended instance's log for --previous.
    await c.restartContainer('logs', 'ticker', 'main');
    await until('a tick of the new instance', () => c.logLines('logs', 'ticker', 'main').length >= 1, 20_000);
  });

  after(() => tc.clusters[1].deletePod('logs', 'ticker'));

  for (const [label, bin] of KUBECTLS) {
    test(`${label}: -c, --previous, --timestamps, --tail, --since, --limit-bytes, errors`, async () => {
      const multi = await run(bin, [...ctx, 'logs', 'ticker']);
      assert.equal(multi.code, 0, multi.stderr);
      assert.match(multi.stderr, /Defaulted container "main" out of: main, side/);
      assert.match(multi.stdout, /^tick 1\n/);
      const side = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'side']);
      assert.equal(side.stdout, 'side up\n');
      const prev = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'main', '--previous']);
      assert.equal(prev.code, 0, prev.stderr);
      assert.deepEqual(lineOf(prev.stdout).slice(0, 4), ['tick 1', 'tick 2', 'tick 2 err', 'tick 3']);
      const noPrev = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'side', '--previous']);
      assert.equal(noPrev.code, 1);
      assert.match(noPrev.stderr, /Error from server \(BadRequest\): previous terminated container "side" in pod "ticker" not found/);
      const ts = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'main', '--previous', '--timestamps', '--tail', '2']);
      const stamped = lineOf(ts.stdout);
      assert.equal(stamped.length, 2);
      for (const l of stamped) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z tick \d+/);
      const since = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'main', '--previous', '--since-time', stamped[1].split(' ')[0], '--timestamps']);
      assert.deepEqual(lineOf(since.stdout), [stamped[1]]);
      const recent = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'main', '--previous', '--since', '1h']);
      assert.equal(recent.stdout, prev.stdout);
      const cut = await run(bin, [...ctx, 'logs', 'ticker', '-c', 'main', '--previous', '--limit-bytes', '9']);
      assert.equal(cut.stdout, 'tick 1\nti');
      const pend = await run(bin, ['logs', 'pending']);
      assert.match(pend.stderr, /Error from server \(BadRequest\): pod pending does not have a host assigned/);
    });

    test(`${label}: -f shows new lines as they are written`, async () => {
      const p = spawn(bin, [...ctx, 'logs', '-f', 'ticker', '-c', 'main', '--tail', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        // (the one stderr line, "tick 2 err", may be the tail line: only the ticks are counted)
        const ticks = () => lineOf(out).filter((l) => !l.endsWith(' err'));
        const first = Number((await until('the tail line', () => /^tick (\d+)$/.exec(ticks()[0] ?? ''), 20_000))[1]);
        await until('two lines written after it', () => ticks().length >= 3, 20_000);
        assert.deepEqual(ticks().slice(0, 3), [`tick ${first}`, `tick ${first + 1}`, `tick ${first + 2}`]);
      } finally {
        p.kill('SIGKILL');
      }
    });
  }

  test('-f ends when the container does (a restart), exit 0', async () => {
    const p = spawn(KUBECTL, [...ctx, 'logs', '-f', 'ticker', '-c', 'main'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => p.on('close', r));
    await until('following', () => out.includes('tick'), 20_000);
    await tc.clusters[1].restartContainer('logs', 'ticker', 'main');
    assert.equal(await exited, 0);
  });
});
