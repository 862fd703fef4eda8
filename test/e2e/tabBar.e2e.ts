/**
 * The tab bar and the terminal's menus as a user meets them on a long day: renaming a tab while a
 * command is half typed, the context menu near the window's edges, many tabs with long names.
 * terminals.e2e.ts is the terminal itself; this file is what sits around it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { openPod, waitState, run } = terminalTabs(() => page);

describe('tab bar and menus', { timeout: 150_000 }, () => {
  let shell: PodTab;

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
    shell = await openPod('kd-test-1', 'default', 'shell');
    await waitState(shell.pane, 'connected');
    await run(shell.pane, 'echo ready-$((2*3))');
    await waitForPaneText(shell.pane, /^ready-6$/m);
  });

  after(() => endE2E(e2e, 'tabbar-end'));

  it('the Enter that confirms a rename does not reach the terminal', async () => {
    await shell.pane.locator('.xterm-host').click();
    await page.keyboard.type('echo half-typed-$((1+1))');
    await waitForPaneText(shell.pane, /# echo half-typed-\$\(\(1\+1\)\)$/);
    const tab = page.locator(`[data-testid=tab][data-tab-key="${shell.key}"]`);
    await tab.getByTestId('tab-title').dblclick();
    await tab.getByTestId('tab-rename').fill('renamed');
    await tab.getByTestId('tab-rename').press('Enter');
    assert.equal(await tab.getByTestId('tab-title').textContent(), 'renamed');
    // The terminal has the keyboard again and the half-typed line is still waiting: finishing it
    // prints one line. Had the rename's Enter reached the shell, "tail-6" would run as a command.
    await page.keyboard.type(' tail-$((3+3))');
    await page.keyboard.press('Enter');
    const text = await waitForPaneText(shell.pane, /^half-typed-2 tail-6$/m);
    assert.doesNotMatch(text, /^half-typed-2$/m);
  });

  it('the terminal menu stays inside the window near its bottom-right corner; Escape closes it', async () => {
    const box = (await shell.pane.locator('.xterm-host').boundingBox())!;
    await shell.pane.locator('.xterm-host').click({ button: 'right', position: { x: box.width - 5, y: box.height - 5 } });
    const menu = page.getByTestId('terminal-menu');
    await menu.waitFor();
    const vp = page.viewportSize()!;
    await waitFor('the menu inside the window', async () => {
      const m = await menu.boundingBox();
      return m && m.x >= 0 && m.y >= 0 && m.x + m.width <= vp.width && m.y + m.height <= vp.height;
    });
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    // The Escape stayed with the menu, and the terminal has the keyboard back.
    await page.keyboard.type('echo after-menu-$((4+4))');
    await page.keyboard.press('Enter');
    await waitForPaneText(shell.pane, /^after-menu-8$/m);
  });

  it('with many tabs every title keeps its pod (and container), the strip scrolls and the split button stays', async () => {
    const pods = ['multi', 'busybox', 'shell'];
    for (let i = 0; i < 11; i++) await openPod(i % 2 ? 'kd-test-2' : 'kd-test-1', 'default', pods[i % pods.length]);
    const what = page.getByTestId('tab-title-what');
    const shown = await what.evaluateAll((els) => els.map((e) => ({ text: e.textContent, cut: e.scrollWidth > e.clientWidth })));
    assert.ok(shown.every((w) => !w.cut), `a pod name is cut: ${JSON.stringify(shown)}`);
    assert.ok(shown.some((w) => w.text === 'multi/app'), 'the multi-container pod names its container');
    const vp = page.viewportSize()!;
    const split = (await page.getByTestId('split-button').boundingBox())!;
    assert.ok(split.x >= 0 && split.x + split.width <= vp.width, `the split button is off screen at x=${split.x}`);
    const strip = page.getByTestId('tab-strip');
    const { scrollWidth, clientWidth } = await strip.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    assert.ok(scrollWidth > clientWidth, 'the tabs overflow into a scrolling strip');
    // The wheel scrolls the strip back to the first tab.
    await strip.hover();
    await page.mouse.wheel(0, -5000);
    await waitFor('scrolled to the start', async () => (await strip.evaluate((el) => el.scrollLeft)) === 0);
    const first = (await page.getByTestId('tab').first().boundingBox())!;
    assert.ok(first.x >= 0, 'the first tab is whole');
    if (process.env.KUBEDECK_E2E_SHOTS) await page.locator('.tabbar').screenshot({ path: `${process.env.KUBEDECK_E2E_SHOTS}/tabbar-many.png` });
  });

  it('the page threw no errors along the way', () => {
    assert.deepEqual(e2e.pageErrors, []);
  });
});
