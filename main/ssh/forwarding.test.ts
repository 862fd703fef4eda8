// Port forwarding on the SSH gateway with real clients: OpenSSH `ssh -N -L P:localhost:80` and paramiko's
// direct-tcpip reach port 80 of the routed pod (an HTTP GET, a 3 MiB download sha256-checked); a port nothing
// listens on, -R, -A and -X are refused with a sentence on stderr.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WEB_POD } from '../../test/cluster/index.ts';
import { collect, setUp, startHarness, type Harness } from '../../test/ssh/sshHarness.ts';
import { until } from '../../test/util/wait.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SSH gateway: port forwarding', () => {
  let h: Harness;
  const big = randomBytes(3 << 20);
  const kids: ChildProcess[] = [];
  // setUp prints the whole error if this fails (a CI log once showed only that the hook had failed).
  before(() => setUp('the port-forwarding suite\'s setup (test clusters, gateway, web pod)', async () => {
    h = await startHarness();
    await h.tc.clusters[0].addPod('default', WEB_POD);
    const www = join(h.tc.clusters[0].rootOf('default', 'web', 'httpd'), 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'big'), big);
  }));
  after(async () => {
    for (const k of kids) k.kill('SIGKILL');
    await h?.stop();
  });

  /**
   * `ssh -N -L port:dest` in the background; resolves once ssh listens on the local port. The free port is
   * picked before ssh binds it, so another process may take it meanwhile: ssh then exits at once
   * (ExitOnForwardFailure) and a new port is tried.
   */
  async function forward(user: string, spec: string, extra: string[] = []) {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const p = spawn('timeout', ['120', 'ssh', ...h.opts(), '-o', 'ExitOnForwardFailure=yes', '-N', '-L', `${port}:${spec}`, ...extra, '-p', String(h.port), '-l', user, '127.0.0.1'], { stdio: 'pipe' });
      kids.push(p);
      let stderr = '';
      let exited: number | null | undefined;
      p.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('exit', (code) => (exited = code));
      const listening = await until(`the ssh -L listener on ${port}`, async () => {
        if (exited !== undefined) return 'exited';
        const inUse = await new Promise<boolean>((resolve) => {
          const c = createServer();
          c.once('error', () => resolve(true)); // in use: ssh listens there
          c.listen(port, '127.0.0.1', () => c.close(() => resolve(false)));
        });
        return inUse && 'listening';
      }, 30_000);
      if (listening === 'listening') return { port, stderr: () => stderr, stop: () => p.kill('SIGTERM') };
      if (attempt >= 3 || !/in use|cannot listen/i.test(stderr)) throw new Error(`ssh -L ${port}:${spec} exited ${exited}: ${stderr.trim()}`);
    }
  }

  it('ssh -N -L P:localhost:80: an HTTP GET and a 3 MiB download through port 80 of the pod', async () => {
    const f = await forward('kd-test-1/default/web', 'localhost:80');
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${f.port}/`)).text(), 'hello from web\n');
      const body = Buffer.from(await (await fetch(`http://127.0.0.1:${f.port}/big`)).arrayBuffer());
      assert.equal(sha(body), sha(big));
    } finally { f.stop(); }
  });

  it('paramiko: a direct-tcpip channel to localhost:80 of the pod', async () => {
    const script = `
import sys, paramiko
key = paramiko.Ed25519Key.from_private_key_file(sys.argv[1])
c = paramiko.SSHClient(); c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
c.connect('127.0.0.1', port=int(sys.argv[2]), username='kd-test-1/default/web', pkey=key, allow_agent=False, look_for_keys=False)
ch = c.get_transport().open_channel('direct-tcpip', ('localhost', 80), ('127.0.0.1', 5555))
ch.sendall(b'GET / HTTP/1.0\\r\\nHost: web\\r\\n\\r\\n')
out = b''
while True:
    d = ch.recv(65536)
    if not d: break
    out += d
sys.stdout.write(out.decode())
c.close()
`;
    const r = await collect(spawn('timeout', ['60', '/usr/bin/python3', '-c', script, h.key, String(h.port)], { stdio: 'pipe' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^HTTP\/1\.[01] 200 OK\r\n/);
    assert.match(r.stdout.toString(), /\r\n\r\nhello from web\n$/);
  });

  it('a port nothing listens on in the pod, or another host: the connection closes and the session says why', async () => {
    const port = await freePort();
    const other = await freePort();
    const p = spawn('timeout', ['120', 'ssh', ...h.opts(), '-L', `${port}:localhost:81`, '-L', `${other}:example.com:80`, '-p', String(h.port), '-l', 'kd-test-1/default/web', '127.0.0.1', 'cat'], { stdio: 'pipe' });
    kids.push(p);
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    await until('the listener', () => fetch(`http://127.0.0.1:${port}/`).then(() => false, (e: Error) => !/ECONNREFUSED/.test(String((e as { cause?: unknown }).cause ?? e))), 20_000);
    await until('the reason on stderr', () => /kubedeck: forwarding to localhost:81 refused: nothing listens on port 81 in pod web \(connection refused\)/.test(stderr), 20_000);
    await assert.rejects(fetch(`http://127.0.0.1:${other}/`));
    await until('the other reason', () => /kubedeck: forwarding to example\.com:80 refused: only the pod's own ports are reachable/.test(stderr), 20_000);
    p.stdin?.end();
  });

  it('-R, -A and -X: refused, each with a reason on stderr', async () => {
    const agent = spawn('ssh-agent', ['-D', '-a', join(h.dir, 'agent.sock')], { stdio: 'ignore' });
    kids.push(agent);
    await until('the agent socket', () => existsSync(join(h.dir, 'agent.sock')));
    const child = spawn('timeout', ['60', 'ssh', ...h.opts(), '-A', '-X', '-R', `${await freePort()}:localhost:80`, '-p', String(h.port), '-l', 'kd-test-1/default/web', '127.0.0.1', 'sleep 1; echo done'],
      { stdio: 'pipe', env: { ...process.env, SSH_AUTH_SOCK: join(h.dir, 'agent.sock'), DISPLAY: ':97' } });
    const r = await collect(child);
    assert.equal(r.stdout.toString(), 'done\n', r.stderr);
    assert.match(r.stderr, /kubedeck: remote forwarding \(-R\) refused: Kubedeck does not open ports on its server for a pod/);
    assert.match(r.stderr, /kubedeck: agent forwarding \(-A\) refused/);
    assert.match(r.stderr, /kubedeck: X11 forwarding \(-X\) refused/);
  });
});
