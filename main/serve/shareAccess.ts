/**
 * Share links in serve mode: the HTTP routes (the page, the one-time exchange of a URL fragment's token
 * for a cookie, the link's status) and each holder's WebSocket connection — a guest client of Kubedeck
 * whose every call passes shareScope.ts and whose events are filtered, that is closed when its link is
 * revoked or expires. server.ts calls in with a line or two; everything about share links is here.
 *
 * The token never reaches a server log, a proxy or a Referer: it travels in the URL fragment, which the
 * page posts here once (POST /share/exchange) and then removes with history.replaceState. The answer is
 * an HttpOnly, SameSite=Strict cookie bound to that link (Secure on TLS).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionInfo } from '../../common/contract/terminals.ts';
import type { Kubedeck, KubedeckClient, KubedeckEmit } from '../core/kubedeck.ts';
import { shareWho } from '../core/share/shareLinks.ts';
import type { ShareLinkRecord } from '../core/share/shareStore.ts';
import { checkHostAndOrigin, cookieValue, type AccessPolicy } from './auth.ts';
import { RateLimit } from './rateLimit.ts';
import { checkShareCall, inScope, shareEventAllowed, type ShareScope } from './shareScope.ts';

export const SHARE_COOKIE = 'kubedeck_share';
/** A token is a few hundred bytes; a body past this is not an exchange. */
const MAX_BODY = 4096;
/** The close code a holder's page gets when its link stops (revoked, expired): it shows the reason, no retry. */
export const SHARE_CLOSE_CODE = 4001;
/** A holder's refusals of one method are audited at most this often (a hostile page could flood the trail). */
const REFUSAL_AUDIT_MS = 10_000;

export interface ShareAccessOptions {
  kubedeck: Kubedeck;
  policy: AccessPolicy;
  log?: (line: string) => void;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export class ShareAccess {
  /** Exchange tries per address: 20 at once, one more every 2 s. */
  private readonly limiter = new RateLimit({ burst: 20, perSecond: 0.5 });
  /** When each address was last audited as rate-limited (one line per minute, not one per try). */
  private readonly limitedAudited = new Map<string, number>();

  constructor(private readonly opts: ShareAccessOptions) {}

  private get links() {
    return this.opts.kubedeck.share;
  }

  private refOf = (id: string) => {
    const s = this.opts.kubedeck.terminals.get(id);
    if (!s || s.isEnded) return undefined;
    const { context, namespace, pod, container } = s.info();
    return { context, namespace, pod, container };
  };

  /**
   * The share routes: GET /share (the page; the built renderer's index.html), public /assets/* (the
   * page's code, the same for everyone, no secret in it), POST /share/exchange and GET /share/status.
   * Returns true when it answered the request.
   */
  handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, serveFile: (path: string) => void): boolean {
    const p = url.pathname;
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (p !== '/share' && p !== '/share/exchange' && p !== '/share/status' && !(isGet && p.startsWith('/assets/'))) return false;
    const place = checkHostAndOrigin(req, this.opts.policy);
    if (!place.ok) {
      json(res, place.status, { ok: false, message: place.reason });
      return true;
    }
    if (p === '/share/exchange') {
      if (req.method !== 'POST') json(res, 405, { ok: false, message: 'POST the token' }, { Allow: 'POST' });
      else void this.exchange(req, res);
      return true;
    }
    if (!isGet) {
      json(res, 405, { ok: false, message: `method ${req.method} not allowed` });
      return true;
    }
    if (p === '/share/status') {
      const r = this.links.findByCookie(cookieValue(req, SHARE_COOKIE));
      if (!r) json(res, 401, { ok: false, reason: 'none', message: 'This browser has no share link for this server. Open the link you were sent.' });
      else {
        const v = this.links.stillValid(r);
        if (v.ok) json(res, 200, { ok: true, session: this.links.session(r) });
        else json(res, 403, { ok: false, reason: 'invalid', message: v.message });
      }
      return true;
    }
    serveFile(p === '/share' ? '/index.html' : p);
    return true;
  }

  private async exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const from = req.socket.remoteAddress ?? '?';
    if (!this.limiter.take(from)) {
      const last = this.limitedAudited.get(from) ?? 0;
      if (Date.now() - last > 60_000) {
        this.limitedAudited.set(from, Date.now());
        if (this.limitedAudited.size > 10_000) this.limitedAudited.delete(this.limitedAudited.keys().next().value as string);
        void this.opts.kubedeck.audit.append('share.refuse', 'share:?', { reason: 'rate-limited', from }).catch(() => undefined);
      }
      req.resume();
      json(res, 429, { ok: false, reason: 'rate-limited', message: 'Too many tries from this address. Wait a minute and open the link again.' }, { 'Retry-After': '60' });
      return;
    }
    let body: string;
    try {
      body = await readBody(req, MAX_BODY);
    } catch (err) {
      json(res, 413, { ok: false, reason: 'malformed', message: (err as Error).message });
      return;
    }
    let token: unknown;
    try {
      token = (JSON.parse(body) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    const x = await this.links.exchange(token, from);
    if (!x.ok) return json(res, 403, { ok: false, reason: x.reason, message: x.message });
    const maxAge = Math.max(1, Math.floor((x.record.expiresAt - Date.now()) / 1000));
    const cookie = `${SHARE_COOKIE}=${x.cookie}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.opts.policy.tls ? '; Secure' : ''}`;
    json(res, 200, { ok: true, session: this.links.session(x.record) }, { 'Set-Cookie': cookie });
  }

  /**
   * For a WebSocket upgrade of /ws?share=1: the link its cookie names, or why not (401/403 with the reason).
   * Undefined when the upgrade is not a share link's (the owner's token rules apply).
   */
  upgrade(req: IncomingMessage, url: URL): { ok: true; record: ShareLinkRecord } | { ok: false; status: 401 | 403; reason: string } | undefined {
    if (url.pathname !== '/ws' || !url.searchParams.has('share')) return undefined;
    const place = checkHostAndOrigin(req, this.opts.policy);
    if (!place.ok) return place;
    const r = this.links.byCookie(cookieValue(req, SHARE_COOKIE));
    if (!r) return { ok: false, status: 401, reason: 'no valid share link in this browser' };
    const v = this.links.stillValid(r);
    return v.ok ? { ok: true, record: r } : { ok: false, status: 403, reason: v.message };
  }

  /** A holder's connection: a guest client, read-only in view mode, each call checked against the link. */
  connect(record: ShareLinkRecord, emit: KubedeckEmit, socket: { close(code: number, why: string): void; terminate(): void }, from: string): KubedeckClient {
    const scope: ShareScope = { mode: record.mode, terminal: record.terminal, container: record.container, files: record.files };
    const filtered: KubedeckEmit = (name, payload) => {
      if (shareEventAllowed(name)) emit(name, payload);
    };
    const inner = this.opts.kubedeck.connect(filtered, shareWho(record), { readOnly: record.mode === 'view', guest: true });
    const links = this.links;
    const refusedAt = new Map<string, number>();
    let leave = (): void => undefined;
    const client: KubedeckClient = {
      get methods() {
        return inner.methods;
      },
      get closed() {
        return inner.closed;
      },
      call: async (method, args) => {
        if (inner.closed) throw new Error('this share link’s connection is closed');
        const v = links.stillValid(record);
        if (!v.ok) throw new Error(v.message);
        if (method === 'shareSession') return links.session(record);
        const verdict = checkShareCall(scope, method, Array.isArray(args) ? args : [], this.refOf);
        if (!verdict.ok) {
          const last = refusedAt.get(method) ?? 0;
          if (Date.now() - last > REFUSAL_AUDIT_MS) {
            refusedAt.set(method, Date.now());
            links.refused(record, method, verdict.message);
          }
          throw new Error(verdict.message);
        }
        const value = await inner.call(method, args);
        if (method === 'listSessions') return (value as SessionInfo[]).filter((s) => inScope(scope, s.id, this.refOf));
        return value;
      },
      close: async () => {
        leave();
        await inner.close();
      },
    };
    const joined = links.join(record, from, (why) => {
      // Revoked or expired: the holder is cut off now (detached from its terminals), the socket follows.
      void client.close();
      socket.close(SHARE_CLOSE_CODE, why.slice(0, 120));
      // A page that does not answer the close frame is cut within the second the issue allows.
      setTimeout(() => socket.terminate(), 1000).unref();
    });
    leave = joined.leave;
    this.opts.log?.(`share link ${shareWho(record)} joined (${record.mode}) from ${from}`);
    return client;
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`the request is larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
