// A token bucket per key: over the limit, 429 with Retry-After, so one runaway device cannot starve the others.
export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  perSecond: number;
  /** Requests allowed in a burst. */
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly opts: RateLimitOptions) {}

  /** 0 when allowed, else the whole seconds to wait. `nowMs` is the caller's clock. */
  take(key: string, nowMs: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: nowMs };
    // A clock that steps back refills nothing rather than draining the bucket.
    b.tokens = Math.min(this.opts.burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * this.opts.perSecond);
    b.at = nowMs;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    if (this.buckets.size > 100_000) this.buckets.clear();
    return Math.max(1, Math.ceil((1 - b.tokens) / this.opts.perSecond));
  }
}
