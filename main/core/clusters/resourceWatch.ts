/**
 * One live list (the namespaces of a cluster, the pods of a namespace) kept by an informer: list
 * events debounced into one full-list event, failures turned into a reason, and retries with backoff
 * so a watch survives a cluster restart. The informer and the callbacks are passed in, so the timing
 * can be tested with a fake informer.
 */
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';

/** Debounce of list events: a burst of watch events becomes one full-list event. */
export const EMIT_DELAY_MS = 50;
const MAX_BACKOFF_MS = 10_000;

export interface ResourceWatchDeps<T extends KubernetesObject> {
  informer: Informer<T> & ObjectCache<T>;
  /** The list changed (debounced). */
  onList(): void;
  /** The watch failed, or came back after failing: the cluster's status should be probed again. */
  recheck(): void;
  /** A sentence for an informer error. */
  describe(err: unknown): string;
  emitDelayMs?: number;
}

export class ResourceWatch<T extends KubernetesObject> {
  /** Resolves once the first list arrived or failed (then `lastError` says why). */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private lastErrorValue?: string;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private backoffMs = 0;
  private emitTimer?: NodeJS.Timeout;

  constructor(private readonly deps: ResourceWatchDeps<T>) {
    this.ready = new Promise<void>((r) => (this.resolveReady = r));
    const { informer } = deps;
    const scheduleEmit = (): void => this.scheduleEmit();
    informer.on('add', scheduleEmit);
    informer.on('update', scheduleEmit);
    informer.on('delete', scheduleEmit);
    informer.on('connect', () => {
      if (this.lastErrorValue) {
        this.lastErrorValue = undefined;
        deps.recheck();
      }
    });
    informer.on('error', (err: unknown) => this.failed(err));
    void informer.start().then(this.listed, (err: unknown) => {
      this.lastErrorValue = deps.describe(err);
      this.resolveReady();
    });
  }

  /** Why the watch last failed, until it reconnects. */
  get lastError(): string | undefined {
    return this.lastErrorValue;
  }

  list(): T[] {
    return [...this.deps.informer.list()];
  }

  /** Retries now instead of waiting out the backoff (the user asked to reconnect). */
  retryNow(): void {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.backoffMs = 0;
    void this.deps.informer.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.emitTimer);
    void this.deps.informer.stop();
  }

  private scheduleEmit(): void {
    if (this.emitTimer || this.stopped) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      if (!this.stopped) this.deps.onList();
    }, this.deps.emitDelayMs ?? EMIT_DELAY_MS);
  }

  private readonly listed = (): void => {
    if (!this.lastErrorValue) {
      this.backoffMs = 0;
      this.scheduleEmit();
    }
    this.resolveReady();
  };

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.lastErrorValue = this.deps.describe(err);
    this.resolveReady();
    // The server went away or refused us: say so on the cluster, keep retrying with backoff.
    this.deps.recheck();
    this.backoffMs = Math.min(this.backoffMs ? this.backoffMs * 2 : 500, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.deps.informer.start().then(this.listed);
    }, this.backoffMs);
    this.retryTimer.unref();
  }
}
