/** The terminals' text size (View › Zoom in the desktop app), remembered in localStorage. */
import { FONT_SIZE } from './appCommands.ts';

const STORAGE_KEY = 'kubedeck.terminalFontSize';

function initialSize(): number {
  try {
    const saved = Number(localStorage.getItem(STORAGE_KEY));
    if (Number.isInteger(saved) && saved >= FONT_SIZE.min && saved <= FONT_SIZE.max) return saved;
  } catch {
    // Storage can be unavailable; the default is fine then.
  }
  return FONT_SIZE.base;
}

class TerminalFont {
  size = $state(initialSize());

  set(size: number): void {
    this.size = size;
    try {
      localStorage.setItem(STORAGE_KEY, String(size));
    } catch {
      // Not remembered, still applied.
    }
  }
}

export const terminalFont = new TerminalFont();
