import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRef } from '../../../common/contract/index.ts';
import { TabList, tabState, tabTitle, tabTitleParts, type Session, type TabsState } from './terminalTabs.ts';

const ref = (pod: string): ContainerRef => ({ context: 'c1', namespace: 'default', pod, container: 'main' });

function tabList() {
  const state: TabsState = { tabs: [], activeKey: undefined, focusSeq: 0 };
  const ended: Session[] = [];
  return { state, ended, list: new TabList(state, (s) => ended.push(s)) };
}

test('a new tab is shown and asks for the keyboard; its title is context/namespace/pod until renamed', () => {
  const { state, list } = tabList();
  const tab = list.open(ref('shell'), ['sh']);
  assert.equal(state.activeKey, tab.key);
  assert.equal(list.active, tab);
  assert.equal(state.focusSeq, 1);
  assert.equal(tab.panes[0].state.state, 'connecting');
  assert.equal(tab.panes[0].started, false);
  assert.equal(tabTitle(tab), 'c1/default/shell');
  list.rename(tab.key, '  db  ');
  assert.equal(tabTitle(tab), 'db');
  list.rename(tab.key, '   ');
  assert.equal(tabTitle(tab), 'c1/default/shell');
});

test('the title of a multi-container pod names the container; the pod part is kept apart from context/namespace', () => {
  const { list } = tabList();
  const one = list.open(ref('shell'));
  const multi = list.open({ ...ref('multi'), container: 'sidecar' }, undefined, true);
  assert.deepEqual(tabTitleParts(one), { where: 'c1/default/', what: 'shell' });
  assert.deepEqual(tabTitleParts(multi), { where: 'c1/default/', what: 'multi/sidecar' });
  assert.equal(tabTitle(multi), 'c1/default/multi/sidecar');
  list.duplicate(multi.key);
  assert.equal(tabTitle(list.tabs[2]), 'c1/default/multi/sidecar');
  list.rename(multi.key, 'side');
  assert.deepEqual(tabTitleParts(multi), { where: '', what: 'side' });
});

test('the session keeps its own copy of the container it was opened on', () => {
  const { list } = tabList();
  const r = ref('shell');
  const tab = list.open(r);
  r.pod = 'other';
  assert.equal(tab.panes[0].ref.pod, 'shell');
});

test('a tab shows its worst pane state', () => {
  const { list } = tabList();
  const tab = list.open(ref('a'));
  list.split(tab.key);
  tab.panes[0].state = { state: 'connected' };
  tab.panes[1].state = { state: 'exited', exitCode: 3 };
  assert.deepEqual(tabState(tab), { state: 'exited', exitCode: 3 });
  tab.panes[0].state = { state: 'error', reason: 'no' };
  assert.equal(tabState(tab).state, 'error');
  assert.deepEqual(tabState({ key: 't', panes: [], activePane: 0 }), { state: 'connecting' });
});

test('split adds one pane into the same container and focuses it; never more than two', () => {
  const { state, list } = tabList();
  const tab = list.open(ref('a'), ['bash']);
  list.split(tab.key);
  assert.equal(tab.panes.length, 2);
  assert.equal(tab.activePane, 1);
  assert.deepEqual(tab.panes[1].ref, tab.panes[0].ref);
  assert.deepEqual(tab.panes[1].command, ['bash']);
  assert.notEqual(tab.panes[1].key, tab.panes[0].key);
  const seq = state.focusSeq;
  list.split(tab.key);
  assert.equal(tab.panes.length, 2);
  assert.equal(state.focusSeq, seq);
});

test('closing a pane ends its session; closing the last pane closes the tab', () => {
  const { state, ended, list } = tabList();
  const tab = list.open(ref('a'));
  list.split(tab.key);
  const [first, second] = tab.panes;
  list.closePane(tab.key, second.key);
  assert.deepEqual(tab.panes, [first]);
  assert.equal(tab.activePane, 0);
  assert.deepEqual(ended, [second]);
  list.closePane(tab.key, first.key);
  assert.deepEqual(state.tabs, []);
  assert.deepEqual(ended, [second, first]);
  assert.equal(state.activeKey, undefined);
});

test('closing the shown tab shows the one that took its place, else the last', () => {
  const { state, ended, list } = tabList();
  const [a, b, c] = ['a', 'b', 'c'].map((p) => list.open(ref(p)));
  list.activate(b.key);
  list.close(b.key);
  assert.equal(state.activeKey, c.key);
  list.close(c.key);
  assert.equal(state.activeKey, a.key);
  assert.equal(ended.length, 2);
  // Closing another tab than the shown one leaves the shown one.
  const d = list.open(ref('d'));
  list.close(a.key);
  assert.equal(state.activeKey, d.key);
  list.close('no such tab');
  assert.equal(state.tabs.length, 1);
});

test('close others keeps one tab and shows it; duplicate opens the same container and command', () => {
  const { state, ended, list } = tabList();
  const a = list.open(ref('a'), ['top']);
  const b = list.open(ref('b'));
  list.open(ref('c'));
  list.closeOthers(a.key);
  assert.deepEqual(state.tabs.map((t) => t.key), [a.key]);
  assert.equal(state.activeKey, a.key);
  assert.deepEqual(ended.map((s) => s.ref.pod), ['b', 'c']);
  list.duplicate(a.key);
  assert.equal(state.tabs.length, 2);
  assert.deepEqual(state.tabs[1].panes[0].ref, a.panes[0].ref);
  assert.deepEqual(state.tabs[1].panes[0].command, ['top']);
  assert.equal(state.activeKey, state.tabs[1].key);
  list.duplicate(b.key);
  assert.equal(state.tabs.length, 2);
});

test('cycle wraps both ways; it does nothing without tabs', () => {
  const { state, list } = tabList();
  list.cycle(1);
  assert.equal(state.activeKey, undefined);
  const [a, b, c] = ['a', 'b', 'c'].map((p) => list.open(ref(p)));
  list.cycle(1);
  assert.equal(state.activeKey, a.key);
  list.cycle(-1);
  assert.equal(state.activeKey, c.key);
  list.cycle(-1);
  assert.equal(state.activeKey, b.key);
});

test('move clamps to the ends; a drop slot counts the gaps before the move', () => {
  const { state, list } = tabList();
  const [a, b, c] = ['a', 'b', 'c'].map((p) => list.open(ref(p)));
  const order = () => state.tabs.map((t) => t.panes[0].ref.pod).join('');
  list.move(a.key, 99);
  assert.equal(order(), 'bca');
  list.move(a.key, -5);
  assert.equal(order(), 'abc');
  // a dropped after c (slot 3, the gap after the last tab), then c dropped before b (slot 1).
  list.dropAt(a.key, 3);
  assert.equal(order(), 'bca');
  list.dropAt(c.key, 0);
  assert.equal(order(), 'cba');
  list.dropAt(b.key, 1);
  assert.equal(order(), 'cba');
  list.move('none', 0);
  assert.equal(order(), 'cba');
  assert.equal(list.sessionByKey(b.panes[0].key), b.panes[0]);
  assert.equal(list.allSessions().length, 3);
});
