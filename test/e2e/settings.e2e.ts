/**
 * Settings and paste safety, end to end (Chromium → serve mode → a test cluster): a font size changed in
 * the Settings view reaches an open terminal at once (fewer columns in the same pane) and survives a
 * reload; a multi-line paste asks first — Cancel sends nothing, Paste sends every line — and a program
 * that turned on bracketed paste gets the paste without a question. Asserted on what a user sees: the
 * terminal's grid, its text, the dialog.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { paneText, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const { openPod, waitState, run } = terminalTabs(() => page);
const SHOTS = process.env.KUBEDECK_E2E_SHOTS;

describe('settings and paste safety through serve mode', { timeout: 180_000 }, () => {
  let tab: PodTab;

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
    tab = await openPod('kd-test-1', 'default', 'shell');
    await waitState(tab.pane, 'connected');
  });

  after(() => endE2E(e2e, 'settings-end'));

  it('a larger font in Settings reaches the open terminal live, and is kept across a reload', async () => {
    await run(tab.pane, 'echo cols-$(tput cols)');
    const before = await waitForPaneText(tab.pane, /^cols-\d+$/m);
    const colsBefore = Number(/^cols-(\d+)$/m.exec(before)![1]);
    await page.getByTestId('settings-open').click();
    const view = page.getByTestId('settings-view');
    await view.waitFor();
    const size = page.getByTestId('setting-fontSize');
    const current = Number(await size.inputValue());
    await size.fill(String(current + 6));
    await size.press('Enter');
    await size.dispatchEvent('change');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/settings.png` });
    if (process.env.KUBEDECK_E2E_DOCS) await page.screenshot({ path: 'docs/settings.png' });
    await page.keyboard.press('Escape');
    await view.waitFor({ state: 'detached' }).catch(() => view.waitFor({ state: 'hidden' }));
    // The shell sees the narrower grid: the resize reached the pod.
    await waitFor('the grid narrowed', async () => {
      await run(tab.pane, 'echo now-$(tput cols)');
      const m = [...(await paneText(tab.pane)).matchAll(/^now-(\d+)$/gm)].at(-1);
      return !!m && Number(m[1]) < colsBefore;
    }, 20_000);
    await page.reload();
    await page.getByTestId('terminal-pane').first().waitFor();
    await page.getByTestId('settings-open').click();
    assert.equal(Number(await page.getByTestId('setting-fontSize').inputValue()), current + 6, 'kept across the reload');
    // Back to the size it had, for the tests after this one.
    await page.getByTestId('setting-fontSize').fill(String(current));
    await page.getByTestId('setting-fontSize').dispatchEvent('change');
    await page.keyboard.press('Escape');
    tab = { key: (await page.getByTestId('tab').first().getAttribute('data-tab-key'))!, pane: page.getByTestId('terminal-pane').first() };
    await waitState(tab.pane, 'connected');
  });

  it('a paste of several lines asks first: Cancel sends nothing, Paste sends every line', async () => {
    // bash turns bracketed paste on at its prompt (then it asks nothing, see below): a shell that does not.
    await run(tab.pane, "bind 'set enable-bracketed-paste off'; echo off-$((2*3))");
    await waitForPaneText(tab.pane, /^off-6$/m);
    const text = 'echo pasted-one-$((1+1))\necho pasted-two-$((2+2))\n';
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    const ask = page.getByTestId('paste-confirm');
    // The prompt's mode change reaches the page with the echo above; a paste until then would not ask.
    await waitFor('the paste asks', async () => {
      await tab.pane.locator('.xterm-host').click();
      await page.keyboard.press('Control+Shift+V');
      return ask.isVisible();
    }, 10_000);
    assert.match((await ask.textContent()) ?? '', /2 lines/);
    assert.match((await page.getByTestId('paste-preview').textContent()) ?? '', /pasted-one/);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/paste-confirm.png` });
    await page.getByTestId('paste-cancel').click();
    await ask.waitFor({ state: 'detached' });
    // A marker typed after the cancel shows the shell got nothing of the paste before it.
    await run(tab.pane, 'echo marker-$((3*3))');
    const after = await waitForPaneText(tab.pane, /^marker-9$/m);
    assert.doesNotMatch(after, /pasted-one-2/);
    await tab.pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+V');
    await ask.waitFor();
    await page.keyboard.press('Enter');
    await waitForPaneText(tab.pane, /^pasted-one-2$/m);
    await waitForPaneText(tab.pane, /^pasted-two-4$/m);
  });

  it('a shell in bracketed paste mode gets the paste without a question, and holds it until Enter', async () => {
    await run(tab.pane, "bind 'set enable-bracketed-paste on'; echo on-$((3*3))");
    await waitForPaneText(tab.pane, /^on-9$/m);
    await page.evaluate((t) => navigator.clipboard.writeText(t), 'echo held-one-$((5+5))\necho held-two-$((6+6))\n');
    await tab.pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+V');
    await waitForPaneText(tab.pane, 'echo held-two-$((6+6))');
    assert.equal(await page.getByTestId('paste-confirm').isVisible(), false, 'no question');
    assert.doesNotMatch(await paneText(tab.pane), /^held-one-10$/m, 'bash holds a bracketed paste: nothing ran yet');
    await page.keyboard.press('Enter');
    await waitForPaneText(tab.pane, /^held-one-10$/m);
    await waitForPaneText(tab.pane, /^held-two-12$/m);
    assert.deepEqual(e2e.pageErrors, []);
  });
});
