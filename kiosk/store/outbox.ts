// The outbox in SQLite: events written beside the rows they describe, pushed upstream in order by the push client.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SeatPilotEvent } from '../../core/contract';
import type { Outbox, OutboxItem } from '../../core/outbox';
import { checkEvent } from '../../core/validate';

export class OutboxEventError extends Error {
  override name = 'OutboxEventError';
}

interface Row {
  id: number;
  event_json: string;
  attempts: number;
  created_at: string;
}

export class SqliteOutbox implements Outbox {
  private readonly insert: Statement;
  private readonly selectPending: Statement;
  private readonly setSent: Statement;
  private readonly setDead: Statement;
  private readonly addAttempt: Statement;
  private readonly count: Statement;
  private readonly oldest: Statement;

  constructor(private readonly db: SqliteDatabase, private readonly clock: () => number = Date.now) {
    this.insert = db.prepare(
      'INSERT INTO outbox (event_id, type, event_json, created_at, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
    );
    this.selectPending = db.prepare("SELECT id, event_json, attempts, created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?");
    this.setSent = db.prepare("UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'");
    this.setDead = db.prepare("UPDATE outbox SET state = 'dead', dead_reason = ? WHERE id = ? AND state = 'pending'");
    this.addAttempt = db.prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'");
    this.count = db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'").pluck();
    this.oldest = db.prepare("SELECT min(created_ms) FROM outbox WHERE state = 'pending'").pluck();
  }

  /**
   * Adds one event, inside the caller's transaction when there is one. The event is validated against the contract
   * first: an event the receiver would reject must not be queued. A repeated `event_id` is ignored (relays retry).
   * Returns whether a row was added.
   */
  append(event: SeatPilotEvent, nowMs: number = this.clock()): boolean {
    const check = checkEvent(event);
    if (!check.ok) throw new OutboxEventError(`refusing to queue ${event.type} ${event.event_id}: ${check.detail}`);
    return this.insert.run(event.event_id, event.type, JSON.stringify(event), new Date(nowMs).toISOString(), nowMs).changes === 1;
  }

  /**
   * Adds an event this process built itself from already validated data (the check-in service), without the schema
   * check: that check costs about as much as the rest of the scan path's CPU. The service's tests validate every event
   * kind it builds with `checkEvent`, so a shape error there fails the tests rather than reaching a receiver.
   */
  appendBuilt(event: SeatPilotEvent, nowMs: number = this.clock()): boolean {
    return this.insert.run(event.event_id, event.type, JSON.stringify(event), new Date(nowMs).toISOString(), nowMs).changes === 1;
  }

  pending(limit: number): OutboxItem[] {
    const rows = this.selectPending.all(Math.max(0, Math.floor(limit))) as Row[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event_json) as SeatPilotEvent, attempts: r.attempts, created_at: r.created_at }));
  }

  markSent(ids: readonly number[]): void {
    const at = new Date(this.clock()).toISOString();
    this.db.transaction(() => {
      for (const id of ids) this.setSent.run(at, id);
    })();
  }

  markDead(id: number, reason: string): void {
    this.setDead.run(reason, id);
  }

  recordAttempt(ids: readonly number[], error: string): void {
    this.db.transaction(() => {
      for (const id of ids) this.addAttempt.run(error, id);
    })();
  }

  depth(): number {
    return this.count.get() as number;
  }

  oldestUnsentSeconds(nowMs: number = this.clock()): number {
    const oldest = this.oldest.get() as number | null;
    return oldest === null ? 0 : Math.max(0, (nowMs - oldest) / 1000);
  }
}
