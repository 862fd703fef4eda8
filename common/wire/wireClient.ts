/**
 * The client side of the serve-mode wire format (wire.ts): calls with request ids and their results or
 * errors, events to listeners, terminal output from binary frames; a call with a bytes argument goes out
 * as a binary call frame. One copy for every client of the
 * socket: the page (renderer/src/lib/wsClient.ts adds reconnection on top), the serve tests and the bench.
 *
 * The socket is made by a factory passed in, so each caller brings its own WebSocket: the browser's in the
 * page, the `ws` package in Node, where a test sets the Origin and Host headers a page cannot.
 */
import { METHOD_NAMES, type KubedeckApi, type KubedeckEventName, type KubedeckEvents } from '../contract/index.ts';
import { decodeTerminalData, encodeCall, type ClientMessage, type ServerMessage } from './wire.ts';

/** What the client uses of a WebSocket; the browser's and the `ws` package's both have it. */
export interface WireSocket {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}

export interface WireClientOptions {
  /** Opens a new socket to the server; called by every connect(). */
  socket: () => WireSocket;
  /** A socket opened (calls made meanwhile have just been sent). */
  onOpen?: () => void;
  /** A socket closed or never opened, in words; the calls in flight have been rejected. */
  onClose?: (reason: string) => void;
  /**
   * A message from the server was malformed (no `err`) or a listener threw (`err`). Without this, a
   * listener's exception is thrown again on its own, so a test sees it and the other listeners still run.
   */
  onProblem?: (message: string, err?: unknown) => void;
}

type Listener = (payload: unknown) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** WebSocket.OPEN, the same number in both implementations (the class is not in common/'s globals). */
const OPEN = 1;

export class WireClient {
  /** The contract over this socket: every method a call, `on` an event listener. */
  readonly api: KubedeckApi;
  private ws: WireSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Calls made while no socket is open; sent in order once one opens. */
  private readonly queued: (string | Uint8Array)[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;

  constructor(private readonly opts: WireClientOptions) {
    const api: Record<string, unknown> = {
      on: <E extends KubedeckEventName>(event: E, listener: (payload: KubedeckEvents[E]) => void) => this.on(event, listener as Listener),
    };
    for (const method of METHOD_NAMES) api[method] = (...args: unknown[]) => this.call(method, args);
    this.api = api as unknown as KubedeckApi;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === OPEN;
  }

  /**
   * Opens a socket; resolves once it is open, rejects (after onClose) if it closes first or cannot be made.
   * Call again after a close to reconnect; listeners stay.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('this client was closed'));
    return new Promise((resolve, reject) => {
      let ws: WireSocket;
      try {
        ws = this.opts.socket();
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.opts.onClose?.(reason);
        reject(new Error(reason));
        return;
      }
      // A page's WebSocket delivers Blobs by default (read asynchronously); `ws`'s Buffers are fine as they are.
      if (ws.binaryType === 'blob') ws.binaryType = 'arraybuffer';
      this.ws = ws;
      let error = '';
      ws.addEventListener('open', () => {
        if (this.ws !== ws) return;
        for (const frame of this.queued.splice(0)) ws.send(frame);
        this.opts.onOpen?.();
        resolve();
      });
      ws.addEventListener('message', (ev) => {
        if (this.ws === ws) this.receive(ev.data);
      });
      // Node's `ws` says why (e.g. "Unexpected server response: 401"); a page's error event says nothing.
      ws.addEventListener('error', (ev) => (error = ev.message ?? ''));
      ws.addEventListener('close', (ev) => {
        if (this.ws !== ws) return;
        this.ws = undefined;
        // Calls in flight may or may not have run; their callers must not wait forever.
        this.failPending(new Error('The connection to Kubedeck was lost before the answer came.'));
        const reason = ev.reason || error || (ev.code === 1006 ? 'connection closed' : `closed (${ev.code})`);
        this.opts.onClose?.(reason);
        reject(new Error(reason));
      });
    });
  }

  /** Calls a contract method; rejects with the server's message, or if the connection drops before the answer. */
  call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('this client was closed'));
    const msg: ClientMessage = { t: 'call', id: this.nextId++, method, args };
    let frame: string | Uint8Array;
    try {
      frame = encodeCall(msg);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      if (this.ws?.readyState === OPEN) this.ws.send(frame);
      else this.queued.push(frame);
    });
  }

  /** Listens for an event ('terminal.data' included, from binary frames); returns the unsubscribe function. */
  on(event: string, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Closes the socket for good; calls in flight are rejected, later ones too. */
  close(): void {
    this.closed = true;
    if (this.ws) return this.ws.close();
    // No socket: no close event will come to reject what waits for one.
    this.failPending(new Error('this client was closed'));
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.queued.length = 0;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
      const frame = bytes && decodeTerminalData(bytes);
      if (frame) this.emit('terminal.data', frame);
      return;
    }
    let msg: ServerMessage;
    try {
      // Plain JSON.parse: no value in a server message is revived into bytes (wire.ts).
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      this.opts.onProblem?.('ignoring a malformed message from the server');
      return;
    }
    if (msg === null || typeof msg !== 'object') {
      this.opts.onProblem?.('ignoring a server message that is not an object');
      return;
    }
    if (msg.t === 'event') {
      this.emit(msg.name, msg.payload);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.t === 'result') p.resolve(msg.value);
    else p.reject(new Error(msg.message));
  }

  private emit(event: string, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(payload);
      } catch (err) {
        if (this.opts.onProblem) this.opts.onProblem(`a listener of ${event} failed`, err);
        else
          queueMicrotask(() => {
            throw err;
          });
      }
    }
  }
}
