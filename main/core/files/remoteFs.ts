/**
 * The container side of the file browser: small POSIX sh scripts run through exec, with every path
 * passed as an argument (never pasted into the script), and listings separated by NUL so names with
 * spaces, newlines, unicode or a leading dash come back intact.
 *
 * Two listing strategies, chosen by probing once per container:
 *   - GNU find: `find -printf` (one process for a whole folder or tree);
 *   - anything else (busybox, coreutils without findutils): a shell loop calling `stat -c` and
 *     `readlink` per entry — both exist in busybox and coreutils.
 * Both print `name NUL S|F<fields> LF [symlink target LF] NUL`; parseEntries reads either.
 */
import path from 'node:path';
import type { FileEntry } from '../../../common/contract/files.ts';
import { looksLikeNoShell, noShellMessage } from '../kube/noShell.ts';
import { modeString } from './fileMode.ts';
import type { ExecFn } from '../kube/remoteProcess.ts';
import { runCollect } from '../kube/runCollect.ts';
import { copyHashFor, digestOfLine, type CopyHash } from './copyHash.ts';

export interface Caps {
  /** Commands the container has. */
  has: Set<string>;
  gnuFind: boolean;
  /** Working directory of a fresh exec: the "home" the browser opens first. */
  cwd: string;
}

/** A remote tree entry with its path relative to the walked parent ("name/sub/file"). */
export interface RemoteEntry extends FileEntry {
  rel: string;
  mtimeSec: number;
}

const ENTRY_FN = `e() { printf '%s\\0S' "$1"; stat -c '%f %s %Y %U %G' -- "$1" 2>/dev/null || echo; if [ -L "$1" ]; then readlink -- "$1"; fi; printf '\\0'; }`;
const GNU_FMT = '%p\\0F%y %s %m %T@ %u %g\\n%l\\n\\0';

/** sh script: list the folder $1 (entries only). $2=loop forces the portable loop (tests). */
export const LIST_SCRIPT = `${ENTRY_FN}
[ -e "$1" ] || [ -L "$1" ] || { echo "No such file or folder: $1" >&2; exit 2; }
[ -d "$1" ] || { echo "Not a folder: $1" >&2; exit 3; }
cd "$1" 2>/dev/null || { echo "Permission denied: $1" >&2; exit 4; }
if [ "$2" != loop ] && find . -maxdepth 0 -printf '' >/dev/null 2>&1; then
  exec find . -mindepth 1 -maxdepth 1 -printf '${GNU_FMT}'
fi
for f in .[!.]* ..?* *; do [ -e "$f" ] || [ -L "$f" ] || continue; e "./$f"; done
`;

/** sh script: walk $2 inside folder $1 (the entry itself first, then everything below it). */
export const WALK_SCRIPT = `${ENTRY_FN}
w() { for f in "$1"/.[!.]* "$1"/..?* "$1"/*; do [ -e "$f" ] || [ -L "$f" ] || continue; e "$f"; if [ -d "$f" ] && [ ! -L "$f" ]; then w "$f"; fi; done; }
cd "$1" 2>/dev/null || { echo "Cannot open folder $1" >&2; exit 4; }
[ -e "./$2" ] || [ -L "./$2" ] || { [ "$1" = / ] && echo "No such file or folder: /$2" >&2 || echo "No such file or folder: $1/$2" >&2; exit 2; }
if [ "$3" != loop ] && find . -maxdepth 0 -printf '' >/dev/null 2>&1; then
  exec find "./$2" -printf '${GNU_FMT}'
fi
e "./$2"
if [ -d "./$2" ] && [ ! -L "./$2" ]; then w "./$2"; fi
`;

/**
 * The scripts that hash files in the container with `tool` (b2sum or sha256sum: copyHash.ts picks
 * it from the probe, so the name is one of two fixed words, never user input).
 * - one line per file, in order, one process per file: right for any name, and for unreadable files ("-");
 * - the fast path: one process for the whole batch (a process per file costs ~1 ms each, minutes for
 *   100,000 files). Its lines come in argument order; if any file cannot be read it exits non-zero and
 *   the batch is hashed again the slow way;
 * - the same two with the names on stdin (NUL-separated) instead of argv: one exec for a whole list,
 *   where argv batches cost one exec per ~200 names (the URL limit, see argBatches).
 */
export const hashScripts = (tool: CopyHash['tool']) => ({
  each: `cd "$1" || exit 4; shift; for f; do ${tool} < "$f" 2>/dev/null || echo "-"; done`,
  batch: `cd "$1" || exit 4; shift; exec ${tool} -- "$@" 2>/dev/null`,
  stdin: `cd "$1" || exit 4; exec xargs -0 ${tool} -- 2>/dev/null`,
  stdinEach: `cd "$1" || exit 4; exec xargs -0 sh -c 'for f; do ${tool} < "$f" 2>/dev/null || echo "-"; done' sh`,
});

const PROBE_SCRIPT = `for c in tar gzip b2sum sha256sum find stat readlink cat tail head mv rm mkdir chmod touch ln dd wc tee xargs; do command -v "$c" >/dev/null 2>&1 && printf '%s ' "$c"; done
find . -maxdepth 0 -printf '' >/dev/null 2>&1 && printf 'gnufind'
echo; pwd`;

const TYPE_BY_FIND: Record<string, FileEntry['type']> = { f: 'file', d: 'dir', l: 'symlink' };

const S_IFMT = 0o170000;
const IFMT_TYPE: Record<number, [FileEntry['type'], string]> = {
  0o100000: ['file', 'f'],
  0o040000: ['dir', 'd'],
  0o120000: ['symlink', 'l'],
  0o060000: ['other', 'b'],
  0o020000: ['other', 'c'],
  0o010000: ['other', 'p'],
  0o140000: ['other', 's'],
};

/** Parses the NUL-separated output of LIST_SCRIPT / WALK_SCRIPT. Unparseable records are skipped. */
export function parseEntries(buf: Buffer): RemoteEntry[] {
  const fields = buf.toString('utf8').split('\0');
  const out: RemoteEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    let name = fields[i];
    const rec = fields[i + 1];
    if (name.startsWith('./')) name = name.slice(2);
    if (name === '.' || name === '') continue;
    const nl = rec.indexOf('\n');
    if (nl < 0) continue;
    const line = rec.slice(1, nl);
    let target: string | undefined = rec.slice(nl + 1).replace(/\n$/, '');
    const parts = line.split(' ');
    let type: FileEntry['type'];
    let mode: number;
    let size: number;
    let mtimeSec: number;
    let owner: string;
    let group: string;
    let findType: string | undefined;
    if (rec[0] === 'F' && parts.length >= 6) {
      findType = parts[0];
      type = TYPE_BY_FIND[findType] ?? 'other';
      size = Number(parts[1]);
      mode = parseInt(parts[2], 8);
      mtimeSec = Number(parts[3]);
      owner = parts[4];
      group = parts.slice(5).join(' ');
    } else if (rec[0] === 'S' && parts.length >= 5) {
      const raw = parseInt(parts[0], 16);
      [type, findType] = IFMT_TYPE[raw & S_IFMT] ?? ['other', '?'];
      mode = raw & 0o7777;
      size = Number(parts[1]);
      mtimeSec = Number(parts[2]);
      owner = parts[3];
      group = parts.slice(4).join(' ');
    } else continue;
    if (!Number.isFinite(size) || !Number.isFinite(mtimeSec) || Number.isNaN(mode)) continue;
    if (type !== 'symlink') target = undefined;
    out.push({
      name: path.posix.basename(name),
      rel: name,
      type,
      size: type === 'dir' ? 0 : size,
      mode,
      modeString: modeString(type, mode, findType),
      owner,
      group,
      modified: new Date(Math.floor(mtimeSec * 1000)).toISOString(),
      mtimeSec,
      ...(target !== undefined ? { target } : {}),
    });
  }
  return out;
}

/** Raised when a command could not run at all or failed; `message` is for the user. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly exitCode?: number,
    readonly dropped = false,
  ) {
    super(message);
  }
}

function remoteMessage(stderr: string, exitCode: number, error?: string): string {
  const s = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ');
  if (error) return s ? `${error}: ${s}` : error;
  return s || `command failed with exit code ${exitCode}`;
}

/** Absolute POSIX path, normalized; refuses relative paths (the browser always sends absolute ones). */
export function remotePath(p: string): string {
  if (!p.startsWith('/')) throw new Error(`Container paths must be absolute: ${p}`);
  return path.posix.normalize(p).replace(/(.)\/$/, '$1');
}

export class RemoteFs {
  private capsPromise?: Promise<Caps>;
  /** Tests: force the portable listing loop even where GNU find exists. */
  forceLoop = false;

  constructor(readonly exec: ExecFn) {}

  private async sh(script: string, args: string[], input?: Uint8Array | string) {
    let r;
    try {
      r = await runCollect(this.exec, ['sh', '-c', script, 'sh', ...args], { input });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (looksLikeNoShell(msg)) throw new RemoteError(noShellMessage(msg));
      throw e instanceof Error ? e : new Error(msg);
    }
    if (r.stdout.length === 0 && looksLikeNoShell(r.error, r.exitCode, r.stderr)) {
      throw new RemoteError(noShellMessage([r.error, r.stderr].filter(Boolean).join(' ') || `exit code ${r.exitCode}`), r.exitCode);
    }
    return r;
  }

  caps(): Promise<Caps> {
    this.capsPromise ??= (async () => {
      const r = await this.sh(PROBE_SCRIPT, []);
      if (r.exitCode !== 0) {
        this.capsPromise = undefined;
        throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
      }
      const [cmds, cwd] = r.stdout.toString('utf8').split('\n');
      const words = cmds.trim().split(/\s+/);
      return { has: new Set(words.filter((w) => w !== 'gnufind')), gnuFind: words.includes('gnufind'), cwd: (cwd ?? '/').trim() || '/' };
    })();
    return this.capsPromise;
  }

  async homeDir(): Promise<string> {
    return (await this.caps()).cwd;
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const d = remotePath(dir);
    await this.caps();
    const r = await this.sh(LIST_SCRIPT, [d, this.forceLoop ? 'loop' : '']);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
    return parseEntries(r.stdout).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The entry at `p` and, for a folder, everything below it (rel paths start with its base name). */
  async walk(p: string): Promise<RemoteEntry[]> {
    const abs = remotePath(p);
    if (abs === '/') throw new Error('Copying the whole root folder of a container is not supported; pick a folder inside it.');
    await this.caps();
    const r = await this.sh(WALK_SCRIPT, [path.posix.dirname(abs), path.posix.basename(abs), this.forceLoop ? 'loop' : '']);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
    return parseEntries(r.stdout);
  }

  /** Does anything (even a dangling symlink) exist at p? */
  async exists(p: string): Promise<boolean> {
    const r = await this.sh('[ -e "$1" ] || [ -L "$1" ]', [remotePath(p)]);
    if (r.error) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error));
    return r.exitCode === 0;
  }

  /** A name in dir that does not exist yet: "name", else "name (1).ext", "name (2).ext"... */
  async freeName(dir: string, name: string): Promise<string> {
    const ext = path.posix.extname(name);
    const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
    const script = `d=$1; n=$2; s=$3; x=$4; i=1; c=$n
while [ -e "$d/$c" ] || [ -L "$d/$c" ]; do c="$s ($i)$x"; i=$((i+1)); done; printf '%s' "$c"`;
    const r = await this.sh(script, [remotePath(dir), name, stem, ext === name ? '' : ext]);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error));
    return r.stdout.toString('utf8');
  }

  async makeDir(p: string): Promise<void> {
    const r = await this.sh('mkdir -- "$1"', [remotePath(p)]);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
  }

  async rename(from: string, to: string): Promise<void> {
    const script = `if [ -e "$2" ] || [ -L "$2" ]; then echo "Already exists: $2" >&2; exit 5; fi; mv -- "$1" "$2"`;
    const r = await this.sh(script, [remotePath(from), remotePath(to)]);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
  }

  async remove(paths: string[]): Promise<void> {
    const ps = paths.map(remotePath);
    if (ps.some((p) => p === '/')) throw new Error('Refusing to delete the root folder.');
    if (ps.length === 0) return;
    const r = await this.sh('rm -rf -- "$@"', ps);
    if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
  }

  /**
   * The copy hash (copyHashFor the container's commands) of files (paths relative to base), in
   * order; undefined where a file could not be read. Throws if the container has no hashing tool.
   */
  async hashes(base: string, rels: string[]): Promise<(string | undefined)[]> {
    if (rels.length === 0) return [];
    const caps = await this.caps();
    const h = copyHashFor(caps.has);
    if (!h) throw new RemoteError('The container has neither b2sum nor sha256sum: files cannot be hashed there.');
    const scripts = hashScripts(h.tool);
    if (caps.has.has('xargs')) return this.hashesViaStdin(h, remotePath(base), rels);
    const out: (string | undefined)[] = [];
    for (const batch of argBatches(rels.map((r) => `./${r}`))) {
      // Names with a newline or backslash print differently across builds of the tools (GNU escapes
      // them, busybox does not): those batches take the one-file-at-a-time script, whose lines carry no name.
      if (!batch.some((n) => n.includes('\n') || n.includes('\\'))) {
        const fast = await this.sh(scripts.batch, [remotePath(base), ...batch]);
        const hashes = fast.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => digestOfLine(h, l));
        if (fast.exitCode === 0 && hashes.length === batch.length && hashes.every(Boolean)) {
          out.push(...hashes);
          continue;
        }
      }
      const r = await this.sh(scripts.each, [remotePath(base), ...batch]);
      if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
      const lines = r.stdout.toString('utf8').split('\n').slice(0, batch.length);
      for (const l of lines) out.push(digestOfLine(h, l));
    }
    return out;
  }

  private async hashesViaStdin(h: CopyHash, base: string, rels: string[]): Promise<(string | undefined)[]> {
    const scripts = hashScripts(h.tool);
    const out: (string | undefined)[] = new Array(rels.length).fill(undefined);
    const odd = (n: string) => n.includes('\n') || n.includes('\\');
    const plain = rels.map((_r, i) => i).filter((i) => !odd(rels[i]));
    const slow = rels.map((_r, i) => i).filter((i) => odd(rels[i]));
    const input = (idx: number[]) => Buffer.from(idx.map((i) => `./${rels[i]}\0`).join(''), 'utf8');
    const lines = (b: Buffer) => b.toString('utf8').split('\n').filter(Boolean);
    if (plain.length) {
      const r = await this.sh(scripts.stdin, [base], input(plain));
      const hs = lines(r.stdout).map((l) => digestOfLine(h, l));
      // A file that cannot be read prints no line at all: then every plain name goes the slow way.
      if (r.exitCode === 0 && hs.length === plain.length && hs.every(Boolean)) plain.forEach((i, k) => (out[i] = hs[k]));
      else slow.push(...plain);
    }
    if (slow.length) {
      slow.sort((x, y) => x - y);
      const r = await this.sh(scripts.stdinEach, [base], input(slow));
      if (r.exitCode !== 0) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
      const hs = lines(r.stdout);
      slow.forEach((i, k) => (out[i] = digestOfLine(h, hs[k] ?? '')));
    }
    return out;
  }

  /** Runs a script (with `input` on its stdin) and throws a clear error unless it exits 0. */
  async run(script: string, args: string[], input?: string): Promise<string> {
    const r = await this.sh(script, args, input);
    if (r.exitCode !== 0 || r.error) throw new RemoteError(remoteMessage(r.stderr, r.exitCode, r.error), r.exitCode);
    return r.stdout.toString('utf8');
  }
}

/**
 * Splits argv so that no single exec's URL grows too long. Exec arguments travel in the request line as
 * repeated `command=` query parameters, percent-encoded (up to 3× the raw bytes): API servers and the
 * proxies in front of them cap the request line and headers (Node's default is 16 KiB, nginx's
 * large_client_header_buffers 8 KiB), long before the container's ARG_MAX matters. So count the
 * encoded size and stay under ~6 KiB per exec.
 */
export function* argBatches(args: string[], maxEncodedBytes = 6 * 1024): Generator<string[]> {
  let cur: string[] = [];
  let n = 0;
  for (const a of args) {
    const len = encodeURIComponent(a).length + '&command='.length;
    if (cur.length && n + len > maxEncodedBytes) {
      yield cur;
      cur = [];
      n = 0;
    }
    cur.push(a);
    n += len;
  }
  if (cur.length) yield cur;
}
