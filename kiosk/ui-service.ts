// The kiosk service as the screens see it (KioskServicePort): the check-in core's results turned into screen terms,
// the floor plan for wayfinding, device status, and the staff PIN check.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RejectReason, SyncFloorPlan, SyncTable } from '../core/contract/contract';
import type { CheckinDecisionResult, CheckinService } from './checkin-service';
import type { CheckinScreen, FindTableAnswer, GuestView, KioskSetup, KioskStatus, OutOfOrderReason, ScanRequest, ScannerState, SeatingCounts, StaffRole, TabletPairingCode } from './ipc/channels';
import { DeskRefusal, HubUnavailableError, type KioskServicePort } from './ipc/handlers';
import type { PinFailure } from './ipc/pin-lockout';
import { GuestReader } from './guests';
import { TableFinder } from './find-table';
import { addWalkIn, createTabletPairingCode, moveGuest, proposeWalkIn, revertCheckin, seatingCounts, StaffApiError } from '../protocol/staff-client';
import {
  DESK_ERROR_CODES, type DeskErrorCode, type KioskMoveRequest, type KioskRevertRequest, type KioskWalkInProposalRequest, type KioskWalkInRequest,
  type MoveRequest, type MoveResult, type RevertRequest, type RevertResult, type WalkInProposal, type WalkInProposalRequest, type WalkInRequest, type WalkInResult,
} from '../core/contract/desk';
import { newEventId } from '../core/contract/event-id';
import type { SignedHttp } from '../protocol/http-client';
import type { RuntimeStore } from '../venue-store/runtime-store';
import type { StoreHealth } from '../venue-store/store-health';

export interface ScannerReport {
  state: ScannerState;
  devices: { device: string; state: ScannerState; detail: string | null }[];
}

/** What staff mode asks of the venue hub (protocol/staff-client.ts over the kiosk's signed link). */
export interface StaffHub {
  seatingCounts(): Promise<SeatingCounts>;
  pairTablet(label: string | undefined, role: StaffRole): Promise<TabletPairingCode>;
  /** The venue desk (core/contract/desk.ts); a refusal throws StaffApiError with the hub's code. */
  proposeWalkIn(req: KioskWalkInProposalRequest): Promise<WalkInProposal>;
  addWalkIn(req: KioskWalkInRequest): Promise<WalkInResult>;
  move(req: KioskMoveRequest): Promise<MoveResult>;
  revert(req: KioskRevertRequest): Promise<RevertResult>;
}

/** Staff mode's calls to the hub, over the same signed link the kiosk syncs with. */
export function staffHub(http: SignedHttp): StaffHub {
  return {
    seatingCounts: () => seatingCounts(http),
    pairTablet: (label, role) => createTabletPairingCode(http, { ...(label ? { label } : {}), role }),
    proposeWalkIn: (req) => proposeWalkIn(http, req),
    addWalkIn: (req) => addWalkIn(http, req),
    move: (req) => moveGuest(http, req),
    revert: (req) => revertCheckin(http, req),
  };
}

/** What staff read when the hub refuses a desk request; the screen shows its own words for each code (es, en). */
const DESK_REFUSALS: Record<DeskErrorCode, string> = {
  supervisor_required: 'A supervisor must do this: ask them to enter their PIN.',
  not_found: 'The venue hub does not know this guest or table: search again, or ask the planner.',
  table_full: 'That table has no room for the whole party: pick another table.',
  needs_unmet: 'That table lacks what the party needs: pick another table.',
  nothing_to_revert: 'This guest has no check-in to undo.',
  no_occasion: 'No event is under way at the venue now: walk-ins are added to the event under way.',
  request_reused: 'The venue hub had this request id for another request: nothing was done. Start again from the screen.',
  bad_request: 'The venue hub refused this request',
};
const isDeskCode = (code: string): code is DeskErrorCode => (DESK_ERROR_CODES as readonly string[]).includes(code);
const NEEDS_HUB = 'Walk-ins and moves need the venue hub';

export interface UiServiceOptions {
  venueName: string;
  language: 'es' | 'en';
  /** The steward's PIN (ui.staff_pin). */
  staffPin: string;
  /** ui.supervisor_pin; absent, stewards keep every right. */
  supervisorPin?: string;
  resultMs: number;
  scannerMaxGapMs?: number;
  keyboardScanner?: boolean;
  /** What the hardware adapters report; browser mode with a keyboard-wedge scanner reports it as present. */
  scanners: () => ScannerReport;
  /** Whether the hub answered recently (the sync client knows); without one, a sync in the last 2 minutes counts. */
  hubOnline?: () => boolean;
  /** The venue hub, for live seating counts and tablet pairing; absent on a kiosk that runs alone. */
  hub?: StaffHub;
  /** Called after a check-in was recorded (the sync client pushes its event to the hub right away). */
  afterRecord?: () => void;
  /** The store's health (a full disk, a damaged file): a fault puts the door out of order with what staff should do. */
  storeHealth?: StoreHealth;
  /** Set when this start set a damaged file aside: out of order until the hub has sent the guest list again. */
  rebuilt?: RuntimeStore['rebuilt'];
  /** The last push or pull fault with the hub (a captive portal, a refusal), null while both work. */
  hubError?: () => string | null;
  clock?: () => number;
  /** ui.find_my_table (default true): the idle screen's "Find my table" and its channel. */
  findMyTable?: boolean;
  /** The find-my-table rate limit (default 10 at once, then one every 6 s). */
  findRate?: { capacity: number; refillMs: number };
}

const HUB_FRESH_MS = 120_000;

function outOfOrderReason(fault: KioskStatus['database']['fault']): OutOfOrderReason {
  switch (fault) {
    case 'disk_full':
      return 'disk_full';
    case 'damaged':
    case 'rebuilt':
      return 'database_damaged';
    case 'write_failed':
    case undefined:
      return 'database';
    default: {
      const never: never = fault;
      return never;
    }
  }
}
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class KioskUiService implements KioskServicePort {
  private readonly reader: GuestReader;
  private readonly q: { floor: Statement; tables: Statement; floorVersion: Statement; door: Statement; lastSync: Statement; ping: Statement };
  private readonly pinDigest: Buffer;
  private readonly supervisorDigest: Buffer | null;
  private readonly clock: () => number;
  private readonly finder: TableFinder;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly core: CheckinService,
    private readonly opts: UiServiceOptions,
  ) {
    this.reader = new GuestReader(db);
    this.pinDigest = digest(opts.staffPin);
    this.supervisorDigest = opts.supervisorPin === undefined ? null : digest(opts.supervisorPin);
    this.clock = opts.clock ?? Date.now;
    this.finder = new TableFinder(db, { enabled: opts.findMyTable ?? true, clock: this.clock, occasionId: () => core.currentOccasion()?.id ?? null, ...(opts.findRate ? { capacity: opts.findRate.capacity, refillMs: opts.findRate.refillMs } : {}) });
    this.q = {
      floor: db.prepare('SELECT plan_json FROM floor_plan WHERE id = 1').pluck(),
      tables: db.prepare('SELECT id, label, capacity, shape, x, y, w, h FROM tables ORDER BY id'),
      // The plan's version, the newest table's and how many tables there are: an added, changed or deleted table or a
      // new plan changes it.
      floorVersion: db.prepare(`SELECT coalesce((SELECT version FROM floor_plan WHERE id = 1), 0) || ':' || coalesce(max(version), 0) || ':' || count(*) FROM tables`).pluck(),
      door: db.prepare('SELECT label FROM doors WHERE id = ?').pluck(),
      lastSync: db.prepare('SELECT max(updated_at) FROM sync_state').pluck(),
      ping: db.prepare('SELECT 1').pluck(),
    };
  }

  async scan(c: ScanRequest): Promise<CheckinScreen> {
    const r = this.stored(() => this.core.scan(c.value, { kind: c.kind }));
    if (r.event_id) this.opts.afterRecord?.();
    return this.toScreen(r);
  }

  async manualCheckin(guestId: string): Promise<CheckinScreen | null> {
    if (!this.stored(() => this.reader.guestById(guestId))) return null;
    const r = this.stored(() => this.core.manualCheckin(guestId));
    if (r.event_id) this.opts.afterRecord?.();
    return this.toScreen(r);
  }

  /** Runs a store call; a store fault is reported to the health (the door goes out of order) and rethrown. */
  private stored<T>(run: () => T): T {
    try {
      return run();
    } catch (e) {
      this.opts.storeHealth?.report(e);
      throw e;
    }
  }

  async search(query: string) {
    return this.core.search(query).map((h) => ({
      id: h.guest_id,
      name: h.name,
      party_size: h.party_size,
      table_id: h.table_id,
      table_label: h.table_label,
      status: h.status,
      checked_in_at: h.checked_in_at,
    }));
  }

  async setup(): Promise<KioskSetup> {
    const json = this.q.floor.get() as string | undefined;
    return {
      venue_name: this.opts.venueName,
      language: this.opts.language,
      door_id: this.core.config.door_id,
      result_ms: this.opts.resultMs,
      keyboard_scanner: this.opts.keyboardScanner ?? true,
      scanner_max_gap_ms: this.opts.scannerMaxGapMs ?? 50,
      floor: { plan: json ? (JSON.parse(json) as SyncFloorPlan) : null, tables: this.q.tables.all() as SyncTable[] },
      floor_version: this.q.floorVersion.get() as string,
      find_my_table: this.opts.findMyTable ?? true,
    };
  }

  async findTable(surnamePrefix: string): Promise<FindTableAnswer> {
    return this.stored(() => this.finder.find(surnamePrefix));
  }

  async status(): Promise<KioskStatus> {
    let database: KioskStatus['database'] = { ok: true, detail: null };
    let outbox = 0;
    let version = 0;
    let floorVersion = '';
    let lastSync: string | null = null;
    try {
      this.q.ping.get();
      outbox = this.core.outbox.depth();
      version = this.core.syncState().version;
      floorVersion = this.q.floorVersion.get() as string;
      lastSync = (this.q.lastSync.get() as string | null) ?? null;
    } catch (e) {
      this.opts.storeHealth?.report(e);
      database = { ok: false, detail: (e as Error).message };
    }
    const fault = this.opts.storeHealth?.current() ?? null;
    if (fault) database = { ok: false, fault: fault.code, detail: `${fault.detail} (${fault.error})` };
    const rebuilt = this.opts.rebuilt;
    // After a rebuild the guest list is empty until the hub has sent it again: refusing everyone would be a lie.
    const reloading = rebuilt && version === 0 && database.ok;
    if (reloading) {
      const next = this.opts.hub ? 'the guest list is loading from the hub' : 'this kiosk has no hub to reload its guest list from: restore the file from a backup or pair the kiosk with the venue hub';
      database = { ok: false, fault: 'rebuilt', detail: `the kiosk's database file was damaged and set aside (${rebuilt.damagedFile}); ${rebuilt.recoveredEvents} unsent check-ins were kept; ${next}` };
    }
    const scanner = this.opts.scanners();
    const online = this.opts.hubOnline ? this.opts.hubOnline() : lastSync !== null && this.clock() - Date.parse(lastSync) < HUB_FRESH_MS;
    const out_of_order: KioskStatus['out_of_order'] = !database.ok
      ? { reason: outOfOrderReason(database.fault), detail: database.detail ?? 'unreadable' }
      : scanner.state !== 'ok'
        ? { reason: 'no_scanner', detail: scanner.devices.map((d) => `${d.device}: ${d.detail ?? d.state}`).join('; ') || 'no scanner configured' }
        : null;
    const hub = { online, last_sync_at: lastSync, last_error: this.opts.hubError?.() ?? null };
    return { scanner, database, hub, outbox_depth: outbox, guest_list_version: version, floor_version: floorVersion, out_of_order };
  }

  async seatingCounts(): Promise<SeatingCounts> {
    return this.viaHub((hub) => hub.seatingCounts());
  }

  async pairTablet(label: string | undefined, role: StaffRole): Promise<TabletPairingCode> {
    return this.viaHub((hub) => hub.pairTablet(label, role));
  }

  async deskProposeWalkIn(req: WalkInProposalRequest, role: StaffRole): Promise<WalkInProposal> {
    return this.viaDesk((hub) => hub.proposeWalkIn({ ...req, ...this.deskFields(role) }));
  }

  async deskAddWalkIn(req: WalkInRequest, role: StaffRole): Promise<WalkInResult> {
    return this.viaDesk((hub) => hub.addWalkIn({ ...req, ...this.deskFields(role) }));
  }

  async deskMove(req: MoveRequest, role: StaffRole): Promise<MoveResult> {
    return this.viaDesk((hub) => hub.move({ ...req, ...this.deskFields(role) }));
  }

  async deskRevert(req: RevertRequest, role: StaffRole): Promise<RevertResult> {
    return this.viaDesk((hub) => hub.revert({ ...req, ...this.deskFields(role) }));
  }

  guestTable(guestId: string): string | null | undefined {
    const g = this.stored(() => this.reader.guestById(guestId));
    return g ? g.table_id : undefined;
  }

  /** Queued like a check-in's event and pushed at once: the hub audits it (entity door). */
  pinFailed(failure: PinFailure): void {
    const cfg = this.core.config;
    this.stored(() =>
      this.core.outbox.append({
        event_id: newEventId(),
        type: 'staff.pin_failed',
        occurred_at: new Date(this.core.venueNow()).toISOString(),
        venue_id: cfg.venue_id,
        device_id: cfg.device_id,
        payload: { door_id: cfg.door_id, failures: failure.failures, locked: failure.locked },
      }),
    );
    this.opts.afterRecord?.();
  }

  private deskFields(role: StaffRole): { by_role: StaffRole; door_id: string } {
    return { by_role: role, door_id: this.core.config.door_id };
  }

  /** A desk call: the hub's refusals become DeskRefusal with words staff understand; no hub, or silence, says the hub is needed. */
  private async viaDesk<T>(call: (hub: StaffHub) => Promise<T>): Promise<T> {
    const hub = this.opts.hub;
    if (!hub) throw new HubUnavailableError('no_hub', `${NEEDS_HUB}: this kiosk has none configured.`);
    try {
      return await call(hub);
    } catch (e) {
      if (e instanceof StaffApiError) {
        // An older hub has no desk routes: its 404 names the route, not a guest.
        if (e.status === 404 && /^no route for /.test(e.message)) throw new HubUnavailableError('hub_unreachable', `${NEEDS_HUB}, and this hub's version does not offer them: update the hub.`);
        if (isDeskCode(e.code)) {
          const message = e.code === 'bad_request' ? `${DESK_REFUSALS.bad_request}: ${e.message}` : e.code === 'supervisor_required' && e.message ? e.message : DESK_REFUSALS[e.code];
          throw new DeskRefusal(e.code, message);
        }
        throw new HubUnavailableError('hub_unreachable', `${NEEDS_HUB}, and it could not do this (${e.status} ${e.code}): check the hub, then try again.`);
      }
      throw new HubUnavailableError('hub_unreachable', `${NEEDS_HUB}, and it is not answering (${(e as Error).message}): check the hub and the network, then try again.`);
    }
  }

  private async viaHub<T>(call: (hub: StaffHub) => Promise<T>): Promise<T> {
    const hub = this.opts.hub;
    if (!hub) throw new HubUnavailableError('no_hub', 'This kiosk has no venue hub configured: seating counts and tablet pairing come from the hub.');
    try {
      return await call(hub);
    } catch (e) {
      throw new HubUnavailableError('hub_unreachable', `The venue hub did not answer (${(e as Error).message}); check the hub and the network, then try again.`);
    }
  }

  staffRoleForPin(pin: string): StaffRole | null {
    const presented = digest(pin);
    // Both comparisons always run, in constant time: how long this takes says nothing about which PIN was near.
    const steward = timingSafeEqual(presented, this.pinDigest);
    const supervisor = timingSafeEqual(presented, this.supervisorDigest ?? this.pinDigest) && this.supervisorDigest !== null;
    return supervisor ? 'supervisor' : steward ? 'steward' : null;
  }

  hasSupervisorPin(): boolean {
    return this.supervisorDigest !== null;
  }

  private toScreen(r: CheckinDecisionResult): CheckinScreen {
    const guest: GuestView | null = r.guest
      ? { id: r.guest.id, name: r.guest.name, party_size: r.guest.party_size, table_id: r.guest.table_id, table_label: r.guest.table_label }
      : null;
    if (r.outcome === 'admit' && guest) {
      return { outcome: 'admitted', guest, checked_in_at: new Date(this.clock()).toISOString(), door_id: this.core.config.door_id };
    }
    const reason = (r.status === 'ok' ? 'unknown_credential' : r.status) as RejectReason;
    let previous: Extract<CheckinScreen, { outcome: 'rejected' }>['previous'] = null;
    if (reason === 'already_checked_in' && guest) {
      const last = this.reader.history(guest.id).last;
      if (last) {
        previous = {
          checked_in_at: new Date(last.at_ms).toISOString(),
          door_id: last.door_id,
          door_label: (this.q.door.get(last.door_id) as string | undefined) ?? null,
        };
      }
    }
    return { outcome: 'rejected', reason, guest, previous };
  }
}
