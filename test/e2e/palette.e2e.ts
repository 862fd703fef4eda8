/**
 * The command palette and the shortcut sheet, end to end (Chromium → serve mode → a test cluster): F1 from a
 * terminal and Ctrl+Shift+P from the tree open the palette, typing filters it, Enter runs the chosen action
 * (a new terminal tab, the theme switched) and the keyboard goes back where it was; Escape closes it; `?`
 * outside a terminal or a text field shows every shortcut, read from the same actions. Asserted on what a
 * user sees: the list, the tabs, the theme, where the keyboard is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';
import { endE2E, terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const { podRow, tabs, openPod, waitState } = terminalTabs(() => page);
const SHOTS = process.env.KUBEDECK_E2E_SHOTS;

const palette = () => page.getByTestId('palette');
const items = () => page.getByTestId('palette-item');
const focusedIs = () => page.evaluate(() => {
  const el = document.activeElement;
  return el?.classList.contains('xterm-helper-textarea') ? 'terminal' : (el?.getAttribute('data-testid') ?? el?.tagName ?? '');
});

describe('the command palette and the shortcut sheet through serve mode', { timeout: 150_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 1 });
    page = e2e.page;
    await podRow('kd-test-1', 'default', 'shell').waitFor();
  });

  after(() => endE2E(e2e, 'palette-end'));

  it('F1 in a terminal opens the palette with every action and its keys; typing filters; Enter runs "New terminal tab"', async () => {
    const { pane } = await openPod('kd-test-1', 'default', 'shell');
    await waitState(pane, 'connected');
    await pane.locator('.xterm-host').click();
    assert.equal(await focusedIs(), 'terminal');
    await page.keyboard.press('F1');
    await palette().waitFor();
    assert.equal(await focusedIs(), 'palette-input');
    // Every action that can run now is listed (not "Next tab": there is one tab), each with its keymap binding's key.
    const split = page.locator('[data-testid=palette-item][data-action-id="panes.splitRight"]');
    assert.equal(await split.getByTestId('palette-item-keys').textContent(), 'Ctrl+Shift+D');
    const ids = await items().evaluateAll((els) => els.map((e) => e.getAttribute('data-action-id')));
    for (const id of ['tabs.new', 'tabs.close', 'tabs.rename', 'tabs.broadcast', 'tabs.share', 'panes.find', 'terminal.zoomIn', 'views.files', 'views.recordings', 'views.forwards', 'views.theme', 'logs.container', 'help.shortcuts']) {
      assert.ok(ids.includes(id), `${id} is listed`);
    }
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/palette-all.png` });

    await page.keyboard.type('new term');
    await waitFor('the list filtered', async () => (await items().first().getAttribute('data-action-id')) === 'tabs.new');
    assert.ok((await items().count()) < ids.length);
    // The matched characters are highlighted.
    assert.deepEqual(await items().first().locator('mark').allTextContents(), ['New', 'term']);
    // KUBEDECK_E2E_DOCS=1 refreshes the README's picture of the palette (a normal run leaves docs/ alone).
    if (process.env.KUBEDECK_E2E_DOCS) await page.screenshot({ path: 'docs/palette.png' });
    const before = await tabs().count();
    await page.keyboard.press('Enter');
    await palette().waitFor({ state: 'detached' });
    await waitFor('a new terminal tab', async () => (await tabs().count()) === before + 1);
    const newPane = page.locator(`[data-testid=tab-body][data-active=true] [data-testid=terminal-pane]`).first();
    await waitState(newPane, 'connected');
  });

  it('Ctrl+Shift+P in the tree: arrows choose, Enter switches the theme, and the keyboard goes back to the tree', async () => {
    await podRow('kd-test-1', 'default', 'shell').click();
    assert.equal(await focusedIs(), 'cluster-tree');
    const mode = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.keyboard.press('Control+Shift+P');
    await palette().waitFor();
    await page.keyboard.type('theme');
    await waitFor('one match', async () => (await items().count()) >= 1 && (await items().first().getAttribute('data-action-id')) === 'views.theme');
    // ↓ and ↑ move the choice (wrapping), Enter runs the chosen one.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    assert.equal(await items().first().getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    await palette().waitFor({ state: 'detached' });
    await waitFor('the theme switched', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) !== mode);
    assert.equal(await focusedIs(), 'cluster-tree');

    // Escape closes without running anything; nothing matching says so.
    await page.keyboard.press('F1');
    await page.keyboard.type('zzzz');
    await page.getByTestId('palette-empty').waitFor();
    await page.keyboard.press('Escape');
    await palette().waitFor({ state: 'detached' });
    assert.equal(await focusedIs(), 'cluster-tree');
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('theme');
    await page.keyboard.press('Enter');
    await waitFor('the theme back', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === mode);
  });

  it('? outside a terminal or a text field lists the shortcuts; Escape closes it; in the filter box ? is typed', async () => {
    await podRow('kd-test-1', 'default', 'shell').click();
    await page.keyboard.press('Shift+?');
    const sheet = page.getByTestId('shortcut-sheet');
    await sheet.waitFor();
    const row = (id: string) => sheet.locator(`[data-testid=shortcut-row][data-action-id="${id}"]`);
    assert.match((await row('panes.splitRight').textContent()) ?? '', /Split right.*Ctrl\+Shift\+D/);
    assert.match((await row('tabs.next').textContent()) ?? '', /Next tab.*Ctrl\+Tab.*or.*Ctrl\+PgDn/);
    assert.match((await row('help.palette').textContent()) ?? '', /F1.*or.*Ctrl\+Shift\+P/);
    assert.match((await row('panes.find').textContent()) ?? '', /Ctrl\+Shift\+F/);
    // Only actions with a key: showing a view has none.
    assert.equal(await row('views.files').count(), 0);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/shortcut-sheet.png` });
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    assert.equal(await focusedIs(), 'cluster-tree');

    await page.getByTestId('tree-filter').click();
    await page.keyboard.press('Shift+?');
    assert.equal(await page.getByTestId('tree-filter').inputValue(), '?');
    assert.equal(await sheet.count(), 0);
    await page.getByTestId('tree-filter').fill('');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
