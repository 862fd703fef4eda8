/**
 * The sentence for a failed REST call of the cluster registry (probes, informers) and of `kubedeck cp`.
 * Kept in a file of its own so its single home can move to main/core/kube/ without touching its callers' logic.
 */
import { describeHttpFailure, describeNetworkError } from '../kube/exec.ts';

/** A sentence for an error of a REST call (ApiException, fetch failures, timeouts). */
export function describeApiError(err: unknown, server?: string): { reason: string; code?: number } {
  const e = err as { code?: unknown; body?: unknown; statusCode?: number };
  const code = typeof e?.code === 'number' ? e.code : e?.statusCode;
  if (typeof code === 'number' && code >= 300) {
    const body = typeof e.body === 'string' ? e.body : e.body ? JSON.stringify(e.body) : '';
    return { reason: describeHttpFailure(code, body).message, code };
  }
  return { reason: describeNetworkError(err, server) };
}
