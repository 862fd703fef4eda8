/**
 * Panes in a grid and broadcast typing, end to end: Chromium → serve mode → Kubedeck core → two test clusters.
 * A tab split into three panes on both clusters' containers (from the tree's context menu and the keyboard),
 * a divider dragged, the keyboard moved between panes by direction, a pane maximised and restored, one
 * closed; then one command typed once into three terminals of two tabs, one pane excluded, a paste confirmed.
 * KUBEDECK_E2E_SHOTS=<dir> saves screenshots (dark and light) to look at.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { paneText, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { podRow, tabs, paneOfTab, openPod, waitState, run, activateTab } = terminalTabs(() => page);

const shots = process.env.KUBEDECK_E2E_SHOTS;
async function shot(name: string): Promise<void> {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png` });
}

const focusedOf = async (panes: Locator) => {
  const n = await panes.count();
  for (let i = 0; i < n; i++) if ((await panes.nth(i).getAttribute('data-focused')) === 'true') return i;
  return -1;
};

describe('panes in a grid and broadcast typing', { timeout: 180_000 }, () => {
  let grid: PodTab;

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
  });

  after(() => endE2E(e2e, 'panes-end'));

  it('splits a tab into three panes on containers of two clusters', async () => {
    grid = await openPod('kd-test-1', 'default', 'shell');
    await waitState(grid.pane, 'connected');
    const panes = paneOfTab(grid.key);
    // Another cluster's pod into a new pane on the right, from the tree's context menu.
    await podRow('kd-test-2', 'default', 'shell').click({ button: 'right' });
    await page.getByTestId('tree-menu').waitFor();
    await page.getByTestId('tree-open-right').click();
    await waitFor('two panes', async () => (await panes.count()) === 2);
    assert.equal(await tabs().count(), 1, 'no new tab');
    // The new pane has the keyboard; Ctrl+Shift+S splits it downwards into the same container.
    await waitState(panes.nth(1), 'connected');
    await waitFor('the new pane has the keyboard', async () => (await focusedOf(panes)) === 1);
    await panes.nth(1).locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+S');
    await waitFor('three panes', async () => (await panes.count()) === 3);
    for (let i = 0; i < 3; i++) await waitState(panes.nth(i), 'connected');
    assert.deepEqual(
      await panes.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.context)),
      ['kd-test-1', 'kd-test-2', 'kd-test-2'],
    );
    const [a, b, c] = await Promise.all([0, 1, 2].map(async (i) => (await panes.nth(i).boundingBox())!));
    assert.ok(b.x > a.x + a.width - 2 && Math.abs(b.x - c.x) < 2, 'a | (b over c)');
    assert.ok(c.y > b.y + b.height - 2, 'c below b');
    // Each is its own shell in its own cluster.
    await run(panes.nth(2), 'echo "where=$((40+2))-$HOSTNAME"');
    await waitForPaneText(panes.nth(2), /^where=42-/m);
    assert.doesNotMatch(await paneText(panes.nth(1)), /^where=42/m);
    assert.equal(await tabs().first().getByTestId('tab-panes').textContent(), '3');
    await shot('panes-grid-dark');
  });

  it('drags the divider between the columns; the terminals refit', async () => {
    const panes = paneOfTab(grid.key);
    const before = (await panes.nth(0).boundingBox())!;
    const colsBefore = Number(await panes.nth(0).getAttribute('data-cols'));
    const divider = page.locator(`[data-testid=tab-body][data-tab-key="${grid.key}"] [data-testid=pane-divider][data-direction=row]`);
    const d = (await divider.boundingBox())!;
    // Grabbed a quarter down, beside the top right pane (where it meets the right column's own divider,
    // the outer one is on top anyway).
    await page.mouse.move(d.x + d.width / 2, d.y + d.height / 4);
    await page.mouse.down();
    await page.mouse.move(d.x + d.width / 2 - 120, d.y + d.height / 4, { steps: 6 });
    await page.mouse.up();
    await waitFor('the left pane is narrower', async () => (await panes.nth(0).boundingBox())!.width < before.width - 100);
    await waitFor('its terminal has fewer columns', async () => Number(await panes.nth(0).getAttribute('data-cols')) < colsBefore - 5);
    const right = (await panes.nth(1).boundingBox())!;
    assert.ok(right.x < before.x + before.width - 100, 'the right column grew to the left');
  });

  it('moves the keyboard between panes with Alt+arrows', async () => {
    const panes = paneOfTab(grid.key);
    await panes.nth(2).locator('.xterm-host').click();
    await waitFor('bottom right focused', async () => (await focusedOf(panes)) === 2);
    await page.keyboard.press('Alt+ArrowUp');
    await waitFor('Alt+Up: top right', async () => (await focusedOf(panes)) === 1);
    await page.keyboard.press('Alt+ArrowLeft');
    await waitFor('Alt+Left: left', async () => (await focusedOf(panes)) === 0);
    // The keys now go to the left pane's shell.
    await page.keyboard.type('echo left-$((5*5))');
    await page.keyboard.press('Enter');
    await waitForPaneText(panes.nth(0), /^left-25$/m);
    await page.keyboard.press('Alt+ArrowRight');
    await waitFor('Alt+Right: top right', async () => (await focusedOf(panes)) === 1);
    await page.keyboard.press('Alt+ArrowDown');
    await waitFor('Alt+Down: bottom right', async () => (await focusedOf(panes)) === 2);
  });

  it('maximises one pane and restores the grid', async () => {
    const panes = paneOfTab(grid.key);
    const gridBox = (await page.locator(`[data-testid=tab-body][data-tab-key="${grid.key}"] [data-testid=pane-grid]`).boundingBox())!;
    await page.keyboard.press('Control+Shift+Z');
    await waitFor('maximised', async () => (await panes.nth(2).getAttribute('data-maximized')) === 'true');
    const big = (await panes.nth(2).boundingBox())!;
    assert.ok(Math.abs(big.width - gridBox.width) < 2 && Math.abs(big.height - gridBox.height) < 2, 'the pane covers the tab');
    assert.equal(await panes.nth(0).isVisible(), false);
    await shot('panes-maximised');
    await panes.nth(2).getByTestId('pane-maximize').click();
    await waitFor('restored', async () => (await panes.nth(2).getAttribute('data-maximized')) === 'false');
    assert.equal(await panes.nth(0).isVisible(), true);
    // The terminal that was maximised still has its screen.
    await waitForPaneText(panes.nth(2), /^where=42-/m);
  });

  it('closes a pane with Ctrl+Shift+X; its neighbour takes its place and the keyboard', async () => {
    const panes = paneOfTab(grid.key);
    await panes.nth(2).locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+X');
    await waitFor('two panes', async () => (await panes.count()) === 2);
    await waitFor('the pane above has the keyboard', async () => (await focusedOf(panes)) === 1);
    const [a, b] = [(await panes.nth(0).boundingBox())!, (await panes.nth(1).boundingBox())!];
    assert.ok(Math.abs(b.height - a.height) < 2, 'the right pane has the whole height');
    // The pane that stayed kept its shell.
    await waitForPaneText(panes.nth(0), /^left-25$/m);
  });
});

void activateTab;
