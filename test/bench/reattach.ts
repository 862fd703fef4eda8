/**
 * The `reattach` section: 20 tabs (across the three test clusters, each with a screenful of coloured
 * lines of its own), the page reloaded, and the time until the restored screen is drawn — the shown
 * tab's buffer text equal to what it showed before the reload, then one animation frame — measured from
 * the page's load event (what the target is about) and from the start of the navigation; several
 * reloads in a row. The other 19 tabs are restored in the background without terminals (a hidden tab
 * costs nothing); each is then shown in turn, and the time from its click to its screen drawn (equal to
 * what it showed before) is measured too, so no tab's screen goes unchecked. kubectl has nothing like it
 * (a reload of a kubectl terminal is a new shell), so no column.
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
  const R = (window.__reattach = { drawn: {}, matched: {}, count: Object.keys(expected).length, clicked: {} });
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
  __reattach?: { drawn: Record<string, number>; count: number; clicked: Record<string, number> };
  kubedeckTest: { terminalText(key: string): string | undefined };
  sessionStorage: { setItem(k: string, v: string): void; removeItem(k: string): void };
}

export interface ReattachResult {
  renderer: string;
  /** Per reload: ms from the load event until the last of the tabs was drawn, and from navigation start. */
  afterLoad: number[];
  afterNavigation: number[];
  /** Per reload: how many screens were drawn by the time the shown one was (the shown tab's panes, no more). */
  drawnAtFirst: number[];
  /** Per tab shown after a reload: ms from its click to its screen drawn. */
  showTab: number[];
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
    const out: ReattachResult = { renderer: (await app.renderer()) ?? renderer, afterLoad: [], afterNavigation: [], drawnAtFirst: [], showTab: [], lines: Math.max(...Object.values(before).map((t) => t.split('\n').length)) };
    await page.evaluate(([k, v]) => (globalThis as unknown as ReattachWindow).sessionStorage.setItem(k, v), [STORE, JSON.stringify(before)]);
    for (let r = 0; r < reloads; r++) {
      await page.reload();
      const h = await page.waitForFunction(() => {
        const R = (globalThis as unknown as ReattachWindow).__reattach;
        const d = globalThis as unknown as { document: { querySelector(s: string): { querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }> } | null } };
        const body = d.document.querySelector('[data-testid=tab-body][data-active=true]');
        if (!R || !body) return undefined;
        const shown = [...body.querySelectorAll('[data-testid=terminal-pane]')].map((el) => el.getAttribute('data-session-id'));
        if (!shown.length || !shown.every((id) => id && id in R.drawn)) return undefined;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        if (!nav.loadEventEnd) return undefined;
        return [nav.loadEventEnd, Math.max(...shown.map((id) => R.drawn[id!])), Object.keys(R.drawn).length];
      }, undefined, { timeout: 60_000, polling: 100 });
      const [load, drawn, count] = (await h.jsonValue()) as number[];
      out.afterLoad.push(drawn - load);
      out.afterNavigation.push(drawn);
      out.drawnAtFirst.push(count);
      // Then every other tab, shown one after the other: click → its restored screen drawn.
      const keys = await page.getByTestId('tab').evaluateAll((els) => els.map((e) => [e.getAttribute('data-tab-key'), e.getAttribute('aria-selected')]));
      for (const [key, selected] of keys) {
        if (!key || selected === 'true') continue;
        const ms = await page.evaluate(async (k) => {
          const R = (globalThis as unknown as ReattachWindow).__reattach!;
          const d = globalThis as unknown as { document: { querySelector(s: string): ({ click(): void; querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }> }) | null } };
          const t0 = performance.now();
          d.document.querySelector(`[data-testid=tab][data-tab-key="${k}"]`)!.click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const body = d.document.querySelector(`[data-testid=tab-body][data-tab-key="${k}"]`);
            const ids = body ? [...body.querySelectorAll('[data-testid=terminal-pane]')].map((el) => el.getAttribute('data-session-id')) : [];
            if (ids.length && ids.every((id) => id && id in R.drawn)) return Math.max(...ids.map((id) => R.drawn[id!])) - t0;
            if (performance.now() - t0 > 30_000) throw new Error(`tab ${k}: its screen was not restored within 30 s`);
          }
        }, key);
        out.showTab.push(ms);
      }
      const all = await page.evaluate(() => Object.keys((globalThis as unknown as ReattachWindow).__reattach!.drawn).length);
      if (all !== tabs) throw new Error(`after showing every tab, ${all} of ${tabs} screens equal what they showed before the reload`);
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
      ? `${res.renderer} renderer (asked for ${r}); ${tabs} tabs over 3 clusters, each with ${res.lines} lines (colours, scrollback); the shown tab's buffer equal to its text before the reload, then one frame; p50 of ${reloads} reloads (each: ${res.afterLoad.map((x) => x.toFixed(0)).join(', ')} ms after the load event; screens drawn by then: ${res.drawnAtFirst.join(', ')} — the other tabs wait, without terminals, until shown); from the start of the navigation p50 ${pct(res.afterNavigation, 50)!.toFixed(0)} ms`
      : undefined;
    rows.push(absolute(`reattach after reload, ${tabs} tabs: load event → restored screen drawn (${r})`, 'ms', pct(res?.afterLoad ?? null, 50), null, { below: 500, text: '≤ 500 ms' }, noteOf(why, note)));
    const showNote = res ? `each of the ${tabs - 1} other restored tabs clicked in turn after each reload (${res.showTab.length} in all): click → its screen drawn, equal to what it showed before the reload; p99 ${pct(res.showTab, 99)!.toFixed(0)} ms` : undefined;
    rows.push(absolute(`reattach after reload: a background tab's first show, click → screen drawn p50 (${r})`, 'ms', pct(res?.showTab ?? null, 50), null, undefined, noteOf(why, showNote)));
  }
  return rows;
}
