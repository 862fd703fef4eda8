/**
 * `yes <line> | head -c N` typed into a tab of the real UI (serve mode, Chromium): from Enter until the
 * final screen is drawn, with the DOM or the WebGL renderer. The command ends by setting a prompt that
 * was never on the screen before (`KD42> `), so "final" is unambiguous: once that prompt is in the page's
 * buffer after the last line of output, everything before it was parsed, and the next animation frame
 * has drawn it. The session host resynchronises a page that falls behind with a snapshot instead of the
 * backlog, so this is not "every byte drawn" but "the screen the user ends up with, drawn".
 *
 * The page's final buffer (scrollback included, as text) is then compared with a headless xterm fed the
 * same bytes, which also gives the headless parse rate in Node: the session host's own ceiling.
 */
import type { Browser } from 'playwright-core';
import { terminalLink } from '../../common/deepLink.ts';
import { newHeadless, writeAll } from '../util/screen.ts';
import { cpuSeconds, openApp, type RendererName } from './appPage.ts';
import { focusPane, openTab, waitIdle } from './pageProbe.ts';
import type { Where } from './terminalProbe.ts';
import { floodCommand, LINE } from './workload.ts';

export const FINAL_PROMPT = 'KD42> ';
const SCROLLBACK = 10_000;

/** Watches one session's frames for the final prompt, then polls the buffer each frame until it is drawn. */
const FLOOD_HOOK = `(() => {
  const F = (window.__flood = { armed: null });
  const Orig = window.WebSocket;
  const enc = new TextEncoder();
  const has = (bytes, pat) => {
    outer: for (let i = bytes.indexOf(pat[0]); i >= 0 && i <= bytes.length - pat.length; i = bytes.indexOf(pat[0], i + 1)) {
      for (let j = 1; j < pat.length; j++) if (bytes[i + j] !== pat[j]) continue outer;
      return true;
    }
    return false;
  };
  function seen(a) {
    if (a.seenAt) return;
    a.seenAt = performance.now();
    const poll = () => {
      const text = window.kubedeckTest && window.kubedeckTest.terminalText(a.key);
      if (text !== undefined && text.trimEnd().endsWith(a.prompt.trimEnd())) requestAnimationFrame(() => (a.drawnAt = performance.now()));
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  }
  class W extends Orig {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const a = F.armed;
        if (!a) return;
        if (typeof ev.data === 'string') {
          if (ev.data.includes('terminal.snapshot') && ev.data.includes(a.id)) {
            a.snapshots++;
            if (ev.data.includes(a.prompt.trimEnd())) seen(a);
          }
          return;
        }
        const f = window.__kdWire.decodeTerminalData(new Uint8Array(ev.data));
        if (!f || f.id !== a.id) return;
        a.frames++;
        a.bytes += f.data.length;
        if (!a.pat) a.pat = enc.encode(a.prompt.trimEnd());
        if (has(f.data, a.pat)) seen(a);
      });
    }
  }
  window.WebSocket = W;
})();`;

interface Armed {
  id: string;
  key: string;
  prompt: string;
  snapshots: number;
  frames: number;
  bytes: number;
  seenAt?: number;
  drawnAt?: number;
}

export interface TabFloodResult {
  renderer: string;
  /** Enter → final screen drawn; undefined when the budget ran out first. */
  seconds?: number;
  /** Enter → final prompt arrived in the page (before xterm parsed and drew it). */
  arrivedSeconds?: number;
  cols: number;
  rows: number;
  /** The page's final buffer text (scrollback included). */
  text?: string;
  snapshots: number;
  frames: number;
  bytes: number;
  /** CPU seconds the serve process and the browser used during the run. */
  serveCpu: number;
}

/** The command as typed: the flood, then the prompt that marks its end. */
export function typedCommand(bytes: number): string {
  const flood = floodCommand(bytes)[2];
  return `${flood}; PS1='KD$((6*7))> '`;
}

export async function tabFlood(browser: Browser, url: string, where: Where, renderer: RendererName, bytes: number, budgetMs: number, servePid: number): Promise<TabFloodResult> {
  const app = await openApp(browser, url, renderer, [FLOOD_HOOK]);
  const { page } = app;
  try {
    const { id } = await openTab(page, terminalLink(where));
    await waitIdle(page, id);
    await focusPane(page, 0);
    const pane = page.locator(`[data-testid=terminal-pane][data-session-id="${id}"]`);
    const key = (await pane.getAttribute('data-session-key'))!;
    await page.keyboard.type(typedCommand(bytes), { delay: 0 });
    await waitIdle(page, id, 200);
    const cols = Number(await pane.getAttribute('data-cols'));
    const rows = Number(await pane.getAttribute('data-rows'));
    const armed: Armed = { id, key, prompt: FINAL_PROMPT, snapshots: 0, frames: 0, bytes: 0 };
    const cpu0 = cpuSeconds(servePid);
    const t0 = await page.evaluate((a) => (((globalThis as unknown as FloodWindow).__flood.armed = a), performance.now()), armed);
    await page.keyboard.press('Enter');
    let done: Armed | undefined;
    try {
      const h = await page.waitForFunction(() => {
        const a = (globalThis as unknown as FloodWindow).__flood.armed;
        return a?.drawnAt ? a : undefined;
      }, undefined, { timeout: budgetMs, polling: 250 });
      done = (await h.jsonValue()) as Armed;
    } catch {
      // Over budget: reported as such; Ctrl-C so the shell is free again (closing the page ends it).
      await page.keyboard.press('Control+c');
    }
    const serveCpu = cpuSeconds(servePid) - cpu0;
    const last = done ?? ((await page.evaluate(() => (globalThis as unknown as FloodWindow).__flood.armed)) as Armed);
    const text = done ? await page.evaluate((k) => (globalThis as unknown as TestWindow).kubedeckTest.terminalText(k), key) : undefined;
    return {
      renderer: (await app.renderer()) ?? renderer,
      seconds: done ? (done.drawnAt! - t0) / 1000 : undefined,
      arrivedSeconds: last.seenAt ? (last.seenAt - t0) / 1000 : undefined,
      cols,
      rows,
      text,
      snapshots: last.snapshots,
      frames: last.frames,
      bytes: last.bytes,
      serveCpu,
    };
  } finally {
    await app.close();
  }
}

interface FloodWindow {
  __flood: { armed: Armed | null };
}
interface TestWindow {
  kubedeckTest: { terminalText(key: string): string | undefined };
}

/**
 * What a headless xterm shows after the same bytes: the whole flood as the PTY delivers it (each \n as
 * \r\n, cut at `bytes` of the command's output), then the final prompt. What came before the flood has
 * scrolled out of the 10,000 lines of scrollback long before the end, for any size this bench uses.
 * Also returns how fast the headless terminal parsed it (the session host parses with the same library).
 */
export async function headlessExpectation(cols: number, rows: number, bytes: number): Promise<{ text: string; parseMiBps: number }> {
  const term = newHeadless(cols, rows, SCROLLBACK);
  const line = LINE + '\n';
  const full = Math.floor(bytes / line.length);
  const tail = LINE.slice(0, bytes - full * line.length);
  const asTty = Buffer.from(LINE + '\r\n');
  const perChunk = Math.floor(65536 / asTty.length);
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => asTty));
  const t0 = performance.now();
  let fed = 0;
  let writes = 0;
  for (let left = full; left > 0; left -= perChunk) {
    const part = left >= perChunk ? chunk : chunk.subarray(0, left * asTty.length);
    fed += part.length;
    // Awaiting every 16th write keeps at most ~1 MiB queued, as the host's paced exec does.
    if (++writes % 16 === 0) await writeAll(term, part);
    else term.write(part);
  }
  await writeAll(term, tail + FINAL_PROMPT);
  const seconds = (performance.now() - t0) / 1000;
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  // The same text as the renderer's bufferText (xtermSetup.ts).
  return { text: lines.join('\n').replace(/\n+$/, ''), parseMiBps: (fed + tail.length) / 2 ** 20 / seconds };
}

/** Where two buffer texts first differ, for the row's note ("" when equal). */
export function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1} of ${x.length} (page) / ${y.length} (headless): ${JSON.stringify((x[i] ?? '').slice(-40))} vs ${JSON.stringify((y[i] ?? '').slice(-40))}`;
  }
  return 'same lines, different text';
}
