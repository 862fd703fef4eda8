/**
 * The `reattach` section: 20 tabs (across the three test clusters, each with a screenful of coloured
 * lines of its own), the page reloaded, and the time until every restored screen is drawn — its buffer
 * text equal to what the pane showed before the reload, then one animation frame. Measured from the
 * page's load event (what the target is about) and from the start of the navigation; several reloads
 * in a row. kubectl has nothing like it (a reload of a kubectl terminal is a new shell), so no column.
 */
import type { Page } from 'playwright-core';
import { terminalLink } from '../../common/deepLink.ts';
import { openApp, type RendererName } from './appPage.ts';
import type { Ctx } from './context.ts';
import { noteOf, onServe, pct } from './measure.ts';
import { focusPane, openTab, waitIdle } from './pageProbe.ts';
import { absolute, type Row } from './report.ts';

const STORE = 'kd-bench-reattach';

/** After a reload: each frame, compares every pane's buffer with what it showed before; the frame after a match has drawn it. */
const REATTACH_HOOK = `(() => {
  const raw = sessionStorage.getItem('${STORE}');
  if (!raw) return;
  const expected = JSON.parse(raw);
  const R = (window.__reattach = { drawn: {}, matched: {}, count: Object.keys(expected).length });
  const poll = () => {
    const t = window.kubedeckTest;
    if (t) {
      for (const el of document.querySelectorAll('[data-testid=terminal-pane]')) {
        const id = el.getAttribute('data-session-id');
        if (!id || !(id in expected) || R.matched[id]) continue;
        if (t.terminalText(el.getAttribute('data-session-key')) === expected[id]) {
          R.matched[id] = performance.now();
          requestAnimationFrame(() => (R.drawn[id] = performance.now()));
        }
      }
    }
    if (Object.keys(R.matched).length < R.count) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();`;

interface ReattachWindow {
  __reattach?: { drawn: Record<string, number>; count: number };
  kubedeckTest: { terminalText(key: string): string | undefined };
  sessionStorage: { setItem(k: string, v: string): void; removeItem(k: string): void };
}

export interface ReattachResult {
  renderer: string;
  /** Per reload: ms from the load event until the last of the tabs was drawn, and from navigation start. */
  afterLoad: number[];
  afterNavigation: number[];
  /** Per reload: ms from the load event until the first tab was drawn. */
  firstAfterLoad: number[];
  lines: number;
}

/** Each pane's buffer text by session id (what the reload must bring back). */
function screens(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    const d = globalThis as unknown as ReattachWindow & { document: { querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }> } };
    for (const el of d.document.querySelectorAll('[data-testid=terminal-pane]')) {
      const id = el.getAttribute('data-session-id');
      const text = d.kubedeckTest.terminalText(el.getAttribute('data-session-key') ?? '');
      if (id && text !== undefined) out[id] = text;
    }
    return out;
  });
}

export async function reattach(ctx: Ctx, url: string, renderer: RendererName, tabs: number, reloads: number): Promise<ReattachResult> {
  const app = await openApp(await ctx.browser(), url, renderer, [REATTACH_HOOK]);
  const { page } = app;
  try {
    const contexts = ctx.clusters.contexts;
    for (let i = 0; i < tabs; i++) {
      const { id } = await openTab(page, terminalLink({ ...ctx.where, context: contexts[i % contexts.length] }));
      await waitIdle(page, id, 200);
      await focusPane(page, 0);
      // A screenful and some scrollback of its own per tab, in colours.
      await page.keyboard.type(`for i in $(seq 1 120); do printf '\\033[3%dmtab-${i} line %d\\033[0m\\n' $((i%7+1)) $i; done`);
      await page.keyboard.press('Enter');
      await waitIdle(page, id, 300);
    }
    const before = await screens(page);
    if (Object.keys(before).length !== tabs) throw new Error(`${Object.keys(before).length} of ${tabs} panes have a screen`);
    const out: ReattachResult = { renderer: (await app.renderer()) ?? renderer, afterLoad: [], afterNavigation: [], firstAfterLoad: [], lines: Math.max(...Object.values(before).map((t) => t.split('\n').length)) };
    await page.evaluate(([k, v]) => (globalThis as unknown as ReattachWindow).sessionStorage.setItem(k, v), [STORE, JSON.stringify(before)]);
    for (let r = 0; r < reloads; r++) {
      await page.reload();
      const h = await page.waitForFunction(() => {
        const R = (globalThis as unknown as ReattachWindow).__reattach;
        if (!R || Object.keys(R.drawn).length < R.count) return undefined;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        if (!nav.loadEventEnd) return undefined;
        const times = Object.values(R.drawn);
        return [nav.loadEventEnd, Math.min(...times), Math.max(...times)];
      }, undefined, { timeout: 60_000, polling: 100 });
      const [load, first, last] = (await h.jsonValue()) as number[];
      out.afterLoad.push(last - load);
      out.firstAfterLoad.push(first - load);
      out.afterNavigation.push(last);
    }
    await page.evaluate((k) => (globalThis as unknown as ReattachWindow).sessionStorage.removeItem(k), STORE);
    // Closing the tabs ends their shells (a page that just goes away would leave them for the grace period).
    const close = page.getByTestId('tab-close');
    for (let n = await close.count(); n > 0; n--) await close.last().click({ force: true });
    return out;
  } finally {
    await app.close();
  }
}

export async function reattachSection(ctx: Ctx): Promise<Row[]> {
  const tabs = 20;
  const reloads = ctx.quick ? 3 : 5;
  const rows: Row[] = [];
  for (const r of ['webgl', 'dom'] as RendererName[]) {
    const why: string[] = [];
    const res = await onServe(ctx, `end to end: ${tabs} tabs, page reloaded ${reloads}×, ${r} renderer: until every restored screen is drawn`, why, (s) => reattach(ctx, s.url, r, tabs, reloads));
    const note = res
      ? `${res.renderer} renderer (asked for ${r}); ${tabs} tabs over 3 clusters, each with ${res.lines} lines (colours, scrollback); every pane's buffer equal to its text before the reload, then one frame; p50 of ${reloads} reloads (each: ${res.afterLoad.map((x) => x.toFixed(0)).join(', ')} ms after the load event); first tab drawn p50 ${pct(res.firstAfterLoad, 50)!.toFixed(0)} ms after it; from the start of the navigation p50 ${pct(res.afterNavigation, 50)!.toFixed(0)} ms`
      : undefined;
    rows.push(absolute(`reattach after reload, ${tabs} tabs: load event → every screen drawn (${r})`, 'ms', pct(res?.afterLoad ?? null, 50), null, { below: 500, text: '≤ 500 ms' }, noteOf(why, note)));
  }
  return rows;
}
