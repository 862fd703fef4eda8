// The SSH gateway with OpenSSH's own client against the test cluster: commands (exit status, stderr
// apart, binary-clean both ways, sha256-checked), shells as sessions of the host (recorded, audited,
// listed and attachable from the UI), a client killed with -9 (keepalive, grace period, no process left),
// and every refusal as a sentence on stderr with a non-zero exit.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionInfo } from '../../common/contract/terminals.ts';
import { NO_SHELL_MESSAGE } from '../core/kube/noShell.ts';
import { startHarness, type Harness } from '../../test/ssh/sshHarness.ts';
import { until } from '../../test/util/wait.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('SSH gateway: commands and shells', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ graceSeconds: 2 });
  });
  after(async () => {
    await h?.stop();
  });

  it('runs a command with its exit status and stderr apart', async () => {
    const r = await h.ssh('kd-test-1/default/shell/main', ['echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 3);
  });

  it('takes the short forms pod and namespace/pod on the current context', async () => {
    assert.match((await h.ssh('shell', ['cat /etc/os-release'])).stdout.toString(), /\(full\)/);
    assert.match((await h.ssh('default/busybox', ['cat /etc/os-release'])).stdout.toString(), /\(busybox\)/);
  });

  it('is binary-clean both ways (sha256 of 24 MiB down and up)', async () => {
    const data = randomBytes(24 << 20);
    writeFileSync(join(h.tc.clusters[0].rootOf('default', 'shell', 'main'), 'big'), data);
    const down = await h.ssh('kd-test-1/default/shell/main', ['cat /big']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(down.stdout.length, data.length);
    assert.equal(sha(down.stdout), sha(data));
    const up = await h.ssh('kd-test-1/default/busybox', ['cat > /up; sha256sum /up'], data);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout.toString().split(' ')[0], sha(data));
    assert.equal(sha(readFileSync(join(h.tc.clusters[0].rootOf('default', 'busybox', 'main'), 'up'))), sha(data));
  });

  it('says why on stderr with a non-zero exit: bad address, unknown pod, no shell, forbidden namespace', async () => {
    const bad = await h.ssh('a/b/c/d/e', ['true']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a pod address: log in as context\/namespace\/pod/);
    const none = await h.ssh('kd-test-1/default/nope', ['true']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /pods "nope" not found/);
    const distroless = await h.ssh('kd-test-1/default/distroless', ['true']);
    assert.equal(distroless.code, 1);
    assert.ok(distroless.stderr.includes(NO_SHELL_MESSAGE), distroless.stderr);
    const shellLess = await h.ssh('kd-test-1/default/distroless', ['-tt']);
    assert.notEqual(shellLess.code, 0);
    assert.ok(shellLess.stderr.includes('This container has no shell'), shellLess.stderr);
    const forbidden = await h.ssh('kd-test-1/restricted/shell', ['true']);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /forbidden/);
    const multi = await h.ssh('kd-test-1/default/multi', ['true']);
    assert.equal(multi.code, 1);
    assert.match(multi.stderr, /choose one of: \[app sidecar\]/);
  });

  it('refuses a key that is not authorized', async () => {
    const r = await h.ssh('shell', ['true'], undefined, h.strangerKey);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied \(publickey\)/);
  });

  it('a shell is a session of the host: recorded, audited as the key, listed and attachable in the UI', async () => {
    const child = h.spawnSsh('kd-test-1/default/shell/main', ['-tt']);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin!.write('echo marker-$((6*7))\n');
    await until('the shell to answer', () => out.includes('marker-42'));
    const ui = h.serve.kubedeck.connect(() => undefined, 'ui-user');
    const snapshots: string[] = [];
    const watcher = h.serve.kubedeck.connect((name, payload) => {
      if (name === 'terminal.snapshot') snapshots.push((payload as { data: string }).data);
    }, 'ui-watcher');
    const list = (await ui.methods.listSessions()) as SessionInfo[];
    const s = list.find((x) => x.pod === 'shell' && x.state.state === 'connected');
    assert.ok(s, JSON.stringify(list));
    assert.equal(s.recording, true);
    assert.equal(s.shell, 'bash');
    await watcher.methods.attachTerminal(s.id, 0, 0);
    await until('the UI to get the screen', () => snapshots.some((d) => d.includes('marker-42')));
    child.stdin!.write('exit 5\n');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 5);
    await until('the session to end', async () => !((await ui.methods.listSessions()) as SessionInfo[]).some((x) => x.id === s.id));
    await ui.close();
    await watcher.close();
    const audit = readFileSync(join(h.serve.kubedeck.dataDir, 'audit.jsonl'), 'utf8');
    assert.match(audit, /"ssh\.login".*"alice@laptop"|"alice@laptop".*"ssh\.login"/);
    assert.ok(audit.split('\n').some((l) => l.includes('terminal.open') && l.includes('alice@laptop')), 'terminal.open by the key');
  });

  it('a client killed with -9 detaches its shell; after the grace period no process is left in the pod', async () => {
    const c = h.tc.clusters[0];
    const before = (await c.processes('default', 'notar', 'main')).map((p) => p.pid);
    const child = h.spawnSsh('kd-test-1/default/notar', ['-tt']);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin!.write('sleep 1000 & echo started-$((1+1))\n');
    await until('the shell to start its job', () => out.includes('started-2'));
    const running = await c.processes('default', 'notar', 'main');
    assert.ok(running.some((p) => p.command.includes('sleep 1000')), JSON.stringify(running));
    const ui = h.serve.kubedeck.connect(() => undefined, 'ui-user');
    const mine = ((await ui.methods.listSessions()) as SessionInfo[]).find((x) => x.pod === 'notar')!;
    // `timeout` runs ssh as its child: kill ssh itself, so that no FIN or channel close is sent.
    const sshPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    process.kill(sshPid, 'SIGKILL');
    const detached = await until('the shell to detach (keepalive)', async () =>
      ((await ui.methods.listSessions()) as SessionInfo[]).find((x) => x.id === mine.id && x.viewers === 0 && x.endsAt),
    );
    assert.ok(detached.endsAt! > Date.now() - 1000);
    await until('the grace period to end the session', async () => !((await ui.methods.listSessions()) as SessionInfo[]).some((x) => x.id === mine.id));
    await until('no process left in the pod', async () => {
      const left = (await c.processes('default', 'notar', 'main')).filter((p) => !before.includes(p.pid));
      return left.length === 0;
    });
    await ui.close();
  });
});
