import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { clampToDisplays, DEFAULT_WINDOW_STATE, loadWindowState, parseWindowState, saveWindowState, WINDOW_STATE_FILE } from './windowState.ts';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps a window that is wholly on a display where it was', () => {
    assert.deepEqual(clampToDisplays({ x: 100, y: 50, width: 1000, height: 700 }, [primary, right]), { x: 100, y: 50, width: 1000, height: 700 });
    assert.deepEqual(clampToDisplays({ x: 2000, y: 100, width: 2000, height: 1200 }, [primary, right]), { x: 2000, y: 100, width: 2000, height: 1200 });
  });

  it('centres a window saved on a display that is gone on the primary, shrunk to fit', () => {
    assert.deepEqual(clampToDisplays({ x: 2000, y: 100, width: 2000, height: 1200 }, [primary]), { x: 0, y: 0, width: 1920, height: 1040 });
    assert.deepEqual(clampToDisplays({ x: 5000, y: 100, width: 1000, height: 600 }, [primary, right]), { x: 460, y: 220, width: 1000, height: 600 });
  });

  it('moves a window hanging off an edge onto the display it overlaps most', () => {
    assert.deepEqual(clampToDisplays({ x: 1300, y: -200, width: 1000, height: 700 }, [primary, right]), { x: 920, y: 0, width: 1000, height: 700 });
    assert.deepEqual(clampToDisplays({ x: 1800, y: 300, width: 1000, height: 700 }, [primary, right]), { x: 1920, y: 300, width: 1000, height: 700 });
  });

  it('never makes a window smaller than a usable console, nor larger than the display', () => {
    assert.deepEqual(clampToDisplays({ x: 10, y: 10, width: 20, height: 10 }, [primary]), { x: 10, y: 10, width: 640, height: 400 });
    assert.deepEqual(clampToDisplays({ width: 4000, height: 3000 }, [primary]), { width: 1920, height: 1040 });
  });

  it('reads only what it wrote: anything else is the default', () => {
    assert.equal(parseWindowState('not json'), undefined);
    assert.equal(parseWindowState('{"bounds":{"width":"big"}}'), undefined);
    assert.deepEqual(parseWindowState('{"bounds":{"width":900.4,"height":600,"x":3}}'), { bounds: { width: 900, height: 600 }, maximized: false });
  });

  it('is saved in the data folder and read back fitted to the displays', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kd-winstate-'));
    dirs.push(dir);
    assert.deepEqual(await loadWindowState(dir, [primary]), DEFAULT_WINDOW_STATE);
    saveWindowState(dir, { bounds: { x: 2100, y: 80, width: 1600, height: 1000 }, maximized: true });
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, WINDOW_STATE_FILE), 'utf8')), { bounds: { x: 2100, y: 80, width: 1600, height: 1000 }, maximized: true });
    assert.deepEqual(await loadWindowState(dir, [primary, right]), { bounds: { x: 2100, y: 80, width: 1600, height: 1000 }, maximized: true });
    assert.deepEqual(await loadWindowState(dir, [primary]), { bounds: { x: 160, y: 20, width: 1600, height: 1000 }, maximized: true });
    await writeFile(path.join(dir, WINDOW_STATE_FILE), '{');
    assert.deepEqual(await loadWindowState(dir, [primary]), DEFAULT_WINDOW_STATE);
  });
});
