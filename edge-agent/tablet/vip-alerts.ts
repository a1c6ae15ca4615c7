// VIP arrivals for the tablets: each admitted entry of a guest tagged `vip` (tags from the cloud's list, guest_desk
// sync feature) becomes one VipAlert, whatever wrote the check-in (a door's batch, a walk-in at the desk). Read from
// the check-ins table rather than hooked into each writer, so no path into it can forget the alert.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { VipAlert } from '../../core/contract/desk';

export class VipAlerts {
  private readonly top: Statement;
  private readonly since: Statement;
  /** The last check-in row looked at. Starts at the newest: a hub restart does not alert the evening's VIPs again. */
  private last: number;

  constructor(db: SqliteDatabase) {
    this.top = db.prepare('SELECT coalesce(max(id), 0) FROM checkins').pluck();
    this.since = db.prepare(`SELECT g.id AS guest_id, g.name, g.table_id, t.label AS table_label, g.party_size, c.occurred_at AS checked_in_at, c.door_id, g.notes
                             FROM checkins c JOIN guests g ON g.id = c.guest_id LEFT JOIN tables t ON t.id = g.table_id
                             WHERE c.id > ? AND c.id <= ? AND c.outcome = 'admitted' AND c.direction = 'entry' AND c.reverted_by IS NULL
                               AND EXISTS (SELECT 1 FROM json_each(coalesce(g.tags_json, '[]')) WHERE value = 'vip')
                             ORDER BY c.id`);
    this.last = this.top.get() as number;
  }

  /** The VIP arrivals stored since the last call (a rowid seek: cheap enough for every tick). */
  take(): VipAlert[] {
    const top = this.top.get() as number;
    if (top <= this.last) return [];
    const rows = this.since.all(this.last, top) as VipAlert[];
    this.last = top;
    return rows;
  }
}
