// "Find my table" for a guest without a ticket: a surname prefix → a few matches shown as "Ana G." with their table, and
// nothing else about them. It reads the guest list only (no check-in, no outbox row), refuses when the venue switched
// it off, and is rate-limited per kiosk so the screen cannot be used to list the guests.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHmac, randomBytes } from 'node:crypto';
import { foldText, nameTokens, prefixUpperBound } from '../core/checkin/search-text';
import type { FindTableAnswer, FindTableMatch } from './ipc/channels';
import { KioskRefusal } from './ipc/handlers';

export const FIND_MIN_LETTERS = 3;
export const FIND_MAX_MATCHES = 8;
/** Rows of the token index read per search: a common prefix stops here rather than scanning the list. */
const CANDIDATE_ROWS = 200;

export interface TokenBucketOptions {
  capacity: number;
  /** One token comes back every this many ms. */
  refillMs: number;
  clock: () => number;
}

/** A token bucket: `capacity` calls at once, then one per `refillMs`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly o: TokenBucketOptions) {
    this.tokens = o.capacity;
    this.at = o.clock();
  }

  /** Takes a token; returns 0 when one was taken, else the ms until the next one. */
  take(): number {
    const now = this.o.clock();
    this.tokens = Math.min(this.o.capacity, this.tokens + Math.max(0, now - this.at) / this.o.refillMs);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.round((1 - this.tokens) * this.o.refillMs)); // rounded: 4000.0000001 ms is "4 s", not "5 s"
  }
}

export interface FindTableOptions {
  enabled: boolean;
  clock: () => number;
  /**
   * The occasion being checked in now (the check-in service's), or null. Only its guests are found: another night's
   * guests at the same venue are none of this guest's business, and their tables are not tonight's.
   */
  occasionId: () => string | null;
  /** Default 10 searches at once, then one every 6 s (10 a minute). */
  capacity?: number;
  refillMs?: number;
}

const words = (text: string): string[] => text.trim().split(/\s+/).filter((w) => w.length > 0);

/**
 * A name split into the first name shown and the surname words searched. "Lucía García López": first "Lucía", surnames
 * "García" and "López" (Spanish guests give either of their two); a list written "García López, Lucía" the same (the
 * first name after the comma, else the whole surname would be shown); a name of one word is a surname, with no first
 * name shown.
 */
function splitName(name: string): { first: string; surnames: string[] } {
  const comma = name.indexOf(',');
  if (comma >= 0) return { first: words(name.slice(comma + 1))[0] ?? '', surnames: words(name.slice(0, comma)) };
  const all = words(name);
  return all.length > 1 ? { first: all[0]!, surnames: all.slice(1) } : { first: '', surnames: all };
}

/**
 * The surname word that `prefix` (folded letters) begins, if any: folded the way staff search folds ("García" →
 * "garcia"), and a hyphenated one by either part ("García-López" → "garcia", "lopez").
 */
function matchedSurname(surnames: readonly string[], prefix: string): string | null {
  return surnames.find((w) => nameTokens(w).some((p) => p.startsWith(prefix))) ?? null;
}

export class TableFinder {
  private readonly candidates: Statement;
  private readonly bucket: TokenBucket;
  /** Per boot: a handle means nothing after a restart and cannot be turned back into a guest id. */
  private readonly key = randomBytes(32);

  constructor(
    db: SqliteDatabase,
    private readonly o: FindTableOptions,
  ) {
    this.candidates = db.prepare(
      `SELECT g.id, g.name, g.table_id, t.label AS table_label FROM guest_name_tokens n JOIN guests g ON g.id = n.guest_id
       LEFT JOIN tables t ON t.id = g.table_id
       WHERE n.token >= ? AND n.token < ? AND g.status = 'active' AND g.occasion_id = ? ORDER BY n.token, n.guest_id LIMIT ${CANDIDATE_ROWS}`,
    );
    this.bucket = new TokenBucket({ capacity: o.capacity ?? 10, refillMs: o.refillMs ?? 6_000, clock: o.clock });
  }

  find(surnamePrefix: string): FindTableAnswer {
    if (!this.o.enabled) throw new KioskRefusal('disabled', 'Find my table is switched off at this kiosk: please ask our staff.');
    // Letters only count: "g-a" or "  ga " is not three letters of a surname.
    const prefix = foldText(surnamePrefix.trim()).replace(/[^\p{L}]+/gu, '');
    if (prefix.length < FIND_MIN_LETTERS) throw new KioskRefusal('bad_request', `Please type at least ${FIND_MIN_LETTERS} letters of your surname.`);
    // Counted after the checks above: a too-short entry costs the guest nothing, every real look-up does.
    const waitMs = this.bucket.take();
    if (waitMs > 0) {
      const s = Math.ceil(waitMs / 1000);
      throw new KioskRefusal('rate_limited', `Too many searches at this kiosk: please wait ${s} s.`, { retry_after_s: s });
    }
    const occasionId = this.o.occasionId();
    // No occasion under way: nobody is expected tonight, so nobody is found (the door refuses every ticket too).
    if (occasionId === null) return { matches: [], more: false };
    const rows = this.candidates.all(prefix, prefixUpperBound(prefix), occasionId) as { id: string; name: string; table_id: string | null; table_label: string | null }[];
    const seen = new Set<string>();
    const matches: FindTableMatch[] = [];
    let more = rows.length === CANDIDATE_ROWS;
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      const { first, surnames } = splitName(r.name);
      const surname = matchedSurname(surnames, prefix);
      if (surname === null) continue;
      seen.add(r.id);
      if (matches.length === FIND_MAX_MATCHES) {
        more = true;
        break;
      }
      // All of the name a match shows: the first name as written and the initial of the surname typed.
      matches.push({ id: this.handle(r.id), first_name: first, surname_initial: (/\p{L}/u.exec(surname)?.[0] ?? '').toLocaleUpperCase(), table_id: r.table_id, table_label: r.table_label });
    }
    return { matches, more };
  }

  private handle(guestId: string): string {
    return createHmac('sha256', this.key).update(guestId, 'utf8').digest('base64url').slice(0, 22);
  }
}
