/**
 * The panes of one tab as a layout tree: leaves name a session (by its pane key), split nodes lay their
 * children out side by side (`row`) or stacked (`column`) with sizes as fractions that sum to 1.
 * Plain data (it is saved across reloads) and pure functions over it: inserting beside a pane, removing
 * one, moving a divider, the rectangle each pane gets, and the pane next to another in a direction.
 * The view draws every pane flat at its rectangle, so changing the tree never re-creates a terminal.
 */

export type SplitDirection = 'row' | 'column';

export interface PaneLeaf {
  kind: 'pane';
  /** The Session's key. */
  key: string;
}

export interface PaneSplit {
  kind: 'split';
  /** `row`: children left to right; `column`: top to bottom. */
  direction: SplitDirection;
  children: PaneNode[];
  /** One fraction per child, summing to 1. */
  sizes: number[];
}

export type PaneNode = PaneLeaf | PaneSplit;

/** A rectangle in fractions of the tab's area (0..1). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Divider {
  /** Child indices from the root down to the split this divider belongs to. */
  path: number[];
  /** The divider sits between child `index` and `index + 1`. */
  index: number;
  direction: SplitDirection;
  /** The line itself (zero width for a row split, zero height for a column split). */
  line: Rect;
  /** The split's whole area, to turn a pointer movement into a fraction of it. */
  area: Rect;
}

export type FocusDirection = 'left' | 'right' | 'up' | 'down';

/** No pane is made smaller than this fraction of its split by dragging a divider. */
export const MIN_SIZE = 0.08;

const EPS = 1e-6;

export const leaf = (key: string): PaneLeaf => ({ kind: 'pane', key });

/** The panes' keys in reading order (depth first: left to right, top to bottom). */
export function leafKeys(node: PaneNode): string[] {
  return node.kind === 'pane' ? [node.key] : node.children.flatMap(leafKeys);
}

/**
 * A new pane `newKey` beside `targetKey`: after it (right or below) or before it. When the target's split
 * already runs in that direction the new pane joins it and takes half the target's share; otherwise the
 * target becomes a split of two halves. Returns a new tree; an unknown target leaves it as it is.
 */
export function insertBeside(root: PaneNode, targetKey: string, newKey: string, direction: SplitDirection, after = true): PaneNode {
  const visit = (node: PaneNode): PaneNode => {
    if (node.kind === 'pane') {
      if (node.key !== targetKey) return node;
      const children = after ? [node, leaf(newKey)] : [leaf(newKey), node];
      return { kind: 'split', direction, children, sizes: [0.5, 0.5] };
    }
    const i = node.children.findIndex((c) => c.kind === 'pane' && c.key === targetKey);
    if (i >= 0 && node.direction === direction) {
      const half = node.sizes[i] / 2;
      const at = after ? i + 1 : i;
      const children = [...node.children];
      children.splice(at, 0, leaf(newKey));
      const sizes = [...node.sizes];
      sizes.splice(i, 1, half, half);
      return { ...node, children, sizes };
    }
    return { ...node, children: node.children.map(visit), sizes: [...node.sizes] };
  };
  return visit(root);
}

/**
 * The tree without pane `key`: its share goes to its neighbours in proportion, a split left with one child
 * is replaced by that child (and a child split running the same way as its parent merges into it).
 * Undefined when the last pane went.
 */
export function removeLeaf(root: PaneNode, key: string): PaneNode | undefined {
  const visit = (node: PaneNode): PaneNode | undefined => {
    if (node.kind === 'pane') return node.key === key ? undefined : node;
    const children: PaneNode[] = [];
    const sizes: number[] = [];
    node.children.forEach((c, i) => {
      const v = visit(c);
      if (v) {
        children.push(v);
        sizes.push(node.sizes[i]);
      }
    });
    if (!children.length) return undefined;
    if (children.length === 1) return children[0];
    return flatten({ ...node, children, sizes: normalize(sizes) });
  };
  return visit(root);
}

/** Merges child splits that run the same way as their parent (what removing a pane can leave behind). */
function flatten(node: PaneSplit): PaneSplit {
  const children: PaneNode[] = [];
  const sizes: number[] = [];
  node.children.forEach((c, i) => {
    if (c.kind === 'split' && c.direction === node.direction) {
      c.children.forEach((cc, j) => {
        children.push(cc);
        sizes.push(node.sizes[i] * c.sizes[j]);
      });
    } else {
      children.push(c);
      sizes.push(node.sizes[i]);
    }
  });
  return { ...node, children, sizes };
}

export function normalize(sizes: number[]): number[] {
  const clean = sizes.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const sum = clean.reduce((a, b) => a + b, 0);
  if (sum <= 0) return sizes.map(() => 1 / sizes.length);
  return clean.map((s) => s / sum);
}

/**
 * Sizes after the divider between child `index` and `index + 1` moved by `delta` (a fraction of the
 * split): only those two children change, neither below `min`.
 */
export function moveDivider(sizes: number[], index: number, delta: number, min = MIN_SIZE): number[] {
  if (index < 0 || index + 1 >= sizes.length || !Number.isFinite(delta)) return [...sizes];
  const a = sizes[index];
  const b = sizes[index + 1];
  const lo = Math.min(min, a);
  const hi = Math.min(min, b);
  const d = Math.max(lo - a, Math.min(b - hi, delta));
  const out = [...sizes];
  out[index] = a + d;
  out[index + 1] = b - d;
  return out;
}

/** The split at `path` (child indices from the root), if there is one. */
export function splitAt(root: PaneNode, path: number[]): PaneSplit | undefined {
  let node: PaneNode | undefined = root;
  for (const i of path) node = node?.kind === 'split' ? node.children[i] : undefined;
  return node?.kind === 'split' ? node : undefined;
}

/**
 * Where the keyboard goes when pane `key` closes: into the sibling that takes its place (the one before
 * it, else after), to the pane of that sibling nearest the closed one.
 */
export function successor(root: PaneNode, key: string): string | undefined {
  const find = (node: PaneNode): { split: PaneSplit; index: number } | undefined => {
    if (node.kind !== 'split') return undefined;
    const index = node.children.findIndex((c) => c.kind === 'pane' && c.key === key);
    if (index >= 0) return { split: node, index };
    for (const c of node.children) {
      const r = find(c);
      if (r) return r;
    }
    return undefined;
  };
  const at = find(root);
  if (!at) return undefined;
  const before = at.index > 0;
  const dir: FocusDirection = at.split.direction === 'row' ? (before ? 'left' : 'right') : before ? 'up' : 'down';
  return neighbour(paneRects(root), key, dir);
}

/** Where each pane is drawn, in fractions of the tab's area. */
export function paneRects(root: PaneNode): { key: string; rect: Rect }[] {
  const out: { key: string; rect: Rect }[] = [];
  walk(root, { x: 0, y: 0, w: 1, h: 1 }, [], (node, rect) => {
    if (node.kind === 'pane') out.push({ key: node.key, rect });
  });
  return out;
}

/** Every divider of the tree with the line it draws and the area of its split. */
export function dividers(root: PaneNode): Divider[] {
  const out: Divider[] = [];
  walk(root, { x: 0, y: 0, w: 1, h: 1 }, [], (node, area, path) => {
    if (node.kind !== 'split') return;
    let at = 0;
    for (let i = 0; i < node.children.length - 1; i++) {
      at += node.sizes[i];
      const line = node.direction === 'row' ? { x: area.x + at * area.w, y: area.y, w: 0, h: area.h } : { x: area.x, y: area.y + at * area.h, w: area.w, h: 0 };
      out.push({ path, index: i, direction: node.direction, line, area });
    }
  });
  return out;
}

function walk(node: PaneNode, rect: Rect, path: number[], fn: (node: PaneNode, rect: Rect, path: number[]) => void): void {
  fn(node, rect, path);
  if (node.kind !== 'split') return;
  let at = 0;
  node.children.forEach((c, i) => {
    const s = node.sizes[i];
    const r = node.direction === 'row' ? { x: rect.x + at * rect.w, y: rect.y, w: s * rect.w, h: rect.h } : { x: rect.x, y: rect.y + at * rect.h, w: rect.w, h: s * rect.h };
    at += s;
    walk(c, r, [...path, i], fn);
  });
}

/**
 * The pane next to `fromKey` in a direction, as the eye sees it: of the panes beyond that edge, those
 * that overlap it across win, then the nearest, then the one whose middle is closest to its middle.
 */
export function neighbour(rects: { key: string; rect: Rect }[], fromKey: string, dir: FocusDirection): string | undefined {
  const from = rects.find((r) => r.key === fromKey)?.rect;
  if (!from) return undefined;
  const horizontal = dir === 'left' || dir === 'right';
  let best: { key: string; score: [number, number, number] } | undefined;
  for (const { key, rect: r } of rects) {
    if (key === fromKey) continue;
    let gap: number;
    if (dir === 'right') gap = r.x - (from.x + from.w);
    else if (dir === 'left') gap = from.x - (r.x + r.w);
    else if (dir === 'down') gap = r.y - (from.y + from.h);
    else gap = from.y - (r.y + r.h);
    if (gap < -EPS) continue;
    const overlap = horizontal ? Math.min(from.y + from.h, r.y + r.h) - Math.max(from.y, r.y) : Math.min(from.x + from.w, r.x + r.w) - Math.max(from.x, r.x);
    const mid = horizontal ? Math.abs(r.y + r.h / 2 - (from.y + from.h / 2)) : Math.abs(r.x + r.w / 2 - (from.x + from.w / 2));
    const score: [number, number, number] = [overlap > EPS ? 0 : 1, gap, mid];
    if (!best || lexLess(score, best.score)) best = { key, score };
  }
  return best?.key;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > EPS) return a[i] < b[i];
  }
  return false;
}
