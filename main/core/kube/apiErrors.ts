/**
 * Every "Kubernetes said X" turned into a sentence a user reads: a refused request (an HTTP code with
 * a metav1.Status body), a network or TLS failure, or a REST call's exception. One home, so the
 * terminal, the file browser, the cluster list and `kubedeck cp` word the same failure the same way.
 */
import type { V1Status } from '@kubernetes/client-node';

const HTTP_REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** "403 Forbidden: pods "shell" is forbidden: …" — a sentence from an HTTP code and a Status body. */
export function describeHttpFailure(code: number, body: string): { message: string; status?: V1Status } {
  let status: V1Status | undefined;
  try {
    const parsed = JSON.parse(body) as V1Status;
    if (parsed && typeof parsed === 'object' && (parsed.kind === 'Status' || parsed.message !== undefined)) status = parsed;
  } catch {
    // Not JSON: a proxy's HTML page or plain text.
  }
  const head = `${code} ${HTTP_REASON[code] ?? status?.reason ?? 'error'}`;
  let detail = status?.message ?? body.trim().slice(0, 300);
  if (!detail && code === 401) detail = 'the credentials were rejected';
  if (code === 401) detail += ' (check the token or client certificate of this context)';
  return { message: detail ? `${head}: ${detail}` : head, status };
}

/** A sentence for a network error (ECONNREFUSED, ENOTFOUND, TLS…). */
export function describeNetworkError(err: unknown, server?: string): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const where = server ? ` ${server}` : '';
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach${where}: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach${where}: host not found`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `cannot reach${where}: connection timed out`;
    case 'ECONNRESET':
      return `connection to${where || ' the server'} was reset`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'CERT_HAS_EXPIRED':
      return `TLS certificate of${where || ' the server'} not trusted (${code}); check certificate-authority in the kubeconfig`;
    default:
      return `${e?.message ?? String(err)}${e?.cause?.message ? ` (${e.cause.message})` : ''}`;
  }
}

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
