/**
 * SFTP version 3 on the wire (draft-ietf-secsh-filexfer-02, plus OpenSSH's extensions in its PROTOCOL
 * file): packets read from the raw subsystem channel, replies encoded back.
 *
 * Why not ssh2's SFTP server object (`session.on('sftp')`): ssh2 decides between its SFTP object and a
 * raw channel when the subsystem request arrives — before we can know whether the image has a real
 * sftp-server to pipe the raw bytes to; its VERSION packet announces no extensions (so no `df`
 * (statvfs@openssh.com), no posix-rename, no limits@openssh.com for 256 KiB reads); it has no public way
 * to send the exit status scp waits for; and its replies are buffered without bound when the window is
 * full (ssh2 #1505). Over the raw channel all four are ours to get right. Constants come from ssh2's
 * public `utils.sftp`.
 */
import ssh2 from 'ssh2';

export const { STATUS_CODE: STATUS, OPEN_MODE } = ssh2.utils.sftp;

/** Packet types (filexfer-02 §3, OpenSSH PROTOCOL §4). */
export const T = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, FSTAT: 8, SETSTAT: 9, FSETSTAT: 10,
  OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, REALPATH: 16, STAT: 17, RENAME: 18, READLINK: 19,
  SYMLINK: 20, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105, EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;

const A_SIZE = 0x1;
const A_UIDGID = 0x2;
const A_PERMISSIONS = 0x4;
const A_ACMODTIME = 0x8;
const A_EXTENDED = 0x80000000;

export interface Attrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** Type bits and permissions, as st_mode. */
  mode?: number;
  atime?: number;
  mtime?: number;
}

export interface NameEntry {
  filename: string;
  longname: string;
  attrs: Attrs;
}

/** A request as the server handles it: the packet type, its id, and its fields in order. */
export interface Request {
  type: number;
  id: number;
  /** Strings as text (paths), in packet order. */
  paths: string[];
  handle?: Buffer;
  offset?: number;
  length?: number;
  data?: Buffer;
  pflags?: number;
  attrs?: Attrs;
  /** EXTENDED: the extension's name and the rest of the packet. */
  ext?: string;
  extData?: Buffer;
}

/** The largest packet we take (OpenSSH's sftp-server: 256 KiB + overhead). */
export const MAX_PACKET = 256 * 1024 + 1024;
/** What limits@openssh.com tells clients they may read or write in one request. */
export const MAX_RW = 256 * 1024;

/** Splits channel bytes into packets (uint32 length, then type and body). */
export class PacketReader {
  private parts: Buffer[] = [];
  private have = 0;

  push(chunk: Buffer): Buffer[] {
    this.parts.push(chunk);
    this.have += chunk.length;
    const out: Buffer[] = [];
    while (this.have >= 4) {
      const head = this.parts[0].length >= 4 ? this.parts[0] : this.flatten();
      const len = head.readUInt32BE(0);
      if (len === 0 || len > MAX_PACKET) throw new Error(`bad SFTP packet length ${len}`);
      if (this.have < 4 + len) break;
      const all = this.flatten();
      out.push(all.subarray(4, 4 + len));
      const rest = all.subarray(4 + len);
      this.parts = rest.length ? [rest] : [];
      this.have = rest.length;
    }
    return out;
  }

  private flatten(): Buffer {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0];
  }
}

class Cursor {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number { return this.b.readUInt8(this.at++); }
  u32(): number { const v = this.b.readUInt32BE(this.at); this.at += 4; return v; }
  u64(): number { const v = Number(this.b.readBigUInt64BE(this.at)); this.at += 8; return v; }
  bytes(): Buffer {
    const n = this.u32();
    if (this.at + n > this.b.length) throw new RangeError('string past the end of the packet');
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  str(): string { return this.bytes().toString('utf8'); }
  rest(): Buffer { const v = this.b.subarray(this.at); this.at = this.b.length; return v; }
  attrs(): Attrs {
    const flags = this.u32();
    const a: Attrs = {};
    if (flags & A_SIZE) a.size = this.u64();
    if (flags & A_UIDGID) { a.uid = this.u32(); a.gid = this.u32(); }
    if (flags & A_PERMISSIONS) a.mode = this.u32();
    if (flags & A_ACMODTIME) { a.atime = this.u32(); a.mtime = this.u32(); }
    if (flags & A_EXTENDED) for (let n = this.u32(); n > 0; n--) { this.bytes(); this.bytes(); }
    return a;
  }
}

/** INIT's version, or undefined when the packet is not an INIT. */
export function initVersion(packet: Buffer): number | undefined {
  return packet[0] === T.INIT && packet.length >= 5 ? packet.readUInt32BE(1) : undefined;
}

/** Decodes one request packet; throws RangeError on a malformed one. */
export function decodeRequest(packet: Buffer): Request {
  const c = new Cursor(packet);
  const type = c.u8();
  const id = c.u32();
  const r: Request = { type, id, paths: [] };
  switch (type) {
    case T.OPEN: r.paths.push(c.str()); r.pflags = c.u32(); r.attrs = c.attrs(); break;
    case T.CLOSE: case T.FSTAT: case T.READDIR: r.handle = c.bytes(); break;
    case T.READ: r.handle = c.bytes(); r.offset = c.u64(); r.length = c.u32(); break;
    case T.WRITE: r.handle = c.bytes(); r.offset = c.u64(); r.data = c.bytes(); break;
    case T.FSETSTAT: r.handle = c.bytes(); r.attrs = c.attrs(); break;
    case T.SETSTAT: case T.MKDIR: r.paths.push(c.str()); r.attrs = c.attrs(); break;
    case T.LSTAT: case T.STAT: case T.OPENDIR: case T.REMOVE: case T.RMDIR: case T.REALPATH: case T.READLINK:
      r.paths.push(c.str());
      break;
    case T.RENAME: case T.SYMLINK: r.paths.push(c.str(), c.str()); break;
    case T.EXTENDED: r.ext = c.str(); r.extData = c.rest(); break;
    default: break; // answered OP_UNSUPPORTED
  }
  return r;
}

/** Reads the fields of an extension request's data. */
export function extFields(data: Buffer): { str(): string; bytes(): Buffer; u64(): number } {
  const c = new Cursor(data);
  return { str: () => c.str(), bytes: () => c.bytes(), u64: () => c.u64() };
}

class Writer {
  private parts: Buffer[] = [];
  u8(v: number): this { this.parts.push(Buffer.from([v])); return this; }
  u32(v: number): this { const b = Buffer.allocUnsafe(4); b.writeUInt32BE(v >>> 0); this.parts.push(b); return this; }
  u64(v: number): this { const b = Buffer.allocUnsafe(8); b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v)))); this.parts.push(b); return this; }
  bytes(v: Buffer | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.u32(b.length);
    this.parts.push(b);
    return this;
  }
  attrs(a: Attrs): this {
    let flags = 0;
    if (a.size !== undefined) flags |= A_SIZE;
    if (a.uid !== undefined && a.gid !== undefined) flags |= A_UIDGID;
    if (a.mode !== undefined) flags |= A_PERMISSIONS;
    if (a.atime !== undefined && a.mtime !== undefined) flags |= A_ACMODTIME;
    this.u32(flags);
    if (flags & A_SIZE) this.u64(a.size!);
    if (flags & A_UIDGID) this.u32(a.uid!).u32(a.gid!);
    if (flags & A_PERMISSIONS) this.u32(a.mode!);
    if (flags & A_ACMODTIME) this.u32(a.atime!).u32(a.mtime!);
    return this;
  }
  packet(): Buffer {
    const body = Buffer.concat(this.parts);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, body]);
  }
}

/** The extensions we implement, announced in VERSION (OpenSSH PROTOCOL §4.x; "2" and "1" are their versions). */
export const EXTENSIONS: [string, string][] = [
  ['posix-rename@openssh.com', '1'],
  ['statvfs@openssh.com', '2'],
  ['fstatvfs@openssh.com', '2'],
  ['hardlink@openssh.com', '1'],
  ['fsync@openssh.com', '1'],
  ['limits@openssh.com', '1'],
];

export function versionPacket(): Buffer {
  const w = new Writer().u8(T.VERSION).u32(3);
  for (const [name, data] of EXTENSIONS) w.bytes(name).bytes(data);
  return w.packet();
}

/** What a request is answered with. */
export type Reply =
  | { status: number; message?: string }
  | { handle: Buffer }
  | { data: Buffer }
  | { names: NameEntry[] }
  | { attrs: Attrs }
  /** EXTENDED_REPLY: the extension's own fields. */
  | { extended: Buffer };

export function encodeReply(id: number, r: Reply): Buffer {
  if ('status' in r) {
    return new Writer().u8(T.STATUS).u32(id).u32(r.status).bytes(r.message ?? STATUS_TEXT[r.status] ?? '').bytes('en').packet();
  }
  if ('handle' in r) return new Writer().u8(T.HANDLE).u32(id).bytes(r.handle).packet();
  if ('data' in r) return new Writer().u8(T.DATA).u32(id).bytes(r.data).packet();
  if ('attrs' in r) return new Writer().u8(T.ATTRS).u32(id).attrs(r.attrs).packet();
  if ('extended' in r) return encodeRaw(new Writer().u8(T.EXTENDED_REPLY).u32(id), r.extended);
  const w = new Writer().u8(T.NAME).u32(id).u32(r.names.length);
  for (const n of r.names) w.bytes(n.filename).bytes(n.longname).attrs(n.attrs);
  return w.packet();
}

function encodeRaw(w: Writer, raw: Buffer): Buffer {
  const head = w.packet();
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(head.length - 4 + raw.length);
  return Buffer.concat([len, head.subarray(4), raw]);
}

/** Builds the body of an EXTENDED_REPLY out of uint64 fields (statvfs, limits). */
export function u64s(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), i * 8));
  return b;
}

const STATUS_TEXT: Record<number, string> = {
  0: 'Success', 1: 'End of file', 2: 'No such file', 3: 'Permission denied', 4: 'Failure', 5: 'Bad message',
  8: 'Operation unsupported',
};
