import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionRegistry, filterActions, fuzzyMatch, type Action } from './actions.ts';

function registry() {
  const ran: string[] = [];
  const r = new ActionRegistry();
  const act = (id: string, title: string, category: Action['category'], more: Partial<Action> = {}): Action => ({ id, title, category, run: () => ran.push(id), ...more });
  return { r, ran, act };
}

test('actions are listed by category, then in the order registered; unregistering removes only what it added', () => {
  const { r, act } = registry();
  const offTheme = r.register([act('theme.toggle', 'Toggle light and dark theme', 'Views')]);
  const offTabs = r.register([act('tabs.next', 'Next tab', 'Tabs', { shortcut: 'nextTab' }), act('tabs.close', 'Close tab', 'Tabs')]);
  assert.deepEqual(r.list().map((a) => a.id), ['tabs.next', 'tabs.close', 'theme.toggle']);
  // A view mounted again registers the same id: the newer one wins, and the older one's unregister leaves it.
  const newer = act('theme.toggle', 'Toggle theme', 'Views');
  r.register([newer]);
  offTheme();
  assert.equal(r.get('theme.toggle'), newer);
  offTabs();
  assert.deepEqual(r.list().map((a) => a.id), ['theme.toggle']);
});

test('run runs an enabled action by id and refuses a disabled or unknown one; the palette lists only enabled ones', () => {
  const { r, ran, act } = registry();
  let hasTab = false;
  r.register([act('tabs.close', 'Close tab', 'Tabs', { enabled: () => hasTab }), act('help.palette', 'Show all commands', 'Help', { shortcut: 'palette' })]);
  assert.equal(r.run('tabs.close'), false);
  assert.equal(r.run('nope'), false);
  assert.deepEqual(r.search('').map((m) => m.action.id), ['help.palette']);
  hasTab = true;
  assert.equal(r.run('tabs.close'), true);
  assert.deepEqual(ran, ['tabs.close']);
  assert.deepEqual(r.search('').map((m) => m.action.id), ['tabs.close', 'help.palette']);
  // An enabled() that throws (a store not ready) counts as disabled rather than breaking the palette.
  r.register([act('bad', 'Broken', 'Help', { enabled: () => { throw new Error('x'); } })]);
  assert.equal(r.run('bad'), false);
});

test('shortcuts are read from the keymap each time (so a remapped key shows); the sheet lists only actions with a key', () => {
  const keys: Record<string, string[]> = { splitRight: ['Ctrl+Shift+D'], nextTab: ['Ctrl+Tab', 'Ctrl+PgDn'] };
  const r = new ActionRegistry((b) => keys[b] ?? []);
  const run = () => {};
  r.register([
    { id: 'panes.splitRight', title: 'Split right', category: 'Panes', shortcut: 'splitRight', run },
    { id: 'tabs.next', title: 'Next tab', category: 'Tabs', shortcut: 'nextTab', run },
    { id: 'tabs.rename', title: 'Rename tab', category: 'Tabs', hint: 'F2 on a tab', run },
    { id: 'views.files', title: 'Show files', category: 'Views', run },
  ]);
  assert.deepEqual(
    r.sheet().map((g) => [g.category, g.rows.map((x) => `${x.action.title}=${x.keys.join(' ')}`)]),
    [
      ['Tabs', ['Next tab=Ctrl+Tab Ctrl+PgDn', 'Rename tab=F2 on a tab']],
      ['Panes', ['Split right=Ctrl+Shift+D']],
    ],
  );
  keys.splitRight = ['Alt+D'];
  assert.deepEqual(r.keys(r.get('panes.splitRight')!), ['Alt+D']);
  assert.deepEqual(r.keys(r.get('views.files')!), []);
});

test('the fuzzy filter matches characters in order, ignoring case and spaces, and says where (for highlighting)', () => {
  assert.deepEqual(fuzzyMatch('nt', 'New terminal')?.indices, [0, 4]);
  assert.deepEqual(fuzzyMatch('NEW TERM', 'New terminal')?.indices, [0, 1, 2, 4, 5, 6, 7]);
  assert.equal(fuzzyMatch('tn', 'New terminal')?.indices.length, 2);
  assert.equal(fuzzyMatch('xyz', 'New terminal'), undefined);
  assert.equal(fuzzyMatch('lan', 'New terminal'), undefined, 'in order only');
  // Jumping to a word start must not lose a match that only the plain order finds.
  assert.deepEqual(fuzzyMatch('ab', 'xab a')?.indices, [1, 2]);
});

test('the filter ranks word starts and runs of characters first, then title matches over category matches', () => {
  const run = () => {};
  const list: Action[] = [
    { id: 'forwards', title: 'Show port-forwards', category: 'Views', run },
    { id: 'splitRight', title: 'Split right', category: 'Panes', run },
    { id: 'theme', title: 'Toggle light and dark theme', category: 'Views', run },
    { id: 'next', title: 'Next tab', category: 'Tabs', run },
    { id: 'newTab', title: 'New terminal tab (same container)', category: 'Tabs', run },
  ];
  assert.deepEqual(filterActions(list, 'spr').map((m) => m.action.id)[0], 'splitRight');
  // The word as typed beats the same letters spread out ("the" + "m" + "e" in "Show the terminals view").
  assert.deepEqual(filterActions([{ id: 'views', title: 'Show the terminals view', category: 'Views', run }, ...list], 'theme').map((m) => m.action.id), ['theme', 'views']);
  assert.deepEqual(fuzzyMatch('dark', 'Toggle light and dark theme')?.indices, [17, 18, 19, 20]);
  assert.deepEqual(filterActions(list, 'new t').map((m) => m.action.id), ['newTab']);
  // Both "nt" at word starts come before those with "t" inside a word; of the two, the shorter title first.
  assert.deepEqual(filterActions(list, 'nt').map((m) => m.action.id).slice(0, 2), ['next', 'newTab']);
  // "views" is no title's, but two actions are in that category: listed, in their order, nothing highlighted.
  const views = filterActions(list, 'views');
  assert.deepEqual(views.map((m) => m.action.id), ['forwards', 'theme']);
  assert.deepEqual(views[0].indices, []);
  // No query: everything, in list order.
  assert.deepEqual(filterActions(list, ' ').map((m) => m.action.id), list.map((a) => a.id));
});
