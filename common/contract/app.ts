/**
 * The desktop app's own events: what its native menu asks the page to do. Only main/app sends them (serve mode
 * has no menu: a browser's keys reach the page itself). The page runs a command exactly as the key that the
 * menu item shows would (renderer/src/components/terminals/keymap.ts), on the focused pane of the active tab.
 */

/** A command from the app menu to the page. */
export type AppCommand =
  | 'newTab'
  | 'closeTab'
  | 'nextTab'
  | 'previousTab'
  | 'splitRight'
  | 'splitDown'
  | 'closePane'
  | 'find'
  | 'copy'
  | 'paste'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomReset';

/** Every AppCommand, for checks on either side. */
export const APP_COMMANDS: readonly AppCommand[] = [
  'newTab', 'closeTab', 'nextTab', 'previousTab', 'splitRight', 'splitDown', 'closePane', 'find', 'copy', 'paste', 'zoomIn', 'zoomOut', 'zoomReset',
];

export interface AppEvents {
  /** A menu item (or its accelerator) was chosen while this window was focused. */
  'app.command': { command: AppCommand };
}
