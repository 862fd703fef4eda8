/**
 * Follows edits of the kubeconfig files (kubectl config set-context, a cloud CLI refreshing a token…)
 * and calls `onChange` once the writing has settled. Polling (fs.watchFile) rather than fs.watch:
 * editors and CLIs replace the file by renaming over it, which an inode watch loses.
 * The fs functions are passed in so the timing can be tested without touching the disk.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';

type Listener = (cur: Stats, prev: Stats) => void;

export interface FilePoller {
  watchFile(file: string, opts: { interval: number; persistent: boolean }, listener: Listener): void;
  unwatchFile(file: string, listener: Listener): void;
}

export interface KubeconfigWatcherOptions {
  /** Poll interval (ms); 0 turns watching off. */
  intervalMs: number;
  onChange(): void;
  /** Editors write in several steps: wait this long after the last change. Default 200 ms. */
  settleMs?: number;
  poller?: FilePoller;
}

const nodePoller: FilePoller = { watchFile, unwatchFile };

export class KubeconfigWatcher {
  private readonly watched = new Map<string, Listener>();
  private settleTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly poller: FilePoller;

  constructor(private readonly opts: KubeconfigWatcherOptions) {
    this.poller = opts.poller ?? nodePoller;
  }

  /** Watches exactly these files from now on (new ones added, dropped ones released). */
  follow(files: string[]): void {
    if (this.closed || this.opts.intervalMs <= 0) return;
    const wanted = new Set(files);
    for (const [file, listener] of this.watched) {
      if (!wanted.has(file)) {
        this.poller.unwatchFile(file, listener);
        this.watched.delete(file);
      }
    }
    for (const file of wanted) {
      if (this.watched.has(file)) continue;
      const listener: Listener = (cur, prev) => {
        if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
        clearTimeout(this.settleTimer);
        this.settleTimer = setTimeout(() => {
          if (!this.closed) this.opts.onChange();
        }, this.opts.settleMs ?? 200);
      };
      this.poller.watchFile(file, { interval: this.opts.intervalMs, persistent: false }, listener);
      this.watched.set(file, listener);
    }
  }

  /** The files being polled (tests). */
  files(): string[] {
    return [...this.watched.keys()];
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.settleTimer);
    for (const [file, listener] of this.watched) this.poller.unwatchFile(file, listener);
    this.watched.clear();
  }
}
