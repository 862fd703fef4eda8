/**
 * FilesService: the FilesMethods of the contract. Listings and file operations on both sides, and
 * the transfer queue: what runs when (two at a time), cancel, and which copy each item takes. The
 * progress of a transfer is its Transfer object's (transfer.ts); the copies are download.ts,
 * upload.ts and copyLocal.ts. Every transfer and every delete/rename in a container is written to
 * the audit log.
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
import { type ExecFn, kubeExec } from '../kube/remoteProcess.ts';
import { copyLocal } from './copyLocal.ts';
import type { ItemHooks, ItemResult } from './copyStream.ts';
import { downloadItem } from './download.ts';
import { deleteLocal, homeLocal, listLocal, localPath, makeDirLocal, renameLocal } from './localFs.ts';
import { RemoteFs } from './remoteFs.ts';
import { type SettingsStore, symlinkMode } from '../settings/settings.ts';
import { StagedUploads } from './stagedUploads.ts';
import { TargetRoot } from './targetRoot.ts';
import { Transfer } from './transfer.ts';
import { uploadItem } from './upload.ts';

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

const KEEP_FINISHED = 200;

export class FilesService implements FilesMethods {
  private remotes = new Map<string, RemoteFs>();
  private transfers = new Map<string, Transfer>();
  private queue: Transfer[] = [];
  private active = 0;
  private readonly staged: StagedUploads;

  constructor(
    private readonly clusters: KubeConfigSource | undefined,
    private readonly audit: AuditSink | undefined,
    private readonly emit: FilesEmit,
    private readonly opts: FilesServiceOptions = {},
  ) {
    this.staged = new StagedUploads(opts.stagingDir ?? path.join(os.tmpdir(), `kubedeck-staging-${process.pid}`));
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
    const key = JSON.stringify([where.context, where.namespace, where.pod, where.container, where.through ?? '']);
    let r = this.remotes.get(key);
    if (!r) {
      // `through`: the container's files, reached through that debug container (targetRoot.ts).
      const ref: ContainerRef = { context: where.context, namespace: where.namespace, pod: where.pod, container: where.through || where.container };
      let exec: ExecFn;
      if (this.opts.execFor) exec = this.opts.execFor(ref);
      else {
        if (!this.clusters) throw new Error('No clusters are loaded');
        exec = kubeExec(this.clusters.kubeConfigFor(ref.context), ref);
      }
      r = new RemoteFs(where.through ? new TargetRoot(exec).exec() : exec);
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
    if (where.kind === 'container' && where.through) return '/'; // the debug container's working directory is not the target's
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
    return this.staged.append(name, data, offset, final);
  }

  async listTransfers(): Promise<TransferInfo[]> {
    return [...this.transfers.values()].map((t) => structuredClone(t.info));
  }

  async cancelTransfer(id: string): Promise<void> {
    const t = this.transfers.get(id);
    if (!t) throw new Error(`No transfer ${id}`);
    if (t.info.state === 'queued') {
      this.queue = this.queue.filter((q) => q !== t);
      t.cancelQueued();
    } else t.abort.abort();
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
    const t = new Transfer(info, (p) => this.emit('transfer.progress', p));
    this.transfers.set(id, t);
    this.trim();
    this.queue.push(t);
    t.push(true);
    this.pump();
    return structuredClone(info);
  }

  /** Cancels every running transfer (the client went away) and removes its staged drops. */
  async dispose(): Promise<void> {
    for (const t of this.transfers.values()) t.abort.abort();
    this.queue = [];
    while (this.active > 0) await new Promise((res) => setTimeout(res, 50));
    await this.staged.dispose();
  }

  /** Resolves when a transfer has finished (tests, the CLI). */
  async waitFor(id: string): Promise<TransferInfo> {
    const t = this.transfers.get(id);
    if (!t) throw new Error(`No transfer ${id}`);
    while (!t.settled) await new Promise((res) => setTimeout(res, 50));
    return structuredClone(t.info);
  }

  private trim(): void {
    const done = [...this.transfers.values()].filter((t) => t.settled);
    for (const t of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.transfers.delete(t.info.id);
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 2) && this.queue.length) {
      const t = this.queue.shift()!;
      this.active++;
      void this.run(t).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async run(t: Transfer): Promise<void> {
    const { info, abort } = t;
    if (abort.signal.aborted) return;
    const req = info.request;
    t.start();
    for (const item of info.items) {
      if (abort.signal.aborted) {
        item.state = 'cancelled';
        continue;
      }
      const hooks = t.startItem(item, { stallMs: this.opts.stallMs, retries: this.opts.retries, compress: this.opts.compress, symlinks: this.opts.symlinks?.() });
      try {
        t.itemDone(item, await this.copyItem(req, item.path, hooks));
      } catch (e) {
        t.itemFailed(item, e);
      }
    }
    t.finish();
    this.record('files.transfer', {
      direction: info.direction,
      from: describe(req.from),
      to: describe(req.to),
      toDir: req.toDir,
      state: info.state,
      bytes: info.bytes,
      items: info.items.map((i) => ({ path: i.path, state: i.state, finalPath: i.finalPath, verified: i.verified, error: i.error })),
    });
    if (req.from.kind === 'local') await this.staged.release(req.paths);
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

function describe(where: FileLocation): string {
  return where.kind === 'local' ? 'local' : `${where.context}/${where.namespace}/${where.pod}/${where.container}${where.through ? ` (through ${where.through})` : ''}`;
}

/** The per-client factory main/core/kubedeck.ts takes (`files` option): one FilesService per client. */
export function filesFactory(deps: { registry: KubeConfigSource; audit?: AuditSink; emit: FilesEmit; who: string; dataDir: string; settings?: Pick<SettingsStore, 'get'> }): FilesService {
  return new FilesService(deps.registry, deps.audit, deps.emit, {
    who: deps.who,
    symlinks: () => symlinkMode(deps.settings),
    stagingDir: path.join(deps.dataDir, 'staging', randomBytes(6).toString('hex')),
  });
}
