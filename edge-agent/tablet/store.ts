// The tablets' and beacons' side of the agent's SQLite: pairing codes and hashed tablet tokens, arrivals at the table
// (held for the undo window, then written to the outbox as seat.arrived in the same transaction), beacon tags, and
// the boards and counts the tablets and the kiosks' staff mode show.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newEventId } from '../../core/contract/event-id';
import type { SeatPilotEvent } from '../../core/contract/contract';
import type { Arrival, Board, BoardGuest, OccasionCounts, SeatingCounts, TableCounts, TabletPairingCode, TabletPairResponse } from '../../core/contract/staff';
import type { SqliteOutbox } from '../../venue-store/outbox';
import { randomCode } from '../../protocol/random-code';

export type TapOutcome =
  | { kind: 'created'; arrival: Arrival }
  | { kind: 'duplicate'; arrival: Arrival }
  | { kind: 'already_arrived'; arrival: Arrival }
  | { kind: 'unknown_guest' }
  | { kind: 'not_checked_in' }
  | { kind: 'key_reused' };

export type UndoOutcome = { kind: 'undone' } | { kind: 'not_found' } | { kind: 'window_over' } | { kind: 'not_undoable' };

export type TokenCheck = { status: 'ok'; tablet: { id: string; label: string } } | { status: 'unknown' | 'revoked' };

export interface TabletRow {
  id: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
}

export interface TabletStoreOptions {
  venueId: string;
  /** The agent's own device id: seat.arrived events are the agent's (tablets are not devices of the cloud). */
  deviceId: string;
  /** How long a tablet tap can be undone before it becomes seat.arrived. */
  undoMs: number;
  clock?: () => number;
  /** Called with each seat.arrived written to the outbox (metrics, push kick). */
  onCommitted?: (event: SeatPilotEvent) => void;
}

// No 0/O, 1/I/L: codes are read off a screen or a slip of paper and typed on a tablet.
export const TABLET_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Pairing codes are typed by people: case, spaces and dashes do not matter. */
export function normalizePairingCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** 8 of 31 characters: about 39.6 bits, for a code that lives minutes behind a per-address rate limit. */
export const TABLET_CODE_LENGTH = 8;

export function newTabletPairingCode(): string {
  const out = randomCode(TABLET_CODE_ALPHABET, TABLET_CODE_LENGTH);
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

const COUNTS_MAX_AGE_MS = 1_000;
const ARRIVAL_COLUMNS = 'event_id, guest_id, table_id, source, by_device, checked_in_at, occurred_at, occurred_ms, received_ms, commit_after_ms, state';

export class TabletStore {
  private readonly s: Record<string, Statement>;
  private readonly clock: () => number;
  /** Bumped by every change made here; with the checkins and feed high-water marks it tells streams to refresh. */
  private version = 0;
  // Venue-wide counts cost a pass over the guest list (~0.2 s at 100k guests): computed at most once per change and
  // at most once a second, however many staff screens ask.
  private countsCache: { fingerprint: string; atMs: number; value: SeatingCounts } | null = null;

  constructor(
    readonly db: SqliteDatabase,
    private readonly outbox: SqliteOutbox,
    private readonly opts: TabletStoreOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      addCode: p('INSERT INTO tablet_pairing_codes (code_sha256, label, created_by, created_at, expires_ms) VALUES (?, ?, ?, ?, ?)'),
      useCode: p('UPDATE tablet_pairing_codes SET used_at = ?, tablet_id = ? WHERE code_sha256 = ? AND used_at IS NULL AND expires_ms > ? RETURNING label'),
      addTablet: p('INSERT INTO tablets (id, label, token_sha256, created_at) VALUES (?, ?, ?, ?)'),
      tablet: p('SELECT id, label, token_sha256, revoked_at FROM tablets WHERE id = ?'),
      seen: p('UPDATE tablets SET last_seen_at = ? WHERE id = ?'),
      revoke: p('UPDATE tablets SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      tablets: p('SELECT id, label, created_at, revoked_at, last_seen_at FROM tablets ORDER BY created_at, id'),
      guest: p("SELECT id, table_id, status FROM guests WHERE id = ?"),
      lastMove: p("SELECT direction, occurred_at, occurred_ms, table_id FROM checkins WHERE guest_id = ? AND outcome = 'admitted' ORDER BY occurred_ms DESC, id DESC LIMIT 1"),
      arrivalByKey: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE event_id = ?`),
      liveArrival: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE guest_id = ? AND state <> 'undone'`),
      addArrival: p(`INSERT INTO arrivals (${ARRIVAL_COLUMNS}, changed_at) VALUES (@event_id, @guest_id, @table_id, @source, @by_device, @checked_in_at,
                       @occurred_at, @occurred_ms, @received_ms, @commit_after_ms, @state, @changed_at)`),
      undo: p("UPDATE arrivals SET state = 'undone', changed_at = ? WHERE event_id = ? AND state = 'pending'"),
      due: p(`SELECT ${ARRIVAL_COLUMNS} FROM arrivals WHERE state = 'pending' AND commit_after_ms <= ? ORDER BY commit_after_ms`),
      commit: p("UPDATE arrivals SET state = 'committed', changed_at = ? WHERE event_id = ? AND state = 'pending'"),
      assignTag: p('INSERT INTO beacon_tags (tag, guest_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT (tag) DO UPDATE SET guest_id = excluded.guest_id, assigned_at = excluded.assigned_at'),
      unassignTag: p('DELETE FROM beacon_tags WHERE tag = ?'),
      guestOfTag: p('SELECT guest_id FROM beacon_tags WHERE tag = ?').pluck(),
      position: p(`INSERT INTO beacon_positions (guest_id, tag, table_id, seen_at, seen_ms) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (guest_id) DO UPDATE SET tag = excluded.tag, table_id = excluded.table_id, seen_at = excluded.seen_at, seen_ms = excluded.seen_ms`),
      tables: p('SELECT id, label FROM tables ORDER BY label COLLATE NOCASE, id'),
      tableLabel: p('SELECT label FROM tables WHERE id = ?').pluck(),
      marks: p("SELECT (SELECT coalesce(max(id), 0) FROM checkins) || ':' || (SELECT coalesce(max(seq), 0) FROM feed)").pluck(),
      boardGuests: p(`SELECT g.id, g.name, g.party_size, g.table_id,
                        p.table_id AS seen_table, p.seen_at AS seen_at, t.label AS seen_label
                      FROM guests g
                      LEFT JOIN beacon_positions p ON p.guest_id = g.id AND p.table_id <> g.table_id
                      LEFT JOIN tables t ON t.id = p.table_id
                      WHERE g.status = 'active' AND g.table_id IN (SELECT value FROM json_each(?))
                      ORDER BY g.name COLLATE NOCASE, g.id`),
      // Checked in = the latest admitted movement is an entry (an exit takes a guest out again). Two index seeks per
      // guest; measured faster than joining a grouped pass over the check-ins (bench/tablet.ts, 100k guests).
      counts: p(`SELECT g.table_id, g.occasion_id, count(*) AS expected,
                   coalesce(sum((SELECT c.direction FROM checkins c WHERE c.guest_id = g.id AND c.outcome = 'admitted'
                                  ORDER BY c.occurred_ms DESC, c.id DESC LIMIT 1) = 'entry'), 0) AS checked_in,
                   coalesce(sum(EXISTS (SELECT 1 FROM arrivals a WHERE a.guest_id = g.id AND a.state <> 'undone')), 0) AS seated
                 FROM guests g WHERE g.status = 'active' GROUP BY g.table_id, g.occasion_id`),
      occasions: p('SELECT id, name FROM occasions'),
    };
  }

  // --- pairing and tokens ------------------------------------------------------------------------------------------

  createPairingCode(opts: { label: string; createdBy: string; ttlMs: number }): TabletPairingCode {
    const now = this.clock();
    const code = newTabletPairingCode();
    this.s.addCode!.run(sha256(normalizePairingCode(code)), opts.label, opts.createdBy, new Date(now).toISOString(), now + opts.ttlMs);
    return { code, label: opts.label, expires_at: new Date(now + opts.ttlMs).toISOString() };
  }

  /** Redeems a code once: a new tablet and its token (shown once, stored hashed), or null (unknown, used, expired). */
  redeemPairingCode(code: string, label?: string): TabletPairResponse | null {
    const now = this.clock();
    const id = `tab_${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    return this.db.transaction(() => {
      const row = this.s.useCode!.get(new Date(now).toISOString(), id, sha256(normalizePairingCode(code)), now) as { label: string } | undefined;
      if (!row) return null;
      const name = label?.trim() || row.label;
      this.s.addTablet!.run(id, name, sha256(secret), new Date(now).toISOString());
      return { tablet_id: id, label: name, token: `${id}.${secret}` };
    })();
  }

  checkToken(token: string): TokenCheck {
    const dot = token.indexOf('.');
    if (dot <= 0) return { status: 'unknown' };
    const row = this.s.tablet!.get(token.slice(0, dot)) as { id: string; label: string; token_sha256: string; revoked_at: string | null } | undefined;
    // Hash the presented secret even for an unknown id, so both paths take the same time.
    const presented = Buffer.from(sha256(token.slice(dot + 1)), 'hex');
    const stored = Buffer.from(row?.token_sha256 ?? '0'.repeat(64), 'hex');
    const match = timingSafeEqual(presented, stored);
    if (!row || !match) return { status: 'unknown' };
    if (row.revoked_at !== null) return { status: 'revoked' };
    return { status: 'ok', tablet: { id: row.id, label: row.label } };
  }

  touchTablet(id: string): void {
    this.s.seen!.run(new Date(this.clock()).toISOString(), id);
  }

  tabletStatus(id: string): 'ok' | 'revoked' | 'unknown' {
    const row = this.s.tablet!.get(id) as { revoked_at: string | null } | undefined;
    return !row ? 'unknown' : row.revoked_at === null ? 'ok' : 'revoked';
  }

  revokeTablet(id: string): boolean {
    return this.s.revoke!.run(new Date(this.clock()).toISOString(), id).changes === 1;
  }

  listTablets(): TabletRow[] {
    return this.s.tablets!.all() as TabletRow[];
  }

  // --- arrivals ----------------------------------------------------------------------------------------------------

  /** When the guest's latest admitted movement is an entry: its time and the table the door sent them to. */
  private checkedIn(guestId: string): { at: string; ms: number; table_id: string | null } | null {
    const m = this.s.lastMove!.get(guestId) as { direction: string; occurred_at: string; occurred_ms: number; table_id: string | null } | undefined;
    return m && m.direction === 'entry' ? { at: m.occurred_at, ms: m.occurred_ms, table_id: m.table_id } : null;
  }

  /**
   * A staff tap: idempotent on `key`. `tappedAtMs` is the tablet's time of the tap (on the agent's clock), kept within
   * [check-in, now] so a queued tap keeps the moment it happened and a wrong tablet clock cannot invent a walk.
   */
  tap(input: { key: string; guestId: string; tableId: string | null; tappedAtMs: number | null; tabletId: string }): TapOutcome {
    const now = this.clock();
    return this.db.transaction((): TapOutcome => {
      const existing = this.s.arrivalByKey!.get(input.key) as Arrival | undefined;
      if (existing) return existing.guest_id === input.guestId ? { kind: 'duplicate', arrival: existing } : { kind: 'key_reused' };
      const guest = this.s.guest!.get(input.guestId) as { id: string; table_id: string | null; status: string } | undefined;
      if (!guest || guest.status !== 'active') return { kind: 'unknown_guest' };
      const live = this.s.liveArrival!.get(input.guestId) as Arrival | undefined;
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
      this.version++;
      return { kind: 'created', arrival };
    })();
  }

  undo(key: string): UndoOutcome {
    const now = this.clock();
    const a = this.s.arrivalByKey!.get(key) as Arrival | undefined;
    if (!a) return { kind: 'not_found' };
    if (a.state === 'undone') return { kind: 'undone' };
    if (a.source !== 'tablet') return { kind: 'not_undoable' };
    if (a.state === 'committed' || a.commit_after_ms <= now) return { kind: 'window_over' };
    this.s.undo!.run(new Date(now).toISOString(), key);
    this.version++;
    return { kind: 'undone' };
  }

  /** Turns taps whose undo window has passed into seat.arrived events in the outbox, each in one transaction. */
  commitDue(nowMs: number = this.clock()): SeatPilotEvent[] {
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
    if (out.length) this.version++;
    for (const e of out) this.opts.onCommitted?.(e);
    return out;
  }

  /** A guest's tag dwelt at a table. At the guest's own table (and checked in, not yet seated): seat.arrived now. */
  beaconSettled(input: { tag: string; tableId: string; atMs: number; gatewayDevice: string }): { kind: 'arrived'; event: SeatPilotEvent } | { kind: 'wrong_table' | 'unknown_tag' | 'not_checked_in' | 'already_arrived' } {
    const guestId = this.s.guestOfTag!.get(input.tag) as string | undefined;
    if (!guestId) return { kind: 'unknown_tag' };
    const guest = this.s.guest!.get(guestId) as { id: string; table_id: string | null; status: string } | undefined;
    if (!guest || guest.status !== 'active') return { kind: 'unknown_tag' };
    const now = this.clock();
    const result = this.db.transaction(() => {
      this.s.position!.run(guestId, input.tag, input.tableId, new Date(input.atMs).toISOString(), input.atMs);
      this.version++;
      const checkin = this.checkedIn(guestId);
      const own = checkin?.table_id ?? guest.table_id;
      if (own !== input.tableId) return { kind: 'wrong_table' as const };
      if (!checkin) return { kind: 'not_checked_in' as const };
      if (this.s.liveArrival!.get(guestId)) return { kind: 'already_arrived' as const };
      const occurred = Math.min(now, Math.max(checkin.ms, input.atMs));
      const arrival: Arrival = {
        event_id: newEventId(), guest_id: guestId, table_id: input.tableId, source: 'beacon', by_device: input.gatewayDevice,
        checked_in_at: checkin.at, occurred_at: new Date(occurred).toISOString(), occurred_ms: occurred,
        received_ms: now, commit_after_ms: now, state: 'committed',
      };
      this.s.addArrival!.run({ ...arrival, changed_at: new Date(now).toISOString() });
      const event = this.eventOf(arrival);
      this.outbox.append(event, now);
      return { kind: 'arrived' as const, event };
    })();
    if (result.kind === 'arrived') this.opts.onCommitted?.(result.event);
    return result;
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

  // --- beacon tags ------------------------------------------------------------------------------------------------

  assignTag(tag: string, guestId: string): 'assigned' | 'unknown_guest' {
    if (!this.s.guest!.get(guestId)) return 'unknown_guest';
    this.s.assignTag!.run(tag, guestId, new Date(this.clock()).toISOString());
    return 'assigned';
  }

  tagAssigned(tag: string): boolean {
    return this.s.guestOfTag!.get(tag) !== undefined;
  }

  unassignTag(tag: string): boolean {
    return this.s.unassignTag!.run(tag).changes === 1;
  }

  // --- what the tablets show ---------------------------------------------------------------------------------------

  /** Changes whenever anything a board shows may have changed (check-ins from doors, guest list, arrivals, beacons). */
  fingerprint(): string {
    return `${this.s.marks!.get() as string}:${this.version}`;
  }

  tables(): Array<{ id: string; label: string }> {
    return this.s.tables!.all() as Array<{ id: string; label: string }>;
  }

  tableExists(id: string): boolean {
    return this.s.tableLabel!.get(id) !== undefined;
  }

  counts(): SeatingCounts {
    const fingerprint = this.fingerprint();
    const now = this.clock();
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
    const now = this.clock();
    const rows = this.s.boardGuests!.all(JSON.stringify(tableIds)) as Array<{
      id: string; name: string; party_size: number; table_id: string; seen_table: string | null; seen_at: string | null; seen_label: string | null;
    }>;
    const guests = rows.map((r): BoardGuest => {
      const arrival = this.s.liveArrival!.get(r.id) as Arrival | undefined;
      const checkin = this.checkedIn(r.id);
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
    return { now_ms: now, tables, guests };
  }
}
