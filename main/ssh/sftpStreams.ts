/**
 * The streaming processes behind open SFTP file handles: one reader process (`cat`, or `tail -c +N`
 * from an offset) answers every READ of a sequential download, and one writer process (`cat`, or `dd
 * seek=N oflag=seek_bytes` from an offset) takes every WRITE of a sequential upload — an exec per
 * 32 KiB packet was ten times slower (see the gateway notes). A READ or WRITE at another offset ends the
 * process and starts one there. Backpressure: a reader is pulled only as fast as READs come; a writer's
 * stdin is awaited when full.
 */
import type { Readable } from 'node:stream';
import type { ExecFn, RemoteProcess } from '../core/kube/remoteProcess.ts';

/** A skip forward up to this many bytes reads through instead of starting a new process. */
const SKIP_LIMIT = 4 << 20;

/** What a finished process said on stderr, without dd's record counts. */
function lastWords(stderr: string, fallback: string): string {
  const lines = stderr.split('\n').map((s) => s.trim()).filter((s) => s && !/^\d+\+\d+ records (in|out)$|bytes .*copied/.test(s));
  return lines.slice(-2).join('; ') || fallback;
}

function collectText(s: Readable): () => string {
  const parts: Buffer[] = [];
  let have = 0;
  s.on('data', (b: Buffer) => {
    if (have < 8192) parts.push(b);
    have += b.length;
  });
  s.on('error', () => undefined);
  return () => Buffer.concat(parts).toString('utf8');
}

export class FileReader {
  private ended = false;
  private readonly stderr: () => string;

  private constructor(private readonly p: RemoteProcess, public pos: number) {
    p.stdout.on('end', () => (this.ended = true));
    p.stdout.on('close', () => (this.ended = true));
    p.stdout.on('error', () => (this.ended = true));
    this.stderr = collectText(p.stderr);
    p.stdin.on('error', () => undefined);
    p.stdin.end();
  }

  static async open(exec: ExecFn, path: string, offset: number): Promise<FileReader> {
    const cmd = offset === 0 ? ['cat', '--', path] : ['tail', '-c', `+${offset + 1}`, '--', path];
    return new FileReader(await exec(cmd), offset);
  }

  /** True when this reader can answer a READ at `offset` (at or a little ahead of its position). */
  serves(offset: number): boolean {
    return offset === this.pos || (offset > this.pos && offset - this.pos <= SKIP_LIMIT && !this.ended);
  }

  /** At its end, and the READ is at or past it: end of file without a new process. */
  atEnd(offset: number): boolean {
    return this.ended && this.p.stdout.readableLength === 0 && offset >= this.pos;
  }

  /** Up to `n` bytes from `offset` (fewer only at the end); an Error when the process failed before any. */
  async read(offset: number, n: number): Promise<Buffer | null> {
    if (offset > this.pos) {
      while (this.pos < offset) {
        const skipped = await this.take(offset - this.pos);
        if (!skipped) return null;
      }
    }
    const b = await this.take(n);
    if (!b) {
      const res = await this.p.done;
      if (res.exitCode !== 0) throw new Error(lastWords(this.stderr(), res.error ?? `exit code ${res.exitCode}`));
    }
    return b;
  }

  private async take(n: number): Promise<Buffer | null> {
    const s = this.p.stdout;
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      let c = s.read() as Buffer | null;
      if (c === null) {
        if (this.ended) break;
        await readableOrEnd(s);
        continue;
      }
      if (c.length > n - got) {
        s.unshift(c.subarray(n - got));
        c = c.subarray(0, n - got);
      }
      parts.push(c);
      got += c.length;
    }
    this.pos += got;
    return got ? Buffer.concat(parts) : null;
  }

  close(): void {
    this.p.close();
  }
}

function readableOrEnd(s: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('readable', done);
      s.off('end', done);
      s.off('close', done);
      s.off('error', done);
      resolve();
    };
    s.on('readable', done);
    s.on('end', done);
    s.on('close', done);
    s.on('error', done);
  });
}

export class FileWriter {
  private failed?: Error;
  private readonly stderr: () => string;

  private constructor(private readonly p: RemoteProcess, public pos: number) {
    this.stderr = collectText(p.stderr);
    p.stdout.resume();
    p.stdin.on('error', (e) => (this.failed ??= e));
  }

  /**
   * `append`: O_APPEND semantics (every write at the end). Offset 0 opens without truncating (`1<>`);
   * elsewhere dd seeks (GNU and busybox ≥ 1.33 have oflag=seek_bytes).
   */
  static async open(exec: ExecFn, path: string, offset: number, append: boolean): Promise<FileWriter> {
    const script = append ? 'exec cat >> "$1"'
      : offset === 0 ? 'exec cat 1<> "$1"'
      : 'exec dd of="$1" bs=65536 seek="$2" oflag=seek_bytes conv=notrunc';
    return new FileWriter(await exec(['sh', '-c', script, 'sh', path, String(offset)]), offset);
  }

  async write(data: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    this.pos += data.length;
    if (!this.p.stdin.write(data)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.p.stdin.off('drain', done);
          this.p.stdin.off('close', done);
          this.p.stdin.off('error', done);
          resolve();
        };
        this.p.stdin.on('drain', done);
        this.p.stdin.on('close', done);
        this.p.stdin.on('error', done);
        void this.p.done.then(done);
      });
      if (this.failed) throw this.failed;
    }
  }

  /** Ends stdin and waits for the process: an Error says why the file is not complete. */
  async finish(): Promise<void> {
    this.p.stdin.end();
    const res = await this.p.done;
    if (res.exitCode !== 0) throw new Error(lastWords(this.stderr(), res.error ?? `exit code ${res.exitCode}`));
    if (this.failed) throw new Error(lastWords(this.stderr(), this.failed.message));
  }

  close(): void {
    this.p.close();
  }
}
