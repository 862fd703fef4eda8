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
  let other: PodTab;

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
    await shot('panes-tree-menu');
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

  it('broadcasts one command into three terminals across two tabs', async () => {
    await activateTab(grid.key);
    const panes = paneOfTab(grid.key);
    await page.getByTestId('broadcast-button').click();
    await waitFor('the bar', async () => (await page.getByTestId('broadcast-count').textContent())?.includes('2 terminals'));
    other = await openPod('kd-test-2', 'default', 'shell');
    await waitState(other.pane, 'connected');
    await page.locator(`[data-testid=tab][data-tab-key="${other.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-broadcast-toggle').click();
    await waitFor('three terminals in two tabs', async () => /3 terminals\s+in 2 tabs/.test((await page.getByTestId('broadcast-count').textContent()) ?? ''));
    assert.equal(await page.locator('[data-testid=tab][data-broadcast=true]').count(), 2);
    assert.equal(await other.pane.getAttribute('data-broadcast'), 'receiving');
    // Typed once, in the second tab.
    await run(other.pane, 'echo hi-$((6*7))');
    await waitForPaneText(other.pane, /^hi-42$/m);
    await activateTab(grid.key);
    for (let i = 0; i < 2; i++) await waitForPaneText(panes.nth(i), /^hi-42$/m);
    for (let i = 0; i < 2; i++) assert.equal(await panes.nth(i).getAttribute('data-broadcast'), 'receiving');
    await shot('panes-broadcast-dark');
  });

  it('a pane excluded with one click receives nothing; its own keys stay its own', async () => {
    const panes = paneOfTab(grid.key);
    await panes.nth(1).getByTestId('pane-broadcast-toggle').click();
    await waitFor('excluded', async () => (await panes.nth(1).getAttribute('data-broadcast')) === 'excluded');
    await waitFor('two terminals', async () => (await page.getByTestId('broadcast-count').textContent())?.includes('2 terminals'));
    await run(panes.nth(0), 'echo only-$((7*7))');
    await waitForPaneText(panes.nth(0), /^only-49$/m);
    // Typed in the excluded pane after the broadcast: had the broadcast reached it, it would show first.
    await run(panes.nth(1), 'echo mark-$((1+1))');
    await waitForPaneText(panes.nth(1), /^mark-2$/m);
    assert.doesNotMatch(await paneText(panes.nth(1)), /only-49/);
    // And what it typed went to it alone.
    await run(panes.nth(0), 'echo after-$((1+2))');
    await waitForPaneText(panes.nth(0), /^after-3$/m);
    assert.doesNotMatch(await paneText(panes.nth(0)), /mark-2/);
    await activateTab(other.key);
    await waitForPaneText(other.pane, /^after-3$/m);
    assert.match(await paneText(other.pane), /^only-49$/m);
    assert.doesNotMatch(await paneText(other.pane), /mark-2/);
  });

  it('a paste into the broadcast asks once, then goes to all (light theme)', async () => {
    await page.getByTestId('theme-toggle').click();
    await activateTab(grid.key);
    const panes = paneOfTab(grid.key);
    const writeClip = (t: string) => page.evaluate((text) => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText(text), t);
    await writeClip('echo pasted-$((2+3))');
    await panes.nth(0).locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+V');
    const dialog = page.getByTestId('paste-confirm');
    await dialog.waitFor();
    assert.equal(await dialog.locator('h3').textContent(), 'Paste 1 line into 2 terminals?');
    await shot('panes-paste-confirm-light');
    // Cancelled: nothing reaches any terminal.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await run(panes.nth(0), 'echo c-$((4+4))');
    await waitForPaneText(panes.nth(0), /^c-8$/m);
    assert.doesNotMatch(await paneText(panes.nth(0)), /pasted/);
    // Confirmed: pasted into both receiving terminals, and Enter (typed once) runs it in both.
    await panes.nth(0).locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+V');
    await dialog.waitFor();
    await page.getByTestId('paste-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await waitForPaneText(panes.nth(0), /# echo pasted-\$\(\(2\+3\)\)$/m);
    await page.keyboard.press('Enter');
    await waitForPaneText(panes.nth(0), /^pasted-5$/m);
    await shot('panes-broadcast-light');
    await activateTab(other.key);
    await waitForPaneText(other.pane, /^pasted-5$/m);
    assert.doesNotMatch(await paneText(panes.nth(1)), /pasted-5/);
  });

  it('a session that ends drops out of the broadcast', async () => {
    await activateTab(other.key);
    // A shell that ends by itself once a file appears in its container (the excluded pane shares it), typed
    // while its tab is out of the broadcast (excluding a tab's only pane takes the tab out).
    await other.pane.getByTestId('pane-broadcast-toggle').click();
    await waitFor('other out', async () => (await other.pane.getAttribute('data-broadcast')) === null);
    await run(other.pane, 'while [ ! -e /tmp/kd-stop ]; do sleep 0.2; done; exit 7');
    await page.locator(`[data-testid=tab][data-tab-key="${other.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-broadcast-toggle').click();
    await waitFor('other receives again', async () => (await other.pane.getAttribute('data-broadcast')) === 'receiving');
    await waitFor('two terminals', async () => /2 terminals/.test((await page.getByTestId('broadcast-count').textContent()) ?? ''));
    await activateTab(grid.key);
    const panes = paneOfTab(grid.key);
    assert.equal(await panes.nth(1).getAttribute('data-context'), 'kd-test-2');
    await run(panes.nth(1), 'touch /tmp/kd-stop');
    await waitState(other.pane, 'exited');
    await waitFor('one terminal left', async () => /1 terminal\b/.test((await page.getByTestId('broadcast-count').textContent()) ?? ''));
    assert.notEqual(await other.pane.getAttribute('data-broadcast'), 'receiving');
    // Its tab has nobody receiving any more: it left the broadcast.
    assert.equal(await page.locator(`[data-testid=tab][data-tab-key="${other.key}"]`).getAttribute('data-broadcast'), 'false');
    // The keys typed in the one left still go out (to it alone now).
    await run(panes.nth(0), 'echo still-$((9*9))');
    await waitForPaneText(panes.nth(0), /^still-81$/m);
  });

  it('stays on while the focus moves, until stopped', async () => {
    await activateTab(grid.key);
    const panes = paneOfTab(grid.key);
    await panes.nth(1).locator('.xterm-host').click();
    await page.getByTestId('tree-filter').click();
    assert.equal(await page.getByTestId('broadcast-bar').isVisible(), true);
    await page.getByTestId('broadcast-stop').click();
    await page.getByTestId('broadcast-bar').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid=tab][data-broadcast=true]').count(), 0);
    for (let i = 0; i < 2; i++) assert.equal(await panes.nth(i).getAttribute('data-broadcast'), null);
    assert.equal(await panes.nth(0).getByTestId('pane-broadcast-badge').count(), 0);
    // The broadcast's start, changes and end are in the audit trail, with the pods that received.
    const trail = (await e2e.kubedeck.audit.read()).filter((e) => e.kind === 'terminal.broadcast');
    const actions = trail.map((e) => (e.details as { action: string }).action);
    assert.equal(actions[0], 'start');
    assert.equal(actions.at(-1), 'stop');
    const contexts = new Set(trail.flatMap((e) => (e.details as { targets: { context?: string }[] }).targets.map((t) => t.context)));
    assert.deepEqual([...contexts].sort(), ['kd-test-1', 'kd-test-2']);
    await page.getByTestId('theme-toggle').click();
    assert.deepEqual(e2e.pageErrors, []);
  });

  it('a reload gets the grid back: the tree, its sizes, the focused pane, every screen', async () => {
    await activateTab(grid.key);
    const panes = paneOfTab(grid.key);
    await panes.nth(0).locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+S');
    await waitFor('three panes again', async () => (await panes.count()) === 3);
    // The new pane (below the left one) is the last in the page: panes keep the order they were opened in.
    const below = panes.nth(2);
    await waitState(below, 'connected');
    await run(below, 'echo below-$((8*8))');
    await waitForPaneText(below, /^below-64$/m);
    /** Each pane's session id → where it is drawn and whether it has the keyboard. */
    const layoutOf = async (tabKey: string) => {
      const ps = paneOfTab(tabKey);
      const out: Record<string, { x: number; y: number; w: number; h: number; focused: boolean }> = {};
      for (let i = 0; i < (await ps.count()); i++) {
        const b = (await ps.nth(i).boundingBox())!;
        out[(await ps.nth(i).getAttribute('data-session-id'))!] = { x: b.x, y: b.y, w: b.width, h: b.height, focused: (await ps.nth(i).getAttribute('data-focused')) === 'true' };
      }
      return out;
    };
    const before = { layout: await layoutOf(grid.key), tabs: await tabs().count() };
    await page.reload();
    await waitFor('the tabs are back', async () => (await tabs().count()) === before.tabs);
    const key = (await tabs().first().getAttribute('data-tab-key'))!;
    const back = paneOfTab(key);
    await waitFor('three panes', async () => (await back.count()) === 3);
    for (let i = 0; i < 3; i++) await waitState(back.nth(i), 'connected');
    const after = await layoutOf(key);
    assert.deepEqual(Object.keys(after).sort(), Object.keys(before.layout).sort(), 'the same sessions, attached');
    for (const [id, b] of Object.entries(before.layout)) {
      const a = after[id];
      assert.ok(Math.abs(a.x - b.x) < 3 && Math.abs(a.y - b.y) < 3 && Math.abs(a.w - b.w) < 3 && Math.abs(a.h - b.h) < 3, `${id} at the same place: ${JSON.stringify(b)} → ${JSON.stringify(a)}`);
      assert.equal(a.focused, b.focused, `${id} focus`);
    }
    await waitForPaneText(back.nth(0), /^left-25$/m);
    await waitForPaneText(back.nth(1), /^below-64$/m, 15_000);
    await shot('panes-after-reload');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
