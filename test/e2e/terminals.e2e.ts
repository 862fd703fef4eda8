/**
 * Pod terminals, end to end: Chromium → serve mode → Kubedeck core → two test clusters.
 * Everything is asserted the way a user sees it: rows in the tree, tabs, text in the terminal.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { TestCluster } from '../cluster/index.ts';
import { paneText, startE2E, waitFor, waitForPaneText, type E2E } from './helpers.ts';

let e2e: E2E;
let page: Page;

const podRow = (context: string, namespace: string, pod: string) =>
  page.locator(`[data-testid=pod-row][data-context="${context}"][data-namespace="${namespace}"][data-pod="${pod}"]`);
const tabs = () => page.getByTestId('tab');
const paneOfTab = (tabKey: string) => page.locator(`[data-testid=tab-body][data-tab-key="${tabKey}"] [data-testid=terminal-pane]`);

/** Double-clicks a pod in the tree; returns the new tab's key and its (first) terminal pane. */
async function openPod(context: string, namespace: string, pod: string): Promise<{ key: string; pane: Locator }> {
  const before = await tabs().count();
  await podRow(context, namespace, pod).dblclick();
  await waitFor('a new tab', async () => (await tabs().count()) === before + 1);
  const key = (await tabs().nth(before).getAttribute('data-tab-key'))!;
  return { key, pane: paneOfTab(key).first() };
}

async function waitState(pane: Locator, state: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(`pane state ${state}`, async () => (await pane.getAttribute('data-state')) === state, timeoutMs).catch(async (err: Error) => {
    const status = await pane.getByTestId('pane-status').textContent().catch(() => '');
    throw new Error(`${err.message} (it is ${await pane.getAttribute('data-state')}: ${status})`);
  });
}

/** Types a command into a pane (clicking it first so it has the keyboard). */
async function run(pane: Locator, command: string): Promise<void> {
  await pane.locator('.xterm-host').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Closes a tab with its ✕ (shown on hover, as for a user). */
async function closeTab(key: string): Promise<void> {
  const tab = page.locator(`[data-testid=tab][data-tab-key="${key}"]`);
  await tab.hover();
  await tab.getByTestId('tab-close').click();
  await tab.waitFor({ state: 'detached' });
}

async function activateTab(key: string): Promise<void> {
  await page.locator(`[data-testid=tab][data-tab-key="${key}"]`).click();
}

/** Takes a cluster's API server down (connections drop, containers keep running) without removing it. */
async function takeDown(c: TestCluster): Promise<void> {
  // TestCluster has restart() (down and up at once) and stop() (for good); the test needs the part in between.
  await (c as unknown as { closeServer(): Promise<void> }).closeServer();
}

describe('terminals through serve mode', { timeout: 150_000 }, () => {
  const opened: Record<string, { key: string; pane: Locator }> = {};

  before(async () => {
    e2e = await startE2E({ clusters: 2 });
    page = e2e.page;
  });

  after(async () => {
    if (process.env.KUBEDECK_E2E_SHOTS && page) await page.screenshot({ path: `${process.env.KUBEDECK_E2E_SHOTS}/terminals-end.png` }).catch(() => undefined);
    await e2e?.stop();
  });

  it('shows both clusters, connected, with their pods', async () => {
    for (const ctx of ['kd-test-1', 'kd-test-2']) {
      const row = page.locator(`[data-testid=cluster-row][data-context="${ctx}"]`);
      await row.waitFor();
      await waitFor(`${ctx} connected`, async () => (await row.getByTestId('cluster-status').getAttribute('data-state')) === 'connected');
      await podRow(ctx, 'default', 'shell').waitFor();
      assert.equal(await podRow(ctx, 'default', 'shell').getByTestId('pod-phase').textContent(), 'Running');
      assert.equal(await podRow(ctx, 'default', 'pending').getByTestId('pod-phase').textContent(), 'Pending');
    }
    await page.getByTestId('terminals-empty').waitFor();
  });

  it('keeps the tree live and finds one pod among hundreds', async () => {
    const [c1, c2] = e2e.clusters.clusters;
    await c2.addPod('default', { name: 'live-pod', image: 'distroless' });
    await podRow('kd-test-2', 'default', 'live-pod').waitFor({ timeout: 15_000 });
    await c2.deletePod('default', 'live-pod');
    await podRow('kd-test-2', 'default', 'live-pod').waitFor({ state: 'detached', timeout: 15_000 });

    await c1.addPods(Array.from({ length: 300 }, (_, i) => ({ namespace: 'kube-system', pod: { name: `app-${i}`, image: 'distroless' as const, phase: 'Pending' as const } })));
    await page.getByTestId('tree-filter').fill('app-217');
    try {
      await waitFor('exactly app-217', async () => {
        const pods = await page.getByTestId('pod-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-context')}/${r.getAttribute('data-namespace')}/${r.getAttribute('data-pod')}`));
        return pods.length === 1 && pods[0] === 'kd-test-1/kube-system/app-217';
      });
      assert.equal(await podRow('kd-test-1', 'kube-system', 'app-217').getByTestId('pod-phase').textContent(), 'Pending');
    } finally {
      await page.getByTestId('tree-filter').fill('');
    }
  });

  it('filters the tree to a pod and opens it with Enter', async () => {
    await page.getByTestId('tree-filter').fill('notar');
    await waitFor('only notar pods', async () => {
      const pods = await page.getByTestId('pod-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pod')));
      return pods.length === 2 && pods.every((p) => p === 'notar');
    });
    await page.getByTestId('tree-filter').press('Enter');
    await waitFor('a tab for notar', async () => (await tabs().count()) === 1);
    assert.match((await tabs().first().getByTestId('tab-title').textContent()) ?? '', /^kd-test-\d\/default\/notar$/);
    await page.locator('[data-testid=tab-close]').first().click();
    await waitFor('tab closed', async () => (await tabs().count()) === 0);
    await page.getByTestId('tree-filter').fill('');

    // Keyboard only: from the filter, ↓ into the tree, End to the last pod, → shows its containers, Enter opens.
    await page.getByTestId('tree-filter').fill('busybox');
    try {
      await waitFor('two busybox pods', async () => (await page.getByTestId('pod-row').count()) === 2);
      await page.getByTestId('tree-filter').press('ArrowDown');
      const selected = page.locator('[data-testid=pod-row][aria-selected=true]');
      assert.equal(await selected.getAttribute('data-context'), 'kd-test-1');
      await page.keyboard.press('End');
      assert.equal(await selected.getAttribute('data-context'), 'kd-test-2');
      await page.keyboard.press('ArrowRight');
      await page.locator('[data-testid=container-row][data-context="kd-test-2"][data-pod="busybox"][data-container="main"]').waitFor();
      await page.keyboard.press('Enter');
      await waitFor('a tab from the keyboard', async () => (await tabs().count()) === 1);
      assert.equal(await page.getByTestId('tab-title').first().textContent(), 'kd-test-2/default/busybox');
      await closeTab((await tabs().first().getAttribute('data-tab-key'))!);
    } finally {
      await page.getByTestId('tree-filter').fill('');
    }
  });

  it('opens three tabs across both clusters; a typed command prints its output', async () => {
    opened.a = await openPod('kd-test-1', 'default', 'shell');
    opened.b = await openPod('kd-test-2', 'default', 'shell');
    opened.c = await openPod('kd-test-1', 'default', 'multi');
    assert.equal(await tabs().count(), 3);
    const titles = await page.getByTestId('tab-title').allTextContents();
    assert.deepEqual(titles, ['kd-test-1/default/shell', 'kd-test-2/default/shell', 'kd-test-1/default/multi']);
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
    await new Promise((r) => setTimeout(r, 1500));
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

  it('a stopped cluster disconnects its tabs only; Reconnect works after a restart', async () => {
    const c2 = e2e.clusters.clusters[1];
    await takeDown(c2);
    try {
      for (const t of [opened.b, opened.bb]) await waitState(t.pane, 'disconnected');
      // The tree shows the cluster's own error, with the reason.
      const row = page.locator('[data-testid=cluster-row][data-context="kd-test-2"]');
      await waitFor('kd-test-2 in error', async () => (await row.getByTestId('cluster-status').getAttribute('data-state')) === 'error', 20_000);
      assert.ok(((await row.getByTestId('cluster-error').textContent()) ?? '').length > 5);
      assert.equal(await page.locator('[data-testid=cluster-row][data-context="kd-test-1"] [data-testid=cluster-status]').getAttribute('data-state'), 'connected');
      assert.equal(await page.locator(`[data-testid=tab][data-tab-key="${opened.b.key}"]`).getAttribute('data-state'), 'disconnected');
      await activateTab(opened.b.key);
      assert.ok(await opened.b.pane.getByTestId('pane-reconnect').isVisible());
      assert.match((await opened.b.pane.getByTestId('pane-status').textContent()) ?? '', /Disconnected/);
      // The other cluster's tabs keep working.
      await activateTab(opened.a.key);
      assert.equal(await opened.a.pane.getAttribute('data-state'), 'connected');
      await run(opened.a.pane, 'echo still-$((7*7))');
      await waitForPaneText(opened.a.pane, 'still-49');
    } finally {
      await c2.start();
    }
    await activateTab(opened.b.key);
    const before = await paneText(opened.b.pane);
    assert.ok(before.length > 0);
    await waitFor('reconnected', async () => {
      if ((await opened.b.pane.getAttribute('data-state')) === 'connected') return true;
      if ((await opened.b.pane.getAttribute('data-state')) !== 'connecting') await opened.b.pane.getByTestId('pane-reconnect').click();
      await new Promise((r) => setTimeout(r, 500));
      return (await opened.b.pane.getAttribute('data-state')) === 'connected';
    }, 30_000);
    await run(opened.b.pane, 'echo back-$((8*8))');
    await waitForPaneText(opened.b.pane, 'back-64');
  });

  it('when serve mode goes away a banner says so; the page reconnects and tabs can reconnect', async () => {
    await activateTab(opened.a.key);
    await e2e.stopServer();
    try {
      await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
      assert.match((await page.getByTestId('connection-banner').textContent()) ?? '', /Connection to Kubedeck lost/);
      await waitState(opened.a.pane, 'disconnected');
    } finally {
      await e2e.startServer();
    }
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor('clusters listed again', async () => (await page.locator('[data-testid=cluster-status][data-state=connected]').count()) === 2);
    await opened.a.pane.getByTestId('pane-reconnect').click();
    await waitState(opened.a.pane, 'connected');
    await run(opened.a.pane, 'echo served-again-$((9*9))');
    await waitForPaneText(opened.a.pane, 'served-again-81');
    assert.deepEqual(e2e.pageErrors, []);
  });

  it('adds a kubeconfig file in the app; a bad one gets a clear error and loses nothing', async () => {
    const bad = join(e2e.dataDir, 'broken.yaml');
    await writeFile(bad, 'apiVersion: v1\nkind: Config\nclusters: [ this is : not yaml\n');
    await page.getByTestId('add-kubeconfig').click();
    await page.getByTestId('kubeconfig-path').fill(bad);
    await page.getByTestId('kubeconfig-add').click();
    await page.getByTestId('kubeconfig-error').waitFor();
    assert.match((await page.getByTestId('kubeconfig-error').textContent()) ?? '', /broken\.yaml/);
    assert.equal(await page.getByTestId('kubeconfig-path').inputValue(), bad);

    // The same clusters under other names: new contexts appear and connect; the first two are untouched.
    const good = join(e2e.dataDir, 'extra.yaml');
    await writeFile(good, (await readFile(e2e.clusters.kubeconfigPath, 'utf8')).replaceAll('kd-test-', 'extra-'));
    await page.getByTestId('kubeconfig-path').fill(good);
    await page.getByTestId('kubeconfig-add').click();
    await page.getByTestId('kubeconfig-form').waitFor({ state: 'detached' });
    const extra = page.locator('[data-testid=cluster-row][data-context="extra-1"]');
    await waitFor('extra-1 connected', async () => (await extra.getByTestId('cluster-status').getAttribute('data-state').catch(() => null)) === 'connected');
    await podRow('extra-1', 'default', 'shell').waitFor();
    assert.equal(await page.locator('[data-testid=cluster-status][data-state=connected]').count(), 4);
  });
});
