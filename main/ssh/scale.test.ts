// 200 concurrent SSH sessions on 3 clusters: every one gets a shell (a session of the host, with a pty) and
// echoes a marker computed in the pod, all 200 are open at once and answer a second marker, then all exit
// and no process is left in the pods. The clients are ssh2 Client connections in this process — 200
// OpenSSH processes (each with its own crypto and event loop) are too heavy for the 2-core machines this
// runs on beside the 200 shells; the protocol the gateway sees is the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { setUp, startHarness, type Harness } from '../../test/ssh/sshHarness.ts';
import { until } from '../../test/util/wait.ts';

const SESSIONS = 200;
const PODS = ['shell', 'busybox', 'notar'];

interface Shell {
  user: string;
  out: string;
  stream: ssh2.ClientChannel;
  client: ssh2.Client;
  closed: Promise<number | undefined>;
}

describe('SSH gateway: 200 concurrent sessions on 3 clusters', () => {
  let h: Harness;
  before(() => setUp('the scale suite\'s setup (3 test clusters, gateway)', async () => {
    h = await startHarness({ clusters: 3 });
  }));
  after(async () => {
    await h?.stop();
  });

  /** A shell with a pty through the gateway; resolves once the channel is open. */
  function open(user: string): Promise<Shell> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      client.on('error', reject);
      client.on('ready', () => {
        client.shell({ term: 'xterm', cols: 80, rows: 24 }, (err, stream) => {
          if (err) return reject(err);
          const s: Shell = {
            user, out: '', stream, client,
            closed: new Promise((r) => stream.on('exit', (code: number) => r(code)).on('close', () => r(undefined))),
          };
          stream.on('data', (b: Buffer) => (s.out += b.toString('latin1')));
          stream.stderr.on('data', (b: Buffer) => (s.out += b.toString('latin1')));
          resolve(s);
        });
      });
      client.connect({ host: '127.0.0.1', port: h.port, username: user, privateKey: readFileSync(h.key), readyTimeout: 60_000 });
    });
  }

  it('all get a shell and echo markers while all are open; all exit and leave no process in the pods', async () => {
    const pods = h.tc.clusters.flatMap((c) => PODS.map((pod) => ({ c, pod })));
    const before = new Map(await Promise.all(pods.map(async ({ c, pod }) => [`${c.context}/${pod}`, new Set((await c.processes('default', pod, 'main')).map((p) => p.pid))] as const)));
    const users = Array.from({ length: SESSIONS }, (_, i) => `${pods[i % pods.length].c.context}/default/${pods[i % pods.length].pod}`);
    // Opened 25 at a time (handshakes and shell starts are CPU work); they all stay open.
    const shells: Shell[] = [];
    for (let i = 0; i < SESSIONS; i += 25) shells.push(...(await Promise.all(users.slice(i, i + 25).map((u) => open(u)))));
    // The marker is computed by the shell, so the echo of the typed line cannot satisfy the wait.
    shells.forEach((s, i) => s.stream.write(`echo first-$((${i}*2+1))\n`));
    await until('every shell to answer its first marker', () => shells.every((s, i) => s.out.includes(`first-${i * 2 + 1}`)), 120_000);
    const ui = h.serve.kubedeck.connect(() => undefined, 'ui-user');
    const listed = (await ui.methods.listSessions()) as { state: { state: string } }[];
    assert.equal(listed.filter((s) => s.state.state === 'connected').length, SESSIONS, 'every SSH shell is a session of the host');
    // Responsive with all 200 open: a second round, every one at once.
    shells.forEach((s, i) => s.stream.write(`echo second-$((${i}*3+2))\n`));
    await until('every shell to answer its second marker', () => shells.every((s, i) => s.out.includes(`second-${i * 3 + 2}`)), 120_000);
    shells.forEach((s) => s.stream.write('exit 7\n'));
    const codes = await Promise.all(shells.map((s) => s.closed));
    assert.deepEqual(new Set(codes), new Set([7]), 'every shell ended with its own exit status');
    for (const s of shells) s.client.end();
    await until('every session to end', async () => ((await ui.methods.listSessions()) as unknown[]).length === 0, 60_000);
    await ui.close();
    await until('no process left in any pod', async () => {
      for (const { c, pod } of pods) {
        const left = (await c.processes('default', pod, 'main')).filter((p) => !before.get(`${c.context}/${pod}`)!.has(p.pid));
        if (left.length) throw new Error(`${c.context}/${pod}: ${JSON.stringify(left)}`);
      }
      return true;
    }, 60_000);
  });
});
