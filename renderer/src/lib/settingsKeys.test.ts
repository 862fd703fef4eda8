import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chordOf, keyProblem, resolveKeys, withDefault, withKey, type ChordEvent, type KeyAction } from './settingsKeys.ts';

const ev = (key: string, mods: string[] = [], code?: string): ChordEvent => ({
  key,
  code,
  ctrlKey: mods.includes('Ctrl'),
  shiftKey: mods.includes('Shift'),
  altKey: mods.includes('Alt'),
  metaKey: mods.includes('Meta'),
});

const ACTIONS: KeyAction[] = [
  { id: 'find', label: 'Find', defaultKey: 'Ctrl+Shift+F' },
  { id: 'copy', label: 'Copy', defaultKey: 'Ctrl+Shift+C' },
  { id: 'marker', label: 'Add recording marker', defaultKey: '' },
];

test('a key event is written as its chord: modifiers in one order, letters and digits by their key', () => {
  assert.equal(chordOf(ev('F', ['Shift', 'Ctrl'], 'KeyF')), 'Ctrl+Shift+F');
  assert.equal(chordOf(ev('f', ['Ctrl', 'Shift'])), 'Ctrl+Shift+F', 'without code, by the key upper-cased');
  assert.equal(chordOf(ev('!', ['Ctrl', 'Shift'], 'Digit1')), 'Ctrl+Shift+1', 'Shift+1 is 1 whatever the layout prints');
  assert.equal(chordOf(ev('PageUp', ['Meta', 'Alt'])), 'Alt+Meta+PageUp');
  assert.equal(chordOf(ev('F5')), 'F5');
  assert.equal(chordOf(ev(' ', ['Ctrl'], 'Space')), 'Ctrl+Space');
  assert.equal(chordOf(ev(',', ['Ctrl'], 'Comma')), 'Ctrl+,');
  assert.equal(chordOf(ev('Shift', ['Shift'])), undefined, 'a modifier alone is not a chord yet');
  assert.equal(chordOf(ev('Control', ['Ctrl'])), undefined);
});

test('the keys in force: defaults, the user\'s where remapped, "" for none', () => {
  assert.deepEqual(resolveKeys(ACTIONS, {}), { find: 'Ctrl+Shift+F', copy: 'Ctrl+Shift+C', marker: '' });
  assert.deepEqual(resolveKeys(ACTIONS, { find: 'Ctrl+Alt+F', copy: '', gone: 'F9' }), { find: 'Ctrl+Alt+F', copy: '', marker: '' });
});

test('a remap back to the default, or a reset, leaves no override behind', () => {
  const o = withKey(ACTIONS, {}, 'find', 'Ctrl+Alt+F');
  assert.deepEqual(o, { find: 'Ctrl+Alt+F' });
  assert.deepEqual(withKey(ACTIONS, o, 'find', 'Ctrl+Shift+F'), {});
  assert.deepEqual(withDefault({ find: 'F6', copy: 'F7' }, 'find'), { copy: 'F7' });
});

test('keys that would take the shell\'s keys, the view\'s, or another action\'s are refused with a reason', () => {
  const keys = resolveKeys(ACTIONS, {});
  const problem = (chord: string) => keyProblem(chord, 'marker', ACTIONS, keys);
  assert.equal(problem('Ctrl+Shift+M'), undefined);
  assert.equal(problem('Alt+M'), undefined);
  assert.equal(problem('F6'), undefined);
  assert.equal(problem('Ctrl+F12'), undefined);
  assert.equal(problem('Ctrl+Shift+F'), 'Ctrl+Shift+F is already Find: give that another key first');
  assert.equal(keyProblem('Ctrl+Shift+F', 'find', ACTIONS, keys), undefined, 'its own key again is fine');
  assert.equal(problem('M'), 'M would take a key from the shell: add Ctrl, Alt or Meta (or use an F key)');
  assert.equal(problem('Shift+M'), 'Shift+M would take a key from the shell: add Ctrl, Alt or Meta (or use an F key)');
  assert.equal(problem('Ctrl+C'), "Ctrl+C is the shell's own (a control character): add Shift or Alt");
  assert.equal(problem('Enter'), 'Enter alone belongs to the shell: add Ctrl, Alt or Meta');
  assert.equal(problem('Ctrl+Tab'), 'Ctrl+Tab switches tabs: choose another key');
  assert.equal(problem('Alt+ArrowLeft'), 'Alt+ArrowLeft moves between panes: choose another key');
  assert.equal(problem('Ctrl+,'), 'Ctrl+, opens Settings: choose another key');
  assert.equal(problem('Ctrl+é'), 'Ctrl+é cannot be used as a shortcut');
});
