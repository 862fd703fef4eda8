/**
 * What a file pane shows and how its selection moves, without Svelte or the DOM: the filtered and sorted
 * rows (folders first), click and keyboard selection, name checks for new folders and renames, and the
 * drag payload that carries paths from one pane to the other. FilePane.svelte holds the state; these
 * functions are here so node:test can check them.
 */
import type { FileEntry } from '../../../../common/contract/index.ts';

export type SortKey = 'name' | 'size' | 'modified' | 'mode' | 'owner';

export interface ListView {
  filter: string;
  showHidden: boolean;
  sortKey: SortKey;
  sortDesc: boolean;
}

/** A folder, or a symlink the listing marks as pointing at one (its target ends in "/"). */
const dirRank = (e: FileEntry) => (e.type === 'dir' || (e.type === 'symlink' && e.target?.endsWith('/')) ? 0 : 1);

function compareBy(key: SortKey, a: FileEntry, b: FileEntry): number {
  if (key === 'size') return a.size - b.size;
  if (key === 'modified') return a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : 0;
  if (key === 'mode') return a.modeString.localeCompare(b.modeString);
  if (key === 'owner') return a.owner.localeCompare(b.owner);
  return 0;
}

/** The rows: hidden files and filter applied, folders first, then by the sort key (names break ties). */
export function visibleEntries(entries: FileEntry[], v: ListView): FileEntry[] {
  const f = v.filter.trim().toLowerCase();
  const list = entries.filter((e) => (v.showHidden || !e.name.startsWith('.')) && (!f || e.name.toLowerCase().includes(f)));
  return list.sort((a, b) => {
    if (dirRank(a) !== dirRank(b)) return dirRank(a) - dirRank(b);
    const r = compareBy(v.sortKey, a, b) || a.name.localeCompare(b.name, undefined, { numeric: true });
    return v.sortDesc ? -r : r;
  });
}

/** A click on a column head: the same column again reverses, another one sorts ascending by it. */
export function nextSort(cur: Pick<ListView, 'sortKey' | 'sortDesc'>, key: SortKey): Pick<ListView, 'sortKey' | 'sortDesc'> {
  return cur.sortKey === key ? { sortKey: key, sortDesc: !cur.sortDesc } : { sortKey: key, sortDesc: false };
}

export function sortArrow(cur: Pick<ListView, 'sortKey' | 'sortDesc'>, key: SortKey): string {
  return cur.sortKey === key ? (cur.sortDesc ? ' ▾' : ' ▴') : '';
}

export interface Selection {
  selected: Set<string>;
  /** Where a shift-click range starts. */
  anchor: string | undefined;
}

/** A click on a row: alone, Ctrl/Cmd toggles it, Shift takes the range from the anchor (Ctrl+Shift adds it). */
export function clickSelect(names: string[], sel: Selection, name: string, mods: { shift: boolean; toggle: boolean }): Selection {
  if (mods.shift && sel.anchor) {
    const a = names.indexOf(sel.anchor);
    const b = names.indexOf(name);
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const next = new Set(mods.toggle ? sel.selected : []);
    for (const n of names.slice(lo, hi + 1)) next.add(n);
    return { selected: next, anchor: sel.anchor };
  }
  if (mods.toggle) return { selected: toggled(sel.selected, name), anchor: name };
  return { selected: new Set([name]), anchor: name };
}

/** The set with `name` added, or taken out if it was in. */
export function toggled(set: Set<string>, name: string): Set<string> {
  const next = new Set(set);
  if (next.has(name)) next.delete(name);
  else next.add(name);
  return next;
}

/** The row the cursor moves to, `delta` rows on (clamped to the list); undefined in an empty list. */
export function cursorAfter(names: string[], cursor: string | undefined, delta: number): string | undefined {
  if (names.length === 0) return undefined;
  const i = cursor ? names.indexOf(cursor) : -1;
  return names[Math.max(0, Math.min(names.length - 1, i + delta))];
}

/** Why a new folder's name or a new name cannot be used, or undefined when it can. */
export function nameProblem(kind: 'mkdir' | 'rename', value: string): string | undefined {
  if (value.trim() && !value.includes('/')) return undefined;
  return kind === 'mkdir' ? 'A folder name cannot be empty or contain "/"' : 'A name cannot be empty or contain "/"';
}

/** The drag data type of paths dragged out of a pane (files from the OS come as "Files"). */
export const FILES_DRAG_TYPE = 'application/x-kubedeck-files';

export interface DraggedPaths {
  side: 'left' | 'right';
  paths: string[];
}

/** What a drop carries: paths from a pane, files from the operating system, or nothing to copy. */
export type Dropped<F> = { kind: 'paths'; from: DraggedPaths } | { kind: 'files'; files: F[] } | undefined;

/** Reads a drop, given as much of a DataTransfer as it needs. */
export function readDrop<F>(dt: { getData(type: string): string; files: ArrayLike<F> }): Dropped<F> {
  const raw = dt.getData(FILES_DRAG_TYPE);
  if (raw) return { kind: 'paths', from: JSON.parse(raw) as DraggedPaths };
  if (dt.files.length) return { kind: 'files', files: Array.from(dt.files) };
  return undefined;
}
