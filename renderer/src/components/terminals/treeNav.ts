/**
 * Keyboard navigation of the cluster tree, as the ARIA tree pattern has it: ↑/↓ move, Home/End jump,
 * → opens a row or steps into it, ← closes it or steps out to its parent, Enter opens a terminal (or
 * toggles a cluster / namespace), Space toggles, Escape (or ↑ from the top) goes back to the filter.
 * A pure function from the key and the rows to what to do, so it is tested without a DOM.
 */
import type { TreeRow } from '../../lib/clusterRows.ts';

export type TreeMove =
  | { do: 'select'; row: TreeRow }
  | { do: 'toggle'; row: TreeRow; open?: boolean }
  | { do: 'activate'; row: TreeRow }
  | { do: 'focusFilter' }
  /** The key is the tree's, but there is nothing to do (no selection, already at the end). */
  | { do: 'nothing' };

/**
 * What a key does in the tree; undefined when the key is not the tree's (it is left to the browser).
 * `filtering`: with a filter typed every row is shown open, so ← does not close rows.
 */
export function treeKey(key: string, rows: TreeRow[], selectedKey: string | undefined, filtering: boolean): TreeMove | undefined {
  const selectable = rows.filter((r) => r.kind !== 'note');
  const cur = selectable.find((r) => r.key === selectedKey);
  const i = cur ? selectable.indexOf(cur) : -1;
  const select = (row: TreeRow | undefined): TreeMove => (row ? { do: 'select', row } : { do: 'nothing' });
  switch (key) {
    case 'ArrowDown':
      return select(selectable[Math.min(i + 1, selectable.length - 1)]);
    case 'ArrowUp':
      return i <= 0 ? { do: 'focusFilter' } : select(selectable[i - 1]);
    case 'Home':
      return select(selectable[0]);
    case 'End':
      return select(selectable[selectable.length - 1]);
    case 'ArrowRight':
      if (!cur) return { do: 'nothing' };
      if (canOpen(cur)) return { do: 'toggle', row: cur, open: true };
      return select(selectable[i + 1]);
    case 'ArrowLeft':
      if (!cur) return { do: 'nothing' };
      if ('expanded' in cur && cur.expanded && !filtering) return { do: 'toggle', row: cur, open: false };
      return select(parentOf(rows, cur));
    case 'Enter':
      return cur ? { do: 'activate', row: cur } : { do: 'nothing' };
    case ' ':
      return cur ? { do: 'toggle', row: cur } : { do: 'nothing' };
    case 'Escape':
      return { do: 'focusFilter' };
    default:
      return undefined;
  }
}

/** A closed row with something under it (a pod without containers has nothing to show). */
function canOpen(row: TreeRow): boolean {
  return 'expanded' in row && !row.expanded && !(row.kind === 'pod' && !row.pod.containers.length);
}

function parentOf(rows: TreeRow[], row: TreeRow): TreeRow | undefined {
  for (let j = rows.indexOf(row) - 1; j >= 0; j--) if (rows[j].depth < row.depth && rows[j].kind !== 'note') return rows[j];
  return undefined;
}

/** The row the filter box leads to (↓ and Enter in it): the first pod, else the first row. */
export function firstPod(rows: TreeRow[]): TreeRow | undefined {
  return rows.find((r) => r.kind === 'pod');
}

/** The name a row is known by (what type-ahead matches and Copy name copies); undefined for a note. */
export function rowName(row: TreeRow): string | undefined {
  if (row.kind === 'cluster') return row.cluster.context;
  if (row.kind === 'namespace') return row.namespace;
  if (row.kind === 'pod') return row.pod.name;
  if (row.kind === 'container') return row.container.name;
  return undefined;
}

/** How long a pause ends a type-ahead word (the next letter starts a new one), as in file managers. */
export const TYPE_AHEAD_RESET_MS = 1000;

/**
 * Type-ahead in the tree: letters typed in a row move to the next row whose name starts with them. Keys typed
 * within `resetMs` of each other make one prefix ("we" → web-…); the same letter again ("ppp") steps through
 * the rows starting with it; the search wraps past the end. The clock is passed in, so tests need no waiting.
 */
export class TypeAhead {
  private prefix = '';
  private last = -Infinity;

  constructor(
    private readonly now: () => number,
    private readonly resetMs = TYPE_AHEAD_RESET_MS,
  ) {}

  /** What has been typed (and not yet reset by a pause). */
  typed(): string {
    return this.now() - this.last > this.resetMs ? '' : this.prefix;
  }

  /** Adds a typed character; the row to select, or undefined when no row's name starts with the prefix. */
  type(ch: string, rows: TreeRow[], selectedKey: string | undefined): TreeRow | undefined {
    const t = this.now();
    if (t - this.last > this.resetMs) this.prefix = '';
    this.last = t;
    this.prefix += ch.toLowerCase();
    const selectable = rows.filter((r) => r.kind !== 'note');
    const at = selectable.findIndex((r) => r.key === selectedKey);
    const repeated = [...this.prefix].every((c) => c === this.prefix[0]);
    // A new letter (or the same one again) looks past the selected row; a longer word may stay on it.
    const q = repeated ? this.prefix[0] : this.prefix;
    const start = repeated ? at + 1 : Math.max(at, 0);
    for (let i = 0; i < selectable.length; i++) {
      const row = selectable[(start + i) % selectable.length];
      if (rowName(row)?.toLowerCase().startsWith(q)) return row;
    }
    return undefined;
  }
}
