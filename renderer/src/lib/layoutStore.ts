/**
 * Keeps the terminals' layout (tabs, order, titles, splits, the active tab, each pane's session id) in the
 * page's sessionStorage, so a reload — which in Kubedeck detaches from sessions rather than ending them —
 * gets its tabs back and re-attaches each pane. sessionStorage rather than localStorage: it belongs to this
 * one browser tab or window (two pages on one server keep two layouts) and survives exactly a reload.
 */
export const LAYOUT_KEY = 'kubedeck.terminals.layout';

export interface LayoutStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The saved layout, or undefined when there is none or it cannot be read (a page from an older version). */
export function loadLayout<T>(storage: LayoutStorage | undefined, check: (v: unknown) => v is T): T | undefined {
  try {
    const text = storage?.getItem(LAYOUT_KEY);
    if (!text) return undefined;
    const value: unknown = JSON.parse(text);
    return check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveLayout(storage: LayoutStorage | undefined, layout: unknown): void {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or refused (private mode): a reload then starts with no tabs; the sessions still run on.
  }
}

/** The page's sessionStorage, if it may be used. */
export function pageStorage(): LayoutStorage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}
