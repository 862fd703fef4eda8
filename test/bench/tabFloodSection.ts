/**
 * The `tabflood` section: `yes | head -c N` typed into a tab, Enter → final screen drawn, with the WebGL
 * and the DOM renderer, against kubectl's own time for the same output under a pty (best of a run before
 * and one after ours, so the machine's noise does not favour us). Plus the headless parse rate in Node,
 * which bounds the session host (tabFlood.ts says how each number is taken).
 */
import type { Ctx } from './context.ts';
import { kubectlSink } from './kubectl.ts';
import { attempt, errText, noteOf, onServe } from './measure.ts';
import { log, MiB } from './proc.ts';
import { absolute, vsKubectl, type Row } from './report.ts';
import { firstDifference, headlessExpectation, tabFlood, type TabFloodResult } from './tabFlood.ts';
import type { RendererName } from './appPage.ts';
import { floodCommand } from './workload.ts';

const RENDERERS: RendererName[] = ['webgl', 'dom'];

export async function tabFloodSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const mib = (sizes.ttyBytes / MiB).toFixed(0);
  const kcWhy: string[] = [];
  const kcRun = () => attempt(`kubectl exec -it: ${mib} MiB of tty output (under a pty, to /dev/null)`, kcWhy, () => kubectlSink(ctx.target, floodCommand(sizes.ttyBytes)));
  const kc: (number | null)[] = [await kcRun()];
  const results: [RendererName, TabFloodResult | null, string[]][] = [];
  for (const r of RENDERERS) {
    const why: string[] = [];
    const res = await onServe(ctx, `end to end: ${mib} MiB typed into a tab, ${r} renderer, Enter → final screen drawn`, why, async (s) =>
      tabFlood(await ctx.browser(), s.url, ctx.where, r, sizes.ttyBytes, Math.max(sizes.budgetMs, 300_000), s.servePid));
    results.push([r, res, why]);
  }
  kc.push(await kcRun());
  const kubectl = kc.every((x) => x === null) ? null : Math.min(...kc.filter((x): x is number => x !== null));

  const rows: Row[] = [];
  const expectations = new Map<string, { text: string; parseMiBps: number }>();
  let parseRate: number | null = null;
  const parseWhy: string[] = [];
  for (const [r, res, why] of results) {
    let check = '';
    if (res?.text !== undefined) {
      const sizeKey = `${res.cols}x${res.rows}`;
      try {
        if (!expectations.has(sizeKey)) {
          log(`headless xterm fed the same ${mib} MiB at ${sizeKey}`);
          expectations.set(sizeKey, await headlessExpectation(res.cols, res.rows, sizes.ttyBytes));
        }
        const exp = expectations.get(sizeKey)!;
        parseRate ??= exp.parseMiBps;
        const diff = firstDifference(res.text, exp.text);
        check = diff ? `final screen and scrollback DIFFER from a headless xterm fed the same bytes: ${diff}` : `final screen and scrollback (${res.text.split('\n').length} lines) equal a headless xterm fed the same bytes`;
      } catch (e) {
        parseWhy.push(`headless check: ${errText(e)}`);
        check = `headless check failed: ${errText(e)}`;
      }
    }
    const seconds = res?.seconds ?? null;
    const note = res
      ? `${res.renderer} renderer (asked for ${r}), ${res.cols}×${res.rows}; ${seconds === null ? 'the final screen was not drawn within the budget; ' : ''}${check}; final prompt in the page after ${res.arrivedSeconds?.toFixed(2) ?? 'n/a'} s; ${res.frames} output frames (${(res.bytes / MiB).toFixed(0)} MiB) and ${res.snapshots} snapshots reached the page; serve process CPU ${res.serveCpu.toFixed(1)} s; kubectl: spawn → exit, best of ${kc.length} (${kc.map((x) => x?.toFixed(2) ?? 'n/a').join(', ')} s)`
      : undefined;
    const row = vsKubectl(`tty output ${mib} MiB typed into a tab: Enter → final screen drawn (${r})`, 's', seconds, kubectl, 'lower', 1.25, noteOf([...why, ...kcWhy], note));
    if (res && res.text !== undefined && check.includes('DIFFER') && row.pass === true) row.pass = false;
    rows.push(row);
  }
  rows.push(absolute(`tty output ${mib} MiB: @xterm/headless parse rate in Node (the session host's ceiling)`, 'MiB/s', parseRate, kubectl === null ? null : sizes.ttyBytes / MiB / kubectl, undefined,
    noteOf(parseWhy, 'the same bytes written to @xterm/headless in the bench process, ~1 MiB queued; kubectl column: its rate for the same output')));
  return rows;
}
