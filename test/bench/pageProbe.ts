/**
 * What the bench sees of the real app in a page, without changing it: an init script wraps WebSocket to
 * timestamp the terminal output frames that arrive (decoded by the common wire module, pageWire.ts) and
 * the `ackTerminal` calls the renderer sends once xterm's write callback has fired. "Rendered" is the
 * first animation frame after the acknowledgement of the bytes in question: xterm asks for its render
 * frame while parsing, before the write callback, so that frame has drawn them. This works the same
 * whether xterm uses WebGL or the DOM renderer. Plus the Playwright steps built on it: open a tab by
 * deep link, wait until a terminal is quiet, type keys and time their echo.
 */
import type { Page } from 'playwright-core';

/** Per key, ms from keydown: echo drawn, echo bytes arrived in the page, keystroke sent on the socket. */
export interface EchoTimes {
  rendered: number[];
  arrived: number[];
  sent: number[];
  /** The anchor (localEcho.ts): keydown → local echo drawn by an xterm in the same page, no network. */
  local?: { renderer: string; rendered: number[] };
}

/** The init script (after pageWire's): see the file comment. */
export const HOOK = `(() => {
  const B = (window.__bench = { recv: {}, frames: {}, acked: {}, openSentAt: [], opened: [], firstFrameAt: {}, firstRenderAt: {}, waiters: [], armed: null, key: null, target: null });
  const calls = new Set();
  const renderAfterAck = (id, bytes, done) => B.waiters.push({ id, bytes, done });
  function onAck(id, n) {
    B.acked[id] = (B.acked[id] || 0) + n;
    const t = B.target;
    if (t && t.id === id && !t.at && B.acked[id] >= t.bytes) t.at = performance.now();
    for (let i = 0; i < B.waiters.length; ) {
      const w = B.waiters[i];
      if (w.id === id && B.acked[id] >= w.bytes) {
        B.waiters.splice(i, 1);
        requestAnimationFrame(() => w.done(performance.now()));
      } else i++;
    }
  }
  const Orig = window.WebSocket;
  class W extends Orig {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (ev) => {
        const now = performance.now();
        if (typeof ev.data === 'string') {
          if (!calls.size) return;
          try {
            const m = JSON.parse(ev.data);
            if (m.t === 'result' && calls.has(m.id)) {
              calls.delete(m.id);
              if (m.value && m.value.id) B.opened.push(m.value.id);
            }
          } catch (e) {}
          return;
        }
        const f = window.__kdWire.decodeTerminalData(new Uint8Array(ev.data));
        if (!f) return;
        const id = f.id;
        B.recv[id] = (B.recv[id] || 0) + f.data.length;
        B.frames[id] = (B.frames[id] || 0) + 1;
        if (!B.firstFrameAt[id]) {
          B.firstFrameAt[id] = now;
          renderAfterAck(id, B.recv[id], (t) => (B.firstRenderAt[id] = t));
        }
        const k = B.key;
        if (k && k.id === id && !k.frameAt && f.data.indexOf(k.code) >= 0) {
          k.frameAt = now;
          renderAfterAck(id, B.recv[id], (t) => (k.renderAt = t));
        }
      });
    }
    send(d) {
      if (typeof d === 'string' && (d.includes('"ackTerminal"') || d.includes('"openTerminal"') || d.includes('"writeTerminal"'))) {
        try {
          const m = JSON.parse(d);
          if (m.method === 'ackTerminal') onAck(m.args[0], m.args[1]);
          else if (m.method === 'writeTerminal' && B.key && !B.key.sentAt && m.args[0] === B.key.id) B.key.sentAt = performance.now();
          else if (m.method === 'openTerminal') {
            calls.add(m.id);
            B.openSentAt.push(performance.now());
          }
        } catch (e) {}
      }
      return super.send(d);
    }
  }
  window.WebSocket = W;
  window.addEventListener('keydown', () => {
    if (!B.armed) return;
    B.key = { id: B.armed.id, code: B.armed.code, t: performance.now() };
    B.armed = null;
  }, true);
})();`;

export interface BenchWindow {
  __bench: {
    recv: Record<string, number>;
    frames: Record<string, number>;
    openSentAt: number[];
    acked: Record<string, number>;
    opened: string[];
    firstFrameAt: Record<string, number>;
    firstRenderAt: Record<string, number>;
    armed: { id: string; code: number } | null;
    key: { id: string; code: number; t: number; sentAt?: number; frameAt?: number; renderAt?: number } | null;
    target: { id: string; bytes: number; at?: number } | null;
  };
  location: { hash: string };
}

/** Bytes of session `id` that xterm has acknowledged so far. */
export function ackedBytes(page: Page, id: string): Promise<number> {
  return page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0, id);
}

/** The id of the `n`th terminal the page opened, once its first output is drawn. */
export async function nthOpenedDrawn(page: Page, n: number, polling: number | 'raf' = 'raf'): Promise<string> {
  const handle = await page.waitForFunction(
    (n) => {
      const B = (globalThis as unknown as BenchWindow).__bench;
      const id = B.opened[n];
      return id && B.firstRenderAt[id] ? id : undefined;
    },
    n,
    { timeout: 60_000, polling },
  );
  return (await handle.jsonValue()) as string;
}

/** How many terminals the page has opened so far. */
export function openedCount(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as BenchWindow).__bench.opened.length);
}

/** Opens a deep-link tab and waits until its prompt is drawn; returns the session id and the timings. */
export async function openTab(page: Page, hash: string): Promise<{ id: string; ms: number; sentMs: number; firstByteMs: number }> {
  const before = await openedCount(page);
  const t0 = await page.evaluate((h) => (((globalThis as unknown as BenchWindow).location.hash = h), performance.now()), hash);
  const id = await nthOpenedDrawn(page, before, 10);
  const [at, sentAt, frameAt] = await page.evaluate(
    ({ id, n }) => {
      const B = (globalThis as unknown as BenchWindow).__bench;
      return [B.firstRenderAt[id], B.openSentAt[n], B.firstFrameAt[id]];
    },
    { id, n: before },
  );
  return { id, ms: at - t0, sentMs: sentAt - t0, firstByteMs: frameAt - t0 };
}

/** Waits until session `id` has acknowledged nothing new for `quietMs` (at most `limitMs`). */
export async function waitIdle(page: Page, id: string, quietMs = 300, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const n = await ackedBytes(page, id);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await page.waitForTimeout(50);
  }
}

export async function focusPane(page: Page, index: number): Promise<void> {
  await page.locator('.xterm-screen:visible').nth(index).click();
}

/** Echo latencies of `keys` keystrokes typed into the focused terminal of session `id`. */
export async function typeKeys(page: Page, id: string, keys: number): Promise<EchoTimes> {
  const out: EchoTimes = { rendered: [], arrived: [], sent: [] };
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < keys; i++) {
    if (i && i % 40 === 0) {
      await page.keyboard.press('Control+u');
      await waitIdle(page, id, 50, 2000);
    }
    const ch = letters[i % letters.length];
    await page.evaluate(({ id, code }) => (((globalThis as unknown as BenchWindow).__bench.armed = { id, code }), ((globalThis as unknown as BenchWindow).__bench.key = null)), { id, code: ch.charCodeAt(0) });
    await page.keyboard.press(ch);
    const h = await page.waitForFunction(() => {
      const k = (globalThis as unknown as BenchWindow).__bench.key;
      return k && k.renderAt && k.frameAt ? [k.renderAt - k.t, k.frameAt - k.t, (k.sentAt ?? k.t) - k.t] : undefined;
    }, undefined, { timeout: 10_000, polling: 'raf' });
    const [r, a, w] = (await h.jsonValue()) as [number, number, number];
    out.rendered.push(r);
    out.arrived.push(a);
    out.sent.push(w);
  }
  return out;
}
