// Kubernetes Status bodies, and how the API server double writes them back: a JSON response, or raw HTTP on an
// upgrade it refuses (the socket is no ServerResponse then). One place, so every route fails with the same shapes
// kubectl and @kubernetes/client-node parse from a real API server.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type StatusBody = Record<string, unknown>;

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** A failure a route throws; the server answers with its Status body and code. */
export class ApiError extends Error {
  constructor(readonly body: StatusBody) {
    super(String(body.message));
  }
  get code(): number { return Number(this.body.code); }
}

export const notFound = (kind: string, name: string) =>
  new ApiError(status(404, 'NotFound', `${kind} "${name}" not found`, { name, kind }));
export const badRequest = (message: string) => new ApiError(status(400, 'BadRequest', message));
/** What the API server says for a path it has no route for. */
export const noRoute = () => status(404, 'NotFound', 'the server could not find the requested resource', { causes: [] });
export const unauthorized = () => status(401, 'Unauthorized', 'Unauthorized');

export function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}

/** Answers a request whose handler threw: its Status if it threw an ApiError, else a 500. */
export function sendError(res: ServerResponse, e: unknown): void {
  const body = e instanceof ApiError ? e.body : status(500, 'InternalError', `Internal error occurred: ${String(e)}`);
  if (res.headersSent) { res.destroy(); return; }
  send(res, Number(body.code), body);
}

const HTTP_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

/** Refuses an upgrade on the raw socket: a Status as JSON, or plain text (what the API server sends for some 403s). */
export function rejectUpgrade(socket: Duplex, code: number, body: StatusBody | string): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  socket.end(`HTTP/1.1 ${code} ${HTTP_TEXT[code] ?? 'Error'}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}
