/**
 * The terminals view's keyboard shortcuts in one table: what a pane does with Ctrl+Shift+<letter> (find, copy,
 * paste, recording marker, browse files; split right or down, close the pane, maximise it), Alt+arrows (the
 * keyboard to the pane in that direction, in a tab of several panes) and what the view does with Ctrl+Tab /
 * Ctrl+PgUp / Ctrl+PgDn (switch and move tabs). xterm asks `paneKey` about every key event, so it never sends one of these to the shell; the
 * menus show `shortcutLabel`, so a label cannot disagree with the key. Plain code, tested without a DOM.
 */

import { chordOf } from '../../lib/settingsKeys.ts';

/** The parts of a KeyboardEvent the keymap reads. */
export interface KeyLike {
  type: string;
  key: string;
  /** The physical key ("KeyF"), when the event has it: a remapped key is matched by it (lib/settingsKeys.ts). */
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export type PaneAction = 'find' | 'copy' | 'paste' | 'marker' | 'browseFiles' | 'splitRight' | 'splitDown' | 'closePane' | 'maximize';

export type FocusDirection = 'left' | 'right' | 'up' | 'down';

/**
 * Ctrl+Shift+<letter> in a pane. The grid's letters follow terminals users know (iTerm2's D for a split
 * beside, Terminator's X/Z); Ctrl+Shift+W and Q are the browser's own (close window, quit) and cannot be had.
 */
const PANE_SHORTCUTS: { letter: string; action: PaneAction }[] = [
  { letter: 'f', action: 'find' },
  { letter: 'c', action: 'copy' },
  { letter: 'v', action: 'paste' },
  { letter: 'm', action: 'marker' },
  { letter: 'e', action: 'browseFiles' },
  { letter: 'd', action: 'splitRight' },
  { letter: 's', action: 'splitDown' },
  { letter: 'x', action: 'closePane' },
  { letter: 'z', action: 'maximize' },
];

/** What a pane asks of the grid it is in (its keys, header buttons and menu). */
export type GridAction = { split: 'row' | 'column' } | { focus: FocusDirection } | 'maximize';

const ARROWS: Record<string, FocusDirection> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** Keys the view takes with Ctrl (and Shift or not), whatever pane has the keyboard. */
const VIEW_KEYS = ['Tab', 'PageUp', 'PageDown'];

export type ViewAction = { cycle: 1 | -1 } | { move: 1 | -1 };

/**
 * What xterm does with a key event: undefined, it is the terminal's (sent to the pod); otherwise xterm must
 * leave it, and `action` or `focus`, when set (on keydown), is the pane's to run. Alt+arrows are the
 * grid's only in a tab of several panes (`split`); alone, a pane leaves them to the shell.
 */
export function paneKey(ev: KeyLike, split = false): { action?: PaneAction; focus?: FocusDirection } | undefined {
  if ((ev.ctrlKey && VIEW_KEYS.includes(ev.key)) || helpKey(ev) === 'palette') return {};
  const dir = ARROWS[ev.key];
  if (dir && split && ev.altKey && !ev.ctrlKey && !ev.shiftKey && !ev.metaKey) return ev.type === 'keydown' ? { focus: dir } : {};
  const action = paneActionOf(ev);
  if (!action) return undefined;
  return ev.type === 'keydown' ? { action } : {};
}

/** The keys the pane's actions have now: the defaults, or the user's keybindings (setPaneKeys). */
let paneKeys: Record<PaneAction, string> = defaultPaneKeys();

/** The pane action whose key this event is, if any. */
function paneActionOf(ev: KeyLike): PaneAction | undefined {
  const chord = chordOf(ev);
  if (!chord) return undefined;
  return (Object.keys(paneKeys) as PaneAction[]).find((a) => paneKeys[a] === chord);
}

/** Every pane action with its default key as a chord ("Ctrl+Shift+F"): where the Settings view's keybindings start. */
export function defaultPaneKeys(): Record<PaneAction, string> {
  return Object.fromEntries(PANE_SHORTCUTS.map((s) => [s.action, `Ctrl+Shift+${s.letter.toUpperCase()}`])) as Record<PaneAction, string>;
}

/** The pane actions' keys from the user's keybindings (lib/settingsKeys.ts); an action not given keeps its default. */
export function setPaneKeys(keys: Readonly<Record<string, string>>): void {
  const next = defaultPaneKeys();
  for (const a of Object.keys(next) as PaneAction[]) if (Object.hasOwn(keys, a)) next[a] = keys[a];
  paneKeys = next;
}

/** The view's tab keys: Ctrl+Tab / Ctrl+PgDn next tab, with Shift (Tab) or Ctrl+PgUp previous; Ctrl+Shift+PgUp/PgDn moves the tab. */
export function viewKey(ev: KeyLike): ViewAction | undefined {
  if (!ev.ctrlKey || ev.altKey || ev.metaKey) return undefined;
  if (ev.key === 'Tab') return { cycle: ev.shiftKey ? -1 : 1 };
  if (ev.key === 'PageDown') return ev.shiftKey ? { move: 1 } : { cycle: 1 };
  if (ev.key === 'PageUp') return ev.shiftKey ? { move: -1 } : { cycle: -1 };
  return undefined;
}

/** How the focus moves are written in a menu or a hint. */
export const FOCUS_LABEL = 'Alt+Arrow';

/** How a pane shortcut is written in a menu: "Ctrl+Shift+C". */
export function shortcutLabel(action: PaneAction): string {
  return paneKeys[action] ?? '';
}

/** The page's help keys: the command palette and the shortcut sheet (components/palette). */
export type HelpAction = 'palette' | 'shortcuts';

/**
 * F1 (VS Code's, also in a terminal) or Ctrl+Shift+P opens the palette wherever the keyboard is; `?` asks for the
 * shortcut sheet, which the page shows only when the keyboard is not in a terminal or a text field (there `?` is typed).
 */
export function helpKey(ev: KeyLike): HelpAction | undefined {
  if (ev.altKey || ev.metaKey) return undefined;
  if (ev.key === 'F1' && !ev.ctrlKey && !ev.shiftKey) return 'palette';
  if (ev.ctrlKey && ev.shiftKey && ev.key.toLowerCase() === 'p') return 'palette';
  if (ev.key === '?' && !ev.ctrlKey) return 'shortcuts';
  return undefined;
}

/** Every key binding by name: the pane's actions, the view's tab keys, the focus moves and the help keys. */
export type Binding = PaneAction | HelpAction | 'nextTab' | 'previousTab' | 'moveTabLeft' | 'moveTabRight' | 'focusPane';

/** How the tab and help keys above are written (the pane's come from their table). */
const KEY_LABELS: Record<Exclude<Binding, PaneAction>, string[]> = {
  nextTab: ['Ctrl+Tab', 'Ctrl+PgDn'],
  previousTab: ['Ctrl+Shift+Tab', 'Ctrl+PgUp'],
  moveTabLeft: ['Ctrl+Shift+PgUp'],
  moveTabRight: ['Ctrl+Shift+PgDn'],
  focusPane: [FOCUS_LABEL],
  palette: ['F1', 'Ctrl+Shift+P'],
  shortcuts: ['?'],
};

/** The keys of a binding as the help shows them, the first being the main one (the palette and sheet read this). */
export function bindingKeys(b: Binding): string[] {
  if (b in KEY_LABELS) return KEY_LABELS[b as keyof typeof KEY_LABELS];
  const label = shortcutLabel(b as PaneAction);
  return label ? [label] : [];
}
