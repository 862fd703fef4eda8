import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TERMINAL_SETTINGS } from '../../../common/contract/settings.ts';
import { applyLook, DEFAULT_FONT_FAMILY, pasteAsks, pasteTarget, xtermLook } from './settingsTerminal.ts';

test('the settings as xterm options: an empty font family is Kubedeck\'s list', () => {
  assert.deepEqual(xtermLook(DEFAULT_TERMINAL_SETTINGS), { fontFamily: DEFAULT_FONT_FAMILY, fontSize: 13, lineHeight: 1.15, cursorStyle: 'block', scrollback: 10000 });
  assert.equal(xtermLook({ ...DEFAULT_TERMINAL_SETTINGS, fontFamily: ' Fira Code ' }).fontFamily, 'Fira Code');
});

test('only changed options are set; a font change asks for a refit, a cursor or scrollback change does not', () => {
  const options = { ...xtermLook(DEFAULT_TERMINAL_SETTINGS) };
  assert.equal(applyLook(options, xtermLook(DEFAULT_TERMINAL_SETTINGS)), false);
  assert.equal(applyLook(options, xtermLook({ ...DEFAULT_TERMINAL_SETTINGS, cursorStyle: 'bar', scrollback: 50 })), false);
  assert.equal(options.cursorStyle, 'bar');
  assert.equal(options.scrollback, 50);
  assert.equal(applyLook(options, xtermLook({ ...DEFAULT_TERMINAL_SETTINGS, cursorStyle: 'bar', scrollback: 50, fontSize: 20 })), true);
  assert.equal(options.fontSize, 20);
});

test('a paste asks when it has a line break, unless the warning is off or the terminal takes pastes bracketed', () => {
  assert.equal(pasteAsks('ls -l', { warn: true, bracketed: false }), false);
  assert.equal(pasteAsks('rm -rf /tmp/x\n', { warn: true, bracketed: false }), true, 'one line with its Enter runs at once');
  assert.equal(pasteAsks('a\r\nb', { warn: true, bracketed: false }), true);
  assert.equal(pasteAsks('a\nb', { warn: true, bracketed: true }), false);
  assert.equal(pasteAsks('a\nb', { warn: false, bracketed: false }), false);
  assert.equal(pasteTarget({ pod: 'shell', context: 'kd-test-1' }), 'shell@kd-test-1');
});
