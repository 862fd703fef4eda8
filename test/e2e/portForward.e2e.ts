/**
 * Port-forwards end to end (Chromium → serve mode → a test cluster's web pod): started from the tree's menu with
 * the pod's declared port offered, fetched through from this process (the listener is on the server, and the page
 * says so), counters that grow, stop; a local port in use is said in the dialog; the pod deleted ends the forward
 * with the reason. KUBEDECK_E2E_SHOTS=<dir> saves screenshots.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { WEB_POD } from '../cluster/index.ts';
import { startE2E, waitFor, type E2E } from './helpers.ts';
import { endE2E, terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const { podRow } = terminalTabs(() => page);
const shots = process.env.KUBEDECK_E2E_SHOTS;
const shot = async (name: string) => { if (shots) await page.screenshot({ path: `${shots}/${name}.png` }); };

/** Opens Port-forward… on a pod row. */
async function openDialog(pod: string, menuShot?: string): Promise<void> {
  await podRow('kd-test-1', 'default', pod).click({ button: 'right' });
  await page.getByTestId('tree-menu').waitFor();
  if (menuShot) await shot(menuShot);
  await page.getByTestId('tree-port-forward').click();
  await page.getByTestId('pf-dialog').waitFor();
}

const row = (pod: string) => page.locator(`[data-testid=pf-row][data-pod="${pod}"]`).first();

describe('port-forwards through serve mode', { timeout: 150_000 }, () => {
  before(async () => {
    e2e = await startE2E({ clusters: 1 });
    page = e2e.page;
    await e2e.clusters.clusters[0].addPod('default', WEB_POD);
    await podRow('kd-test-1', 'default', 'web').waitFor();
  });

  after(() => endE2E(e2e, 'port-forward-end'));

  it('Port-forward… on the web pod: its declared port offered, a free port, then the Forwards view shows it on the server', async () => {
    await openDialog('web', 'pf-tree-menu');
    assert.deepEqual(await page.getByTestId('pf-declared-port').allTextContents(), ['80 http']);
    assert.equal(await page.getByTestId('pf-pod-port').inputValue(), '80');
    // 80 is a privileged port: the local port defaults to any free one.
    assert.equal(await page.getByTestId('pf-local-port').inputValue(), '');
    assert.match((await page.getByTestId('pf-where').textContent()) ?? '', /on the Kubedeck server/);
    await shot('pf-dialog');
    await page.getByTestId('pf-start').click();
    await page.getByTestId('pf-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('pf-view').waitFor({ state: 'visible' });
    await row('web').waitFor();
    assert.equal(await row('web').getAttribute('data-state'), 'active');
    assert.equal(await row('web').getByTestId('pf-on-server').textContent(), 'on the server');
    assert.match((await page.getByTestId('status-forwards').textContent()) ?? '', /^1 port-forward$/);
  });

  it('a fetch through it from here makes the counters grow; Stop ends it', async () => {
    const local = (await row('web').getByTestId('pf-local').textContent()) ?? '';
    assert.match(local, /^127\.0\.0\.1:\d+$/);
    for (let i = 0; i < 3; i++) assert.equal(await (await fetch(`http://${local}/`)).text(), 'hello from web\n');
    await waitFor('counters', async () => Number(await row('web').getByTestId('pf-in').getAttribute('data-bytes')) > 0
      && (await row('web').getByTestId('pf-connections').textContent()) === '0 / 3');
    assert.ok(Number(await row('web').getByTestId('pf-out').getAttribute('data-bytes')) > 0);
    assert.match((await row('web').getByTestId('pf-in').textContent()) ?? '', /\d+ B$/);
    await shot('pf-view-active');
    await row('web').getByTestId('pf-stop').click();
    await waitFor('ended', async () => (await row('web').getAttribute('data-state')) === 'ended');
    assert.match((await row('web').getByTestId('pf-state').textContent()) ?? '', /ended: stopped by /);
    await assert.rejects(fetch(`http://${local}/`));
    await page.getByTestId('pf-clear').click();
    await page.getByTestId('pf-empty').waitFor();
  });

  it('a local port in use on the server: the dialog says so and keeps what was typed', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      await page.getByTestId('view-terminals').click();
      await openDialog('web');
      await page.getByTestId('pf-local-port').fill(String(port));
      await page.getByTestId('pf-start').click();
      const err = page.getByTestId('pf-error');
      await err.waitFor();
      assert.equal(await err.textContent(), `port ${port} is in use on the server`);
      assert.equal(await page.getByTestId('pf-local-port').inputValue(), String(port));
      await shot('pf-dialog-port-taken');
      await page.keyboard.press('Escape');
      await page.getByTestId('pf-dialog').waitFor({ state: 'detached' });
    } finally { taken.close(); }
  });

  it('nothing listens on the typed pod port: the forward stays up and its row says why the connection failed', async () => {
    await page.getByTestId('view-terminals').click();
    await openDialog('web');
    await page.getByTestId('pf-pod-port').fill('81');
    await page.getByTestId('pf-start').click();
    await page.getByTestId('pf-dialog').waitFor({ state: 'detached' });
    const r = page.locator('[data-testid=pf-row][data-pod="web"][data-state="active"]');
    await r.waitFor();
    const local = (await r.getByTestId('pf-local').textContent()) ?? '';
    await assert.rejects(fetch(`http://${local}/`));
    await r.getByTestId('pf-last-error').waitFor();
    assert.equal(await r.getByTestId('pf-last-error').textContent(), 'last connection: nothing listens on port 81 in pod web (connection refused)');
    await shot('pf-view-not-listening');
    await r.getByTestId('pf-stop').click();
    await waitFor('stopped', async () => (await r.count()) === 0);
  });

  it('the pod deleted: the forward shows it ended, with the reason', async () => {
    await e2e.clusters.clusters[0].addPod('default', { ...WEB_POD, name: 'doomed' });
    await page.getByTestId('view-terminals').click();
    await podRow('kd-test-1', 'default', 'doomed').waitFor();
    await openDialog('doomed');
    await page.getByTestId('pf-start').click();
    await row('doomed').waitFor();
    const local = (await row('doomed').getByTestId('pf-local').textContent()) ?? '';
    assert.equal(await (await fetch(`http://${local}/`)).text(), 'hello from doomed\n');
    await e2e.clusters.clusters[0].deletePod('default', 'doomed');
    await waitFor('ended', async () => (await row('doomed').getAttribute('data-state')) === 'ended');
    assert.equal((await row('doomed').getByTestId('pf-state').textContent())?.trim(), 'ended: pod doomed was deleted');
    await shot('pf-view-pod-deleted');
    assert.deepEqual(e2e.pageErrors, []);
  });
});
