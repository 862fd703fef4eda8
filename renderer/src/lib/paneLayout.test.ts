import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dividers, insertBeside, leaf, leafKeys, moveDivider, neighbour, paneRects, removeLeaf, splitAt, successor, type PaneNode } from './paneLayout.ts';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** a | (b over c): the grid the tests below split and walk. */
function grid(): PaneNode {
  let t: PaneNode = leaf('a');
  t = insertBeside(t, 'a', 'b', 'row');
  t = insertBeside(t, 'b', 'c', 'column');
  return t;
}

test('splitting a pane beside itself makes halves; splitting again the same way joins the split', () => {
  let t: PaneNode = leaf('a');
  t = insertBeside(t, 'a', 'b', 'row');
  assert.deepEqual(t, { kind: 'split', direction: 'row', children: [leaf('a'), leaf('b')], sizes: [0.5, 0.5] });
  // b split right again: a keeps its half, b and the new pane share b's.
  t = insertBeside(t, 'b', 'c', 'row');
  assert.deepEqual(leafKeys(t), ['a', 'b', 'c']);
  assert.deepEqual(t.kind === 'split' && t.sizes, [0.5, 0.25, 0.25]);
  // Before the target: to its left.
  t = insertBeside(t, 'a', 'z', 'row', false);
  assert.deepEqual(leafKeys(t), ['z', 'a', 'b', 'c']);
  // The input tree is not changed.
  const g = grid();
  const copy = structuredClone(g);
  insertBeside(g, 'c', 'd', 'row');
  assert.deepEqual(g, copy);
  assert.deepEqual(insertBeside(g, 'nope', 'd', 'row'), g);
});

test('a split across the other way nests: a | (b over c)', () => {
  const t = grid();
  assert.deepEqual(leafKeys(t), ['a', 'b', 'c']);
  const rects = Object.fromEntries(paneRects(t).map((r) => [r.key, r.rect]));
  assert.deepEqual(rects.a, { x: 0, y: 0, w: 0.5, h: 1 });
  assert.deepEqual(rects.b, { x: 0.5, y: 0, w: 0.5, h: 0.5 });
  assert.deepEqual(rects.c, { x: 0.5, y: 0.5, w: 0.5, h: 0.5 });
  const ds = dividers(t);
  assert.equal(ds.length, 2);
  assert.deepEqual(ds[0], { path: [], index: 0, direction: 'row', line: { x: 0.5, y: 0, w: 0, h: 1 }, area: { x: 0, y: 0, w: 1, h: 1 } });
  assert.deepEqual(ds[1], { path: [1], index: 0, direction: 'column', line: { x: 0.5, y: 0.5, w: 0.5, h: 0 }, area: { x: 0.5, y: 0, w: 0.5, h: 1 } });
  assert.equal(splitAt(t, [1])?.direction, 'column');
  assert.equal(splitAt(t, [0]), undefined);
  assert.equal(splitAt(t, [7, 1]), undefined);
});

test('removing a pane gives its share to its neighbours and collapses splits left with one child', () => {
  const t = grid();
  // c goes: b has the right half alone, and the column split disappears.
  assert.deepEqual(removeLeaf(t, 'c'), { kind: 'split', direction: 'row', children: [leaf('a'), leaf('b')], sizes: [0.5, 0.5] });
  // a goes: the right column is all that is left.
  assert.deepEqual(removeLeaf(t, 'a'), { kind: 'split', direction: 'column', children: [leaf('b'), leaf('c')], sizes: [0.5, 0.5] });
  assert.equal(removeLeaf(leaf('a'), 'a'), undefined);
  assert.deepEqual(removeLeaf(t, 'nope'), t);
  // Three in a row at 0.5 / 0.25 / 0.25: without the middle one the others keep their proportion.
  let row: PaneNode = insertBeside(insertBeside(leaf('a'), 'a', 'b', 'row'), 'b', 'c', 'row');
  row = removeLeaf(row, 'b')!;
  assert.ok(row.kind === 'split' && close(row.sizes[0], 2 / 3) && close(row.sizes[1], 1 / 3));
});

test('a split left with a child split of the same direction merges into one', () => {
  // (a over (b | c)) minus a leaves b | c, not a split of one split.
  let t: PaneNode = insertBeside(leaf('a'), 'a', 'b', 'column');
  t = insertBeside(t, 'b', 'c', 'row');
  // a | (b over c) | d, then (b over c) loses b: a | c | d in one row.
  let u: PaneNode = insertBeside(grid(), 'c', 'x', 'row');
  u = removeLeaf(u, 'b')!;
  assert.equal(u.kind, 'split');
  assert.deepEqual(leafKeys(u), ['a', 'c', 'x']);
  assert.ok(u.kind === 'split' && u.direction === 'row' && u.children.every((c) => c.kind === 'pane'));
  assert.ok(u.kind === 'split' && close(u.sizes.reduce((a, b) => a + b, 0), 1));
  assert.deepEqual(removeLeaf(t, 'a'), { kind: 'split', direction: 'row', children: [leaf('b'), leaf('c')], sizes: [0.5, 0.5] });
});

test('a divider moves its two neighbours only, and never below the minimum', () => {
  assert.deepEqual(moveDivider([0.5, 0.5], 0, 0.1), [0.6, 0.4]);
  const s = moveDivider([0.2, 0.3, 0.5], 1, 0.1);
  assert.ok(close(s[0], 0.2) && close(s[1], 0.4) && close(s[2], 0.4));
  const clamped = moveDivider([0.5, 0.5], 0, 0.9, 0.1);
  assert.ok(close(clamped[0], 0.9) && close(clamped[1], 0.1));
  const other = moveDivider([0.5, 0.5], 0, -0.9, 0.1);
  assert.ok(close(other[0], 0.1) && close(other[1], 0.9));
  assert.deepEqual(moveDivider([0.5, 0.5], 1, 0.1), [0.5, 0.5]);
  assert.deepEqual(moveDivider([0.5, 0.5], 0, Number.NaN), [0.5, 0.5]);
});

test('focus moves to the pane the eye sees in that direction', () => {
  const rects = paneRects(grid());
  assert.equal(neighbour(rects, 'a', 'right'), 'b'); // b and c both touch a, equally far from its middle: the first wins
  assert.equal(neighbour(rects, 'b', 'down'), 'c');
  assert.equal(neighbour(rects, 'c', 'up'), 'b');
  assert.equal(neighbour(rects, 'c', 'left'), 'a');
  assert.equal(neighbour(rects, 'b', 'left'), 'a');
  assert.equal(neighbour(rects, 'a', 'left'), undefined);
  assert.equal(neighbour(rects, 'a', 'up'), undefined);
  assert.equal(neighbour(rects, 'b', 'right'), undefined);
  assert.equal(neighbour(rects, 'nope', 'right'), undefined);
  // In a 2×2 grid, down from the top right goes to the bottom right, not the bottom left.
  let g: PaneNode = insertBeside(leaf('tl'), 'tl', 'tr', 'row');
  g = insertBeside(g, 'tl', 'bl', 'column');
  g = insertBeside(g, 'tr', 'br', 'column');
  const r = paneRects(g);
  assert.equal(neighbour(r, 'tr', 'down'), 'br');
  assert.equal(neighbour(r, 'bl', 'right'), 'br');
  assert.equal(neighbour(r, 'br', 'up'), 'tr');
});

test('a closed pane hands the keyboard to the sibling that takes its place', () => {
  const t = grid();
  assert.equal(successor(t, 'c'), 'b');
  assert.equal(successor(t, 'b'), 'c');
  // a's sibling is the column (b over c): the pane of it nearest a.
  assert.equal(successor(t, 'a'), 'b');
  assert.equal(successor(leaf('a'), 'a'), undefined);
});
