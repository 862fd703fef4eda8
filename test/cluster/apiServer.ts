// The API server double's transport: HTTPS on loopback with the cluster's own CA-signed certificate, bearer-token
// authentication (401 before any route runs, on requests and upgrades alike), and the open sockets tracked so a
// fault or a restart can cut every connection at once.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClusterCerts } from './certs.ts';
import { rejectUpgrade, send, sendError, unauthorized } from './apiStatus.ts';

export interface ApiServerDeps {
  certs: ClusterCerts;
  token: string;
  request(req: IncomingMessage, res: ServerResponse): Promise<void>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export class ApiServer {
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly deps: ApiServerDeps) {}

  /** Listen on `port` (0: any free port; the chosen one is kept in `port`). */
  async listen(port: number): Promise<void> {
    const srv = createServer({ key: this.deps.certs.keyPem, cert: this.deps.certs.certPem });
    srv.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    srv.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.authenticated(req)) return send(res, 401, unauthorized());
      this.deps.request(req, res).catch((e) => sendError(res, e));
    });
    srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      if (!this.authenticated(req)) return rejectUpgrade(socket, 401, unauthorized());
      this.deps.upgrade(req, socket, head);
    });
    srv.on('tlsClientError', () => { /* clients that reject our CA; nothing to do */ });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => { srv.off('error', reject); resolve(); });
    });
    const addr = srv.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = srv;
  }

  /** Destroy every open connection; the server keeps listening. */
  dropSockets(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stop listening; resolves once the server is closed (call dropSockets first, or open connections hold it). */
  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  private authenticated(req: IncomingMessage): boolean {
    return (req.headers.authorization ?? '') === `Bearer ${this.deps.token}`;
  }
}
