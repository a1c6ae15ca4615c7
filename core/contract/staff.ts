// The staff-mode contract, defined once (TypeBox) beside the event contract: what table tablets, beacon gateways and
// the kiosks' staff mode send the hub and what it answers. The hub checks request bodies with the shared Ajv; the
// tablet page, the kiosk and protocol/staff-client.ts import the types.
import { Type, type Static } from '@sinclair/typebox';
import { ArrivalSourceSchema } from './contract';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const DateTime = Type.String({ format: 'date-time' });
const Ms = Type.Number();
const Count = Type.Integer({ minimum: 0 });

/** The name the hub shows for a paired tablet (`tablet list`, the tablet's own header). */
export const TabletLabelSchema = Type.String({ minLength: 1, maxLength: 64 });
export type TabletLabel = Static<typeof TabletLabelSchema>;

/**
 * Who works a kiosk's staff mode or a paired tablet. A supervisor may do all a steward may, and what a steward may not
 * (pairing devices; later undo, moves, large walk-ins).
 */
export const StaffRoleSchema = Type.Union([Type.Literal('steward'), Type.Literal('supervisor')]);
export type StaffRole = Static<typeof StaffRoleSchema>;

const ROLE_RANK: Record<StaffRole, number> = { steward: 0, supervisor: 1 };

/** Whether `role` may do what needs `needed` (a supervisor may do all a steward may): kiosk and hub ask this one rule. */
export function roleAllows(role: StaffRole, needed: StaffRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

// --- the kiosks' staff mode (signed, kiosk keys) ---------------------------------------------------------------------

/** `POST /v1/tablets/pairing-codes`. */
export const TabletPairingCodeRequestSchema = Type.Object(
  {
    label: Type.Optional(TabletLabelSchema),
    ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    /** The role the paired tablet works with; default steward. */
    role: Type.Optional(StaffRoleSchema),
    /** A host tablet (the host stand) is alerted of every VIP's arrival, whatever tables it shows; default false. */
    host: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type TabletPairingCodeRequest = Static<typeof TabletPairingCodeRequestSchema>;

/** A single-use code a table tablet pairs with (the code itself is stored only as its hash). */
export const TabletPairingCodeSchema = Type.Object(
  /** `role` is absent from hubs older than roles (their tablets are stewards); `host` from hubs older than the desk. */
  { code: Type.String(), label: Type.String(), expires_at: DateTime, role: Type.Optional(StaffRoleSchema), host: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type TabletPairingCode = Static<typeof TabletPairingCodeSchema>;

/** `POST /v1/tablets/:id/revoke`. */
export const TabletRevokedSchema = Type.Object({ tablet_id: Type.String(), status: Type.Literal('revoked') }, { additionalProperties: false });
export type TabletRevoked = Static<typeof TabletRevokedSchema>;

export const TableCountsSchema = Type.Object(
  { table_id: Type.String(), label: Type.String(), expected: Count, checked_in: Count, seated: Count },
  { additionalProperties: false },
);
export type TableCounts = Static<typeof TableCountsSchema>;

export const OccasionCountsSchema = Type.Object(
  { occasion_id: Type.String(), name: Type.String(), expected: Count, checked_in: Count, seated: Count },
  { additionalProperties: false },
);
export type OccasionCounts = Static<typeof OccasionCountsSchema>;

/** `GET /v1/seating/counts`: the venue's live counts per table and per occasion. */
export const SeatingCountsSchema = Type.Object(
  { tables: Type.Array(TableCountsSchema), occasions: Type.Array(OccasionCountsSchema) },
  { additionalProperties: false },
);
export type SeatingCounts = Static<typeof SeatingCountsSchema>;

// --- the table tablets (/tablet/api/*, a bearer token) ---------------------------------------------------------------

/** `POST /tablet/api/pair`. An empty label keeps the one staff gave the code. */
export const TabletPairRequestSchema = Type.Object(
  { code: Type.String({ minLength: 4, maxLength: 32 }), label: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type TabletPairRequest = Static<typeof TabletPairRequestSchema>;

/** The token is shown once: the hub keeps only its hash. */
export const TabletPairResponseSchema = Type.Object(
  { tablet_id: Type.String(), label: Type.String(), token: Type.String() },
  { additionalProperties: false },
);
export type TabletPairResponse = Static<typeof TabletPairResponseSchema>;

/** `GET /tablet/api/me`. */
export const TabletMeSchema = Type.Object(
  { tablet_id: Type.String(), role: StaffRoleSchema, undo_seconds: Type.Number(), now_ms: Ms, host: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type TabletMe = Static<typeof TabletMeSchema>;

/** `GET /tablet/api/tables`: the venue's counts, on the hub's clock. */
export const TabletTablesSchema = Type.Composite([Type.Object({ now_ms: Ms }), SeatingCountsSchema], { additionalProperties: false });
export type TabletTables = Static<typeof TabletTablesSchema>;

export const GuestSeatStatusSchema = Type.Union([Type.Literal('expected'), Type.Literal('on_the_way'), Type.Literal('arrived')]);
export type GuestSeatStatus = Static<typeof GuestSeatStatusSchema>;

export const BoardGuestSchema = Type.Object(
  {
    guest_id: Type.String(),
    name: Type.String(),
    party_size: Type.Integer(),
    table_id: Type.String(),
    status: GuestSeatStatusSchema,
    checked_in_at: Type.Union([DateTime, Type.Null()]),
    arrived_at: Type.Union([DateTime, Type.Null()]),
    arrival_source: Type.Union([ArrivalSourceSchema, Type.Null()]),
    /** The arrival's key while it can still be undone. */
    undo_key: Type.Union([Type.String(), Type.Null()]),
    undo_until_ms: Type.Union([Ms, Type.Null()]),
    /** A beacon placed this guest at another table. */
    seen_at: Type.Union([
      Type.Object({ table_id: Type.String(), table_label: Type.String(), seen_at: DateTime }, { additionalProperties: false }),
      Type.Null(),
    ]),
    // From the cloud's guest list (guest_desk sync feature); absent from hubs older than the desk.
    /** The meal ordered (CSV column `meal`). */
    meal: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    /** The staff's notes on this guest (CSV column `notes`). */
    notes: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    /** Tagged `vip`. */
    vip: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type BoardGuest = Static<typeof BoardGuestSchema>;

/**
 * A table's meals, for the kitchen ("Table 7: 2 vegetarian, 1 gluten-free"); counts are of people (party sizes).
 * Defined here, beside the board that carries it (desk.ts re-exports it: the two modules may not import each other).
 */
export const TableMealsSchema = Type.Object(
  { table_id: Id, meals: Type.Array(Type.Object({ meal: Type.String(), people: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })) },
  { additionalProperties: false },
);
export type TableMeals = Static<typeof TableMealsSchema>;

/** `GET /tablet/api/board?tables=…` and each `board` message of `/tablet/api/stream`. */
export const BoardSchema = Type.Object(
  { now_ms: Ms, tables: Type.Array(TableCountsSchema), guests: Type.Array(BoardGuestSchema), meals: Type.Optional(Type.Array(TableMealsSchema)) },
  { additionalProperties: false },
);
export type Board = Static<typeof BoardSchema>;

/** A staff tap. `key` is made on the tablet when the tap happens and is the seat.arrived event_id: sent twice, stored once. */
export const TapRequestSchema = Type.Object(
  {
    key: Type.String({ format: 'uuid' }),
    guest_id: Id,
    table_id: Type.Optional(Type.Union([Id, Type.Null()])),
    /** When the tap happened, on the agent's clock as the tablet last learned it (a queued tap keeps its moment). */
    tapped_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type TapRequest = Static<typeof TapRequestSchema>;

/** Pending: a tablet tap inside its undo window; committed: written to the outbox as seat.arrived. */
export const ArrivalStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('committed'), Type.Literal('undone')]);
export type ArrivalState = Static<typeof ArrivalStateSchema>;

/** An arrival at the table as the hub keeps it (times in ms on the hub's clock). */
export const ArrivalSchema = Type.Object(
  {
    event_id: Type.String(),
    guest_id: Type.String(),
    table_id: Type.String(),
    source: ArrivalSourceSchema,
    by_device: Type.String(),
    checked_in_at: DateTime,
    occurred_at: DateTime,
    occurred_ms: Ms,
    received_ms: Ms,
    commit_after_ms: Ms,
    state: ArrivalStateSchema,
  },
  { additionalProperties: false },
);
export type Arrival = Static<typeof ArrivalSchema>;

/** `POST /tablet/api/arrivals`: 201 pending for a new tap, 200 with the stored state for a repeated one. */
export const TapResponseSchema = Type.Object({ status: ArrivalStateSchema, arrival: ArrivalSchema }, { additionalProperties: false });
export type TapResponse = Static<typeof TapResponseSchema>;

/** `DELETE /tablet/api/arrivals/:key`. */
export const UndoResponseSchema = Type.Object({ status: Type.Literal('undone') }, { additionalProperties: false });
export type UndoResponse = Static<typeof UndoResponseSchema>;

/** `PUT /tablet/api/beacon-tags/:tag`. */
export const TagAssignRequestSchema = Type.Object({ guest_id: Id }, { additionalProperties: false });
export type TagAssignRequest = Static<typeof TagAssignRequestSchema>;

export const TagAssignedSchema = Type.Object({ tag: Type.String(), guest_id: Type.String() }, { additionalProperties: false });
export type TagAssigned = Static<typeof TagAssignedSchema>;

/** `DELETE /tablet/api/beacon-tags/:tag`. */
export const TagUnassignedSchema = Type.Object({ tag: Type.String(), status: Type.Literal('unassigned') }, { additionalProperties: false });
export type TagUnassigned = Static<typeof TagUnassignedSchema>;

/** What the page turns into a message; `tablet_*` 401s all mean "ask staff to pair this tablet again". */
export const TabletErrorCodeSchema = Type.Union([
  Type.Literal('tablet_unpaired'),
  Type.Literal('tablet_token_invalid'),
  Type.Literal('tablet_revoked'),
  Type.Literal('bad_request'),
  Type.Literal('bad_pairing_code'),
  Type.Literal('rate_limited'),
  Type.Literal('unknown_guest'),
  Type.Literal('unknown_table'),
  Type.Literal('not_checked_in'),
  Type.Literal('already_arrived'),
  Type.Literal('key_reused'),
  Type.Literal('not_found'),
  Type.Literal('undo_window_over'),
  Type.Literal('not_undoable'),
  Type.Literal('forbidden'),
  Type.Literal('supervisor_required'),
]);
export type TabletErrorCode = Static<typeof TabletErrorCodeSchema>;

/** A refusal of the tablet API or of the hub's staff and beacon routes; `already_arrived` carries the arrival. */
export const TabletErrorBodySchema = Type.Object(
  { error: TabletErrorCodeSchema, message: Type.String(), arrival: Type.Optional(ArrivalSchema) },
  { additionalProperties: false },
);
export type TabletErrorBody = Static<typeof TabletErrorBodySchema>;

// --- beacon gateways (signed, gateway keys) --------------------------------------------------------------------------

/**
 * `POST /v1/beacon/sightings` from a beacon gateway: what its receivers heard. `tag` is the beacon's key
 * (core/decoders/ble-beacon.ts beaconKey: "ibeacon:<uuid>:<major>:<minor>" or "eddystone:<namespace>:<instance>"); `table_id`
 * is the table whose receiver heard it; `seen_at` defaults to the time the agent received the batch.
 */
export const BeaconSightingsSchema = Type.Object(
  {
    sightings: Type.Array(
      Type.Object(
        {
          tag: Type.String({ minLength: 1, maxLength: 200 }),
          table_id: Id,
          rssi: Type.Number({ minimum: -127, maximum: 20 }),
          seen_at: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type BeaconSightings = Static<typeof BeaconSightingsSchema>;

/** The batch's sightings of known tags at known tables, the ones left out, and the seat.arrived events they made. */
export const BeaconSightingsResultSchema = Type.Object(
  {
    accepted: Count,
    unknown_tags: Count,
    unknown_tables: Count,
    arrivals: Type.Array(Type.Object({ guest_id: Type.String(), table_id: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type BeaconSightingsResult = Static<typeof BeaconSightingsResultSchema>;
