import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingKeys, helpKey, paneKey, shortcutLabel, viewKey, type KeyLike } from './keymap.ts';

function key(spec: string, type = 'keydown'): KeyLike {
  const parts = spec.split('+');
  const k = parts.pop()!;
  return { type, key: k, ctrlKey: parts.includes('Ctrl'), shiftKey: parts.includes('Shift'), altKey: parts.includes('Alt'), metaKey: parts.includes('Meta') };
}

test('Ctrl+Shift+F/C/V/M/E are the pane\'s actions, in either letter case, on keydown', () => {
  assert.deepEqual(paneKey(key('Ctrl+Shift+F')), { action: 'find' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+f')), { action: 'find' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+C')), { action: 'copy' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+V')), { action: 'paste' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+M')), { action: 'marker' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+E')), { action: 'browseFiles' });
  // The keyup (and keypress) of a shortcut is kept from the shell too, but runs nothing.
  assert.deepEqual(paneKey(key('Ctrl+Shift+F', 'keyup')), {});
  assert.deepEqual(paneKey(key('Ctrl+Shift+C', 'keypress')), {});
});

test('the shell keeps its own keys: Ctrl+C, Ctrl+V, plain letters, other Ctrl+Shift letters', () => {
  for (const k of ['Ctrl+C', 'Ctrl+V', 'Ctrl+F', 'Shift+F', 'f', 'Enter', 'Ctrl+Shift+Y', 'Ctrl+Shift+Enter', 'Ctrl+Shift+F1', 'Tab', 'Shift+Tab', 'PageDown']) {
    assert.equal(paneKey(key(k)), undefined, k);
  }
});

test('the tab keys are left to the view, whatever the modifiers', () => {
  for (const k of ['Ctrl+Tab', 'Ctrl+Shift+Tab', 'Ctrl+PageUp', 'Ctrl+PageDown', 'Ctrl+Shift+PageDown', 'Ctrl+Alt+Tab']) {
    assert.deepEqual(paneKey(key(k)), {}, k);
    assert.deepEqual(paneKey(key(k, 'keyup')), {}, k);
  }
});

test('the view cycles and moves tabs with Ctrl only (not with Alt or Meta)', () => {
  assert.deepEqual(viewKey(key('Ctrl+Tab')), { cycle: 1 });
  assert.deepEqual(viewKey(key('Ctrl+Shift+Tab')), { cycle: -1 });
  assert.deepEqual(viewKey(key('Ctrl+PageDown')), { cycle: 1 });
  assert.deepEqual(viewKey(key('Ctrl+PageUp')), { cycle: -1 });
  assert.deepEqual(viewKey(key('Ctrl+Shift+PageDown')), { move: 1 });
  assert.deepEqual(viewKey(key('Ctrl+Shift+PageUp')), { move: -1 });
  for (const k of ['Tab', 'PageDown', 'Ctrl+Alt+Tab', 'Ctrl+Meta+PageUp', 'Ctrl+Shift+F', 'Ctrl+T']) assert.equal(viewKey(key(k)), undefined, k);
});

test('menu labels come from the same table', () => {
  assert.equal(shortcutLabel('copy'), 'Ctrl+Shift+C');
  assert.equal(shortcutLabel('paste'), 'Ctrl+Shift+V');
  assert.equal(shortcutLabel('find'), 'Ctrl+Shift+F');
  assert.equal(shortcutLabel('browseFiles'), 'Ctrl+Shift+E');
  assert.equal(shortcutLabel('marker'), 'Ctrl+Shift+M');
});

test('the grid: Ctrl+Shift+D/S split right/down, Ctrl+Shift+X closes the pane, Ctrl+Shift+Z maximises', () => {
  assert.deepEqual(paneKey(key('Ctrl+Shift+D')), { action: 'splitRight' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+S')), { action: 'splitDown' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+X')), { action: 'closePane' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+Z')), { action: 'maximize' });
  assert.deepEqual(paneKey(key('Ctrl+Shift+d', 'keyup')), {});
  assert.equal(shortcutLabel('splitRight'), 'Ctrl+Shift+D');
  assert.equal(shortcutLabel('maximize'), 'Ctrl+Shift+Z');
  // Ctrl+D and Ctrl+Z without Shift stay the shell's (end of input, suspend).
  assert.equal(paneKey(key('Ctrl+D')), undefined);
  assert.equal(paneKey(key('Ctrl+Z')), undefined);
});

test('Alt+arrows move the keyboard between panes of a split tab; a lone pane leaves them to the shell', () => {
  assert.deepEqual(paneKey(key('Alt+ArrowLeft'), true), { focus: 'left' });
  assert.deepEqual(paneKey(key('Alt+ArrowRight'), true), { focus: 'right' });
  assert.deepEqual(paneKey(key('Alt+ArrowUp'), true), { focus: 'up' });
  assert.deepEqual(paneKey(key('Alt+ArrowDown'), true), { focus: 'down' });
  assert.deepEqual(paneKey(key('Alt+ArrowDown', 'keyup'), true), {});
  assert.equal(paneKey(key('Alt+ArrowLeft')), undefined);
  for (const k of ['ArrowLeft', 'Ctrl+Alt+ArrowLeft', 'Alt+Shift+ArrowUp', 'Ctrl+ArrowRight']) assert.equal(paneKey(key(k), true), undefined, k);
});

test('F1 and Ctrl+Shift+P open the palette, even from a terminal; ? asks for the shortcut sheet; the labels come from the keymap', () => {
  assert.equal(helpKey(key('F1')), 'palette');
  assert.equal(helpKey(key('Ctrl+Shift+P')), 'palette');
  assert.equal(helpKey(key('Ctrl+Shift+p')), 'palette');
  assert.equal(helpKey(key('Shift+?')), 'shortcuts');
  for (const k of ['Ctrl+P', 'Alt+F1', 'Ctrl+F1', 'p', 'Ctrl+?']) assert.equal(helpKey(key(k)), undefined, k);
  // xterm leaves the palette's keys to the page (no ^P, no F1 escape sequence sent to the shell); ? is typed.
  assert.deepEqual(paneKey(key('Ctrl+Shift+P')), {});
  assert.deepEqual(paneKey(key('F1')), {});
  assert.equal(paneKey(key('Shift+?')), undefined);
  assert.deepEqual(bindingKeys('palette'), ['F1', 'Ctrl+Shift+P']);
  assert.deepEqual(bindingKeys('splitRight'), ['Ctrl+Shift+D']);
  assert.deepEqual(bindingKeys('nextTab'), ['Ctrl+Tab', 'Ctrl+PgDn']);
});

test('remapped pane keys: the new key runs the action, the old one goes to the shell, a reset restores it', async () => {
  const { defaultPaneKeys, setPaneKeys } = await import('./keymap.ts');
  try {
    setPaneKeys({ find: 'Ctrl+Alt+G', copy: '' });
    assert.deepEqual(paneKey(key('Ctrl+Alt+g')), { action: 'find' });
    assert.equal(paneKey(key('Ctrl+Shift+F')), undefined, 'the old key is the shell\'s again');
    assert.equal(paneKey(key('Ctrl+Shift+C')), undefined, 'no key at all');
    assert.equal(shortcutLabel('find'), 'Ctrl+Alt+G');
    assert.equal(shortcutLabel('copy'), '');
    assert.deepEqual(paneKey(key('Ctrl+Shift+V')), { action: 'paste' }, 'actions not remapped keep their key');
  } finally {
    setPaneKeys({});
  }
  assert.deepEqual(paneKey(key('Ctrl+Shift+F')), { action: 'find' });
  assert.equal(defaultPaneKeys().splitRight, 'Ctrl+Shift+D');
});
