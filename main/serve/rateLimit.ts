/**
 * Per-address token buckets for the share-link exchange: an address that keeps sending wrong tokens is
 * answered 429 without any signature check, so a thousand bad tries from one place cost the others
 * nothing. Bounded: the oldest addresses are forgotten past `maxAddresses`.
 */
export interface RateLimitOptions {
  /** Tries allowed at once. */
  burst: number;
  /** Tries regained per second. */
  perSecond: number;
  maxAddresses?: number;
  now?: () => number;
}

export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes one try for this address; false when it has none left. */
  take(address: string): boolean {
    const now = this.now();
    let b = this.buckets.get(address);
    if (b) {
      b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond);
      b.at = now;
      // Refresh its place in the insertion order (the oldest are dropped first).
      this.buckets.delete(address);
    } else {
      b = { tokens: this.opts.burst, at: now };
    }
    this.buckets.set(address, b);
    if (this.buckets.size > (this.opts.maxAddresses ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value as string);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
