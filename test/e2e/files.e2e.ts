// The files view end to end, through serve mode in Chromium: drag a local file onto the pod pane and
// see it listed; download a folder with the copy button; drop a file "from the OS"; cancel a large
// download and find no partial file. KD_SCREENSHOTS=<dir> saves PNGs to look at.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';

const shots = process.env.KD_SCREENSHOTS;
let e2e: E2E;
let page: Page;
let tmp: string;
const podRoot = () => e2e.clusters.clusters[0].rootOf('default', 'shell', 'main');

async function shot(name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

async function goLocal(dir: string): Promise<void> {
  await waitFor('the local pane to open', async () => !!(await page.getByTestId('pane-left').getAttribute('data-path')));
  await page.getByTestId('pane-left').getByRole('button', { name: 'Edit path' }).click();
  await page.getByTestId('path-input-left').fill(dir);
  await page.getByTestId('path-input-left').press('Enter');
  await waitFor(`left pane at ${dir}`, async () => (await page.getByTestId('pane-left').getAttribute('data-path')) === dir);
}

async function goRemote(dir: string): Promise<void> {
  await waitFor('the container pane to open', async () => !!(await page.getByTestId('pane-right').getAttribute('data-path')));
  await page.getByTestId('pane-right').getByRole('button', { name: 'Edit path' }).click();
  await page.getByTestId('path-input-right').fill(dir);
  await page.getByTestId('path-input-right').press('Enter');
  await waitFor(`right pane at ${dir}`, async () => (await page.getByTestId('pane-right').getAttribute('data-path')) === dir);
}

const row = (side: 'left' | 'right', name: string) => page.getByTestId(`list-${side}`).locator(`[data-testid="file-row"][data-name="${name}"]`);

before(async () => {
  e2e = await startE2E({ clusters: 1, viewport: { width: 1400, height: 900 } });
  page = e2e.page;
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-files-e2e-'));
  await fsp.writeFile(path.join(tmp, 'hello e2e.txt'), 'hello from the local side\n');
  await fsp.mkdir(path.join(tmp, 'sub folder'));
  await page.getByTestId('view-files').click();
  await page.getByTestId('pick-pod').selectOption('shell');
  await goLocal(tmp);
  await goRemote('/tmp');
});

after(async () => {
  await e2e?.stop();
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

test('drag a file from the local pane to the pod pane and see it listed', async () => {
  await row('left', 'hello e2e.txt').dragTo(page.getByTestId('list-right'));
  await row('right', 'hello e2e.txt').waitFor({ timeout: 15_000 });
  assert.equal(await fsp.readFile(path.join(podRoot(), 'tmp/hello e2e.txt'), 'utf8'), 'hello from the local side\n');
  const item = page.getByTestId('transfer-item').first();
  await assert.doesNotReject(item.getByTestId('item-verified').waitFor());
  assert.match(await item.getByTestId('item-verified').innerText(), /(blake2b|sha256) ok/);
  await shot('files-after-drag');
});

test('a conflict skipped by policy can be resolved from the queue', async () => {
  await page.getByTestId('conflict-policy').selectOption('skip');
  await row('left', 'hello e2e.txt').click();
  await page.getByTestId('copy-right').click();
  const skipped = page.locator('[data-testid="transfer-item"][data-state="skipped"]').first();
  await skipped.waitFor({ timeout: 15_000 });
  await skipped.getByTestId('resolve-keepboth').click();
  await row('right', 'hello e2e (1).txt').waitFor({ timeout: 15_000 });
  assert.equal(await fsp.readFile(path.join(podRoot(), 'tmp/hello e2e (1).txt'), 'utf8'), 'hello from the local side\n');
  await page.getByTestId('conflict-policy').selectOption('keepBoth');
});

test('download a folder with the copy button', async () => {
  const dir = path.join(podRoot(), 'tmp/report ✓');
  await fsp.mkdir(path.join(dir, 'inner'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'a.txt'), 'A');
  await fsp.writeFile(path.join(dir, 'inner/b.txt'), 'B');
  await page.getByTestId('refresh-right').click();
  await row('right', 'report ✓').click();
  await page.getByTestId('copy-left').click();
  await row('left', 'report ✓').waitFor({ timeout: 15_000 });
  assert.equal(await fsp.readFile(path.join(tmp, 'report ✓/inner/b.txt'), 'utf8'), 'B');
  assert.equal(await fsp.readFile(path.join(tmp, 'report ✓/a.txt'), 'utf8'), 'A');
});

test('a file dropped from the OS is uploaded into the pod', async () => {
  // What the browser hands over on an OS drop: a DataTransfer with File objects.
  const dt = await page.evaluateHandle(`(() => { const dt = new DataTransfer(); dt.items.add(new File(['dropped bytes'], 'from-os.txt')); return dt; })()`);
  await page.getByTestId('list-right').dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId('list-right').dispatchEvent('drop', { dataTransfer: dt });
  await row('right', 'from-os.txt').waitFor({ timeout: 15_000 });
  assert.equal(await fsp.readFile(path.join(podRoot(), 'tmp/from-os.txt'), 'utf8'), 'dropped bytes');
});

test('a dropped file of several upload chunks arrives byte for byte (binary call frames)', async () => {
  // 2.5 MiB and 3 bytes of every byte value: three 1 MiB stageUpload chunks, the last one short.
  const size = 2.5 * 1024 * 1024 + 3;
  const byteAt = (i: number): number => (i * 31 + (i >> 12)) & 0xff;
  const dt = await page.evaluateHandle(`(() => {
    const b = new Uint8Array(${size});
    for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 12)) & 0xff;
    const dt = new DataTransfer();
    dt.items.add(new File([b], 'big drop.bin'));
    return dt;
  })()`);
  await page.getByTestId('list-right').dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId('list-right').dispatchEvent('drop', { dataTransfer: dt });
  await row('right', 'big drop.bin').waitFor({ timeout: 30_000 });
  const got = await fsp.readFile(path.join(podRoot(), 'tmp/big drop.bin'));
  assert.equal(got.length, size);
  const expected = Buffer.alloc(size);
  for (let i = 0; i < size; i++) expected[i] = byteAt(i);
  assert.ok(got.equals(expected), 'the bytes in the pod are the bytes dropped');
});

test('new folder, rename and delete (with confirmation) in the pod pane', async () => {
  await page.getByTestId('mkdir-right').click();
  await page.getByTestId('ask-input').fill('made here');
  await page.getByTestId('confirm-ask').click();
  await row('right', 'made here').waitFor();
  await page.getByTestId('rename-right').click();
  await page.getByTestId('ask-input').fill('renamed here');
  await page.getByTestId('confirm-ask').click();
  await row('right', 'renamed here').waitFor();
  await page.getByTestId('delete-right').click();
  await page.getByTestId('confirm-delete').click();
  await row('right', 'renamed here').waitFor({ state: 'detached' });
  await assert.rejects(fsp.stat(path.join(podRoot(), 'tmp/renamed here')));
  // Every change in a container is in the audit trail.
  const kinds = (await e2e.kubedeck.audit.read()).map((e) => e.kind);
  for (const k of ['files.transfer', 'files.mkdir', 'files.rename', 'files.delete']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(' ')}`);
});

test('filter, hidden files, sort and keyboard navigation', async () => {
  await fsp.writeFile(path.join(tmp, '.dotfile'), 'hidden');
  await page.getByTestId('refresh-left').click();
  const names = async () => page.getByTestId('list-left').locator('[data-testid="file-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''));
  await waitFor('left refreshed', async () => (await names()).length >= 3);
  assert.ok(!(await names()).includes('.dotfile'));
  await page.getByTestId('hidden-left').check();
  await waitFor('dotfile shown', async () => (await names()).includes('.dotfile'));
  await page.getByTestId('filter-left').fill('hello');
  await waitFor('filtered', async () => JSON.stringify(await names()) === JSON.stringify(['hello e2e.txt']));
  await page.getByTestId('filter-left').fill('');
  // Folders first, then files; a click on Name reverses.
  const before = await names();
  await page.getByTestId('pane-left').getByRole('button', { name: /^Name/ }).click();
  const reversed = await names();
  assert.notDeepEqual(reversed, before);
  await page.getByTestId('pane-left').getByRole('button', { name: /^Name/ }).click();
  // Keys: End selects the last row, Home the first, Enter opens a folder, Backspace goes up.
  await page.getByTestId('list-left').focus();
  await page.keyboard.press('Home');
  const first = (await names())[0];
  assert.equal(await row('left', first).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await waitFor('opened the first folder', async () => (await page.getByTestId('pane-left').getAttribute('data-path')) === path.join(tmp, first));
  await page.keyboard.press('Backspace');
  await waitFor('back up', async () => (await page.getByTestId('pane-left').getAttribute('data-path')) === tmp);
  await page.getByTestId('hidden-left').uncheck();
  await shot('files-local-pane');
});

test('cancel a large transfer and find no partial file', async () => {
  const big = path.join(podRoot(), 'tmp/large.bin');
  const block = randomBytes(1 << 20);
  const fh = await fsp.open(big, 'w');
  for (let i = 0; i < 768; i++) {
    block.writeUInt32BE(i, 0);
    await fh.write(block);
  }
  await fh.close();
  await page.getByTestId('refresh-right').click();
  await row('right', 'large.bin').click();
  await page.getByTestId('copy-left').click();
  const t = page.locator('[data-testid="transfer"][data-state="running"]').first();
  await t.waitFor({ timeout: 15_000 });
  await waitFor('some bytes', async () => /[1-9]/.test((await t.getByTestId('transfer-bytes').innerText()).split('/')[0]));
  await shot('files-transfer-running');
  await t.getByTestId('cancel-transfer').click();
  await page.locator('[data-testid="transfer"][data-state="cancelled"]').first().waitFor({ timeout: 15_000 });
  const left = await fsp.readdir(tmp);
  assert.ok(!left.includes('large.bin'), left.join(', '));
  assert.deepEqual(left.filter((n) => n.startsWith('.kubedeck')), []);
  await shot('files-cancelled');
  assert.deepEqual(e2e.pageErrors, []);
});

test('cancel a large upload: no partial file, no staging folder, no copy process left in the container', async () => {
  const big = path.join(tmp, 'large-up.bin');
  const block = randomBytes(1 << 20);
  const fh = await fsp.open(big, 'w');
  for (let i = 0; i < 768; i++) {
    block.writeUInt32BE(i, 0);
    await fh.write(block);
  }
  await fh.close();
  await page.getByTestId('refresh-left').click();
  await row('left', 'large-up.bin').click();
  await page.getByTestId('copy-right').click();
  const t = page.locator('[data-testid="transfer"][data-state="running"]').first();
  await t.waitFor({ timeout: 15_000 });
  await waitFor('some bytes', async () => /[1-9]/.test((await t.getByTestId('transfer-bytes').innerText()).split('/')[0]));
  await t.getByTestId('cancel-transfer').click();
  await page.locator('[data-testid="transfer"][data-state="cancelled"]').first().waitFor({ timeout: 15_000 });
  const inPod = path.join(podRoot(), 'tmp');
  await waitFor('the staging folder removed in the container', async () => !(await fsp.readdir(inPod)).some((n) => n.startsWith('.kubedeck')));
  assert.ok(!(await fsp.readdir(inPod)).includes('large-up.bin'));
  await waitFor('no copy process left in the container', async () => {
    const procs = await e2e.clusters.clusters[0].processes('default', 'shell', 'main');
    return !procs.some((p) => /\b(cat|tee|tar|gzip|sha256sum|b2sum|dd)\b/.test(p.command));
  });
  await fsp.rm(big);
  assert.deepEqual(e2e.pageErrors, []);
});

test('a deep link opens a container at a folder (what a terminal tab links to)', async () => {
  await page.getByTestId('view-terminals').click();
  await page.evaluate(`location.hash = '#/files/kd-test-1/default/busybox/main/etc'`);
  await waitFor('files view shown', async () => (await page.getByTestId('view-files').getAttribute('aria-current')) === 'page');
  await waitFor('busybox at /etc', async () => (await page.getByTestId('pane-right').getAttribute('data-path')) === '/etc');
  assert.equal(await page.getByTestId('pick-pod').inputValue(), 'busybox');
  await row('right', 'passwd').waitFor();
  await shot('files-deep-link');
  // Going to a file as if it were a folder keeps the listing and says why.
  await page.getByTestId('pane-right').getByRole('button', { name: 'Edit path' }).click();
  await page.getByTestId('path-input-right').fill('/etc/passwd');
  await page.getByTestId('path-input-right').press('Enter');
  await page.getByTestId('nav-error-right').waitFor();
  assert.match(await page.getByTestId('nav-error-right').innerText(), /Not a folder/);
  assert.equal(await page.getByTestId('pane-right').getAttribute('data-path'), '/etc');
});
