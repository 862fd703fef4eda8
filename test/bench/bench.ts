/**
 * `npm run bench [-- --json FILE] [--quick] [--only SECTION,...]`
 *
 * Kubedeck side by side with kubectl on the same test-cluster pods, in one run so the machine's
 * noise hits both: terminal throughput, keystroke echo latency, time to a prompt, copy, and scale.
 * It never fails a build: every number that cannot be measured is reported as n/a with the reason,
 * and the exit code is 0 whatever the targets say.
 *
 * This file starts what the sections share and runs them; the sections are throughput.ts,
 * latency.ts (echo, prompt, scale) and copy.ts, over context.ts and measure.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMarkdown, formatTable, notAvailable, type Row } from './report.ts';
import type { Target } from './kubectl.ts';
import { createCoreClient, type CoreClient } from './core.ts';
import type { Where } from './terminalProbe.ts';
import { launchChromium } from './browser.ts';
import { log, MiB } from './proc.ts';
import { startClusters, type Clusters } from './cluster.ts';
import { copySection } from './copy.ts';
import { sshSection } from './ssh.ts';
import { e2eSection, type E2eResults } from './e2e.ts';
import { FULL, QUICK, type Ctx } from './context.ts';
import { errText } from './measure.ts';
import { machine } from './machine.ts';
import { parseBenchArgs, USAGE, type Section } from './options.ts';
import { throughputSection } from './throughput.ts';
import { tabFloodSection } from './tabFloodSection.ts';
import { splitEchoSection } from './splitEcho.ts';
import { reattachSection } from './reattach.ts';
import { echoSection, promptSection, scaleSection } from './latency.ts';

// e2e.ts takes its context type from here.
export type { Ctx, Sizes } from './context.ts';

const RUN_ORDER: [Section, (c: Ctx) => Promise<Row[]>][] = [
  ['throughput', throughputSection],
  ['tabflood', tabFloodSection],
  ['echo', echoSection],
  ['splitecho', splitEchoSection],
  ['reattach', reattachSection],
  ['prompt', promptSection],
  ['copy', copySection],
  ['ssh', sshSection],
  ['scale', scaleSection],
];

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  if (!opts) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizes = { ...(opts.quick ? QUICK : FULL), ...(opts.sftpMiB ? { sftpFile: opts.sftpMiB * MiB } : {}) };
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
      repeat: opts.repeat,
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
    const needsE2e = ['throughput', 'tabflood', 'echo', 'splitecho', 'reattach', 'prompt', 'scale'].some((s) => opts.only.has(s as Section));
    if (needsE2e) {
      try {
        e2e = ctx.e2e = await e2eSection(ctx);
      } catch (e) {
        ctx.e2eWhy = `serve mode not available: ${errText(e)}`;
        log(ctx.e2eWhy);
      }
    }
    for (const [s, fn] of RUN_ORDER) {
      if (!opts.only.has(s)) continue;
      try {
        rows.push(...(await fn(ctx)));
      } catch (e) {
        rows.push(...notAvailable([{ metric: s, unit: '', target: '' }], `${s} section failed: ${errText(e)}`));
      }
    }
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
