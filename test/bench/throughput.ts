/**
 * The throughput section: the same tty flood through kubectl, the bare exec stream, the core (with and
 * without recording), the serve socket, a page without xterm, xterm alone and end to end, so a slow
 * number can be placed on the path (cluster + ws, core, wire, browser, xterm).
 */
import { xtermParseRate } from './browser.ts';
import type { Ctx } from './context.ts';
import { bareExecThroughput, createTerminalOnlyClient } from './core.ts';
import { kubectlSink } from './kubectl.ts';
import { attempt, mibps, noteOf, onCore, onServe, onWire } from './measure.ts';
import { MiB } from './proc.ts';
import { absolute, vsKubectl, type Row } from './report.ts';
import { measureThroughput, type TermClient } from './terminalProbe.ts';
import { floodCommand, LINE, receivedBytes } from './workload.ts';

export async function throughputSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const cmd = floodCommand(sizes.ttyBytes);
  const expect = receivedBytes(sizes.ttyBytes);
  const why: string[] = [];
  const mib = (sizes.ttyBytes / MiB).toFixed(0);
  /** MiB/s of a run that must have delivered every byte (a short count is a failure, not a rate). */
  const fullRate = (r: { bytes: number; seconds: number }) => {
    if (r.bytes !== expect) throw new Error(`received ${r.bytes} bytes, expected ${expect}`);
    return mibps(sizes.ttyBytes, r.seconds);
  };
  const clientRate = async (c: TermClient) => fullRate(await measureThroughput(c, ctx.where, cmd));
  /** What a browser run that hit its time budget says it got through. */
  const budgetHit = (what: string) => `stopped after ${sizes.budgetMs / 1000} s with ${what} (rate so far)`;

  const kubectlSec = await attempt(`kubectl exec -it: ${mib} MiB of tty output to /dev/null`, why, () => kubectlSink(ctx.target, cmd));
  const kubectlRate = kubectlSec === null ? null : mibps(sizes.ttyBytes, kubectlSec);

  const bare = await attempt('bare exec stream (kube/execStream.ts, no flow control)', why, async () =>
    fullRate(await bareExecThroughput(ctx.clusters.kubeConfigFor(ctx.where.context), ctx.where, cmd)));

  const coreWhy: string[] = [];
  const core = await onCore(ctx, `Kubedeck core (${ctx.core?.describe}), acks as bytes arrive`, coreWhy, clientRate);

  const plainWhy: string[] = [];
  const plain = await attempt('Kubedeck terminal path without recording (TerminalService alone)', plainWhy, async () => {
    const c = await createTerminalOnlyClient(ctx.clusters.kubeconfigPath);
    try {
      return await clientRate(c);
    } finally {
      await c.dispose();
    }
  });

  const wireWhy: string[] = [];
  const wire = await onWire(ctx, 'serve mode socket from Node (no browser), acks as bytes arrive', wireWhy, clientRate);

  const pageWhy: string[] = [];
  let pageNote: string | undefined;
  const pageRate = await onServe(ctx, 'serve socket read by a page in Chromium, no xterm, acks at once', pageWhy, async (e2e) => {
    const r = await e2e.pageSocketThroughput(cmd, expect, sizes.budgetMs);
    pageNote = `${r.bytes < expect ? `${budgetHit(`${(r.bytes / MiB).toFixed(0)} MiB read`)}; ` : ''}${r.frames} frames of ${(r.bytes / Math.max(1, r.frames) / 1024).toFixed(1)} KiB on average: the browser's own ceiling for the end-to-end path`;
    return (r.bytes / expect) * mibps(sizes.ttyBytes, r.seconds);
  });

  const xtermWhy: string[] = [];
  const xterm = await attempt(`xterm.js parse rate in Chromium, same ${mib} MiB fed locally`, xtermWhy, async () => {
    const browser = await ctx.browser();
    const r = await xtermParseRate(browser, { line: LINE + '\r\n', bytes: expect, cols: 120, rows: 40, webgl: ctx.e2e?.webgl ?? false, budgetMs: sizes.budgetMs });
    ctx.xtermRenderer = `${r.renderer} renderer, same bytes fed in 64 KiB writes, at most 1 MiB queued${r.bytes < expect ? `; ${budgetHit(`${(r.bytes / MiB).toFixed(0)} MiB parsed`)}` : ''}`;
    return (r.bytes / expect) * mibps(sizes.ttyBytes, r.seconds);
  });

  const e2eWhy: string[] = [];
  let frameNote: string | undefined;
  const e2e = await onServe(ctx, 'end to end: serve mode → xterm in Chromium, bytes acknowledged', e2eWhy, async (s) => {
    const r = await s.throughput(cmd, expect, sizes.budgetMs);
    const partial = r.acked < expect ? `${budgetHit(`${(r.acked / MiB).toFixed(0)} of ${(expect / MiB).toFixed(0)} MiB drawn`)}; ` : '';
    frameNote = `${partial}${r.frames} output frames reached the page, ${(r.bytes / Math.max(1, r.frames) / 1024).toFixed(1)} KiB each on average; xterm ${s.webgl ? 'WebGL' : 'DOM'} renderer`;
    return (r.acked / expect) * mibps(sizes.ttyBytes, r.seconds);
  });

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
