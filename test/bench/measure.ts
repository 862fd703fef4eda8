/**
 * How a section takes one measurement: logged, and on failure null plus the reason (the row then says
 * n/a and why); run only when the client it needs (the in-process core, serve mode) started. Shared by
 * every section so each reports a missing path the same way.
 */
import type { Ctx } from './context.ts';
import type { CoreClient } from './core.ts';
import { connectWire, type E2eResults } from './e2e.ts';
import { log, MiB } from './proc.ts';
import { percentile } from './report.ts';
import type { TermClient } from './terminalProbe.ts';

export function errText(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
}

/** Runs a measurement; on failure returns null and remembers why. */
export async function attempt<T>(what: string, why: string[], fn: () => Promise<T>): Promise<T | null> {
  log(what);
  try {
    return await fn();
  } catch (e) {
    log(`  ${what}: ${errText(e)}`);
    why.push(`${what}: ${errText(e)}`);
    return null;
  }
}

/** A measurement on the in-process core; null with the reason when the core did not start. */
export function onCore<T>(ctx: Ctx, what: string, why: string[], fn: (core: CoreClient) => Promise<T>): Promise<T | null> {
  const { core } = ctx;
  if (!core) return (why.push(ctx.coreWhy ?? 'core not available'), Promise.resolve(null));
  return attempt(what, why, () => fn(core));
}

/** A measurement through serve mode (page or socket); null with the reason when serve mode did not start. */
export function onServe<T>(ctx: Ctx, what: string, why: string[], fn: (e2e: E2eResults) => Promise<T>): Promise<T | null> {
  const { e2e } = ctx;
  if (!e2e) return (why.push(ctx.e2eWhy ?? 'serve mode not available'), Promise.resolve(null));
  return attempt(what, why, () => fn(e2e));
}

/** A measurement over a Node client of the serve WebSocket (no browser), closed afterwards. */
export function onWire<T>(ctx: Ctx, what: string, why: string[], fn: (c: TermClient) => Promise<T>): Promise<T | null> {
  return onServe(ctx, what, why, async (e2e) => {
    const c = await connectWire(e2e.url);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  });
}

/** `n` samples, one after another (never in parallel: they would measure each other). */
export async function samples<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const xs: T[] = [];
  for (let i = 0; i < n; i++) xs.push(await fn());
  return xs;
}

export const mibps = (bytes: number, seconds: number) => bytes / MiB / seconds;
/** Percentile of samples that may be missing. */
export const pct = (xs: number[] | null, q: number) => (xs && xs.length ? percentile(xs, q) : null);
/** A row's note: what it shows (if anything to say), then why any value is missing. */
export const noteOf = (why: string[], extra?: string) => [extra, ...why].filter(Boolean).join('; ') || undefined;
