/**
 * One TCP connection to a port inside a pod, over `pods/portforward` as a WebSocket in the kubelet's own
 * protocol (`v4.channel.k8s.io`, k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go): with one port in
 * `ports`, channel 0 carries data both ways and channel 1 the kubelet's error text; the first frame on each is
 * the port number (2 bytes, little-endian). One WebSocket is one connection.
 *
 * On `ws` rather than client-node's PortForward: that one writes into the socket without backpressure (a fast pod
 * fills memory behind a slow client), surfaces a refused upgrade only as "Unexpected server response: 403" without
 * the Status body, and hands the error channel's text to a stream we would have to parse anyway. Here the body of a
 * refusal becomes a sentence (apiErrors.ts), the socket pauses when the local side is slow, and the kubelet's error
 * ends the stream with its text. The protocol has no half-close, so a local client's FIN is not passed on: the
 * connection ends when either side closes it.
 */
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeHttpFailure, describeNetworkError } from '../kube/apiErrors.ts';

export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io'];

export interface PodPortRef {
  namespace: string;
  pod: string;
}

/** A refused upgrade (`code`: 403, 404, 400…) or a connection that could not be made. */
export class PortForwardError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'PortForwardError';
  }
}

export interface PodPortStream {
  /** Bytes both ways, with backpressure. Ends when the pod's side closes; errors with the kubelet's text. */
  readonly stream: Duplex;
  /** Resolves when the connection is over: undefined if it ended normally, else the reason. */
  readonly done: Promise<string | undefined>;
  close(): void;
}

export function portForwardUrl(server: string, ref: PodPortRef, port: number): string {
  const url = new URL(server.replace(/\/+$/, '') + `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/portforward`);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.searchParams.set('ports', String(port));
  return url.toString();
}

/** "nothing listens on port 81 in pod web" for the kubelet's "connect: connection refused"; else its text. */
export function describeKubeletError(text: string, port: number, pod: string): string {
  const t = text.trim();
  if (/connection refused/i.test(t)) return `nothing listens on port ${port} in pod ${pod} (connection refused)`;
  return t;
}

/** Opens a connection to `port` of the pod; resolves once the WebSocket is up, rejects with PortForwardError. */
export async function openPodPort(kc: KubeConfig, ref: PodPortRef, port: number): Promise<PodPortStream> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new PortForwardError('this context has no cluster');
  const wsOpts: WebSocket.ClientOptions = { perMessageDeflate: false, handshakeTimeout: 20_000, maxPayload: 64 * 1024 * 1024 };
  await kc.applyToHTTPSOptions(wsOpts);
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const sock = new WebSocket(portForwardUrl(cluster.server, ref, port), PORT_FORWARD_PROTOCOLS, wsOpts);
    let settled = false;
    sock.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        settled = true;
        reject(new PortForwardError(describeHttpFailure(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')).message, res.statusCode));
        sock.terminate();
      });
      res.on('error', () => undefined);
    });
    sock.once('open', () => { settled = true; resolve(sock); });
    sock.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new PortForwardError(describeNetworkError(err, cluster.server)));
    });
  });
  return new WsPodPort(ws, port, ref.pod);
}

class WsPodPort implements PodPortStream {
  readonly stream: Duplex;
  readonly done: Promise<string | undefined>;
  private portSeen = [false, false];
  private error = '';

  constructor(private readonly ws: WebSocket, port: number, pod: string) {
    this.stream = new Duplex({
      // Backpressure from the pod: stop reading the WebSocket until the local side has taken what it has.
      read: () => { if (ws.isPaused) ws.resume(); },
      write: (chunk: Buffer, _enc, cb) => {
        if (ws.readyState !== ws.OPEN) { cb(new Error('the port-forward connection is closed')); return; }
        // The callback runs once ws has handed the frame to the socket: that is the writable side's backpressure.
        ws.send(Buffer.concat([Buffer.from([0]), chunk]), { binary: true }, (err) => cb(err ?? null));
      },
      final: (cb) => cb(), // no half-close in this protocol (see the top of the file)
      destroy: (err, cb) => { if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(); cb(err); },
    });
    ws.on('message', (raw: Buffer) => {
      if (!raw.length) return;
      const channel = raw[0];
      let payload = raw.subarray(1);
      if (channel > 1) return;
      if (!this.portSeen[channel]) {
        this.portSeen[channel] = true;
        payload = payload.subarray(2);
      }
      if (!payload.length) return;
      if (channel === 1) { this.error += payload.toString('utf8'); return; }
      if (!this.stream.push(payload)) ws.pause();
    });
    this.done = new Promise((resolve) => {
      ws.once('close', () => {
        const reason = this.error ? describeKubeletError(this.error, port, pod) : undefined;
        if (reason) this.stream.destroy(new PortForwardError(reason));
        else this.stream.push(null);
        resolve(reason);
      });
    });
    ws.on('error', (err) => { this.error ||= describeNetworkError(err); });
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close();
  }
}
