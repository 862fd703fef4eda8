// The files view from the keyboard: after every folder change the list keeps the keyboard, the
// New folder, Rename and path boxes take it when they open, the delete prompt says what it will do and
// Enter answers it; double-click (or Enter) on a file copies it to the other pane, as F5 does.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';

let e2e: E2E;
let page: Page;
let tmp: string;

const pane = (side: 'left' | 'right') => page.getByTestId(`pane-${side}`);
const row = (side: 'left' | 'right', name: string) => page.getByTestId(`list-${side}`).locator(`[data-testid="file-row"][data-name="${name}"]`);
const at = (side: 'left' | 'right', dir: string) => waitFor(`${side} pane at ${dir}`, async () => (await pane(side).getAttribute('data-path')) === dir);

/** Types a path into the path box, which must have the keyboard as soon as it opens. */
async function typePath(side: 'left' | 'right', dir: string): Promise<void> {
  await waitFor(`the ${side} pane to open`, async () => !!(await pane(side).getAttribute('data-path')));
  await pane(side).getByRole('button', { name: 'Edit path' }).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(dir);
  await page.keyboard.press('Enter');
  await at(side, dir);
}

before(async () => {
  e2e = await startE2E({ clusters: 1, viewport: { width: 1400, height: 900 } });
  page = e2e.page;
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-files-keys-e2e-'));
  await fsp.writeFile(path.join(tmp, 'alone.txt'), 'one file\n');
  await fsp.mkdir(path.join(tmp, 'sub'));
  await fsp.writeFile(path.join(tmp, 'sub', 'inner.txt'), 'inside\n');
  await page.getByTestId('view-files').click();
  await page.getByTestId('pick-pod').selectOption('shell');
  await typePath('left', tmp);
  await typePath('right', '/tmp');
});

after(async () => {
  await e2e?.stop();
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

test('the list keeps the keyboard across folder changes (Enter, Backspace, F7)', async () => {
  await row('left', 'alone.txt').click();
  // Folders sort first: Home is the folder.
  await page.keyboard.press('Home');
  await waitFor('the cursor on sub', async () => (await row('left', 'sub').getAttribute('aria-selected')) === 'true');
  await page.keyboard.press('Enter');
  await at('left', path.join(tmp, 'sub'));
  assert.equal(await page.getByTestId('list-left').evaluate((el) => el === el.ownerDocument.activeElement), true, 'the list has the keyboard');
  assert.match((await pane('left').locator('.foot').textContent()) ?? '', /^1 item\b/);
  await page.keyboard.press('Backspace');
  await at('left', tmp);
  // Back up, the cursor is on the folder we came from.
  await waitFor('sub selected again', async () => (await row('left', 'sub').getAttribute('aria-selected')) === 'true');
  await page.keyboard.press('F7');
  await page.getByTestId('ask-input').waitFor();
  await page.keyboard.type('made by keys');
  await page.keyboard.press('Enter');
  await row('left', 'made by keys').waitFor();
  assert.ok((await fsp.stat(path.join(tmp, 'made by keys'))).isDirectory());
});

test('Rename opens with the keyboard in its box', async () => {
  await row('left', 'made by keys').click();
  await page.getByTestId('rename-left').click();
  await page.getByTestId('ask-input').waitFor();
  await page.keyboard.type('renamed by keys');
  await page.keyboard.press('Enter');
  await row('left', 'renamed by keys').waitFor();
});

test('deleting one file asks about that file only, and Enter confirms', async () => {
  await row('left', 'alone.txt').click();
  await page.keyboard.press('Delete');
  assert.equal(await page.getByTestId('ask-question').textContent(), 'Delete “alone.txt”? This cannot be undone.');
  await page.keyboard.press('Enter');
  await row('left', 'alone.txt').waitFor({ state: 'detached' });
  await assert.rejects(fsp.stat(path.join(tmp, 'alone.txt')));
  // A folder is different: its contents go too, and the prompt says so.
  await row('left', 'renamed by keys').click();
  await page.keyboard.press('Delete');
  assert.equal(await page.getByTestId('ask-question').textContent(), 'Delete “renamed by keys” and everything in it? This cannot be undone.');
  await page.keyboard.press('Escape');
  await page.getByTestId('ask-left').waitFor({ state: 'detached' });
});

test('double-click on a file copies it to the other pane', async () => {
  await row('left', 'sub').dblclick();
  await at('left', path.join(tmp, 'sub'));
  await row('left', 'inner.txt').dblclick();
  await row('right', 'inner.txt').waitFor({ timeout: 15_000 });
  const copied = await fsp.readFile(path.join(e2e.clusters.clusters[0].rootOf('default', 'shell', 'main'), 'tmp', 'inner.txt'), 'utf8');
  assert.equal(copied, 'inside\n');
});

test('the page threw no errors', () => {
  assert.deepEqual(e2e.pageErrors, []);
});
