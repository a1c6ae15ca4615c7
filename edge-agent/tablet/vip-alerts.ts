// VIP arrivals for the tablets: each admitted entry of a guest tagged `vip` (tags from the cloud's list, guest_desk
// sync feature) becomes one VipAlert, whatever wrote the check-in (a door's batch, a walk-in at the desk). Read from
// the check-ins table rather than hooked into each writer, so no path into it can forget the alert.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { VipAlert } from '../../core/contract/desk';

/** How long a VIP's arrival is replayed to a tablet that (re)connects: a Wi-Fi blip at the table must not lose it. */
export const VIP_REPLAY_MS = 5 * 60_000;
const VIP_REPLAY_MAX = 100;

export class VipAlerts {
  private readonly top: Statement;
  /** The arrivals of the last VIP_REPLAY_MS, oldest first (this process's: a restarted hub starts empty). */
  private recentAlerts: Array<{ alert: VipAlert; atMs: number }> = [];
  private readonly since: Statement;
  /** The last check-in row looked at. Starts at the newest: a hub restart does not alert the evening's VIPs again. */
  private last: number;

  constructor(db: SqliteDatabase, private readonly clock: () => number = Date.now) {
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
    const atMs = this.clock();
    this.recentAlerts.push(...rows.map((alert) => ({ alert, atMs })));
    if (this.recentAlerts.length > VIP_REPLAY_MAX) this.recentAlerts = this.recentAlerts.slice(-VIP_REPLAY_MAX);
    return rows;
  }

  /** The arrivals a tablet connecting now is still told of, oldest first (the page drops those staff dismissed). */
  recent(): VipAlert[] {
    const since = this.clock() - VIP_REPLAY_MS;
    this.recentAlerts = this.recentAlerts.filter((r) => r.atMs >= since);
    return this.recentAlerts.map((r) => r.alert);
  }
}
