// A TCP proxy for tests that can make the network "go away": pause() stops forwarding in both directions
// without closing anything (no FIN, no RST), as when a laptop's Wi-Fi drops — the server's side sees a
// peer that simply stops answering. Plain user-space sockets: no kernel tricks (iptables, tc) needed.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface PauseProxy {
  port: number;
  /** Stops forwarding both ways; nothing is closed and nothing more is read. */
  pause(): void;
  /** Drops every connection for good (the test's cleanup). */
  close(): Promise<void>;
}

export async function startPauseProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<PauseProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let paused = false;
  // allowHalfOpen: a FIN from one side must not make the proxy close the other (a dead network passes nothing).
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const upstream = connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const s of pair) s.on('error', () => undefined);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (b: Buffer) => {
        if (!paused) to.write(b);
      });
      from.on('end', () => {
        if (!paused) to.end();
      });
    };
    upstream.once('connect', () => {
      if (paused) return;
      forward(client, upstream);
      forward(upstream, client);
      client.resume();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    pause: () => {
      paused = true;
      for (const [a, b] of pairs) {
        a.pause();
        b.pause();
      }
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
