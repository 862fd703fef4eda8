/**
 * The gateway's TCP side: our own net.Server hands each socket to ssh2 through `Server.injectSocket` (its
 * public API), so the gateway keeps the socket and can destroy it, and picks which ssh2 server (which
 * cipher offer) takes it from the client's identification line.
 *
 * Why the socket: when a client's network goes away (no FIN, no RST), ssh2's keepalive notices ("Keepalive
 * timeout") but then only calls `end()`, a half-close that waits for the peer's FIN. A dead network never
 * sends one, so the socket never closes, its channels never close, and the shells behind them never detach:
 * they would run on until the kernel gives up on the connection (many minutes). ssh2's Connection exposes
 * no socket nor destroy(), hence this.
 *
 * Why the identification line: see ciphers.ts. Both sides send it first thing (RFC 4253 §4.2), so the line
 * is read here, put back with `unshift`, and the socket handed on; a client that waits for the server's
 * line first gets the default offer after IDENT_WAIT_MS.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'ssh2';

/** How long to wait for the client's identification line before handing the socket on without it. */
const IDENT_WAIT_MS = 1000;
/** RFC 4253: the identification line is at most 255 bytes, CR LF included. */
const IDENT_MAX = 255;

export interface SshListener {
  readonly port: number;
  /** The socket of a connection ssh2 reported as coming from ip:port (its 'connection' info). */
  socketOf(ip: string | undefined, port: number | undefined): Socket | undefined;
  /** Stops accepting; resolves once every socket has closed (the caller ends the connections). */
  close(): Promise<void>;
}

/** The ssh2 server for a client that introduced itself with `ident` (undefined: it said nothing in time). */
export type PickServer = (ident: string | undefined) => Server;

export async function listenSsh(pick: PickServer, port: number, host: string): Promise<SshListener> {
  const sockets = new Map<string, Socket>();
  const key = (ip: string | undefined, p: number | undefined) => `${ip}|${p}`;
  const tcp = createServer((socket) => {
    const k = key(socket.remoteAddress, socket.remotePort);
    sockets.set(k, socket);
    socket.once('close', () => sockets.delete(k));
    // A socket without listeners would throw on ECONNRESET; ssh2 reports the error on its connection too.
    socket.on('error', () => undefined);
    readIdent(socket, (ident) => pick(ident).injectSocket(socket));
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  tcp.on('error', (err) => pick(undefined).emit('error', err));
  return {
    port: (tcp.address() as AddressInfo).port,
    socketOf: (ip, p) => sockets.get(key(ip, p)),
    close: () => new Promise<void>((r) => tcp.close(() => r())),
  };
}

/** Reads up to the first line, puts every byte read back (ssh2 parses the stream itself), then calls `then`. */
function readIdent(socket: Socket, then: (ident: string | undefined) => void): void {
  let head: Buffer = Buffer.alloc(0);
  let done = false;
  const finish = (ident: string | undefined) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    if (head.length) socket.unshift(head);
    then(ident);
  };
  const onData = (b: Buffer) => {
    head = head.length ? Buffer.concat([head, b]) : b;
    const nl = head.indexOf(10);
    if (nl >= 0) finish(head.subarray(0, nl).toString('latin1').replace(/\r$/, ''));
    else if (head.length > IDENT_MAX) finish(undefined);
  };
  const onClose = () => finish(undefined);
  const timer = setTimeout(() => finish(undefined), IDENT_WAIT_MS);
  socket.on('data', onData);
  socket.once('close', onClose);
}
