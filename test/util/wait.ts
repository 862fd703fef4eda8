/**
 * Waiting in tests: for a condition, never for a fixed time (a timed wait is a flaky test on a loaded
 * machine). `sleep` is only for pacing a poll or for proving that something does *not* happen.
 */
import { setTimeout as delay } from 'node:timers/promises';

export const sleep = (ms: number): Promise<void> => delay(ms);

/**
 * Polls `fn` until it returns a truthy value and returns it; throws after `timeoutMs` naming `what`
 * (and the last error `fn` threw, if any).
 */
export async function until<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await delay(everyMs);
  }
}
