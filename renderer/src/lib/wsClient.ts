/**
 * The serve-mode binding of the KubedeckApi contract, on the browser side: the common wire client
 * (common/wire/wireClient.ts) over the page's WebSocket to main/serve, plus what only a page needs: it
 * reconnects by itself when the connection drops and tells listeners (the banner, and the stores that
 * must reload what the server forgot) through `onConnection`; and it splits a paste longer than serve's
 * writeTerminal limit into ordered writes (pasteChunks.ts), broadcast writes too.
 */
import type { KubedeckApi } from '../../../common/contract/index.ts';
import { WireClient } from '../../../common/wire/wireClient.ts';
import { chunkedWrite, pasteChunks } from './pasteChunks.ts';

export type ConnectionState =
  /** First connection attempt, nothing received yet. */
  | { state: 'connecting' }
  | { state: 'connected'; since: number }
  /** The socket dropped; `attempt` counts retries; `retryAt` is when the next try starts (ms epoch). */
  | { state: 'reconnecting'; attempt: number; retryAt: number; reason: string };

/** Backoff between reconnect attempts: quick at first (a restarting server is back soon), then at most 5 s. */
const BACKOFF_MS = [250, 500, 1000, 2000, 3000, 5000];

export class WsClient {
  private readonly wire: WireClient;
  private readonly connectionListeners = new Set<(s: ConnectionState, reconnected: boolean) => void>();
  private everConnected = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = { state: 'connecting' };
  readonly api: KubedeckApi;

  constructor(url: string) {
    this.wire = new WireClient({
      socket: () => new WebSocket(url),
      onOpen: () => {
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.attempt = 0;
        this.setState({ state: 'connected', since: Date.now() }, reconnected);
      },
      onClose: (reason) => this.scheduleRetry(reason),
      onProblem: (message, err) => (err === undefined ? console.warn(`kubedeck: ${message}`) : console.error(`kubedeck: ${message}`, err)),
    });
    const api = this.wire.api;
    const broadcast = (data: string): Promise<number> =>
      Promise.all(pasteChunks(data).map((chunk) => api.writeBroadcast(chunk))).then((counts) => Math.min(...counts));
    this.api = { ...api, writeTerminal: chunkedWrite((id, data) => api.writeTerminal(id, data)), writeBroadcast: broadcast };
    this.connect();
  }

  /** `reconnected` is true when the socket came back after a drop: the server has forgotten this client's sessions. */
  onConnection(listener: (s: ConnectionState, reconnected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Skips the backoff wait and tries now (the banner's "Retry now"). */
  retryNow(): void {
    if (this.state.state !== 'reconnecting') return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private setState(s: ConnectionState, reconnected = false): void {
    this.state = s;
    for (const l of this.connectionListeners) l(s, reconnected);
  }

  private connect(): void {
    // A failed attempt is reported through onClose, which schedules the next one.
    this.wire.connect().catch(() => undefined);
  }

  private scheduleRetry(reason: string): void {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.setState({ state: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
