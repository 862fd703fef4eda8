/**
 * The recordings folder ($KUBEDECK_DATA_DIR/recordings): starts recorders by policy, lists, reads, deletes,
 * searches, and applies retention (size and age limits, oldest first). Settings live in
 * $KUBEDECK_DATA_DIR/recording-settings.json.
 */
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { RecordingInfo, RecordingSearchHit, RecordingSettings } from '../../../common/contract/recordings.ts';
import { EXIT_MARKER, parseEvent, parseHeader } from '../../../common/asciicast/asciicast.ts';
import { EscapeStripper, StreamSearcher } from './castSearch.ts';
import { Recorder, sidecarPath, type RecordingMeta, type RecordingSidecar } from './recorder.ts';

export const DEFAULT_SETTINGS: RecordingSettings = {
  policy: { mode: 'all' },
  recordInput: false,
  maxTotalBytes: 2 * 1024 ** 3,
  maxAgeDays: 90,
};

export interface RecordingStoreOptions {
  /** The recordings folder. */
  dir: string;
  /** Where settings persist; default: recording-settings.json beside the folder. */
  settingsFile?: string;
  /** Wall clock in ms (tests move time). */
  clock?: () => number;
  /** Monotonic clock in ms for event times. */
  monotonic?: () => number;
  /** Flush interval of recorders (default 1000 ms). */
  flushMs?: number;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,250}$/;
const MAX_HITS = 200;
/** The player gets the whole file in one message; past this it would stall the UI, so it is refused. */
const MAX_READ_BYTES = 64 * 1024 ** 2;

/** Checks settings from the outside world; throws a clear error for anything malformed. */
export function validateSettings(s: unknown): RecordingSettings {
  const bad = (why: string): never => {
    throw new Error(`invalid recording settings: ${why}`);
  };
  if (!s || typeof s !== 'object') bad('expected an object');
  const v = s as Partial<RecordingSettings>;
  const p = v.policy as { mode?: unknown; contexts?: unknown } | undefined;
  if (!p || typeof p !== 'object') return bad('policy is missing');
  let policy: RecordingSettings['policy'];
  if (p.mode === 'all' || p.mode === 'none') policy = { mode: p.mode };
  else if (p.mode === 'perCluster') {
    if (!Array.isArray(p.contexts) || p.contexts.some((c) => typeof c !== 'string')) return bad('policy.contexts must be a list of context names');
    policy = { mode: 'perCluster', contexts: [...new Set(p.contexts as string[])] };
  } else return bad(`policy.mode must be "all", "none" or "perCluster", not ${JSON.stringify(p.mode)}`);
  if (typeof v.recordInput !== 'boolean') bad('recordInput must be true or false');
  if (typeof v.maxTotalBytes !== 'number' || !Number.isFinite(v.maxTotalBytes) || v.maxTotalBytes < 1024 * 1024) {
    bad('maxTotalBytes must be a number of at least 1 MiB');
  }
  if (typeof v.maxAgeDays !== 'number' || !Number.isFinite(v.maxAgeDays) || v.maxAgeDays <= 0) bad('maxAgeDays must be a positive number');
  return { policy, recordInput: v.recordInput as boolean, maxTotalBytes: v.maxTotalBytes as number, maxAgeDays: v.maxAgeDays as number };
}

function safePart(s: string): string {
  return (s || '_').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 40);
}

export class RecordingStore {
  readonly dir: string;
  readonly settingsFile: string;
  private settingsValue: RecordingSettings;
  private readonly active = new Map<string, Recorder>();
  private readonly listeners = new Set<() => void>();
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  private readonly flushMs: number | undefined;
  private retention: Promise<string[]> | undefined;
  private readonly retentionTimer: NodeJS.Timeout;

  constructor(opts: RecordingStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.settingsFile = opts.settingsFile ?? path.join(path.dirname(this.dir), 'recording-settings.json');
    this.clock = opts.clock ?? Date.now;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.flushMs = opts.flushMs;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.settingsValue = this.loadSettings();
    // Age limits apply while the app sits idle too: check at start and every few hours.
    void this.enforceRetention().catch(() => undefined);
    this.retentionTimer = setInterval(() => void this.enforceRetention().catch(() => undefined), 6 * 3600_000);
    this.retentionTimer.unref();
  }

  /** The store of a data folder: recordings in <dataDir>/recordings. */
  static inDataDir(dataDir: string, opts: Omit<RecordingStoreOptions, 'dir'> = {}): RecordingStore {
    return new RecordingStore({ ...opts, dir: path.join(dataDir, 'recordings') });
  }

  get settings(): RecordingSettings {
    return structuredClone(this.settingsValue);
  }

  /** Calls `listener` when recordings appear, end or go; returns the unsubscribe function. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the policy records sessions on this context. */
  shouldRecord(context: string): boolean {
    const p = this.settingsValue.policy;
    return p.mode === 'all' || (p.mode === 'perCluster' && p.contexts.includes(context));
  }

  /**
   * Starts recording a session; undefined when the policy says not to record this cluster or the file
   * cannot be created (a session is never refused because of its recording).
   */
  start(meta: RecordingMeta): Recorder | undefined {
    if (!this.shouldRecord(meta.context)) return undefined;
    const started = this.clock();
    const stamp = new Date(started).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const rand = Math.random().toString(36).slice(2, 6);
    const id = [stamp, safePart(meta.context), safePart(meta.namespace), safePart(meta.pod), safePart(meta.container), rand].join('_');
    let rec: Recorder;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      rec = new Recorder({
        id,
        path: path.join(this.dir, id + '.cast'),
        meta,
        wallClock: this.clock,
        monotonic: this.monotonic,
        recordInput: () => this.settingsValue.recordInput,
        maxBytes: () => this.settingsValue.maxTotalBytes,
        flushMs: this.flushMs,
        onClose: (r) => {
          this.active.delete(r.id);
          this.changed();
          void this.enforceRetention();
        },
      });
    } catch (err) {
      console.error(`kubedeck: cannot record session: ${(err as Error).message}`);
      return undefined;
    }
    this.active.set(id, rec);
    this.changed();
    void this.enforceRetention();
    return rec;
  }

  /** Every recording, newest first. */
  async list(): Promise<RecordingInfo[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    const out: RecordingInfo[] = [];
    for (const name of names) {
      if (!name.endsWith('.cast')) continue;
      const info = await this.info(name.slice(0, -5)).catch(() => undefined);
      if (info) out.push(info);
    }
    return out.sort((a, b) => b.started.localeCompare(a.started) || b.id.localeCompare(a.id));
  }

  /** The asciicast text; a line torn by a killed app is left out so the text is a valid recording. */
  async read(id: string): Promise<string> {
    const file = this.fileOf(id);
    this.active.get(id)?.flush();
    let text: string;
    try {
      const { size } = await fsp.stat(file);
      if (size > MAX_READ_BYTES) {
        throw new Error(`this recording is ${Math.round(size / 1024 ** 2)} MB, too large to open in the app (64 MB at most); play ${file} with asciinema`);
      }
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no recording ${id}`, { cause: err });
      throw err;
    }
    if (!text.endsWith('\n')) text = text.slice(0, text.lastIndexOf('\n') + 1);
    return text;
  }

  async delete(id: string): Promise<void> {
    const file = this.fileOf(id);
    if (this.active.has(id)) throw new Error('this session is still being recorded: close its terminal first');
    try {
      await fsp.unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no recording ${id}`, { cause: err });
      throw err;
    }
    await fsp.rm(sidecarPath(file), { force: true });
    this.changed();
  }

  /** Finds `query` (case-insensitive) in every recording's output text, escape sequences stripped. */
  async search(query: string): Promise<RecordingSearchHit[]> {
    const q = String(query ?? '').trim();
    if (!q) return [];
    if (q.length > 200) throw new Error('search text is too long (200 characters at most)');
    for (const r of this.active.values()) r.flush();
    const hits: RecordingSearchHit[] = [];
    for (const rec of await this.list()) {
      const searcher = new StreamSearcher(q, Math.min(50, MAX_HITS - hits.length));
      const stripper = new EscapeStripper();
      const input = fs.createReadStream(this.fileOf(rec.id), { encoding: 'utf8' });
      const lines = readline.createInterface({ input, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          const e = parseEvent(line);
          if (!e || e[1] !== 'o') continue;
          searcher.push(stripper.push(e[2]), e[0]);
          if (searcher.full) break;
        }
      } catch {
        // unreadable (deleted meanwhile): no hits from it
      } finally {
        lines.close();
        input.destroy();
      }
      for (const m of searcher.matches) hits.push({ recordingId: rec.id, time: m.time, snippet: m.snippet });
      if (hits.length >= MAX_HITS) break;
    }
    return hits;
  }

  async setSettings(s: RecordingSettings): Promise<RecordingSettings> {
    const valid = validateSettings(s);
    await fsp.mkdir(path.dirname(this.settingsFile), { recursive: true, mode: 0o700 });
    const tmp = `${this.settingsFile}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
    await fsp.rename(tmp, this.settingsFile);
    this.settingsValue = valid;
    await this.enforceRetention();
    return this.settings;
  }

  /**
   * Deletes finished recordings older than maxAgeDays, then the oldest finished ones until the total size
   * is within maxTotalBytes. Live recordings are never deleted. Returns the deleted ids. One run at a time.
   */
  enforceRetention(): Promise<string[]> {
    if (this.retention) return this.retention.then(() => this.enforceRetention());
    const run = async (): Promise<string[]> => {
      const { maxAgeDays, maxTotalBytes } = this.settingsValue;
      const all = (await this.list()).reverse(); // oldest first
      const deleted: string[] = [];
      const cutoff = this.clock() - maxAgeDays * 86400_000;
      let total = all.reduce((n, r) => n + r.size, 0);
      for (const r of all) {
        if (r.live) continue;
        const old = Date.parse(r.started) < cutoff;
        if (!old && total <= maxTotalBytes) continue;
        try {
          await fsp.unlink(this.fileOf(r.id));
          await fsp.rm(sidecarPath(this.fileOf(r.id)), { force: true });
          deleted.push(r.id);
          total -= r.size;
        } catch {
          // gone already
        }
      }
      if (deleted.length) this.changed();
      return deleted;
    };
    this.retention = run().finally(() => {
      this.retention = undefined;
    });
    return this.retention;
  }

  /** Flushes and closes every live recording (app quit). */
  closeAll(): void {
    clearInterval(this.retentionTimer);
    for (const r of [...this.active.values()]) r.close();
  }

  private fileOf(id: string): string {
    if (typeof id !== 'string' || !ID_RE.test(id) || id.includes('..')) throw new Error(`not a recording id: ${JSON.stringify(id)}`);
    return path.join(this.dir, id + '.cast');
  }

  private async info(id: string): Promise<RecordingInfo | undefined> {
    const file = this.fileOf(id);
    const live = this.active.get(id);
    live?.flush();
    const st = await fsp.stat(file);
    const fh = await fsp.open(file, 'r');
    try {
      const headBuf = Buffer.alloc(Math.min(st.size, 16384));
      await fh.read(headBuf, 0, headBuf.length, 0);
      const nl = headBuf.indexOf(10);
      const header = parseHeader(headBuf.toString('utf8', 0, nl < 0 ? headBuf.length : nl));
      if (!header) return undefined;
      const k = header.kubedeck;
      let duration = 0;
      let exitCode: number | undefined;
      let sidecar: RecordingSidecar | undefined;
      if (live) {
        duration = live.running;
      } else {
        try {
          sidecar = JSON.parse(await fsp.readFile(sidecarPath(file), 'utf8')) as RecordingSidecar;
        } catch {
          sidecar = undefined;
        }
        if (sidecar && typeof sidecar.duration === 'number') {
          duration = sidecar.duration;
          exitCode = sidecar.exitCode;
        } else {
          // No sidecar: the app was killed while recording. The last whole event line tells the length.
          const len = Math.min(st.size, 65536);
          const tailBuf = Buffer.alloc(len);
          await fh.read(tailBuf, 0, len, st.size - len);
          const lines = tailBuf.toString('utf8').split('\n');
          for (let i = lines.length - 1; i >= 0; i--) {
            const e = parseEvent(lines[i]);
            if (!e) continue;
            duration = e[0];
            const m = e[1] === 'm' ? EXIT_MARKER.exec(e[2]) : null;
            if (m) exitCode = Number(m[1]);
            break;
          }
        }
      }
      return {
        id,
        context: k?.context ?? '',
        namespace: k?.namespace ?? '',
        pod: k?.pod ?? '',
        container: k?.container ?? '',
        command: k?.command ?? [],
        started: new Date(header.timestamp * 1000).toISOString(),
        duration,
        size: st.size,
        ...(exitCode !== undefined ? { exitCode } : {}),
        live: !!live,
      };
    } finally {
      await fh.close();
    }
  }

  private loadSettings(): RecordingSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.settingsFile, 'utf8');
    } catch {
      return structuredClone(DEFAULT_SETTINGS);
    }
    try {
      return validateSettings({ ...DEFAULT_SETTINGS, ...(JSON.parse(text) as object) });
    } catch (err) {
      // A damaged settings file must not stop recording (the safe default records); it is kept for the user.
      console.error(`kubedeck: ${this.settingsFile}: ${(err as Error).message}; using defaults`);
      return structuredClone(DEFAULT_SETTINGS);
    }
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
