/**
 * The app in a page of its own for the session-host rows (tabFlood.ts, splitEcho.ts, reattach.ts): a fresh
 * browser context on serve mode's URL with the renderer chosen by the app's own `?renderer=dom|webgl`
 * switch (xtermSetup.ts), and the bench's page probes (pageProbe.ts) installed before the app starts.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { NAME_SHIM } from './browser.ts';
import { HOOK } from './pageProbe.ts';
import { pageWireScript } from './serveProcess.ts';

export type RendererName = 'webgl' | 'dom';

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** The renderer the app's first pane reports (WebGL can fall back to the DOM renderer). */
  renderer(): Promise<string | null>;
  close(): Promise<void>;
}

export async function openApp(browser: Browser, url: string, renderer: RendererName, initScripts: string[] = []): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    for (const s of [NAME_SHIM, await pageWireScript(), HOOK, ...initScripts]) await context.addInitScript(s);
    const page = await context.newPage();
    await page.goto(`${url}&renderer=${renderer}`);
    await page.waitForSelector('[data-testid=tabbar], .tabbar, #app *', { timeout: 30_000 });
    return {
      page,
      context,
      renderer: () => page.locator('[data-testid=terminal-pane]').first().getAttribute('data-renderer'),
      close: () => context.close().catch(() => undefined),
    };
  } catch (e) {
    await context.close().catch(() => undefined);
    throw e;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 if it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces; clock ticks of 10 ms.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
