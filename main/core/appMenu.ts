/**
 * The desktop app's native menu as plain data: main/app hands it to Menu.buildFromTemplate, tests read it
 * without Electron. Items the page runs (tabs, panes, find, zoom) send an `app.command` event to the focused
 * window; the window-level ones (reload, full screen, close, quit) are the main side's.
 *
 * The accelerators are the page's own keys (renderer/src/components/terminals/keymap.ts), so a menu item
 * and its key do one thing. Off macOS every accelerator has Ctrl+Shift (or is a function key): a menu
 * accelerator is taken before the page sees the key, and Ctrl+<letter> belongs to the shell in the pod
 * (Ctrl+C interrupt, Ctrl+R history search, Ctrl+W delete word, Ctrl+Z suspend, Ctrl+A line start). So
 * there are no roles with a Ctrl+<letter> default there (undo, cut, select all, close, quit), and the
 * letters follow GNOME Terminal's (T new tab, W close tab, N new window, Q close window). On macOS, Cmd
 * never reaches a shell: the usual Cmd keys and the standard Edit roles (which text fields need there).
 */
import type { AppCommand } from '../../common/contract/index.ts';

/** What a menu item does when chosen (in the focused window, for those that need one). */
export type MenuAction =
  | { command: AppCommand }
  | { window: 'reload' | 'new' | 'close' | 'toggleFullScreen' }
  | { app: 'quit' | 'openDataFolder' };

/** Electron's menu roles this menu uses (the native behaviour Electron gives them). */
export type MenuRole =
  | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll'
  | 'minimize' | 'zoom' | 'front' | 'toggleDevTools'
  | 'appMenu' | 'windowMenu';

/** One item, in the shape of Electron's MenuItemConstructorOptions (the fields this menu uses). */
export interface AppMenuItem {
  id?: string;
  label?: string;
  role?: MenuRole;
  type?: 'normal' | 'separator' | 'submenu';
  accelerator?: string;
  submenu?: AppMenuItem[];
  /** Electron calls it with (menuItem, focusedWindow, event). */
  click?: (menuItem: unknown, focusedWindow: unknown) => void;
}

export interface AppMenuOptions {
  platform: string;
  /** The app's name (macOS puts it on the app menu). */
  appName: string;
  /** Runs an item's action; `focusedWindow` is what Electron passed (undefined when no window is focused). */
  run(action: MenuAction, focusedWindow: unknown): void;
}

const sep: AppMenuItem = { type: 'separator' };

/** The menu template for this platform: macOS app menu + File, Edit, View, Window, Help; elsewhere File, Edit, View, Window, Help. */
export function appMenuTemplate(opts: AppMenuOptions): AppMenuItem[] {
  const mac = opts.platform === 'darwin';
  // One modifier for the page's keys: Cmd on macOS, Ctrl+Shift elsewhere (see above why).
  const k = (letter: string) => (mac ? `Cmd+${letter}` : `Ctrl+Shift+${letter}`);
  const item = (id: string, label: string, action: MenuAction, accelerator?: string): AppMenuItem => ({
    id,
    label,
    ...(accelerator ? { accelerator } : {}),
    click: (_menuItem, win) => opts.run(action, win),
  });
  const cmd = (command: AppCommand, label: string, accelerator?: string) => item(command, label, { command }, accelerator);

  const file: AppMenuItem = {
    label: 'File',
    submenu: [
      cmd('newTab', 'New Tab', k('T')),
      item('newWindow', 'New Window', { window: 'new' }, k('N')),
      sep,
      cmd('splitRight', 'Split Right', mac ? 'Cmd+D' : 'Ctrl+Shift+D'),
      cmd('splitDown', 'Split Down', mac ? 'Cmd+Shift+D' : 'Ctrl+Shift+S'),
      sep,
      cmd('closePane', 'Close Pane', mac ? 'Cmd+Shift+X' : 'Ctrl+Shift+X'),
      cmd('closeTab', 'Close Tab', k('W')),
      item('closeWindow', 'Close Window', { window: 'close' }, mac ? 'Cmd+Shift+W' : 'Ctrl+Shift+Q'),
      ...(mac ? [] : [sep, item('openDataFolder', 'Show Data Folder', { app: 'openDataFolder' }), sep, item('quit', 'Quit', { app: 'quit' })]),
    ],
  };
  const edit: AppMenuItem = {
    label: 'Edit',
    submenu: mac
      ? [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }, sep, cmd('find', 'Find', 'Cmd+F')]
      : [cmd('copy', 'Copy', 'Ctrl+Shift+C'), cmd('paste', 'Paste', 'Ctrl+Shift+V'), sep, cmd('find', 'Find', 'Ctrl+Shift+F')],
  };
  const view: AppMenuItem = {
    label: 'View',
    submenu: [
      // Terminal text size, as in terminal apps (the page keeps it); Ctrl+=/-/0 are no shell's keys.
      cmd('zoomIn', 'Zoom In', mac ? 'Cmd+=' : 'Ctrl+='),
      cmd('zoomOut', 'Zoom Out', mac ? 'Cmd+-' : 'Ctrl+-'),
      cmd('zoomReset', 'Actual Size', mac ? 'Cmd+0' : 'Ctrl+0'),
      sep,
      item('toggleFullScreen', 'Toggle Full Screen', { window: 'toggleFullScreen' }, mac ? 'Ctrl+Cmd+F' : 'F11'),
      sep,
      // Safe: the window's terminals belong to the session host and the reloaded page attaches them again.
      item('reload', 'Reload Window', { window: 'reload' }, mac ? 'Cmd+Shift+R' : 'Ctrl+Shift+R'),
      { role: 'toggleDevTools', accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I' },
    ],
  };
  const windowMenu: AppMenuItem = {
    label: 'Window',
    submenu: [
      cmd('nextTab', 'Next Tab', mac ? 'Cmd+Shift+]' : 'Ctrl+PageDown'),
      cmd('previousTab', 'Previous Tab', mac ? 'Cmd+Shift+[' : 'Ctrl+PageUp'),
      sep,
      { role: 'minimize', ...(mac ? {} : { accelerator: 'Ctrl+Shift+M' }) },
      ...(mac ? [{ role: 'zoom' } as AppMenuItem, sep, { role: 'front' } as AppMenuItem] : []),
    ],
  };
  const help: AppMenuItem = {
    label: 'Help',
    submenu: mac ? [item('openDataFolder', 'Show Data Folder', { app: 'openDataFolder' })] : [{ role: 'about' }],
  };
  if (!mac) return [file, edit, view, windowMenu, help];
  const appMenu: AppMenuItem = {
    label: opts.appName,
    submenu: [{ role: 'about' }, sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
  };
  return [appMenu, file, edit, view, { ...windowMenu, role: 'windowMenu' }, help];
}

/** Items by id, through every submenu (for the tests and for enabling items). */
export function menuItems(template: AppMenuItem[]): AppMenuItem[] {
  return template.flatMap((i) => [i, ...menuItems(i.submenu ?? [])]);
}

/**
 * Why Reload Window should ask first, or undefined when it is safe. A reload only detaches the window from its
 * terminals and the reloaded page attaches them again — unless the grace period is 0 (settings.json), when a
 * terminal ends as its window goes.
 */
export function reloadWarning(graceSeconds: number, terminals: number): { message: string; detail: string } | undefined {
  if (graceSeconds > 0 || terminals === 0) return undefined;
  return {
    message: `Reloading ends ${terminals === 1 ? 'the terminal' : `the ${terminals} terminals`} of this window.`,
    detail: 'terminals.graceSeconds is 0 in settings.json, so a terminal ends when no window shows it. With a grace period, a reload keeps them.',
  };
}
