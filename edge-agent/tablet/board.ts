// What the tablets and the kiosks' staff mode show, read from the hub's SQLite: a table's board (its guests and their
// seat status) and the venue's counts per table and occasion, with the fingerprint that tells streams to refresh.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { Board, BoardGuest, OccasionCounts, SeatingCounts, TableCounts, TableMeals } from '../../core/contract/staff';
import type { Arrivals } from './arrivals';

const COUNTS_MAX_AGE_MS = 1_000;

export class TabletBoard {
  private readonly s: Record<string, Statement>;
  // Venue-wide counts cost a pass over the guest list (~0.2 s at 100k guests): computed at most once per change and
  // at most once a second, however many staff screens ask.
  private countsCache: { fingerprint: string; atMs: number; value: SeatingCounts } | null = null;

  constructor(
    db: SqliteDatabase,
    private readonly arrivals: Arrivals,
    /** Bumped by every change made through the tablet store; with the checkins and feed high-water marks it makes the fingerprint. */
    private readonly opts: { clock: () => number; version: () => number },
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      tables: p('SELECT id, label FROM tables ORDER BY label COLLATE NOCASE, id'),
      tableLabel: p('SELECT label FROM tables WHERE id = ?').pluck(),
      marks: p("SELECT (SELECT coalesce(max(id), 0) FROM checkins) || ':' || (SELECT coalesce(max(seq), 0) FROM feed)").pluck(),
      boardGuests: p(`SELECT g.id, g.name, g.party_size, g.table_id, g.meal, g.notes,
                        EXISTS (SELECT 1 FROM json_each(coalesce(g.tags_json, '[]')) WHERE value = 'vip') AS vip,
                        p.table_id AS seen_table, p.seen_at AS seen_at, t.label AS seen_label
                      FROM guests g
                      LEFT JOIN beacon_positions p ON p.guest_id = g.id AND p.table_id <> g.table_id
                      LEFT JOIN tables t ON t.id = p.table_id
                      WHERE g.status = 'active' AND g.table_id IN (SELECT value FROM json_each(?))
                      ORDER BY g.name COLLATE NOCASE, g.id`),
      // Checked in = the latest admitted movement (not reverted) is an entry (an exit takes a guest out again). Two index seeks per
      // guest; measured faster than joining a grouped pass over the check-ins (bench/tablet.ts, 100k guests).
      counts: p(`SELECT g.table_id, g.occasion_id, count(*) AS expected,
                   coalesce(sum((SELECT c.direction FROM checkins c WHERE c.guest_id = g.id AND c.outcome = 'admitted' AND c.reverted_by IS NULL
                                  ORDER BY c.occurred_ms DESC, c.id DESC LIMIT 1) = 'entry'), 0) AS checked_in,
                   coalesce(sum(EXISTS (SELECT 1 FROM arrivals a WHERE a.guest_id = g.id AND a.state <> 'undone')), 0) AS seated
                 FROM guests g WHERE g.status = 'active' GROUP BY g.table_id, g.occasion_id`),
      occasions: p('SELECT id, name FROM occasions'),
    };
  }

  /** Changes whenever anything a board shows may have changed (check-ins from doors, guest list, arrivals, beacons). */
  fingerprint(): string {
    return `${this.s.marks!.get() as string}:${this.opts.version()}`;
  }

  tables(): Array<{ id: string; label: string }> {
    return this.s.tables!.all() as Array<{ id: string; label: string }>;
  }

  tableExists(id: string): boolean {
    return this.s.tableLabel!.get(id) !== undefined;
  }

  counts(): SeatingCounts {
    const fingerprint = this.fingerprint();
    const now = this.opts.clock();
    const c = this.countsCache;
    if (c && (c.fingerprint === fingerprint || (now >= c.atMs && now - c.atMs < COUNTS_MAX_AGE_MS))) return c.value;
    const value = this.computeCounts();
    this.countsCache = { fingerprint, atMs: now, value };
    return value;
  }

  private computeCounts(): SeatingCounts {
    const rows = this.s.counts!.all() as Array<{ table_id: string | null; occasion_id: string; expected: number; checked_in: number; seated: number }>;
    const labels = new Map(this.tables().map((t) => [t.id, t.label]));
    const names = new Map((this.s.occasions!.all() as Array<{ id: string; name: string }>).map((o) => [o.id, o.name]));
    const byTable = new Map<string, TableCounts>();
    const byOccasion = new Map<string, OccasionCounts>();
    for (const t of labels.keys()) byTable.set(t, { table_id: t, label: labels.get(t) as string, expected: 0, checked_in: 0, seated: 0 });
    for (const r of rows) {
      if (r.table_id !== null) {
        const t = byTable.get(r.table_id) ?? { table_id: r.table_id, label: r.table_id, expected: 0, checked_in: 0, seated: 0 };
        t.expected += r.expected;
        t.checked_in += r.checked_in;
        t.seated += r.seated;
        byTable.set(r.table_id, t);
      }
      const o = byOccasion.get(r.occasion_id) ?? { occasion_id: r.occasion_id, name: names.get(r.occasion_id) ?? r.occasion_id, expected: 0, checked_in: 0, seated: 0 };
      o.expected += r.expected;
      o.checked_in += r.checked_in;
      o.seated += r.seated;
      byOccasion.set(r.occasion_id, o);
    }
    return { tables: [...byTable.values()], occasions: [...byOccasion.values()] };
  }

  board(tableIds: string[]): Board {
    const now = this.opts.clock();
    const rows = this.s.boardGuests!.all(JSON.stringify(tableIds)) as Array<{
      id: string; name: string; party_size: number; table_id: string; meal: string | null; notes: string | null; vip: number;
      seen_table: string | null; seen_at: string | null; seen_label: string | null;
    }>;
    const guests = rows.map((r): BoardGuest => {
      const arrival = this.arrivals.live(r.id);
      const checkin = this.arrivals.checkedIn(r.id);
      const undoable = arrival?.state === 'pending' && arrival.commit_after_ms > now;
      return {
        guest_id: r.id,
        name: r.name,
        party_size: r.party_size,
        table_id: r.table_id,
        status: arrival ? 'arrived' : checkin ? 'on_the_way' : 'expected',
        checked_in_at: arrival?.checked_in_at ?? checkin?.at ?? null,
        arrived_at: arrival?.occurred_at ?? null,
        arrival_source: arrival?.source ?? null,
        undo_key: undoable ? arrival.event_id : null,
        undo_until_ms: undoable ? arrival.commit_after_ms : null,
        seen_at: !arrival && r.seen_table !== null ? { table_id: r.seen_table, table_label: r.seen_label ?? r.seen_table, seen_at: r.seen_at as string } : null,
        meal: r.meal,
        notes: r.notes,
        vip: r.vip === 1,
      };
    });
    // The board's own counts come from its guests: a board refresh never pays for the whole venue's counts.
    const tables = tableIds.filter((id) => this.tableExists(id)).map((id): TableCounts => {
      const at = guests.filter((g) => g.table_id === id);
      return {
        table_id: id,
        label: (this.s.tableLabel!.get(id) as string | undefined) ?? id,
        expected: at.length,
        checked_in: at.filter((g) => g.status !== 'expected').length,
        seated: at.filter((g) => g.status === 'arrived').length,
      };
    });
    return { now_ms: now, tables, guests, meals: tables.map((t) => mealsAt(t.table_id, guests)) };
  }
}

/** The kitchen's count for one table: people (party sizes) per meal, most first; guests with no meal are not counted. */
export function mealsAt(tableId: string, guests: readonly BoardGuest[]): TableMeals {
  const people = new Map<string, number>();
  for (const g of guests) if (g.table_id === tableId && g.meal) people.set(g.meal, (people.get(g.meal) ?? 0) + g.party_size);
  const meals = [...people].map(([meal, n]) => ({ meal, people: n })).sort((a, b) => b.people - a.people || a.meal.localeCompare(b.meal));
  return { table_id: tableId, meals };
}
