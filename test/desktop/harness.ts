/**
 * Runs the built desktop app — dist/main/app.cjs with dist/preload/preload.cjs, the files `npm start` gives
 * Electron — with `electron` resolved to the stand-in (electronStandIn.ts). One app is one "process": a
 * module instance of app.cjs with its own stand-in and its own browser context (its default session).
 *
 *   const app = await launchDesktopApp({ browser, dataDir, env: { KUBECONFIG }, argv: ['--open', 'ctx/ns/pod/c'] });
 *   const win = await app.window(0);        // a BrowserWindow; win.page is its Chromium page
 *   await app.quit();                        // app.quit() as the menu or Cmd+Q does; resolves when it has quit
 */
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { until } from '../util/wait.ts';
import { createElectronStandIn, type MessageBoxOptions, type StandIn, type StandInApp, type StandInDisplay } from './electronStandIn.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const APP_BUNDLE = join(ROOT, 'dist/main/app.cjs');
export const PRELOAD_BUNDLE = join(ROOT, 'dist/preload/preload.cjs');
const nodeRequire = createRequire(import.meta.url);

export interface DesktopAppOptions {
  browser: Browser;
  /** appData for app.getPath (the app's data folder is KUBEDECK_DATA_DIR in env, if given). */
  appData: string;
  /** Arguments after the app, as `electron . …` would get them. */
  argv?: string[];
  /** Set in process.env while the app runs (the app reads KUBECONFIG, KUBEDECK_DATA_DIR, SHELL…); restored by stop(). */
  env?: Record<string, string>;
  /** The single-instance lock shared with another app of the same test (a second instance passes the first's). */
  locks?: Map<string, StandInApp>;
  /** The displays `screen` reports, the primary first (default: one 1920×1080). */
  displays?: StandInDisplay[];
  /** The button pressed on each dialog.showMessageBox (default: its cancelId). */
  answerMessageBox?(options: MessageBoxOptions): number;
}

type BrowserWindowStandIn = ReturnType<StandIn['windows']>[number];

export interface DesktopApp {
  standIn: StandIn;
  locks: Map<string, StandInApp>;
  /** URLs given to shell.openExternal. */
  openedExternally: string[];
  /** Paths given to shell.openPath. */
  openedPaths: string[];
  /** Every dialog.showMessageBox the app showed. */
  messageBoxes: MessageBoxOptions[];
  /** Waits for the app's n-th window (0-based) and its page. */
  window(n: number): Promise<BrowserWindowStandIn & { page: Page }>;
  /** app.quit(), then waits until the app has quit (the quit handler has ended every session). */
  quit(): Promise<void>;
  /** Quits if still running, closes the browser context, restores process.env. */
  stop(): Promise<void>;
}

/** Loads app.cjs afresh with `electron` resolved to `electron`; returns once its top level has run. */
function loadApp(electron: unknown): void {
  const M = Module as unknown as { _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown };
  const original = M._load;
  M._load = function (request, parent, isMain) {
    if (request === 'electron' && parent?.filename === APP_BUNDLE) return electron;
    return original.call(this, request, parent, isMain);
  };
  try {
    delete nodeRequire.cache[APP_BUNDLE];
    nodeRequire(APP_BUNDLE);
  } finally {
    M._load = original;
  }
}

export async function launchDesktopApp(opts: DesktopAppOptions): Promise<DesktopApp> {
  for (const f of [APP_BUNDLE, PRELOAD_BUNDLE, join(ROOT, 'dist/renderer/index.html')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const context = await opts.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const openedExternally: string[] = [];
  const openedPaths: string[] = [];
  const messageBoxes: MessageBoxOptions[] = [];
  const locks = opts.locks ?? new Map<string, StandInApp>();
  const argv = [process.execPath, ROOT, ...(opts.argv ?? [])];
  const standIn = createElectronStandIn({ context, argv, appData: opts.appData, locks, onOpenExternal: (u) => openedExternally.push(u),
    onOpenPath: (p) => openedPaths.push(p),
    displays: opts.displays,
    onMessageBox: (o) => {
      messageBoxes.push(o);
      return opts.answerMessageBox ? opts.answerMessageBox(o) : (o.cancelId ?? 0);
    },
  });
  await standIn.ready;
  const savedEnv = { ...process.env };
  const savedArgv = process.argv;
  Object.assign(process.env, opts.env ?? {});
  process.argv = argv;
  const restore = () => {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  };
  try {
    loadApp(standIn.electron);
    standIn.app._becomeReady();
    // The app reads process.argv once ready (its first window's deep link): wait for that, or for it to quit.
    await until('the app opens its first window or quits', () => standIn.windows().length > 0 || standIn.app.hasQuit, 20_000, 20);
  } catch (err) {
    restore();
    await context.close().catch(() => undefined);
    throw err;
  } finally {
    process.argv = savedArgv;
  }
  const app: DesktopApp = {
    standIn,
    locks,
    openedExternally,
    openedPaths,
    messageBoxes,
    async window(n) {
      const w = await until(`window ${n} of the app`, () => standIn.windows()[n], 20_000, 20);
      await w.opened;
      return w as BrowserWindowStandIn & { page: Page };
    },
    async quit() {
      standIn.app.quit();
      await standIn.app.quitted;
    },
    async stop() {
      if (!standIn.app.hasQuit) {
        standIn.app.quit();
        await Promise.race([standIn.app.quitted, new Promise((r) => setTimeout(r, 15_000).unref())]);
      }
      await context.close().catch(() => undefined);
      restore();
    },
  };
  return app;
}
