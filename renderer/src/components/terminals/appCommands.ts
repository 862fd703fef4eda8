/**
 * The desktop app menu's commands (common/contract/app.ts) in the terminals view: each is what the key the menu
 * item shows does here. Pane commands go to the focused pane of the active tab through the same actions its
 * keys run (keymap.ts); tab commands are the view's; zoom is the terminals' text size (the fontSize setting). Plain code, tested without a DOM.
 */
import type { AppCommand } from '../../../../common/contract/index.ts';
import { DEFAULT_TERMINAL_SETTINGS, FONT_SIZE_RANGE } from '../../../../common/contract/settings.ts';
import type { PaneAction } from './keymap.ts';

/** Commands that are a pane's own action. */
export const PANE_COMMANDS: Partial<Record<AppCommand, PaneAction>> = {
  splitRight: 'splitRight',
  splitDown: 'splitDown',
  closePane: 'closePane',
  find: 'find',
  copy: 'copy',
  paste: 'paste',
};

const paneRunners = new Map<string, (action: PaneAction) => void>();

/** A mounted pane offers its actions to the menu; returns the unregister function. */
export function registerPaneActions(sessionKey: string, run: (action: PaneAction) => void): () => void {
  paneRunners.set(sessionKey, run);
  return () => {
    if (paneRunners.get(sessionKey) === run) paneRunners.delete(sessionKey);
  };
}

/** Runs a pane action on the pane of that session; false when no such pane is mounted. */
export function runPaneAction(sessionKey: string, action: PaneAction): boolean {
  const run = paneRunners.get(sessionKey);
  run?.(action);
  return !!run;
}

/** The terminals' text size: the default, and the range zooming keeps to (points, as xterm's fontSize) — the fontSize setting's. */
export const FONT_SIZE = { base: DEFAULT_TERMINAL_SETTINGS.fontSize, ...FONT_SIZE_RANGE };

/** The text size after a zoom command (one point a step, as terminal apps do); other commands leave it. */
export function zoomedFontSize(size: number, command: AppCommand): number {
  if (command === 'zoomReset') return FONT_SIZE.base;
  const step = command === 'zoomIn' ? 1 : command === 'zoomOut' ? -1 : 0;
  return Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, size + step));
}
