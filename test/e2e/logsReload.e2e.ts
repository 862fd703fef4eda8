/**
 * Log tabs across a page reload, and the log tab's Wrap toggle, end to end (Chromium → serve mode → a test
 * cluster with pods that log): after a reload the log tabs are back among the terminal tabs in the same order,
 * on the same pod and workload, the same tab shown, and following again (new lines arrive); a long line wraps
 * onto several rows with Wrap on, and with it off stays on one row that scrolls sideways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { LOG_PODS } from '../cluster/index.ts';
import { startE2E, waitFor, type E2E } from './helpers.ts';
import { endE2E, terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const { podRow, tabs, openPod, waitState } = terminalTabs(() => page);
const SHOTS = process.env.KUBEDECK_E2E_SHOTS;

interface Hook { kubedeckTest?: { terminalText(key: string): string | undefined } }
const logText = (key: string) => page.evaluate((k) => (window as Hook).kubedeckTest?.terminalText(`logs:${k}`) ?? '', key);
const ticksIn = (text: string) => [...text.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));

/** A line of 400-odd characters between two markers, written once. */
const LONG = { namespace: 'default', pod: { name: 'longline', containers: [{ name: 'main', image: 'busybox' as const, command: ['sh', '-c', 'echo "BEGIN $(seq -s - 1 120) END"; exec sleep 3600'] }] } };

async function openLogsFromMenu(pod: string, item: 'tree-logs' | 'tree-logs-workload'): Promise<string> {
  const n = await tabs().count();
  await podRow('kd-test-1', 'default', pod).click({ button: 'right' });
  await page.getByTestId(item).click();
  await waitFor('a log tab', async () => (await tabs().count()) === n + 1);
  return (await tabs().nth(n).getAttribute('data-tab-key'))!;
}

const tabSummary = () => tabs().evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.querySelector('[data-testid=tab-title]')?.textContent ?? ''}`));

describe('log tabs across a reload, and Wrap', { timeout: 150_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 1 });
    page = e2e.page;
    await e2e.clusters.clusters[0].addPods([...LOG_PODS, LONG]);
    await podRow('kd-test-1', 'default', 'ticker').waitFor();
    await podRow('kd-test-1', 'default', 'longline').waitFor();
  });

  after(() => endE2E(e2e, 'logs-reload-end'));

  it('log tabs come back after a reload: same order among the terminals, same pod and workload, following again', async () => {
    const { pane } = await openPod('kd-test-1', 'default', 'shell');
    await waitState(pane, 'connected');
    await openLogsFromMenu('web-7d4b9c-x2k4p', 'tree-logs-workload');
    const ticker = await openLogsFromMenu('ticker', 'tree-logs');
    await waitFor('ticks drawn', async () => ticksIn(await logText(ticker)).length >= 1, 20_000);
    const before = await tabSummary();
    assert.deepEqual(before.map((t) => t.split(' ')[0]), ['terminal', 'logs', 'logs']);

    await page.reload();
    await waitFor('the tabs back', async () => (await tabs().count()) === 3, 20_000);
    assert.deepEqual(await tabSummary(), before);
    // The ticker's tab is the one shown, and its log follows again: new ticks keep arriving.
    const shown = page.locator('[data-testid=tab][aria-selected=true]');
    const key = (await shown.getAttribute('data-tab-key'))!;
    assert.match((await shown.textContent()) ?? '', /logs ticker/);
    await waitFor('ticks drawn after the reload', async () => ticksIn(await logText(key)).length >= 1, 20_000);
    const seen = Math.max(...ticksIn(await logText(key)));
    await waitFor('a new tick arrives', async () => Math.max(...ticksIn(await logText(key))) > seen, 20_000);
    // The workload's tab has both pods' lines.
    await tabs().nth(1).click();
    const wkey = (await tabs().nth(1).getAttribute('data-tab-key'))!;
    await waitFor('both pods in the workload tab', async () => {
      const t = await logText(wkey);
      return t.includes('web-7d4b9c-x2k4p GET') && t.includes('web-7d4b9c-q8m3n GET');
    }, 20_000);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/logs-after-reload.png` });
  });

  it('Wrap on: a long line wraps onto several rows; off: it stays on one row and the log scrolls sideways', async () => {
    const key = await openLogsFromMenu('longline', 'tree-logs');
    const view = page.locator(`[data-testid=log-view][data-tab-key="${key}"]`);
    const scroller = view.getByTestId('log-terminal');
    await waitFor('the long line drawn', async () => (await logText(key)).includes('BEGIN'), 20_000);
    assert.equal(await view.getByTestId('log-wrap').isChecked(), true);
    const rowOf = (text: string, what: string) => text.split('\n').findIndex((l) => l.includes(what));
    await waitFor('the line wrapped', async () => {
      const t = await logText(key);
      return rowOf(t, 'END') > rowOf(t, 'BEGIN');
    });
    const sideways = () => scroller.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    assert.equal(await sideways(), false, 'nothing to scroll sideways while wrapping');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/logs-wrap-on.png` });

    await view.getByTestId('log-wrap').uncheck();
    await waitFor('the line on one row', async () => {
      const t = await logText(key);
      const b = rowOf(t, 'BEGIN');
      return b >= 0 && b === rowOf(t, 'END');
    });
    await waitFor('the log scrolls sideways', sideways);
    // Scrolled to its end, the end of the line is in view.
    await scroller.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/logs-wrap-off.png` });
    await view.getByTestId('log-wrap').check();
    await waitFor('wrapped again', async () => {
      const t = await logText(key);
      return rowOf(t, 'END') > rowOf(t, 'BEGIN') && !(await sideways());
    });
    assert.deepEqual(e2e.pageErrors, []);
  });
});
