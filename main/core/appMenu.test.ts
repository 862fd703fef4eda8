import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_COMMANDS } from '../../common/contract/index.ts';
import { appMenuTemplate, menuItems, reloadWarning, type MenuAction } from './appMenu.ts';

const build = (platform: string) => {
  const ran: { action: MenuAction; win: unknown }[] = [];
  const template = appMenuTemplate({ platform, appName: 'Kubedeck', run: (action, win) => ran.push({ action, win }) });
  return { template, ran, items: menuItems(template) };
};

describe('the app menu', () => {
  it('is File, Edit, View, Window, Help off macOS, with the app menu first on macOS', () => {
    assert.deepEqual(build('linux').template.map((m) => m.label), ['File', 'Edit', 'View', 'Window', 'Help']);
    assert.deepEqual(build('win32').template.map((m) => m.label), ['File', 'Edit', 'View', 'Window', 'Help']);
    const mac = build('darwin').template;
    assert.deepEqual(mac.map((m) => m.label), ['Kubedeck', 'File', 'Edit', 'View', 'Window', 'Help']);
    assert.deepEqual(mac[0].submenu?.filter((i) => i.role).map((i) => i.role), ['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
  });

  it('carries every page command, each sent to the focused window', () => {
    for (const platform of ['linux', 'darwin']) {
      const { items, ran } = build(platform);
      // On macOS copy and paste are Edit's standard roles (the page's xterm answers the copy and paste events).
      for (const command of APP_COMMANDS.filter((c) => platform !== 'darwin' || (c !== 'copy' && c !== 'paste'))) {
        const item = items.find((i) => i.id === command);
        assert.ok(item?.click, `${platform}: ${command}`);
        item.click({}, 'the focused window');
        assert.deepEqual(ran.at(-1), { action: { command }, win: 'the focused window' });
      }
    }
  });

  it('off macOS takes no Ctrl+<letter> from the shell in the pod: Ctrl+Shift, Ctrl+=/-/0, PageUp/PageDown or F11', () => {
    const { items } = build('linux');
    const accels = items.map((i) => i.accelerator).filter((a): a is string => !!a);
    assert.ok(accels.length > 12);
    for (const a of accels) assert.match(a, /^(Ctrl\+Shift\+[A-Z]|Ctrl\+[=0-]|Ctrl\+Page(Up|Down)|F11)$/, a);
    // Roles whose default accelerator is Ctrl+<letter> are not used there.
    const roles: string[] = items.map((i) => i.role ?? '');
    for (const r of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit', 'close'] as const) assert.ok(!roles.includes(r), r);
    // One accelerator, one item.
    assert.equal(new Set(accels).size, accels.length);
  });

  it('shows the keys the page itself uses (keymap.ts) for splits, find, copy and paste', () => {
    const { items } = build('linux');
    const accel = (id: string) => items.find((i) => i.id === id)?.accelerator;
    assert.deepEqual(
      ['splitRight', 'splitDown', 'closePane', 'find', 'copy', 'paste', 'nextTab', 'previousTab'].map(accel),
      ['Ctrl+Shift+D', 'Ctrl+Shift+S', 'Ctrl+Shift+X', 'Ctrl+Shift+F', 'Ctrl+Shift+C', 'Ctrl+Shift+V', 'Ctrl+PageDown', 'Ctrl+PageUp'],
    );
  });

  it('has the window items: reload (guarded by the session host), full screen, new and close window, quit', () => {
    const { items, ran } = build('linux');
    for (const [id, action] of [
      ['reload', { window: 'reload' }],
      ['toggleFullScreen', { window: 'toggleFullScreen' }],
      ['newWindow', { window: 'new' }],
      ['closeWindow', { window: 'close' }],
      ['quit', { app: 'quit' }],
      ['openDataFolder', { app: 'openDataFolder' }],
    ] as const) {
      items.find((i) => i.id === id)!.click!({}, undefined);
      assert.deepEqual(ran.at(-1)?.action, action, id);
    }
  });

  it('on macOS uses Cmd and the standard Edit roles (text fields need them there)', () => {
    const { items, template } = build('darwin');
    assert.equal(items.find((i) => i.id === 'newTab')?.accelerator, 'Cmd+T');
    assert.equal(items.find((i) => i.id === 'find')?.accelerator, 'Cmd+F');
    const edit = template.find((m) => m.label === 'Edit')!.submenu!.map((i) => i.role).filter(Boolean);
    assert.deepEqual(edit, ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
  });
});

describe('reloading a window', () => {
  it('is safe with a grace period, and asks first when it would end terminals', () => {
    assert.equal(reloadWarning(900, 3), undefined);
    assert.equal(reloadWarning(0, 0), undefined);
    assert.match(reloadWarning(0, 1)?.message ?? '', /ends the terminal of this window/);
    assert.match(reloadWarning(0, 2)?.message ?? '', /ends the 2 terminals/);
  });
});
