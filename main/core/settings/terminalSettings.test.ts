// The terminal settings: what a change may hold (each field's check, said by name), what a saved file
// that is wrong in places reads as (defaults for those fields only), and that every listener hears a change.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TERMINAL_SETTINGS, type TerminalSettings } from '../../../common/contract/settings.ts';
import { splitCommand } from '../../../common/commandLine.ts';
import { SettingsStore } from './settings.ts';
import { checkTerminalSettings, TerminalSettingsService } from './terminalSettings.ts';

const refused = (change: unknown): string => {
  const c = checkTerminalSettings(change);
  assert.equal(c.ok, false, `${JSON.stringify(change)} was accepted`);
  return (c as { message: string }).message;
};

describe('terminal settings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-tsettings-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the defaults from an empty data folder', () => {
    assert.deepEqual(new TerminalSettingsService(SettingsStore.inDataDir(join(dir, 'empty'))).get(), DEFAULT_TERMINAL_SETTINGS);
  });

  it('keeps a change in settings.json and reads it back in a new store (a restart)', async () => {
    const data = join(dir, 'keep');
    const s = new TerminalSettingsService(SettingsStore.inDataDir(data));
    const got = s.set({ fontSize: 16, cursorStyle: 'bar', keybindings: { find: 'Ctrl+Alt+F' }, shellCommand: ' zsh -l ' });
    assert.equal(got.fontSize, 16);
    assert.equal(got.shellCommand, 'zsh -l', 'trimmed');
    assert.equal(got.scrollback, DEFAULT_TERMINAL_SETTINGS.scrollback, 'fields not given keep their value');
    const again = new TerminalSettingsService(SettingsStore.inDataDir(data)).get();
    assert.deepEqual(again, got);
    const file = JSON.parse(await readFile(join(data, 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(file['terminals.fontSize'], 16);
  });

  it('refuses a bad field whole, naming it and what it takes', () => {
    assert.equal(refused({ fontSize: 40 }), 'fontSize: a whole number from 8 to 32 (got 40)');
    assert.equal(refused({ fontSize: 12.5 }), 'fontSize: a whole number from 8 to 32 (got 12.5)');
    assert.match(refused({ lineHeight: 0.5 }), /^lineHeight: a number from 1 to 2/);
    assert.match(refused({ scrollback: -1 }), /^scrollback: a whole number from 0 to 100000/);
    assert.equal(refused({ cursorStyle: 'beam' }), 'cursorStyle: one of block, underline, bar (got "beam")');
    assert.match(refused({ renderer: 'canvas' }), /^renderer: one of auto, webgl, dom/);
    assert.match(refused({ bell: true }), /^bell: one of none, visual, sound/);
    assert.match(refused({ copyOnSelect: 'yes' }), /^copyOnSelect: true or false/);
    assert.match(refused({ rightClick: 'select' }), /^rightClick: one of menu, paste, copyOrPaste/);
    assert.match(refused({ fontFamily: 'x; } body { color: red' }), /^fontFamily: font names/);
    assert.match(refused({ shellCommand: 'bash\nrm -rf /' }), /^shellCommand: one line/);
    assert.match(refused({ shellCommand: 'sh -c "echo' }), /^shellCommand: a quote is not closed/);
    assert.match(refused({ keybindings: { find: 'Ctrl+Shift+' } }), /^keybindings: find: a key such as/);
    assert.match(refused({ keybindings: { 'no spaces': 'F5' } }), /^keybindings: "no spaces" is not an action name/);
    assert.match(refused({ keybindings: ['F5'] }), /^keybindings: an object/);
    assert.match(refused({ fontsize: 14 }), /^settings: no setting "fontsize"/);
    assert.match(refused(null), /expected an object/);
    // A refused change writes nothing, also not its valid fields.
    const s = new TerminalSettingsService(SettingsStore.inDataDir(join(dir, 'refused')));
    assert.throws(() => s.set({ fontSize: 20, cursorStyle: 'beam' }), /cursorStyle/);
    assert.equal(s.get().fontSize, DEFAULT_TERMINAL_SETTINGS.fontSize);
  });

  it('accepts the edges of each range and an unbound key', () => {
    const c = checkTerminalSettings({ fontSize: 8, lineHeight: 2, scrollback: 0, keybindings: { find: '', copy: 'F5', 'pane.split-right': 'Ctrl+Alt+Shift+Meta+PageDown' } });
    assert.equal(c.ok, true);
  });

  it('reads each saved field that is unknown or invalid as its default, the others kept', async () => {
    const data = join(dir, 'mixed');
    const saved = { 'terminals.fontSize': 'huge', 'terminals.cursorStyle': 'underline', 'terminals.scrollback': 1e9, 'terminals.bell': 'visual', 'terminals.keybindings': { find: 7 }, 'terminals.future': 1, 'debug.image': 'alpine' };
    const store = SettingsStore.inDataDir(data);
    store.setMany(saved);
    const s = new TerminalSettingsService(SettingsStore.inDataDir(data));
    const want: TerminalSettings = { ...DEFAULT_TERMINAL_SETTINGS, cursorStyle: 'underline', bell: 'visual' };
    assert.deepEqual(s.get(), want);
    s.set({ lineHeight: 1.5 });
    const file = JSON.parse(await readFile(join(data, 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(file['debug.image'], 'alpine', 'other settings are left alone');
    assert.equal(file['terminals.future'], 1, 'a field of another version is kept');
  });

  it('tells every listener of a change, until it unsubscribes', () => {
    const s = new TerminalSettingsService(SettingsStore.inDataDir(join(dir, 'events')));
    const heard: number[] = [];
    const off = s.onChanged((t) => heard.push(t.fontSize));
    s.onChanged(() => {
      throw new Error('a closed client');
    });
    s.set({ fontSize: 14 });
    off();
    s.set({ fontSize: 15 });
    assert.deepEqual(heard, [14]);
  });
});

describe('splitCommand', () => {
  it('splits on spaces, groups quotes, keeps words as they are', () => {
    assert.deepEqual(splitCommand('zsh -l'), ['zsh', '-l']);
    assert.deepEqual(splitCommand('  bash   --login '), ['bash', '--login']);
    assert.deepEqual(splitCommand(`sh -c 'echo "$HOME"; exec sh'`), ['sh', '-c', 'echo "$HOME"; exec sh']);
    assert.deepEqual(splitCommand('env A="b c" x\\ y ""'), ['env', 'A=b c', 'x y', '']);
    assert.deepEqual(splitCommand(''), []);
    assert.equal(splitCommand('echo "open'), undefined);
  });
});
