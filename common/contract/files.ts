/** The dual-pane file browser and the transfer queue (tar over exec). */
import type { ContainerRef } from './containerRef.ts';

/**
 * A location: the local machine (of the main process) or a container. With `through`, the container's own
 * files (paths as it sees them: /app/config.yaml) reached through that ephemeral debug container of the
 * same pod, which shares its process namespace (for images without a shell or tar; see DebugMethods).
 */
export type FileLocation = { kind: 'local' } | ({ kind: 'container'; through?: string } & ContainerRef);

export interface FileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. 0o644, and the `ls -l` style string. */
  mode: number;
  modeString: string;
  owner: string;
  group: string;
  /** ISO 8601. */
  modified: string;
  /** Target of a symlink. */
  target?: string;
}

export interface DirListing {
  path: string;
  entries: FileEntry[];
}

export type ConflictPolicy = 'overwrite' | 'skip' | 'keepBoth';

export interface TransferRequest {
  from: FileLocation;
  /** Absolute paths of files or folders at `from`. */
  paths: string[];
  to: FileLocation;
  /** Absolute path of the destination folder at `to`. */
  toDir: string;
  conflict: ConflictPolicy;
}

export interface TransferItemState {
  path: string;
  bytes: number;
  totalBytes: number;
  state: 'queued' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';
  /** How the result was checked: "blake2b ok (3 files)" (b2sum in the container), "sha256 ok (…)" (only sha256sum), "size ok (…)". */
  verified?: string;
  error?: string;
  /** Where the item landed (after a keep-both rename, the new name). */
  finalPath?: string;
  /** Entries left out on purpose and why (a symlink leaving the folder, a device file), and resumes. */
  notes?: string[];
}

export interface TransferInfo {
  id: string;
  direction: 'upload' | 'download' | 'local' | 'container';
  request: TransferRequest;
  items: TransferItemState[];
  bytes: number;
  totalBytes: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; absent while unknown. */
  etaSeconds?: number;
  /** ISO 8601 start and end times. */
  started?: string;
  finished?: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  error?: string;
}

export interface FilesMethods {
  listDir(where: FileLocation, path: string): Promise<DirListing>;
  /** The home folder (local) or the working directory of the container's default shell. */
  homeDir(where: FileLocation): Promise<string>;
  makeDir(where: FileLocation, path: string): Promise<void>;
  renamePath(where: FileLocation, from: string, to: string): Promise<void>;
  deletePaths(where: FileLocation, paths: string[]): Promise<void>;
  startTransfer(req: TransferRequest): Promise<TransferInfo>;
  cancelTransfer(id: string): Promise<void>;
  listTransfers(): Promise<TransferInfo[]>;
  /** Serve mode: the browser uploads a file dropped from the OS; the main side stores it in a staging folder and returns its local path. */
  stageUpload(name: string, data: Uint8Array, offset: number, final: boolean): Promise<{ path: string }>;
}

export interface FilesEvents {
  'transfer.progress': TransferInfo;
}

export const FILES_METHODS: Record<keyof FilesMethods, true> = {
  listDir: true,
  homeDir: true,
  makeDir: true,
  renamePath: true,
  deletePaths: true,
  startTransfer: true,
  cancelTransfer: true,
  listTransfers: true,
  stageUpload: true,
};
