/**
 * Sessions that outlive their page, end to end (Chromium → serve mode → two test clusters): a reload gets
 * the tabs back — titles, order, split, the active tab — and every terminal its exact screen (a full-screen
 * program included), then continues live; a second page attached to the same session sees the same; a
 * cluster that drops while no page shows its sessions shows them disconnected; 50 reloads in a row leave
 * exactly one shell per session; a page closed for good leaves no shell after the grace period.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { paneText, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { TERMINALS_GRACE_SECONDS } from '../../main/core/kubedeck.ts';
import { endE2E, startWithTree, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;

const { openPod, waitState, run, activateTab, paneOfTab, tabs } = terminalTabs(() => page);
const shotOf = (p: Page, name: string) => (process.env.KUBEDECK_E2E_SHOTS ? p.screenshot({ path: `${process.env.KUBEDECK_E2E_SHOTS}/${name}.png` }) : undefined);
const shot = (name: string) => shotOf(page, name);
const shells = async (ctx: number, pod: string) => (await e2e.clusters.clusters[ctx].processes('default', pod, 'main')).filter((p) => /^(bash|ash|sh) -il/.test(p.command)).length;
/** What the tab strip shows: each tab's title, in order, and which one is active. */
const strip = async () => page.getByTestId('tab').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-selected') === 'true' ? '*' : ''}${e.getAttribute('title') ?? e.textContent?.trim()}`));
/** The visible screen of a pane (the rows xterm shows), without the scrollback. */
async function screenRows(pane: Locator): Promise<string> {
  const text = await paneText(pane);
  const rows = Number(await pane.getAttribute('data-rows'));
  return text.split('\n').slice(-rows).join('\n');
}

describe('sessions that outlive their page', { timeout: 240_000 }, () => {
  const opened: Record<string, PodTab> = {};

  before(async () => {
    e2e = await startWithTree();
    page = e2e.page;
    opened.a = await openPod('kd-test-1', 'default', 'shell');
    opened.b = await openPod('kd-test-2', 'default', 'busybox');
    for (const t of Object.values(opened)) await waitState(t.pane, 'connected');
  });

  after(() => endE2E(e2e, 'terminal-reattach-end'));

  it('a reload gets the tabs back with their exact screens, a full-screen program included, then continues live', async () => {
    // Tab a: colours and a full-screen program on the alternate screen with the cursor placed.
    await activateTab(opened.a.key);
    await run(opened.a.pane, "printf '\\033[32mgreen-before\\033[0m\\n'; printf '\\033[?1049h\\033[2J\\033[H\\033[1;44m FULL SCREEN \\033[0m\\033[6;4Hrow-six'; sleep 600");
    await waitForPaneText(opened.a.pane, 'row-six');
    // Tab b: split, and renamed.
    await activateTab(opened.b.key);
    await run(opened.b.pane, 'echo busybox-$((3*4))');
    await waitForPaneText(opened.b.pane, 'busybox-12');
    await page.getByTestId('split-button').click();
    const second = paneOfTab(opened.b.key).nth(1);
    await waitState(second, 'connected');
    await run(second, 'echo right-pane-$((5*5))');
    await waitForPaneText(second, 'right-pane-25');
    await activateTab(opened.a.key);
    const before = { strip: await strip(), a: await screenRows(opened.a.pane), b: await paneText(opened.b.pane), b2: await paneText(second) };
    const ids = await page.getByTestId('terminal-pane').evaluateAll((els) => els.map((e) => e.getAttribute('data-session-id')));
    await shot('reattach-before-reload');

    await page.reload();
    await waitFor('tabs back', async () => (await tabs().count()) === 2);
    const panes = page.getByTestId('terminal-pane');
    // Only the shown tab gets its terminal at once; the other tab's panes are attached but not created yet.
    await waitFor('the shown pane attached', async () => (await panes.evaluateAll((els) => els.filter((e) => e.getAttribute('data-state') === 'connected').length)) === 1);
    assert.deepEqual(await panes.evaluateAll((els) => els.map((e) => e.getAttribute('data-session-id'))), ids.slice(0, 1), 'the shown tab, in its place');
    assert.deepEqual(await strip(), before.strip, 'titles, order and the active tab');
    const keyA = (await tabs().nth(0).getAttribute('data-tab-key'))!;
    const keyB = (await tabs().nth(1).getAttribute('data-tab-key'))!;
    const paneA = paneOfTab(keyA).first();
    await waitFor('the full-screen program is back', async () => (await screenRows(paneA)) === before.a);
    await shot('reattach-after-reload');
    assert.equal(await paneOfTab(keyB).count(), 0, 'the background tab has no terminals before it is shown');
    assert.equal(await shells(1, 'busybox'), 2, "the background tab's shells run on");
    await activateTab(keyB);
    assert.equal(await paneOfTab(keyB).count(), 2, 'the split is back');
    await waitFor('all three panes attached', async () => (await panes.evaluateAll((els) => els.filter((e) => e.getAttribute('data-state') === 'connected').length)) === 3);
    assert.deepEqual(await panes.evaluateAll((els) => els.map((e) => e.getAttribute('data-session-id'))), ids, 'the same sessions, in the same places');
    await waitFor('the busybox screen is back', async () => (await paneText(paneOfTab(keyB).first())).trimEnd() === before.b.trimEnd());
    await waitFor('the right pane is back', async () => (await paneText(paneOfTab(keyB).nth(1))).trimEnd() === before.b2.trimEnd());
    // …and it continues live, in the same shells.
    await activateTab(keyA);
    await paneA.locator('.xterm-host').click();
    await page.keyboard.press('Control+C');
    await run(paneA, "printf '\\033[?1049l'; echo live-again-$((6*7))");
    await waitForPaneText(paneA, 'live-again-42');
    assert.match(await paneText(paneA), /green-before/, 'the normal screen under the full-screen program came back too');
    assert.equal(await shells(0, 'shell'), 1);
    assert.equal(await shells(1, 'busybox'), 2);
    assert.deepEqual(e2e.pageErrors, []);
  });

  it('a second page attached to the same session sees the same screen and both stay live', async () => {
    const other = await page.context().newPage();
    try {
      await other.goto(e2e.url);
      // A new page shows no tab of its own; the host's sessions are listed, ready to attach.
      await other.getByTestId('sessions-list').waitFor({ timeout: 15_000 });
      assert.equal(await other.getByTestId('session-row').count(), 3);
      await shotOf(other, 'reattach-sessions-list');
      const id = (await page.getByTestId('terminal-pane').first().getAttribute('data-session-id'))!;
      await other.locator(`[data-testid=session-row][data-session-id="${id}"]`).click();
      const mirror = other.getByTestId('terminal-pane').first();
      await waitFor('attached', async () => (await mirror.getAttribute('data-state')) === 'connected');
      await run(page.getByTestId('terminal-pane').first(), 'echo from-first-$((2*2))');
      await waitForPaneText(mirror, 'from-first-4');
      await mirror.locator('.xterm-host').click();
      await other.keyboard.type('echo from-second-$((3*3))');
      await other.keyboard.press('Enter');
      await waitForPaneText(page.getByTestId('terminal-pane').first(), 'from-second-9');
      await waitForPaneText(mirror, 'from-second-9');
      // The first page lists the sessions it does not show: none, both pages show the same one.
      await other.getByTestId('sessions-button').click();
      await other.getByTestId('sessions-menu').waitFor();
      assert.equal(await other.getByTestId('sessions-menu').getByTestId('session-row').count(), 2);
      await shotOf(other, 'reattach-sessions-menu');
    } finally {
      await other.close();
    }
  });

  it('a cluster that drops while the page is away shows its sessions disconnected when the page comes back', async () => {
    const c2 = e2e.clusters.clusters[1];
    const blank = await page.context().newPage();
    await page.close();
    page = blank;
    await c2.closeServer();
    try {
      await waitFor('the host saw the drop', () => e2e.kubedeck.terminals.list({ id: 'probe', who: 'probe', emit: () => undefined }).filter((s) => s.context === 'kd-test-2' && s.state.state === 'disconnected').length === 2, 20_000);
      await page.goto(e2e.url);
      await page.getByTestId('sessions-list').waitFor({ timeout: 15_000 });
      // A new page (not the reloaded one: that one was closed) lists them, disconnected.
      const rows = page.locator('[data-testid=session-row]');
      await waitFor('three sessions listed', async () => (await rows.count()) === 3);
      assert.equal(await rows.filter({ hasText: 'disconnected' }).count(), 2);
      await rows.filter({ hasText: 'kd-test-2' }).first().click();
      const pane = page.getByTestId('terminal-pane').first();
      await waitState(pane, 'disconnected');
      await shot('reattach-disconnected');
    } finally {
      await c2.start();
    }
    // The old page's layout went with it: attach the other two from the list, then reconnect what dropped.
    for (let i = 0; i < 2; i++) {
      await page.getByTestId('sessions-button').click();
      await page.getByTestId('sessions-menu').getByTestId('session-row').first().click();
    }
    const panes = page.getByTestId('terminal-pane');
    await waitFor('three panes', async () => (await panes.count()) === 3);
    for (let i = 0; i < 3; i++) {
      const pane = panes.nth(i);
      await page.getByTestId('tab').nth(i).click();
      await waitFor('reconnected', async () => {
        const st = await pane.getAttribute('data-state');
        if (st === 'connected') return true;
        if (st === 'disconnected' || st === 'exited') await pane.getByTestId('pane-reconnect').click().catch(() => undefined);
        return false;
      }, 30_000);
    }
    await page.getByTestId('tab').first().click();
    await run(panes.first(), 'echo back-$((8*8))');
    await waitForPaneText(panes.first(), 'back-64');
    await waitFor('one shell per session', async () => (await shells(1, 'busybox')) === 2, 10_000);
  });

  it('50 reloads in a row leave exactly one shell per session', async () => {
    for (let i = 0; i < 50; i++) await page.reload({ waitUntil: 'domcontentloaded' });
    const panes = page.getByTestId('terminal-pane');
    // Each tab gets its terminal when it is first shown after the reload.
    for (let i = 0; i < 3; i++) await page.getByTestId('tab').nth(i).click();
    await waitFor('attached again', async () => (await panes.evaluateAll((els) => els.filter((e) => e.getAttribute('data-state') === 'connected').length)) === 3, 30_000);
    await page.getByTestId('tab').first().click();
    assert.equal(await shells(0, 'shell'), 1);
    assert.equal(await shells(1, 'busybox'), 2);
    await run(panes.first(), 'echo after-50-$((25*2))');
    await waitForPaneText(panes.first(), 'after-50-50');
    assert.deepEqual(e2e.pageErrors, []);
  });

  it('a page closed for good leaves its shell only for the grace period, then none', async () => {
    e2e.kubedeck.settings.set(TERMINALS_GRACE_SECONDS, 2);
    const other = await page.context().newPage();
    await other.goto(e2e.url);
    await other.locator('[data-testid=pod-row][data-context="kd-test-1"][data-pod="busybox"]').dblclick();
    const pane = other.getByTestId('terminal-pane').first();
    await waitFor('connected', async () => (await pane.getAttribute('data-state')) === 'connected');
    assert.equal(await shells(0, 'busybox'), 1);
    await other.close();
    await waitFor('the grace period passed and the shell is gone', async () => (await shells(0, 'busybox')) === 0, 20_000);
    // The sessions of the page still open were attached all along: untouched.
    assert.equal(await shells(0, 'shell'), 1);
  });
});
