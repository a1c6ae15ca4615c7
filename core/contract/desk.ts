// The venue desk's API (issue 20): walk-ins with the hub's seating proposal, moves and party changes, undoing a
// check-in. One set of schemas for the hub's signed routes (`/v1/desk/*`, a kiosk's staff mode), the tablets'
// routes (`/tablet/api/desk/*`) and the kiosk's IPC channels. The hub decides; doors and tablets only ask.
import { Type, type Static } from '@sinclair/typebox';
import { HlcSchema } from '../desk/hlc';
import { StaffRoleSchema } from './staff';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Uuid = Type.String({ format: 'uuid' });
const TableRef = Type.Union([Id, Type.Null()]);
const PartySize = Type.Integer({ minimum: 1, maximum: 1000 });
const Tag = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

/** Walk-ins of more than this many people need a supervisor unless the hub's config says otherwise (desk.steward_walk_in_max). */
export const DEFAULT_STEWARD_WALK_IN_MAX = 4;

/** `POST /v1/desk/walk-ins/proposal`: where the hub would seat a party that just walked in. Nothing is written. */
export const WalkInProposalRequestSchema = Type.Object(
  {
    party_size: PartySize,
    /** Table tags the party needs (`accessible`): only tables carrying all of them are proposed. */
    needs: Type.Optional(Type.Array(Tag, { maxItems: 16 })),
  },
  { additionalProperties: false },
);
export type WalkInProposalRequest = Static<typeof WalkInProposalRequestSchema>;

export const WalkInOptionSchema = Type.Object(
  {
    table_id: Id,
    label: Type.String(),
    capacity: Type.Integer({ minimum: 0 }),
    /** Seats free now: capacity − the party sizes of the guests seated there (arrived or expected). */
    free_seats: Type.Integer(),
    /** Guests (parties) already seated at the table. */
    parties: Type.Integer({ minimum: 0 }),
    /** The engine's score for this choice (higher is better); the first option is the proposal. */
    score: Type.Number(),
  },
  { additionalProperties: false },
);
export type WalkInOption = Static<typeof WalkInOptionSchema>;

export const WalkInProposalSchema = Type.Object(
  {
    /** Best first; empty when no table can take the party (then `reason` says why). */
    options: Type.Array(WalkInOptionSchema),
    reason: Type.Union([Type.Literal('no_table_with_room'), Type.Literal('needs_unmet'), Type.Literal('no_tables'), Type.Null()]),
    /** Measured on the hub, proposal only (channel walk_in of assign.completed). */
    duration_ms: Type.Number({ minimum: 0 }),
    guests: Type.Integer({ minimum: 0 }),
    tables: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type WalkInProposal = Static<typeof WalkInProposalSchema>;

/**
 * `POST /v1/desk/walk-ins`: add the walk-in at this table (the proposal's or another staff picked; null: no table)
 * and check them in at once. `request_id` is made by the caller: sent twice, added once.
 */
export const WalkInRequestSchema = Type.Object(
  {
    request_id: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    party_size: PartySize,
    table_id: TableRef,
  },
  { additionalProperties: false },
);
export type WalkInRequest = Static<typeof WalkInRequestSchema>;

export const DeskGuestSchema = Type.Object(
  {
    id: Id,
    name: Type.String(),
    party_size: PartySize,
    table_id: TableRef,
    table_label: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type DeskGuest = Static<typeof DeskGuestSchema>;

export const WalkInResultSchema = Type.Object(
  {
    guest: DeskGuestSchema,
    /** The guest.added event's id and the checkin.succeeded's. */
    guest_event_id: Uuid,
    checkin_event_id: Uuid,
    /** false: this request_id had already added the guest (a retry). */
    created: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type WalkInResult = Static<typeof WalkInResultSchema>;

/**
 * `POST /v1/desk/moves`: move a guest (with their party) to another table, and/or change the party's size (a +1).
 * Leave `to_table_id` out to keep the table; leave `party_size` out to keep the size. Moving between tables needs a
 * supervisor; changing the size does not.
 */
export const MoveRequestSchema = Type.Object(
  {
    request_id: Uuid,
    guest_id: Id,
    to_table_id: Type.Optional(TableRef),
    party_size: Type.Optional(PartySize),
  },
  { additionalProperties: false },
);
export type MoveRequest = Static<typeof MoveRequestSchema>;

export const MoveResultSchema = Type.Object(
  {
    guest: DeskGuestSchema,
    from_table_id: TableRef,
    from_party_size: PartySize,
    /** The seat.changed event's id; null when nothing changed (the guest was already there, with that party). */
    event_id: Type.Union([Uuid, Type.Null()]),
    hlc: Type.Union([HlcSchema, Type.Null()]),
    created: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type MoveResult = Static<typeof MoveResultSchema>;

/** `POST /v1/desk/reverts` (supervisor): undo the guest's last check-in, so they may check in again. */
export const RevertRequestSchema = Type.Object(
  {
    request_id: Uuid,
    guest_id: Id,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type RevertRequest = Static<typeof RevertRequestSchema>;

export const RevertResultSchema = Type.Object(
  {
    guest_id: Id,
    /** The checkin.succeeded undone, and the checkin.reverted's own id. */
    reverted_event_id: Uuid,
    event_id: Uuid,
    created: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type RevertResult = Static<typeof RevertResultSchema>;

/**
 * What a desk call may answer besides success (the `error` of the 4xx body, the `code` of an IPC error):
 * supervisor_required 403, not_found 404 (guest or table), table_full 409 (the table has fewer free seats than the
 * party), needs_unmet 409, nothing_to_revert 409 (the guest has no check-in to undo), no_occasion 409 (no occasion
 * under way at the venue), request_reused 409 (this request_id was already used for another request: a retry must
 * carry the same fields), bad_request 400.
 */
export const DESK_ERROR_CODES = ['supervisor_required', 'not_found', 'table_full', 'needs_unmet', 'nothing_to_revert', 'no_occasion', 'request_reused', 'bad_request'] as const;
export type DeskErrorCode = (typeof DESK_ERROR_CODES)[number];

export const DESK_ERROR_STATUS: Record<DeskErrorCode, number> = {
  supervisor_required: 403,
  not_found: 404,
  table_full: 409,
  needs_unmet: 409,
  nothing_to_revert: 409,
  no_occasion: 409,
  request_reused: 409,
  bad_request: 400,
};

/** Who asks, as the hub records it: the device (a kiosk's id, or `tablet:<id>`), its staff role and its door. */
export const DeskActorSchema = Type.Object(
  { device_id: Id, role: StaffRoleSchema, door_id: Id },
  { additionalProperties: false },
);
export type DeskActor = Static<typeof DeskActorSchema>;

/** A VIP checked in: what the tablets of their table, and every host tablet, show (`vip` message of /tablet/api/stream). */
export const VipAlertSchema = Type.Object(
  {
    guest_id: Id,
    name: Type.String(),
    table_id: TableRef,
    table_label: Type.Union([Type.String(), Type.Null()]),
    party_size: PartySize,
    checked_in_at: Type.String({ format: 'date-time' }),
    door_id: Id,
    notes: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type VipAlert = Static<typeof VipAlertSchema>;

// A table's meals (TableMealsSchema) is defined in staff.ts beside the board that carries it (staff.ts may not import this module: this one imports it).
export { TableMealsSchema, type TableMeals } from './staff';

/**
 * A kiosk's staff mode calls `/v1/desk/*` signed with the kiosk's key; the body adds whose session asks (the kiosk
 * checked the PIN: the hub trusts its kiosks' staff mode, as for pairing codes) and the kiosk's door.
 */
export const KioskDeskFieldsSchema = Type.Object({ by_role: StaffRoleSchema, door_id: Id }, { additionalProperties: false });
export type KioskDeskFields = Static<typeof KioskDeskFieldsSchema>;

export const KioskWalkInProposalRequestSchema = Type.Composite([WalkInProposalRequestSchema, KioskDeskFieldsSchema], { additionalProperties: false });
export type KioskWalkInProposalRequest = Static<typeof KioskWalkInProposalRequestSchema>;
export const KioskWalkInRequestSchema = Type.Composite([WalkInRequestSchema, KioskDeskFieldsSchema], { additionalProperties: false });
export type KioskWalkInRequest = Static<typeof KioskWalkInRequestSchema>;
export const KioskMoveRequestSchema = Type.Composite([MoveRequestSchema, KioskDeskFieldsSchema], { additionalProperties: false });
export type KioskMoveRequest = Static<typeof KioskMoveRequestSchema>;
export const KioskRevertRequestSchema = Type.Composite([RevertRequestSchema, KioskDeskFieldsSchema], { additionalProperties: false });
export type KioskRevertRequest = Static<typeof KioskRevertRequestSchema>;
