/**
 * The audit trail: an append-only JSON-lines file where every line carries the hash of the line before it.
 *
 * A line is `{"seq":N,"time":ISO,"kind":..,"who":..,"details":{..},"prev":P,"hash":H}` where
 *  - P is sha256 over the previous line's exact text (64 zeros on the first line), so removing or editing
 *    a line breaks the link to the line after it;
 *  - H is sha256 over this line's own text up to `,"hash"` plus `}`, so an edit of the last line is caught too.
 * A small `<file>.head` file remembers the last seq and hash, so cutting lines off the end is detected as well
 * (a chain alone cannot see a truncated tail).
 * Appends are serialized per file within the process (one promise chain per path), and each line is written
 * with one append(2) call, so concurrent callers never interleave half lines.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../../../common/contract/audit.ts';

export type { AuditEntry };

export const GENESIS = '0'.repeat(64);

export interface AuditVerification {
  intact: boolean;
  /** 1-based line number of the first line that fails the check (a missing tail: last line + 1). */
  brokenAt?: number;
  /** Why that line fails, in words. */
  reason?: string;
  lines: number;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Hash of a line's own content: its text with the trailing `,"hash":"…"}` replaced by `}`. */
function contentHash(line: string): string | undefined {
  const m = /,"hash":"([0-9a-f]{64})"\}$/.exec(line);
  if (!m) return undefined;
  return sha256(line.slice(0, m.index) + '}');
}

/** Per-path queues: two AuditLog objects on one file still append one at a time. */
const queues = new Map<string, Promise<unknown>>();

export class AuditLog {
  readonly file: string;
  /** The last line as this object wrote or read it, and the file size then (a changed size means re-read). */
  private tail: { seq: number; lineHash: string; size: number } | undefined;
  private readonly listeners = new Set<(e: AuditEntry) => void>();

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  /** Calls `listener` after each line this object appends; returns the unsubscribe function. */
  onDidAppend(listener: (e: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends one entry; resolves once the line is in the file. */
  append(kind: string, who: string, details: Record<string, unknown>): Promise<AuditEntry> {
    if (typeof kind !== 'string' || !kind) return Promise.reject(new Error('audit: kind must be a non-empty string'));
    const run = async (): Promise<AuditEntry> => {
      const tail = await this.readTail();
      const body = JSON.stringify({
        seq: tail.seq + 1,
        time: new Date().toISOString(),
        kind,
        who: String(who ?? ''),
        details: details ?? {},
        prev: tail.lineHash,
      });
      const hash = sha256(body);
      const line = body.slice(0, -1) + `,"hash":"${hash}"}`;
      await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const fh = await fsp.open(this.file, 'a', 0o600);
      try {
        await fh.write(line + '\n');
        await fh.chmod(0o600);
      } finally {
        await fh.close();
      }
      const size = (await fsp.stat(this.file)).size;
      this.tail = { seq: tail.seq + 1, lineHash: sha256(line), size };
      await writeHead(this.file, this.tail.seq, this.tail.lineHash);
      const entry = JSON.parse(line) as AuditEntry;
      for (const l of this.listeners) {
        try {
          l(entry);
        } catch {
          // A listener's failure must not fail the append that already happened.
        }
      }
      return entry;
    };
    const prev = queues.get(this.file) ?? Promise.resolve();
    const next = prev.then(run, run);
    const settled = next.catch(() => undefined);
    queues.set(this.file, settled);
    void settled.then(() => {
      if (queues.get(this.file) === settled) queues.delete(this.file);
    });
    return next;
  }

  /** Every entry that parses, in file order (lines that do not parse are skipped; verify() reports them). */
  async read(): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for (const line of await this.lines()) {
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (e && typeof e === 'object') out.push(e);
      } catch {
        // reported by verify()
      }
    }
    return out;
  }

  /** Checks the whole chain: intact, or the first line that was edited, removed or inserted. */
  async verify(): Promise<AuditVerification> {
    const lines = await this.lines();
    let prevHash = GENESIS;
    let prevSeq = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const n = i + 1;
      let e: Partial<AuditEntry>;
      try {
        e = JSON.parse(line) as Partial<AuditEntry>;
      } catch {
        return { intact: false, brokenAt: n, reason: 'not valid JSON', lines: lines.length };
      }
      if (e.prev !== prevHash) {
        return { intact: false, brokenAt: n, reason: 'does not follow the line before it (a line was changed, removed or inserted)', lines: lines.length };
      }
      if (contentHash(line) !== e.hash) return { intact: false, brokenAt: n, reason: 'its content was changed', lines: lines.length };
      if (e.seq !== prevSeq + 1) return { intact: false, brokenAt: n, reason: `sequence number ${String(e.seq)} after ${prevSeq}`, lines: lines.length };
      prevHash = sha256(line);
      prevSeq = e.seq;
    }
    const head = await readHead(this.file);
    if (head && head.seq > prevSeq) {
      return { intact: false, brokenAt: lines.length + 1, reason: `lines after ${prevSeq} were removed (the log had ${head.seq})`, lines: lines.length };
    }
    if (head && head.seq === prevSeq && prevSeq > 0 && head.hash !== prevHash) {
      return { intact: false, brokenAt: lines.length, reason: 'the last line was changed', lines: lines.length };
    }
    return { intact: true, lines: lines.length };
  }

  private async lines(): Promise<string[]> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  private async readTail(): Promise<{ seq: number; lineHash: string }> {
    const size = await fsp.stat(this.file).then((s) => s.size, () => 0);
    if (this.tail && this.tail.size === size) return this.tail;
    const lines = await this.lines();
    if (!lines.length) return { seq: 0, lineHash: GENESIS };
    const last = lines[lines.length - 1];
    let seq = lines.length;
    try {
      const e = JSON.parse(last) as Partial<AuditEntry>;
      if (typeof e.seq === 'number') seq = e.seq;
    } catch {
      // A damaged last line still gets chained to: verify() reports the damage, appending goes on.
    }
    return { seq, lineHash: sha256(last) };
  }
}

async function writeHead(file: string, seq: number, hash: string): Promise<void> {
  const head = file + '.head';
  const tmp = `${head}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify({ seq, hash }) + '\n', { mode: 0o600 });
  await fsp.rename(tmp, head);
}

async function readHead(file: string): Promise<{ seq: number; hash: string } | undefined> {
  try {
    const h = JSON.parse(await fsp.readFile(file + '.head', 'utf8')) as { seq?: unknown; hash?: unknown };
    if (typeof h.seq === 'number' && typeof h.hash === 'string') return { seq: h.seq, hash: h.hash };
  } catch {
    // no head yet (or unreadable): the chain alone is checked
  }
  return undefined;
}
