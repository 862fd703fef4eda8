// Recordings end to end, through serve mode in Chromium: a terminal session that prints a known word is
// recorded; searching for the word in the recordings view lists a hit; clicking it opens the player at that
// moment with the word on screen; seeking and speed change what the player shows. The audit view shows an
// intact chain, then a broken one after the file is edited behind Kubedeck's back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Kubedeck } from '../../main/core/kubedeck.ts';
import { startE2E, waitFor as until, type E2E } from './helpers.ts';
import { sleep } from '../util/wait.ts';

/** KD_SCREENSHOTS=<dir> saves a PNG at each step, to look at. */
const shots = process.env.KD_SCREENSHOTS;

let e2e: E2E;
let page: Page;
let kubedeck: Kubedeck;


async function shot(name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** The text the player shows now (its xterm buffer's visible rows). */
async function playerScreen(): Promise<string> {
  // A string, because this tsconfig has no DOM types (the function runs in the page).
  const text = await page.evaluate(`(() => {
    const host = document.querySelector('[data-testid="player-screen"] > div');
    return host && host.screenText ? host.screenText() : '';
  })()`);
  return String(text);
}

before(async () => {
  e2e = await startE2E({ clusters: 1, viewport: { width: 1400, height: 900 }, hash: '#/terminal/kd-test-1/default/shell/main' });
  page = e2e.page;
  kubedeck = e2e.kubedeck;
});

after(async () => {
  await e2e?.stop();
});

test('a recorded word is found, played at that moment, and seek and speed change what is shown', async () => {
  const store = kubedeck.recordings;
  // The deep link opens a shell; its recording appears (live) once the session runs.
  const live = await until('a live recording', async () => (await store.list()).find((r) => r.live && r.size > 300));
  await page.locator('[data-testid="terminal-pane"] .xterm').first().click();
  // $((6*7)) keeps the word out of the echoed command line: only the output contains KUBEWORD-42.
  await page.keyboard.type('echo KUBEWORD-$((6*7))\n');
  await until('the word in the recording', async () => (await store.search('KUBEWORD-42')).length > 0);
  await sleep(1500);
  await page.keyboard.type('echo AFTERWORD-$((1+1))\n');
  await until('the second word in the recording', async () => (await store.search('AFTERWORD-2')).length > 0);
  await shot('rec-1-terminal');

  await page.locator('[data-testid="view-recordings"]').click();
  const row = page.locator(`[data-testid="recording-row"][data-id="${live.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /kd-test-1\s+default\s+shell\s+main/);

  await page.locator('[data-testid="recordings-search"]').fill('kubeword-42');
  await page.locator('[data-testid="recordings-search-button"]').click();
  const hit = page.locator('[data-testid="search-hit"]');
  await hit.first().waitFor();
  assert.equal(await hit.count(), 1);
  assert.match(await hit.first().innerText(), /KUBEWORD-42/);
  await shot('rec-2-search');
  await hit.first().click();

  const player = page.locator('[data-testid="player"]');
  await player.waitFor();
  await until('the word on the player screen', async () => (await playerScreen()).includes('KUBEWORD-42'));
  assert.ok(!(await playerScreen()).includes('AFTERWORD-2'), 'the player stands at the moment of the hit, before the later output');
  assert.equal(await player.getAttribute('data-playing'), 'false');
  await shot('rec-3-player-at-hit');
  // The hit is selected on screen: Copy selection puts exactly the word on the clipboard.
  await page.getByRole('button', { name: 'Copy selection' }).click();
  await page.getByText(/Copied \d+ characters/).waitFor();
  assert.equal(await page.evaluate('navigator.clipboard.readText()'), 'KUBEWORD-42');

  // Seek to the start: the word is not there yet.
  await page.locator('[data-testid="player-seek"]').fill('0');
  await until('an empty screen at 0', async () => !(await playerScreen()).includes('KUBEWORD-42'));
  // Seek to the end: both words.
  const max = Number(await page.locator('[data-testid="player-seek"]').getAttribute('max'));
  await page.locator('[data-testid="player-seek"]').fill(String(max));
  await until('both words at the end', async () => {
    const s = await playerScreen();
    return s.includes('KUBEWORD-42') && s.includes('AFTERWORD-2');
  });

  // Speed: from the start at 16×, the player gets further in the same wall time than at 0.5×.
  async function advanceIn(speed: string, ms: number): Promise<number> {
    await page.locator('[data-testid="player-seek"]').fill('0');
    await page.locator('[data-testid="player-speed"]').selectOption(speed);
    await page.locator('[data-testid="player-play"]').click();
    await sleep(ms);
    // At the end the player stops by itself; a click then would start it again from 0.
    if ((await player.getAttribute('data-playing')) === 'true') await page.locator('[data-testid="player-play"]').click();
    return Number(await player.getAttribute('data-position'));
  }
  const slow = await advanceIn('0.5', 600);
  const fast = await advanceIn('16', 600);
  assert.ok(slow > 0 && slow < 0.6, `0.5× went to ${slow}`);
  assert.ok(fast > Math.min(max, 4 * slow), `16× went to ${fast}, 0.5× to ${slow}`);
  // At 16× the whole session is over in well under its real length: both words appear.
  await page.locator('[data-testid="player-seek"]').fill('0');
  await page.locator('[data-testid="player-play"]').click();
  await until('playback to the end at 16×', async () => (await playerScreen()).includes('AFTERWORD-2'), (max / 16) * 1000 + 5000);
  await shot('rec-4-player-end');

  // The shell exits with 3: the list shows the exit code, the player an `exit 3` marker to jump to.
  await page.locator('[data-testid="view-terminals"]').click();
  await page.locator('[data-testid="terminal-pane"] .xterm').first().click();
  await page.keyboard.type('exit 3\n');
  await until('the exit code in the list', async () => (await store.list()).find((r) => r.id === live.id && !r.live && r.exitCode === 3));
  await page.locator('[data-testid="view-recordings"]').click();
  await until('the list to show exit 3', async () => /\b3$/.test((await row.innerText()).trim()));
  await row.click();
  await page.getByRole('button', { name: /exit 3/ }).waitFor();
  await page.locator('[data-testid="player-seek"]').fill('0');
  await page.locator('[data-testid="player-next-marker"]').click();
  const at = Number(await player.getAttribute('data-position'));
  const end = Number(await page.locator('[data-testid="player-seek"]').getAttribute('max'));
  assert.ok(Math.abs(at - end) < 0.01, `the exit marker is the last event (${at} of ${end})`);
  // The jump replays the recording into xterm, whose writes are asynchronous: wait for the screen to catch up.
  await until('the screen at the exit marker', async () => /AFTERWORD-2[\s\S]*exit 3/.test(await playerScreen()));
  await shot('rec-6-exited');
  assert.deepEqual(e2e.pageErrors, []);
});

/**
 * A recording made in a terminal much wider and taller than the player (156 × 48), written as a file the
 * way the recorder writes one: a ruler across every column, a word after a long pause (so the idle limit
 * shortens the timeline), more output after it.
 */
async function writeWideRecording(id: string): Promise<void> {
  const ruler = Array.from({ length: 156 }, (_, i) => String((i + 1) % 10)).join('').slice(0, 150) + 'END156';
  const header = { version: 2, width: 156, height: 48, timestamp: Math.floor(Date.now() / 1000) - 600, env: { TERM: 'xterm-256color', SHELL: '/bin/bash' }, kubedeck: { context: 'kd-test-1', namespace: 'default', pod: 'wide', container: 'main', command: [] } };
  const events: [number, string, string][] = [
    [0.4, 'o', 'bash-5.2# tput cols lines\r\n156\r\n48\r\n'],
    [0.9, 'o', ruler + '\r\n'],
    ...Array.from({ length: 40 }, (_, i): [number, string, string] => [1 + i * 0.01, 'o', `line ${i + 1}\r\n`]),
    [148.3, 'o', 'bash-5.2# echo found\r\nWIDEHIT-77 at the bottom right' + ' '.repeat(90) + 'RIGHTEDGE\r\n'],
    [150.1, 'o', 'bash-5.2# later output LATERWORD\r\n'],
  ];
  const text = [JSON.stringify(header), ...events.map((e) => JSON.stringify(e))].join('\n') + '\n';
  await writeFile(path.join(kubedeck.recordings.dir, `${id}.cast`), text);
  await writeFile(path.join(kubedeck.recordings.dir, `${id}.meta.json`), JSON.stringify({ duration: 150.1, closed: true }));
}

/** Where the player's terminal and its box are on the page, and whether the box scrolls. */
async function playerGeometry(): Promise<{ term: DOMRectLike; box: DOMRectLike; window: { width: number; height: number }; scrolls: boolean }> {
  return (await page.evaluate(`(() => {
    const box = document.querySelector('[data-testid="player-screen"]');
    const term = box.querySelector('.xterm-screen');
    const r = (e) => { const b = e.getBoundingClientRect(); return { left: b.left, top: b.top, right: b.right, bottom: b.bottom }; };
    return { term: r(term), box: r(box), window: { width: innerWidth, height: innerHeight }, scrolls: box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1 };
  })()`)) as { term: DOMRectLike; box: DOMRectLike; window: { width: number; height: number }; scrolls: boolean };
}
type DOMRectLike = { left: number; top: number; right: number; bottom: number };

test('a recording wider and taller than the player is fitted into it; a hit opens there, in view, at the same clock', async () => {
  await writeWideRecording('20990101T000000Z_kd-test-1_default_wide_main_e2e');
  await page.locator('[data-testid="view-recordings"]').click();
  await page.getByRole('button', { name: 'Refresh' }).first().click();
  await page.locator('[data-testid="recordings-search"]').fill('widehit-77');
  await page.locator('[data-testid="recordings-search-button"]').click();
  const hit = page.locator('[data-testid="search-hit"]');
  await until('the hit in the wide recording', async () => (await hit.count()) === 1 && /WIDEHIT-77/.test(await hit.innerText()));
  assert.match(await hit.innerText(), /wide · main @ 2:28/);
  await hit.click();
  const player = page.locator('[data-testid="player"]');
  await until('the hit on the player screen', async () => (await playerScreen()).includes('WIDEHIT-77'));
  assert.ok(!(await playerScreen()).includes('LATERWORD'), 'the player stands at the hit, before the later output');
  await shot('rec-8-wide-at-hit');
  // The player's clock says the moment of the recording the hit names, whatever the idle limit did to the bar.
  assert.match(await page.locator('[data-testid="player-time"]').innerText(), /^2:28 \/ 2:30/);
  // All 156 columns and 48 rows are inside the box, the box inside the window: nothing cut, nothing to scroll to.
  const g = await playerGeometry();
  assert.ok(g.term.right <= g.box.right + 0.5 && g.term.bottom <= g.box.bottom + 0.5, `the terminal ${JSON.stringify(g.term)} fits its box ${JSON.stringify(g.box)}`);
  assert.ok(g.box.bottom <= g.window.height && g.box.right <= g.window.width, `the box ${JSON.stringify(g.box)} is in the window`);
  assert.equal(g.scrolls, false);
  const screen = await playerScreen();
  assert.match(screen, /END156/);
  assert.match(screen, /RIGHTEDGE/);
  assert.ok(Number(await player.getAttribute('data-font-size')) < 13);
  // Actual size: the base font, and the box scrolls to the rest; Fit brings it back.
  await page.getByTestId('player-fit').click();
  await until('actual size', async () => (await player.getAttribute('data-font-size')) === '13' && (await playerGeometry()).scrolls);
  await page.getByTestId('player-fit').click();
  await until('fitted again', async () => Number(await player.getAttribute('data-font-size')) < 13 && !(await playerGeometry()).scrolls);
  // Switching the theme recolours the open player's text along with its box; it kept light text on the
  // light theme's background, which looked blank.
  const colours = async () =>
    (await page.evaluate(`(() => {
      const box = document.querySelector('[data-testid="player-screen"]');
      return { text: getComputedStyle(box.querySelector('.xterm-rows')).color, box: getComputedStyle(box).backgroundColor };
    })()`)) as { text: string; box: string };
  const before = await colours();
  assert.notEqual(before.text, before.box);
  await page.getByTestId('theme-toggle').click();
  await until('the player in the other theme', async () => (await colours()).box !== before.box);
  const light = await colours();
  assert.notEqual(light.text, before.text, 'the text took the new theme');
  assert.notEqual(light.text, light.box);
  assert.match(await playerScreen(), /WIDEHIT-77[\s\S]*RIGHTEDGE/);
  await shot('rec-9-wide-light-theme');
  await page.getByTestId('theme-toggle').click();
  await until('the player back in its theme', async () => (await colours()).text === before.text);
  // The idle limit changes the bar, not the clock: without it the clock says the same.
  await page.locator('[data-testid="player-idle"]').selectOption('null');
  assert.match(await page.locator('[data-testid="player-time"]').innerText(), /^2:28 \/ 2:30/);
  await player.press('ArrowRight');
  await until('the later output', async () => (await playerScreen()).includes('LATERWORD'));
  // Another view and back (the player's box is hidden meanwhile): still fitted, at the same size.
  const fitted = await player.getAttribute('data-font-size');
  await page.locator('[data-testid="view-terminals"]').click();
  await page.locator('[data-testid="view-recordings"]').click();
  await until('the player fitted as before', async () => (await player.getAttribute('data-font-size')) === fitted && !(await playerGeometry()).scrolls);
  assert.deepEqual(e2e.pageErrors, []);
});

test('the audit view shows an intact chain, and a broken one after an edit outside Kubedeck', async () => {
  await kubedeck.audit.append('kubeconfig', 'e2e', { action: 'add', path: '/tmp/example' });
  await page.locator('[data-testid="view-audit"]').click();
  const chain = page.locator('[data-testid="audit-chain"]');
  await page.getByRole('button', { name: 'Refresh' }).last().click();
  await until('an intact chain', async () => (await chain.getAttribute('data-intact')) === 'true');
  assert.match(await chain.innerText(), /intact/);
  const rows = page.locator('[data-testid="audit-row"]');
  assert.ok((await rows.count()) >= 1);
  await page.locator('[data-testid="audit-filter"]').fill('/tmp/example');
  assert.equal(await rows.count(), 1);
  await shot('audit-1-intact');

  const file = kubedeck.audit.file;
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('/tmp/example', '/tmp/elsewhere'));
  await page.locator('[data-testid="audit-filter"]').fill('');
  await page.getByRole('button', { name: 'Refresh' }).last().click();
  await until('a broken chain', async () => (await chain.getAttribute('data-intact')) === 'false');
  assert.match(await chain.innerText(), /broken at line \d+/);
  await shot('audit-2-broken');
});

test('recording settings: never, then per cluster, saved and applied to new sessions', async () => {
  await page.locator('[data-testid="view-recordings"]').click();
  await page.locator('[data-testid="recordings-settings-button"]').click();
  const panel = page.locator('[data-testid="recordings-settings"]');
  await panel.waitFor();
  await panel.locator('[data-testid="record-per-cluster"]').check();
  await panel.getByLabel('kd-test-1').check();
  await panel.getByLabel('Record typed input too').check();
  await shot('rec-5-settings');
  await panel.locator('[data-testid="recordings-settings-save"]').click();
  await panel.getByText('Saved').waitFor();
  assert.deepEqual(kubedeck.recordings.settings.policy, { mode: 'perCluster', contexts: ['kd-test-1'] });
  assert.equal(kubedeck.recordings.settings.recordInput, true);
  assert.equal(kubedeck.recordings.shouldRecord('kd-test-1'), true);

  await panel.locator('[data-testid="record-none"]').check();
  await panel.locator('[data-testid="recordings-settings-save"]').click();
  await until('the policy saved', () => kubedeck.recordings.settings.policy.mode === 'none');
  // The form takes the saved settings back when the answer arrives: edit only after that.
  await until('the save to finish', () => panel.locator('[data-testid="recordings-settings-save"]').isEnabled());
  assert.equal(kubedeck.recordings.shouldRecord('kd-test-1'), false);
  // Persisted for the next start.
  const saved = JSON.parse(await readFile(kubedeck.recordings.settingsFile, 'utf8')) as { policy: { mode: string } };
  assert.equal(saved.policy.mode, 'none');

  // A bad value is refused with a clear message, and nothing is lost.
  await panel.locator('input[type="number"]').last().fill('0');
  await panel.locator('[data-testid="recordings-settings-save"]').click();
  await shot('rec-7-settings-error');
  await panel.getByText(/maxAgeDays must be a positive number/).waitFor();
  assert.equal(kubedeck.recordings.settings.policy.mode, 'none');
});
