// The kiosk's check-in service: normalise → look up → decide → write the check-in row, which carries its outbox event,
// in one durable commit. Never a network call on this path: the decision comes from the kiosk's own SQLite.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import type { CheckinStages, CredentialKind, Direction, RejectReason, SeatPilotEvent, SyncResponse } from '../core/contract/contract';
import { newEventId } from '../core/contract/event-id';
import { normalizeCredential, type NormalizeErrorCode, type NormalizeOptions, type ScannedKind } from '../core/checkin/credential';
import { decide, pickOccasion, type Decision, type DecisionState, type DecisionStatus, type GuestHistory, type OccasionRule } from '../core/checkin/decide';
import { DEFAULT_DOUBLE_SCAN_WINDOW_MS, normalizeOptionsOf, parseKioskConfig, type KioskConfig } from './config';
import { GuestReader, type SearchHit, type StoredGuest } from './guests';
import { SqliteOutbox } from '../venue-store/outbox';
import { SyncApplier, type ApplyOptions, type ApplyResult } from '../venue-store/sync-apply';

export interface ScanOptions {
  kind: ScannedKind;
  /** Default: the kiosk's configured door. */
  doorId?: string;
  /** Default: entry. */
  direction?: Direction;
}

export interface ManualOptions {
  doorId?: string;
  direction?: Direction;
}

/** What the check-in service decided and recorded for one scan or manual check-in (the screen's view is CheckinScreen). */
export interface CheckinDecisionResult {
  outcome: Decision['outcome'];
  status: DecisionStatus;
  /** The repeated scan of a guest admitted here moments ago: nothing was recorded. */
  just_now: boolean;
  guest: { id: string; name: string; party_size: number; table_id: string | null; table_label: string | null } | null;
  /** The event written with the outcome; null when nothing was recorded (double scan, empty scan). */
  event_id: string | null;
  /** Why the scanned text could not be read as a credential, when that was the case. */
  normalize_error: NormalizeErrorCode | null;
  /**
   * This scan's measured durations in ms, the commit included (total_ms is scan to durably stored), on the monotonic
   * clock (see CheckinStagesSchema). A recorded scan's event carries the same figures once pushed.
   */
  stages: Required<CheckinStages>;
}

export class CheckinInputError extends Error {
  override name = 'CheckinInputError';
}

/** The durable write failed (disk full, I/O error): the scan was not recorded and must not be shown as a welcome. */
export class CheckinPersistError extends Error {
  override name = 'CheckinPersistError';
}

export interface ServiceDeps {
  /** The device's wall clock (ms): event times and ticket validity, corrected when the skew is known (`setClockSkew`). */
  clock?: () => number;
  newEventId?: () => string;
  /** The monotonic clock the stage times and the last-scan age are measured on (ms); default `performance.now`. */
  stageClock?: () => number;
}

/** Off by more than this from the hub, the kiosk runs event times and ticket validity on the venue's time instead. */
export const CLOCK_CORRECT_ABOVE_MS = 2_000;

/**
 * Commit times waiting for their event's push (see `record`). Bounded: with the hub gone for a long night, the oldest
 * figures are dropped and those events go out without them, as after a restart.
 */
const MAX_HELD_FIGURES = 50_000;

const DIRECTIONS: readonly Direction[] = ['entry', 'exit'];
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The figures that end after the commit, held by check-in rowid until the row's event is pushed. */
interface HeldFigures {
  persist_ms: number;
  total_ms: number;
}

interface Attempt {
  t0: number;
  parse_ms: number;
  kind: CredentialKind;
  value: string | null;
  guest: StoredGuest | null;
  door_id: string;
  direction: Direction;
  normalize_error: NormalizeErrorCode | null;
}

export class CheckinService {
  readonly config: KioskConfig;
  readonly outbox: SqliteOutbox;
  private readonly reader: GuestReader;
  private readonly applier: SyncApplier;
  private readonly normalizeOpts: NormalizeOptions;
  private readonly windowMs: number;
  private readonly clock: () => number;
  private readonly stageClock: () => number;
  private readonly newEventId: () => string;
  private readonly insertCheckin: Statement;
  private occasionCache: { rules: OccasionRule[] } | null = null;
  private hubOnline = false;
  private skewMs: number | null = null;
  private lastScanAt: number | null = null;
  // The commit cannot time itself inside the row it commits: its figures wait here until the push (see `record`).
  private readonly held = new Map<number, HeldFigures>();

  constructor(private readonly db: SqliteDatabase, config: unknown, deps: ServiceDeps = {}) {
    this.config = parseKioskConfig(config);
    this.normalizeOpts = normalizeOptionsOf(this.config);
    this.windowMs = this.config.double_scan_window_ms ?? DEFAULT_DOUBLE_SCAN_WINDOW_MS;
    this.clock = deps.clock ?? Date.now;
    this.stageClock = deps.stageClock ?? (() => performance.now());
    this.newEventId = deps.newEventId ?? newEventId;
    this.reader = new GuestReader(db);
    this.applier = new SyncApplier(db);
    this.outbox = new SqliteOutbox(db, () => this.venueNow(), {
      fill: (rowid, event) => this.fillHeld(rowid, event),
      forget: (rowid) => this.held.delete(rowid),
    });
    this.insertCheckin = db.prepare(`INSERT INTO checkins
      (event_id, source, outcome, reason, guest_id, occasion_id, device_id, door_id, direction, credential_kind, credential_value, party_size, offline, occurred_at, occurred_ms, table_id, event_json, push_state)
      VALUES (@event_id, 'local', @outcome, @reason, @guest_id, @occasion_id, @device_id, @door_id, @direction, @credential_kind, @credential_value, @party_size, @offline, @occurred_at, @occurred_ms, @table_id, @event_json, 'pending')`);
  }

  /** The sync client says whether the hub answers; events record `offline` from it. Applying a sync page sets it. */
  setHubOnline(online: boolean): void {
    this.hubOnline = online;
  }

  /**
   * The sync client's measurement of this device's clock against the hub's (device minus hub, ms; null: none yet).
   * Beyond ±2 s, event times and ticket validity run on the venue's time (`venueNow`).
   */
  setClockSkew(skewMs: number | null): void {
    this.skewMs = skewMs === null || !Number.isFinite(skewMs) ? null : Math.round(skewMs);
  }

  /** Whether event times and validity decisions run on the corrected clock. */
  clockCorrected(): boolean {
    return this.skewMs !== null && Math.abs(this.skewMs) > CLOCK_CORRECT_ABOVE_MS;
  }

  /** The venue's time (ms): the device clock, minus the measured skew when it is off by more than 2 s. */
  venueNow(): number {
    const device = this.clock();
    return this.clockCorrected() ? device - (this.skewMs as number) : device;
  }

  /** Seconds since a scan last reached this service (a keyboard-wedge scanner's burst); null when none since start. */
  lastScanAgeSeconds(): number | null {
    return this.lastScanAt === null ? null : Math.max(0, (this.stageClock() - this.lastScanAt) / 1000);
  }

  /** The occasion being checked in now, or null (then every scan is `wrong_occasion`). */
  currentOccasion(nowMs: number = this.venueNow()): OccasionRule | null {
    this.occasionCache ??= { rules: this.reader.occasions() };
    return pickOccasion(this.occasionCache.rules, nowMs, this.config.occasion_id ?? null);
  }

  /** A ticket scanned or a card tapped: `raw` is exactly what the scanner or reader produced. */
  scan(raw: string, opts: ScanOptions): CheckinDecisionResult {
    const t0 = this.stageClock();
    if (typeof raw !== 'string') throw new CheckinInputError('the scanned value must be text');
    if (opts.kind !== 'barcode' && opts.kind !== 'nfc') throw new CheckinInputError(`a scan's kind is "barcode" or "nfc", not "${String(opts.kind)}"`);
    const { door_id, direction } = this.placeOf(opts);
    const norm = normalizeCredential(raw, opts.kind, this.normalizeOpts);
    const parsed = this.stageClock();
    if (!norm.ok && norm.error === 'empty') {
      // A stray Enter from a keyboard-wedge scanner: nothing to decide, nothing worth an audit row.
      return this.result(decide(this.emptyState(door_id, direction), { kind: opts.kind }, this.venueNow()), null, 'empty', {
        parse_ms: round3(parsed - t0), lookup_ms: 0, persist_ms: 0, total_ms: round3(this.stageClock() - t0),
      });
    }
    // Something was read: the scanner works (the heartbeat's last_scan_s for a keyboard-wedge kiosk).
    this.lastScanAt = t0;
    const value = norm.ok ? norm.value : raw.trim().slice(0, 256);
    const guest = norm.ok ? this.reader.guestByCredential(norm.kind, norm.value) : null;
    return this.decideAndRecord({ t0, parse_ms: parsed - t0, kind: opts.kind, value, guest, door_id, direction, normalize_error: norm.ok ? null : norm.error });
  }

  /** Staff checked a guest in by name (no ticket at hand): the same rules, recorded as `credential_kind: manual`. */
  manualCheckin(guestId: string, opts: ManualOptions = {}): CheckinDecisionResult {
    const t0 = this.stageClock();
    if (typeof guestId !== 'string' || guestId.length === 0) throw new CheckinInputError('a manual check-in needs the guest id');
    const { door_id, direction } = this.placeOf(opts);
    const guest = this.reader.guestById(guestId);
    return this.decideAndRecord({ t0, parse_ms: 0, kind: 'manual', value: null, guest, door_id, direction, normalize_error: null });
  }

  /** Staff search by name: accent- and case-insensitive prefixes of any name word, from two letters. */
  search(query: string, limit = 20): SearchHit[] {
    if (typeof query !== 'string') throw new CheckinInputError('the search query must be text');
    return this.reader.search(query, this.currentOccasion()?.id ?? null, limit);
  }

  /** A page from `GET /v1/sync` (guest list, tables, floor plan, tombstones, other doors' check-ins), all or nothing. */
  applySyncPage(page: SyncResponse | unknown, opts: ApplyOptions = {}): ApplyResult {
    const result = this.applier.apply(page, { nowMs: this.clock(), ...opts });
    this.occasionCache = null;
    this.hubOnline = true;
    return result;
  }

  /** The cursor to resume the sync from, and the guest-list version applied (for the heartbeat). */
  syncState(): { cursor: string | null; version: number } {
    return this.applier.feedState();
  }

  private placeOf(opts: { doorId?: string; direction?: Direction }): { door_id: string; direction: Direction } {
    const door_id = opts.doorId ?? this.config.door_id;
    const direction = opts.direction ?? 'entry';
    if (typeof door_id !== 'string' || door_id.length === 0 || door_id.length > 128) throw new CheckinInputError('the door id must be 1 to 128 characters');
    if (!DIRECTIONS.includes(direction)) throw new CheckinInputError(`the direction is "entry" or "exit", not "${String(direction)}"`);
    return { door_id, direction };
  }

  private emptyState(door_id: string, direction: Direction): DecisionState<StoredGuest> {
    return { occasion: null, guest: null, history: { entered: false, last: null }, door_id, direction, double_scan_window_ms: this.windowMs };
  }

  private decideAndRecord(a: Attempt): CheckinDecisionResult {
    // Validity, occasion and the double-scan window are decided on the venue's time; the device's own is kept beside.
    const device = this.clock();
    const corrected = this.clockCorrected();
    const now = corrected ? device - (this.skewMs as number) : device;
    const occasion = this.currentOccasion(now);
    const history: GuestHistory = a.guest ? this.reader.history(a.guest.id) : { entered: false, last: null };
    const decision = decide(
      { occasion, guest: a.guest, history, door_id: a.door_id, direction: a.direction, double_scan_window_ms: this.windowMs },
      { kind: a.kind },
      now,
    );
    const decided = this.stageClock();
    const parse_ms = round3(a.parse_ms);
    const lookup_ms = round3(decided - a.t0 - a.parse_ms);
    if (decision.outcome === 'deny' && decision.just_now) {
      return this.result(decision, null, a.normalize_error, { parse_ms, lookup_ms, persist_ms: 0, total_ms: round3(this.stageClock() - a.t0) });
    }
    const { event_id, rowid } = this.record(a, decision, now, corrected ? device : null, { parse_ms, lookup_ms });
    const done = this.stageClock();
    const figures: HeldFigures = { persist_ms: round3(done - decided), total_ms: round3(done - a.t0) };
    this.hold(rowid, figures);
    return this.result(decision, event_id, a.normalize_error, { parse_ms, lookup_ms, ...figures });
  }

  /**
   * Writes the row with its event. The event holds what is known before the commit (parse_ms, lookup_ms); persist_ms,
   * total_ms and latency_ms end after it, so they are held in memory by rowid and written into the event as the push
   * takes it from the outbox (`fillHeld`). After a restart they are gone, and the event goes without them.
   */
  private record(a: Attempt, d: Decision<StoredGuest>, now: number, deviceMs: number | null, known: Pick<CheckinStages, 'parse_ms' | 'lookup_ms'>): { event_id: string; rowid: number } {
    const event_id = this.newEventId();
    const occurred_at = new Date(now).toISOString();
    const device_time = deviceMs === null ? {} : { device_time: new Date(deviceMs).toISOString() };
    const offline = !this.hubOnline;
    const guest = d.guest;
    const row = {
      event_id,
      outcome: d.outcome === 'admit' ? 'admitted' : 'rejected',
      reason: d.outcome === 'deny' ? d.status : null,
      guest_id: guest?.id ?? null,
      occasion_id: guest?.occasion_id ?? null,
      device_id: this.config.device_id,
      door_id: a.door_id,
      direction: a.direction,
      credential_kind: a.kind,
      credential_value: a.value,
      party_size: d.outcome === 'admit' ? d.party_size : (guest?.party_size ?? 1),
      offline: offline ? 1 : 0,
      occurred_at,
      occurred_ms: now,
      table_id: guest?.table_id ?? null,
      event_json: '', // the event, once built below
    };
    const base = { event_id, occurred_at, venue_id: this.config.venue_id, device_id: this.config.device_id };
    const event: SeatPilotEvent =
      d.outcome === 'admit'
        ? {
            ...base,
            type: 'checkin.succeeded',
            payload: {
              guest_id: d.guest.id,
              credential_kind: a.kind,
              door_id: a.door_id,
              direction: a.direction,
              table_id: d.guest.table_id,
              party_size: d.party_size,
              offline,
              stages: { ...known },
              ...device_time,
            },
          }
        : { ...base, type: 'checkin.rejected', payload: { reason: d.status as RejectReason, credential_kind: a.kind, door_id: a.door_id, ...device_time } };
    // The row carries its event (venue-store/migrations/0006): one row in one commit, so neither exists without the other.
    // The event is not schema-checked here: it is built from already validated data, and the service's tests validate
    // every kind it builds with `checkEvent` (the check costs about as much as the rest of the scan path's CPU).
    row.event_json = JSON.stringify(event);
    let rowid: number;
    try {
      rowid = Number(this.insertCheckin.run(row).lastInsertRowid);
    } catch (e) {
      // Nothing was stored, so the door must not say "Welcome": the caller shows staff this message.
      throw new CheckinPersistError(`the check-in could not be stored (${(e as Error).message}); check the kiosk's disk`, { cause: e });
    }
    return { event_id, rowid };
  }

  private hold(rowid: number, figures: HeldFigures): void {
    if (this.held.size >= MAX_HELD_FIGURES) {
      const oldest = this.held.keys().next();
      if (!oldest.done) this.held.delete(oldest.value);
    }
    this.held.set(rowid, figures);
  }

  /** The push takes a check-in row's event: the scan's measured commit and total go in, when still held. */
  private fillHeld(rowid: number, event: SeatPilotEvent): void {
    const f = this.held.get(rowid);
    if (!f) return;
    if (event.type === 'checkin.succeeded') {
      event.payload.latency_ms = f.total_ms;
      event.payload.stages.persist_ms = f.persist_ms;
      event.payload.stages.total_ms = f.total_ms;
    } else if (event.type === 'checkin.rejected') {
      event.payload.latency_ms = f.total_ms;
    }
  }

  private result(d: Decision<StoredGuest>, event_id: string | null, normalize_error: NormalizeErrorCode | null, stages: Required<CheckinStages>): CheckinDecisionResult {
    const g = d.guest;
    return {
      outcome: d.outcome,
      status: d.status,
      just_now: d.outcome === 'deny' && d.just_now,
      guest: g ? { id: g.id, name: g.name, party_size: g.party_size, table_id: g.table_id, table_label: g.table_label } : null,
      event_id,
      normalize_error,
      stages,
    };
  }
}
