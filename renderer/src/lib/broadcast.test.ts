import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRef } from '../../../common/contract/index.ts';
import { Broadcast, lineCount, pasteQuestion, type BroadcastState } from './broadcast.ts';
import { TabList, type Session, type TabsState } from './terminalTabs.ts';

const ref = (context: string, pod: string): ContainerRef => ({ context, namespace: 'default', pod, container: 'main' });

/** Two tabs: one split in two (c1 and c2), one alone (c2); every session connected with an id. */
function setup() {
  const tabsState: TabsState = { tabs: [], activeKey: undefined, focusSeq: 0 };
  const list = new TabList(tabsState, () => {});
  const grid = list.open(ref('c1', 'a'));
  list.openInSplit(ref('c2', 'b'), 'row');
  const other = list.open(ref('c2', 'c'));
  for (const s of list.allSessions()) {
    s.id = `id-${s.ref.pod}`;
    s.state = { state: 'connected' };
  }
  const calls: { set: string[][]; writes: string[] } = { set: [], writes: [] };
  const state: BroadcastState = { tabs: [], excluded: [] };
  const b = new Broadcast(state, {
    api: {
      setBroadcast: async (ids) => {
        calls.set.push(ids);
        return ids;
      },
      writeBroadcast: async (data) => {
        calls.writes.push(data);
        return 0;
      },
    },
    tabs: () => tabsState.tabs,
  });
  const [a, bb] = grid.panes;
  const c = other.panes[0];
  return { list, grid, other, a, b: bb, c, calls, state, broadcast: b };
}

const ids = (ss: Session[]) => ss.map((s) => s.id);

test('a tab in the broadcast: all its panes receive; the main side is told the ids once per change', () => {
  const { broadcast, grid, a, b, c, calls } = setup();
  assert.equal(broadcast.on, false);
  broadcast.setTab(grid.key, true);
  assert.equal(broadcast.on, true);
  assert.deepEqual(ids(broadcast.receivers()), ['id-a', 'id-b']);
  assert.deepEqual(calls.set, [['id-a', 'id-b']]);
  assert.equal(broadcast.receiving(a), true);
  assert.equal(broadcast.receiving(c), false);
  broadcast.sync();
  broadcast.setTab(grid.key, true);
  assert.equal(calls.set.length, 1, 'an unchanged set is not sent again');
  // Keys typed in a receiving pane go out once, to all; typed elsewhere they are the caller's to write.
  assert.equal(broadcast.input(b, 'ls\r'), true);
  assert.equal(broadcast.input(c, 'x'), false);
  assert.deepEqual(calls.writes, ['ls\r']);
});

test('tabs across clusters join; a pane excluded with one click stops receiving and can come back', () => {
  const { broadcast, grid, other, a, b, c, calls } = setup();
  broadcast.toggleTab(grid.key);
  broadcast.toggleTab(other.key);
  assert.deepEqual(ids(broadcast.receivers()), ['id-a', 'id-b', 'id-c']);
  broadcast.setExcluded(b, true);
  assert.deepEqual(ids(broadcast.receivers()), ['id-a', 'id-c']);
  assert.equal(broadcast.excluded(b), true);
  assert.equal(broadcast.excluded(a), false);
  // Typing in the excluded pane goes to it alone.
  assert.equal(broadcast.input(b, 'q'), false);
  broadcast.setExcluded(b, false);
  assert.deepEqual(ids(broadcast.receivers()), ['id-a', 'id-b', 'id-c']);
  // Taking a tab out and in again includes all its panes again.
  broadcast.setExcluded(a, true);
  broadcast.toggleTab(grid.key);
  broadcast.toggleTab(grid.key);
  assert.equal(broadcast.receiving(a), true);
  // Excluding the only pane of a tab takes the tab out; taking it in again brings the pane back.
  broadcast.setExcluded(c, true);
  assert.equal(broadcast.includes(other.key), false);
  broadcast.toggleTab(other.key);
  assert.equal(broadcast.receiving(c), true);
  assert.deepEqual(calls.set.at(-1), ['id-a', 'id-b', 'id-c']);
  broadcast.stop();
  assert.equal(broadcast.on, false);
  assert.deepEqual(calls.set.at(-1), []);
  assert.equal(broadcast.input(a, 'x'), false);
});

test('sessions that end drop out and stay out; closed panes and tabs leave the set', () => {
  const { broadcast, list, grid, other, a, b, c, calls, state } = setup();
  broadcast.setTab(grid.key, true);
  broadcast.setTab(other.key, true);
  b.state = { state: 'exited', exitCode: 0 };
  broadcast.sync();
  assert.deepEqual(ids(broadcast.receivers()), ['id-a', 'id-c']);
  assert.deepEqual(calls.set.at(-1), ['id-a', 'id-c']);
  // Reconnected, it does not silently receive again: the user includes it if they want.
  b.state = { state: 'connected' };
  broadcast.sync();
  assert.equal(broadcast.receiving(b), false);
  assert.equal(broadcast.excluded(b), true);
  list.closePane(grid.key, a.key);
  broadcast.sync();
  // The grid tab has nobody left receiving (b is out): it leaves the broadcast.
  assert.deepEqual(state.tabs, [other.key]);
  assert.deepEqual(calls.set.at(-1), ['id-c']);
  list.close(other.key);
  broadcast.sync();
  assert.equal(broadcast.on, false);
  assert.deepEqual(state, { tabs: [], excluded: [] });
  assert.deepEqual(calls.set.at(-1), []);
  void c;
});

test('a pane still opening (no id) receives but is not sent to the main side until it has an id', () => {
  const { broadcast, grid, list, calls } = setup();
  broadcast.setTab(grid.key, true);
  const s = list.splitPane(grid.key, 'column')!;
  broadcast.sync();
  assert.equal(broadcast.receiving(s), true);
  assert.deepEqual(calls.set.at(-1), ['id-a', 'id-b']);
  // Keys typed in it before it is there are its own (typed ahead), not a broadcast.
  assert.equal(broadcast.input(s, 'x'), false);
  s.id = 'id-new';
  s.state = { state: 'connected' };
  broadcast.sync();
  assert.deepEqual(calls.set.at(-1), ['id-a', 'id-b', 'id-new']);
});

test('a paste into several terminals waits for one answer; into one it goes at once', async () => {
  const { broadcast, grid, a, c, state } = setup();
  assert.equal(await broadcast.confirmPaste(a, 'one\ntwo\n'), true);
  broadcast.setTab(grid.key, true);
  assert.equal(await broadcast.confirmPaste(c, 'x'), true, 'c is not in the broadcast');
  const asked = broadcast.confirmPaste(a, 'ls\npwd\nid\n');
  assert.equal(state.paste?.question, 'Paste 3 lines into 2 terminals?');
  assert.equal(state.paste?.terminals, 2);
  // A second paste while one waits is refused, not queued behind it.
  assert.equal(await broadcast.confirmPaste(a, 'again'), false);
  state.paste?.answer(true);
  assert.equal(await asked, true);
  assert.equal(state.paste, undefined);
  const refused = broadcast.confirmPaste(a, 'rm -rf /tmp/x');
  broadcast.pendingPaste?.answer(false);
  assert.equal(await refused, false);
});

test('a multi-line paste into one terminal asks when the pane says so, naming the terminal; a broadcast asks its own question', async () => {
  const { broadcast, grid, a, c, state } = setup();
  const asked = broadcast.confirmPaste(c, 'ls\npwd\nid\n', { ask: true, target: 'shell@kd-test-1' });
  assert.equal(state.paste?.question, 'Paste 3 lines into shell@kd-test-1?');
  assert.equal(state.paste?.terminals, 1);
  state.paste?.answer(false);
  assert.equal(await asked, false);
  assert.equal(await broadcast.confirmPaste(c, 'ls', { ask: false, target: 'shell@kd-test-1' }), true);
  broadcast.setTab(grid.key, true);
  const many = broadcast.confirmPaste(a, 'ls\npwd', { ask: false, target: 'shell@kd-test-1' });
  assert.equal(state.paste?.question, 'Paste 2 lines into 2 terminals?', 'several terminals ask even with the warning off');
  state.paste?.answer(true);
  assert.equal(await many, true);
});

test('the question counts lines as a user does', () => {
  assert.equal(lineCount('ls'), 1);
  assert.equal(lineCount('ls\n'), 1);
  assert.equal(lineCount('a\r\nb\rc\n'), 3);
  assert.equal(lineCount(''), 1);
  assert.equal(pasteQuestion('echo hi', 4), 'Paste 1 line into 4 terminals?');
  assert.equal(pasteQuestion('a\nb\nc', 4), 'Paste 3 lines into 4 terminals?');
});
