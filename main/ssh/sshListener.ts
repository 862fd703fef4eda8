/**
 * The gateway's TCP side: our own net.Server hands each socket to ssh2 through `Server.injectSocket` (its
 * public API), so the gateway keeps the socket and can destroy it.
 *
 * Why: when a client's network goes away (no FIN, no RST), ssh2's keepalive notices ("Keepalive timeout")
 * but then only calls `end()`, a half-close that waits for the peer's FIN. A dead network never sends one,
 * so the socket never closes, its channels never close, and the shells behind them never detach: they
 * would run on until the kernel gives up on the connection (many minutes). ssh2's Connection exposes no
 * socket nor destroy(), hence this.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'ssh2';

export interface SshListener {
  readonly port: number;
  /** The socket of a connection ssh2 reported as coming from ip:port (its 'connection' info). */
  socketOf(ip: string | undefined, port: number | undefined): Socket | undefined;
  /** Stops accepting; resolves once every socket has closed (the caller ends the connections). */
  close(): Promise<void>;
}

export async function listenSsh(server: Server, port: number, host: string): Promise<SshListener> {
  const sockets = new Map<string, Socket>();
  const key = (ip: string | undefined, p: number | undefined) => `${ip}|${p}`;
  const tcp = createServer((socket) => {
    const k = key(socket.remoteAddress, socket.remotePort);
    sockets.set(k, socket);
    socket.once('close', () => sockets.delete(k));
    // A socket without listeners would throw on ECONNRESET; ssh2 reports the error on its connection too.
    socket.on('error', () => undefined);
    server.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  tcp.on('error', (err) => server.emit('error', err));
  return {
    port: (tcp.address() as AddressInfo).port,
    socketOf: (ip, p) => sockets.get(key(ip, p)),
    close: () => new Promise<void>((r) => tcp.close(() => r())),
  };
}
