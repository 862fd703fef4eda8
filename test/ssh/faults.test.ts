// A client whose network goes away (no FIN, no RST: a TCP proxy that stops forwarding) is noticed by the
// server's keepalive, set short through settings.json (ssh.keepaliveSeconds, ssh.keepaliveCountMax); its
// shell detaches, the grace period ends it, and no process is left in the pod — the test cluster's process
// listing proves it. The same for a command without a pty. Real OpenSSH clients throughout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionInfo } from '../../common/contract/terminals.ts';
import { startServe, type RunningServe } from '../../main/cli/serveCommand.ts';
import { startHarness, type Harness } from './sshHarness.ts';
import { startPauseProxy, type PauseProxy } from './pauseProxy.ts';
import { until } from '../util/wait.ts';

describe('SSH gateway: a client whose network goes away', () => {
  let h: Harness;
  let serve: RunningServe;
  const proxies: PauseProxy[] = [];
  const clients: ChildProcess[] = [];
  before(async () => {
    h = await startHarness({ graceSeconds: 2 });
    // A serve of its own, so that the keepalive comes from the settings file as a user would set it.
    const dataDir = join(h.dir, 'faults-data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ 'terminals.graceSeconds': 2, 'ssh.keepaliveSeconds': 0.5, 'ssh.keepaliveCountMax': 2 }));
    serve = await startServe(
      { port: 0, host: '127.0.0.1', kubeconfig: h.tc.kubeconfigPath, sshPort: 0, sshAuthorizedKeys: h.authorizedKeysPath },
      { dataDir },
    );
  });
  after(async () => {
    for (const c of clients) c.kill('SIGKILL');
    for (const p of proxies) await p.close();
    await serve?.stop();
    await h?.stop();
  });

  /** OpenSSH through a pausable proxy to this test's serve. */
  async function sshThroughProxy(user: string, args: string[]): Promise<{ child: ChildProcess; proxy: PauseProxy; out: () => string }> {
    const proxy = await startPauseProxy(serve.ssh!.port);
    proxies.push(proxy);
    const child = spawn('timeout', ['300', 'ssh', ...h.opts(), '-p', String(proxy.port), '-l', user, '127.0.0.1', ...args], { stdio: 'pipe' });
    clients.push(child);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    return { child, proxy, out: () => out };
  }

  it('a shell detaches on keepalive; after the grace period no process is left in the pod', async () => {
    const c = h.tc.clusters[0];
    const ui = serve.kubedeck.connect(() => undefined, 'ui-user');
    const { child, proxy, out } = await sshThroughProxy('kd-test-1/default/notar', ['-tt']);
    child.stdin!.write('sleep 1000 & echo started-$((1+1))\n');
    await until('the shell to start its job', () => out().includes('started-2'), 60_000);
    const running = await c.processes('default', 'notar', 'main');
    assert.ok(running.some((p) => p.command.includes('sleep 1000')), JSON.stringify(running));
    const mine = ((await ui.methods.listSessions()) as SessionInfo[]).find((x) => x.pod === 'notar' && x.viewers === 1);
    assert.ok(mine, 'the SSH shell is a session of the host');

    proxy.pause();
    // The client is still running and its socket open: only the keepalive can tell.
    const detached = await until(
      'the shell to detach (keepalive)',
      async () => ((await ui.methods.listSessions()) as SessionInfo[]).find((x) => x.id === mine.id && x.viewers === 0 && x.endsAt),
      60_000,
    );
    assert.ok(detached.endsAt);
    assert.equal(child.exitCode, null, 'the client itself never heard a thing');
    await until('the grace period to end the session', async () => !((await ui.methods.listSessions()) as SessionInfo[]).some((x) => x.id === mine.id), 60_000);
    await until('no process left in the pod', async () => (await c.processes('default', 'notar', 'main')).length === 0, 60_000);
    await ui.close();
  });

  it('a command without a pty is killed in the pod when keepalive gives up on its client', async () => {
    const c = h.tc.clusters[0];
    const { child, proxy, out } = await sshThroughProxy('kd-test-1/default/busybox', ['echo begun; exec sleep 1001']);
    await until('the command to start', () => out().includes('begun'), 60_000);
    await until('sleep to run in the pod', async () => (await c.processes('default', 'busybox', 'main')).some((p) => p.command.includes('sleep 1001')), 60_000);
    proxy.pause();
    await until('no process left in the pod', async () => (await c.processes('default', 'busybox', 'main')).length === 0, 60_000);
    assert.equal(child.exitCode, null, 'the client itself never heard a thing');
  });
});
