/**
 * Serve-mode access checks: a random token, the Host header and the Origin.
 *
 * Why all three: the token keeps out other local users and other sites; the Host check stops DNS
 * rebinding (a foreign page resolving its own name to 127.0.0.1); the Origin check stops a foreign
 * page from opening our WebSocket with a token it learned (WebSockets are not bound by CORS).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'kubedeck_token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(a: string | undefined | null, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export interface AccessPolicy {
  token: string;
  /** The port the server listens on (for the Host check). */
  port: () => number;
  /** True when bound to loopback only: Host must then name loopback. */
  loopbackOnly: boolean;
  /** Served over HTTPS: a page's Origin is then https://. */
  tls?: boolean;
}

export type AccessResult = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/** A cookie's value from the request's Cookie header. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Host header of a request, split; undefined if malformed. */
function hostOf(value: string | undefined, tls = false): { name: string; port: number } | undefined {
  if (!value) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value);
  if (!m) return undefined;
  return { name: m[1].toLowerCase(), port: m[2] ? Number(m[2]) : tls ? 443 : 80 };
}

/** Checks a request (HTTP or WebSocket upgrade). */
export function checkAccess(req: IncomingMessage, policy: AccessPolicy, url: URL): AccessResult {
  const place = checkHostAndOrigin(req, policy);
  if (!place.ok) return place;
  const fromQuery = url.searchParams.get('token');
  if (tokensEqual(fromQuery, policy.token)) return { ok: true, viaQuery: true };
  if (tokensEqual(cookieValue(req, COOKIE_NAME), policy.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'missing or wrong token: open the URL that `kubedeck serve` printed' };
}

/** The Host and Origin checks alone (share-link requests carry their own credential, not the token). */
export function checkHostAndOrigin(req: IncomingMessage, policy: AccessPolicy): { ok: true } | { ok: false; status: 403; reason: string } {
  const host = hostOf(req.headers.host, policy.tls);
  if (!host) return { ok: false, status: 403, reason: 'missing or malformed Host header' };
  if (policy.loopbackOnly && (!isLoopback(host.name) || host.port !== policy.port())) {
    return { ok: false, status: 403, reason: `Host ${req.headers.host} is not this server` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let o: URL | undefined;
    try {
      o = new URL(origin);
    } catch {
      o = undefined;
    }
    // Same origin only: the page must have come from this server (same scheme, host and port).
    if (!o || o.protocol !== (policy.tls ? 'https:' : 'http:') || o.host.toLowerCase() !== String(req.headers.host).toLowerCase()) {
      return { ok: false, status: 403, reason: `foreign Origin ${origin}` };
    }
  }
  return { ok: true };
}
