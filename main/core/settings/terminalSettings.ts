/**
 * The terminal settings (common/contract/settings.ts) in settings.json: one key per field under
 * `terminals.` (beside `terminals.graceSeconds`), so a field saved wrong — by hand, or by an older or newer
 * version — reads as its default and costs none of the others. Every change is checked field by field and
 * refused whole with the field's name and what it takes; a change that passed is written once and told to
 * every listener (each connected client's `settings.changed`).
 */
import {
  DEFAULT_TERMINAL_SETTINGS,
  FONT_SIZE_RANGE,
  LINE_HEIGHT_RANGE,
  SCROLLBACK_RANGE,
  type TerminalSettings,
} from '../../../common/contract/settings.ts';
import { splitCommand } from '../../../common/commandLine.ts';

export interface SettingsBackend {
  get<T>(key: string, fallback: T): T;
  setMany(values: Record<string, unknown>): void;
}

type Field = keyof TerminalSettings;
/** What a checker says: the value to keep, or why not (the text after "field: "). */
type Checked = { ok: true; value: unknown } | { ok: false; why: string };

const ok = (value: unknown): Checked => ({ ok: true, value });
const no = (why: string): Checked => ({ ok: false, why });
const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

function oneOf(...values: string[]): (v: unknown) => Checked {
  return (v) => (typeof v === 'string' && values.includes(v) ? ok(v) : no(`one of ${values.join(', ')} (got ${shown(v)})`));
}

function number(range: { min: number; max: number }, whole: boolean): (v: unknown) => Checked {
  const what = `${whole ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
  return (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= range.min && v <= range.max && (!whole || Number.isInteger(v)) ? ok(v) : no(`${what} (got ${shown(v)})`);
}

function boolean(v: unknown): Checked {
  return typeof v === 'boolean' ? ok(v) : no(`true or false (got ${shown(v)})`);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

function fontFamily(v: unknown): Checked {
  if (typeof v !== 'string') return no(`a font name or a CSS font list (got ${shown(v)})`);
  const s = v.trim();
  if (s.length > 200) return no('at most 200 characters');
  // The list goes into CSS (the DOM renderer) and canvas fonts: no statement or block may start inside it.
  if (CONTROL.test(s) || /[;{}<>\\]/.test(s)) return no('font names, commas and quotes only (no ; { } < > \\)');
  return ok(s);
}

function shellCommand(v: unknown): Checked {
  if (typeof v !== 'string') return no(`a command such as "zsh -l", or empty for the best shell (got ${shown(v)})`);
  const s = v.trim();
  if (s.length > 500) return no('at most 500 characters');
  if (CONTROL.test(s)) return no('one line, without control characters');
  if (s && !splitCommand(s)) return no('a quote is not closed');
  return ok(s);
}

/** An action id of the keymap ("find", "pane.splitRight"): the renderer's action list decides which exist. */
const ACTION_ID = /^[A-Za-z][\w.-]{0,63}$/;
/** "Ctrl+Shift+F", "Alt+PageUp", "F5": modifiers in this order, then one key name. */
const CHORD = /^(Ctrl\+)?(Alt\+)?(Shift\+)?(Meta\+)?([!-~]|[A-Z][A-Za-z0-9]{1,15})$/;
const MAX_BINDINGS = 100;

function keybindings(v: unknown): Checked {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return no(`an object of action → key (got ${shown(v)})`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_BINDINGS) return no(`at most ${MAX_BINDINGS} actions`);
  const out: Record<string, string> = {};
  for (const [action, key] of entries) {
    if (!ACTION_ID.test(action)) return no(`${shown(action)} is not an action name`);
    if (typeof key !== 'string' || (key !== '' && !CHORD.test(key))) return no(`${action}: a key such as "Ctrl+Shift+F", or "" for none (got ${shown(key)})`);
    out[action] = key;
  }
  return ok(out);
}

const CHECKS: Record<Field, (v: unknown) => Checked> = {
  fontFamily,
  fontSize: number(FONT_SIZE_RANGE, true),
  lineHeight: number(LINE_HEIGHT_RANGE, false),
  cursorStyle: oneOf('block', 'underline', 'bar'),
  scrollback: number(SCROLLBACK_RANGE, true),
  renderer: oneOf('auto', 'webgl', 'dom'),
  bell: oneOf('none', 'visual', 'sound'),
  copyOnSelect: boolean,
  rightClick: oneOf('menu', 'paste', 'copyOrPaste'),
  pasteWarning: boolean,
  shellCommand,
  keybindings,
};

const FIELDS = Object.keys(CHECKS) as Field[];
const keyOf = (f: Field) => `terminals.${f}`;

/**
 * A change checked: the fields to write, or the first problem as a sentence naming the field.
 * Unknown fields are refused too, so a typo in a client is not silently dropped.
 */
export function checkTerminalSettings(change: unknown): { ok: true; values: Partial<TerminalSettings> } | { ok: false; message: string } {
  if (!change || typeof change !== 'object' || Array.isArray(change)) return { ok: false, message: 'settings: expected an object of fields to change' };
  const values: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(change as Record<string, unknown>)) {
    if (!Object.hasOwn(CHECKS, field)) return { ok: false, message: `settings: no setting ${shown(field)} (there are ${FIELDS.join(', ')})` };
    const c = CHECKS[field as Field](v);
    if (!c.ok) return { ok: false, message: `${field}: ${c.why}` };
    values[field] = c.value;
  }
  return { ok: true, values: values as Partial<TerminalSettings> };
}

/** The saved settings, each field that is missing or does not pass its check read as its default. */
export function readTerminalSettings(store: Pick<SettingsBackend, 'get'>): TerminalSettings {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const saved = store.get<unknown>(keyOf(f), undefined);
    const c = saved === undefined ? undefined : CHECKS[f](saved);
    out[f] = c?.ok ? c.value : structuredClone(DEFAULT_TERMINAL_SETTINGS[f]);
  }
  return out as unknown as TerminalSettings;
}

/** The contract's settings methods over a store, with the listeners every change is told to. */
export class TerminalSettingsService {
  private readonly listeners = new Set<(s: TerminalSettings) => void>();

  constructor(private readonly store: SettingsBackend) {}

  get(): TerminalSettings {
    return readTerminalSettings(this.store);
  }

  set(change: unknown): TerminalSettings {
    const c = checkTerminalSettings(change);
    if (!c.ok) throw new Error(c.message);
    this.store.setMany(Object.fromEntries(Object.entries(c.values).map(([f, v]) => [keyOf(f as Field), v])));
    const now = this.get();
    for (const l of this.listeners) {
      try {
        l(now);
      } catch {
        // One listener (a closed client) must not keep the others from hearing it.
      }
    }
    return now;
  }

  /** Told every change, whoever made it; returns the unsubscribe function. */
  onChanged(listener: (s: TerminalSettings) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
