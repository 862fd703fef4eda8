/**
 * The cluster tree, end to end (Chromium → serve mode → two test clusters): clusters and their pods as
 * the API reports them, kept live, filtered and walked with the keyboard to open a terminal, and
 * kubeconfig files added in the app. Asserted as a user sees it: rows, states, tabs.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';
import { endE2E, terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { podRow, tabs, closeTab } = terminalTabs(() => page);

describe('the cluster tree through serve mode', { timeout: 150_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 2 });
    page = e2e.page;
  });

  after(() => endE2E(e2e, 'cluster-tree-end'));

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

  it('the filter says what it searches: a pod count only once every pod is known; phases and states read alike', async () => {
    const filter = page.getByTestId('tree-filter');
    // Only the namespaces opened so far have their pods loaded: a count of those (it said 12) would be wrong.
    const first = (await filter.getAttribute('placeholder')) ?? '';
    assert.ok(first === 'Filter 14 pods…' || /^Filter pods in \d+ namespaces…$/.test(first), first);
    // A filter loads every namespace; afterwards the count is known: 7 fixture pods in each cluster.
    await filter.fill('zzz-nothing');
    await waitFor('every pod loaded', async () => (await filter.getAttribute('placeholder')) === 'Filter 14 pods…');
    await filter.fill('');
    // "Running" for a pod and for its containers, not "Running" and "running".
    await podRow('kd-test-1', 'default', 'multi').locator('.twisty').click();
    const states = page.locator('[data-testid=container-row][data-context="kd-test-1"][data-pod="multi"] [data-testid=container-state]');
    await waitFor('the containers of multi', async () => (await states.count()) === 2);
    assert.deepEqual((await states.allTextContents()).map((t) => t.trim()), ['Running', 'Running']);
    assert.equal(await podRow('kd-test-1', 'default', 'multi').getByTestId('pod-phase').textContent(), 'Running');
    await podRow('kd-test-1', 'default', 'multi').locator('.twisty').click();
  });

  it('the status bar counts connected terminals, not tabs that failed to open', async () => {
    const status = page.getByTestId('statusbar');
    for (const pod of ['pending', 'distroless', 'shell']) {
      await podRow('kd-test-1', 'default', pod).dblclick();
      await waitFor(`a tab for ${pod}`, async () => (await tabs().last().getByTestId('tab-title').textContent())?.endsWith(`/${pod}`));
    }
    const panes = page.locator('[data-testid=terminal-pane]');
    await waitFor('two failed opens and a shell', async () => {
      const states = await panes.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-state')).sort());
      return states.join() === 'connected,error,error';
    }, 20_000);
    await waitFor('the status bar', async () => /\b1 terminal\b/.test(await status.innerText()));
    if (process.env.KUBEDECK_E2E_SHOTS) await page.screenshot({ path: `${process.env.KUBEDECK_E2E_SHOTS}/statusbar-error-tabs.png` });
    for (const key of await tabs().evaluateAll((ts) => ts.map((t) => t.getAttribute('data-tab-key')!))) await closeTab(key);
    await waitFor('no terminals', async () => /\b0 terminals\b/.test(await status.innerText()));
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

  it('the page threw no errors along the way', () => {
    assert.deepEqual(e2e.pageErrors, []);
  });
});
