// Arrivals at the table on the hub's SQLite: a staff tap is held for its undo window and then written to the outbox as
// seat.arrived in the same transaction as its commit; a beacon arrival is written at once. One live arrival per guest.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { SeatPilotEvent } from '../../core/contract/contract';
import type { Arrival } from '../../core/contract/staff';
import type { SqliteOutbox } from '../../venue-store/outbox';
import { HubAudit } from '../audit-log';

export type TapOutcome =
  | { kind: 'created'; arrival: Arrival }
  | { kind: 'duplicate'; arrival: Arrival }
  | { kind: 'already_arrived'; arrival: Arrival }
  | { kind: 'unknown_guest' }
  | { kind: 'not_checked_in' }
  | { kind: 'key_reused' };

export type UndoOutcome = { kind: 'undone' } | { kind: 'not_found' } | { kind: 'window_over' } | { kind: 'not_undoable' };

export interface ArrivalsOptions {
  venueId: string;
  /** The agent's own device id: seat.arrived events are the agent's (tablets are not devices of the cloud). */
  deviceId: string;
  /** How long a tablet tap can be undone before it becomes seat.arrived. */
  undoMs: number;
  clock: () => number;
  /** Called with each seat.arrived written to the outbox (metrics, push kick). */
  onCommitted?: (event: SeatPilotEvent) => void;
  /** Something a board shows changed. */
  onChange: () => void;
}

export interface SeatGuest {
  id: string;
  table_id: string | null;
  status: string;
}

const ARRIVAL_COLUMNS = 'event_id, guest_id, table_id, source, by_device, checked_in_at, occurred_at, occurred_ms, received_ms, commit_after_ms, state';

export class Arrivals {
  private readonly s: Record<string, Statement>;
  private readonly audit: HubAudit;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly outbox: SqliteOutbox,
    private readonly opts: ArrivalsOptions,
  ) {
    // The hub's one chain: carried up with the push from audit_log like every hub entry (edge-agent/hub-outbox.ts).
    this.audit = new HubAudit(db, opts.venueId, opts.clock);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      tabletRole: p('SELECT role FROM tablets WHERE id = ?').pluck(),
      guest: p("SELECT id, table_id, status FROM guests WHERE id = ?"),
      lastMove: p("SELECT direction, occurred_at, occurred_ms, table_id FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL ORDER BY occurred_ms DESC, id DESC LIMIT 1"),
      arrivalByKey: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE event_id = ?`),
      liveArrival: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE guest_id = ? AND state <> 'undone'`),
      addArrival: p(`INSERT INTO arrivals (${ARRIVAL_COLUMNS}, changed_at) VALUES (@event_id, @guest_id, @table_id, @source, @by_device, @checked_in_at,
                       @occurred_at, @occurred_ms, @received_ms, @commit_after_ms, @state, @changed_at)`),
      undo: p("UPDATE arrivals SET state = 'undone', changed_at = ? WHERE event_id = ? AND state = 'pending'"),
      due: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE state = 'pending' AND commit_after_ms <= ? ORDER BY commit_after_ms`),
      commit: p("UPDATE arrivals SET state = 'committed', changed_at = ? WHERE event_id = ? AND state = 'pending'"),
    };
  }

  guest(id: string): SeatGuest | undefined {
    return this.s.guest!.get(id) as SeatGuest | undefined;
  }

  /** When the guest's latest admitted movement is an entry: its time and the table the door sent them to. */
  checkedIn(guestId: string): { at: string; ms: number; table_id: string | null } | null {
    const m = this.s.lastMove!.get(guestId) as { direction: string; occurred_at: string; occurred_ms: number; table_id: string | null } | undefined;
    return m && m.direction === 'entry' ? { at: m.occurred_at, ms: m.occurred_ms, table_id: m.table_id } : null;
  }

  /** The guest's arrival that was not undone (pending or committed), if any. */
  live(guestId: string): Arrival | undefined {
    return this.s.liveArrival!.get(guestId) as Arrival | undefined;
  }

  /**
   * A staff tap: idempotent on `key`. `tappedAtMs` is the tablet's time of the tap (on the agent's clock), kept within
   * [check-in, now] so a queued tap keeps the moment it happened and a wrong tablet clock cannot invent a walk.
   */
  tap(input: { key: string; guestId: string; tableId: string | null; tappedAtMs: number | null; tabletId: string }): TapOutcome {
    const now = this.opts.clock();
    return this.db.transaction((): TapOutcome => {
      const existing = this.s.arrivalByKey!.get(input.key) as Arrival | undefined;
      if (existing) return existing.guest_id === input.guestId ? { kind: 'duplicate', arrival: existing } : { kind: 'key_reused' };
      const guest = this.guest(input.guestId);
      if (!guest || guest.status !== 'active') return { kind: 'unknown_guest' };
      const live = this.live(input.guestId);
      if (live) return { kind: 'already_arrived', arrival: live };
      const checkin = this.checkedIn(input.guestId);
      if (!checkin) return { kind: 'not_checked_in' };
      const table = checkin.table_id ?? guest.table_id ?? input.tableId;
      if (table === null) return { kind: 'unknown_guest' };
      const occurred = Math.min(now, Math.max(checkin.ms, input.tappedAtMs ?? now));
      const arrival: Arrival = {
        event_id: input.key, guest_id: input.guestId, table_id: table, source: 'tablet', by_device: input.tabletId,
        checked_in_at: checkin.at, occurred_at: new Date(occurred).toISOString(), occurred_ms: occurred,
        received_ms: now, commit_after_ms: now + this.opts.undoMs, state: 'pending',
      };
      this.s.addArrival!.run({ ...arrival, changed_at: new Date(now).toISOString() });
      this.audit.append({
        deviceId: input.tabletId, actor: input.tabletId, role: this.tabletRole(input.tabletId), action: 'seat.arrived', entity: 'guest', entityId: input.guestId,
        after: { event_id: arrival.event_id, table_id: table, occurred_at: arrival.occurred_at, state: 'pending' },
      });
      this.opts.onChange();
      return { kind: 'created', arrival };
    })();
  }

  /** `byTablet`: the tablet that asked (the audit's actor); the tablet that tapped when not given. */
  undo(key: string, byTablet?: string): UndoOutcome {
    const now = this.opts.clock();
    let changed = false;
    const outcome = this.db.transaction((): UndoOutcome => {
      const a = this.s.arrivalByKey!.get(key) as Arrival | undefined;
      if (!a) return { kind: 'not_found' };
      if (a.state === 'undone') return { kind: 'undone' };
      if (a.source !== 'tablet') return { kind: 'not_undoable' };
      if (a.state === 'committed' || a.commit_after_ms <= now) return { kind: 'window_over' };
      changed = this.s.undo!.run(new Date(now).toISOString(), key).changes === 1;
      if (changed) {
        const actor = byTablet ?? a.by_device;
        this.audit.append({
          deviceId: actor, actor, role: this.tabletRole(actor), action: 'seat.arrival_undone', entity: 'guest', entityId: a.guest_id,
          before: { event_id: a.event_id, table_id: a.table_id, state: a.state }, after: { event_id: a.event_id, state: 'undone' },
        });
      }
      return { kind: 'undone' };
    })();
    if (changed) this.opts.onChange();
    return outcome;
  }

  private tabletRole(tabletId: string): string {
    return (this.s.tabletRole!.get(tabletId) as string | undefined) ?? 'steward';
  }

  /** Turns taps whose undo window has passed into seat.arrived events in the outbox, each in one transaction. */
  commitDue(nowMs: number = this.opts.clock()): SeatPilotEvent[] {
    const due = this.s.due!.all(nowMs) as Arrival[];
    const out: SeatPilotEvent[] = [];
    for (const a of due) {
      const event = this.eventOf(a);
      const done = this.db.transaction(() => {
        if (this.s.commit!.run(new Date(nowMs).toISOString(), a.event_id).changes !== 1) return false;
        this.outbox.append(event, nowMs);
        return true;
      })();
      if (done) out.push(event);
    }
    if (out.length) this.opts.onChange();
    for (const e of out) this.opts.onCommitted?.(e);
    return out;
  }

  /**
   * A beacon arrival: stored committed and written to the outbox at once (no undo window). Runs inside the caller's
   * transaction; the caller hands the event to `committed` once that transaction is done.
   */
  commitBeaconArrival(input: { guestId: string; tableId: string; occurredMs: number; checkedInAt: string; gatewayDevice: string; eventId: string }, now: number): SeatPilotEvent {
    const arrival: Arrival = {
      event_id: input.eventId, guest_id: input.guestId, table_id: input.tableId, source: 'beacon', by_device: input.gatewayDevice,
      checked_in_at: input.checkedInAt, occurred_at: new Date(input.occurredMs).toISOString(), occurred_ms: input.occurredMs,
      received_ms: now, commit_after_ms: now, state: 'committed',
    };
    this.s.addArrival!.run({ ...arrival, changed_at: new Date(now).toISOString() });
    this.audit.append({
      deviceId: input.gatewayDevice, actor: input.gatewayDevice, role: 'device', action: 'seat.arrived', entity: 'guest', entityId: input.guestId,
      after: { event_id: input.eventId, table_id: input.tableId, occurred_at: arrival.occurred_at, source: 'beacon' },
    });
    const event = this.eventOf(arrival);
    this.outbox.append(event, now);
    return event;
  }

  committed(event: SeatPilotEvent): void {
    this.opts.onCommitted?.(event);
  }

  private eventOf(a: Arrival): SeatPilotEvent {
    return {
      event_id: a.event_id,
      type: 'seat.arrived',
      occurred_at: a.occurred_at,
      venue_id: this.opts.venueId,
      device_id: this.opts.deviceId,
      payload: { guest_id: a.guest_id, table_id: a.table_id, source: a.source, checked_in_at: a.checked_in_at },
    };
  }
}
