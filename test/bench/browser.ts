/**
 * Headless Chromium for the end-to-end numbers: Debian's chromium driven by playwright-core
 * (no `playwright install` here), and xterm.js's own parse rate measured in that same browser.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Flags the machine needs: its network is closed, so Chromium's background fetches only fail. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function chromiumPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed (apt-get install chromium)');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** tsx compiles with esbuild's keepNames, which wraps inner functions of page.evaluate callbacks in __name(). */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

export interface ParseRateOptions {
  /** The line the remote command repeats, as the terminal receives it (with \r\n). */
  line: string;
  /** Total bytes to feed. */
  bytes: number;
  cols: number;
  rows: number;
  /** Load @xterm/addon-webgl as the app does (falls back to the DOM renderer if WebGL is missing). */
  webgl?: boolean;
  /** Stop feeding after this long and report what was parsed by then. */
  budgetMs: number;
}

export interface ParseRate {
  /** Bytes parsed: all of them, or what the budget allowed. */
  bytes: number;
  seconds: number;
  renderer: 'webgl' | 'dom';
}

/**
 * Feeds `bytes` of the benchmark's output to a local xterm Terminal in a visible page and times it
 * from the first write to the last write callback, keeping at most ~1 MiB queued (as flow control
 * would). This is the ceiling for the end-to-end rate: xterm cannot show bytes faster than it parses.
 */
export async function xtermParseRate(browser: Browser, o: ParseRateOptions): Promise<ParseRate> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(NAME_SHIM);
  try {
    await page.evaluate(NAME_SHIM);
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="t" style="width:1200px;height:760px"></div></body></html>');
    await page.addStyleTag({ content: readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8') });
    await page.addScriptTag({ content: readFileSync(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8') });
    if (o.webgl) await page.addScriptTag({ content: readFileSync(require.resolve('@xterm/addon-webgl/lib/addon-webgl.js'), 'utf8') });
    return await page.evaluate(async (o) => {
      type Term = {
        open(el: unknown): void;
        write(data: Uint8Array, cb: () => void): void;
        loadAddon(a: unknown): void;
        dispose(): void;
      };
      const g = globalThis as unknown as { Terminal: new (opts: object) => Term; WebglAddon?: { WebglAddon: new () => unknown } };
      const term = new g.Terminal({ cols: o.cols, rows: o.rows, scrollback: 1000 });
      const doc = (globalThis as unknown as { document: { getElementById(id: string): unknown } }).document;
      term.open(doc.getElementById('t'));
      let renderer: 'webgl' | 'dom' = 'dom';
      if (o.webgl && g.WebglAddon) {
        try {
          term.loadAddon(new g.WebglAddon.WebglAddon());
          renderer = 'webgl';
        } catch {
          renderer = 'dom';
        }
      }
      const line = new TextEncoder().encode(o.line);
      const perChunk = Math.max(1, Math.floor(65536 / line.length));
      const chunk = new Uint8Array(perChunk * line.length);
      for (let i = 0; i < perChunk; i++) chunk.set(line, i * line.length);
      const maxQueued = 16 * chunk.length;
      let sent = 0;
      let acked = 0;
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const pump = () => {
          while (sent < o.bytes && sent - acked < maxQueued && performance.now() - t0 <= o.budgetMs) {
            const piece = o.bytes - sent >= chunk.length ? chunk : chunk.subarray(0, o.bytes - sent);
            sent += piece.length;
            term.write(piece, () => {
              acked += piece.length;
              if (acked >= sent && (sent >= o.bytes || performance.now() - t0 > o.budgetMs)) resolve();
              else pump();
            });
          }
        };
        pump();
      });
      const seconds = (performance.now() - t0) / 1000;
      term.dispose();
      return { bytes: acked, seconds, renderer };
    }, o);
  } finally {
    await page.close();
  }
}
