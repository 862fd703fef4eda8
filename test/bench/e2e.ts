/**
 * End to end: `kubedeck serve` (the bundled CLI, as a user runs it) in its own process, the real
 * renderer in headless Chromium, keys typed with Playwright's keyboard into xterm.
 *
 * The page is observed, not changed: an init script wraps WebSocket to timestamp the terminal output
 * frames that arrive (wire.ts) and the `ackTerminal` calls the renderer sends once xterm's write
 * callback has fired. "Rendered" is the first animation frame after the acknowledgement of the bytes
 * in question: xterm asks for its render frame while parsing, before the write callback, so that
 * frame has drawn them. This works the same whether xterm uses WebGL or the DOM renderer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { decodeJson, decodeTerminalData, encodeJson, type ServerMessage } from '../../common/wire/wire.ts';
import type { OpenTerminalRequest, TerminalInfo, TerminalState } from '../../common/contract/terminals.ts';
import type { TermClient } from './terminalProbe.ts';
import type { Ctx } from './bench.ts';
import { NAME_SHIM } from './browser.ts';
import { descendants, log, procCmdline, procPss, procStatus, run, MB } from './proc.ts';

export interface ScaleResult {
  mainPerTerminal: number;
  rendererPerTerminal: number;
  floodLatencies: number[];
  note?: string;
}

/** Per key, ms from keydown: echo drawn, echo bytes arrived in the page, keystroke sent on the socket. */
export interface EchoTimes {
  rendered: number[];
  arrived: number[];
  sent: number[];
}

export interface E2eResults {
  webgl: boolean;
  /** The serve URL (with its token), for a Node client of the same socket. */
  url: string;
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

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp', 'bench-dist');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The product's own bundles, built into .tmp/bench-dist (the layout of dist/: cli/cli.js beside
 * renderer/) so the bench never empties the dist/ that other people's tests are serving from.
 * Rebuilt only when a source is newer than the last build.
 */
let built: Promise<string> | undefined;

export function ensureBuild(): Promise<string> {
  // Once per run: every measurement uses the same bundles even if sources change meanwhile.
  built ??= buildOnce();
  return built;
}

async function buildOnce(): Promise<string> {
  const cli = join(OUT, 'cli', 'cli.js');
  const index = join(OUT, 'renderer', 'index.html');
  const sources = Math.max(...['main', 'preload', 'renderer'].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(cli) && existsSync(index) && statSync(cli).mtimeMs > sources && statSync(index).mtimeMs > sources) return cli;
  log('building the CLI and the renderer into .tmp/bench-dist');
  mkdirSync(OUT, { recursive: true });
  // The same options as build/bundle.mjs for the CLI.
  await build({ bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning', entryPoints: [join(ROOT, 'main/cli/cli.ts')], outfile: cli, format: 'esm', packages: 'external' });
  const vite = await run(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'renderer/vite.config.ts', '--outDir', join(OUT, 'renderer'), '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, timeoutMs: 300_000 });
  if (vite.code !== 0) throw new Error(`vite build failed: ${vite.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return cli;
}

/** `node cli.js serve --port 0 --kubeconfig F`; resolves with the URL it prints. */
async function startServe(cli: string, kubeconfig: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  mkdirSync(dataDir, { recursive: true });
  // BENCH_SERVE_ENTRY: a TypeScript entry to run instead of the bundle (for experiments with the server side).
  const entry = process.env.BENCH_SERVE_ENTRY;
  const argv = entry ? ['--import', 'tsx', entry] : [cli];
  const child = spawn(process.execPath, [...argv, 'serve', '--port', '0', '--kubeconfig', kubeconfig], {
    cwd: ROOT,
    env: { ...process.env, KUBEDECK_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kubedeck serve printed no URL within 30 s: ${err.trim()}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(/https?:\/\/\S+\?token=\S+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubedeck serve exited with ${code}: ${err.trim()}`));
    });
  });
  return { child, url };
}

/** Wraps WebSocket in the page to see terminal frames and acknowledgements (see the file comment). */
const HOOK = `(() => {
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
        const u = new Uint8Array(ev.data);
        if (u[0] !== 1) return;
        const len = (u[1] << 8) | u[2];
        const id = new TextDecoder().decode(u.subarray(3, 3 + len));
        const data = u.subarray(3 + len);
        B.recv[id] = (B.recv[id] || 0) + data.length;
        B.frames[id] = (B.frames[id] || 0) + 1;
        if (!B.firstFrameAt[id]) {
          B.firstFrameAt[id] = now;
          renderAfterAck(id, B.recv[id], (t) => (B.firstRenderAt[id] = t));
        }
        const k = B.key;
        if (k && k.id === id && !k.frameAt && data.indexOf(k.code) >= 0) {
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

interface BenchWindow {
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

const link = (context: string, pod = 'shell') => `#/terminal/${context}/default/${pod}/main`;

export async function e2eSection(ctx: Ctx): Promise<E2eResults> {
  const cli = await ensureBuild();
  const serve = await startServe(cli, ctx.clusters.kubeconfigPath, join(ctx.tmp, 'serve-data'));
  let context: BrowserContext | undefined;
  try {
    const browser: Browser = await ctx.browser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(NAME_SHIM);
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

    /** Opens a deep-link tab and waits until its prompt is drawn and idle; returns the session id. */
    const openTab = async (page: Page, hash: string): Promise<{ id: string; ms: number; sentMs: number; firstByteMs: number }> => {
      const before = await page.evaluate(() => (globalThis as unknown as BenchWindow).__bench.opened.length);
      const t0 = await page.evaluate((h) => (((globalThis as unknown as BenchWindow).location.hash = h), performance.now()), hash);
      const handle = await page.waitForFunction(
        (n) => {
          const B = (globalThis as unknown as BenchWindow).__bench;
          const id = B.opened[n];
          return id && B.firstRenderAt[id] ? id : undefined;
        },
        before,
        { timeout: 60_000, polling: 10 },
      );
      const id = (await handle.jsonValue()) as string;
      const [at, sentAt, frameAt] = await page.evaluate(
        ({ id, n }) => {
          const B = (globalThis as unknown as BenchWindow).__bench;
          return [B.firstRenderAt[id], B.openSentAt[n], B.firstFrameAt[id]];
        },
        { id, n: before },
      );
      return { id, ms: at - t0, sentMs: sentAt - t0, firstByteMs: frameAt - t0 };
    };

    const waitIdle = async (page: Page, id: string, quietMs = 300, limitMs = 10_000) => {
      const end = Date.now() + limitMs;
      let last = -1;
      let since = Date.now();
      while (Date.now() < end) {
        const n = await page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0, id);
        if (n !== last) {
          last = n;
          since = Date.now();
        } else if (Date.now() - since >= quietMs) return;
        await page.waitForTimeout(50);
      }
    };

    const focusPane = async (page: Page, index: number) => {
      const screens = page.locator('.xterm-screen:visible');
      await screens.nth(index).click();
    };

    /** Echo latencies of `keys` keystrokes typed into the focused terminal of session `id`. */
    const typeKeys = async (page: Page, id: string, keys: number): Promise<EchoTimes> => {
      const lat: number[] = [];
      const arrived: number[] = [];
      const sent: number[] = [];
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
        lat.push(r);
        arrived.push(a);
        sent.push(w);
      }
      return { rendered: lat, arrived, sent };
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
      async throughput(command, expectBytes, budgetMs) {
        const page = await fresh();
        const { id } = await openTab(page, link(ctx.where.context));
        await waitIdle(page, id);
        await focusPane(page, 0);
        // The user types the command; `exec` so the pid-tracked shell itself runs it.
        const line = command[command.length - 1];
        await page.keyboard.type(line, { delay: 0 });
        await waitIdle(page, id, 200);
        const base = await page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0, id);
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
            const g = globalThis as unknown as { location: { host: string; search: string }; WebSocket: typeof WebSocket };
            const token = new URLSearchParams(g.location.search).get('token');
            const ws = new g.WebSocket(`ws://${g.location.host}/ws?token=${token}`);
            ws.binaryType = 'arraybuffer';
            await new Promise((r) => (ws.onopen = r));
            let next = 1;
            let id = '';
            let bytes = 0;
            let frames = 0;
            const t0 = performance.now();
            ws.send(JSON.stringify({ t: 'call', id: next++, method: 'openTerminal', args: [{ ...where, command, cols: 120, rows: 40 }] }));
            const end = await new Promise<number>((resolve) => {
              const timer = setTimeout(() => resolve(performance.now()), budgetMs);
              ws.onmessage = (ev) => {
                if (typeof ev.data === 'string') {
                  const m = JSON.parse(ev.data);
                  if (m.t === 'result' && m.value?.id) id = m.value.id;
                  return;
                }
                const u = new Uint8Array(ev.data as ArrayBuffer);
                const len = (u[1] << 8) | u[2];
                const n = u.length - 3 - len;
                bytes += n;
                frames++;
                ws.send(JSON.stringify({ t: 'call', id: next++, method: 'ackTerminal', args: [new TextDecoder().decode(u.subarray(3, 3 + len)), n] }));
                if (bytes >= expectBytes) {
                  clearTimeout(timer);
                  resolve(performance.now());
                }
              };
            });
            if (id) ws.send(JSON.stringify({ t: 'call', id: next++, method: 'closeTerminal', args: [id] }));
            await new Promise((r) => setTimeout(r, 200));
            ws.close();
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
        const before = await page.evaluate(() => (globalThis as unknown as BenchWindow).__bench.opened.length);
        await page.locator('[aria-label="Split terminal"]').last().click();
        const h = await page.waitForFunction((n) => {
          const B = (globalThis as unknown as BenchWindow).__bench;
          const id = B.opened[n];
          return id && B.firstRenderAt[id] ? id : undefined;
        }, before, { timeout: 60_000 });
        const typeId = (await h.jsonValue()) as string;
        await waitIdle(page, typeId);
        await focusPane(page, 0);
        await page.keyboard.type('yes kubedeck-bench-flood');
        await page.keyboard.press('Enter');
        await page.waitForTimeout(1000);
        const a0 = await page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0, floodId);
        const t0 = Date.now();
        await focusPane(page, 1);
        const lat = (await typeKeys(page, typeId, floodKeys)).rendered;
        const a1 = await page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.acked[id] ?? 0, floodId);
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
 * Serve mode's WebSocket spoken from Node (wire.ts), acknowledging output as it arrives: the path
 * of the end-to-end numbers without the browser, to tell the page's share from the server's.
 */
export async function connectWire(pageUrl: string): Promise<TermClient & { close(): void }> {
  const u = new URL(pageUrl);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { perMessageDeflate: false });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  let next = 1;
  const pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  const data = new Set<(id: string, d: Uint8Array) => void>();
  const state = new Set<(id: string, s: TerminalState) => void>();
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const f = decodeTerminalData(new Uint8Array(raw.buffer, raw.byteOffset, raw.length));
      if (f) for (const l of data) l(f.id, f.data);
      return;
    }
    const m = decodeJson(raw.toString('utf8')) as ServerMessage;
    if (m.t === 'event') {
      if (m.name === 'terminal.state') {
        const p = m.payload as { id: string; state: TerminalState };
        for (const l of state) l(p.id, p.state);
      } else if (m.name === 'terminal.data') {
        const p = m.payload as { id: string; data: Uint8Array };
        for (const l of data) l(p.id, p.data);
      }
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.t === 'error') p?.rej(new Error(m.message));
    else p?.res(m.value);
  });
  const call = <T>(method: string, ...args: unknown[]) =>
    new Promise<T>((res, rej) => {
      const id = next++;
      pending.set(id, { res: res as (v: unknown) => void, rej });
      ws.send(encodeJson({ t: 'call', id, method, args }));
    });
  return {
    openTerminal: (req: OpenTerminalRequest) => call<TerminalInfo>('openTerminal', req),
    writeTerminal: (id: string, d: string) => call<void>('writeTerminal', id, d),
    ackTerminal: (id: string, n: number) => call<void>('ackTerminal', id, n),
    closeTerminal: (id: string) => call<void>('closeTerminal', id),
    onData: (cb) => (data.add(cb), () => data.delete(cb)),
    onState: (cb) => (state.add(cb), () => state.delete(cb)),
    close: () => ws.close(),
  };
}
