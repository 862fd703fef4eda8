import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenTerminalRequest, TerminalInfo, TerminalState } from '../../../common/contract/index.ts';
import { StreamRouter, type Sink } from './terminalStreams.ts';
import { CONNECTION_LOST, TerminalSessions, type TerminalCalls } from './terminalSessions.ts';
import type { Session } from './terminalTabs.ts';

const REF = { context: 'c1', namespace: 'default', pod: 'shell', container: 'main' };

function session(over: Partial<Session> = {}): Session {
  return { key: 's1', id: '', ref: { ...REF }, state: { state: 'connecting' }, recording: false, started: false, ...over };
}

function info(id: string, state: TerminalState = { state: 'connected' }): TerminalInfo {
  return { ...REF, id, command: ['bash'], shell: 'bash', state, recording: true };
}

/** A fake main side: records every call; openTerminal and reconnectTerminal answer what the test queues. */
function fakeApi() {
  const calls: [string, ...unknown[]][] = [];
  const answers: { open: (() => Promise<TerminalInfo>)[]; reconnect: (() => Promise<TerminalInfo>)[]; list: TerminalInfo[] } = { open: [], reconnect: [], list: [] };
  /** What the host keeps: attaching to an id it does not have fails as the host says. */
  const api: TerminalCalls = {
    openTerminal: (req: OpenTerminalRequest) => {
      calls.push(['open', req]);
      return answers.open.shift()?.() ?? Promise.reject(new Error('no answer queued'));
    },
    reconnectTerminal: (id) => {
      calls.push(['reconnect', id]);
      return answers.reconnect.shift()?.() ?? Promise.reject(new Error('unknown session'));
    },
    writeTerminal: async (id, data) => void calls.push(['write', id, data]),
    resizeTerminal: async (id, cols, rows) => void calls.push(['resize', id, cols, rows]),
    closeTerminal: async (id) => void calls.push(['close', id]),
    attachTerminal: async (id, cols, rows, hidden?: boolean) => {
      calls.push(hidden === undefined ? ['attach', id, cols, rows] : ['attach', id, cols, rows, hidden]);
      const found = answers.list.find((x) => x.id === id);
      if (!found) throw new Error(`terminal ${id} has ended: no one attached to it for 15 minutes`);
      return found;
    },
    detachTerminal: async (id) => void calls.push(['detach', id]),
    setTerminalVisible: async (id, visible) => void calls.push(['visible', id, visible]),
  };
  return { api, calls, answers };
}

function setup(open = new Set(['s1'])) {
  const { api, calls, answers } = fakeApi();
  const router = new StreamRouter({ ack: () => {}, onState: () => {}, onFirstOutput: () => {} });
  const sessions = new TerminalSessions({ api, router, isOpen: (key) => open.has(key) });
  const notes: string[] = [];
  const paneSize = { cols: 100, rows: 30 };
  const pane: Sink = { write: () => {}, snapshot: () => {}, note: (t) => void notes.push(t), size: () => paneSize };
  return { api, calls, answers, router, sessions, notes, pane, paneSize, open };
}

test('start opens once, at the pane size, with a copy of the command; the answer binds the session', async () => {
  const t = setup();
  const s = session({ command: ['top'] });
  t.answers.open.push(async () => info('id1'));
  await t.sessions.start(s, 120, 40);
  await t.sessions.start(s, 120, 40);
  const opens = t.calls.filter((c) => c[0] === 'open');
  assert.deepEqual(opens, [['open', { ...REF, command: ['top'], cols: 120, rows: 40 }]]);
  assert.notEqual((opens[0][1] as OpenTerminalRequest).command, s.command);
  assert.equal(s.started, true);
  assert.equal(s.id, 'id1');
  assert.equal(s.recording, true);
  assert.equal(s.shell, 'bash');
  assert.deepEqual(s.state, { state: 'connected' });
});

test('keys typed while connecting are sent once connected (up to 4 KiB); later keys go straight', async () => {
  const t = setup();
  const s = session();
  let answer!: (i: TerminalInfo) => void;
  t.answers.open.push(() => new Promise((r) => (answer = r)));
  const started = t.sessions.start(s, 80, 24);
  t.sessions.write(s, 'ls');
  t.sessions.write(s, '\r');
  t.sessions.write(s, 'x'.repeat(5000));
  answer(info('id1'));
  await started;
  t.sessions.write(s, 'pwd\r');
  await Promise.resolve();
  assert.deepEqual(t.calls.filter((c) => c[0] === 'write'), [['write', 'id1', 'ls\r'], ['write', 'id1', 'pwd\r']]);
});

test('an end reported while the answer was on its way wins; typed keys are then dropped', async () => {
  const t = setup();
  const s = session();
  t.router.attach(s.key, t.pane);
  t.answers.open.push(async () => {
    t.router.state('id1', { state: 'exited', exitCode: 2 });
    return info('id1');
  });
  const started = t.sessions.start(s, 80, 24);
  t.sessions.write(s, 'echo hi\r');
  await started;
  assert.deepEqual(s.state, { state: 'exited', exitCode: 2 });
  assert.deepEqual(t.notes, ['Process exited with code 2.']);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'write' || c[0] === 'resize'), []);
});

test('once bound, the session is resized to the pane if it changed size while opening', async () => {
  const t = setup();
  const s = session();
  t.router.attach(s.key, t.pane);
  t.answers.open.push(async () => info('id1'));
  await t.sessions.start(s, 80, 24);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'resize'), [['resize', 'id1', 100, 30]]);
  t.sessions.resize(s, 90, 20);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'resize').at(-1), ['resize', 'id1', 90, 20]);
  // A pane not laid out yet (0×0) is no size to send.
  t.paneSize.cols = 0;
  const s2 = session({ key: 's2' });
  t.open.add('s2');
  t.router.attach('s2', t.pane);
  t.answers.open.push(async () => info('id2'));
  await t.sessions.start(s2, 80, 24);
  assert.equal(t.calls.filter((c) => c[0] === 'resize' && c[1] === 'id2').length, 0);
});

test('a failed open is an error state; it gets a line in the terminal only after output', async () => {
  const t = setup();
  const s = session();
  t.router.attach(s.key, t.pane);
  t.answers.open.push(async () => Promise.reject(new Error('403 Forbidden: pods/exec')));
  await t.sessions.start(s, 80, 24);
  assert.deepEqual(s.state, { state: 'error', reason: '403 Forbidden: pods/exec' });
  assert.deepEqual(t.notes, []);
  const s2 = session({ key: 's2', hadOutput: true, state: { state: 'connected' } });
  t.router.attach('s2', t.pane);
  t.sessions.applyState(s2, { state: 'error', reason: 'gone' });
  assert.deepEqual(t.notes, ['gone']);
});

test('a note is drawn for a change only, not for the same state again', () => {
  const t = setup();
  const s = session({ state: { state: 'connected' } });
  t.router.attach(s.key, t.pane);
  t.sessions.applyState(s, { state: 'disconnected', reason: 'cluster down' });
  t.sessions.applyState(s, { state: 'disconnected', reason: 'still down' });
  assert.deepEqual(t.notes, ['Disconnected: cluster down']);
  assert.deepEqual(s.state, { state: 'disconnected', reason: 'still down' });
});

test('a tab closed while its terminal opened: the new session is closed at once, nothing is bound', async () => {
  const t = setup(new Set());
  const s = session();
  t.answers.open.push(async () => info('id9'));
  await t.sessions.start(s, 80, 24);
  assert.equal(s.id, '');
  await Promise.resolve();
  assert.deepEqual(t.calls.filter((c) => c[0] === 'close'), [['close', 'id9']]);
});

test('reconnect reuses the id when the main side has it, else opens afresh at the pane size', async () => {
  const t = setup();
  const s = session({ id: 'id1', state: { state: 'exited', exitCode: 0 }, started: true });
  t.router.attach(s.key, t.pane);
  t.router.bind(s.key, 'id1');
  t.answers.reconnect.push(async () => info('id1'));
  await t.sessions.reconnect(s);
  assert.deepEqual(s.state, { state: 'connected' });
  assert.deepEqual(t.notes, ['Reconnecting…']);

  s.state = { state: 'disconnected', reason: 'x' };
  t.answers.open.push(async () => info('id2'));
  await t.sessions.reconnect(s);
  assert.equal(s.id, 'id2');
  assert.deepEqual(t.calls.filter((c) => c[0] === 'open'), [['open', { ...REF, command: undefined, cols: 100, rows: 30 }]]);

  // Already connecting: nothing more.
  s.state = { state: 'connecting' };
  const before = t.calls.length;
  await t.sessions.reconnect(s);
  assert.equal(t.calls.length, before);
});

test('writes and resizes need a connected session', async () => {
  const t = setup();
  const s = session({ id: 'id1', state: { state: 'exited', exitCode: 0 } });
  t.sessions.write(s, 'x');
  t.sessions.resize(s, 1, 1);
  await Promise.resolve();
  assert.deepEqual(t.calls, []);
});

test('ending a session closes it on the main side and drops its typed keys', async () => {
  const t = setup();
  const s = session();
  t.sessions.write(s, 'typed');
  t.sessions.end(s);
  t.sessions.end(session({ key: 's2', id: 'id2' }));
  await Promise.resolve();
  assert.deepEqual(t.calls, [['close', 'id2']]);
  t.answers.open.push(async () => info('id3'));
  await t.sessions.start(s, 80, 24);
  assert.equal(t.calls.filter((c) => c[0] === 'write').length, 0);
});

test('a restored pane (it has a session id) attaches instead of opening; one that ended says why', async () => {
  const t = setup(new Set(['s1', 's2']));
  const restored = session({ key: 's1', id: 'kept', started: false });
  t.answers.list = [info('kept', { state: 'connected' })];
  await t.sessions.start(restored, 120, 40);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'attach' || c[0] === 'open'), [['attach', 'kept', 120, 40]]);
  assert.equal(restored.state.state, 'connected');
  const gone = session({ key: 's2', id: 'gone', started: false });
  await t.sessions.start(gone, 80, 24);
  assert.deepEqual(gone.state, { state: 'error', reason: 'terminal gone has ended: no one attached to it for 15 minutes' });
});

test('a pane of a background tab attaches hidden (no screen sent until shown), once; a later start does nothing', async () => {
  const t = setup();
  const restored = session({ key: 's1', id: 'kept', started: false });
  t.answers.list = [info('kept', { state: 'connected' })];
  await t.sessions.startHidden(restored);
  await t.sessions.startHidden(restored);
  await t.sessions.start(restored, 120, 40);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'attach' || c[0] === 'open'), [['attach', 'kept', 0, 0, true]]);
  assert.equal(restored.state.state, 'connected');
  // Shown at last: its pane asks for the screen.
  t.sessions.setVisible(restored, true);
  assert.deepEqual(t.calls.at(-1), ['visible', 'kept', true]);
});

test('after a lost connection, a pane with no terminal yet attaches hidden again; one with a terminal at its size', async () => {
  const t = setup(new Set(['a', 'b']));
  const shown = session({ key: 'a', id: 'ida', started: true, state: { state: 'disconnected', reason: CONNECTION_LOST } });
  const background = session({ key: 'b', id: 'idb', started: true, state: { state: 'disconnected', reason: CONNECTION_LOST } });
  t.router.bind('a', 'ida');
  t.router.attach('a', t.pane);
  t.answers.list = [info('ida'), info('idb')];
  await t.sessions.reattachAll(() => [shown, background]);
  assert.deepEqual(t.calls.filter((c) => c[0] === 'attach').sort(), [['attach', 'ida', 100, 30], ['attach', 'idb', 0, 0, true]]);
  assert.equal(background.state.state, 'connected');
});

test('a lost connection disconnects live sessions; once back, each attaches again, and those the host ended say why', async () => {
  const t = setup();
  const live = session({ key: 'a', id: 'ida', state: { state: 'connected' } });
  const opening = session({ key: 'b', id: '', state: { state: 'connecting' } });
  const exited = session({ key: 'c', id: 'idc', started: true, state: { state: 'exited', exitCode: 0 } });
  t.sessions.connectionLost([live, opening, exited]);
  assert.deepEqual(live.state, { state: 'disconnected', reason: CONNECTION_LOST });
  assert.deepEqual(opening.state, { state: 'disconnected', reason: CONNECTION_LOST });
  assert.equal(exited.state.state, 'exited');

  t.open.add('d').add('e');
  const kept = session({ key: 'd', id: 'idd', started: true, state: { state: 'disconnected', reason: CONNECTION_LOST } });
  const forgotten = session({ key: 'e', id: 'ide', started: true, state: { state: 'disconnected', reason: CONNECTION_LOST } });
  t.answers.list = [info('idd', { state: 'connected' }), info('idc', { state: 'exited', exitCode: 0 })];
  await t.sessions.reattachAll(() => [kept, forgotten, exited]);
  assert.deepEqual(kept.state, { state: 'connected' });
  assert.deepEqual(forgotten.state, { state: 'disconnected', reason: 'terminal ide has ended: no one attached to it for 15 minutes' });
  assert.equal(exited.state.state, 'exited');
});
