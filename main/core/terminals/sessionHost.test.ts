// The session host against a test cluster: sessions outlive their viewer (grace period), a late viewer gets
// the exact screen, many viewers each at their own pace, hidden viewers cost nothing, broadcast typing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestClusters, type TestClusters } from '../../../test/cluster/index.ts';
import { newHeadless, screenOf, writeAll } from '../../../test/util/screen.ts';
import { sleep, until } from '../../../test/util/wait.ts';
import type { TerminalSnapshot, TerminalState } from '../../../common/contract/terminals.ts';
import { ClusterRegistry } from '../clusters/clusterRegistry.ts';
import { SessionHost } from './sessionHost.ts';
import { TerminalService } from './terminalService.ts';
import type { AuditLike } from './terminalDeps.ts';

/** One client of the host, recording what it is sent. */
class Client {
  readonly data = new Map<string, Buffer[]>();
  readonly states = new Map<string, TerminalState[]>();
  readonly snapshots = new Map<string, TerminalSnapshot[]>();
  readonly svc: TerminalService;
  /** `autoAck`: acknowledges each chunk as it arrives, like a page that keeps up. */
  constructor(host: SessionHost, who: string, audit?: AuditLike, autoAck = false) {
    this.svc = new TerminalService({
      host,
      who,
      audit,
      emit: (name, payload) => {
        const p = payload as { id: string };
        if (name === 'terminal.data') {
          const data = (payload as { data: Uint8Array }).data;
          this.push(this.data, p.id, Buffer.from(data));
          if (autoAck) setImmediate(() => void this.svc.ackTerminal(p.id, data.length));
        }
        if (name === 'terminal.state') this.push(this.states, p.id, (payload as { state: TerminalState }).state);
        if (name === 'terminal.snapshot') this.push(this.snapshots, p.id, payload as TerminalSnapshot);
      },
    });
  }
  private push<T>(m: Map<string, T[]>, id: string, v: T): void {
    m.set(id, [...(m.get(id) ?? []), v]);
  }
  text(id: string): string {
    return Buffer.concat(this.data.get(id) ?? []).toString('utf8');
  }
  bytes(id: string): number {
    return (this.data.get(id) ?? []).reduce((n, b) => n + b.length, 0);
  }
}

describe('session host', () => {
  let tc: TestClusters;
  let registry: ClusterRegistry;
  let host: SessionHost;
  let graceMs = 60_000;
  const audit: { kind: string; who: string; details: Record<string, unknown> }[] = [];
  const auditLog: AuditLike = { append: async (kind, who, details) => void audit.push({ kind, who, details }) };
  const procs = (pod = 'shell') => tc.clusters[0].processes('default', pod, 'main');
  const shells = async (pod = 'shell') => (await procs(pod)).filter((p) => /^(bash|ash|sh) -il/.test(p.command)).length;
  const open = (c: Client, pod = 'shell', cols = 80, rows = 24) => c.svc.openTerminal({ context: 'kd-test-1', namespace: 'default', pod, container: 'main', cols, rows });

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    registry = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    host = new SessionHost({ terminal: { kubeConfigFor: (c) => registry.kubeConfigFor(c), audit: auditLog }, graceMs: () => graceMs, viewerHigh: 256 * 1024, viewerLow: 32 * 1024 });
  });

  after(async () => {
    await host?.shutdown();
    registry?.close();
    await tc?.stop();
  });

  it('a viewer that goes away only detaches; another one attaches and gets the exact screen, full-screen program included', async () => {
    const a = new Client(host, 'alice');
    const t = await open(a, 'shell', 60, 12);
    assert.equal(t.state.state, 'connected');
    // Colours, a long wrapped line, scrollback, then a full-screen program's alternate screen with the cursor placed.
    const script =
      "for i in $(seq 1 40); do printf '\\033[3%dmline %d\\033[0m\\n' $((i % 7)) $i; done; printf '%0120d\\n' 7; " +
      "printf '\\033[?1049h\\033[2J\\033[H\\033[1;44m top - 12:00 \\033[0m\\033[5;10H\\033[4mPID USER\\033[0m\\033[8;3Hcursor-here'; echo; printf '\\033[9;20H'; sleep 1000\n";
    await a.svc.writeTerminal(t.id, script);
    await until('the full-screen part drawn', () => a.text(t.id).includes('cursor-here'));
    await until('the cursor placed', () => a.text(t.id).endsWith('\x1b[9;20H'));
    await a.svc.dispose();
    assert.equal(await shells(), 1, 'the shell runs on without a viewer');
    assert.equal((await host.list(new Client(host, 'x').svc.viewer))[0]?.viewers, 0);

    const b = new Client(host, 'bob');
    const info = await b.svc.attachTerminal(t.id, 0, 0);
    assert.equal(info.state.state, 'connected');
    const snap = await until('a snapshot', () => b.snapshots.get(t.id)?.[0]);
    // The restored screen equals that of a terminal fed the very bytes the first viewer got.
    const reference = newHeadless(60, 12);
    await writeAll(reference, Buffer.concat(a.data.get(t.id)!));
    const restored = newHeadless(snap.cols, snap.rows);
    await writeAll(restored, snap.data);
    const want = screenOf(reference);
    assert.equal(want.buffer, 'alternate');
    assert.deepEqual(screenOf(restored), want);
    // …and it continues live.
    await b.svc.writeTerminal(t.id, '\x03');
    await b.svc.writeTerminal(t.id, 'printf "\\033[?1049l"; echo live-$((6*7))\n');
    await until('live output after the snapshot', () => b.text(t.id).includes('live-42'));
    await b.svc.closeTerminal(t.id);
    await until('no shell left', async () => (await shells()) === 0, 5000);
    await assert.rejects(b.svc.attachTerminal(t.id, 80, 24), /has ended: The session was closed \(closed by bob\)/);
  });

  it('ends a session when the grace period passes with no viewer, and leaves no shell', async () => {
    graceMs = 400;
    try {
      const a = new Client(host, 'alice');
      const t = await open(a);
      await a.svc.writeTerminal(t.id, 'sleep 1000\n');
      await until('sleep runs', async () => (await procs()).some((p) => p.command.startsWith('sleep')));
      await a.svc.dispose();
      const listed = (await host.list(a.svc.viewer)).find((s) => s.id === t.id);
      assert.ok(listed?.endsAt && listed.endsAt > Date.now() - 1000, 'the list says when it ends');
      await until('the session ended', () => !host.get(t.id), 5000);
      await until('no process left', async () => (await procs()).length === 0, 5000);
      const b = new Client(host, 'bob');
      await assert.rejects(b.svc.attachTerminal(t.id, 80, 24), /has ended: no one attached to it for 0 s/);
    } finally {
      graceMs = 60_000;
    }
  });

  it('a viewer that attaches within the grace period keeps the session; 50 reattaches leave exactly one shell', async () => {
    const a = new Client(host, 'alice');
    const t = await open(a);
    await a.svc.dispose();
    for (let i = 0; i < 50; i++) {
      const page = new Client(host, `reload-${i}`);
      await page.svc.attachTerminal(t.id, 80, 24);
      await until('snapshot', () => page.snapshots.get(t.id)?.length);
      await page.svc.dispose();
    }
    assert.equal(await shells(), 1);
    const last = new Client(host, 'last');
    await last.svc.attachTerminal(t.id, 80, 24);
    await last.svc.writeTerminal(t.id, 'echo still-$((1+1))\n');
    await until('still the same shell', () => last.text(t.id).includes('still-2'));
    await last.svc.closeTerminal(t.id);
    await until('no shell left', async () => (await shells()) === 0, 5000);
  });

  it('two viewers: a slow one is resynchronised, the fast one and the shell never wait for it', async () => {
    const fast = new Client(host, 'fast', undefined, true);
    const slow = new Client(host, 'slow');
    const t = await open(fast);
    await slow.svc.attachTerminal(t.id, 0, 0);
    await until('slow got its first snapshot', () => slow.snapshots.get(t.id)?.length);
    await fast.svc.writeTerminal(t.id, 'seq 1 200000; echo seq-done\n');
    // The fast viewer acknowledges as it goes; the slow one never does.
    await until('the fast viewer saw it all', () => fast.text(t.id).includes('\r\nseq-done'), 30_000);
    assert.ok(fast.text(t.id).includes('\r\n199999\r\n'), 'the fast viewer got every line');
    assert.ok(slow.bytes(t.id) < 256 * 1024 + 128 * 1024, `the slow viewer was fed past its window: ${slow.bytes(t.id)}`);
    // Once the slow one catches up it gets the final screen, not the backlog.
    await slow.svc.ackTerminal(t.id, slow.bytes(t.id));
    await until('the slow viewer resynchronised', () => (slow.snapshots.get(t.id)?.length ?? 0) >= 2);
    const screen = newHeadless(80, 24);
    await writeAll(screen, slow.snapshots.get(t.id)!.at(-1)!.data);
    await until('the final screen', () => screenOf(screen).normal.some((l) => l.startsWith('seq-done')));
    await fast.svc.closeTerminal(t.id);
    assert.deepEqual(slow.states.get(t.id)?.at(-1), { state: 'disconnected', reason: 'The session was closed (closed by fast).' });
  });

  it('sends a hidden viewer nothing, and the current screen when it is shown again', async () => {
    const a = new Client(host, 'alice');
    const t = await open(a);
    await until('prompt', () => a.bytes(t.id) > 0);
    await a.svc.setTerminalVisible(t.id, false);
    const before = a.bytes(t.id);
    // Another viewer types; the hidden one draws nothing meanwhile.
    const b = new Client(host, 'bob');
    await b.svc.attachTerminal(t.id, 0, 0);
    await b.svc.writeTerminal(t.id, 'echo while-hidden-$((3*3))\n');
    await until('typed', () => b.text(t.id).includes('while-hidden-9'));
    await sleep(100);
    assert.equal(a.bytes(t.id), before);
    await a.svc.setTerminalVisible(t.id, true);
    const snap = await until('snapshot on show', () => a.snapshots.get(t.id)?.at(-1));
    assert.match(snap.data, /while-hidden-9/);
    await a.svc.closeTerminal(t.id);
  });

  it('a viewer attached hidden (a background tab after a reload) keeps the session and is sent nothing until shown', async () => {
    const a = new Client(host, 'alice');
    const t = await open(a);
    await until('prompt', () => a.bytes(t.id) > 0);
    await a.svc.writeTerminal(t.id, 'echo before-reload-$((2*21))\n');
    await until('typed', () => a.text(t.id).includes('before-reload-42'));
    await a.svc.dispose();
    const page = new Client(host, 'alice');
    const info = await page.svc.attachTerminal(t.id, 0, 0, true);
    assert.equal(info.state.state, 'connected');
    assert.equal(host.get(t.id)?.viewerCount, 1, 'attached: the grace period does not run');
    // Output fans out to every viewer at once: when the visible one has it, the hidden one was passed over.
    const other = new Client(host, 'bob');
    await other.svc.attachTerminal(t.id, 0, 0);
    await other.svc.writeTerminal(t.id, 'echo in-background-$((3*3))\n');
    await until('typed', () => other.text(t.id).includes('in-background-9'));
    assert.equal(page.bytes(t.id), 0);
    assert.equal(page.snapshots.get(t.id), undefined, 'no snapshot for a tab not shown');
    await page.svc.setTerminalVisible(t.id, true);
    const snap = await until('snapshot on first show', () => page.snapshots.get(t.id)?.at(-1));
    assert.match(snap.data, /before-reload-42[\s\S]*in-background-9/);
    await page.svc.closeTerminal(t.id);
  });

  it('broadcast typing reaches every chosen terminal and is audited', async () => {
    const a = new Client(host, 'alice', auditLog);
    const one = await open(a, 'shell');
    const two = await open(a, 'busybox');
    assert.deepEqual((await a.svc.setBroadcast([one.id, two.id, 'not-a-session'])).sort(), [one.id, two.id].sort());
    assert.equal(await a.svc.writeBroadcast('echo both-$((5+5))\n'), 2);
    await until('both got it', () => a.text(one.id).includes('both-10') && a.text(two.id).includes('both-10'));
    await a.svc.setBroadcast([]);
    await assert.rejects(a.svc.writeBroadcast('x'), /no broadcast is on/);
    const entries = audit.filter((e) => e.kind === 'terminal.broadcast');
    assert.deepEqual(entries.map((e) => e.details.action), ['start', 'stop']);
    assert.deepEqual((entries[0].details.targets as { pod: string }[]).map((x) => x.pod).sort(), ['busybox', 'shell']);
    assert.equal(entries[1].details.bytesTyped, 'echo both-$((5+5))\n'.length);
    await a.svc.closeTerminal(one.id);
    await a.svc.closeTerminal(two.id);
  });

  it('a cluster that drops while a session is detached shows it disconnected when a page comes back', async () => {
    const a = new Client(host, 'alice');
    const t = await open(a);
    await a.svc.dispose();
    await tc.clusters[0].restart();
    await until('disconnected', () => host.get(t.id)?.info().state.state === 'disconnected', 15_000);
    const b = new Client(host, 'bob');
    const info = await b.svc.attachTerminal(t.id, 80, 24);
    assert.equal(info.state.state, 'disconnected');
    const again = await b.svc.reconnectTerminal(t.id);
    assert.equal(again.state.state, 'connected');
    await b.svc.closeTerminal(t.id);
    await until('no shell left', async () => (await shells()) === 0, 5000);
  });
});
