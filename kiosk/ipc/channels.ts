// The kiosk's one IPC channel map: main registers handlers from it, preload exposes `invoke<K>()` from it, and browser mode
// serves it over HTTP. Requests are TypeBox schemas (validated with core/contract/validate's Ajv at the crossing); responses are types.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RejectReason, SyncFloorPlan, SyncTable } from '../../core/contract/contract';
import { StaffRoleSchema, TabletLabelSchema, type SeatingCounts, type StaffRole, type TabletPairingCode } from '../../core/contract/staff';
import {
  MoveRequestSchema, RevertRequestSchema, WalkInProposalRequestSchema, WalkInRequestSchema,
  type MoveResult, type RevertResult, type WalkInOption, type WalkInProposal, type WalkInResult,
} from '../../core/contract/desk';
import type { Channel, KioskEventName } from './channel-names';

export { CHANNEL_NAMES, EVENT_NAMES, ipcChannelName, ipcEventName, isChannel, type Channel, type KioskEventName } from './channel-names';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const StaffToken = Type.String({ minLength: 16, maxLength: 128 });

export const ScanRequestSchema = Type.Object(
  { kind: Type.Union([Type.Literal('barcode'), Type.Literal('nfc')]), value: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type ScanRequest = Static<typeof ScanRequestSchema>;

export const SearchRequestSchema = Type.Object(
  { staff_token: StaffToken, query: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type SearchRequest = Static<typeof SearchRequestSchema>;

export const ManualCheckinRequestSchema = Type.Object({ staff_token: StaffToken, guest_id: Id }, { additionalProperties: false });
export type ManualCheckinRequest = Static<typeof ManualCheckinRequestSchema>;

export const StaffUnlockRequestSchema = Type.Object({ pin: Type.String({ minLength: 1, maxLength: 32 }) }, { additionalProperties: false });
export type StaffUnlockRequest = Static<typeof StaffUnlockRequestSchema>;

/** A staff call that carries nothing but the staff session (lock, seating counts). */
export const StaffRequestSchema = Type.Object({ staff_token: StaffToken }, { additionalProperties: false });
export type StaffRequest = Static<typeof StaffRequestSchema>;

/** The label the hub shows for the paired tablet, and the role it works with (default steward). */
export const PairTabletRequestSchema = Type.Object(
  { staff_token: StaffToken, label: Type.Optional(TabletLabelSchema), role: Type.Optional(StaffRoleSchema) },
  { additionalProperties: false },
);
export type PairTabletRequest = Static<typeof PairTabletRequestSchema>;

/** Find my table (a guest without a ticket): what they typed of their surname. At least 3 letters is the service's rule (a sentence the guest reads). */
export const FindTableRequestSchema = Type.Object({ surname_prefix: Type.String({ maxLength: 60 }) }, { additionalProperties: false });
export type FindTableRequest = Static<typeof FindTableRequestSchema>;

// The venue desk (core/contract/desk.ts): the staff session plus the desk request's own fields. The kiosk adds whose
// session asks and its door; `request_id` (the hub's retry key) is made here when the screen gives none.
const StaffTokenField = Type.Object({ staff_token: StaffToken });
const OptionalRequestId = Type.Partial(Type.Pick(WalkInRequestSchema, ['request_id']));

export const DeskProposeWalkInRequestSchema = Type.Composite([StaffTokenField, WalkInProposalRequestSchema], { additionalProperties: false });
export type DeskProposeWalkInRequest = Static<typeof DeskProposeWalkInRequestSchema>;
export const DeskAddWalkInRequestSchema = Type.Composite([StaffTokenField, Type.Omit(WalkInRequestSchema, ['request_id']), OptionalRequestId], { additionalProperties: false });
export type DeskAddWalkInRequest = Static<typeof DeskAddWalkInRequestSchema>;
/** A move to another table needs a supervisor; a party-size change alone does not. */
export const DeskMoveRequestSchema = Type.Composite([StaffTokenField, Type.Omit(MoveRequestSchema, ['request_id']), OptionalRequestId], { additionalProperties: false });
export type DeskMoveRequest = Static<typeof DeskMoveRequestSchema>;
/** Undo a check-in (supervisor): `reason` is what staff typed. */
export const DeskRevertRequestSchema = Type.Composite([StaffTokenField, Type.Omit(RevertRequestSchema, ['request_id']), OptionalRequestId], { additionalProperties: false });
export type DeskRevertRequest = Static<typeof DeskRevertRequestSchema>;

export type { MoveResult, RevertResult, WalkInOption, WalkInProposal, WalkInResult };

export const EmptyRequestSchema = Type.Object({}, { additionalProperties: false });
export type EmptyRequest = Static<typeof EmptyRequestSchema>;

/** What the screens show of a guest. */
export interface GuestView {
  id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  table_label: string | null;
}

/** A check-in as the screens show it (ui-service.ts makes it from the service's CheckinDecisionResult): admitted, or refused with the contract's reason. */
export type CheckinScreen =
  | { outcome: 'admitted'; guest: GuestView; checked_in_at: string; door_id: string }
  | {
      outcome: 'rejected';
      reason: RejectReason;
      guest: GuestView | null;
      /** For `already_checked_in`: when and at which door the guest came in. */
      previous: { checked_in_at: string; door_id: string; door_label: string | null } | null;
    };

export interface GuestMatch extends GuestView {
  checked_in_at: string | null;
  status: 'active' | 'revoked';
}

/**
 * A find-my-table match: all a stranger at the kiosk may see of a guest. `id` is a per-boot handle (an HMAC of the guest
 * id), never the guest id; no surname, party, credential or check-in state.
 */
export interface FindTableMatch {
  id: string;
  first_name: string;
  surname_initial: string;
  table_id: string | null;
  table_label: string | null;
}
/** `more`: further guests match than are shown ("keep typing"). */
export interface FindTableAnswer {
  matches: FindTableMatch[];
  more: boolean;
}

export type ScannerState = 'ok' | 'missing' | 'error';
export type OutOfOrderReason = 'no_scanner' | 'database' | 'disk_full' | 'database_damaged';

export interface KioskStatus {
  scanner: { state: ScannerState; devices: { device: string; state: ScannerState; detail: string | null }[] };
  /** `fault` names a store fault (venue-store/store-health.ts) or a file rebuilt at this start. */
  database: { ok: boolean; detail: string | null; fault?: 'disk_full' | 'damaged' | 'write_failed' | 'rebuilt' };
  /** `last_error`: the last push or pull fault with the hub (null while both work), e.g. a captive portal's page. */
  hub: { online: boolean; last_sync_at: string | null; last_error: string | null };
  outbox_depth: number;
  guest_list_version: number;
  /** Changes whenever the floor plan or any table does (a publish from the Seat Designer): the screen then asks for the setup again. */
  floor_version: string;
  /** Non-null puts the kiosk on its out-of-order screen, with this reason for staff. */
  out_of_order: { reason: OutOfOrderReason; detail: string } | null;
}

export type Language = 'es' | 'en';

/** What the renderer needs at start: who it is and the floor to draw routes on (asked again when the floor changes). */
export interface KioskSetup {
  venue_name: string;
  language: Language;
  door_id: string;
  /** How long a result screen stays before the kiosk returns to idle. */
  result_ms: number;
  /**
   * Whether scans arrive as keystrokes in the page (a keyboard-wedge scanner without a hardware config). False when main
   * reads the scanners itself: the same keys would otherwise be a second scan.
   */
  keyboard_scanner: boolean;
  /** Keys of a keyboard-wedge scanner arrive closer than this; slower typing is a person. */
  scanner_max_gap_ms: number;
  floor: { plan: SyncFloorPlan | null; tables: SyncTable[] };
  /** KioskStatus.floor_version of this floor. */
  floor_version: string;
  /** Whether the idle screen offers "Find my table" (ui.find_my_table). */
  find_my_table: boolean;
}

/** Staff mode shows the hub's own answers: live counts (per table and occasion) and tablet pairing codes. */
export type { SeatingCounts, TabletPairingCode };

export type { StaffRole };

/** `role`: whose PIN opened the session (ui.staff_pin a steward's, ui.supervisor_pin a supervisor's). */
export interface StaffSession {
  staff_token: string;
  expires_at: string;
  role: StaffRole;
  /**
   * Whether this session may do what needs a supervisor (undo, a move to another table): a supervisor's, or any
   * session at a kiosk without a supervisor PIN. The screen disables those buttons otherwise, and says why.
   */
  supervisor_rights: boolean;
}

/** The map itself: a request schema per channel, the response type beside it. */
export const CHANNELS = {
  'checkin.scan': ScanRequestSchema,
  'guests.search': SearchRequestSchema,
  'checkin.manual': ManualCheckinRequestSchema,
  'staff.unlock': StaffUnlockRequestSchema,
  'staff.lock': StaffRequestSchema,
  'kiosk.status': EmptyRequestSchema,
  'kiosk.setup': EmptyRequestSchema,
  'staff.seating': StaffRequestSchema,
  'staff.pairTablet': PairTabletRequestSchema,
  'guest.findTable': FindTableRequestSchema,
  'desk.proposeWalkIn': DeskProposeWalkInRequestSchema,
  'desk.addWalkIn': DeskAddWalkInRequestSchema,
  'desk.move': DeskMoveRequestSchema,
  'desk.revert': DeskRevertRequestSchema,
} as const satisfies Record<Channel, TSchema>;

/** Every channel's response; keyed by Channel so a channel without a response type does not compile. */
export interface ChannelResponses extends Record<Channel, unknown> {
  'checkin.scan': CheckinScreen;
  'guests.search': GuestMatch[];
  'checkin.manual': CheckinScreen;
  'staff.unlock': StaffSession;
  'staff.lock': { locked: true };
  'kiosk.status': KioskStatus;
  'kiosk.setup': KioskSetup;
  'staff.seating': SeatingCounts;
  'staff.pairTablet': TabletPairingCode;
  'guest.findTable': FindTableAnswer;
  'desk.proposeWalkIn': WalkInProposal;
  'desk.addWalkIn': WalkInResult;
  'desk.move': MoveResult;
  'desk.revert': RevertResult;
}

export type ChannelRequest<K extends Channel> = Static<(typeof CHANNELS)[K]>;
export type ChannelResponse<K extends Channel> = ChannelResponses[K];

/**
 * `no_session`: browser mode only, a request without this boot's page session (the page reloads itself to get it).
 * `supervisor_required`: a steward's session asked for what only a supervisor may do (ipc/staff-roles.ts), or the hub
 * said so (a walk-in above its size limit for stewards).
 * The venue desk's refusals, as the hub gave them (core/contract/desk.ts DeskErrorCode): `table_full` (fewer free seats
 * than the party), `needs_unmet` (the table lacks what the party needs), `nothing_to_revert` (no check-in to undo),
 * `no_occasion` (nothing under way at the venue), `request_reused` (the request id came with another request);
 * `not_found` (guest or table) and `bad_request` as elsewhere.
 */
export type IpcErrorCode =
  | 'bad_request' | 'unknown_channel' | 'wrong_pin' | 'too_many_attempts' | 'staff_locked' | 'not_found' | 'unavailable' | 'no_hub' | 'hub_unreachable'
  | 'no_session' | 'rate_limited' | 'disabled' | 'supervisor_required' | 'table_full' | 'needs_unmet' | 'nothing_to_revert' | 'no_occasion' | 'request_reused';
export interface IpcError {
  code: IpcErrorCode;
  message: string;
  /** `rate_limited`: when to try again. */
  retry_after_s?: number;
}
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The typed call every renderer transport offers (Electron preload or browser-mode HTTP). */
export type Invoke = <K extends Channel>(channel: K, request: ChannelRequest<K>) => Promise<IpcResult<ChannelResponse<K>>>;

/** Pushed from main to the renderer: raw scans from the hardware adapters and status changes. */
export interface KioskEvents {
  scan: { kind: 'barcode' | 'nfc'; value: string; device: string };
  status: KioskStatus;
}
// Every event name has a payload type, and every payload type a name.
type _EventsMatch = [KioskEventName, keyof KioskEvents] extends [keyof KioskEvents, KioskEventName] ? true : never;
export const EVENTS_MATCH: _EventsMatch = true;

/** What a renderer gets from its transport: the Electron preload (`window.seatpilot`) or the browser-mode HTTP bridge. */
export interface KioskBridge {
  invoke: Invoke;
  /** Subscribe to a pushed event; returns the unsubscribe function. */
  on<E extends KioskEventName>(event: E, listener: (payload: KioskEvents[E]) => void): () => void;
}
