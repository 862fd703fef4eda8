/**
 * Shared end-to-end harness: test clusters + serve mode + Chromium (playwright-core on Debian's chromium).
 *
 *   const e2e = await startE2E();           // 2 test clusters, Kubedeck serving them, a page open on the UI
 *   await e2e.page.getByTestId('pod-row')…
 *   await e2e.stop();                       // browser, server (its sessions end), clusters, temp dirs
 *
 * The renderer is built from the current sources into a temp folder (cached by a hash of the sources),
 * so a test never runs against a stale dist/. Set KUBEDECK_E2E_STATIC=<dir> to use a prebuilt one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { Kubedeck, type FilesFactory } from '../../main/core/kubedeck.ts';
import { startServer, type ServeHandle, type ServeOptions } from '../../main/serve/server.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';
import { until } from '../util/wait.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface E2EOptions {
  /** Test clusters to start (default 2). */
  clusters?: number;
  /** Browser viewport (default 1280×800). */
  viewport?: { width: number; height: number };
  /** The files service factory to compose into Kubedeck (the files view's tests pass theirs). */
  files?: FilesFactory;
  /** Path (and hash) appended to the served URL, e.g. '#/terminal/kd-test-1/default/shell/main'. */
  hash?: string;
  /** Extra query parameters for the page URL, e.g. { renderer: 'dom' }. */
  query?: Record<string, string>;
  /** Serve options passed through: the owner's name (`--user`), TLS (the browser then ignores certificate errors). */
  serve?: Pick<ServeOptions, 'user' | 'tls'>;
}

export interface E2E {
  page: Page;
  browser: Browser;
  clusters: TestClusters;
  /** The page's URL (with the token). */
  url: string;
  kubedeck: Kubedeck;
  /** The current serve-mode server (replaced by restartServer). */
  server: ServeHandle;
  /** Stops serve mode (every WebSocket drops; the page stays open). */
  stopServer(): Promise<void>;
  /** Serves again on the same port with the same token, so the open page can reconnect. */
  startServer(): Promise<void>;
  /** Kubedeck's data folder (recordings, audit) for this test. */
  dataDir: string;
  /** Errors the page threw (uncaught), for tests to assert there were none. */
  pageErrors: string[];
  stop(): Promise<void>;
}

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0];
  } catch {
    throw new Error('chromium is not installed (apt-get install chromium); e2e tests drive it with playwright-core');
  }
}

function sourcesHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        h.update(`${p}\0${st.size}\0${st.mtimeMs}\0`);
      }
    }
  };
  walk(join(ROOT, 'renderer'));
  walk(join(ROOT, 'preload'));
  h.update(readFileSync(join(ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

/** Builds the renderer (once per source state) and returns the folder to serve. */
export async function builtRenderer(): Promise<string> {
  if (process.env.KUBEDECK_E2E_STATIC) return resolve(process.env.KUBEDECK_E2E_STATIC);
  const out = join(tmpdir(), `kubedeck-e2e-renderer-${sourcesHash()}`);
  if (existsSync(join(out, 'index.html'))) return out;
  // Builds of older sources pile up while developing; drop those unused for a day (others may be running now).
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('kubedeck-e2e-renderer-')) continue;
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 24 * 3600_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  const { build } = await import('vite');
  const tmpOut = `${out}.${process.pid}.tmp`;
  await build({ configFile: join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn', build: { outDir: tmpOut, emptyOutDir: true } });
  // Another test process may have built the same sources meanwhile; either copy is good.
  try {
    execFileSync('mv', ['-T', tmpOut, out]);
  } catch {
    rmSync(tmpOut, { recursive: true, force: true });
  }
  return out;
}

export async function startE2E(opts: E2EOptions = {}): Promise<E2E> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // Keep cleaning the rest.
      }
    }
  };
  try {
    const staticDir = await builtRenderer();
    const clusters = await startTestClusters({ clusters: opts.clusters ?? 2 });
    cleanups.push(() => clusters.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'kubedeck-e2e-data-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const kubedeck = new Kubedeck({ kubeconfig: clusters.kubeconfigPath, dataDir, files: opts.files, portForwardsOnServer: true });
    cleanups.push(() => kubedeck.shutdown());
    let server: ServeHandle | undefined = await startServer({ kubedeck, port: 0, host: '127.0.0.1', staticDir, ...opts.serve });
    const { port, token } = server;
    cleanups.push(() => server?.close());
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, ignoreHTTPSErrors: opts.serve?.tls !== undefined });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin }).catch(() => undefined);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const u = new URL(server.url);
    for (const [k, v] of Object.entries(opts.query ?? {})) u.searchParams.set(k, v);
    const url = u.toString() + (opts.hash ?? '');
    await page.goto(url);
    const e2e: E2E = {
      page,
      browser,
      clusters,
      url,
      kubedeck,
      server,
      dataDir,
      pageErrors,
      stop,
      stopServer: async () => {
        const s = server;
        server = undefined;
        await s?.close();
      },
      startServer: async () => {
        if (server) return;
        server = await startServer({ kubedeck, port, token, host: '127.0.0.1', staticDir, ...opts.serve });
        e2e.server = server;
      },
    };
    return e2e;
  } catch (err) {
    await stop();
    throw err;
  }
}

interface TestHookWindow {
  kubedeckTest?: { terminalText(sessionKey: string): string | undefined };
}

/** The text in a terminal pane's buffer (scrollback included), read through the renderer's test hook. */
export async function paneText(pane: Locator): Promise<string> {
  const key = await pane.getAttribute('data-session-key');
  if (!key) throw new Error('not a terminal pane');
  // The page's globals are not in this (Node) tsconfig; the hook is declared in renderer/src/lib/testHook.ts.
  return pane.page().evaluate((k) => (globalThis as unknown as TestHookWindow).kubedeckTest?.terminalText(k) ?? '', key);
}

/** Waits until a pane's text matches; the error shows what the terminal held instead. */
export async function waitForPaneText(pane: Locator, pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await paneText(pane).catch(() => '');
    if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`terminal never showed ${String(pattern)}; it shows:\n${text.split('\n').slice(-15).join('\n')}`);
}

/** Polls a condition (for things outside the page, such as processes in a pod). */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return until(what, fn, timeoutMs, 150);
}
