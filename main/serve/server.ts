/**
 * Serve mode: the renderer (dist/renderer) over HTTP and the KubedeckApi contract over one WebSocket
 * (/ws), in the wire format of common/wire/wire.ts. Each WebSocket connection is one client:
 * closing it closes that client's terminals, remote shells included.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeJson, encodeTerminalData, type ServerMessage } from '../../common/wire/wire.ts';
import type { Kubedeck, KubedeckEmit } from '../core/kubedeck.ts';
import { COOKIE_NAME, checkAccess, isLoopback, newToken, type AccessPolicy } from './auth.ts';
import { MAX_FRAME_BYTES } from './callSchema.ts';
import { gateBinaryCall, gateCall } from './callGate.ts';
import { ShareAccess } from './shareAccess.ts';
import { shareWho } from '../core/share/shareLinks.ts';
import type { ShareLinkRecord } from '../core/share/shareStore.ts';
import { hostname as osHostname, userInfo } from 'node:os';

/**
 * What one connection may have unanswered at once. A tab's calls are answered in milliseconds (a terminal
 * open in ≤ 5 s); past these a client floods rather than works, and it is closed (1008) so the others keep
 * their share of the one event loop.
 */
export const MAX_CALLS_IN_FLIGHT = 256;
export const MAX_BYTES_IN_FLIGHT = 8 * MAX_FRAME_BYTES;
/** The id an error answer carries when the message had no usable one (clients count from 1). */
const NO_ID = -1;

export interface ServeOptions {
  kubedeck: Kubedeck;
  /** 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  token?: string;
  /** Folder of the built renderer; default: dist/renderer found from this file. */
  staticDir?: string;
  /** The owner's name in the audit trail and on share links (`--user`); default: the OS user. */
  user?: string;
  /** Called for each connection, with who it is (for logs). */
  log?: (line: string) => void;
  /** Serve HTTPS and WSS with this PEM certificate and key (tlsCert.ts reads or makes them). */
  tls?: { cert: string; key: string };
}

export interface ServeHandle {
  url: string;
  port: number;
  host: string;
  token: string;
  /** Closes the server and every client (their terminals end). */
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** dist/renderer, whether this runs from source (main/serve) or bundled (dist/cli). */
export function findStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../renderer'), resolve(here, '../../dist/renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[candidates.length - 1];
}

/** The Content-Security-Policy of served pages: only this server's scripts, no eval, no frames. */
export function contentSecurityPolicy(host: string, tls = false): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte transitions and xterm.js set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${tls ? 'wss' : 'ws'}://${host}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(res: ServerResponse, host: string, tls: boolean): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(host, tls));
  // Over TLS, a browser that came once keeps to https:// for this host (a day: a self-signed pair may be dropped).
  if (tls) res.setHeader('Strict-Transport-Security', 'max-age=86400');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The token is in the URL: never send it on as a Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}: ${reason}\n`);
}

export async function startServer(opts: ServeOptions): Promise<ServeHandle> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const staticDir = resolve(opts.staticDir ?? findStaticDir());
  const log = opts.log ?? (() => undefined);
  let port = 0;
  const tls = opts.tls !== undefined;
  const policy: AccessPolicy = { token, port: () => port, loopbackOnly: isLoopback(host), tls };
  const shares = new ShareAccess({ kubedeck: opts.kubedeck, policy, log });
  const owner = opts.user ?? osUser();

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    securityHeaders(res, String(req.headers.host ?? ''), tls);
    if (shares.handleHttp(req, res, url, (path) => serveStatic(staticDir, path, req, res))) return;
    const access = checkAccess(req, policy, url);
    if (!access.ok) return refuse(res, access.status, access.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 403, `method ${req.method} not allowed`);
    if (access.viaQuery) {
      // Assets the page loads don't carry ?token=; a strict, HttpOnly cookie lets them through.
      res.setHeader('Set-Cookie', `${COOKIE_NAME}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${tls ? '; Secure' : ''}`);
    }
    serveStatic(staticDir, url.pathname, req, res);
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createServer(onRequest);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const shared = shares.upgrade(req, url);
    const access = shared ?? (url.pathname === '/ws' ? checkAccess(req, policy, url) : ({ ok: false, status: 403, reason: 'no such endpoint' } as const));
    if (!access.ok) {
      socket.end(`HTTP/1.1 ${access.status} ${access.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${access.reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, shared?.ok ? shared.record : undefined));
  });

  const onConnection = (ws: WebSocket, req: IncomingMessage, share?: ShareLinkRecord): void => {
    const who = share ? shareWho(share) : owner;
    log(`client connected (${who})`);
    const send = (data: string | Uint8Array): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    };
    const emit: KubedeckEmit = (name, payload) => {
      if (name === 'terminal.data') {
        const p = payload as { id: string; data: Uint8Array };
        send(encodeTerminalData(p.id, p.data));
      } else {
        let text: string;
        try {
          text = encodeJson({ t: 'event', name, payload } satisfies ServerMessage);
        } catch (err) {
          // Bytes in an event other than terminal.data (wire.ts refuses them in JSON): a bug to see, not a throw into core.
          log(`event ${name} could not be sent (${who}): ${errorText(err)}`);
          return;
        }
        send(text);
      }
    };
    let client: ReturnType<Kubedeck['connect']>;
    try {
      client = share ? shares.connect(share, emit, ws, req.socket.remoteAddress ?? '?') : opts.kubedeck.connect(emit, who);
    } catch (err) {
      ws.close(1011, (err as Error).message.slice(0, 100));
      return;
    }
    // Pings keep idle tabs alive through proxies and notice a browser that vanished.
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    ping.unref();
    const reply = (msg: ServerMessage): void => {
      let text: string;
      try {
        text = encodeJson(msg);
      } catch (err) {
        // A value JSON cannot carry (a BigInt, a cycle) becomes an error answer, not an uncaught throw.
        if (msg.t !== 'result') return;
        text = encodeJson({ t: 'error', id: msg.id, message: `the answer could not be encoded: ${(err as Error).message}` } satisfies ServerMessage);
      }
      send(text);
    };
    let callsInFlight = 0;
    let bytesInFlight = 0;
    const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
      // maxPayload already bounded this frame; the gate holds it to its method's limit.
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      // Binary frames are binary calls (a call with bytes, e.g. stageUpload); text frames are JSON calls.
      const call = isBinary ? gateBinaryCall(buf) : gateCall(buf.toString('utf8'), buf.length);
      if (!call.ok) return reply({ t: 'error', id: call.id ?? NO_ID, message: call.message });
      if (callsInFlight >= MAX_CALLS_IN_FLIGHT || bytesInFlight + buf.length > MAX_BYTES_IN_FLIGHT) {
        ws.close(1008, 'too many calls in flight');
        return;
      }
      callsInFlight++;
      bytesInFlight += buf.length;
      const done = (): void => {
        callsInFlight--;
        bytesInFlight -= buf.length;
      };
      const { id } = call;
      client.call(call.method, call.args).then(
        (value) => {
          done();
          reply({ t: 'result', id, value: value ?? null });
        },
        (err: unknown) => {
          done();
          reply({ t: 'error', id, message: errorText(err) });
        },
      );
    };
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(data, isBinary);
      } catch (err) {
        // Nothing a client sends may take serve down for everyone: the worst is this connection closing.
        log(`message handler failed (${who}): ${errorText(err)}`);
        ws.close(1011, 'internal error');
      }
    });
    ws.on('close', () => {
      clearInterval(ping);
      log(`client disconnected (${who})`);
      void client.close();
    });
    ws.on('error', () => undefined);
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://${urlHost}:${port}/?token=${token}`;
  opts.kubedeck.share.setBaseUrl(`${scheme}://${host === '0.0.0.0' || host === '::' ? osHostname() : urlHost}:${port}`);

  return {
    url,
    port,
    host,
    token,
    close: async () => {
      opts.kubedeck.share.setBaseUrl(undefined);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'owner';
  }
}

/** An error's message as a string, whatever was thrown (a hostile object's toString may itself throw). */
function errorText(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown error';
  }
}

function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return refuse(res, 403, 'bad path');
  }
  if (rel.includes('\0')) return refuse(res, 403, 'bad path');
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel === '/favicon.ico' && !existsSync(join(root, 'favicon.ico'))) {
    res.writeHead(204, { 'Cache-Control': 'public, max-age=86400' });
    return void res.end();
  }
  const file = resolve(root, '.' + rel);
  if (file !== root && !file.startsWith(root + sep)) return refuse(res, 403, 'bad path');
  let st;
  try {
    st = statSync(file);
  } catch {
    st = undefined;
  }
  if (!st || !st.isFile()) {
    if (rel === '/index.html') {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Kubedeck: the UI is not built yet. Run `npm run build`, then reload.\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 Not Found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
    // Vite names assets by content hash; the page itself must always be fresh (it carries the token flow).
    'Cache-Control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
