/**
 * What a terminal hands to the other views: a recording marker (Ctrl+Shift+M) that lands in the
 * session's asciicast file, and "browse files here" (Ctrl+Shift+E) that opens the file browser on the
 * same container at the shell's working directory.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startE2E, waitFor, waitForPaneText, type E2E } from './helpers.ts';

let e2e: E2E;
let page: Page;
let pane: Locator;

describe('terminal actions', { timeout: 120_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 1, hash: '#/terminal/kd-test-1/default/shell/main' });
    page = e2e.page;
    pane = page.getByTestId('terminal-pane').first();
    await waitFor('the shell connected', async () => (await pane.getAttribute('data-state')) === 'connected', 30_000);
    await pane.locator('.xterm-host').click();
    await page.keyboard.type('mkdir -p "/tmp/where am I" && cd "/tmp/where am I" && echo READY-$((40+2))');
    await page.keyboard.press('Enter');
    await waitForPaneText(pane, 'READY-42');
  });

  after(async () => {
    await e2e?.stop();
  });

  it('Ctrl+Shift+M adds a marker to the recording', async () => {
    await pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+M');
    const toast = page.getByTestId('pane-toast');
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /Marker added: marker 1/);
    const dir = join(e2e.dataDir, 'recordings');
    const marker = await waitFor('the marker in the .cast file', async () => {
      for (const f of (await readdir(dir)).filter((n) => n.endsWith('.cast'))) {
        const lines = (await readFile(join(dir, f), 'utf8')).split('\n').filter(Boolean).slice(1);
        const m = lines.map((l) => JSON.parse(l) as [number, string, string]).find((e) => e[1] === 'm' && e[2].startsWith('marker 1'));
        if (m) return m;
      }
      return undefined;
    });
    assert.ok(marker[0] > 0, 'the marker has a time in the recording');
  });

  it('Ctrl+Shift+E opens the file browser at the shell\'s working directory', async () => {
    await pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+E');
    const right = page.getByTestId('pane-right');
    await page.getByTestId('files-view').waitFor({ state: 'visible' });
    await waitFor('the container pane at the cwd', async () => (await right.getAttribute('data-path')) === '/tmp/where am I', 20_000);
  });
});
