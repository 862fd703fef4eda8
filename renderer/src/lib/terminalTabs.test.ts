import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRef } from '../../../common/contract/index.ts';
import { leafKeys } from './paneLayout.ts';
import { focusedPane, restoreLayout, serializeLayout, TabList, tabState, tabTitle, tabTitleParts, type SavedTab, type Session, type TabsState } from './terminalTabs.ts';

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
  assert.deepEqual(tabState({ key: 't', panes: [], activePane: 0, layout: { kind: 'pane', key: '' } }), { state: 'connecting' });
});

test('split adds a pane into the same container to the right of the focused one and focuses it; any number of them', () => {
  const { state, list } = tabList();
  const tab = list.open(ref('a'), ['bash']);
  list.split(tab.key);
  assert.equal(tab.panes.length, 2);
  assert.equal(tab.activePane, 1);
  assert.deepEqual(tab.panes[1].ref, tab.panes[0].ref);
  assert.deepEqual(tab.panes[1].command, ['bash']);
  assert.notEqual(tab.panes[1].key, tab.panes[0].key);
  assert.deepEqual(tab.layout, { kind: 'split', direction: 'row', children: [{ kind: 'pane', key: tab.panes[0].key }, { kind: 'pane', key: tab.panes[1].key }], sizes: [0.5, 0.5] });
  const seq = state.focusSeq;
  list.splitPane(tab.key, 'column');
  assert.equal(tab.panes.length, 3);
  assert.ok(state.focusSeq > seq);
  // The third pane went below the second, which had the keyboard: a | (b over c).
  const [a, b, c] = tab.panes;
  assert.deepEqual(leafKeys(tab.layout), [a.key, b.key, c.key]);
  assert.equal(focusedPane(tab), c);
  assert.equal(tab.layout.kind === 'split' && tab.layout.children[1].kind, 'split');
  // The title is still the first pane's.
  assert.equal(tabTitle(tab), 'c1/default/a');
});

test('a container of another cluster goes into a new pane of the shown tab; with no tab, into a new one', () => {
  const { state, list } = tabList();
  const first = list.openInSplit(ref('a'), 'row');
  assert.equal(state.tabs.length, 1);
  assert.equal(first?.ref.pod, 'a');
  const other = { context: 'c2', namespace: 'ns', pod: 'web', container: 'side' };
  const s = list.openInSplit(other, 'column', ['sh'], true);
  assert.equal(state.tabs.length, 1);
  const tab = state.tabs[0];
  assert.deepEqual(tab.panes.map((p) => p.ref.context), ['c1', 'c2']);
  assert.deepEqual(s?.ref, other);
  assert.deepEqual(s?.command, ['sh']);
  assert.equal(s?.started, false);
  assert.equal(focusedPane(tab), s);
  assert.equal(tab.layout.kind === 'split' && tab.layout.direction, 'column');
  assert.equal(tab.showContainer, true);
  assert.equal(list.tabOf(s!.key), tab);
});

test('focus moves between panes by direction; maximise shows one pane and restores the grid', () => {
  const { list } = tabList();
  const tab = list.open(ref('a'));
  list.splitPane(tab.key, 'row');
  list.splitPane(tab.key, 'column');
  const [a, b, c] = tab.panes;
  assert.equal(list.moveFocus(tab.key, 'up'), true);
  assert.equal(focusedPane(tab), b);
  assert.equal(list.moveFocus(tab.key, 'left'), true);
  assert.equal(focusedPane(tab), a);
  assert.equal(list.moveFocus(tab.key, 'left'), false);
  assert.equal(focusedPane(tab), a);
  list.focusPane(tab.key, c.key);
  assert.equal(focusedPane(tab), c);
  list.toggleMaximize(tab.key);
  assert.equal(tab.maximized, c.key);
  // While one pane is maximised the arrows do not move the focus behind it.
  assert.equal(list.moveFocus(tab.key, 'up'), false);
  list.toggleMaximize(tab.key);
  assert.equal(tab.maximized, undefined);
  // A single pane is not maximised (nothing to hide).
  const single = list.open(ref('z'));
  list.toggleMaximize(single.key);
  assert.equal(single.maximized, undefined);
  // Focusing another pane (a click on the grid, a closed pane) restores the grid.
  list.activate(tab.key);
  list.toggleMaximize(tab.key);
  list.focusPane(tab.key, a.key);
  assert.equal(tab.maximized, undefined);
});

test('dividers move and keep their sizes; bad sizes are ignored or normalised', () => {
  const { list } = tabList();
  const tab = list.open(ref('a'));
  list.splitPane(tab.key, 'row');
  list.moveDivider(tab.key, [], 0, 0.2);
  assert.ok(tab.layout.kind === 'split' && Math.abs(tab.layout.sizes[0] - 0.7) < 1e-9);
  list.setSizes(tab.key, [], [3, 1]);
  assert.deepEqual(tab.layout.kind === 'split' && tab.layout.sizes, [0.75, 0.25]);
  list.setSizes(tab.key, [], [1, 1, 1]);
  assert.deepEqual(tab.layout.kind === 'split' && tab.layout.sizes, [0.75, 0.25]);
  list.setSizes(tab.key, [0], [1, 1]);
  list.moveDivider('no tab', [], 0, 0.1);
  assert.deepEqual(tab.layout.kind === 'split' && tab.layout.sizes, [0.75, 0.25]);
});

test('closing a pane ends its session and gives its place and the keyboard to a neighbour; the last pane closes the tab', () => {
  const { state, ended, list } = tabList();
  const tab = list.open(ref('a'));
  list.split(tab.key);
  list.splitPane(tab.key, 'column');
  const [first, second, third] = tab.panes;
  list.toggleMaximize(tab.key);
  list.closePane(tab.key, third.key);
  assert.deepEqual(tab.panes, [first, second]);
  assert.equal(focusedPane(tab), second);
  assert.equal(tab.maximized, undefined);
  assert.deepEqual(tab.layout, { kind: 'split', direction: 'row', children: [{ kind: 'pane', key: first.key }, { kind: 'pane', key: second.key }], sizes: [0.5, 0.5] });
  assert.deepEqual(ended, [third]);
  // Closing a pane that does not have the keyboard leaves the keyboard where it is.
  list.closePane(tab.key, first.key);
  assert.deepEqual(tab.panes, [second]);
  assert.equal(tab.activePane, 0);
  assert.deepEqual(tab.layout, { kind: 'pane', key: second.key });
  list.closePane(tab.key, 'nope');
  assert.equal(tab.panes.length, 1);
  list.closePane(tab.key, second.key);
  assert.deepEqual(state.tabs, []);
  assert.deepEqual(ended, [third, first, second]);
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

test('the layout saves as plain data and comes back with ids set, not started, connecting', () => {
  const { state, list } = tabList();
  const a = list.open(ref('a'), ['top']);
  list.openInSplit({ context: 'c2', namespace: 'ns', pod: 'web', container: 'main' }, 'row');
  list.splitPane(a.key, 'column');
  a.panes.forEach((p, i) => {
    p.id = `id-${i}`;
    p.state = { state: 'connected' };
    p.started = true;
  });
  list.setSizes(a.key, [], [0.7, 0.3]);
  list.focusPane(a.key, a.panes[1].key);
  list.toggleMaximize(a.key);
  list.rename(a.key, 'grid');
  const b = list.open({ ...ref('multi'), container: 'side' }, undefined, true);
  b.panes[0].id = 'id-b';
  list.activate(a.key);

  const saved = serializeLayout(state);
  // Plain JSON: it survives sessionStorage as it is.
  assert.deepEqual(JSON.parse(JSON.stringify(saved)), saved);
  assert.equal(saved.active, 0);
  assert.equal(saved.tabs[0].title, 'grid');
  assert.equal((saved.tabs[0] as SavedTab).focused, 1);
  assert.equal((saved.tabs[0] as SavedTab).maximized, 1);
  assert.deepEqual(saved.tabs[1], { showContainer: true, focused: 0, layout: { pane: { id: 'id-b', ref: { ...ref('multi'), container: 'side' } } } });

  const restored = restoreLayout(saved);
  assert.equal(restored.tabs.length, 2);
  assert.equal(restored.activeKey, restored.tabs[0].key);
  const t = restored.tabs[0];
  assert.equal(t.customTitle, 'grid');
  assert.deepEqual(t.panes.map((p) => p.id), ['id-0', 'id-1', 'id-2']);
  assert.deepEqual(t.panes.map((p) => p.ref.pod), ['a', 'web', 'web']);
  assert.deepEqual(t.panes[0].command, ['top']);
  for (const p of t.panes) {
    assert.equal(p.started, false);
    assert.deepEqual(p.state, { state: 'connecting' });
    assert.equal(p.recording, false);
  }
  assert.deepEqual(leafKeys(t.layout), t.panes.map((p) => p.key));
  assert.deepEqual(t.layout.kind === 'split' && t.layout.sizes, [0.7, 0.3]);
  assert.equal(focusedPane(t), t.panes[1]);
  assert.equal(t.maximized, t.panes[1].key);
  assert.equal(restored.tabs[1].showContainer, true);
  assert.equal(tabTitle(restored.tabs[1]), 'c1/default/multi/side');
  // Keys are unique, and the same layout saved again is what was restored.
  const keys = restored.tabs.flatMap((x) => [x.key, ...x.panes.map((p) => p.key)]);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(serializeLayout(restored), saved);
});

test('restore adds the saved tabs after those open, with keys of the list, and shows the saved active tab', () => {
  const { state, list } = tabList();
  list.open(ref('a'));
  list.split(state.tabs[0].key);
  list.allSessions().forEach((s, i) => (s.id = `id-${i}`));
  const saved = list.save();
  const other = tabList();
  const open = other.list.open(ref('x'));
  const added = other.list.restoreTabs(saved);
  assert.equal(other.state.tabs.length, 2);
  assert.equal(other.state.tabs[0], open);
  assert.equal(added.length, 1);
  assert.equal(other.state.activeKey, added[0].key);
  assert.equal(added[0].panes.length, 2);
  // Further tabs and panes get fresh keys.
  other.list.split(added[0].key);
  const keys = other.list.allSessions().map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length);
});

test('restored tabs in the background are deferred (no terminals yet) until first shown; the shown one is not', () => {
  const { state, list } = tabList();
  for (const name of ['a', 'b', 'c']) list.open(ref(name));
  list.allSessions().forEach((s, i) => (s.id = `id-${i}`));
  list.activate(state.tabs[1].key);
  const other = tabList();
  const added = other.list.restoreTabs(list.save());
  assert.deepEqual(added.map((t) => !!t.deferred), [true, false, true]);
  other.list.activate(added[2].key);
  assert.deepEqual(added.map((t) => !!t.deferred), [true, false, false]);
  assert.equal(list.save().tabs.length, 3);
  assert.ok(!JSON.stringify(other.list.save()).includes('deferred'), 'not part of the saved layout');
});

test('a malformed saved layout is refused with a sentence and changes nothing', () => {
  const { state, list } = tabList();
  list.open(ref('a'));
  const pane = { pane: { id: 'x', ref: ref('a') } };
  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    [{ version: 2, tabs: [] }, /version 2/],
    [{ version: 1 }, /no list of tabs/],
    [{ version: 1, tabs: [7] }, /tab 1 is not an object/],
    [{ version: 1, tabs: [{ layout: { pane: { id: 3, ref: ref('a') } } }] }, /no session id/],
    [{ version: 1, tabs: [{ layout: { pane: { id: 'x', ref: ref('a'), command: 'ls' } } }] }, /command/],
    [{ version: 1, tabs: [{ layout: { split: 'row', sizes: [1], children: [pane] } }] }, /mismatched/],
    [{ version: 1, tabs: [{ layout: { split: 'diagonal', sizes: [0.5, 0.5], children: [pane, pane] } }] }, /neither a pane nor a split/],
  ];
  for (const [input, why] of bad) assert.throws(() => list.restoreTabs(input), (e: Error) => why.test(e.message) && /cannot be restored/.test(e.message), JSON.stringify(input));
  assert.equal(state.tabs.length, 1);
  // Odd but harmless values are mended: sizes normalised, a focus index out of range goes to the first pane.
  const ok = restoreLayout({ version: 1, active: 9, tabs: [{ focused: 5, maximized: 0, layout: { split: 'column', sizes: [2, 2], children: [pane, pane] } }] });
  assert.deepEqual(ok.tabs[0].layout.kind === 'split' && ok.tabs[0].layout.sizes, [0.5, 0.5]);
  assert.equal(ok.tabs[0].activePane, 0);
  assert.equal(ok.activeKey, ok.tabs[0].key);
  assert.deepEqual(restoreLayout({ version: 1, tabs: [], active: -1 }), { tabs: [], activeKey: undefined });
});

test('panes that never had a session are left out of a restored layout, and tabs of only such panes', () => {
  const pane = (id: string, pod: string) => ({ pane: { id, ref: ref(pod) } });
  const saved = {
    version: 1,
    active: 1,
    tabs: [
      { focused: 2, layout: { split: 'row', sizes: [0.5, 0.5], children: [pane('x', 'a'), { split: 'column', sizes: [0.5, 0.5], children: [pane('', 'failed'), pane('y', 'b')] }] } },
      { focused: 0, layout: pane('', 'never') },
    ],
  };
  const { tabs, activeKey } = restoreLayout(saved);
  assert.equal(tabs.length, 1);
  assert.deepEqual(tabs[0].panes.map((p) => p.id), ['x', 'y']);
  assert.deepEqual(tabs[0].layout.kind === 'split' && tabs[0].layout.children.map((c) => c.kind), ['pane', 'pane']);
  assert.equal(focusedPane(tabs[0])?.id, 'y');
  // The shown tab is gone: the last one is shown.
  assert.equal(activeKey, tabs[0].key);
});

test('a log tab sits among the terminal tabs: titled by what it follows, opened once, no panes', () => {
  const { state, list } = tabList();
  const term = list.open(ref('shell'));
  const logs = list.openLogs({ context: 'c1', namespace: 'default', pod: 'web-1', workload: { kind: 'Deployment', name: 'web' } });
  assert.equal(state.activeKey, logs.key);
  assert.deepEqual(tabTitleParts(logs), { where: 'c1/default/', what: 'logs deployment/web' });
  assert.equal(tabTitle(list.openLogs({ context: 'c1', namespace: 'default', pod: 'ticker', container: 'main' })), 'c1/default/logs ticker/main');
  assert.equal(list.openLogs({ context: 'c1', namespace: 'default', pod: 'web-1', workload: { kind: 'Deployment', name: 'web' } }), logs, 'the same logs: the tab is shown again');
  assert.equal(state.tabs.length, 3);
  assert.deepEqual(logs.panes, []);
  assert.equal(tabState(logs).state, 'connected');
  list.split(logs.key); // nothing to split
  assert.deepEqual(logs.panes, []);
  list.activate(term.key);
  assert.equal(serializeLayout(state).active, 0);
  list.close(logs.key);
  assert.equal(state.tabs.length, 2);
});

test('log tabs come back after a reload: same order among the terminal tabs, same pod or workload, the same tab shown', () => {
  const { state, list } = tabList();
  list.open(ref('shell')).panes[0].id = 'id-1';
  const workload = list.openLogs({ context: 'c1', namespace: 'default', pod: 'web-1', workload: { kind: 'ReplicaSet', name: 'web' } });
  list.open(ref('db')).panes[0].id = 'id-2';
  list.openLogs({ context: 'c2', namespace: 'ops', pod: 'ticker', container: 'main' });
  list.rename(workload.key, 'web logs');
  list.activate(workload.key);
  const saved = JSON.parse(JSON.stringify(serializeLayout(state)));
  const other = tabList();
  other.list.restoreTabs(saved);
  assert.deepEqual(other.state.tabs.map((t) => tabTitle(t)), ['c1/default/shell', 'web logs', 'c1/default/db', 'c2/ops/logs ticker/main']);
  const [, w, , t] = other.state.tabs;
  assert.deepEqual(w.logs, { context: 'c1', namespace: 'default', pod: 'web-1', workload: { kind: 'ReplicaSet', name: 'web' } });
  assert.deepEqual(t.logs, { context: 'c2', namespace: 'ops', pod: 'ticker', container: 'main' });
  assert.deepEqual(w.panes, []);
  assert.equal(other.state.activeKey, w.key);
  // Opening the same logs again shows the restored tab rather than a second one.
  assert.equal(other.list.openLogs({ context: 'c2', namespace: 'ops', pod: 'ticker', container: 'main' }), t);
  assert.throws(() => restoreLayout({ version: 1, tabs: [{ logs: { pod: 'x' } }] }), /log tab 1 does not say what it follows/);
});
