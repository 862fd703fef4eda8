/**
 * The cluster tree's type-ahead and context menu, end to end (Chromium → serve mode → a test cluster): letters
 * typed in the tree select the pod whose name starts with them; the menu opens from the keyboard (Shift+F10,
 * the Menu key) as well as the mouse, stays on screen, closes on Escape with the keyboard back in the tree;
 * Open files shows the files view on that pod, Copy name puts its name on the clipboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';
import { endE2E, terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const { podRow } = terminalTabs(() => page);
const SHOTS = process.env.KUBEDECK_E2E_SHOTS;

const selectedName = () => page.locator('[data-testid=cluster-tree] [aria-selected=true]').getAttribute('data-pod');
const menu = () => page.getByTestId('tree-menu');
const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');

/** Whether the menu's box lies within the window. */
async function onScreen(): Promise<boolean> {
  const b = await menu().boundingBox();
  const v = page.viewportSize()!;
  return !!b && b.x >= 0 && b.y >= 0 && b.x + b.width <= v.width && b.y + b.height <= v.height;
}

describe('the tree from the keyboard: type-ahead and the context menu', { timeout: 150_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 1 });
    page = e2e.page;
    await podRow('kd-test-1', 'default', 'busybox').waitFor();
  });

  after(() => endE2E(e2e, 'tree-keyboard-end'));

  it('typing letters selects the next pod whose name starts with them', async () => {
    await page.locator('[data-testid=cluster-row][data-context="kd-test-1"]').click();
    await page.keyboard.type('mu');
    await waitFor('multi selected', async () => (await selectedName()) === 'multi');
    assert.equal(await page.getByTestId('tree-typeahead').textContent(), 'mu');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/tree-typeahead.png` });
    // The same letter again steps on: "d" then "d" again from the top lands on distroless (the only "d…" pod:
    // it stays), and a different first letter is a new search once the tree shows the word gone.
    await page.getByTestId('tree-typeahead').waitFor({ state: 'detached' });
    await page.keyboard.type('di');
    await waitFor('distroless selected', async () => (await selectedName()) === 'distroless');
    await page.getByTestId('tree-typeahead').waitFor({ state: 'detached' });
    await page.keyboard.type('bu');
    await waitFor('busybox selected', async () => (await selectedName()) === 'busybox');
    assert.equal(await focused(), 'cluster-tree');
  });

  it('Shift+F10 and the Menu key open the menu of the selected pod on screen; Escape closes it, back in the tree', async () => {
    await page.keyboard.press('Shift+F10');
    await menu().waitFor();
    assert.ok(await onScreen());
    for (const id of ['tree-open', 'tree-open-files', 'tree-port-forward', 'tree-logs', 'tree-copy-name']) assert.equal(await menu().getByTestId(id).count(), 1, id);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/tree-menu.png` });
    await page.keyboard.press('Escape');
    await menu().waitFor({ state: 'detached' });
    assert.equal(await focused(), 'cluster-tree');
    await page.keyboard.press('ContextMenu');
    await menu().waitFor();
    await page.keyboard.press('Escape');
    await menu().waitFor({ state: 'detached' });

    // Opened at the window's bottom right corner, it moves back inside the window.
    const v = page.viewportSize()!;
    await podRow('kd-test-1', 'default', 'busybox').dispatchEvent('contextmenu', { clientX: v.width - 3, clientY: v.height - 3, button: 2 });
    await menu().waitFor();
    assert.ok(await onScreen(), 'the menu stays on screen');
    await page.keyboard.press('Escape');
    await menu().waitFor({ state: 'detached' });
  });

  it('Copy name puts the pod name on the clipboard', async () => {
    await podRow('kd-test-1', 'default', 'multi').click({ button: 'right' });
    await menu().getByTestId('tree-copy-name').click();
    await menu().waitFor({ state: 'detached' });
    await waitFor('the name on the clipboard', async () => (await page.evaluate(() => navigator.clipboard.readText())) === 'multi');
  });

  it('Open files shows the files view on that pod, from the keyboard menu', async () => {
    await podRow('kd-test-1', 'default', 'busybox').click();
    await page.keyboard.press('Shift+F10');
    await menu().waitFor();
    // ↓ to the item, Enter on it, as a keyboard user does.
    const labels = await menu().locator('button[role=menuitem]:not(:disabled)').allTextContents();
    const at = labels.findIndex((l) => l.startsWith('Open files'));
    for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('files-view').waitFor({ state: 'visible' });
    await waitFor('the container pane on busybox', async () => (await page.getByTestId('pane-right').getAttribute('data-path')) === '/');
    assert.equal(await page.getByTestId('pick-pod').inputValue(), 'busybox');
    await page.getByTestId('list-right').locator('[data-testid="file-row"][data-name="etc"]').waitFor();
    assert.equal(await page.getByTestId('view-files').getAttribute('aria-current'), 'page');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
