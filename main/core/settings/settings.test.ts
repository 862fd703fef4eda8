// The settings file: written whole, read back; a broken file is kept aside, except read-only
// (the CLI reads the app's settings and must not move or change them).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { FILES_KEEP_SYMLINKS, SettingsStore, symlinkMode } from './settings.ts';

describe('settings store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-settings-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps values in settings.json of the data folder', () => {
    const data = join(dir, 'data');
    const s = SettingsStore.inDataDir(data);
    assert.equal(s.file, join(data, 'settings.json'));
    s.set('kubeconfigs', ['/a']);
    assert.deepEqual(SettingsStore.inDataDir(data).get('kubeconfigs', []), ['/a']);
    assert.deepEqual(SettingsStore.inDataDir(data, { readOnly: true }).get('kubeconfigs', []), ['/a']);
  });

  it('moves a broken file aside, unless read-only; read-only refuses to write', async () => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    await writeFile(join(ro, 'settings.json'), '{not json');
    const readOnly = SettingsStore.inDataDir(ro, { readOnly: true });
    assert.match(readOnly.loadProblem ?? '', /settings\.json/);
    assert.deepEqual(await readdir(ro), ['settings.json']);
    assert.throws(() => readOnly.set('x', 1), /read-only/);
    const writable = SettingsStore.inDataDir(ro);
    assert.ok(writable.loadProblem);
    assert.ok((await readdir(ro)).some((f) => f.startsWith('settings.json.broken-')));
  });
});

test('symlinks in downloads are off unless files.keepSymlinks is exactly true', () => {
  const with_ = (v: unknown) => ({ get: <T>(k: string, d: T) => (k === FILES_KEEP_SYMLINKS && v !== undefined ? (v as T) : d) });
  assert.equal(symlinkMode(undefined), 'skip');
  assert.equal(symlinkMode(with_(undefined)), 'skip');
  assert.equal(symlinkMode(with_('yes')), 'skip');
  assert.equal(symlinkMode(with_(true)), 'create');
});
