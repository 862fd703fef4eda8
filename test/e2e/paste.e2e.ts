/**
 * A paste longer than serve mode's writeTerminal limit (256 KiB a frame) reaches the shell whole and in
 * order: the page splits it (renderer/src/lib/pasteChunks.ts). Pasted the way a browser does, as a paste
 * event on the terminal, into `head -c` in the pod, whose file is compared with what was pasted.
 */
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { startE2E, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { terminalTabs } from './terminalTabs.ts';

let e2e: E2E;
const { podRow, openPod, waitState, run } = terminalTabs(() => e2e.page);

before(async () => {
  e2e = await startE2E({ clusters: 1 });
  await podRow('kd-test-1', 'default', 'shell').waitFor();
});

after(() => e2e?.stop());

it('pastes 700 KB into a shell in order, split below the limit', { timeout: 120_000 }, async () => {
  const { pane } = await openPod('kd-test-1', 'default', 'shell');
  await waitState(pane, 'connected');
  // No line editing (a canonical line holds 4 KiB) and no echo (700 KB of it would only slow the test).
  const size = 700_000;
  await run(pane, `stty -icanon -echo; head -c ${size} > /tmp/pasted.txt; stty sane; echo paste-$((1+1))-done`);
  // Numbered pieces, so that a chunk out of order or lost shows; 'é' (2 bytes of UTF-8) so that frames are not text length.
  const text = Array.from({ length: size / 10 }, (_, i) => `${String(i).padStart(8, '0')}é`).join('');
  assert.equal(Buffer.byteLength(text), size);
  await pane.locator('.xterm-host').click();
  // What a browser does on Ctrl+V: a paste event with the clipboard's text, at the focused element (the page's
  // globals are not in this Node tsconfig, hence a script as text, as files.e2e.ts does).
  await e2e.page.evaluate(`(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', ${JSON.stringify(text)});
    (document.activeElement ?? document.body).dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  })()`);
  await waitForPaneText(pane, 'paste-2-done', 60_000);
  const file = path.join(e2e.clusters.clusters[0].rootOf('default', 'shell', 'main'), 'tmp/pasted.txt');
  const got = await waitFor('the pasted file', async () => (await fsp.readFile(file).catch(() => undefined))?.length === size && fsp.readFile(file, 'utf8'));
  assert.ok(got === text, `the pod got ${got.length} characters, not the ${text.length} pasted in order`);
  assert.deepEqual(e2e.pageErrors, []);
});
