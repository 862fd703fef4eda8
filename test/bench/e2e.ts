/**
 * End to end: `kubedeck serve` (the bundled CLI, as a user runs it) in its own process, the real
 * renderer in headless Chromium, keys typed with Playwright's keyboard into xterm. How the page is
 * observed: pageProbe.ts; how the product is built and started: serveProcess.ts.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { terminalLink } from '../../common/deepLink.ts';
import { WireClient, type WireSocket } from '../../common/wire/wireClient.ts';
import type { TermClient } from './terminalProbe.ts';
import type { Ctx } from './bench.ts';
import { NAME_SHIM } from './browser.ts';
import { descendants, procCmdline, procPss, procStatus, MB } from './proc.ts';
import { ensureBuild, pageWireScript, startServe } from './serveProcess.ts';
import type { PageWire } from './pageWire.ts';
import { localEcho } from './localEcho.ts';
import { ackedBytes, focusPane, HOOK, nthOpenedDrawn, openedCount, openTab, typeKeys, waitIdle, type BenchWindow, type EchoTimes } from './pageProbe.ts';

export type { EchoTimes } from './pageProbe.ts';

export interface ScaleResult {
  mainPerTerminal: number;
  rendererPerTerminal: number;
  floodLatencies: number[];
  note?: string;
}

export interface E2eResults {
  webgl: boolean;
  /** The serve URL (with its token), for a Node client of the same socket. */
  url: string;
  /** The serve process, for its CPU time. */
  servePid: number;
  /** Seconds from Enter on the command until xterm acknowledged `expectBytes` of its output. */
  /** Stops after `budgetMs` and reports the bytes acknowledged by then (`acked` < expectBytes). */
  throughput(command: string[], expectBytes: number, budgetMs: number): Promise<{ seconds: number; acked: number; frames: number; bytes: number }>;
  /** Per key: keydown → echo drawn, and keydown → echo bytes arrived in the page (before xterm). */
  echo(keys: number): Promise<EchoTimes>;
  /** MiB/s of output a page reads from the serve WebSocket with no xterm, acknowledging each frame at once. */
  pageSocketThroughput(command: string[], expectBytes: number, budgetMs: number): Promise<{ seconds: number; bytes: number; frames: number }>;
  /** Per tab, ms from following the deep link: prompt drawn, openTerminal sent, first byte in the page. */
  firstPrompt(n: number): Promise<{ drawn: number[]; sent: number[]; firstByte: number[] }>;
  scale(terminals: number, floodKeys: number): Promise<ScaleResult>;
  dispose(): Promise<void>;
}

const link = (context: string, pod = 'shell') => terminalLink({ context, namespace: 'default', pod, container: 'main' });

export async function e2eSection(ctx: Ctx): Promise<E2eResults> {
  const cli = await ensureBuild();
  const serve = await startServe(cli, ctx.clusters.kubeconfigPath, join(ctx.tmp, 'serve-data'));
  let context: BrowserContext | undefined;
  try {
    const browser: Browser = await ctx.browser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(NAME_SHIM);
    await context.addInitScript(await pageWireScript());
    await context.addInitScript(HOOK);
    const ctxRef = context;
    const fresh = async (): Promise<Page> => {
      for (const p of ctxRef.pages()) await p.close();
      const page = await ctxRef.newPage();
      // `renderer=dom` is the app's own switch to xterm's DOM renderer (README, Terminals).
      await page.goto(serve.url + (ctx.domRenderer ? '&renderer=dom' : ''));
      await page.waitForSelector('[data-testid=tabbar], .tabbar, #app *', { timeout: 30_000 });
      return page;
    };

    // Which renderer the app's xterm ended up with (WebGL in this Chromium, or the DOM fallback).
    const probe = await fresh();
    await openTab(probe, link(ctx.where.context));
    const webgl = await probe.evaluate(() => {
      const d = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
      const said = d.querySelector('[data-renderer]')?.getAttribute('data-renderer');
      return said ? said === 'webgl' : !!d.querySelector('.xterm-screen canvas');
    });
    await probe.close();

    return {
      webgl,
      url: serve.url,
      servePid: serve.child.pid!,
      async throughput(command, expectBytes, budgetMs) {
        const page = await fresh();
        const { id } = await openTab(page, link(ctx.where.context));
        await waitIdle(page, id);
        await focusPane(page, 0);
        // The user types the command; `exec` so the pid-tracked shell itself runs it.
        const line = command[command.length - 1];
        await page.keyboard.type(line, { delay: 0 });
        await waitIdle(page, id, 200);
        const base = await ackedBytes(page, id);
        const [recv0, frames0] = await page.evaluate((id) => [(globalThis as unknown as BenchWindow).__bench.recv[id] ?? 0, (globalThis as unknown as BenchWindow).__bench.frames[id] ?? 0], id);
        const t0 = await page.evaluate(({ id, bytes }) => (((globalThis as unknown as BenchWindow).__bench.target = { id, bytes }), performance.now()), { id, bytes: base + expectBytes });
        await page.keyboard.press('Enter');
        let seconds: number;
        let acked = expectBytes;
        try {
          const h = await page.waitForFunction(() => (globalThis as unknown as BenchWindow).__bench.target?.at, undefined, { timeout: budgetMs, polling: 100 });
          seconds = ((await h.jsonValue()) as number - t0) / 1000;
        } catch {
          // Over budget: the rate so far, then Ctrl-C (the shell stays; closing the page ends it).
          const [now, a] = await page.evaluate((id) => [performance.now(), (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0], id);
          seconds = (now - t0) / 1000;
          acked = a - base;
          await page.keyboard.press('Control+c');
        }
        const [recv1, frames1] = await page.evaluate((id) => [(globalThis as unknown as BenchWindow).__bench.recv[id] ?? 0, (globalThis as unknown as BenchWindow).__bench.frames[id] ?? 0], id);
        await page.close();
        return { seconds, acked, frames: frames1 - frames0, bytes: recv1 - recv0 };
      },
      async pageSocketThroughput(command, expectBytes, budgetMs) {
        const page = await fresh();
        const r = await page.evaluate(
          async ({ command, expectBytes, budgetMs, where }) => {
            const g = globalThis as unknown as { location: { host: string; search: string }; WebSocket: new (url: string) => WireSocket; __kdWire: PageWire };
            const token = new URLSearchParams(g.location.search).get('token');
            const client = new g.__kdWire.WireClient({ socket: () => new g.WebSocket(`ws://${g.location.host}/ws?token=${token}`) });
            await client.connect();
            let id = '';
            let bytes = 0;
            let frames = 0;
            const t0 = performance.now();
            const end = await new Promise<number>((resolve) => {
              const timer = setTimeout(() => resolve(performance.now()), budgetMs);
              client.api.on('terminal.data', (f) => {
                bytes += f.data.length;
                frames++;
                client.api.ackTerminal(f.id, f.data.length).catch(() => undefined);
                if (bytes >= expectBytes) {
                  clearTimeout(timer);
                  resolve(performance.now());
                }
              });
              client.api.openTerminal({ ...where, command, cols: 120, rows: 40 }).then((info) => (id = info.id), () => undefined);
            });
            if (id) client.api.closeTerminal(id).catch(() => undefined);
            await new Promise((r) => setTimeout(r, 200));
            client.close();
            return { seconds: (end - t0) / 1000, bytes, frames };
          },
          { command, expectBytes, budgetMs, where: ctx.where },
        );
        await page.close();
        return r;
      },
      async echo(keys) {
        const page = await fresh();
        const { id } = await openTab(page, link(ctx.where.context));
        await waitIdle(page, id);
        await focusPane(page, 0);
        const lat = await typeKeys(page, id, keys);
        // The anchor in the same page, right after: a local xterm echoing the keys itself.
        lat.local = await localEcho(page, keys, webgl);
        await page.close();
        return lat;
      },
      async firstPrompt(n) {
        const page = await fresh();
        const out = { drawn: [] as number[], sent: [] as number[], firstByte: [] as number[] };
        for (let i = 0; i < n; i++) {
          const { id, ms, sentMs, firstByteMs } = await openTab(page, link(ctx.where.context));
          out.drawn.push(ms);
          out.sent.push(sentMs);
          out.firstByte.push(firstByteMs);
          await waitIdle(page, id, 100, 3000);
          await page.locator('[data-testid=tab-close]').last().click({ force: true });
        }
        await page.close();
        return out;
      },
      async scale(terminals, floodKeys) {
        const page = await fresh();
        await page.waitForTimeout(1000);
        // Chromium rewrites its process title: the whole command line is one string there.
        const ofType = (t: string) => descendants(process.pid).filter((p) => procCmdline(p).join(' ').includes(`--type=${t}`));
        const pss = (t = 'renderer') => ofType(t).reduce((s, p) => s + (procPss(p) ?? 0), 0);
        const mainRss = () => procStatus(serve.child.pid!, 'VmRSS') ?? 0;
        const main0 = mainRss();
        const rend0 = pss();
        const gpu0 = pss('gpu-process');
        const ids: string[] = [];
        for (let i = 0; i < terminals; i++) {
          const { id } = await openTab(page, link(ctx.clusters.contexts[i % ctx.clusters.contexts.length]));
          ids.push(id);
        }
        for (const id of ids) await waitIdle(page, id, 200, 5000);
        await page.waitForTimeout(2000);
        const main1 = mainRss();
        const rend1 = pss();
        const gpu1 = pss('gpu-process');
        // The flood: a new tab split in two; the left pane runs `yes`, keys go to the right one.
        const { id: floodId } = await openTab(page, link(ctx.where.context));
        await waitIdle(page, floodId);
        const before = await openedCount(page);
        await page.locator('[aria-label="Split terminal"]').last().click();
        const typeId = await nthOpenedDrawn(page, before);
        await waitIdle(page, typeId);
        await focusPane(page, 0);
        await page.keyboard.type('yes kubedeck-bench-flood');
        await page.keyboard.press('Enter');
        await page.waitForTimeout(1000);
        const a0 = await ackedBytes(page, floodId);
        const t0 = Date.now();
        await focusPane(page, 1);
        const lat = (await typeKeys(page, typeId, floodKeys)).rendered;
        const a1 = await ackedBytes(page, floodId);
        const floodRate = (a1 - a0) / 2 ** 20 / ((Date.now() - t0) / 1000);
        await focusPane(page, 0);
        await page.keyboard.press('Control+c');
        await page.close();
        return {
          mainPerTerminal: (main1 - main0) / terminals / MB,
          rendererPerTerminal: (rend1 - rend0) / terminals / MB,
          floodLatencies: lat,
          note: `main: VmRSS of the serve process, renderer: Pss of Chromium's renderer processes, growth over ${terminals} idle shells ÷ ${terminals} (Chromium's GPU process grew ${((gpu1 - gpu0) / terminals / MB).toFixed(2)} MB per terminal besides); xterm ${webgl ? 'WebGL' : 'DOM'} renderer; the yes pane showed ${floodRate.toFixed(1)} MiB/s during the typing`,
        };
      },
      async dispose() {
        await ctxRef.close().catch(() => undefined);
        serve.child.kill('SIGTERM');
        await new Promise<void>((r) => {
          if (serve.child.exitCode !== null) return r();
          const timer = setTimeout(() => serve.child.kill('SIGKILL'), 10_000);
          serve.child.once('exit', () => (clearTimeout(timer), r()));
        });
      },
    };
  } catch (e) {
    await context?.close().catch(() => undefined);
    serve.child.kill('SIGKILL');
    throw e;
  }
}

/**
 * Serve mode's WebSocket spoken from Node (the common wire client over `ws`), acknowledging output as it
 * arrives: the path of the end-to-end numbers without the browser, to tell the page's share from the server's.
 */
export async function connectWire(pageUrl: string): Promise<TermClient & { close(): void }> {
  const u = new URL(pageUrl);
  const client = new WireClient({ socket: () => new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { perMessageDeflate: false }) });
  await client.connect();
  const { api } = client;
  return {
    openTerminal: (req) => api.openTerminal(req),
    writeTerminal: (id, d) => api.writeTerminal(id, d),
    ackTerminal: (id, n) => api.ackTerminal(id, n),
    closeTerminal: (id) => api.closeTerminal(id),
    onData: (cb) => api.on('terminal.data', (p) => cb(p.id, p.data)),
    onState: (cb) => api.on('terminal.state', (p) => cb(p.id, p.state)),
    close: () => client.close(),
  };
}
