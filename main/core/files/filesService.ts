/**
 * FilesService: the FilesMethods of the contract. Listings and file operations on both sides, and
 * the transfer queue (progress per item and in total with a smoothed rate and time left, cancel,
 * conflict policy, a result line per item). Every transfer and every delete/rename in a container is
 * written to the audit log.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  DirListing,
  FileLocation,
  FilesEvents,
  FilesMethods,
  TransferInfo,
  TransferRequest,
} from '../../../common/contract/files.ts';
import type { ContainerRef } from '../../../common/contract/terminals.ts';
import type { ExecFn } from './exec.ts';
import { kubeExec } from './kubeExec.ts';
import { deleteLocal, freeLocalName, homeLocal, listLocal, localError, localPath, makeDirLocal, renameLocal } from './localFs.ts';
import { RemoteFs } from './remoteFs.ts';
import { type SettingsStore, symlinkMode } from '../settings/settings.ts';
import { Cancelled, downloadItem, type ItemHooks, type ItemResult, uploadItem } from './transfer.ts';

export interface KubeConfigSource {
  kubeConfigFor(context: string): KubeConfig;
}

export interface AuditSink {
  append(kind: string, who: string, details: Record<string, unknown>): Promise<unknown>;
}

export type FilesEmit = <E extends keyof FilesEvents>(name: E, payload: FilesEvents[E]) => void;

export interface FilesServiceOptions {
  /** Where serve-mode drops are staged (default: the OS temp folder). */
  stagingDir?: string;
  /** Who the audit log names (default: the OS user). */
  who?: string;
  /** Seconds of silence that count as a dropped stream (default 30 s). */
  stallMs?: number;
  retries?: number;
  compress?: 'auto' | 'always' | 'never';
  /** How many transfers run at once (default 2). */
  concurrency?: number;
  /** Symlinks in downloads, read at each transfer (a setting, see symlinkMode): default skipped and reported. */
  symlinks?: () => 'skip' | 'create';
  /** Tests: run container commands some other way. */
  execFor?: (ref: ContainerRef) => ExecFn;
}

interface Running {
  info: TransferInfo;
  abort: AbortController;
  lastEmit: number;
  emitTimer?: NodeJS.Timeout;
  samples: { t: number; bytes: number }[];
}

const EMIT_EVERY_MS = 200;
/** Rate window: the last few seconds, so the figure follows a change of speed quickly but doesn't jitter. */
const RATE_WINDOW_MS = 3000;
const KEEP_FINISHED = 200;

export class FilesService implements FilesMethods {
  private remotes = new Map<string, RemoteFs>();
  private transfers = new Map<string, Running>();
  private queue: Running[] = [];
  private active = 0;
  private staged = new Map<string, { path: string; size: number }>();
  private readonly stagingRoot: string;

  constructor(
    private readonly clusters: KubeConfigSource | undefined,
    private readonly audit: AuditSink | undefined,
    private readonly emit: FilesEmit,
    private readonly opts: FilesServiceOptions = {},
  ) {
    this.stagingRoot = opts.stagingDir ?? path.join(os.tmpdir(), `kubedeck-staging-${process.pid}`);
  }

  private who(): string {
    if (this.opts.who) return this.opts.who;
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  }

  private record(kind: string, details: Record<string, unknown>): void {
    void this.audit?.append(kind, this.who(), details).catch(() => {});
  }

  /** The RemoteFs of a container (cached: capabilities are probed once). */
  remote(where: FileLocation): RemoteFs {
    if (where.kind !== 'container') throw new Error('not a container location');
    const key = JSON.stringify([where.context, where.namespace, where.pod, where.container]);
    let r = this.remotes.get(key);
    if (!r) {
      const ref: ContainerRef = { context: where.context, namespace: where.namespace, pod: where.pod, container: where.container };
      let exec: ExecFn;
      if (this.opts.execFor) exec = this.opts.execFor(ref);
      else {
        if (!this.clusters) throw new Error('No clusters are loaded');
        exec = kubeExec(this.clusters.kubeConfigFor(ref.context), ref);
      }
      r = new RemoteFs(exec);
      this.remotes.set(key, r);
    }
    return r;
  }

  async listDir(where: FileLocation, p: string): Promise<DirListing> {
    if (where.kind === 'local') return { path: localPath(p), entries: await listLocal(p) };
    const entries = await this.remote(where).list(p);
    return { path: path.posix.normalize(p), entries: entries.map(({ rel: _rel, mtimeSec: _m, ...e }) => e) };
  }

  async homeDir(where: FileLocation): Promise<string> {
    return where.kind === 'local' ? homeLocal() : this.remote(where).homeDir();
  }

  async makeDir(where: FileLocation, p: string): Promise<void> {
    if (where.kind === 'local') return makeDirLocal(p);
    await this.remote(where).makeDir(p);
    this.record('files.mkdir', { where: describe(where), path: p });
  }

  async renamePath(where: FileLocation, from: string, to: string): Promise<void> {
    if (where.kind === 'local') return renameLocal(from, to);
    await this.remote(where).rename(from, to);
    this.record('files.rename', { where: describe(where), from, to });
  }

  async deletePaths(where: FileLocation, paths: string[]): Promise<void> {
    if (where.kind === 'local') return deleteLocal(paths);
    await this.remote(where).remove(paths);
    this.record('files.delete', { where: describe(where), paths });
  }

  async stageUpload(name: string, data: Uint8Array, offset: number, final: boolean): Promise<{ path: string }> {
    const base = path.basename(name);
    if (!base || base === '.' || base === '..' || base !== name.replace(/^.*[\\/]/, '')) throw new Error(`Bad file name: ${name}`);
    let s = this.staged.get(name);
    if (offset === 0) {
      const dir = path.join(this.stagingRoot, randomBytes(8).toString('hex'));
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      s = { path: path.join(dir, base), size: 0 };
      this.staged.set(name, s);
      await fsp.writeFile(s.path, new Uint8Array(0), { mode: 0o644 }).catch((e) => {
        throw localError(e, s!.path);
      });
    }
    if (!s) throw new Error(`Upload of ${name} was not started (first chunk must have offset 0)`);
    if (offset !== s.size) throw new Error(`Upload of ${name}: expected offset ${s.size}, got ${offset}`);
    await fsp.appendFile(s.path, data).catch((e) => {
      throw localError(e, s!.path);
    });
    s.size += data.length;
    if (final) this.staged.delete(name);
    return { path: s.path };
  }

  async listTransfers(): Promise<TransferInfo[]> {
    return [...this.transfers.values()].map((r) => structuredClone(r.info));
  }

  async cancelTransfer(id: string): Promise<void> {
    const r = this.transfers.get(id);
    if (!r) throw new Error(`No transfer ${id}`);
    r.abort.abort();
    if (r.info.state === 'queued') {
      this.queue = this.queue.filter((q) => q !== r);
      r.info.state = 'cancelled';
      for (const it of r.info.items) if (it.state === 'queued') it.state = 'cancelled';
      this.push(r, true);
    }
  }

  async startTransfer(req: TransferRequest): Promise<TransferInfo> {
    if (!req || !Array.isArray(req.paths) || req.paths.length === 0) throw new Error('Nothing to copy');
    if (!['overwrite', 'skip', 'keepBoth'].includes(req.conflict)) throw new Error(`Unknown conflict policy ${req.conflict}`);
    const direction: TransferInfo['direction'] =
      req.from.kind === 'local' ? (req.to.kind === 'local' ? 'local' : 'upload') : req.to.kind === 'local' ? 'download' : 'container';
    // Fail fast on locations that can't work (unknown context...), before anything is queued.
    if (req.from.kind === 'container') this.remote(req.from);
    if (req.to.kind === 'container') this.remote(req.to);
    const id = randomBytes(6).toString('hex');
    const info: TransferInfo = {
      id,
      direction,
      request: structuredClone(req),
      items: req.paths.map((p) => ({ path: p, bytes: 0, totalBytes: 0, state: 'queued' })),
      bytes: 0,
      totalBytes: 0,
      rate: 0,
      state: 'queued',
    };
    const r: Running = { info, abort: new AbortController(), lastEmit: 0, samples: [] };
    this.transfers.set(id, r);
    this.trim();
    this.queue.push(r);
    this.push(r, true);
    this.pump();
    return structuredClone(info);
  }

  /** Cancels every running transfer (the client went away) and removes its staged drops. */
  async dispose(): Promise<void> {
    for (const r of this.transfers.values()) r.abort.abort();
    this.queue = [];
    while (this.active > 0) await new Promise((res) => setTimeout(res, 50));
    await fsp.rm(this.stagingRoot, { recursive: true, force: true }).catch(() => {});
  }

  /** Resolves when a transfer has finished (tests, the CLI). */
  async waitFor(id: string): Promise<TransferInfo> {
    const r = this.transfers.get(id);
    if (!r) throw new Error(`No transfer ${id}`);
    while (r.info.state === 'queued' || r.info.state === 'running') await new Promise((res) => setTimeout(res, 50));
    return structuredClone(r.info);
  }

  private trim(): void {
    const done = [...this.transfers.values()].filter((t) => t.info.state !== 'queued' && t.info.state !== 'running');
    for (const t of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.transfers.delete(t.info.id);
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 2) && this.queue.length) {
      const r = this.queue.shift()!;
      this.active++;
      void this.run(r).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private push(r: Running, force = false): void {
    const now = Date.now();
    const info = r.info;
    info.bytes = info.items.reduce((s, i) => s + i.bytes, 0);
    info.totalBytes = info.items.reduce((s, i) => s + i.totalBytes, 0);
    r.samples.push({ t: now, bytes: info.bytes });
    while (r.samples.length > 2 && now - r.samples[0].t > RATE_WINDOW_MS) r.samples.shift();
    const first = r.samples[0];
    const dt = (now - first.t) / 1000;
    if (info.state === 'running' && dt > 0.25) info.rate = Math.max(0, (info.bytes - first.bytes) / dt);
    if (info.state === 'running' && info.rate > 0 && info.totalBytes >= info.bytes) info.etaSeconds = Math.round((info.totalBytes - info.bytes) / info.rate);
    else delete info.etaSeconds;
    if (!force && now - r.lastEmit < EMIT_EVERY_MS) {
      r.emitTimer ??= setTimeout(() => {
        r.emitTimer = undefined;
        this.push(r, true);
      }, EMIT_EVERY_MS);
      return;
    }
    clearTimeout(r.emitTimer);
    r.emitTimer = undefined;
    r.lastEmit = now;
    this.emit('transfer.progress', structuredClone(info));
  }

  private async run(r: Running): Promise<void> {
    const { info, abort } = r;
    if (abort.signal.aborted) return;
    const req = info.request;
    info.state = 'running';
    info.started = new Date().toISOString();
    this.push(r, true);
    for (const item of info.items) {
      if (abort.signal.aborted) {
        item.state = 'cancelled';
        continue;
      }
      item.state = 'running';
      this.push(r, true);
      const hooks: ItemHooks = {
        signal: abort.signal,
        stallMs: this.opts.stallMs,
        retries: this.opts.retries,
        compress: this.opts.compress,
        symlinks: this.opts.symlinks?.(),
        onTotal: (n) => {
          item.totalBytes = n;
          this.push(r);
        },
        onBytes: (n) => {
          item.bytes += n;
          this.push(r);
        },
        onNote: (m) => {
          (item.notes ??= []).push(m);
        },
      };
      try {
        const res = await this.copyItem(req, item.path, hooks);
        item.state = res.state;
        item.verified = res.verified;
        item.finalPath = res.finalPath;
        if (res.warnings.length) (item.notes ??= []).push(...res.warnings);
        if (res.state === 'done') item.bytes = item.totalBytes;
      } catch (e) {
        if (abort.signal.aborted || e instanceof Cancelled) {
          item.state = 'cancelled';
          item.error = 'Cancelled; partial files were removed';
        } else {
          item.state = 'failed';
          item.error = e instanceof Error ? e.message : String(e);
        }
      }
      this.push(r, true);
    }
    const states = info.items.map((i) => i.state);
    info.state = abort.signal.aborted ? 'cancelled' : states.includes('failed') ? 'failed' : 'done';
    if (info.state === 'failed') {
      const n = states.filter((s) => s === 'failed').length;
      info.error = `${n} of ${states.length} item${states.length === 1 ? '' : 's'} failed`;
    }
    info.finished = new Date().toISOString();
    info.rate = 0;
    this.push(r, true);
    this.record('files.transfer', {
      direction: info.direction,
      from: describe(req.from),
      to: describe(req.to),
      toDir: req.toDir,
      state: info.state,
      bytes: info.bytes,
      items: info.items.map((i) => ({ path: i.path, state: i.state, finalPath: i.finalPath, verified: i.verified, error: i.error })),
    });
    // Staged drops (serve mode) have done their job.
    if (req.from.kind === 'local') {
      for (const p of req.paths) {
        if (p.startsWith(this.stagingRoot + path.sep)) await fsp.rm(path.dirname(p), { recursive: true, force: true }).catch(() => {});
      }
    }
  }

  private async copyItem(req: TransferRequest, p: string, hooks: ItemHooks): Promise<ItemResult> {
    if (req.from.kind === 'container' && req.to.kind === 'local') return downloadItem(this.remote(req.from), p, req.toDir, req.conflict, hooks);
    if (req.from.kind === 'local' && req.to.kind === 'container') return uploadItem(this.remote(req.to), p, req.toDir, req.conflict, hooks);
    if (req.from.kind === 'local' && req.to.kind === 'local') return copyLocal(p, req.toDir, req.conflict, hooks);
    // Container to container: through a private local folder (the same checks both ways).
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kubedeck-c2c-'));
    try {
      const down = await downloadItem(this.remote(req.from), p, tmp, 'overwrite', { ...hooks, onBytes: () => {} });
      const up = await uploadItem(this.remote(req.to), down.finalPath!, req.toDir, req.conflict, hooks);
      return { ...up, warnings: [...down.warnings, ...up.warnings] };
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }
}

async function copyLocal(src: string, toDir: string, conflict: TransferRequest['conflict'], hooks: ItemHooks): Promise<ItemResult> {
  const a = localPath(src);
  const dir = localPath(toDir);
  const name = path.basename(a);
  const st = await fsp.lstat(a).catch((e) => {
    throw localError(e, a);
  });
  hooks.onTotal?.(st.isFile() ? st.size : 0);
  let finalName = name;
  const exists = await fsp.lstat(path.join(dir, name)).then(() => true, () => false);
  if (exists && conflict === 'skip') return { state: 'skipped', warnings: [], finalPath: path.join(dir, name) };
  if (exists && conflict === 'keepBoth') finalName = await freeLocalName(dir, name);
  const staging = path.join(dir, `.kubedeck-${randomBytes(6).toString('hex')}.part`);
  try {
    await fsp.cp(a, path.join(staging, name), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });
    hooks.signal.throwIfAborted();
    const target = path.join(dir, finalName);
    if (exists && conflict === 'overwrite' && finalName === name) await fsp.rename(target, path.join(staging, '.old'));
    await fsp.rename(path.join(staging, name), target);
    await fsp.rm(staging, { recursive: true, force: true });
    return { state: 'done', verified: st.isFile() ? 'size ok' : undefined, finalPath: target, warnings: [] };
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    if (hooks.signal.aborted) throw new Cancelled();
    throw localError(e);
  }
}

function describe(where: FileLocation): string {
  return where.kind === 'local' ? 'local' : `${where.context}/${where.namespace}/${where.pod}/${where.container}`;
}

/** The per-client factory main/core/kubedeck.ts takes (`files` option): one FilesService per client. */
export function filesFactory(deps: { registry: KubeConfigSource; audit?: AuditSink; emit: FilesEmit; who: string; dataDir: string; settings?: Pick<SettingsStore, 'get'> }): FilesService {
  return new FilesService(deps.registry, deps.audit, deps.emit, {
    who: deps.who,
    symlinks: () => symlinkMode(deps.settings),
    stagingDir: path.join(deps.dataDir, 'staging', randomBytes(6).toString('hex')),
  });
}
