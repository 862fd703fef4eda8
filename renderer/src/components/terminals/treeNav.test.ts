import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterInfo, PodInfo } from '../../../../common/contract/index.ts';
import type { TreeRow } from '../../lib/clusterRows.ts';
import { firstPod, rowName, treeKey, TypeAhead, TYPE_AHEAD_RESET_MS, type TreeMove } from './treeNav.ts';

const cluster: ClusterInfo = { context: 'c', cluster: 'c', source: '/k', defaultNamespace: 'default', status: { state: 'connected' } };
const withMain: PodInfo = { context: 'c', namespace: 'ns', name: 'shell', phase: 'Running', containers: [{ name: 'main', image: 'i', state: 'running', ready: true }] };
const bare: PodInfo = { ...withMain, name: 'bare', containers: [] };

// c (open) / ns (open) / note / shell (open) / main ; bare ; c2 (closed)
const rows: TreeRow[] = [
  { kind: 'cluster', key: 'c', depth: 0, cluster, expanded: true },
  { kind: 'namespace', key: 'ns', depth: 1, context: 'c', namespace: 'ns', expanded: true, loading: false },
  { kind: 'note', key: 'note', depth: 2, text: 'a note', tone: 'muted' },
  { kind: 'pod', key: 'shell', depth: 2, pod: withMain, expanded: true },
  { kind: 'container', key: 'main', depth: 3, pod: withMain, container: withMain.containers[0] },
  { kind: 'pod', key: 'bare', depth: 2, pod: bare, expanded: false },
  { kind: 'cluster', key: 'c2', depth: 0, cluster: { ...cluster, context: 'c2' }, expanded: false },
];

/** The move as a short string: "select shell", "toggle ns close", "focusFilter". */
function move(key: string, selected: string | undefined, filtering = false): string | undefined {
  const m: TreeMove | undefined = treeKey(key, rows, selected, filtering);
  if (!m) return undefined;
  if (m.do === 'toggle') return `toggle ${m.row.key}${m.open === undefined ? '' : m.open ? ' open' : ' close'}`;
  return 'row' in m ? `${m.do} ${m.row.key}` : m.do;
}

/** [key, selected row, filtering, expected move] rows, checked in order. */
function check(cases: [string, string | undefined, boolean, string | undefined][]): void {
  for (const [key, selected, filtering, expected] of cases) assert.equal(move(key, selected, filtering), expected, `${key} on ${selected}`);
}

test('↑ and ↓ step over notes; ↓ stops at the end; ↑ from the top goes back to the filter', () => {
  check([
    ['ArrowDown', 'ns', false, 'select shell'],
    ['ArrowUp', 'shell', false, 'select ns'],
    ['ArrowDown', 'c2', false, 'select c2'],
    ['ArrowUp', 'c', false, 'focusFilter'],
    ['ArrowDown', undefined, false, 'select c'],
    ['ArrowUp', undefined, false, 'focusFilter'],
    ['Home', 'bare', false, 'select c'],
    ['End', 'c', false, 'select c2'],
  ]);
});

test('→ opens a closed row, else steps into the next; a pod without containers has nothing to open', () => {
  check([
    ['ArrowRight', 'c2', false, 'toggle c2 open'],
    ['ArrowRight', 'shell', false, 'select main'],
    ['ArrowRight', 'bare', false, 'select c2'],
    ['ArrowRight', undefined, false, 'nothing'],
  ]);
});

test('← closes an open row (not while filtering), else steps out to the parent, past notes', () => {
  check([
    ['ArrowLeft', 'shell', false, 'toggle shell close'],
    ['ArrowLeft', 'shell', true, 'select ns'],
    ['ArrowLeft', 'main', false, 'select shell'],
    ['ArrowLeft', 'bare', false, 'select ns'],
    ['ArrowLeft', 'c2', false, 'nothing'],
    ['ArrowLeft', undefined, false, 'nothing'],
  ]);
});

test('Enter activates, Space toggles, Escape goes to the filter; other keys are not the tree\'s', () => {
  check([
    ['Enter', 'shell', false, 'activate shell'],
    [' ', 'ns', false, 'toggle ns'],
    ['Enter', undefined, false, 'nothing'],
    [' ', undefined, false, 'nothing'],
    ['Escape', 'shell', false, 'focusFilter'],
    ['a', 'shell', false, undefined],
    ['Tab', 'shell', false, undefined],
  ]);
  assert.equal(firstPod(rows)?.key, 'shell');
  assert.equal(firstPod(rows.slice(0, 2)), undefined);
});

test('type-ahead: letters typed together find the next row whose name starts with them; a pause starts a new word', () => {
  const pods = ['web-a', 'worker', 'web-b', 'api'].map((name): TreeRow => ({ kind: 'pod', key: name, depth: 2, pod: { ...withMain, name }, expanded: false }));
  const tree: TreeRow[] = [rows[0], rows[1], rows[2], ...pods];
  let now = 0;
  const ta = new TypeAhead(() => now);
  const type = (keys: string, selected: string | undefined) => {
    let sel = selected;
    for (const k of keys) {
      sel = ta.type(k, tree, sel)?.key ?? sel;
      now += 100;
    }
    return sel;
  };
  assert.equal(type('w', 'c'), 'web-a');
  assert.equal(type('o', 'web-a'), 'worker', '"wo" within the second: one word');
  assert.equal(ta.typed(), 'wo');
  now += TYPE_AHEAD_RESET_MS + 1;
  assert.equal(ta.typed(), '', 'reset after a pause');
  assert.equal(type('a', 'worker'), 'api');
  now += 2000;
  // The same letter again steps through the rows starting with it, wrapping past the end.
  assert.equal(type('www', 'c'), 'web-b');
  now += 2000;
  assert.equal(type('web-', 'c'), 'web-a', 'a longer word stays on a row that still matches (worker is passed)');
  assert.equal(type('b', 'web-a'), 'web-b');
  now += 2000;
  // Names of clusters and namespaces match too (case-insensitive); no match leaves the selection.
  assert.equal(type('NS', 'api'), 'ns');
  now += 2000;
  assert.equal(ta.type('z', tree, 'api'), undefined);
  assert.equal(rowName(rows[2]), undefined, 'a note has no name');
  assert.equal(rowName(rows[4]), 'main');
});
