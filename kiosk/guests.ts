// Reads of the guest list for the scan path and for staff search. Every query here is an index lookup or an index
// range scan: the scan path must stay well under a millisecond with 100,000 guests.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { GuestStatus } from '../core/contract/contract';
import type { ScannedKind } from '../core/checkin/credential';
import type { GuestHistory, GuestRecord, Movement, OccasionRule } from '../core/checkin/decide';
import { prefixUpperBound, queryTokens } from '../core/checkin/search-text';

/** A guest as the scan path reads it: the decision's fields and the table label the welcome screen shows. */
export interface StoredGuest extends GuestRecord {
  table_label: string | null;
}

export interface SearchHit {
  guest_id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  table_label: string | null;
  status: GuestStatus;
  /** When the guest's latest admitted movement is an entry: its time (RFC 3339), else null. */
  checked_in_at: string | null;
}

const GUEST_COLUMNS = 'g.id, g.occasion_id, g.name, g.party_size, g.table_id, g.status, g.valid_from_ms, g.valid_to_ms';
const WITH_TABLE = `${GUEST_COLUMNS}, t.label AS table_label`;
export const MAX_SEARCH_RESULTS = 50;
// Query words beyond this are ignored: nobody types more of a name, and each word adds a subquery.
const MAX_QUERY_WORDS = 4;
const MAX_QUERY_CHARS = 200;

export class GuestReader {
  private readonly byCredential: Statement;
  private readonly byId: Statement;
  private readonly lastMove: Statement;
  private readonly anyEntry: Statement;
  private readonly occasionRows: Statement;
  private readonly tableLabel: Statement;
  private readonly searchStatements = new Map<string, Statement>();

  constructor(private readonly db: SqliteDatabase) {
    // A reverted check-in (checkin.reverted, venue migration 0010) is no movement of the guest's: decide never sees it.
    this.byCredential = db.prepare(
      `SELECT ${WITH_TABLE} FROM credentials c JOIN guests g ON g.id = c.guest_id LEFT JOIN tables t ON t.id = g.table_id WHERE c.kind = ? AND c.value = ?`,
    );
    this.byId = db.prepare(`SELECT ${WITH_TABLE} FROM guests g LEFT JOIN tables t ON t.id = g.table_id WHERE g.id = ?`);
    this.lastMove = db.prepare(
      "SELECT direction, occurred_ms AS at_ms, door_id, occurred_at FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL ORDER BY occurred_ms DESC, id DESC LIMIT 1",
    );
    this.anyEntry = db.prepare("SELECT 1 FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL AND direction = 'entry' LIMIT 1").pluck();
    this.occasionRows = db.prepare('SELECT id, reentry_policy, starts_ms, ends_ms FROM occasions');
    this.tableLabel = db.prepare('SELECT label FROM tables WHERE id = ?').pluck();
  }

  guestByCredential(kind: ScannedKind, value: string): StoredGuest | null {
    return (this.byCredential.get(kind, value) as StoredGuest | undefined) ?? null;
  }

  guestById(id: string): StoredGuest | null {
    return (this.byId.get(id) as StoredGuest | undefined) ?? null;
  }

  history(guestId: string): GuestHistory {
    const last = (this.lastMove.get(guestId) as (Movement & { occurred_at: string }) | undefined) ?? null;
    if (last === null) return { entered: false, last: null };
    // The last movement being an entry answers "entered ever" without a second query: the common case at the door.
    const entered = last.direction === 'entry' || this.anyEntry.get(guestId) !== undefined;
    return { entered, last: { direction: last.direction, at_ms: last.at_ms, door_id: last.door_id } };
  }

  occasions(): OccasionRule[] {
    return this.occasionRows.all() as OccasionRule[];
  }

  tableLabelOf(tableId: string | null): string | null {
    if (tableId === null) return null;
    return (this.tableLabel.get(tableId) as string | undefined) ?? null;
  }

  /**
   * Guests whose name has, for every word of the query, a word starting with it ("jo nu" → José Núñez), accent- and
   * case-insensitive. The longest query word drives an index range scan; the others are checked per candidate through
   * the (guest_id, token) index. Limited to `occasionId` when given. Ordered by the matched word (the index's own order: no sort of the candidates); `+g.occasion_id` keeps the
   * planner from driving the query by the occasion index instead.
   */
  search(query: string, occasionId: string | null, limit = 20): SearchHit[] {
    const prepared = this.prepareSearch(query, occasionId, limit);
    if (prepared === null) return [];
    const { stmt, params, n } = prepared;
    const rows = stmt.all(...params) as (GuestRecord & { matched: string })[];
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      const last = this.lastMove.get(row.id) as { direction: string; occurred_at: string } | undefined;
      hits.push({
        guest_id: row.id,
        name: row.name,
        party_size: row.party_size,
        table_id: row.table_id,
        table_label: this.tableLabelOf(row.table_id),
        status: row.status,
        checked_in_at: last?.direction === 'entry' ? last.occurred_at : null,
      });
      if (hits.length === n) break;
    }
    return hits;
  }

  /** SQLite's plan for a search, so a test can prove it is an index range scan. */
  searchPlan(query: string, occasionId: string | null): string[] {
    const prepared = this.prepareSearch(query, occasionId, 20);
    if (prepared === null) return [];
    const sql = `EXPLAIN QUERY PLAN ${prepared.stmt.source}`;
    return (this.db.prepare(sql).all(...prepared.params) as { detail: string }[]).map((r) => r.detail);
  }

  private prepareSearch(query: string, occasionId: string | null, limit: number): { stmt: Statement; params: unknown[]; n: number } | null {
    // Nobody types 200 characters of a name; a pasted page must not become a heavy query.
    const words = queryTokens(query.slice(0, MAX_QUERY_CHARS))
      .sort((a, b) => b.length - a.length)
      .slice(0, MAX_QUERY_WORDS);
    if (words.length === 0) return null;
    const n = Math.min(Math.max(1, Math.floor(limit)), MAX_SEARCH_RESULTS);
    const stmt = this.searchStatement(words.length, occasionId !== null);
    const params: unknown[] = [];
    for (const w of words) params.push(w, prefixUpperBound(w));
    if (occasionId !== null) params.push(occasionId);
    // A guest can match the driving word twice ("Mara Marín" for "ma"): fetch a few more, keep the first of each.
    params.push(n * 2);
    return { stmt, params, n };
  }

  private searchStatement(words: number, byOccasion: boolean): Statement {
    const key = `${words}:${byOccasion}`;
    let stmt = this.searchStatements.get(key);
    if (!stmt) {
      const others = Array.from({ length: words - 1 }, (_, i) => {
        const a = `t${i + 1}`;
        return `AND EXISTS (SELECT 1 FROM guest_name_tokens ${a} WHERE ${a}.guest_id = t0.guest_id AND ${a}.token >= ? AND ${a}.token < ?)`;
      }).join(' ');
      stmt = this.db.prepare(
        `SELECT ${GUEST_COLUMNS}, t0.token AS matched FROM guest_name_tokens t0 JOIN guests g ON g.id = t0.guest_id
         WHERE t0.token >= ? AND t0.token < ? ${others} ${byOccasion ? 'AND +g.occasion_id = ?' : ''}
         ORDER BY t0.token, t0.guest_id LIMIT ?`,
      );
      this.searchStatements.set(key, stmt);
    }
    return stmt;
  }
}
