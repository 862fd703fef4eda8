/**
 * The transfer queue of the files view, as a store like terminals and clusters: the transfers (listed
 * once, then kept current by transfer.progress), the conflict policy of new copies, and the actions:
 * start a copy, upload files dropped from the OS, cancel, copy an item again with another policy, clear.
 * The panes learn of a finished copy through onFinished, so the folder it landed in is listed again.
 * What can be checked without Svelte is in transferModel.ts.
 */
import type { ConflictPolicy, FileLocation, KubedeckApi, TransferInfo, TransferRequest } from '../../../common/contract/index.ts';
import { api, localPathOf } from './api.ts';
import { applyProgress, stageFile, withoutFinished } from './transferModel.ts';

export type CopyRequest = Omit<TransferRequest, 'conflict'>;

class Transfers {
  /** Newest first. */
  list = $state<TransferInfo[]>([]);
  /** What the next copy does when its target exists. */
  conflict = $state<ConflictPolicy>('keepBoth');
  /** Why the last copy could not start, for the bar above the panes; cleared when another starts. */
  message = $state<string | undefined>();
  /** Why a cancel or a copy-again from the queue failed. */
  queueError = $state<string | undefined>();
  /** A dropped file on its way to the main side (serve mode): what the staging line shows. */
  staging = $state<{ name: string; sent: number; total: number } | undefined>();

  private started = false;
  private finished = new Set<(t: TransferInfo) => void>();

  constructor(
    private readonly api: KubedeckApi,
    /** The local path of a dropped file in Electron, undefined in a browser (api.ts localPathOf). */
    private readonly pathOf: (file: File) => string | undefined,
  ) {}

  /** Lists the transfers and follows their progress; called by the files view, once for the app's life. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.api.listTransfers().then((list) => (this.list = list.reverse()), () => {});
    this.api.on('transfer.progress', (t) => {
      const r = applyProgress(this.list, t);
      this.list = r.list;
      if (r.finished) for (const f of this.finished) f(t);
    });
  }

  /** Called once each time a transfer ends (done, failed or cancelled). */
  onFinished(listener: (t: TransferInfo) => void): () => void {
    this.finished.add(listener);
    return () => this.finished.delete(listener);
  }

  async copy(req: CopyRequest): Promise<void> {
    this.message = undefined;
    if (req.paths.length === 0) return;
    try {
      await this.api.startTransfer({ ...req, conflict: this.conflict });
    } catch (e) {
      this.message = (e as Error).message;
    }
  }

  /**
   * Files from the OS: in Electron copied from their own path; in a browser sent to the main side in
   * chunks first (stageUpload), then copied from there like any local file.
   */
  async dropFiles(files: File[], to: FileLocation, toDir: string): Promise<void> {
    this.message = undefined;
    const paths: string[] = [];
    try {
      for (const file of files) {
        const localPath = this.pathOf(file);
        if (localPath) {
          paths.push(localPath);
          continue;
        }
        const source = { name: file.name, size: file.size, read: async (a: number, b: number) => new Uint8Array(await file.slice(a, b).arrayBuffer()) };
        const stage = (name: string, bytes: Uint8Array, offset: number, final: boolean) => this.api.stageUpload(name, bytes, offset, final);
        paths.push(await stageFile(source, stage, (sent) => (this.staging = { name: file.name, sent, total: file.size })));
      }
      this.staging = undefined;
      await this.api.startTransfer({ from: { kind: 'local' }, paths, to, toDir, conflict: this.conflict });
    } catch (e) {
      this.staging = undefined;
      this.message = `Upload of dropped files failed: ${(e as Error).message}`;
    }
  }

  cancel(id: string): void {
    this.api.cancelTransfer(id).catch((e: unknown) => (this.queueError = (e as Error).message));
  }

  /** The conflict decided after the fact: one item of a transfer copied again with another policy. */
  again(t: TransferInfo, path: string, conflict: ConflictPolicy): void {
    this.api.startTransfer({ ...t.request, paths: [path], conflict }).catch((e: unknown) => (this.queueError = (e as Error).message));
  }

  clearFinished(): void {
    this.list = withoutFinished(this.list);
  }
}

export const transfers = new Transfers(api, localPathOf);
