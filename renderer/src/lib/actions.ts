/**
 * The actions registry: every command of the page once — id, title, category, the key that runs it, what it
 * does and whether it can now — from which both the command palette (F1) and the shortcut sheet (?) are built
 * (components/palette). Views register their actions while they are mounted. A shortcut is a keymap binding
 * name, not a label: the label is read from the keymap (components/terminals/keymap.ts) each time it is
 * shown, so a remapped key shows where it is. Plain code, tested without a DOM.
 */
import { bindingKeys, type Binding } from '../components/terminals/keymap.ts';

/** Categories in the order the palette and the sheet show them. */
export const CATEGORIES = ['Tabs', 'Panes', 'Terminal', 'Logs', 'Clusters', 'Views', 'Help'] as const;
export type ActionCategory = (typeof CATEGORIES)[number];

export interface Action {
  /** Stable and unique, e.g. "tabs.next": what a keybinding override or a test names. */
  id: string;
  title: string;
  category: ActionCategory;
  /** The keymap binding that runs it. */
  shortcut?: Binding;
  /** A key or gesture the keymap does not own (a focused tab's F2, a double-click), shown as written. */
  hint?: string;
  run: () => void;
  /** Whether it can run now (default: always); the palette leaves out those that cannot. */
  enabled?: () => boolean;
}

/** An action found by the palette: where its title matched (indices into the title, to highlight). */
export interface Match {
  action: Action;
  score: number;
  indices: number[];
}

export class ActionRegistry {
  private readonly byId = new Map<string, Action>();

  /** `keysOf` turns a binding into its keys as shown ("Ctrl+Shift+D"); the keymap's by default. */
  constructor(private readonly keysOf: (b: Binding) => string[] = bindingKeys) {}

  /** Adds actions (one with the id of another replaces it); returns the function that removes them again. */
  register(actions: Action[]): () => void {
    for (const a of actions) this.byId.set(a.id, a);
    return () => {
      for (const a of actions) if (this.byId.get(a.id) === a) this.byId.delete(a.id);
    };
  }

  /** Every action, by category (CATEGORIES order), then in the order registered. */
  list(): Action[] {
    const all = [...this.byId.values()];
    return CATEGORIES.flatMap((c) => all.filter((a) => a.category === c));
  }

  get(id: string): Action | undefined {
    return this.byId.get(id);
  }

  isEnabled(a: Action): boolean {
    try {
      return a.enabled ? a.enabled() : true;
    } catch {
      return false;
    }
  }

  /** The keys that run an action as they are written, the main one first; none when it has no key. */
  keys(a: Action): string[] {
    if (a.shortcut) return this.keysOf(a.shortcut);
    return a.hint ? [a.hint] : [];
  }

  /** Runs an action by id when it is enabled; false when there is none or it cannot run now. */
  run(id: string): boolean {
    const a = this.byId.get(id);
    if (!a || !this.isEnabled(a)) return false;
    a.run();
    return true;
  }

  /** What the palette lists for a query: the enabled actions that match, best first. */
  search(query: string): Match[] {
    return filterActions(
      this.list().filter((a) => this.isEnabled(a)),
      query,
    );
  }

  /** What the shortcut sheet lists: each category's actions that have a key, with their keys. */
  sheet(): { category: ActionCategory; rows: { action: Action; keys: string[] }[] }[] {
    const all = this.list();
    return CATEGORIES.map((category) => ({
      category,
      rows: all.filter((a) => a.category === category).flatMap((action) => {
        const keys = this.keys(action);
        return keys.length ? [{ action, keys }] : [];
      }),
    })).filter((g) => g.rows.length);
  }
}

/**
 * A fuzzy match of `query` in `text` (case-insensitive): every query character in order, as VS Code's palette
 * does. Hand-written (a dozen lines) rather than a library: the palette needs only this and the indices to
 * highlight. Higher is better: consecutive characters and characters at the start of a word score more, so
 * "splr" finds "Split right" before "Show port-forwards list"… Undefined when it does not match.
 */
export function fuzzyMatch(query: string, text: string): { score: number; indices: number[] } | undefined {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (!q) return { score: 0, indices: [] };
  const t = text.toLowerCase();
  // The query as it stands at a word start beats one spread over the text ("theme" in "…dark theme", not "the…m…e").
  const words = [...t.matchAll(new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))].map((m) => m.index);
  const whole = words.find((i) => isWordStart(t, i));
  if (whole !== undefined) return { score: (q.length * 3 + 2) * 100 + 10_000 - text.length, indices: [...q].map((_, i) => whole + i) };
  // Jumping ahead to word starts can skip a character needed later ("ab" in "xab a"): then match plainly.
  const indices = positions(q, t, true) ?? positions(q, t, false);
  if (!indices) return undefined;
  let score = 0;
  indices.forEach((at, i) => (score += i > 0 && at === indices[i - 1] + 1 ? 3 : isWordStart(t, at) ? 2 : 0));
  // A shorter title with the same matches is the closer one.
  return { score: score * 100 - text.length, indices };
}

/** Where each query character falls in order; with `wordStarts`, a character that does not follow the last one goes to the next word start holding it. */
function positions(q: string, t: string, wordStarts: boolean): number[] | undefined {
  const out: number[] = [];
  let from = 0;
  for (const ch of q) {
    let at = t.indexOf(ch, from);
    if (at < 0) return undefined;
    if (wordStarts && at !== (out[out.length - 1] ?? -2) + 1) {
      for (let j = at; j >= 0; j = t.indexOf(ch, j + 1)) {
        if (isWordStart(t, j)) {
          at = j;
          break;
        }
      }
    }
    out.push(at);
    from = at + 1;
  }
  return out;
}

function isWordStart(t: string, i: number): boolean {
  return i === 0 || /[\s\-/.:(]/.test(t[i - 1]);
}

/** The actions whose title (or else "category title") matches the query, best first (ties in list order); all of them for an empty query. */
export function filterActions(actions: Action[], query: string): Match[] {
  if (!query.trim()) return actions.map((action) => ({ action, score: 0, indices: [] }));
  const found = actions.flatMap((action, order) => {
    const inTitle = fuzzyMatch(query, action.title);
    if (inTitle) return [{ action, ...inTitle, order }];
    // Through the category ("tabs next"): ranked after every title match, nothing in the title highlighted.
    const inBoth = fuzzyMatch(query, `${action.category} ${action.title}`);
    return inBoth ? [{ action, score: inBoth.score - 100_000, indices: [], order }] : [];
  });
  return found.sort((a, b) => b.score - a.score || a.order - b.order).map(({ action, score, indices }) => ({ action, score, indices }));
}

/** The page's registry (the views register into it; the palette and the sheet read it). */
export const actions = new ActionRegistry();
