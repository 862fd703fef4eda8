/**
 * Terminals when something goes away, end to end (Chromium → serve mode → two test clusters): a
 * cluster's API server down disconnects only its tabs and Reconnect works once it is back; a dropped serve
 * connection shows a banner, the page reconnects by itself and its tabs attach to their sessions again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { sleep } from '../util/wait.ts';
import { paneText, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { openPod, waitState, run, activateTab } = terminalTabs(() => page);

describe('terminals when a cluster or serve mode goes away', { timeout: 150_000 }, () => {
  const opened: Record<string, PodTab> = {};

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
    // Tabs on both clusters: a on kd-test-1, b and bb (another pod) on kd-test-2, the one taken down.
    opened.a = await openPod('kd-test-1', 'default', 'shell');
    opened.b = await openPod('kd-test-2', 'default', 'shell');
    opened.bb = await openPod('kd-test-2', 'default', 'busybox');
    for (const t of Object.values(opened)) await waitState(t.pane, 'connected');
  });

  after(() => endE2E(e2e, 'terminal-reconnect-end'));

  it('a stopped cluster disconnects its tabs only; Reconnect works after a restart', async () => {
    const c2 = e2e.clusters.clusters[1];
    await c2.closeServer();
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
      await sleep(500);
      return (await opened.b.pane.getAttribute('data-state')) === 'connected';
    }, 30_000);
    await run(opened.b.pane, 'echo back-$((8*8))');
    await waitForPaneText(opened.b.pane, 'back-64');
  });

  it('when serve mode goes away a banner says so; the page reconnects and its tabs attach again by themselves', async () => {
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
    // The session ran on in the host: the page attaches to it again and gets its screen back.
    await waitState(opened.a.pane, 'connected');
    await waitForPaneText(opened.a.pane, 'still-49');
    await run(opened.a.pane, 'echo served-again-$((9*9))');
    await waitForPaneText(opened.a.pane, 'served-again-81');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
