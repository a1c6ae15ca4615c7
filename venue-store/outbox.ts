// The outbox in SQLite: events written beside the rows they describe (a check-in row carries its own), pushed upstream
// in order by the push client.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { RelayedEvent, SeatPilotEvent } from '../core/contract/contract';
import type { Outbox, OutboxItem } from '../core/contract/outbox';
import { checkEvent } from '../core/contract/validate';

export class OutboxEventError extends Error {
  override name = 'OutboxEventError';
}

interface Row {
  id: number;
  event_json: string;
  attempts: number;
  created_at: string;
  created_ms: number;
}

/**
 * Figures a check-in row's event gets only after its row was written (the commit's own duration): the service holds
 * them in memory by rowid, `fill` writes them into the event as `pending` hands it out, `forget` drops them once the
 * event is sent or dead. Absent after a restart: the event then goes without them.
 */
export interface HeldCheckinFigures {
  fill(rowid: number, event: SeatPilotEvent): void;
  forget(rowid: number): void;
}

interface StateUpdates {
  sent: Statement;
  dead: Statement;
  attempt: Statement;
}

/**
 * The queue is two tables (venue-store/migrations/0006): `outbox` rows (heartbeats, relayed events) and check-in rows that carry
 * their own event. Item ids tell them apart: an outbox row's id (≥ 1) as is, a check-in row's rowid negated (≤ -1).
 *
 * Check-in rows have no index on their push state (it would cost the scan's commit a page): pending rows are found by
 * a range scan of the rowid from `checkinMark`, the lowest rowid that may still be pending. A row leaves 'pending' for
 * good and a new row takes a rowid above every other, so rows below the mark never become pending again and the mark
 * only moves up. It is found once per process by a full scan, then moved to the first pending row each drain finds.
 */
export class SqliteOutbox implements Outbox {
  private readonly insert: Statement;
  private readonly selectPending: Statement;
  // The same three state changes on each table; `updatesFor` picks the table from the item id.
  private readonly outboxUpdates: StateUpdates;
  private readonly checkinUpdates: StateUpdates;
  private readonly count: Statement;
  private readonly oldest: Statement;
  private readonly checkinPending: Statement;
  private readonly checkinCount: Statement;
  private readonly checkinOldest: Statement;
  private readonly checkinAfterLast: Statement;
  private readonly checkinFirstPending: Statement;
  private readonly readCheckinPage: (limit: number) => Row[];
  private checkinMark: number | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: () => number = Date.now,
    private readonly held: HeldCheckinFigures | null = null,
  ) {
    this.insert = db.prepare(
      'INSERT INTO outbox (event_id, type, event_json, created_at, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
    );
    this.selectPending = db.prepare("SELECT id, event_json, attempts, created_at, created_ms FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?");
    this.outboxUpdates = {
      sent: db.prepare("UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'"),
      dead: db.prepare("UPDATE outbox SET state = 'dead', dead_reason = ? WHERE id = ? AND state = 'pending'"),
      attempt: db.prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'"),
    };
    this.count = db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'").pluck();
    this.oldest = db.prepare("SELECT min(created_ms) FROM outbox WHERE state = 'pending'").pluck();
    this.checkinPending = db.prepare(
      "SELECT id, event_json, push_attempts AS attempts, occurred_at AS created_at, occurred_ms AS created_ms FROM checkins WHERE id >= ? AND push_state = 'pending' ORDER BY id LIMIT ?",
    );
    this.checkinCount = db.prepare("SELECT count(*) FROM checkins WHERE id >= ? AND push_state = 'pending'").pluck();
    this.checkinOldest = db.prepare("SELECT occurred_ms FROM checkins WHERE id >= ? AND push_state = 'pending' ORDER BY id LIMIT 1").pluck();
    this.checkinAfterLast = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM checkins').pluck();
    this.checkinFirstPending = db.prepare("SELECT min(id) FROM checkins WHERE push_state = 'pending'").pluck();
    this.checkinUpdates = {
      sent: db.prepare("UPDATE checkins SET push_state = 'sent', sent_at = ? WHERE id = ? AND push_state = 'pending'"),
      dead: db.prepare("UPDATE checkins SET push_state = 'dead', dead_reason = ? WHERE id = ? AND push_state = 'pending'"),
      attempt: db.prepare("UPDATE checkins SET push_attempts = push_attempts + 1, push_error = ? WHERE id = ? AND push_state = 'pending'"),
    };
    // One read transaction: the rows found and the end of the table are of the same moment.
    this.readCheckinPage = db.transaction((limit: number) => {
      const rows = this.checkinPending.all(this.mark(), limit) as Row[];
      this.checkinMark = rows.length > 0 ? (rows[0] as Row).id : (this.checkinAfterLast.get() as number);
      for (const r of rows) r.id = -r.id;
      return rows;
    });
  }

  /**
   * Adds one event, inside the caller's transaction when there is one. The event is validated against the contract
   * first: an event the receiver would reject must not be queued. A repeated `event_id` is ignored (relays retry).
   * Returns whether a row was added.
   */
  append(event: SeatPilotEvent, nowMs: number = this.clock()): boolean {
    const check = checkEvent(event);
    if (!check.ok) throw new OutboxEventError(`refusing to queue ${event.type} ${event.event_id}: ${check.detail}`);
    return this.appendValidated(check.event, nowMs);
  }

  /**
   * For events the caller has just validated with `checkEvent` (the hub's ingest, protocol/ingest.ts): not checked
   * twice. The hub's ingest also passes events of types it does not know, whose envelope it checked, to forward as they came.
   */
  appendValidated(event: SeatPilotEvent | RelayedEvent, nowMs: number = this.clock()): boolean {
    return this.insert.run(event.event_id, event.type, JSON.stringify(event), new Date(nowMs).toISOString(), nowMs).changes === 1;
  }

  pending(limit: number): OutboxItem[] {
    const n = Math.max(0, Math.floor(limit));
    const others = this.selectPending.all(n) as Row[];
    const checkins = this.readCheckinPage(n);
    // Both lists are in write order; merged by write time, an outbox row first on a tie.
    const rows: Row[] = [];
    let a = 0;
    let b = 0;
    while (rows.length < n && (a < others.length || b < checkins.length)) {
      const o = others[a];
      const c = checkins[b];
      if (c === undefined || (o !== undefined && o.created_ms <= c.created_ms)) {
        rows.push(o as Row);
        a++;
      } else {
        rows.push(c);
        b++;
      }
    }
    return rows.map((r) => {
      const event = JSON.parse(r.event_json) as SeatPilotEvent;
      if (r.id < 0) this.held?.fill(-r.id, event);
      return { id: r.id, event, attempts: r.attempts, created_at: r.created_at };
    });
  }

  markSent(ids: readonly number[]): void {
    const at = new Date(this.clock()).toISOString();
    this.db.transaction(() => {
      for (const id of ids) {
        const [u, rowid] = this.updatesFor(id);
        u.sent.run(at, rowid);
      }
    })();
    for (const id of ids) if (id < 0) this.held?.forget(-id);
  }

  markDead(id: number, reason: string): void {
    const [u, rowid] = this.updatesFor(id);
    u.dead.run(reason, rowid);
    if (id < 0) this.held?.forget(-id);
  }

  recordAttempt(ids: readonly number[], error: string): void {
    this.db.transaction(() => {
      for (const id of ids) {
        const [u, rowid] = this.updatesFor(id);
        u.attempt.run(error, rowid);
      }
    })();
  }

  depth(): number {
    return (this.count.get() as number) + (this.checkinCount.get(this.mark()) as number);
  }

  oldestUnsentSeconds(nowMs: number = this.clock()): number {
    const a = this.oldest.get() as number | null;
    const b = (this.checkinOldest.get(this.mark()) as number | undefined) ?? null;
    const oldest = a === null ? b : b === null ? a : Math.min(a, b);
    return oldest === null ? 0 : Math.max(0, (nowMs - oldest) / 1000);
  }

  /** The lowest check-in rowid that may still be pending (see the class comment). */
  private mark(): number {
    this.checkinMark ??= (this.checkinFirstPending.get() as number | null) ?? (this.checkinAfterLast.get() as number);
    return this.checkinMark;
  }

  /** The table an item id names, and the row's id in it. */
  private updatesFor(id: number): [StateUpdates, number] {
    return id < 0 ? [this.checkinUpdates, -id] : [this.outboxUpdates, id];
  }
}
