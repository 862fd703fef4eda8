// Terminal sessions against a test cluster: shell choice, I/O, resize, exit code, flow control,
// cleanup (no shell left in the pod), 403, and disconnect/reconnect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import type { TerminalState } from '../../../common/contract/terminals.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { runExec } from '../kube/runCollect.ts';
import { TerminalService } from './terminalService.ts';
import { VIEWER_HIGH } from './viewerLink.ts';
import { sleep, until } from '../../../test/util/wait.ts';

describe('terminal sessions', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  let svc: TerminalService;
  const output = new Map<string, Buffer[]>();
  const states = new Map<string, TerminalState[]>();
  const snapshots = new Map<string, string[]>();
  const text = (id: string) => Buffer.concat(output.get(id) ?? []).toString('utf8');
  const bytes = (id: string) => (output.get(id) ?? []).reduce((n, b) => n + b.length, 0);
  const open = (pod: string, ns = 'default', command?: string[]) =>
    svc.openTerminal({ context: 'kd-test-1', namespace: ns, pod, container: 'main', cols: 100, rows: 30, command });
  const procs = (pod: string) => tc.clusters[0].processes('default', pod, 'main');

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    svc = TerminalService.withOwnHost({
      kubeConfigFor: (c) => registry.kubeConfigFor(c),
      keepAliveMs: 2000,
      emit: (name, payload) => {
        if (name === 'terminal.data') {
          const p = payload as { id: string; data: Uint8Array };
          output.set(p.id, [...(output.get(p.id) ?? []), Buffer.from(p.data)]);
        } else if (name === 'terminal.snapshot') {
          const p = payload as { id: string; data: string };
          snapshots.set(p.id, [...(snapshots.get(p.id) ?? []), p.data]);
        } else if (name === 'terminal.state') {
          const p = payload as { id: string; state: TerminalState };
          states.set(p.id, [...(states.get(p.id) ?? []), p.state]);
        }
      },
    });
  });

  after(async () => {
    await svc?.dispose();
    registry?.close();
    await tc?.stop();
  });

  it('starts bash in a full image, runs typed commands, and the marker never shows', async () => {
    const t = await open('shell');
    assert.equal(t.state.state, 'connected');
    assert.equal(t.shell, 'bash');
    await svc.writeTerminal(t.id, 'echo ok-$((40+2))\n');
    await until('command output', () => text(t.id).includes('ok-42'));
    assert.ok(!text(t.id).includes('kubedeck;'), 'the pid marker is stripped');
    await svc.closeTerminal(t.id);
  });

  it('falls back to a working sh in busybox', async () => {
    const t = await open('busybox');
    assert.equal(t.state.state, 'connected');
    assert.match(t.shell ?? '', /^(ash|sh)$/);
    await svc.writeTerminal(t.id, 'echo bb-$((1+2))\n');
    await until('busybox output', () => text(t.id).includes('bb-3'));
    await svc.closeTerminal(t.id);
  });

  it('says clearly that a distroless image has no shell', async () => {
    const t = await open('distroless');
    assert.equal(t.state.state, 'error');
    assert.match((t.state as { reason: string }).reason, /no shell/);
    assert.equal((t.state as { noShell?: true }).noShell, true, 'the page offers a debug container on this flag');
  });

  it('gives the 403 message for the restricted namespace', async () => {
    const t = await open('shell', 'restricted');
    assert.equal(t.state.state, 'error');
    assert.match((t.state as { reason: string }).reason, /^403 Forbidden: .*pods\/exec/);
  });

  it('resizes the remote PTY', async () => {
    const t = await open('shell');
    await svc.resizeTerminal(t.id, 132, 43);
    await svc.writeTerminal(t.id, 'stty size\n');
    await until('stty size', () => text(t.id).includes('43 132'));
    await svc.closeTerminal(t.id);
  });

  it('keeps an idle terminal alive with pings', async () => {
    let text = '';
    const pinging = TerminalService.withOwnHost({
      kubeConfigFor: (c) => registry.kubeConfigFor(c),
      keepAliveMs: 100,
      emit: (name, payload) => {
        if (name === 'terminal.data') text += Buffer.from((payload as { data: Uint8Array }).data).toString();
      },
    });
    try {
      const t = await pinging.openTerminal({ context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 });
      await sleep(1500); // 15 ping/pong rounds with nothing typed
      assert.equal(pinging.session(t.id)?.state.state, 'connected');
      await pinging.writeTerminal(t.id, 'echo still-$((10+1))\n');
      await until('output after idling', () => text.includes('still-11'));
    } finally {
      await pinging.dispose();
    }
  });

  it('reports the exit code', async () => {
    const t = await open('shell');
    await svc.writeTerminal(t.id, 'exit 3\n');
    const s = await until('exit', () => svc.session(t.id)?.state.state === 'exited' && svc.session(t.id)!.state);
    assert.deepEqual(s, { state: 'exited', exitCode: 3 });
    assert.deepEqual(states.get(t.id)?.at(-1), { state: 'exited', exitCode: 3 });
    await svc.closeTerminal(t.id);
  });

  it('closing a tab leaves no process in the container', async () => {
    const t = await open('shell');
    const pid = svc.session(t.id)!.remotePid;
    assert.ok(pid, 'the shell pid is known');
    await svc.writeTerminal(t.id, 'sleep 1000\n');
    await until('sleep running', async () => (await procs('shell')).some((p) => p.command.startsWith('sleep')));
    await svc.closeTerminal(t.id);
    await until('no process left', async () => (await procs('shell')).length === 0, 5000);
  });

  it('closing a tab also ends background jobs of the shell (busybox)', async (t) => {
    const probe = await runExec(registry.kubeConfigFor('kd-test-1'), { context: 'kd-test-1', namespace: 'default', pod: 'busybox', container: 'main' }, ['sh', '-c', 'test -r /proc/self/stat']);
    if (probe.exitCode !== 0) return t.skip('this test cluster gives containers no /proc (real runtimes always do)');
    const term = await open('busybox');
    await svc.writeTerminal(term.id, 'sleep 1000 & sleep 999\n');
    await until('both sleeps running', async () => (await procs('busybox')).filter((p) => p.command.startsWith('sleep')).length === 2);
    await svc.closeTerminal(term.id);
    await until('no process left', async () => (await procs('busybox')).length === 0, 5000);
  });

  it("knows the shell's working directory (for the file browser)", async (t) => {
    const term = await open('shell');
    try {
      if ((await svc.terminalCwd(term.id)) === undefined) return t.skip('this test cluster gives containers no /proc (real runtimes always do)');
      await svc.writeTerminal(term.id, 'cd /tmp && echo moved\n');
      await until('cd done', () => text(term.id).includes('moved\r\n'));
      assert.equal(await svc.terminalCwd(term.id), '/tmp');
    } finally {
      await svc.closeTerminal(term.id);
    }
  });

  it('closing a client (window, socket) ends all its shells', async () => {
    const other = TerminalService.withOwnHost({ kubeConfigFor: (c) => registry.kubeConfigFor(c), emit: () => undefined });
    for (const pod of ['shell', 'busybox']) {
      const t = await other.openTerminal({ context: 'kd-test-1', namespace: 'default', pod, container: 'main', cols: 80, rows: 24 });
      assert.equal(t.state.state, 'connected');
    }
    assert.equal((await procs('shell')).length + (await procs('busybox')).length, 2);
    await other.dispose();
    await until('no process left', async () => (await procs('shell')).length + (await procs('busybox')).length === 0, 5000);
  });

  it('stops feeding a viewer that does not acknowledge, then sends it the screen instead of the backlog', async () => {
    const t = await open('shell');
    await svc.writeTerminal(t.id, 'yes flood-flood-flood-flood\n');
    // Past its window (VIEWER_HIGH, 1 MiB) an unacknowledging viewer is sent nothing more…
    await until('the viewer fell behind', () => bytes(t.id) > VIEWER_HIGH, 10_000);
    await sleep(500);
    const atStop = bytes(t.id);
    await sleep(1000);
    assert.ok(bytes(t.id) - atStop < 128 * 1024, `output kept coming to a viewer that is behind: ${bytes(t.id) - atStop} bytes`);
    assert.ok(atStop < VIEWER_HIGH + 256 * 1024, `far more than the window arrived unacknowledged: ${atStop}`);
    // …while the shell runs on, paced by the host's own screen, not by this viewer.
    assert.ok((await procs('shell')).some((p) => p.command.startsWith('yes')), 'yes still runs');
    // Caught up, it gets the screen as it is now (a snapshot), then live output again.
    await svc.ackTerminal(t.id, atStop);
    await until('a snapshot after the acks', () => (snapshots.get(t.id)?.length ?? 0) > 0);
    assert.match(snapshots.get(t.id)!.at(-1)!, /flood-flood-flood-flood/);
    await until('live output again', () => bytes(t.id) > atStop + 1000);
    // Ctrl-C reaches the process whatever the viewer's state.
    await svc.writeTerminal(t.id, '\x03');
    await until('Ctrl-C stopped yes', async () => (await procs('shell')).every((p) => !p.command.startsWith('yes')), 5000);
    await svc.closeTerminal(t.id);
    await until('yes is gone', async () => (await procs('shell')).length === 0, 5000);
  });

  it('marks a dropped connection disconnected, and reconnects after a cluster restart', async () => {
    const t = await open('shell');
    await tc.clusters[0].restart();
    const s = await until('disconnected', () => svc.session(t.id)?.state.state === 'disconnected' && svc.session(t.id)!.state, 15_000);
    assert.ok((s as { reason: string }).reason.length > 0);
    const again = await svc.reconnectTerminal(t.id);
    assert.equal(again.id, t.id);
    assert.equal(again.state.state, 'connected');
    // The runtime kept the old shell running past the drop; reconnecting ended it.
    await until('only the new shell left', async () => (await procs('shell')).length === 1, 5000);
    output.delete(t.id);
    await svc.writeTerminal(t.id, 'echo back-$((2*3))\n');
    await until('output after reconnect', () => text(t.id).includes('back-6'));
    await svc.closeTerminal(t.id);
    await until('no process left', async () => (await procs('shell')).length === 0, 5000);
  });
});
