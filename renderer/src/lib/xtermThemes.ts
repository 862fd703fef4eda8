/** xterm.js colour themes matching the app's dark and light themes (VS Code's default palettes). */
import type { ITheme } from '@xterm/xterm';
import type { ThemeMode } from './theme.svelte.ts';

const dark: ITheme = {
  background: '#1e1e1e',
  foreground: '#cccccc',
  cursor: '#aeafad',
  cursorAccent: '#1e1e1e',
  selectionBackground: '#264f78',
  black: '#000000',
  red: '#cd3131',
  green: '#0dbc79',
  yellow: '#e5e510',
  blue: '#2472c8',
  magenta: '#bc3fbc',
  cyan: '#11a8cd',
  white: '#e5e5e5',
  brightBlack: '#666666',
  brightRed: '#f14c4c',
  brightGreen: '#23d18b',
  brightYellow: '#f5f543',
  brightBlue: '#3b8eea',
  brightMagenta: '#d670d6',
  brightCyan: '#29b8db',
  brightWhite: '#e5e5e5',
};

const light: ITheme = {
  background: '#ffffff',
  foreground: '#333333',
  cursor: '#333333',
  cursorAccent: '#ffffff',
  selectionBackground: '#add6ff',
  black: '#000000',
  red: '#cd3131',
  green: '#107c10',
  yellow: '#949800',
  blue: '#0451a5',
  magenta: '#bc05bc',
  cyan: '#0598bc',
  white: '#555555',
  brightBlack: '#666666',
  brightRed: '#cd3131',
  brightGreen: '#14ce14',
  brightYellow: '#b5ba00',
  brightBlue: '#0451a5',
  brightMagenta: '#bc05bc',
  brightCyan: '#0598bc',
  brightWhite: '#a5a5a5',
};

export function xtermTheme(mode: ThemeMode): ITheme {
  return mode === 'dark' ? dark : light;
}

/** Search highlight colours (the search addon needs #RRGGBB). */
export function searchDecorations(mode: ThemeMode) {
  return mode === 'dark'
    ? { matchBackground: '#623315', matchOverviewRuler: '#d18616', activeMatchBackground: '#a8ac94', activeMatchColorOverviewRuler: '#a8ac94' }
    : { matchBackground: '#fad7a0', matchOverviewRuler: '#d18616', activeMatchBackground: '#f6b94d', activeMatchColorOverviewRuler: '#a8ac94' };
}
