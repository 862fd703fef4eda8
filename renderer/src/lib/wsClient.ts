/**
 * The serve-mode binding of the KubedeckApi contract, on the browser side: one WebSocket to main/serve,
 * speaking common/wire/wire.ts. Reconnects by itself when the connection drops and tells listeners
 * (the banner, and the stores that must reload what the server forgot) through `onConnection`.
 */
import type { KubedeckApi, KubedeckEventName, KubedeckEvents, KubedeckMethods } from '../../../common/contract/index.ts';
import { METHOD_NAMES } from '../../../common/contract/index.ts';
import { decodeJson, decodeTerminalData, encodeJson, type ServerMessage } from '../../../common/wire/wire.ts';

export type ConnectionState =
  /** First connection attempt, nothing received yet. */
  | { state: 'connecting' }
  | { state: 'connected'; since: number }
  /** The socket dropped; `attempt` counts retries; `retryAt` is when the next try starts (ms epoch). */
  | { state: 'reconnecting'; attempt: number; retryAt: number; reason: string };

type Listener = (payload: unknown) => void;
interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  method: string;
}

/** Backoff between reconnect attempts: quick at first (a restarting server is back soon), then at most 5 s. */
const BACKOFF_MS = [250, 500, 1000, 2000, 3000, 5000];

export class WsClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Calls made while no socket is open; sent in order once it opens. */
  private readonly queued: string[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly connectionListeners = new Set<(s: ConnectionState, reconnected: boolean) => void>();
  private everConnected = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = { state: 'connecting' };
  readonly api: KubedeckApi;

  constructor(private readonly url: string) {
    const api: Record<string, unknown> = {
      on: <E extends KubedeckEventName>(event: E, listener: (payload: KubedeckEvents[E]) => void) =>
        this.on(event, listener as Listener),
    };
    for (const method of METHOD_NAMES) api[method] = (...args: unknown[]) => this.call(method, args);
    this.api = api as unknown as KubedeckApi;
    this.connect();
  }

  /** Calls a contract method; rejects with the server's message, or if the connection drops before the answer. */
  call(method: keyof KubedeckMethods, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const text = encodeJson({ t: 'call', id, method, args });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
      else this.queued.push(text);
    });
  }

  on(event: string, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
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
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.scheduleRetry(err instanceof Error ? err.message : String(err));
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      for (const text of this.queued.splice(0)) ws.send(text);
      this.setState({ state: 'connected', since: Date.now() }, reconnected);
    };
    ws.onmessage = (ev: MessageEvent) => this.receive(ev.data as ArrayBuffer | string);
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      // Calls in flight may or may not have run; their callers must not wait forever.
      const lost = new Error('The connection to Kubedeck was lost before the answer came.');
      for (const p of this.pending.values()) p.reject(lost);
      this.pending.clear();
      this.queued.length = 0;
      this.scheduleRetry(ev.reason || (ev.code === 1006 ? 'connection closed' : `closed (${ev.code})`));
    };
  }

  private scheduleRetry(reason: string): void {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.setState({ state: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private receive(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      const frame = decodeTerminalData(new Uint8Array(data));
      if (frame) this.emit('terminal.data', frame);
      return;
    }
    let msg: ServerMessage;
    try {
      msg = decodeJson(data) as ServerMessage;
    } catch {
      console.warn('kubedeck: ignoring a malformed message from the server');
      return;
    }
    if (msg.t === 'event') {
      this.emit(msg.name, msg.payload);
    } else {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.t === 'result') p.resolve(msg.value);
      else p.reject(new Error(msg.message));
    }
  }

  private emit(event: string, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(payload);
      } catch (err) {
        console.error(`kubedeck: a listener of ${event} failed`, err);
      }
    }
  }
}
