// Beacon tags on the hub's SQLite: which guest wears which tag, where each guest's tag last settled, and the
// seat.arrived a dwell at the guest's own table makes.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { newEventId } from '../../core/contract/event-id';
import type { Arrivals } from './arrivals';

export type BeaconSettled = { kind: 'arrived'; event: SeatPilotEvent } | { kind: 'wrong_table' | 'unknown_tag' | 'not_checked_in' | 'already_arrived' };

export class BeaconTags {
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly arrivals: Arrivals,
    private readonly opts: { clock: () => number; onChange: () => void },
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      assignTag: p('INSERT INTO beacon_tags (tag, guest_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT (tag) DO UPDATE SET guest_id = excluded.guest_id, assigned_at = excluded.assigned_at'),
      unassignTag: p('DELETE FROM beacon_tags WHERE tag = ?'),
      guestOfTag: p('SELECT guest_id FROM beacon_tags WHERE tag = ?').pluck(),
      position: p(`INSERT INTO beacon_positions (guest_id, tag, table_id, seen_at, seen_ms) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (guest_id) DO UPDATE SET tag = excluded.tag, table_id = excluded.table_id, seen_at = excluded.seen_at, seen_ms = excluded.seen_ms`),
    };
  }

  assignTag(tag: string, guestId: string): 'assigned' | 'unknown_guest' {
    if (!this.arrivals.guest(guestId)) return 'unknown_guest';
    this.s.assignTag!.run(tag, guestId, new Date(this.opts.clock()).toISOString());
    return 'assigned';
  }

  tagAssigned(tag: string): boolean {
    return this.s.guestOfTag!.get(tag) !== undefined;
  }

  unassignTag(tag: string): boolean {
    return this.s.unassignTag!.run(tag).changes === 1;
  }

  /** A guest's tag dwelt at a table. At the guest's own table (and checked in, not yet seated): seat.arrived now. */
  settled(input: { tag: string; tableId: string; atMs: number; gatewayDevice: string }): BeaconSettled {
    const guestId = this.s.guestOfTag!.get(input.tag) as string | undefined;
    if (!guestId) return { kind: 'unknown_tag' };
    const guest = this.arrivals.guest(guestId);
    if (!guest || guest.status !== 'active') return { kind: 'unknown_tag' };
    const now = this.opts.clock();
    const result = this.db.transaction((): BeaconSettled => {
      this.s.position!.run(guestId, input.tag, input.tableId, new Date(input.atMs).toISOString(), input.atMs);
      this.opts.onChange();
      const checkin = this.arrivals.checkedIn(guestId);
      const own = checkin?.table_id ?? guest.table_id;
      if (own !== input.tableId) return { kind: 'wrong_table' };
      if (!checkin) return { kind: 'not_checked_in' };
      if (this.arrivals.live(guestId)) return { kind: 'already_arrived' };
      const occurredMs = Math.min(now, Math.max(checkin.ms, input.atMs));
      const event = this.arrivals.commitBeaconArrival(
        { eventId: newEventId(), guestId, tableId: input.tableId, occurredMs, checkedInAt: checkin.at, gatewayDevice: input.gatewayDevice },
        now,
      );
      return { kind: 'arrived', event };
    })();
    if (result.kind === 'arrived') this.arrivals.committed(result.event);
    return result;
  }
}
