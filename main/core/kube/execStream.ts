/**
 * Exec into a container over the Kubernetes exec WebSocket, speaking v5.channel.k8s.io first.
 *
 * Built on `ws` directly (not client-node's Exec) for three reasons: the body of a refused upgrade
 * (401/403/404/400) is a metav1.Status we turn into a sentence a user can act on (apiErrors.ts); the
 * socket can be paused and resumed for flow control; and bulk copies get Node streams with real
 * backpressure.
 *
 * Channels (k8s.io/apimachinery/pkg/util/remotecommand): 0 stdin, 1 stdout, 2 stderr, 3 status (JSON
 * metav1.Status in v4/v5), 4 resize (JSON {Width, Height}), 255 close (v5 only: [255, n] half-closes n).
 */
import { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import type { KubeConfig, V1Status } from '@kubernetes/client-node';
import type { ContainerRef } from '../../../common/contract/terminals.ts';
import { describeHttpFailure, describeNetworkError } from './apiErrors.ts';

/** Subprotocols in order of preference; the API server picks the first it speaks. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];

export interface ExecOptions {
  command: string[];
  tty: boolean;
  stdin: boolean;
  /** Separate stderr (channel 2). Ignored with a tty: the PTY merges it into stdout. Default true without tty. */
  stderr?: boolean;
  /** WebSocket ping interval in ms (keepalive through proxies and idle timeouts); 0 disables. Default 30 s. */
  keepAliveMs?: number;
  /** Initial terminal size, sent right after the upgrade. */
  size?: { cols: number; rows: number };
  /** Subprotocols to offer (default EXEC_PROTOCOLS: v5 first). */
  protocols?: string[];
}

export interface ExecResult {
  /** The process's exit code; -1 when it is unknown (connection lost, closed by us, exec refused). */
  exitCode: number;
  /** The status the API server sent on channel 3, if any. */
  status?: V1Status;
  /** Why there is no exit code, or the failure message of the status. */
  error?: string;
  /** True when the connection ended without a status: the remote process may still be running. */
  dropped?: boolean;
}

export interface ExecStream {
  /** The negotiated subprotocol. */
  readonly protocol: string;
  /** Subscribes to output; returns an unsubscribe function. */
  onData(cb: (channel: 1 | 2, bytes: Uint8Array) => void): () => void;
  /** Writes to stdin. Returns false if the socket is not open. */
  write(data: Uint8Array | string, cb?: (err?: Error) => void): boolean;
  /** Half-closes stdin (v5 only). Returns false when the protocol can't (then closing is the only way). */
  endStdin(): boolean;
  /** Resizes the remote PTY. */
  resize(cols: number, rows: number): void;
  /** Stops reading from the socket (TCP backpressure reaches the remote process). */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Closes the connection. The remote process is NOT killed by this (real runtimes don't). */
  close(): void;
  /** Resolves once the connection has ended. Never rejects. */
  readonly done: Promise<ExecResult>;
  /** Node streams over this exec, with backpressure in both directions, for bulk transfer. */
  toStreams(): { stdin: Writable; stdout: Readable; stderr: Readable };
}

/** An exec the API server refused, or a connection that could not be made. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** HTTP status of a refused upgrade (401, 403, 404, 400…), or undefined for network errors. */
    readonly code?: number,
    readonly status?: V1Status,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/** Exit code from a v4/v5 status: Success → 0, NonZeroExitCode → the ExitCode cause. */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const n = Number(cause?.message);
    if (Number.isInteger(n)) return n;
  }
  return undefined;
}

export function execUrl(server: string, target: ContainerRef, opts: ExecOptions): string {
  const url = new URL(server.replace(/\/+$/, '') + `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec`);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  for (const c of opts.command) url.searchParams.append('command', c);
  if (target.container) url.searchParams.set('container', target.container);
  url.searchParams.set('stdout', 'true');
  // With a tty the PTY merges stderr into stdout; the API server refuses stderr=true with tty=true.
  url.searchParams.set('stderr', String(!opts.tty && opts.stderr !== false));
  url.searchParams.set('stdin', String(opts.stdin));
  url.searchParams.set('tty', String(opts.tty));
  return url.toString();
}

/** Opens an exec; resolves once the WebSocket is upgraded, rejects with ExecError when refused. */
export async function openExec(kc: KubeConfig, target: ContainerRef, opts: ExecOptions): Promise<ExecStream> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ExecError(`context ${target.context} has no cluster`);
  const url = execUrl(cluster.server, target, opts);
  const wsOpts: WebSocket.ClientOptions = { perMessageDeflate: false, handshakeTimeout: 20_000, maxPayload: 64 * 1024 * 1024 };
  await kc.applyToHTTPSOptions(wsOpts);

  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const sock = new WebSocket(url, opts.protocols ?? EXEC_PROTOCOLS, wsOpts);
    let settled = false;
    sock.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const { message, status } = describeHttpFailure(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
        settled = true;
        reject(new ExecError(message, res.statusCode, status));
        sock.terminate();
      });
      res.on('error', () => undefined);
    });
    sock.once('open', () => {
      settled = true;
      resolve(sock);
    });
    sock.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new ExecError(describeNetworkError(err, cluster.server)));
    });
  });
  return new WsExecStream(ws, opts);
}

type Pauser = 'user' | 'stdout' | 'stderr';

/** Stdin bytes handed to the socket and not yet written out, before a writer waits (see toStreams). */
const STDIN_IN_FLIGHT = 4 << 20;

class WsExecStream implements ExecStream {
  readonly protocol: string;
  readonly done: Promise<ExecResult>;
  private listeners = new Set<(channel: 1 | 2, bytes: Uint8Array) => void>();
  private pausers = new Set<Pauser>();
  private status?: V1Status;
  private closedByUs = false;
  private pingTimer?: NodeJS.Timeout;
  private awaitingPong = false;
  private lastError?: string;
  private streams?: { stdin: Writable; stdout: Readable; stderr: Readable };

  constructor(
    private ws: WebSocket,
    opts: ExecOptions,
  ) {
    this.protocol = ws.protocol;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => this.onMessage(toBuffer(data), isBinary));
    ws.on('error', (err) => {
      this.lastError = describeNetworkError(err);
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    this.done = new Promise<ExecResult>((resolve) => {
      ws.once('close', (code, reason) => {
        clearInterval(this.pingTimer);
        resolve(this.result(code, reason.toString('utf8')));
      });
    });
    const keepAlive = opts.keepAliveMs ?? 30_000;
    if (keepAlive > 0) {
      this.pingTimer = setInterval(() => {
        // Paused sockets don't read pongs; don't count that as a dead peer.
        if (this.pausers.size > 0) {
          this.awaitingPong = false;
          return;
        }
        // A missing pong for a whole interval means the peer is gone (no FIN/RST ever came): drop it.
        if (this.awaitingPong) {
          this.lastError = 'no answer to keepalive pings: the connection is dead';
          ws.terminate();
          return;
        }
        this.awaitingPong = true;
        try {
          ws.ping();
        } catch {
          // closing
        }
      }, keepAlive);
      this.pingTimer.unref();
    }
    if (opts.size && opts.tty) this.resize(opts.size.cols, opts.size.rows);
  }

  get paused(): boolean {
    return this.pausers.size > 0;
  }

  private result(code: number, reason: string): ExecResult {
    if (this.status) {
      const exitCode = exitCodeOf(this.status);
      if (exitCode !== undefined) return { exitCode, status: this.status };
      return { exitCode: -1, status: this.status, error: this.status.message ?? this.status.reason ?? 'exec failed' };
    }
    if (this.closedByUs) return { exitCode: -1, error: 'closed' };
    // Servers before v4 (and some proxies) just close normally at the end without a status.
    if (code === 1000 && this.protocol === 'channel.k8s.io') return { exitCode: 0 };
    const why = this.lastError ?? (reason ? `connection closed: ${reason}` : `connection lost (code ${code})`);
    return { exitCode: -1, error: why, dropped: true };
  }

  private onMessage(buf: Buffer, isBinary: boolean): void {
    if (!isBinary && buf.length === 0) return;
    if (buf.length < 1) return;
    const channel = buf[0];
    const payload = buf.subarray(1);
    if (channel === 1 || channel === 2) {
      if (payload.length === 0) return;
      for (const l of this.listeners) l(channel, payload);
    } else if (channel === 3) {
      const text = payload.toString('utf8');
      try {
        this.status = JSON.parse(text) as V1Status;
      } catch {
        // channel.k8s.io (v1) sends the error as plain text.
        this.status = { status: 'Failure', message: text };
      }
    }
  }

  onData(cb: (channel: 1 | 2, bytes: Uint8Array) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private send(channel: number, data: Uint8Array | string, cb?: (err?: Error) => void): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) {
      cb?.(new Error('exec connection is closed'));
      return false;
    }
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const frame = Buffer.allocUnsafe(body.length + 1);
    frame[0] = channel;
    frame.set(body, 1);
    this.ws.send(frame, { binary: true }, cb);
    return true;
  }

  write(data: Uint8Array | string, cb?: (err?: Error) => void): boolean {
    return this.send(0, data, cb);
  }

  endStdin(): boolean {
    // v5 only: [255, 0] half-closes stdin; older protocols have no way but closing the socket.
    if (this.protocol !== 'v5.channel.k8s.io') return false;
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(Buffer.from([255, 0]), { binary: true });
    return true;
  }

  resize(cols: number, rows: number): void {
    if (!(cols > 0 && rows > 0)) return;
    this.send(4, JSON.stringify({ Width: Math.floor(cols), Height: Math.floor(rows) }));
  }

  private setPaused(who: Pauser, on: boolean): void {
    const before = this.pausers.size > 0;
    if (on) this.pausers.add(who);
    else this.pausers.delete(who);
    const after = this.pausers.size > 0;
    if (before === after || this.ws.readyState !== WebSocket.OPEN) return;
    if (after) this.ws.pause();
    else this.ws.resume();
  }

  pause(): void {
    this.setPaused('user', true);
  }

  resume(): void {
    this.setPaused('user', false);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    // A socket already closing was not closed by us: the peer or the network ended it first (a writer
    // that saw its stdin fail calls close() before ws reports the close), and that is a drop to resume.
    if (this.ws.readyState !== WebSocket.CLOSING) this.closedByUs = true;
    this.pausers.clear();
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.resume();
      this.ws.close(1000);
      // Don't wait forever for a peer that never answers the close frame.
      setTimeout(() => this.ws.terminate(), 3000).unref();
    } else {
      this.ws.terminate();
    }
  }

  toStreams(): { stdin: Writable; stdout: Readable; stderr: Readable } {
    if (this.streams) return this.streams;
    const stdout = new Readable({ highWaterMark: 256 * 1024, read: () => this.setPaused('stdout', false) });
    const stderr = new Readable({ highWaterMark: 256 * 1024, read: () => this.setPaused('stderr', false) });
    this.onData((channel, bytes) => {
      const target = channel === 1 ? stdout : stderr;
      if (!target.push(bytes)) this.setPaused(channel === 1 ? 'stdout' : 'stderr', true);
    });
    void this.done.then(() => {
      stdout.push(null);
      stderr.push(null);
    });
    // Several frames in flight: waiting for each frame's callback (one at a time) left the socket idle
    // between frames and halved an upload's rate. Up to STDIN_IN_FLIGHT bytes are handed to ws before
    // the writer waits; ws calls back once a frame is on the socket, so a slow peer still slows it.
    let inFlight = 0;
    let held: (() => void) | undefined;
    let failed: Error | undefined;
    const stdin = new Writable({
      highWaterMark: 256 * 1024,
      write: (chunk: Buffer, _enc, cb) => {
        if (failed) return cb(failed);
        inFlight += chunk.length;
        const sent = this.write(chunk, (err) => {
          inFlight -= chunk.length;
          if (err) failed ??= err;
          if (held && (failed || inFlight <= STDIN_IN_FLIGHT / 2)) {
            const release = held;
            held = undefined;
            release();
          }
        });
        if (!sent) return cb(failed ?? new Error('exec connection is closed'));
        if (inFlight <= STDIN_IN_FLIGHT) cb();
        else held = () => cb(failed ?? null);
      },
      final: (cb) => {
        if (!this.endStdin()) {
          if (this.ws.readyState === WebSocket.OPEN) {
            cb(new Error(`cannot half-close stdin over ${this.protocol || 'this protocol'} (needs v5.channel.k8s.io)`));
            return;
          }
        }
        cb();
      },
    });
    this.streams = { stdin, stdout, stderr };
    return this.streams;
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
