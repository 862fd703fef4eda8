// Ephemeral debug containers end to end, through serve mode in Chromium: default/distroless has no shell, so
// its pane offers "Debug with an ephemeral container"; that opens a busybox shell in a debug container which
// sees the target's processes and files (/proc/1/root); the tree lists it under the pod; a second start
// reuses it; the Files view browses distroless's own paths through it and downloads a file, sha256-verified;
// and the cluster's refusals read clearly: 403 (namespace restricted), an image that cannot be pulled, a
// cluster without the ephemeral containers API. KD_SCREENSHOTS=<dir> saves PNGs to look at.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, startWithTree, terminalTabs } from './terminalTabs.ts';

const shots = process.env.KD_SCREENSHOTS;
let e2e: E2E;
let page: Page;
let tmp: string;

const { podRow, tabs, paneOfTab, openPod, waitState, run } = terminalTabs(() => page);

async function shot(name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** A card's text on one line (as it reads). */
const flat = (s: string) => s.replace(/\s+/g, ' ');
const run$ = (phase: string, kind?: string) => page.locator(`[data-testid=debug-run][data-phase="${phase}"]${kind ? `[data-kind="${kind}"]` : ''}`);
const containerRow = (context: string, pod: string, container: string) =>
  page.locator(`[data-testid=container-row][data-context="${context}"][data-namespace="default"][data-pod="${pod}"][data-container="${container}"]`);

/** Right-click → "Debug with an ephemeral container" on a tree row. */
async function debugFromTree(row: Locator): Promise<void> {
  await row.click({ button: 'right' });
  await page.getByTestId('tree-debug').click();
}

/** The tab whose title is this text, once it exists. */
async function tabTitled(title: string): Promise<{ key: string; pane: Locator }> {
  const tab = page.locator('[data-testid=tab]', { has: page.locator('[data-testid=tab-title]', { hasText: title }) });
  await tab.first().waitFor({ timeout: 30_000 });
  const key = (await tab.first().getAttribute('data-tab-key'))!;
  return { key, pane: paneOfTab(key).first() };
}

describe('debug containers through serve mode', { timeout: 240_000 }, () => {
  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
    await page.setViewportSize({ width: 1400, height: 860 });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-debug-e2e-'));
  });

  after(async () => {
    await endE2E(e2e, 'debug-end');
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('distroless has no shell: its pane offers a debug container, which opens a shell that sees the target', async () => {
    const distroless = await openPod('kd-test-1', 'default', 'distroless');
    await waitState(distroless.pane, 'error');
    assert.match(await distroless.pane.getByTestId('pane-error').innerText(), /no shell/i);
    await distroless.pane.getByTestId('no-shell-debug-image').filter({ hasText: 'busybox:1.36' }).waitFor();
    await shot('debug-no-shell');
    await distroless.pane.getByTestId('no-shell-debug-start').click();

    const debug = await tabTitled('debug distroless/main');
    // The failed pane gave its place to the debug terminal.
    await page.locator(`[data-testid=tab][data-tab-key="${distroless.key}"]`).waitFor({ state: 'detached' });
    assert.equal(await page.locator(`[data-testid=tab-body][data-tab-key="${debug.key}"]`).getAttribute('data-active'), 'true');
    await waitState(debug.pane, 'connected', 30_000);
    const name = (await debug.pane.getAttribute('data-container'))!;
    assert.match(name, /^kubedeck-debug-[a-z0-9]{5}$/);
    assert.equal(await debug.pane.getAttribute('data-pod'), 'distroless');
    const done = run$('done').filter({ hasText: name });
    await done.waitFor();
    assert.match(flat(await done.innerText()), new RegExp(`Debug container ${name} is running[\\s\\S]*busybox:1\\.36[\\s\\S]*distroless/main`));

    // The target's processes and files: its entrypoint is PID 1 of the shared namespace, its root /proc/1/root.
    await run(debug.pane, 'ls /proc/1/root/ /proc/1/root/app; cat /proc/1/root/app/config.yaml');
    await waitForPaneText(debug.pane, /\/proc\/1\/root\/app:\s*\n\s*config\.yaml\s+server/);
    await waitForPaneText(debug.pane, 'listen: ":8080"');
    await shot('debug-shell');

    // Under its pod in the tree, with its target and state.
    await podRow('kd-test-1', 'default', 'distroless').locator('.twisty').click();
    const row = containerRow('kd-test-1', 'distroless', name);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-ephemeral'), 'true');
    assert.equal(await row.getByTestId('ephemeral-badge').innerText(), '→ main');
    await waitFor('the debug container shown running', async () => /running/i.test(await row.getByTestId('container-state').innerText()));
    await shot('debug-tree');
  });

  it('a second start reuses the running debug container and brings its tab forward', async () => {
    const debug = await tabTitled('debug distroless/main');
    const name = (await debug.pane.getAttribute('data-container'))!;
    const other = await openPod('kd-test-1', 'default', 'shell');
    await waitState(other.pane, 'connected');
    const count = await tabs().count();
    await debugFromTree(containerRow('kd-test-1', 'distroless', 'main'));
    const reused = run$('done').filter({ hasText: 'Reusing' });
    await reused.waitFor();
    assert.match(flat(await reused.innerText()), new RegExp(`Reusing the running debug container ${name}[\\s\\S]*its tab was already open`));
    await waitFor('the debug tab shown', async () => (await page.locator(`[data-testid=tab-body][data-tab-key="${debug.key}"]`).getAttribute('data-active')) === 'true');
    assert.equal(await tabs().count(), count, 'no tab added');
    assert.equal(await page.locator('[data-testid=container-row][data-context="kd-test-1"][data-pod="distroless"][data-ephemeral="true"]').count(), 1, 'no second debug container');
    // A tab's menu offers it for its container, except on a debug container itself.
    await page.locator(`[data-testid=tab][data-tab-key="${other.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-debug').waitFor();
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid=tab][data-tab-key="${debug.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-menu').waitFor();
    assert.equal(await page.getByTestId('tab-debug').count(), 0);
    await page.keyboard.press('Escape');
    // A debug container's own menu does not offer to debug it.
    await containerRow('kd-test-1', 'distroless', name).click({ button: 'right' });
    await page.getByTestId('tree-menu').waitFor();
    assert.equal(await page.getByTestId('tree-debug').count(), 0);
    await page.keyboard.press('Escape');
  });

  it('Files: distroless is browsed through its debug container with its own paths; a download is sha256-verified', async () => {
    await page.getByTestId('view-files').click();
    await waitFor('the local pane to open', async () => !!(await page.getByTestId('pane-left').getAttribute('data-path')));
    await page.getByTestId('pane-left').getByRole('button', { name: 'Edit path' }).click();
    await page.getByTestId('path-input-left').fill(tmp);
    await page.getByTestId('path-input-left').press('Enter');
    await waitFor('left pane at tmp', async () => (await page.getByTestId('pane-left').getAttribute('data-path')) === tmp);

    await page.getByTestId('pick-pod').selectOption('distroless');
    await page.getByTestId('files-debug-offer').waitFor();
    await shot('debug-files-offer');
    await page.getByTestId('files-debug-start').click();
    await page.getByTestId('files-through').waitFor({ timeout: 30_000 });
    await waitFor('the container pane at /', async () => (await page.getByTestId('pane-right').getAttribute('data-path')) === '/');
    const row = (side: 'left' | 'right', n: string) => page.getByTestId(`list-${side}`).locator(`[data-testid="file-row"][data-name="${n}"]`);
    await row('right', 'app').dblclick();
    await waitFor('right pane at /app', async () => (await page.getByTestId('pane-right').getAttribute('data-path')) === '/app');
    await row('right', 'config.yaml').waitFor();
    await row('right', 'server').waitFor();
    await shot('debug-files');

    await row('right', 'config.yaml').click();
    await page.getByTestId('copy-left').click();
    const item = page.getByTestId('transfer-item').first();
    await item.getByTestId('item-verified').waitFor({ timeout: 30_000 });
    assert.match(await item.getByTestId('item-verified').innerText(), /sha256 ok/);
    await row('left', 'config.yaml').waitFor();
    const fixture = await fsp.readFile(path.join(e2e.clusters.clusters[0].rootOf('default', 'distroless', 'main'), 'app/config.yaml'));
    const got = await fsp.readFile(path.join(tmp, 'config.yaml'));
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(fixture).digest('hex'));
    // The trail names the target's own path, not /proc/<pid>/root.
    assert.match(await item.innerText(), /\/app\/config\.yaml|config\.yaml/);
    assert.doesNotMatch(await page.getByTestId('files-view').innerText(), /\/proc\/\d+\/root/);
    await shot('debug-files-downloaded');
    await page.getByTestId('view-terminals').click();
  });

  it('namespace restricted forbids ephemeral containers: a 403 that says so', async () => {
    await page.locator('[data-testid=namespace-row][data-context="kd-test-1"][data-namespace="restricted"]').dblclick();
    const row = page.locator('[data-testid=pod-row][data-context="kd-test-1"][data-namespace="restricted"][data-pod="shell"]');
    await debugFromTree(row);
    const failed = run$('failed', 'forbidden');
    await failed.waitFor({ timeout: 20_000 });
    const text = await failed.innerText();
    assert.match(text, /Not allowed to add a debug container/);
    assert.match(text, /cannot patch resource "pods\/ephemeralcontainers"/);
    assert.match(text, /namespace restricted/);
    await shot('debug-403');
    await failed.getByTestId('debug-run-dismiss').click();
    await failed.waitFor({ state: 'detached' });
  });

  it('the debug image setting: a bad name is refused; an unknown image fails with ErrImagePull', async () => {
    const distroless = await openPod('kd-test-2', 'default', 'distroless');
    await waitState(distroless.pane, 'error');
    await distroless.pane.getByTestId('no-shell-debug-settings').click();
    const dialog = page.getByTestId('debug-settings-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('debug-image').fill('bad image!');
    await dialog.getByTestId('debug-image-save').click();
    await dialog.getByTestId('debug-image-error').filter({ hasText: 'is not an image name' }).waitFor();
    assert.equal(await dialog.getByTestId('debug-image').inputValue(), 'bad image!', 'the name stays to correct');
    await dialog.getByTestId('debug-image').fill('registry.example/no-such-image:1');
    await dialog.getByTestId('debug-image-save').click();
    await dialog.getByTestId('debug-image-saved').waitFor();
    await shot('debug-settings');
    await dialog.getByTestId('debug-settings-close').click();
    await distroless.pane.getByTestId('no-shell-debug-image').filter({ hasText: 'registry.example/no-such-image:1' }).waitFor();

    await distroless.pane.getByTestId('no-shell-debug-start').click();
    const failed = run$('failed', 'image');
    await failed.waitFor({ timeout: 30_000 });
    assert.match(await failed.innerText(), /The debug image "registry\.example\/no-such-image:1" could not be pulled \(ErrImagePull\)/);
    await shot('debug-image-pull');
    // The pane that has no shell stays, to try again.
    assert.equal(await distroless.pane.getAttribute('data-state'), 'error');
    // The tree shows the container that never started, waiting with its reason.
    await podRow('kd-test-2', 'default', 'distroless').locator('.twisty').click();
    const stuck = page.locator('[data-testid=container-row][data-context="kd-test-2"][data-pod="distroless"][data-ephemeral="true"]');
    await waitFor('the stuck container in the tree', async () => /ErrImagePull|ImagePullBackOff/.test(await stuck.first().getByTestId('container-state').innerText().catch(() => '')));

    await failed.getByTestId('debug-run-settings').click();
    await dialog.getByTestId('debug-image').fill('busybox:1.36');
    await dialog.getByTestId('debug-image-save').click();
    await dialog.getByTestId('debug-image-saved').waitFor();
    await dialog.getByTestId('debug-settings-close').click();
    await failed.getByTestId('debug-run-dismiss').click();
  });

  it('a cluster without the ephemeral containers API: a 404 that says what it needs', async () => {
    e2e.clusters.clusters[1].setEphemeralContainersApi(false);
    try {
      const pane = page.locator('[data-testid=terminal-pane][data-context="kd-test-2"][data-pod="distroless"][data-container="main"]');
      await pane.getByTestId('no-shell-debug-start').click();
      const failed = run$('failed', 'noApi');
      await failed.waitFor({ timeout: 20_000 });
      assert.match(await failed.innerText(), /This cluster has no ephemeral containers[\s\S]*Kubernetes 1\.25 or newer/);
      await shot('debug-404');
    } finally {
      e2e.clusters.clusters[1].setEphemeralContainersApi(true);
    }
  });
});
