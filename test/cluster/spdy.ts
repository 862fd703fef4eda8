// The server side of SPDY/3.1 as kubectl speaks it for port-forward: over an HTTP/1.1 upgrade (`Upgrade: SPDY/3.1`,
// every kubectl) or tunnelled in WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`, kubectl ≥ 1.30: KEP-4006
// moved the transport to WebSocket but kept SPDY inside it for port-forward). Only what client-go's
// moby/spdystream uses: SYN_STREAM/SYN_REPLY, DATA with FIN, RST_STREAM, PING, GOAWAY; SETTINGS, WINDOW_UPDATE and
// HEADERS are read and ignored (spdystream does no flow control). Hand-written because no maintained npm package
// speaks SPDY/3 as a server on an arbitrary byte stream (spdy-transport is tied to node's http and unmaintained).
//
// Frames (draft-mbelshe-httpbis-spdy-00 §2.2): control = 1 bit C, 15 bits version (3), 16 bits type, 8 bits flags,
// 24 bits length; data = 31 bits stream id, 8 bits flags, 24 bits length. Header blocks are zlib-compressed with one
// stream per direction for the whole connection, primed with the dictionary of §2.6.10.1.
import { createDeflate, createInflate, constants as z, type Deflate, type Inflate } from 'node:zlib';

const NAMES = ['options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin'];
const TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative ' +
  'Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server ' +
  'Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, ' +
  'Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
/** The SPDY/3 header dictionary: each name with a 4-byte length, then the tail as is (1423 bytes). */
export const SPDY3_DICTIONARY = Buffer.concat([...NAMES.map((n) => {
  const b = Buffer.alloc(4 + n.length); b.writeUInt32BE(n.length); b.write(n, 4, 'latin1'); return b;
}), Buffer.from(TAIL, 'latin1')]);

const SYN_STREAM = 1, SYN_REPLY = 2, RST_STREAM = 3, PING = 6, GOAWAY = 7, HEADERS = 8;
const FLAG_FIN = 1;

export interface SpdyStream {
  readonly id: number;
  readonly headers: Map<string, string>;
  /** Data from the client. */
  onData?: (data: Buffer) => void;
  /** The client half-closed (FIN) or reset the stream. */
  onEnd?: () => void;
  write(data: Buffer): void;
  /** Half-close our side (a DATA frame with FIN). */
  end(): void;
}

/** One SPDY/3.1 server session over a byte stream: `feed` what arrives, `send` is given what to write. */
export class SpdyServerSession {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly streams = new Map<number, SpdyStream & { ended: boolean; finSent: boolean }>();
  /** Every incoming frame and every outgoing one goes through a chain: header blocks share one zlib state each way. */
  private inChain: Promise<void> = Promise.resolve();
  private outChain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly send: (data: Buffer) => void, private readonly onStream: (s: SpdyStream) => void, private readonly onClose: () => void) {
    this.inflate.on('error', () => this.close());
    this.deflate.on('error', () => this.close());
  }

  feed(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.inChain = this.inChain.then(() => this.onFrame(frame)).catch(() => this.close());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) if (!s.ended) { s.ended = true; s.onEnd?.(); }
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.onClose();
  }

  private async onFrame(f: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = f[4];
    if (!(f[0] & 0x80)) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s || s.ended) return;
      if (f.length > 8) s.onData?.(Buffer.from(f.subarray(8)));
      if (flags & FLAG_FIN) { s.ended = true; s.onEnd?.(); this.forgetIfDone(s); }
      return;
    }
    const type = f.readUInt16BE(2);
    const body = f.subarray(8);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = parseHeaderBlock(await this.inflateBlock(body.subarray(10)));
      const stream = this.makeStream(id, headers);
      this.streams.set(id, stream);
      this.reply(id);
      this.onStream(stream);
      if (flags & FLAG_FIN) { stream.ended = true; stream.onEnd?.(); }
    } else if (type === HEADERS) {
      await this.inflateBlock(body.subarray(4)); // keeps the shared zlib state in step
    } else if (type === RST_STREAM) {
      const s = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
      if (s) { this.streams.delete(s.id); s.finSent = true; if (!s.ended) { s.ended = true; s.onEnd?.(); } }
    } else if (type === PING) {
      this.queue(async () => control(PING, 0, body));
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS (4), WINDOW_UPDATE (9): nothing to do without flow control.
  }

  private makeStream(id: number, headers: Map<string, string>): SpdyStream & { ended: boolean; finSent: boolean } {
    const s = {
      id, headers, ended: false, finSent: false,
      write: (data: Buffer) => { if (!s.finSent) this.queue(async () => dataFrame(id, 0, data)); },
      end: () => {
        if (s.finSent) return;
        s.finSent = true;
        this.queue(async () => dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
        this.forgetIfDone(s);
      },
    } as SpdyStream & { ended: boolean; finSent: boolean };
    return s;
  }

  private forgetIfDone(s: { id: number; ended: boolean; finSent: boolean }): void {
    if (s.ended && s.finSent) this.streams.delete(s.id);
  }

  private reply(id: number): void {
    this.queue(async () => {
      const block = await this.deflateBlock(Buffer.alloc(4)); // no headers
      const b = Buffer.alloc(4); b.writeUInt32BE(id);
      return control(SYN_REPLY, 0, Buffer.concat([b, block]));
    });
  }

  private queue(make: () => Promise<Buffer>): void {
    this.outChain = this.outChain.then(async () => {
      const frame = await make();
      if (!this.closed) this.send(frame);
    }).catch(() => this.close());
  }

  private inflateBlock(block: Buffer): Promise<Buffer> {
    return zlibRound(this.inflate, block);
  }

  private deflateBlock(block: Buffer): Promise<Buffer> {
    return zlibRound(this.deflate, block);
  }
}

/** Write one block and collect what a sync flush gives back (the stream keeps its state for the next block). */
function zlibRound(stream: Inflate | Deflate, block: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    stream.on('data', onData);
    stream.write(block);
    stream.flush(z.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      if (stream.destroyed) reject(new Error('zlib closed'));
      else resolve(Buffer.concat(out));
    });
  });
}

function parseHeaderBlock(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 4;
  const n = b.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const kl = b.readUInt32BE(at); at += 4;
    const k = b.subarray(at, at + kl).toString('latin1'); at += kl;
    const vl = b.readUInt32BE(at); at += 4;
    const v = b.subarray(at, at + vl).toString('latin1'); at += vl;
    out.set(k.toLowerCase(), v.split('\0')[0]);
  }
  return out;
}

function control(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003); h.writeUInt16BE(type, 2); h[4] = flags; h.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([h, body]);
}

function dataFrame(id: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(id & 0x7fffffff); h[4] = flags; h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}
