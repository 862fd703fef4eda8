/**
 * The terminal settings a user picks in the Settings view: how terminals look (font, line height, cursor,
 * scrollback, renderer), how they behave (bell, copy-on-select, right click, paste warning), the shell a tab
 * opens and the keybindings. Main holds them (settings.json in the data folder, each field checked there);
 * every page of every window applies them live and hears a change from another page as `settings.changed`.
 */

export type CursorStyle = 'block' | 'underline' | 'bar';
export type RendererChoice = 'auto' | 'webgl' | 'dom';
export type BellStyle = 'none' | 'visual' | 'sound';
/** What a right click in a terminal does: the context menu, paste, or copy when text is selected (else paste). */
export type RightClickAction = 'menu' | 'paste' | 'copyOrPaste';

export interface TerminalSettings {
  /** A CSS font-family list; empty: Kubedeck's monospace list. */
  fontFamily: string;
  /** Points, a whole number in FONT_SIZE_RANGE (View › Zoom changes this one too). */
  fontSize: number;
  /** Line height as a multiple of the font's (1 to 2). */
  lineHeight: number;
  cursorStyle: CursorStyle;
  /** Lines kept above the screen (0 to 100 000). */
  scrollback: number;
  /** auto: WebGL where it works (and not `?renderer=dom`), else the DOM renderer. */
  renderer: RendererChoice;
  bell: BellStyle;
  /** Selected text goes to the clipboard as soon as it is selected. */
  copyOnSelect: boolean;
  rightClick: RightClickAction;
  /** Ask before a paste with a line break goes into a terminal that is not in bracketed paste mode. */
  pasteWarning: boolean;
  /** The command a new tab's shell runs ("zsh -l"); empty: the best shell the image has. */
  shellCommand: string;
  /** Keys the user remapped: action id → key ("Ctrl+Shift+F", "" for none); an action not here has its default. */
  keybindings: Record<string, string>;
}

export const FONT_SIZE_RANGE = { min: 8, max: 32 } as const;
export const LINE_HEIGHT_RANGE = { min: 1, max: 2 } as const;
export const SCROLLBACK_RANGE = { min: 0, max: 100_000 } as const;

export const DEFAULT_TERMINAL_SETTINGS: TerminalSettings = {
  fontFamily: '',
  fontSize: 13,
  lineHeight: 1.15,
  cursorStyle: 'block',
  scrollback: 10_000,
  renderer: 'auto',
  bell: 'none',
  copyOnSelect: false,
  rightClick: 'menu',
  pasteWarning: true,
  shellCommand: '',
  keybindings: {},
};

export interface SettingsMethods {
  /** The terminal settings; a saved value that is unknown or invalid reads as its default (the others kept). */
  getTerminalSettings(): Promise<TerminalSettings>;
  /**
   * Changes the fields given and resolves with all of them; every page (this one too) then gets
   * `settings.changed`. Rejects the whole change, naming the field and what it takes, when one is invalid
   * ("fontSize: a whole number from 8 to 32 (got 40)").
   */
  setTerminalSettings(change: Partial<TerminalSettings>): Promise<TerminalSettings>;
}

export interface SettingsEvents {
  'settings.changed': { terminal: TerminalSettings };
}

export const SETTINGS_METHODS: Record<keyof SettingsMethods, true> = {
  getTerminalSettings: true,
  setTerminalSettings: true,
};
