// A token bucket per key: over the limit, 429 with Retry-After, so one runaway device cannot starve the others.
export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  perSecond: number;
  /** Requests allowed in a burst. */
  burst: number;
  /** Most buckets kept (default 100,000); beyond it the least recently used go first. */
  maxKeys?: number;
}

export const DEFAULT_MAX_RATE_LIMIT_KEYS = 100_000;

export class RateLimiter {
  /** In least-recently-used order (a Map iterates in insertion order; every take re-inserts its key). */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;
  constructor(private readonly opts: RateLimitOptions) {
    this.maxKeys = Math.max(1, opts.maxKeys ?? DEFAULT_MAX_RATE_LIMIT_KEYS);
  }

  /** Buckets held now: never more than `maxKeys`. */
  get size(): number {
    return this.buckets.size;
  }

  /** 0 when allowed, else the whole seconds to wait. `nowMs` is the caller's clock. */
  take(key: string, nowMs: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: nowMs };
    // A clock that steps back refills nothing rather than draining the bucket.
    b.tokens = Math.min(this.opts.burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * this.opts.perSecond);
    b.at = nowMs;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    // Evicting the least recently used keeps memory bounded without handing every source (a busy one among them) a
    // full bucket, as clearing the whole map did: a flood of new addresses pushes out only the ones that went quiet.
    // A tenth at a time, in one pass: deleting a Map's head one entry per call rescans the deleted slots each time.
    if (this.buckets.size > this.maxKeys) {
      let drop = this.buckets.size - this.maxKeys + Math.floor(this.maxKeys / 10);
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0 || k === key) break;
        this.buckets.delete(k);
      }
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.opts.perSecond));
  }
}
