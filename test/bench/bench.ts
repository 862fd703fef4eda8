/**
 * `npm run bench [-- --json FILE] [--quick] [--only SECTION,...]`
 *
 * Kubedeck side by side with kubectl on the same test-cluster pods, in one run so the machine's
 * noise hits both: terminal throughput, keystroke echo latency, time to a prompt, copy, and scale.
 * It never fails a build: every number that cannot be measured is reported as n/a with the reason,
 * and the exit code is 0 whatever the targets say.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { absolute, formatMarkdown, formatTable, notAvailable, percentile, vsKubectl, type Row } from './report.ts';
import { kubectlEcho, kubectlFirstPrompt, kubectlSink, type Target } from './kubectl.ts';
import { bareExecThroughput, createCoreClient, createTerminalOnlyClient, type CoreClient } from './core.ts';
import { measureEcho, measureFirstPrompt, measureThroughput, type Where } from './terminalProbe.ts';
import { launchChromium, xtermParseRate } from './browser.ts';
import { log, MiB } from './proc.ts';
import { startClusters, type Clusters } from './cluster.ts';
import { copySection } from './copy.ts';
import { connectWire, e2eSection, type E2eResults, type ScaleResult } from './e2e.ts';

const SECTIONS = ['throughput', 'echo', 'prompt', 'copy', 'scale'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  dom: boolean;
  json?: string;
  markdown?: string;
  only: Set<Section>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, dom: false, only: new Set(SECTIONS) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--dom') o.dom = true;
    else if (a === '--json') o.json = argv[++i];
    else if (a.startsWith('--json=')) o.json = a.slice(7);
    else if (a === '--markdown') o.markdown = argv[++i];
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = (a === '--only' ? argv[++i] : a.slice(7)) ?? '';
      const picked = list.split(',').filter(Boolean) as Section[];
      for (const p of picked) if (!SECTIONS.includes(p)) throw new Error(`--only: unknown section ${p} (${SECTIONS.join(', ')})`);
      o.only = new Set(picked);
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [--quick] [--json FILE] [--only ${SECTIONS.join(',')}] [--dom] [--markdown FILE]\n  --dom: open the app with renderer=dom (xterm's DOM renderer instead of WebGL)`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (o.json === '') throw new Error('--json needs a file name');
  return o;
}

export interface Sizes {
  /** Bytes the tty exec writes for the throughput test. */
  ttyBytes: number;
  keys: number;
  prompts: number;
  bigFile: number;
  smallFiles: number;
  terminals: number;
  floodKeys: number;
  /** Time budget of the browser throughput runs (WebGL on a CPU can't do 256 MiB in minutes). */
  budgetMs: number;
}

const FULL: Sizes = { ttyBytes: 256 * MiB, keys: 500, prompts: 20, bigFile: 1024 * MiB, smallFiles: 20_000, terminals: 50, floodKeys: 200, budgetMs: 120_000 };
const QUICK: Sizes = { ttyBytes: 32 * MiB, keys: 100, prompts: 5, bigFile: 64 * MiB, smallFiles: 2_000, terminals: 10, floodKeys: 100, budgetMs: 30_000 };

/**
 * What the tty exec prints: a log-like line with one colour (SGR) pair, repeated by `yes`. The PTY
 * turns each \n into \r\n, so the terminal receives a little more than it writes.
 */
export const LINE = '\x1b[32mINFO\x1b[0m 2026-11-21T22:42:09Z kubedeck-bench pod/shell: the quick brown fox jumps over the lazy dog 0123456789';
export function floodCommand(bytes: number): string[] {
  const printfArg = LINE.split('\x1b').join('\\033');
  return ['sh', '-c', `yes "$(printf '${printfArg}')" | head -c ${bytes}`];
}
/** Bytes a terminal receives when the command writes `bytes` (each \n becomes \r\n). */
export function receivedBytes(bytes: number): number {
  const per = LINE.length + 1;
  return bytes + Math.floor(bytes / per);
}


function errText(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
}

/** Runs a measurement; on failure returns null and remembers why. */
async function attempt<T>(what: string, why: string[], fn: () => Promise<T>): Promise<T | null> {
  log(what);
  try {
    return await fn();
  } catch (e) {
    log(`  ${what}: ${errText(e)}`);
    why.push(`${what}: ${errText(e)}`);
    return null;
  }
}

const mibps = (bytes: number, seconds: number) => bytes / MiB / seconds;
const p = (xs: number[] | null, q: number) => (xs && xs.length ? percentile(xs, q) : null);
const noteOf = (why: string[], extra?: string) => [extra, ...why].filter(Boolean).join('; ') || undefined;

async function throughputSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const cmd = floodCommand(sizes.ttyBytes);
  const expect = receivedBytes(sizes.ttyBytes);
  const why: string[] = [];
  const mib = (sizes.ttyBytes / MiB).toFixed(0);

  const kubectlSec = await attempt(`kubectl exec -it: ${mib} MiB of tty output to /dev/null`, why, () => kubectlSink(ctx.target, cmd));
  const kubectlRate = kubectlSec === null ? null : mibps(sizes.ttyBytes, kubectlSec);

  const bare = await attempt('bare exec stream (kube/execStream.ts, no flow control)', why, async () => {
    const r = await bareExecThroughput(ctx.clusters.kubeConfigFor(ctx.where.context), ctx.where, cmd);
    if (r.bytes !== expect) throw new Error(`received ${r.bytes} bytes, expected ${expect}`);
    return mibps(sizes.ttyBytes, r.seconds);
  });

  const coreWhy: string[] = [];
  const core = ctx.core
    ? await attempt(`Kubedeck core (${ctx.core.describe}), acks as bytes arrive`, coreWhy, async () => {
        const r = await measureThroughput(ctx.core!, ctx.where, cmd);
        if (r.bytes !== expect) throw new Error(`received ${r.bytes} bytes, expected ${expect}`);
        return mibps(sizes.ttyBytes, r.seconds);
      })
    : (coreWhy.push(ctx.coreWhy ?? 'core not available'), null);

  const plainWhy: string[] = [];
  const plain = await attempt('Kubedeck terminal path without recording (TerminalService alone)', plainWhy, async () => {
    const c = await createTerminalOnlyClient(ctx.clusters.kubeconfigPath);
    try {
      const r = await measureThroughput(c, ctx.where, cmd);
      if (r.bytes !== expect) throw new Error(`received ${r.bytes} bytes, expected ${expect}`);
      return mibps(sizes.ttyBytes, r.seconds);
    } finally {
      await c.dispose();
    }
  });

  const wireWhy: string[] = [];
  const wire = ctx.e2e
    ? await attempt('serve mode socket from Node (no browser), acks as bytes arrive', wireWhy, async () => {
        const c = await connectWire(ctx.e2e!.url);
        try {
          const r = await measureThroughput(c, ctx.where, cmd);
          if (r.bytes !== expect) throw new Error(`received ${r.bytes} bytes, expected ${expect}`);
          return mibps(sizes.ttyBytes, r.seconds);
        } finally {
          c.close();
        }
      })
    : (wireWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);

  const pageWhy: string[] = [];
  let pageNote: string | undefined;
  const pageRate = ctx.e2e
    ? await attempt('serve socket read by a page in Chromium, no xterm, acks at once', pageWhy, async () => {
        const r = await ctx.e2e!.pageSocketThroughput(cmd, expect, sizes.budgetMs);
        pageNote = `${r.bytes < expect ? `stopped after ${sizes.budgetMs / 1000} s with ${(r.bytes / MiB).toFixed(0)} MiB read (rate so far); ` : ''}${r.frames} frames of ${(r.bytes / Math.max(1, r.frames) / 1024).toFixed(1)} KiB on average: the browser's own ceiling for the end-to-end path`;
        return (r.bytes / expect) * mibps(sizes.ttyBytes, r.seconds);
      })
    : (pageWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);

  const xtermWhy: string[] = [];
  const xterm = await attempt(`xterm.js parse rate in Chromium, same ${mib} MiB fed locally`, xtermWhy, async () => {
    const browser = await ctx.browser();
    const r = await xtermParseRate(browser, { line: LINE + '\r\n', bytes: expect, cols: 120, rows: 40, webgl: ctx.e2e?.webgl ?? false, budgetMs: sizes.budgetMs });
    ctx.xtermRenderer = `${r.renderer} renderer, same bytes fed in 64 KiB writes, at most 1 MiB queued${r.bytes < expect ? `; stopped after ${sizes.budgetMs / 1000} s with ${(r.bytes / MiB).toFixed(0)} MiB parsed (rate so far)` : ''}`;
    return (r.bytes / expect) * mibps(sizes.ttyBytes, r.seconds);
  });

  const e2eWhy: string[] = [];
  let frameNote: string | undefined;
  const e2e = ctx.e2e
    ? await attempt('end to end: serve mode → xterm in Chromium, bytes acknowledged', e2eWhy, async () => {
        const r = await ctx.e2e!.throughput(cmd, expect, sizes.budgetMs);
        const partial = r.acked < expect ? `stopped after ${sizes.budgetMs / 1000} s with ${(r.acked / MiB).toFixed(0)} of ${(expect / MiB).toFixed(0)} MiB drawn (rate so far); ` : '';
        frameNote = `${partial}${r.frames} output frames reached the page, ${(r.bytes / Math.max(1, r.frames) / 1024).toFixed(1)} KiB each on average; xterm ${ctx.e2e!.webgl ? 'WebGL' : 'DOM'} renderer`;
        return (r.acked / expect) * mibps(sizes.ttyBytes, r.seconds);
      })
    : (e2eWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);

  const rows: Row[] = [];
  rows.push(vsKubectl(`tty output ${mib} MiB: Kubedeck core`, 'MiB/s', core, kubectlRate, 'higher', 1, noteOf([...coreWhy, ...why.filter((w) => w.startsWith('kubectl'))])));
  rows.push(vsKubectl(`tty output ${mib} MiB: core, recording off`, 'MiB/s', plain, kubectlRate, 'higher', 1, noteOf(plainWhy, 'the same terminal path with the recorder left out, to show what recording costs')));
  rows.push(vsKubectl(`tty output ${mib} MiB: serve socket, no browser`, 'MiB/s', wire, kubectlRate, 'higher', 1, noteOf(wireWhy, 'a Node client of the serve WebSocket that acknowledges at once: the server side of the end-to-end path')));
  rows.push(vsKubectl(`tty output ${mib} MiB: serve socket read by a page, no xterm`, 'MiB/s', pageRate, kubectlRate, 'higher', 1, noteOf(pageWhy, pageNote)));
  const e2eRow = vsKubectl(`tty output ${mib} MiB: end to end (serve → xterm)`, 'MiB/s', e2e, kubectlRate, 'higher', 1, noteOf(e2eWhy, frameNote));
  e2eRow.target = xterm === null ? '≥ 0.8× xterm own rate' : `≥ 0.8× xterm own rate (${(0.8 * xterm).toFixed(1)})`;
  e2eRow.pass = e2e === null || xterm === null ? 'n/a' : e2e >= 0.8 * xterm;
  rows.push(e2eRow);
  rows.push(absolute(`tty output ${mib} MiB: xterm.js own parse rate (reference)`, 'MiB/s', xterm, kubectlRate, undefined, noteOf(xtermWhy, ctx.xtermRenderer)));
  rows.push(absolute(`tty output ${mib} MiB: bare exec stream (limit of cluster + ws)`, 'MiB/s', bare, kubectlRate, undefined, noteOf(why.filter((w) => w.startsWith('bare')))));
  return rows;
}

async function echoSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const why: string[] = [];
  const kc = await attempt(`kubectl exec -it bash: ${sizes.keys} keystrokes`, why, () => kubectlEcho(ctx.target, sizes.keys, ['bash', '-il']));
  const coreWhy: string[] = [];
  const core = ctx.core ? await attempt(`Kubedeck core: ${sizes.keys} keystrokes`, coreWhy, () => measureEcho(ctx.core!, ctx.where, sizes.keys)) : (coreWhy.push(ctx.coreWhy ?? 'core not available'), null);
  const e2eWhy: string[] = [];
  const e2e = ctx.e2e ? await attempt(`end to end (key into xterm → echo rendered): ${sizes.keys} keystrokes`, e2eWhy, () => ctx.e2e!.echo(sizes.keys)) : (e2eWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);
  const wireWhy: string[] = [];
  const wire = ctx.e2e
    ? await attempt(`serve mode socket from Node (no browser): ${sizes.keys} keystrokes`, wireWhy, async () => {
        const c = await connectWire(ctx.e2e!.url);
        try {
          return await measureEcho(c, ctx.where, sizes.keys);
        } finally {
          c.close();
        }
      })
    : (wireWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);
  const k = `${sizes.keys} keys`;
  const drawn = e2e?.rendered ?? null;
  const arrived = e2e?.arrived ?? null;
  return [
    vsKubectl(`keystroke echo p50, ${k}: end to end (xterm)`, 'ms', p(drawn, 50), p(kc, 50), 'lower', 1, noteOf([...e2eWhy, ...why], 'Kubedeck: keydown in the page → first animation frame after xterm acknowledged the echo; kubectl: key written to its pty → echo read back')),
    vsKubectl(`keystroke echo p99, ${k}: end to end (xterm)`, 'ms', p(drawn, 99), p(kc, 99), 'lower', 1, noteOf(e2eWhy)),
    absolute(`keystroke echo p50, ${k}: keydown → echo bytes in the page`, 'ms', p(arrived, 50), p(kc, 50), undefined, noteOf(e2eWhy, e2e ? `before xterm parses and draws; of it, keydown → keystroke on the socket p50 ${p(e2e.sent, 50)!.toFixed(1)} ms, p99 ${p(e2e.sent, 99)!.toFixed(1)} ms (the page's own share)` : undefined)),
    absolute(`keystroke echo p99, ${k}: keydown → echo bytes in the page`, 'ms', p(arrived, 99), p(kc, 99), undefined, noteOf(e2eWhy)),
    vsKubectl(`keystroke echo p50, ${k}: serve socket, no browser`, 'ms', p(wire, 50), p(kc, 50), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(`keystroke echo p99, ${k}: serve socket, no browser`, 'ms', p(wire, 99), p(kc, 99), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(`keystroke echo p50, ${k}: Kubedeck core`, 'ms', p(core, 50), p(kc, 50), 'lower', 1, noteOf(coreWhy)),
    vsKubectl(`keystroke echo p99, ${k}: Kubedeck core`, 'ms', p(core, 99), p(kc, 99), 'lower', 1, noteOf(coreWhy)),
  ];
}

async function promptSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const why: string[] = [];
  const kc = await attempt(`kubectl exec -it bash -il: first prompt byte ×${sizes.prompts}`, why, async () => {
    const xs: number[] = [];
    for (let i = 0; i < sizes.prompts; i++) xs.push(await kubectlFirstPrompt(ctx.target, ['bash', '-il']));
    return xs;
  });
  const coreWhy: string[] = [];
  const core = ctx.core
    ? await attempt(`Kubedeck core openTerminal (default shell): first prompt byte ×${sizes.prompts}`, coreWhy, async () => {
        const xs: number[] = [];
        for (let i = 0; i < sizes.prompts; i++) xs.push(await measureFirstPrompt(ctx.core!, ctx.where));
        return xs;
      })
    : (coreWhy.push(ctx.coreWhy ?? 'core not available'), null);
  const wireWhy: string[] = [];
  const wire = ctx.e2e
    ? await attempt(`serve mode socket from Node (no browser): first prompt byte ×${sizes.prompts}`, wireWhy, async () => {
        const c = await connectWire(ctx.e2e!.url);
        try {
          const xs: number[] = [];
          for (let i = 0; i < sizes.prompts; i++) xs.push(await measureFirstPrompt(c, ctx.where));
          return xs;
        } finally {
          c.close();
        }
      })
    : (wireWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);
  const e2eWhy: string[] = [];
  const e2e = ctx.e2e ? await attempt(`end to end: open a terminal tab until its prompt shows ×${sizes.prompts}`, e2eWhy, () => ctx.e2e!.firstPrompt(sizes.prompts)) : (e2eWhy.push(ctx.e2eWhy ?? 'serve mode not available'), null);
  return [
    vsKubectl(`time to first prompt p50 of ${sizes.prompts}: Kubedeck core`, 'ms', p(core, 50), p(kc, 50), 'lower', 1, noteOf(coreWhy, 'kubectl: process start to first byte; Kubedeck: openTerminal to first byte (shell chosen in the pod)'), ),
    vsKubectl(`time to first prompt p50 of ${sizes.prompts}: serve socket, no browser`, 'ms', p(wire, 50), p(kc, 50), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(
      `time to first prompt p50 of ${sizes.prompts}: end to end (tab)`,
      'ms',
      p(e2e?.drawn ?? null, 50),
      p(kc, 50),
      'lower',
      1,
      noteOf([...e2eWhy, ...why], e2e ? `deep link followed → prompt drawn; of it, link → openTerminal sent p50 ${p(e2e.sent, 50)!.toFixed(0)} ms (tab and xterm set up), link → first byte in the page p50 ${p(e2e.firstByte, 50)!.toFixed(0)} ms` : undefined),
    ),
  ];
}

async function scaleSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const why: string[] = [];
  const flood = await attempt(`kubectl: ${sizes.floodKeys} keystrokes while another kubectl exec floods with yes`, why, async () => {
    const stop = ctx.startKubectlFlood();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      return await kubectlEcho(ctx.target, sizes.floodKeys, ['bash', '-il']);
    } finally {
      await stop();
    }
  });
  let res: ScaleResult | null = null;
  const e2eWhy: string[] = [];
  if (ctx.e2e) res = await attempt(`end to end: ${sizes.terminals} terminals across 3 clusters, then a flood`, e2eWhy, () => ctx.e2e!.scale(sizes.terminals, sizes.floodKeys));
  else e2eWhy.push(ctx.e2eWhy ?? 'serve mode not available');
  const coreWhy: string[] = [];
  const coreFlood = ctx.core
    ? await attempt(`Kubedeck core: ${sizes.floodKeys} keystrokes while another terminal floods with yes`, coreWhy, async () => {
        const stop = await startCoreFlood(ctx.core!, ctx.where);
        try {
          return await measureEcho(ctx.core!, ctx.where, sizes.floodKeys);
        } finally {
          await stop();
        }
      })
    : (coreWhy.push(ctx.coreWhy ?? 'core not available'), null);
  const n = sizes.terminals;
  return [
    absolute(`${n} terminals / 3 clusters: main process memory per terminal`, 'MB', res?.mainPerTerminal ?? null, null, undefined, noteOf(e2eWhy, res?.note)),
    absolute(`${n} terminals / 3 clusters: renderer memory per terminal`, 'MB', res?.rendererPerTerminal ?? null, null, undefined, noteOf(e2eWhy)),
    absolute(`keystroke p99 during a yes flood: end to end (xterm)`, 'ms', p(res?.floodLatencies ?? null, 99), p(flood, 99), { below: 50 }, noteOf([...e2eWhy, ...why])),
    absolute(`keystroke p99 during a yes flood: Kubedeck core`, 'ms', p(coreFlood, 99), p(flood, 99), { below: 50 }, noteOf(coreWhy)),
  ];
}

/** A second terminal running `yes`, acknowledged as it arrives; returns its stop function. */
async function startCoreFlood(core: CoreClient, where: Where): Promise<() => Promise<void>> {
  const info = await core.openTerminal({ ...where, command: ['yes'], cols: 120, rows: 40 });
  const off = core.onData((id, d) => {
    if (id === info.id) void core.ackTerminal(id, d.length).catch(() => undefined);
  });
  await new Promise((r) => setTimeout(r, 1000));
  return async () => {
    off();
    await core.closeTerminal(info.id);
  };
}

export interface Ctx {
  sizes: Sizes;
  quick: boolean;
  tmp: string;
  clusters: Clusters;
  target: Target;
  where: Where;
  core?: CoreClient;
  coreWhy?: string;
  /** Block WebGL in the page (the app then uses xterm's DOM renderer). */
  domRenderer: boolean;
  e2e?: E2eResults;
  e2eWhy?: string;
  xtermRenderer?: string;
  browser: () => ReturnType<typeof launchChromium>;
  startKubectlFlood: () => () => Promise<void>;
}

/** The machine, for the README: cores, CPU model, memory, load when the run ended. */
function machine(): string {
  const model = cpus()[0]?.model?.trim() || 'unknown CPU';
  return `Machine: ${availableParallelism()} CPU cores (${model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end of the run; Node ${process.version}, kubectl ${kubectlVersion()}, Chromium ${chromiumVersion()}.`;
}

function kubectlVersion(): string {
  try {
    return (JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' })) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return 'unknown';
  }
}

function chromiumVersion(): string {
  try {
    return execFileSync('chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/\d+(\.\d+)+/)?.[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const sizes = opts.quick ? QUICK : FULL;
  const tmp = mkdtempSync(join(tmpdir(), 'kubedeck-bench-'));
  const rows: Row[] = [];
  let clusters: Clusters | undefined;
  let browserP: ReturnType<typeof launchChromium> | undefined;
  let core: CoreClient | undefined;
  let e2e: E2eResults | undefined;
  const started = Date.now();
  try {
    log(`${opts.quick ? 'quick' : 'full'} run: ${[...opts.only].join(', ')}${opts.dom ? ' (DOM renderer)' : ''}; temp ${tmp}`);
    try {
      clusters = await startClusters(3, join(tmp, 'kubeconfig'));
    } catch (e) {
      const reason = `test cluster not available: ${errText(e)}`;
      log(reason);
      rows.push(...notAvailable([{ metric: 'every measurement', unit: '', target: '' }], reason));
      return;
    }
    const where: Where = { context: clusters.contexts[0], namespace: 'default', pod: 'shell', container: 'main' };
    const target: Target = { kubeconfig: clusters.kubeconfigPath, ...where };
    const ctx: Ctx = {
      sizes,
      quick: opts.quick,
      domRenderer: opts.dom,
      tmp,
      clusters,
      target,
      where,
      browser: () => (browserP ??= launchChromium()),
      startKubectlFlood: () => clusters!.startKubectlFlood(target),
    };
    try {
      core = ctx.core = await createCoreClient(clusters.kubeconfigPath, join(tmp, 'core-data'));
    } catch (e) {
      ctx.coreWhy = `core not available: ${errText(e)}`;
    }
    const needsE2e = ['throughput', 'echo', 'prompt', 'scale'].some((s) => opts.only.has(s as Section));
    if (needsE2e) {
      try {
        e2e = ctx.e2e = await e2eSection(ctx);
      } catch (e) {
        ctx.e2eWhy = `serve mode not available: ${errText(e)}`;
        log(ctx.e2eWhy);
      }
    }
    const run = async (s: Section, fn: (c: Ctx) => Promise<Row[]>) => {
      if (!opts.only.has(s)) return;
      try {
        rows.push(...(await fn(ctx)));
      } catch (e) {
        rows.push(...notAvailable([{ metric: s, unit: '', target: '' }], `${s} section failed: ${errText(e)}`));
      }
    };
    await run('throughput', throughputSection);
    await run('echo', echoSection);
    await run('prompt', promptSection);
    await run('copy', copySection);
    await run('scale', scaleSection);
  } finally {
    await e2e?.dispose().catch(() => undefined);
    await core?.dispose().catch(() => undefined);
    if (browserP) await (await browserP.catch(() => undefined))?.close().catch(() => undefined);
    await clusters?.stop().catch((e) => log(`stopping the test cluster: ${errText(e)}`));
    rmSync(tmp, { recursive: true, force: true });
    const table = formatTable(rows);
    process.stdout.write(`\nKubedeck benchmark (${opts.quick ? 'quick' : 'full'}, ${((Date.now() - started) / 1000).toFixed(0)} s); ratio = kubedeck ÷ kubectl\n\n${table}\n`);
    if (opts.markdown) writeFileSync(opts.markdown, `${machine()}\n\n${formatMarkdown(rows)}\n`);
    if (opts.json) {
      writeFileSync(opts.json, JSON.stringify(rows, null, 2) + '\n');
      log(`wrote ${opts.json}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench: ${errText(e)}`);
    // The bench reports; it never fails a build.
    process.exit(0);
  },
);
