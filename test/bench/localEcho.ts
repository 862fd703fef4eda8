/**
 * The like-for-like anchor of the end-to-end echo: in the same page as the app (same Chromium, same
 * moment, same renderer), a local xterm.js terminal of the same version and options that echoes each key
 * itself — no socket, no server, no shell. Timed like the end-to-end echo: keydown → the first animation
 * frame after xterm's write callback for the echoed key. What the end-to-end echo costs above this is what
 * Kubedeck's path (page → serve → pod → back) adds; the rest is what drawing a key costs anyway.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

interface AnchorWindow {
  __anchor: { armed: boolean; t?: number; at?: number };
}

/** Installs the local terminal (once per page) in a fixed box over the app, with the app's terminal options. */
async function install(page: Page, webgl: boolean): Promise<string> {
  // Through the DevTools protocol, as the bench's other page probes: the page's CSP allows no inline script.
  await page.evaluate(readFileSync(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8'));
  if (webgl) await page.evaluate(readFileSync(require.resolve('@xterm/addon-webgl/lib/addon-webgl.js'), 'utf8'));
  const css = readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8');
  return page.evaluate(
    ({ css, webgl }) => {
      type Term = { open(el: unknown): void; write(d: string, cb?: () => void): void; onData(cb: (d: string) => void): void; loadAddon(a: unknown): void; focus(): void };
      const g = globalThis as unknown as AnchorWindow & {
        Terminal: new (o: object) => Term;
        WebglAddon?: { WebglAddon: new () => unknown };
        document: { createElement(t: string): { id: string; style: { cssText: string }; textContent: string }; body: { append(e: unknown): void }; head: { append(e: unknown): void } };
      };
      const style = g.document.createElement('style');
      style.textContent = css;
      g.document.head.append(style);
      const box = g.document.createElement('div');
      box.id = 'kd-bench-anchor';
      box.style.cssText = 'position:fixed;right:8px;bottom:8px;width:640px;height:320px;z-index:99999;background:#000';
      g.document.body.append(box);
      // The options of renderer/src/components/terminals/xtermSetup.ts.
      const term = new g.Terminal({ allowProposedApi: true, cursorBlink: true, fontFamily: "'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, 'Liberation Mono', monospace", fontSize: 13, lineHeight: 1.15, scrollback: 10000 });
      term.open(box);
      let renderer = 'dom';
      if (webgl && g.WebglAddon) {
        try {
          term.loadAddon(new g.WebglAddon.WebglAddon());
          renderer = 'webgl';
        } catch {
          renderer = 'dom';
        }
      }
      const A = (g.__anchor = { armed: false } as AnchorWindow['__anchor']);
      (globalThis as unknown as { addEventListener(t: string, f: () => void, c: boolean): void }).addEventListener(
        'keydown',
        () => {
          if (!A.armed) return;
          A.armed = false;
          A.t = performance.now();
        },
        true,
      );
      term.onData((d) => {
        if (d === '\r') return term.write('\r\n$ ');
        term.write(d, () =>
          requestAnimationFrame(() => {
            if (A.t !== undefined && A.at === undefined) A.at = performance.now();
          }),
        );
      });
      term.write('local echo $ ');
      term.focus();
      return renderer;
    },
    { css, webgl },
  );
}

/** Per key, ms from keydown to the frame that drew the local echo. Leaves the page's focus on the local terminal. */
export async function localEcho(page: Page, keys: number, webgl: boolean): Promise<{ renderer: string; rendered: number[] }> {
  const renderer = await install(page, webgl);
  await page.locator('#kd-bench-anchor .xterm-screen').click();
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const rendered: number[] = [];
  for (let i = 0; i < keys; i++) {
    // A fresh line now and then, as the end-to-end run clears its line every 40 keys.
    if (i && i % 40 === 0) await page.keyboard.press('Enter');
    await page.evaluate(() => {
      const A = (globalThis as unknown as AnchorWindow).__anchor;
      A.armed = true;
      A.t = A.at = undefined;
    });
    await page.keyboard.press(letters[i % letters.length]);
    const h = await page.waitForFunction(() => {
      const A = (globalThis as unknown as AnchorWindow).__anchor;
      return A.t !== undefined && A.at !== undefined ? A.at - A.t : undefined;
    }, undefined, { timeout: 10_000, polling: 'raf' });
    rendered.push((await h.jsonValue()) as number);
  }
  return { renderer, rendered };
}
