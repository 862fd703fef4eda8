/**
 * The keybinding model of the Settings view: keys written as chords ("Ctrl+Shift+F"), the chord of a key
 * event, the keys in force (each action's default unless the user remapped it), and whether a key the user
 * pressed may be given to an action. Data-driven: the actions come in as a list (id, label, default key),
 * today the terminal pane's (keymap.ts), later any registry's. Plain code, tested without a DOM.
 */

/** The parts of a KeyboardEvent a chord is made of; `code` (the physical key) when the event has it. */
export interface ChordEvent {
  key: string;
  code?: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export interface KeyAction {
  id: string;
  label: string;
  /** The key it has unless remapped ("" for none). */
  defaultKey: string;
}

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'OS', 'Hyper', 'Super']);
const NAMED: Record<string, string> = { ' ': 'Space', Esc: 'Escape', Left: 'ArrowLeft', Right: 'ArrowRight', Up: 'ArrowUp', Down: 'ArrowDown' };

/**
 * The chord of a key event: modifiers in the order Ctrl, Alt, Shift, Meta, then the key — a letter or digit by
 * its physical key (so Shift+1 is "Shift+1" on any layout), another printable key upper-cased, a named key as
 * the browser names it ("PageUp", "F5"). Undefined for a modifier pressed alone.
 */
export function chordOf(ev: ChordEvent): string | undefined {
  if (MODIFIER_KEYS.has(ev.key)) return undefined;
  let key: string;
  const letter = /^Key([A-Z])$/.exec(ev.code ?? '') ?? /^Digit([0-9])$/.exec(ev.code ?? '');
  if (letter) key = letter[1];
  else if (NAMED[ev.key]) key = NAMED[ev.key];
  else if (ev.key.length === 1) key = ev.key.toUpperCase();
  else key = ev.key;
  const mods = [ev.ctrlKey && 'Ctrl', ev.altKey && 'Alt', ev.shiftKey && 'Shift', ev.metaKey && 'Meta'].filter(Boolean);
  return [...mods, key].join('+');
}

/** The key of each action now: the user's, where remapped (also to "" — none), else its default. */
export function resolveKeys(actions: readonly KeyAction[], overrides: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of actions) out[a.id] = Object.hasOwn(overrides, a.id) ? overrides[a.id] : a.defaultKey;
  return out;
}

/** The overrides after one action got a key: a key equal to the default is no override (so "reset" is stable). */
export function withKey(actions: readonly KeyAction[], overrides: Readonly<Record<string, string>>, id: string, key: string): Record<string, string> {
  const out = { ...overrides };
  const a = actions.find((x) => x.id === id);
  if (a && a.defaultKey === key) delete out[id];
  else out[id] = key;
  return out;
}

/** The overrides with one action back on its default. */
export function withDefault(overrides: Readonly<Record<string, string>>, id: string): Record<string, string> {
  const out = { ...overrides };
  delete out[id];
  return out;
}

/** Keys the view and the app keep for themselves, with what they do (for the sentence that refuses them). */
const RESERVED: Record<string, string> = {
  'Ctrl+Tab': 'switches tabs',
  'Ctrl+Shift+Tab': 'switches tabs',
  'Ctrl+PageUp': 'switches tabs',
  'Ctrl+PageDown': 'switches tabs',
  'Ctrl+Shift+PageUp': 'moves the tab',
  'Ctrl+Shift+PageDown': 'moves the tab',
  'Alt+ArrowLeft': 'moves between panes',
  'Alt+ArrowRight': 'moves between panes',
  'Alt+ArrowUp': 'moves between panes',
  'Alt+ArrowDown': 'moves between panes',
  'Ctrl+,': 'opens Settings',
};

/** Keys a user cannot give an action (Escape ends recording, Enter and Backspace are the shell's). */
const NEVER = new Set(['Escape', 'Enter', 'Backspace', 'Tab', 'Space']);

/**
 * Why a key cannot be given to action `id`, or undefined when it can. A key an action takes never reaches
 * the shell, so a plain key, Shift+key or Ctrl+letter (a control character: Ctrl+C interrupts) is refused.
 */
export function keyProblem(chord: string, id: string, actions: readonly KeyAction[], keys: Readonly<Record<string, string>>): string | undefined {
  const parts = chord.split('+');
  const key = parts[parts.length - 1];
  const mods = new Set(parts.slice(0, -1));
  const fKey = /^F([1-9]|1[0-9]|2[0-4])$/.test(key);
  if (!/^([!-~]|[A-Z][A-Za-z0-9]{1,15})$/.test(key)) return `${chord} cannot be used as a shortcut`;
  if (RESERVED[chord]) return `${chord} ${RESERVED[chord]}: choose another key`;
  if (NEVER.has(key) && mods.size === 0) return `${key} alone belongs to the shell: add Ctrl, Alt or Meta`;
  if (!fKey && !mods.has('Ctrl') && !mods.has('Alt') && !mods.has('Meta')) return `${chord} would take a key from the shell: add Ctrl, Alt or Meta (or use an F key)`;
  if (mods.size === 1 && mods.has('Ctrl') && /^[A-Z@[\\\]^_]$/.test(key)) return `Ctrl+${key} is the shell's own (a control character): add Shift or Alt`;
  const taken = actions.find((a) => a.id !== id && keys[a.id] === chord);
  if (taken) return `${chord} is already ${taken.label}: give that another key first`;
  return undefined;
}
