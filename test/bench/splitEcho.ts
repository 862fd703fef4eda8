/**
 * The `splitecho` section: keystroke echo in one pane while the other pane of the same tab (a split, so
 * both are visible and drawn) runs `yes`, end to end in the real UI, with the WebGL and the DOM renderer.
 * kubectl's column: its echo in one `kubectl exec -it` while another kubectl exec floods (to /dev/null,
 * as no terminal draws it). Keys as in the echo rows: keydown → the first animation frame after xterm
 * acknowledged the echo (pageProbe.ts).
 */
import type { Browser } from 'playwright-core';
import { terminalLink } from '../../common/deepLink.ts';
import { sleep } from '../util/wait.ts';
import { openApp, type RendererName } from './appPage.ts';
import type { Ctx } from './context.ts';
import { kubectlEcho } from './kubectl.ts';
import { attempt, noteOf, onServe, pct } from './measure.ts';
import { focusPane, nthOpenedDrawn, openedCount, openTab, typeKeys, waitIdle, type BenchWindow } from './pageProbe.ts';
import { MiB } from './proc.ts';
import { absolute, type Row } from './report.ts';
import type { Where } from './terminalProbe.ts';

export interface SplitEchoResult {
  renderer: string;
  rendered: number[];
  arrived: number[];
  /** MiB/s of the flood that reached the page as output frames while the keys were typed. */
  floodMiBps: number;
}

const received = (page: import('playwright-core').Page, id: string) => page.evaluate((id) => (globalThis as unknown as BenchWindow).__bench.recv[id] ?? 0, id);

export async function splitEcho(browser: Browser, url: string, where: Where, renderer: RendererName, keys: number): Promise<SplitEchoResult> {
  const app = await openApp(browser, url, renderer);
  const { page } = app;
  try {
    const { id: floodId } = await openTab(page, terminalLink(where));
    await waitIdle(page, floodId);
    const before = await openedCount(page);
    await page.getByTestId('split-button').click();
    const typeId = await nthOpenedDrawn(page, before);
    await waitIdle(page, typeId);
    await focusPane(page, 0);
    await page.keyboard.type('yes kubedeck-bench-flood');
    await page.keyboard.press('Enter');
    // The flood is running once a couple of MiB of it reached the page.
    await page.waitForFunction((id) => ((globalThis as unknown as BenchWindow).__bench.recv[id] ?? 0) > 2 * 2 ** 20, floodId, { timeout: 60_000, polling: 100 });
    await focusPane(page, 1);
    const r0 = await received(page, floodId);
    const t0 = Date.now();
    const lat = await typeKeys(page, typeId, keys);
    const floodMiBps = ((await received(page, floodId)) - r0) / MiB / ((Date.now() - t0) / 1000);
    await focusPane(page, 0);
    await page.keyboard.press('Control+c');
    return { renderer: (await app.renderer()) ?? renderer, rendered: lat.rendered, arrived: lat.arrived, floodMiBps };
  } finally {
    await app.close();
  }
}

export async function splitEchoSection(ctx: Ctx): Promise<Row[]> {
  const keys = ctx.sizes.floodKeys;
  const kcWhy: string[] = [];
  const kc = await attempt(`kubectl: ${keys} keystrokes while another kubectl exec floods with yes`, kcWhy, async () => {
    const stop = ctx.startKubectlFlood();
    try {
      // The other exec has to be running before the keys it is meant to slow down.
      await sleep(1000);
      return await kubectlEcho(ctx.target, keys, ['bash', '-il']);
    } finally {
      await stop();
    }
  });
  const rows: Row[] = [];
  for (const r of ['webgl', 'dom'] as RendererName[]) {
    const why: string[] = [];
    const res = await onServe(ctx, `end to end: ${keys} keystrokes in one pane while the other pane of the tab floods, ${r} renderer`, why, async (s) => splitEcho(await ctx.browser(), s.url, ctx.where, r, keys));
    const note = res ? `${res.renderer} renderer (asked for ${r}); a tab split in two, yes in the left pane (${res.floodMiBps.toFixed(1)} MiB/s of it reached the page meanwhile), keys in the right one; keydown → echo bytes in the page p50 ${pct(res.arrived, 50)!.toFixed(1)} ms, p99 ${pct(res.arrived, 99)!.toFixed(1)} ms; kubectl: its echo while another kubectl exec floods` : undefined;
    rows.push(absolute(`keystroke echo p50 while the next pane floods: end to end (${r})`, 'ms', pct(res?.rendered ?? null, 50), pct(kc, 50), undefined, noteOf([...why, ...kcWhy], note)));
    rows.push(absolute(`keystroke echo p99 while the next pane floods: end to end (${r})`, 'ms', pct(res?.rendered ?? null, 99), pct(kc, 99), { below: 50 }, noteOf(why)));
  }
  return rows;
}
