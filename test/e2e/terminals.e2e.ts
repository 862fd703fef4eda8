/**
 * Pod terminals, end to end: Chromium → serve mode → Kubedeck core → two test clusters.
 * Everything is asserted the way a user sees it: tabs, panes, text in the terminal. This file is the
 * terminal itself (tabs, keys, resize, search, clipboard, split, renderer, exit, flood, cleanup, errors,
 * deep links); the tree is clusterTree.e2e.ts, lost clusters and lost serve mode terminalReconnect.e2e.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { sleep } from '../util/wait.ts';
import { waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { tabs, paneOfTab, openPod, waitState, run, closeTab, activateTab } = terminalTabs(() => page);

describe('terminals through serve mode', { timeout: 150_000 }, () => {
  const opened: Record<string, PodTab> = {};

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
  });

  after(() => endE2E(e2e, 'terminals-end'));

  it('opens three tabs across both clusters; a typed command prints its output', async () => {
    opened.a = await openPod('kd-test-1', 'default', 'shell');
    opened.b = await openPod('kd-test-2', 'default', 'shell');
    opened.c = await openPod('kd-test-1', 'default', 'multi');
    assert.equal(await tabs().count(), 3);
    const titles = await page.getByTestId('tab-title').allTextContents();
    assert.deepEqual(titles, ['kd-test-1/default/shell', 'kd-test-2/default/shell', 'kd-test-1/default/multi/app']);
    for (const t of Object.values(opened)) await waitState(t.pane, 'connected');
    // The newest tab is focused; the others still run.
    assert.equal(await page.locator(`[data-testid=tab-body][data-tab-key="${opened.c.key}"]`).getAttribute('data-active'), 'true');
    await run(opened.c.pane, 'echo "container=$HOSTNAME sum=$((6*7))"');
    await waitForPaneText(opened.c.pane, /sum=42/);

    await activateTab(opened.a.key);
    await run(opened.a.pane, 'echo kd-$((20+22))-done');
    await waitForPaneText(opened.a.pane, 'kd-42-done');
    // The command runs in bash, the best shell the full image has.
    await run(opened.a.pane, 'echo "shell=$0 bash=${BASH_VERSION%%.*}"');
    await waitForPaneText(opened.a.pane, /shell=-?bash bash=\d/);
  });

  it('switches tabs with Ctrl+PgDn / Ctrl+PgUp / Ctrl+Tab and renames a tab', async () => {
    await activateTab(opened.a.key);
    await page.keyboard.press('Control+PageDown');
    await waitFor('tab b active', async () => (await page.locator(`[data-testid=tab-body][data-tab-key="${opened.b.key}"]`).getAttribute('data-active')) === 'true');
    await page.keyboard.press('Control+PageUp');
    await waitFor('tab a active', async () => (await page.locator(`[data-testid=tab-body][data-tab-key="${opened.a.key}"]`).getAttribute('data-active')) === 'true');
    await page.keyboard.press('Control+Tab');
    await waitFor('Ctrl+Tab: tab b', async () => (await page.locator(`[data-testid=tab-body][data-tab-key="${opened.b.key}"]`).getAttribute('data-active')) === 'true');
    await page.keyboard.press('Control+Shift+Tab');
    await waitFor('Ctrl+Shift+Tab: tab a', async () => (await page.locator(`[data-testid=tab-body][data-tab-key="${opened.a.key}"]`).getAttribute('data-active')) === 'true');
    const tabA = page.locator(`[data-testid=tab][data-tab-key="${opened.a.key}"]`);
    await tabA.getByTestId('tab-title').dblclick();
    await tabA.getByTestId('tab-rename').fill('db shell');
    await tabA.getByTestId('tab-rename').press('Enter');
    assert.equal(await tabA.getByTestId('tab-title').textContent(), 'db shell');
  });

  it('resizing the page changes `stty size` in the pod', async () => {
    const pane = opened.a.pane;
    await activateTab(opened.a.key);
    const sttyOf = async (marker: string) => {
      await run(pane, `echo ${marker}=$(stty size | tr ' ' x)`);
      const text = await waitForPaneText(pane, new RegExp(`${marker}=\\d+x\\d+`));
      const m = new RegExp(`${marker}=(\\d+)x(\\d+)`).exec(text)!;
      return { rows: Number(m[1]), cols: Number(m[2]) };
    };
    const first = await sttyOf('SZ1');
    assert.equal(first.cols, Number(await pane.getAttribute('data-cols')));
    assert.equal(first.rows, Number(await pane.getAttribute('data-rows')));
    await page.setViewportSize({ width: 900, height: 560 });
    await waitFor('the terminal refits', async () => Number(await pane.getAttribute('data-cols')) < first.cols);
    const second = await sttyOf('SZ2');
    assert.ok(second.cols < first.cols && second.rows < first.rows, `${JSON.stringify(first)} → ${JSON.stringify(second)}`);
    assert.equal(second.cols, Number(await pane.getAttribute('data-cols')));
    assert.equal(second.rows, Number(await pane.getAttribute('data-rows')));
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('finds text with Ctrl+Shift+F', async () => {
    const pane = opened.a.pane;
    await pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+F');
    await pane.getByTestId('search-bar').waitFor();
    await pane.getByTestId('search-input').fill('kd-42-done');
    await waitFor('a search result', async () => /of \d+/.test((await pane.getByTestId('search-count').textContent()) ?? ''));
    await pane.getByTestId('search-input').press('Escape');
    assert.equal(await pane.getByTestId('search-bar').count(), 0);
  });

  it('copies with the context menu and Ctrl+Shift+C, pastes with Ctrl+Shift+V', async () => {
    const pane = opened.a.pane;
    await activateTab(opened.a.key);
    await pane.locator('.xterm-host').click({ button: 'right' });
    await pane.getByTestId('terminal-menu').getByText('Select all').click();
    await page.keyboard.press('Control+Shift+C');
    const clip = () => page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    await waitFor('the selection in the clipboard', async () => (await clip()).includes('kd-42-done'));
    await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText('echo pasted-$((3+4))'));
    await pane.locator('.xterm-host').click();
    await page.keyboard.press('Control+Shift+V');
    await waitForPaneText(pane, /# echo pasted-\$\(\(3\+4\)\)$/);
    await page.keyboard.press('Enter');
    await waitForPaneText(pane, /^pasted-7$/m);
  });

  it('reorders tabs by dragging', async () => {
    const titles = () => page.getByTestId('tab-title').allTextContents();
    const before = await titles();
    await page.locator(`[data-testid=tab][data-tab-key="${opened.a.key}"]`).dragTo(page.locator(`[data-testid=tab][data-tab-key="${opened.c.key}"]`), { targetPosition: { x: 150, y: 10 } });
    await waitFor('the first tab moved to the end', async () => (await titles())[2] === before[0]);
    assert.deepEqual(await titles(), [before[1], before[2], before[0]]);
  });

  it('duplicates a tab from its context menu', async () => {
    const count = await tabs().count();
    await page.locator(`[data-testid=tab][data-tab-key="${opened.b.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-duplicate').click();
    await waitFor('a duplicate tab', async () => (await tabs().count()) === count + 1);
    const key = (await tabs().nth(count).getAttribute('data-tab-key'))!;
    assert.equal(await tabs().nth(count).getByTestId('tab-title').textContent(), 'kd-test-2/default/shell');
    const pane = paneOfTab(key).first();
    await waitState(pane, 'connected');
    await run(pane, 'echo dup-$((6*6))');
    await waitForPaneText(pane, 'dup-36');
    await closeTab(key);
  });

  it('switches to the light theme and remembers it', async () => {
    await activateTab(opened.a.key);
    const bg = () => opened.a.pane.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    const darkBg = await bg();
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
    await waitFor('the terminal turns light', async () => (await bg()) !== darkBg);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('kubedeck.theme')), 'light');
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
  });

  it('splits a tab into two side-by-side terminals', async () => {
    await activateTab(opened.c.key);
    await page.getByTestId('split-button').click();
    const panes = paneOfTab(opened.c.key);
    await waitFor('two panes', async () => (await panes.count()) === 2);
    const second = panes.nth(1);
    await waitState(second, 'connected');
    const [b1, b2] = [await panes.nth(0).boundingBox(), await second.boundingBox()];
    assert.ok(b1 && b2 && b2.x > b1.x + b1.width - 2, 'side by side');
    await run(second, 'echo split-$((3*3))');
    await waitForPaneText(second, 'split-9');
    await second.getByTestId('pane-close').click();
    await waitFor('one pane', async () => (await panes.count()) === 1);
  });

  it('falls back to the DOM renderer when the WebGL context is lost', async () => {
    await activateTab(opened.b.key);
    const pane = opened.b.pane;
    if ((await pane.getAttribute('data-renderer')) !== 'webgl') return; // No WebGL here: already on the DOM renderer.
    // The WebGL canvas is the one with a webgl2 context (the link layer has a 2d one).
    const lost = await pane.locator('canvas').evaluateAll((canvases) => {
      for (const canvas of canvases) {
        const c = canvas as unknown as { getContext(k: string): { getExtension(n: string): { loseContext(): void } | null } | null };
        const ext = c.getContext('webgl2')?.getExtension('WEBGL_lose_context');
        if (ext) {
          ext.loseContext();
          return true;
        }
      }
      return false;
    });
    assert.ok(lost, 'found the WebGL canvas');
    await waitFor('the DOM renderer', async () => (await pane.getAttribute('data-renderer')) === 'dom', 15_000);
    await run(pane, 'echo dom-$((10*10))');
    await waitForPaneText(pane, 'dom-100');
    // Drawn by the DOM renderer (on its next frame): the text is in the rows' DOM.
    await waitFor('the rows drawn in the DOM', () => pane.locator('.xterm-rows').getByText('dom-100').first().isVisible());
  });

  it('`exit 3` shows the exit code', async () => {
    await activateTab(opened.c.key);
    const pane = opened.c.pane;
    await run(pane, 'exit 3');
    await waitState(pane, 'exited');
    assert.equal(await pane.getByTestId('exit-code').textContent(), '3');
    assert.match((await page.locator(`[data-testid=tab][data-tab-key="${opened.c.key}"] [data-testid=tab-badge]`).textContent()) ?? '', /exit 3/);
    // Restart gives a fresh shell in the same tab.
    await pane.getByTestId('pane-reconnect').click();
    await waitState(pane, 'connected');
    await run(pane, 'echo again-$((1+1))');
    await waitForPaneText(pane, 'again-2');
  });

  it('a flood of output (`yes`) keeps the page responsive and Ctrl-C stops it at once', async () => {
    await activateTab(opened.a.key);
    const pane = opened.a.pane;
    await run(pane, 'yes kubedeck-flood');
    await waitForPaneText(pane, /kubedeck-flood\nkubedeck-flood\n/);
    await sleep(1500);
    // The page still answers quickly while the flood runs (acknowledgements hold the producer back).
    const t0 = Date.now();
    await page.evaluate(() => 1 + 1);
    assert.ok(Date.now() - t0 < 1000, `page took ${Date.now() - t0} ms to answer`);
    const c1 = e2e.clusters.clusters[0];
    assert.ok((await c1.processes('default', 'shell', 'main')).some((p) => /^yes/.test(p.command)));
    await page.keyboard.press('Control+C');
    // The interrupt reaches the pod at once, although output already in flight still drains to the screen.
    await waitFor('yes stopped', async () => !(await c1.processes('default', 'shell', 'main')).some((p) => /^yes/.test(p.command)), 3000);
    // (^C may land mid-line: the echo overwrites whatever the cursor is on.)
    await waitForPaneText(pane, /\^C[^\n]*\n[^\n]*# $/, 30_000);
    await run(pane, 'echo flood-over-$((2*21))');
    await waitForPaneText(pane, 'flood-over-42', 10_000);
  });

  it('closing a tab leaves no process behind in the pod', async () => {
    const c2 = e2e.clusters.clusters[1];
    const baseline = new Set((await c2.processes('default', 'notar', 'main')).map((p) => p.pid));
    const t = await openPod('kd-test-2', 'default', 'notar');
    await waitState(t.pane, 'connected');
    await run(t.pane, 'sleep 1000 & echo started-$((5*5))');
    await waitForPaneText(t.pane, 'started-25');
    const during = await c2.processes('default', 'notar', 'main');
    assert.ok(during.some((p) => /sleep/.test(p.command)), `sleep runs: ${JSON.stringify(during)}`);
    await closeTab(t.key);
    await waitFor('no leftover process', async () => {
      const now = await c2.processes('default', 'notar', 'main');
      return now.every((p) => baseline.has(p.pid));
    });
  });

  it('the restricted namespace and the distroless pod give clear messages', async () => {
    const ns = page.locator('[data-testid=namespace-row][data-context="kd-test-1"][data-namespace="restricted"]');
    await ns.dblclick();
    const restricted = await openPod('kd-test-1', 'restricted', 'shell');
    await waitState(restricted.pane, 'error');
    assert.match((await restricted.pane.getByTestId('pane-error').textContent()) ?? '', /forbidden/i);
    assert.equal(await page.locator(`[data-testid=tab][data-tab-key="${restricted.key}"]`).getAttribute('data-state'), 'error');

    const distroless = await openPod('kd-test-1', 'default', 'distroless');
    await waitState(distroless.pane, 'error');
    assert.match((await distroless.pane.getByTestId('pane-error').textContent()) ?? '', /no shell/i);
    for (const t of [restricted, distroless]) await closeTab(t.key);
  });

  it('a deep link opens busybox in a focused tab with a working sh', async () => {
    const before = await tabs().count();
    // (The page's `location`, reached through globalThis: this file is typechecked without the DOM.)
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/terminal/kd-test-2/default/busybox/main'));
    await waitFor('a deep-linked tab', async () => (await tabs().count()) === before + 1);
    const key = (await tabs().nth(before).getAttribute('data-tab-key'))!;
    assert.equal(await page.locator(`[data-testid=tab-body][data-tab-key="${key}"]`).getAttribute('data-active'), 'true');
    const pane = paneOfTab(key).first();
    await waitState(pane, 'connected');
    // Focused: typing goes straight to the terminal.
    await page.keyboard.type('echo "bb-$((40+2)) zero=$0"');
    await page.keyboard.press('Enter');
    const text = await waitForPaneText(pane, /bb-42 zero=\S+/);
    // No bash in this image: the shell chosen is busybox's sh (ash), and it works.
    assert.match(text, /bb-42 zero=-?(\/bin\/)?(sh|ash)\b/);
    opened.bb = { key, pane };
  });

  it('the page threw no errors along the way', () => {
    assert.deepEqual(e2e.pageErrors, []);
  });
});
