// pods/portforward: the API server's checks, then the kubelet's two stream protocols, behind both a connection to the
// port inside the pod's network namespace (one helper process per connection, as the kubelet's nsenter+socat did).
//
// - WebSocket (the kubelet's own protocol, what @kubernetes/client-node and Kubedeck speak): `v4.channel.k8s.io`,
//   `v4.base64.channel.k8s.io` or no subprotocol; the `ports` query lists the ports; port i gets channel 2i (data,
//   both ways) and 2i+1 (error, server → client); the first frame on each channel is the port, 2 bytes little-endian.
//   One WebSocket is one TCP connection per port (k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go).
// - SPDY/3.1 (spdy.ts), over `Upgrade: SPDY/3.1` or tunnelled in WebSocket as `SPDY/3.1+portforward.k8s.io` (kubectl):
//   per connection the client opens an error stream and a data stream with headers streamType, port, requestID; an
//   error is written as text on the error stream, then both are closed (…/portforward/httpstream.go).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, badRequest, notFound, rejectUpgrade, status } from './apiStatus.ts';
import { NSENTER } from './exec.ts';
import { TEST_USER } from './execRoute.ts';
import type { PodRecord } from './resources.ts';
import { SpdyServerSession, type SpdyStream } from './spdy.ts';

const WS_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
// `/` is not a token character (RFC 7230), so `ws` refuses that subprotocol with a 400; it is offered to `ws` under
// this name and written back as the real one in the 101 response.
const TUNNEL_ALIAS = 'spdy-3.1-portforward.k8s.io';
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;

// Connect to 127.0.0.1:PORT and copy stdin → socket, socket → stdout; a failed connect prints errno's text and exits 1.
// Perl is the host's, run in the pod's network namespace only (no chroot), so any image works, distroless too.
const RELAY = `use IO::Socket::INET; use IO::Select;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0], Proto => "tcp") or do { print STDERR lc("$!"); exit 1 };
binmode STDIN; binmode STDOUT; my $sel = IO::Select->new(\\*STDIN, $s);
sub out { my ($h, $b) = @_; while (length $b) { my $n = syswrite($h, $b); return 0 unless defined $n; substr($b, 0, $n) = "" } 1 }
OUTER: while (my @r = $sel->can_read) { for my $h (@r) {
  my $n = sysread($h, my $b, 65536);
  if ($h == $s) { last OUTER unless $n; out(\\*STDOUT, $b) or last OUTER }
  elsif (!$n) { shutdown($s, 1); $sel->remove(\\*STDIN) } else { out($s, $b) or last OUTER } } }`;

export type PortForwardProtocol = 'websocket' | 'spdy' | 'spdy-over-websocket';

export interface PortForwardDeps {
  pod(namespace: string, name: string): PodRecord | undefined;
  /** Host pid of a process in the pod's network namespace. */
  netPidOf(namespace: string, pod: string): number | undefined;
}

/** One connection to a port inside a pod. */
class PodConnection {
  private readonly child: ChildProcess;
  private err = '';
  /** Resolves with undefined when the connection ended normally, or the kubelet's error text. */
  readonly ended: Promise<string | undefined>;

  constructor(netPid: number, port: number, onData: (d: Buffer) => void, describe: (cause: string) => string) {
    this.child = spawn(NSENTER, [`--net=/proc/${netPid}/ns/net`, '--', 'perl', '-e', RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', (d: Buffer) => { this.err += d.toString('utf8'); });
    this.ended = new Promise((resolve) => {
      this.child.on('error', (e) => resolve(describe(e.message)));
      this.child.on('close', (code) => resolve(code === 0 || code === null ? undefined : describe(this.err.trim() || `relay exited with ${code}`)));
    });
  }

  write(d: Buffer): void { this.child.stdin?.write(d); }
  end(): void { this.child.stdin?.end(); }
  kill(): void { try { this.child.kill('SIGKILL'); } catch { /* gone */ } }
  pause(): void { this.child.stdout?.pause(); }
  resume(): void { this.child.stdout?.resume(); }
}

export class PortForwardRouter {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 << 20,
    handleProtocols: (protocols) => [...protocols].find((p) => p === TUNNEL_ALIAS || WS_PROTOCOLS.includes(p)) ?? false });
  private readonly conns = new Set<PodConnection>();
  /** Which transport each accepted port-forward used, in order (tests check what kubectl negotiated). */
  readonly log: PortForwardProtocol[] = [];

  constructor(private readonly deps: PortForwardDeps) {
    this.wss.on('headers', (headers) => {
      const at = headers.findIndex((h) => h.toLowerCase() === `sec-websocket-protocol: ${TUNNEL_ALIAS}`);
      if (at >= 0) headers[at] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
    });
  }

  handles(req: IncomingMessage): boolean {
    return PATH.test(new URL(req.url ?? '/', 'https://x').pathname);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'https://x');
    const [, namespace, podName] = PATH.exec(url.pathname) as RegExpExecArray;
    let target: { pod: PodRecord; ports: number[]; netPid: number };
    try {
      target = this.target(namespace, podName, url.searchParams);
    } catch (e) {
      const body = e instanceof ApiError ? e.body : status(500, 'InternalError', String(e));
      return rejectUpgrade(socket, Number(body.code), body);
    }
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (upgrade === 'spdy/3.1') {
      const version = String(req.headers['x-stream-protocol-version'] ?? '');
      if (version && !version.split(',').map((s) => s.trim()).includes('portforward.k8s.io')) {
        return rejectUpgrade(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${version}], server supports [portforward.k8s.io]`);
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
      this.log.push('spdy');
      const session = this.spdy(target, (d) => socket.write(d), () => socket.destroy());
      if (head.length) session.feed(head);
      socket.on('data', (d: Buffer) => session.feed(d));
      socket.on('close', () => session.close());
      return;
    }
    if (upgrade !== 'websocket') return rejectUpgrade(socket, 400, status(400, 'BadRequest', 'unable to upgrade connection: missing upgrade headers in request'));
    if (offered.length && !offered.some((p) => p === TUNNEL_PROTOCOL || WS_PROTOCOLS.includes(p))) {
      return rejectUpgrade(socket, 400, status(400, 'BadRequest', `unable to upgrade connection: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${[TUNNEL_PROTOCOL, ...WS_PROTOCOLS].join(' ')}]`));
    }
    if (req.method === 'POST') req.method = 'GET';
    if (offered.length) req.headers['sec-websocket-protocol'] = offered.map((p) => p === TUNNEL_PROTOCOL ? TUNNEL_ALIAS : p).filter((p) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p)).join(', ');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (ws.protocol === TUNNEL_ALIAS) {
        this.log.push('spdy-over-websocket');
        const session = this.spdy(target, (d) => ws.send(d, { binary: true }), () => ws.close());
        ws.on('message', (d: Buffer) => session.feed(d));
        ws.on('close', () => session.close());
        ws.on('error', () => session.close());
      } else {
        this.log.push('websocket');
        this.websocket(ws, target);
      }
    });
  }

  /** Kill every connection's helper process (cluster stop). */
  killAll(): void {
    for (const c of this.conns) c.kill();
    this.conns.clear();
  }

  /** The API server's checks: RBAC, the pod, scheduled and running, the ports. */
  private target(namespace: string, name: string, q: URLSearchParams): { pod: PodRecord; ports: number[]; netPid: number } {
    if (namespace === 'restricted') {
      throw new ApiError(status(403, 'Forbidden',
        `pods "${name}" is forbidden: User "${TEST_USER}" cannot create resource "pods/portforward" in API group "" in the namespace "${namespace}"`,
        { name, kind: 'pods' }));
    }
    const pod = this.deps.pod(namespace, name);
    if (!pod) throw notFound('pods', name);
    const raw = q.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    const ports = raw.map(Number);
    for (const [i, p] of ports.entries()) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw badRequest(`invalid port "${raw[i]}": must be between 1 and 65535, inclusive`);
    }
    if (!(pod.object.spec as { nodeName?: string }).nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const phase = (pod.object.status as { phase?: string }).phase;
    if (phase !== 'Running') throw badRequest(`pod ${name} is not running (phase ${phase})`);
    const netPid = this.deps.netPidOf(namespace, name);
    if (!netPid) throw new ApiError(status(500, 'InternalError', `unable to upgrade connection: pod ${name} has no network namespace in this test double`));
    return { pod, ports, netPid };
  }

  private connect(t: { pod: PodRecord; netPid: number }, port: number, onData: (d: Buffer) => void): PodConnection {
    const uid = String(t.pod.object.metadata.uid ?? '');
    const sandbox = createHash('sha256').update(uid).digest('hex');
    const netns = `cni-${uid.slice(0, 8)}-${uid.slice(9, 13)}-${uid.slice(14, 18)}-${uid.slice(19, 23)}-${uid.slice(24, 36)}`;
    // containerd's text, wrapped by the kubelet's "error forwarding port" (as kubectl prints it after "an error occurred forwarding").
    const describe = (cause: string) => `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/${netns}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: ${cause} IPv6 dial tcp6 [::1]:${port}: connect: ${cause} `;
    const c = new PodConnection(t.netPid, port, onData, describe);
    this.conns.add(c);
    void c.ended.then(() => this.conns.delete(c));
    return c;
  }

  /** The kubelet's WebSocket protocol: each port's data and error channels, the port number first on each. */
  private websocket(ws: WebSocket, t: { pod: PodRecord; ports: number[]; netPid: number }): void {
    if (!t.ports.length) {
      ws.close(1011, 'query parameter "ports" is required');
      return;
    }
    const base64 = ws.protocol === 'v4.base64.channel.k8s.io';
    const send = (channel: number, data: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      if (base64) ws.send(String.fromCharCode(48 + channel) + data.toString('base64'));
      else ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
    };
    const conns = t.ports.map((port, i) => {
      const portBytes = Buffer.alloc(2); portBytes.writeUInt16LE(port);
      send(2 * i, portBytes);
      send(2 * i + 1, portBytes);
      const c = this.connect(t, port, (d) => {
        send(2 * i, d);
        // Backpressure: stop reading the pod while the client is slow to take what we sent.
        if (ws.bufferedAmount > 4 << 20) { c.pause(); const wait = setInterval(() => { if (ws.bufferedAmount < 1 << 20 || ws.readyState !== ws.OPEN) { clearInterval(wait); c.resume(); } }, 5); }
      });
      void c.ended.then((error) => {
        if (error) send(2 * i + 1, Buffer.from(error));
        if (ws.readyState === ws.OPEN) ws.close(1000);
      });
      return c;
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      let channel: number, payload: Buffer;
      if (base64 && !isBinary) {
        const text = raw.toString('latin1');
        channel = text.charCodeAt(0) - 48;
        payload = Buffer.from(text.slice(1), 'base64');
      } else {
        if (!raw.length) return;
        channel = raw[0]; payload = raw.subarray(1);
      }
      if (channel % 2 === 0 && conns[channel / 2]) conns[channel / 2].write(payload);
    });
    ws.on('close', () => { for (const c of conns) c.kill(); });
    ws.on('error', () => { for (const c of conns) c.kill(); });
  }

  /** A SPDY session: streams paired by requestID into connections. */
  private spdy(t: { pod: PodRecord; netPid: number }, write: (d: Buffer) => void, end: () => void): SpdyServerSession {
    const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
    const mine = new Set<PodConnection>();
    const session = new SpdyServerSession(write, (stream) => {
      const type = stream.headers.get('streamtype');
      const key = stream.headers.get('requestid') ?? String(stream.id);
      const port = Number(stream.headers.get('port'));
      const p = pairs.get(key) ?? {};
      pairs.set(key, p);
      if (type === 'error') p.error = stream; else if (type === 'data') p.data = stream;
      else { stream.end(); return; }
      if (!p.error || !p.data) return;
      pairs.delete(key);
      const { error, data } = p as { error: SpdyStream; data: SpdyStream };
      const c = this.connect(t, port, (d) => data.write(d));
      mine.add(c);
      data.onData = (d) => c.write(d);
      data.onEnd = () => c.end();
      void c.ended.then((message) => {
        mine.delete(c);
        if (message) error.write(Buffer.from(message));
        error.end();
        data.end();
      });
    }, () => {
      for (const c of mine) c.kill();
      end();
    });
    return session;
  }
}
