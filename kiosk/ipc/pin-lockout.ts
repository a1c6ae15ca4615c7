// Wrong-PIN lockout per source: five wrong PINs lock that source for 1 min, the next five for 2, then 4 … up to 30 min.
// Sources are buckets of their own, so a stranger's guesses from the LAN lock the stranger, never the kiosk's screen.

/** The kiosk's own screen: Electron IPC, and in browser mode requests from this box (the kiosk's own Chromium). */
export const SCREEN_SOURCE = 'screen';
/**
 * Every source that is not the screen also counts against this one bucket: a stranger who changes address (a LAN
 * client can take many) gets no fresh five guesses with each one. The screen never shares it.
 */
export const REMOTE_SOURCES = 'remote';

export interface PinLockoutOptions {
  now: () => number;
  /** Wrong PINs in a row that lock a source (default 5). */
  maxFailures?: number;
  /** The first lockout (default 1 min); each next one doubles. */
  firstLockMs?: number;
  /** No lockout is longer (default 30 min): even the screen's own bucket opens again by itself. */
  maxLockMs?: number;
  /** A source quiet this long after its last lockout ended starts again from the first lockout (default 1 h). */
  forgetMs?: number;
}

interface Bucket {
  /** Wrong PINs towards the next lockout (back to 0 when it locks). */
  failures: number;
  /** Wrong PINs in a row, across lockouts: what the audit reports (staff.pin_failed). */
  streak: number;
  /** Lockouts so far; the next one lasts firstLockMs × 2^level. */
  level: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/** One wrong PIN as the audit records it (core/contract/contract.ts StaffPinFailedPayload). */
export interface PinFailure {
  failures: number;
  locked: boolean;
}

/** Beyond this many buckets, quiet ones are dropped: a flood of sources must not grow memory without end. */
const MAX_BUCKETS = 4096;

export class PinLockout {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxFailures: number;
  private readonly firstLockMs: number;
  private readonly maxLockMs: number;
  private readonly forgetMs: number;

  constructor(private readonly opts: PinLockoutOptions) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.firstLockMs = opts.firstLockMs ?? 60_000;
    this.maxLockMs = opts.maxLockMs ?? 30 * 60_000;
    this.forgetMs = opts.forgetMs ?? 60 * 60_000;
  }

  /** The buckets a call from `source` is counted in. */
  static keysFor(source: string): string[] {
    return source === SCREEN_SOURCE ? [SCREEN_SOURCE] : [`source:${source}`, REMOTE_SOURCES];
  }

  /** Milliseconds until `source` may try again; 0 when it may now. */
  lockedFor(source: string): number {
    const now = this.opts.now();
    return Math.max(0, ...PinLockout.keysFor(source).map((k) => (this.buckets.get(k)?.lockedUntil ?? 0) - now));
  }

  /**
   * Counts a wrong PIN from `source`. Returns the source's own streak (wrong PINs in a row, this one included) and
   * whether this one locked it, for the audit.
   */
  failed(source: string): PinFailure {
    const now = this.opts.now();
    const [own] = PinLockout.keysFor(source);
    let result: PinFailure = { failures: 1, locked: false };
    let locked = false;
    for (const key of PinLockout.keysFor(source)) {
      const b = this.fresh(key, now);
      b.failures++;
      b.streak++;
      b.lastFailureAt = now;
      if (b.failures >= this.maxFailures) {
        b.lockedUntil = now + Math.min(this.firstLockMs * 2 ** b.level, this.maxLockMs);
        b.level++;
        b.failures = 0;
        locked = true;
      }
      if (key === own) result = { failures: b.streak, locked: false };
    }
    if (this.buckets.size > MAX_BUCKETS) this.prune(now);
    // Locked: by its own bucket or the shared remote one, either way this source must now wait.
    return { ...result, locked };
  }

  /**
   * The right PIN clears the source's own bucket. The shared remote bucket is left to time: one right PIN from a
   * colleague's tablet must not hand a stranger five more guesses.
   */
  succeeded(source: string): void {
    this.buckets.delete(PinLockout.keysFor(source)[0]!);
  }

  private fresh(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b && b.lockedUntil <= now && now - Math.max(b.lockedUntil, b.lastFailureAt) > this.forgetMs) b = undefined;
    if (!b) {
      b = { failures: 0, streak: 0, level: 0, lockedUntil: 0, lastFailureAt: now };
      this.buckets.set(key, b);
    }
    return b;
  }

  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (key !== SCREEN_SOURCE && key !== REMOTE_SOURCES && b.lockedUntil <= now) this.buckets.delete(key);
    }
  }
}
