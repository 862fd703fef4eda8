/**
 * SFTP answered by commands in the container, for images without an sftp-server: POSIX sh scripts with
 * every path passed as an argument (never pasted into a script), written for both coreutils and busybox.
 * A listing is one exec (one `stat` over all entries); stat, mkdir, rename… are one exec each; file data
 * goes through one streaming process per open handle (sftpStreams.ts).
 *
 * Names are UTF-8 (the exec API takes argv as text): a name that is not valid UTF-8 cannot be reached.
 */
import path from 'node:path';
import type { ExecFn } from '../core/kube/remoteProcess.ts';
import { runCollect, type Collected } from '../core/kube/runCollect.ts';
import { modeString } from '../core/files/fileMode.ts';
import { extFields, MAX_RW, OPEN_MODE, STATUS, T, u64s, type Attrs, type NameEntry, type Reply, type Request } from './sftpCodec.ts';
import { FileReader, FileWriter } from './sftpStreams.ts';

/** stat's fields: raw mode (hex), size, uid, gid, atime, mtime, links, user, group. Same letters in busybox. */
const STAT_FMT = '%f %s %u %g %X %Y %h %U %G';

const EXISTS = '[ -e "$1" ] || [ -L "$1" ] || { echo "$1: No such file or directory" >&2; exit 2; }';

/** One exec for a folder: the names (NUL-separated, empty field after), then one stat line per name. */
const LIST_SCRIPT = `cd -- "$1" || exit
set --
for f in .* *; do
  { [ -e "$f" ] || [ -L "$f" ]; } || continue
  printf '%s\\0' "$f"
  set -- "$@" "$f"
done
printf '\\0'
[ $# -eq 0 ] && exit 0
if [ $# -gt 2000 ] && command -v xargs >/dev/null; then printf '%s\\0' "$@" | xargs -0 stat -c '${STAT_FMT}' --; exit; fi
exec stat -c '${STAT_FMT}' -- "$@"`;

/** A mode as open(2) and mkdir(2) apply it: less the umask. */
const MASKED = 'masked() { printf %o $(( 0$1 & ~0$(umask) )); }';

/** OPEN's checks and preparation: $2 is letters r w a c t x (read, write, append, create, truncate, exclusive). */
const OPEN_SCRIPT = `${MASKED}
f=$1
if [ -d "$f" ]; then echo "$f: Is a directory" >&2; exit 4; fi
if [ -e "$f" ] || [ -L "$f" ]; then
  case $2 in *x*) echo "$f: File exists" >&2; exit 4;; esac
  case $2 in *t*) : > "$f" || exit 4;; esac
else
  case $2 in
    *c*) : > "$f" || exit 4; [ -z "$3" ] || chmod "$(masked "$3")" "$f";;
    *) echo "$f: No such file or directory" >&2; exit 2;;
  esac
fi
case $2 in *r*) [ -r "$f" ] || { echo "$f: Permission denied" >&2; exit 3; };; esac
case $2 in *w*|*a*) [ -w "$f" ] || { echo "$f: Permission denied" >&2; exit 3; };; esac`;

/** SETSTAT: $2 size, $3 mode (octal), $4 uid, $5 gid, $6 atime, $7 mtime; empty means leave alone. */
const SETSTAT_SCRIPT = `${EXISTS}
if [ -n "$2" ]; then truncate -s "$2" "$1" 2>/dev/null || dd if=/dev/null of="$1" bs=1 seek="$2" 2>/dev/null || { echo "$1: cannot set its size" >&2; exit 4; }; fi
[ -z "$3" ] || chmod "$3" "$1" || exit 4
[ -z "$4" ] || chown "$4:$5" "$1" || exit 4
[ -z "$7" ] || touch -c -m -d "@$7" "$1" || exit 4
[ -z "$6" ] || touch -c -a -d "@$6" "$1" || exit 4`;

/** posix-rename: over an existing file, or onto an empty folder; never into a folder (mv's own habit). */
const RENAME_SCRIPT = `${EXISTS}
if [ -e "$2" ] || [ -L "$2" ]; then
  [ "$3" = posix ] || { echo "$2: File exists" >&2; exit 4; }
  if [ -d "$2" ] && [ ! -L "$2" ]; then
    [ -d "$1" ] && [ ! -L "$1" ] || { echo "$2: Is a directory" >&2; exit 4; }
    rmdir -- "$2" || exit 4
  fi
fi
exec mv -f -- "$1" "$2"`;

export interface ContainerFsDeps {
  /** Short commands (collected). */
  run: ExecFn;
  /** Streaming commands (with stdin). */
  stream: ExecFn;
  /** The exec's working directory: where relative paths start ("." of REALPATH). */
  home: string;
  /** Writes what changed in the container to the audit trail. */
  audit(kind: string, details: Record<string, unknown>): void;
}

interface FileHandle {
  kind: 'file';
  path: string;
  pflags: number;
  reader?: FileReader;
  writer?: FileWriter;
  /** Operations on one handle run one after another (a READ must see the WRITE before it). */
  chain: Promise<unknown>;
  read: number;
  written: number;
  error?: string;
}

interface DirHandle {
  kind: 'dir';
  path: string;
  names?: NameEntry[];
}

type Handle = FileHandle | DirHandle;

/** READDIR answers at most this many names per packet (OpenSSH's sftp-server sends 100). */
const NAMES_PER_PACKET = 100;

export class ContainerFs {
  private readonly handles = new Map<number, Handle>();
  private next = 1;

  constructor(private readonly deps: ContainerFsDeps) {}

  /** Absolute, normalized: relative paths start at the exec's working directory, as sftp-server's do. */
  resolve(p: string): string {
    return path.posix.resolve(this.deps.home, p === '' ? '.' : p);
  }

  async handle(r: Request): Promise<Reply> {
    switch (r.type) {
      case T.REALPATH: return { names: [{ filename: this.resolve(r.paths[0]), longname: '', attrs: {} }] };
      case T.STAT: return this.stat(this.resolve(r.paths[0]), true);
      case T.LSTAT: return this.stat(this.resolve(r.paths[0]), false);
      case T.OPEN: return this.open(this.resolve(r.paths[0]), r.pflags ?? 0, r.attrs ?? {});
      case T.READ: return this.onFile(r, (h) => this.read(h, r.offset ?? 0, r.length ?? 0));
      case T.WRITE: return this.onFile(r, (h) => this.write(h, r.offset ?? 0, r.data ?? Buffer.alloc(0)));
      case T.FSTAT: return this.onFile(r, async (h) => { await this.flush(h); return this.stat(h.path, true); });
      case T.FSETSTAT: return this.onFile(r, async (h) => { await this.flush(h); return this.setstat(h.path, r.attrs ?? {}); });
      case T.CLOSE: return this.close(r.handle);
      case T.OPENDIR: return this.opendir(this.resolve(r.paths[0]));
      case T.READDIR: return this.readdir(r.handle);
      case T.SETSTAT: return this.setstat(this.resolve(r.paths[0]), r.attrs ?? {});
      case T.MKDIR: {
        const p = this.resolve(r.paths[0]);
        const mode = r.attrs?.mode !== undefined ? (r.attrs.mode & 0o7777).toString(8) : '';
        const script = `${MASKED}\nif [ -n "$2" ]; then exec mkdir -m "$(masked "$2")" -- "$1"; fi\nexec mkdir -- "$1"`;
        return this.change('ssh.sftp.mkdir', { path: p }, ['sh', '-c', script, 'sh', p, mode]);
      }
      case T.RMDIR: {
        const p = this.resolve(r.paths[0]);
        return this.change('ssh.sftp.rmdir', { path: p }, ['rmdir', '--', p]);
      }
      case T.REMOVE: {
        const p = this.resolve(r.paths[0]);
        // rm would take a folder with -r only; refuse one as unlink(2) does.
        return this.change('ssh.sftp.remove', { path: p }, ['sh', '-c', `${EXISTS}\n[ -d "$1" ] && [ ! -L "$1" ] && { echo "$1: Is a directory" >&2; exit 4; }\nexec rm -f -- "$1"`, 'sh', p]);
      }
      case T.RENAME: return this.rename(r.paths[0], r.paths[1], false);
      case T.SYMLINK: {
        // OpenSSH sends SYMLINK's two paths the other way round from the draft (target first), and every
        // client follows it (paramiko too): the first path is the target, kept as given (relative stays so).
        const link = this.resolve(r.paths[1]);
        return this.change('ssh.sftp.symlink', { path: link, target: r.paths[0] }, ['ln', '-s', '--', r.paths[0], link]);
      }
      case T.READLINK: {
        const res = await this.sh(['readlink', '--', this.resolve(r.paths[0])]);
        if (res.exitCode !== 0) return failure(res);
        const target = res.stdout.toString('utf8').replace(/\n$/, '');
        return { names: [{ filename: target, longname: target, attrs: {} }] };
      }
      case T.EXTENDED: return this.extended(r);
      default: return { status: STATUS.OP_UNSUPPORTED, message: `SFTP request ${r.type} is not supported` };
    }
  }

  /** Client gone or done: writers finish (their data lands), readers stop. */
  async closeAll(): Promise<void> {
    const ids = [...this.handles.keys()];
    await Promise.all(ids.map((id) => this.close(handleBytes(id)).catch(() => undefined)));
  }

  private async extended(r: Request): Promise<Reply> {
    const f = extFields(r.extData ?? Buffer.alloc(0));
    switch (r.ext) {
      case 'posix-rename@openssh.com': return this.rename(f.str(), f.str(), true);
      case 'hardlink@openssh.com': {
        const [target, link] = [this.resolve(f.str()), this.resolve(f.str())];
        return this.change('ssh.sftp.hardlink', { path: link, target }, ['ln', '--', target, link]);
      }
      case 'statvfs@openssh.com': return this.statvfs(this.resolve(f.str()));
      case 'fstatvfs@openssh.com': {
        const h = this.handles.get(handleId(f.bytes()));
        return h ? this.statvfs(h.path) : badHandle();
      }
      case 'fsync@openssh.com': return this.onFile({ ...r, handle: f.bytes() }, async (h) => { await this.flush(h); return ok(); });
      case 'limits@openssh.com':
        // packet length, read length, write length, open handles (0: no limit) — as OpenSSH's sftp-server.
        return { extended: u64s([MAX_RW + 1024, MAX_RW, MAX_RW, 0]) };
      default: return { status: STATUS.OP_UNSUPPORTED, message: `${r.ext} is not supported` };
    }
  }

  private sh(cmd: string[]): Promise<Collected> {
    return runCollect(this.deps.run, cmd);
  }

  private async stat(p: string, follow: boolean): Promise<Reply> {
    const res = await this.sh(['sh', '-c', `${EXISTS}\nexec stat ${follow ? '-L ' : ''}-c '${STAT_FMT}' -- "$1"`, 'sh', p]);
    if (res.exitCode !== 0) return failure(res);
    const st = parseStat(res.stdout.toString('utf8').trim());
    return st ? { attrs: st.attrs } : { status: STATUS.FAILURE, message: `cannot read the status of ${p}` };
  }

  private async statvfs(p: string): Promise<Reply> {
    const res = await this.sh(['stat', '-f', '-c', '%S %s %b %f %a %c %d %i %l', '--', p]);
    if (res.exitCode !== 0) return failure(res);
    const [frsize, bsize, blocks, bfree, bavail, files, ffree, fsid, namemax] = res.stdout.toString('utf8').trim().split(/\s+/);
    const n = (s: string | undefined) => Number(s) || 0;
    // struct statvfs as OpenSSH's PROTOCOL orders it; favail = ffree (stat -f has no separate figure).
    return { extended: u64s([n(bsize), n(frsize), n(blocks), n(bfree), n(bavail), n(files), n(ffree), n(ffree), parseInt(fsid ?? '0', 16) || 0, 0, n(namemax)]) };
  }

  private async change(kind: string, details: Record<string, unknown>, cmd: string[]): Promise<Reply> {
    const res = await this.sh(cmd);
    if (res.exitCode !== 0) return failure(res);
    this.deps.audit(kind, details);
    return ok();
  }

  private rename(from: string, to: string, posix: boolean): Promise<Reply> {
    const [a, b] = [this.resolve(from), this.resolve(to)];
    return this.change('ssh.sftp.rename', { from: a, to: b }, ['sh', '-c', RENAME_SCRIPT, 'sh', a, b, posix ? 'posix' : '']);
  }

  private async setstat(p: string, a: Attrs): Promise<Reply> {
    const s = (v: number | undefined) => (v === undefined ? '' : String(v));
    const mode = a.mode === undefined ? '' : (a.mode & 0o7777).toString(8);
    const res = await this.sh(['sh', '-c', SETSTAT_SCRIPT, 'sh', p, s(a.size), mode, s(a.uid), s(a.gid), s(a.atime), s(a.mtime)]);
    if (res.exitCode !== 0) return failure(res);
    if (a.size !== undefined || a.mode !== undefined || a.uid !== undefined) this.deps.audit('ssh.sftp.setstat', { path: p, ...(a.size !== undefined ? { size: a.size } : {}), ...(mode ? { mode } : {}) });
    return ok();
  }

  private async open(p: string, pflags: number, attrs: Attrs): Promise<Reply> {
    // Mapped by hand: ssh2's flagsToString has no name for WRITE|CREAT without TRUNC (scp's uploads).
    let letters = '';
    if (pflags & OPEN_MODE.READ) letters += 'r';
    if (pflags & OPEN_MODE.WRITE) letters += 'w';
    if (pflags & OPEN_MODE.APPEND) letters += 'a';
    if (pflags & OPEN_MODE.CREAT) letters += 'c';
    if (pflags & OPEN_MODE.TRUNC) letters += 't';
    if (pflags & OPEN_MODE.EXCL) letters += 'x';
    const mode = attrs.mode === undefined ? '' : (attrs.mode & 0o7777).toString(8);
    const res = await this.sh(['sh', '-c', OPEN_SCRIPT, 'sh', p, letters, mode]);
    if (res.exitCode !== 0) return failure(res);
    const id = this.next++;
    this.handles.set(id, { kind: 'file', path: p, pflags, chain: Promise.resolve(), read: 0, written: 0 });
    return { handle: handleBytes(id) };
  }

  /** Runs `fn` on a file handle after everything queued on it before. */
  private onFile(r: Request, fn: (h: FileHandle) => Promise<Reply>): Promise<Reply> {
    const h = r.handle ? this.handles.get(handleId(r.handle)) : undefined;
    if (!h || h.kind !== 'file') return Promise.resolve(badHandle());
    const result = h.chain.then(() => fn(h)).catch((e: Error) => ({ status: STATUS.FAILURE, message: e.message }) as Reply);
    h.chain = result;
    return result;
  }

  private async read(h: FileHandle, offset: number, length: number): Promise<Reply> {
    if (!(h.pflags & OPEN_MODE.READ)) return { status: STATUS.PERMISSION_DENIED, message: 'the file was not opened for reading' };
    await this.flush(h);
    if (h.reader?.atEnd(offset)) return { status: STATUS.EOF };
    if (!h.reader?.serves(offset)) {
      h.reader?.close();
      h.reader = await FileReader.open(this.deps.stream, h.path, offset);
    }
    const data = await h.reader.read(offset, Math.min(length, MAX_RW));
    if (!data) return { status: STATUS.EOF };
    h.read += data.length;
    return { data };
  }

  private async write(h: FileHandle, offset: number, data: Buffer): Promise<Reply> {
    if (!(h.pflags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND))) return { status: STATUS.PERMISSION_DENIED, message: 'the file was not opened for writing' };
    if (h.error) return { status: STATUS.FAILURE, message: h.error };
    const append = (h.pflags & OPEN_MODE.APPEND) !== 0;
    if (h.writer && !append && h.writer.pos !== offset) await this.flush(h); // a new run of contiguous writes
    if (h.reader) {
      h.reader.close();
      h.reader = undefined;
    }
    h.writer ??= await FileWriter.open(this.deps.stream, h.path, offset, append);
    try {
      await h.writer.write(data);
    } catch (e) {
      await this.flush(h).catch(() => undefined);
      h.error = (e as Error).message;
      return { status: STATUS.FAILURE, message: h.error };
    }
    h.written += data.length;
    return ok();
  }

  /** Ends the handle's writer and waits for its data to land (before a stat, a read, a close). */
  private async flush(h: FileHandle): Promise<void> {
    const w = h.writer;
    if (!w) return;
    h.writer = undefined;
    try {
      await w.finish();
    } catch (e) {
      h.error = (e as Error).message;
      throw e;
    }
  }

  private async close(handle: Buffer | undefined): Promise<Reply> {
    const id = handle ? handleId(handle) : -1;
    const h = this.handles.get(id);
    if (!h) return badHandle();
    if (h.kind === 'dir') {
      this.handles.delete(id);
      return ok();
    }
    // Behind every WRITE queued before it: the CLOSE's answer says whether the file is complete.
    const result = h.chain.then(async () => {
      this.handles.delete(id);
      h.reader?.close();
      await this.flush(h).catch(() => undefined);
      if (h.read || h.written) this.deps.audit('ssh.sftp.file', { path: h.path, ...(h.read ? { read: h.read } : {}), ...(h.written ? { written: h.written } : {}), ...(h.error ? { error: h.error } : {}) });
      return h.error ? ({ status: STATUS.FAILURE, message: h.error } as Reply) : ok();
    });
    h.chain = result;
    return result;
  }

  private async opendir(p: string): Promise<Reply> {
    const res = await this.sh(['sh', '-c', `${EXISTS}\n[ -d "$1" ] || { echo "$1: Not a directory" >&2; exit 4; }\n${LIST_SCRIPT}`, 'sh', p]);
    if (res.exitCode !== 0) return failure(res);
    const id = this.next++;
    this.handles.set(id, { kind: 'dir', path: p, names: parseListing(res.stdout) });
    return { handle: handleBytes(id) };
  }

  private readdir(handle: Buffer | undefined): Reply {
    const h = handle ? this.handles.get(handleId(handle)) : undefined;
    if (!h || h.kind !== 'dir') return badHandle();
    if (!h.names?.length) return { status: STATUS.EOF };
    return { names: h.names.splice(0, NAMES_PER_PACKET) };
  }
}

const ok = (): Reply => ({ status: STATUS.OK });
const badHandle = (): Reply => ({ status: STATUS.FAILURE, message: 'no such handle (closed already?)' });

function handleBytes(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(id);
  return b;
}

function handleId(b: Buffer): number {
  return b.length === 4 ? b.readUInt32BE(0) : -1;
}

/** A failed command as an SFTP status: the code a client acts on, the container's own words as message. */
export function failure(res: Collected): Reply {
  const said = res.stderr.split('\n').map((s) => s.trim()).filter(Boolean).slice(-2).join('; ');
  const message = said || res.error || `exit code ${res.exitCode}`;
  if (res.exitCode === 2 || /no such file/i.test(message)) return { status: STATUS.NO_SUCH_FILE, message };
  if (res.exitCode === 3 || /permission denied|operation not permitted|read-only file system/i.test(message)) return { status: STATUS.PERMISSION_DENIED, message };
  return { status: STATUS.FAILURE, message };
}

interface Stat {
  attrs: Attrs;
  links: number;
  user: string;
  group: string;
}

function parseStat(line: string): Stat | undefined {
  const [rawMode, size, uid, gid, atime, mtime, links, user, ...group] = line.split(' ');
  const mode = parseInt(rawMode, 16);
  if (Number.isNaN(mode) || group.length === 0) return undefined;
  return {
    attrs: { mode, size: Number(size), uid: Number(uid), gid: Number(gid), atime: Number(atime), mtime: Number(mtime) },
    links: Number(links),
    user,
    group: group.join(' '),
  };
}

/** LIST_SCRIPT's output: NUL-separated names, an empty field, then one stat line per name. */
export function parseListing(out: Buffer): NameEntry[] {
  const end = out.indexOf(Buffer.from([0, 0]));
  const head = end < 0 ? out : out.subarray(0, end);
  const names = head.length ? head.toString('utf8').split('\0') : [];
  const lines = end < 0 ? [] : out.subarray(end + 2).toString('utf8').split('\n');
  const now = Date.now() / 1000;
  const entries: NameEntry[] = [];
  names.forEach((name, i) => {
    const st = parseStat(lines[i] ?? '');
    if (!st) return;
    entries.push({ filename: name, longname: longname(name, st, now), attrs: st.attrs });
  });
  return entries;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IFMT = 0o170000;
const TYPE_OF: Record<number, 'dir' | 'symlink' | 'file'> = { 0o040000: 'dir', 0o120000: 'symlink', 0o100000: 'file' };
const OTHER_OF: Record<number, string> = { 0o060000: 'b', 0o020000: 'c', 0o010000: 'p', 0o140000: 's' };

/** `ls -l` as OpenSSH's sftp-server writes it (ls_file in sftp-common.c): what `sftp ls -l` shows. */
function longname(name: string, st: Stat, now: number): string {
  const m = st.attrs.mode ?? 0;
  const type = TYPE_OF[m & IFMT] ?? 'other';
  const t = st.attrs.mtime ?? 0;
  const d = new Date(t * 1000);
  const recent = Math.abs(now - t) < 182 * 86400;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : ` ${d.getUTCFullYear()}`}`;
  return `${modeString(type, m & 0o7777, OTHER_OF[m & IFMT])} ${String(st.links).padStart(3)} ${st.user.slice(0, 8).padEnd(8)} ${st.group.slice(0, 8).padEnd(8)} ${String(st.attrs.size ?? 0).padStart(8)} ${when} ${name}`;
}
