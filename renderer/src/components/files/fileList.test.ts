import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEntry } from '../../../../common/contract/index.ts';
import { FILES_DRAG_TYPE, clickSelect, cursorAfter, nameProblem, nextSort, readDrop, sortArrow, toggled, visibleEntries, type ListView } from './fileList.ts';

function entry(name: string, over: Partial<FileEntry> = {}): FileEntry {
  return { name, type: 'file', size: 0, mode: 0o644, modeString: '-rw-r--r--', owner: 'root', group: 'root', modified: '2024-01-01T00:00:00Z', ...over };
}

const view = (over: Partial<ListView> = {}): ListView => ({ filter: '', showHidden: false, sortKey: 'name', sortDesc: false, ...over });
const names = (list: FileEntry[]) => list.map((e) => e.name);

const entries = [
  entry('b10.txt', { size: 5, modified: '2024-03-01T00:00:00Z' }),
  entry('b9.txt', { size: 50, modified: '2024-01-01T00:00:00Z' }),
  entry('.hidden'),
  entry('zdir', { type: 'dir' }),
  entry('adir', { type: 'dir' }),
  entry('link', { type: 'symlink', target: 'somewhere/' }),
  entry('filelink', { type: 'symlink', target: 'file' }),
];

test('folders (and links to folders) first, names in natural order, hidden files left out', () => {
  assert.deepEqual(names(visibleEntries(entries, view())), ['adir', 'link', 'zdir', 'b9.txt', 'b10.txt', 'filelink']);
  assert.ok(names(visibleEntries(entries, view({ showHidden: true }))).includes('.hidden'));
});

test('descending reverses within folders and within files; other keys fall back to the name', () => {
  assert.deepEqual(names(visibleEntries(entries, view({ sortDesc: true }))), ['zdir', 'link', 'adir', 'filelink', 'b10.txt', 'b9.txt']);
  assert.deepEqual(names(visibleEntries(entries, view({ sortKey: 'size' }))), ['adir', 'link', 'zdir', 'filelink', 'b10.txt', 'b9.txt']);
  assert.deepEqual(names(visibleEntries(entries, view({ sortKey: 'modified' }))).slice(3), ['b9.txt', 'filelink', 'b10.txt']);
});

test('the filter matches part of a name, in any case', () => {
  assert.deepEqual(names(visibleEntries(entries, view({ filter: ' B1 ' }))), ['b10.txt']);
  assert.deepEqual(names(visibleEntries(entries, view({ filter: 'hid' }))), []);
  assert.deepEqual(names(visibleEntries(entries, view({ filter: 'hid', showHidden: true }))), ['.hidden']);
});

test('the column heads sort and reverse', () => {
  assert.deepEqual(nextSort({ sortKey: 'name', sortDesc: false }, 'name'), { sortKey: 'name', sortDesc: true });
  assert.deepEqual(nextSort({ sortKey: 'name', sortDesc: true }, 'size'), { sortKey: 'size', sortDesc: false });
  assert.equal(sortArrow({ sortKey: 'size', sortDesc: true }, 'size'), ' ▾');
  assert.equal(sortArrow({ sortKey: 'size', sortDesc: false }, 'size'), ' ▴');
  assert.equal(sortArrow({ sortKey: 'size', sortDesc: false }, 'name'), '');
});

test('click, Ctrl+click and Shift+click select as in a file manager', () => {
  const list = ['a', 'b', 'c', 'd'];
  const none = { shift: false, toggle: false };
  let s = clickSelect(list, { selected: new Set(), anchor: undefined }, 'b', none);
  assert.deepEqual([...s.selected], ['b']);
  assert.equal(s.anchor, 'b');
  s = clickSelect(list, s, 'd', { shift: true, toggle: false });
  assert.deepEqual([...s.selected].sort(), ['b', 'c', 'd']);
  assert.equal(s.anchor, 'b', 'a range keeps its anchor');
  s = clickSelect(list, s, 'a', { shift: false, toggle: true });
  assert.deepEqual([...s.selected].sort(), ['a', 'b', 'c', 'd']);
  s = clickSelect(list, s, 'c', { shift: false, toggle: true });
  assert.deepEqual([...s.selected].sort(), ['a', 'b', 'd']);
  assert.equal(s.anchor, 'c');
  // Ctrl+Shift adds the range to what is selected; Shift alone replaces it.
  s = clickSelect(list, { selected: new Set(['a']), anchor: 'c' }, 'd', { shift: true, toggle: true });
  assert.deepEqual([...s.selected].sort(), ['a', 'c', 'd']);
  s = clickSelect(list, { selected: new Set(['a']), anchor: 'c' }, 'b', { shift: true, toggle: false });
  assert.deepEqual([...s.selected].sort(), ['b', 'c']);
});

test('toggled gives a new set', () => {
  const s = new Set(['a']);
  assert.deepEqual([...toggled(s, 'b')], ['a', 'b']);
  assert.deepEqual([...toggled(s, 'a')], []);
  assert.deepEqual([...s], ['a']);
});

test('the cursor moves and stops at both ends', () => {
  const list = ['a', 'b', 'c'];
  assert.equal(cursorAfter(list, undefined, 1), 'a');
  assert.equal(cursorAfter(list, 'a', 1), 'b');
  assert.equal(cursorAfter(list, 'a', -1), 'a');
  assert.equal(cursorAfter(list, 'b', 1e9), 'c');
  assert.equal(cursorAfter(list, 'c', -1e9), 'a');
  assert.equal(cursorAfter([], 'a', 1), undefined);
});

test('names with a slash or nothing in them are refused', () => {
  assert.equal(nameProblem('mkdir', 'ok'), undefined);
  assert.equal(nameProblem('mkdir', '  '), 'A folder name cannot be empty or contain "/"');
  assert.equal(nameProblem('rename', 'a/b'), 'A name cannot be empty or contain "/"');
});

test('a drop carries paths of a pane, or files from the OS', () => {
  const fromPane = { getData: (t: string) => (t === FILES_DRAG_TYPE ? JSON.stringify({ side: 'left', paths: ['/a'] }) : ''), files: [] };
  assert.deepEqual(readDrop(fromPane), { kind: 'paths', from: { side: 'left', paths: ['/a'] } });
  assert.deepEqual(readDrop({ getData: () => '', files: ['f1', 'f2'] }), { kind: 'files', files: ['f1', 'f2'] });
  assert.equal(readDrop({ getData: () => '', files: [] }), undefined);
});
