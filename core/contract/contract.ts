// The wire contract of SYSTEM.md, defined once: JSON Schemas (TypeBox) with their TypeScript types derived from them.
// Kiosk, agent and cloud validate with these very objects; never restate a shape elsewhere.
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { HlcSchema } from '../desk/hlc';

/** Limits of `POST /v1/events` (SYSTEM.md, wire contract). */
export const LIMITS = {
  maxBodyBytes: 1024 * 1024,
  maxEventsPerBatch: 500,
  maxEventBytes: 32 * 1024,
  clockSkewSeconds: 300,
  nonceTtlSeconds: 600,
  rotatedKeyGraceSeconds: 24 * 3600,
  maxSyncLimit: 1000,
} as const;

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Ms = Type.Number({ minimum: 0 });

export const CredentialKindSchema = Type.Union([Type.Literal('barcode'), Type.Literal('nfc'), Type.Literal('manual')]);
export type CredentialKind = Static<typeof CredentialKindSchema>;

export const DirectionSchema = Type.Union([Type.Literal('entry'), Type.Literal('exit')]);
export type Direction = Static<typeof DirectionSchema>;

export const RejectReasonSchema = Type.Union([
  Type.Literal('unknown_credential'),
  Type.Literal('already_checked_in'),
  Type.Literal('revoked'),
  Type.Literal('not_yet_valid'),
  Type.Literal('expired'),
  Type.Literal('wrong_occasion'),
]);
export type RejectReason = Static<typeof RejectReasonSchema>;

/**
 * A scan's own measured times, in ms of the kiosk's monotonic clock (`performance.now()`, never the wall clock, so a
 * clock step cannot distort them). parse_ms: scanned text to credential; lookup_ms: guest and history read and the
 * decision; persist_ms: event built and the row committed durably; total_ms: scan to durably stored.
 * persist_ms and total_ms end after the commit, so they are written into the event when it is pushed; an event pushed
 * after the kiosk restarted no longer has them and omits them (never an estimate).
 */
export const CheckinStagesSchema = Type.Object(
  { parse_ms: Ms, lookup_ms: Ms, persist_ms: Type.Optional(Ms), total_ms: Type.Optional(Ms) },
  { additionalProperties: false },
);
export type CheckinStages = Static<typeof CheckinStagesSchema>;

export const CheckinSucceededPayloadSchema = Type.Object(
  {
    guest_id: Id,
    credential_kind: CredentialKindSchema,
    door_id: Id,
    direction: DirectionSchema,
    table_id: Type.Union([Id, Type.Null()]),
    party_size: Type.Integer({ minimum: 1, maximum: 1000 }),
    offline: Type.Boolean(),
    /** The stages' total_ms; absent when it is (see CheckinStagesSchema). */
    latency_ms: Type.Optional(Ms),
    stages: CheckinStagesSchema,
    /** The kiosk's own clock at the scan, when occurred_at was corrected to the venue's time (clock off by > 2 s). */
    device_time: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type CheckinSucceededPayload = Static<typeof CheckinSucceededPayloadSchema>;

export const CheckinRejectedPayloadSchema = Type.Object(
  {
    reason: RejectReasonSchema,
    credential_kind: CredentialKindSchema,
    door_id: Id,
    latency_ms: Type.Optional(Ms),
    device_time: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type CheckinRejectedPayload = Static<typeof CheckinRejectedPayloadSchema>;

/** Who told the hub a guest reached the table: a staff tap on a table tablet, or the guest's beacon tag dwelling there. */
export const ArrivalSourceSchema = Type.Union([Type.Literal('tablet'), Type.Literal('beacon')]);
export type ArrivalSource = Static<typeof ArrivalSourceSchema>;

export const SeatArrivedPayloadSchema = Type.Object(
  {
    guest_id: Id,
    table_id: Id,
    source: ArrivalSourceSchema,
    checked_in_at: DateTime,
  },
  { additionalProperties: false },
);
export type SeatArrivedPayload = Static<typeof SeatArrivedPayloadSchema>;

export const DeviceHeartbeatPayloadSchema = Type.Object(
  {
    app_version: Type.String({ minLength: 1, maxLength: 64 }),
    outbox_depth: Type.Integer({ minimum: 0 }),
    oldest_unsent_s: Type.Number({ minimum: 0 }),
    guest_list_version: Type.Integer({ minimum: 0 }),
    /** Null: the device has no scanner (the agent) or cannot tell (a keyboard-wedge scanner types like a keyboard). */
    scanner_ok: Type.Union([Type.Boolean(), Type.Null()]),
    /** Device clock minus the receiver's, in ms, from the last exchange; null before the first one. */
    clock_skew_ms: Type.Union([Type.Number(), Type.Null()]),
    /** Kiosks: seconds since the last scan reached the check-in service; null when none since the kiosk started. */
    last_scan_s: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    /** Kiosks: whether event times and ticket validity run on the clock corrected by clock_skew_ms (|skew| > 2 s). */
    clock_corrected: Type.Optional(Type.Boolean()),
    /**
     * The last push or pull fault with the next tier up, e.g. `unexpected_response: text/html from http://…` (a captive
     * portal) or `upstream unreachable: …`; null while both work. A heartbeat made during the fault reaches the cloud once a
     * path does, and the next one says it ended.
     */
    upstream_error: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type DeviceHeartbeatPayload = Static<typeof DeviceHeartbeatPayloadSchema>;

export const AssignCompletedPayloadSchema = Type.Object(
  {
    duration_ms: Ms,
    /** Guests seated ÷ guests to seat, 0–1 (1 when there was nobody to seat). */
    feasible: Type.Number({ minimum: 0, maximum: 1 }),
    channel: Type.Union([Type.Literal('cli'), Type.Literal('console'), Type.Literal('walk_in')]),
    guests: Type.Integer({ minimum: 0 }),
    tables: Type.Integer({ minimum: 0 }),
    /** The plan is proven optimal. */
    optimal: Type.Boolean(),
    /** (bound − score) / |bound| when a bound is known, else null. */
    gap: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type AssignCompletedPayload = Static<typeof AssignCompletedPayloadSchema>;

/** Who made a venue-side change (SYSTEM.md: the kiosk's and tablets' staff roles, and the console's planner). */
export const ActorRoleSchema = Type.Union([Type.Literal('steward'), Type.Literal('supervisor'), Type.Literal('planner')]);
export type ActorRole = Static<typeof ActorRoleSchema>;

/** A table id, or null for a guest who has (or had) no table. */
const TableRef = Type.Union([Id, Type.Null()]);

/** A check-in undone: `reverted_event_id` names the `checkin.succeeded` it undoes; the guest may check in again. */
export const CheckinRevertedPayloadSchema = Type.Object(
  {
    guest_id: Id,
    reverted_event_id: Uuid,
    door_id: Id,
    by_role: ActorRoleSchema,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type CheckinRevertedPayload = Static<typeof CheckinRevertedPayloadSchema>;

/** A walk-in added at the venue; the id is made there, so the cloud adds the guest idempotently. */
export const GuestAddedPayloadSchema = Type.Object(
  {
    guest_id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    party_size: Type.Integer({ minimum: 1, maximum: 1000 }),
    table_id: TableRef,
    door_id: Id,
    by_role: ActorRoleSchema,
    /** The occasion the walk-in came to (the one under way at the venue); absent, the cloud takes the one under way then. */
    occasion_id: Type.Optional(Id),
    /** The HLC of the walk-in's seat decision (core/desk/hlc.ts). */
    hlc: Type.Optional(HlcSchema),
  },
  { additionalProperties: false },
);
export type GuestAddedPayload = Static<typeof GuestAddedPayloadSchema>;

export const SeatChangeSourceSchema = Type.Union([Type.Literal('console'), Type.Literal('hub'), Type.Literal('engine')]);
export type SeatChangeSource = Static<typeof SeatChangeSourceSchema>;

/**
 * A guest moved between tables (or seated, or unseated: either side null), or their party's size changed (a +1):
 * `party_size` is then the new size and `from_party_size` the one it replaces, and the tables may be equal.
 * `hlc` orders it against a decision about the same guest made elsewhere (core/desk/hlc.ts).
 */
export const SeatChangedPayloadSchema = Type.Object(
  {
    guest_id: Id,
    from_table_id: TableRef,
    to_table_id: TableRef,
    source: SeatChangeSourceSchema,
    by_role: ActorRoleSchema,
    party_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    from_party_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    hlc: Type.Optional(HlcSchema),
  },
  { additionalProperties: false },
);
export type SeatChangedPayload = Static<typeof SeatChangedPayloadSchema>;

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

/**
 * One entry of the hub's hash-chained audit (edge-agent/audit-log.ts), carried up by the push so the cloud keeps and
 * verifies each venue's chain (core/audit/chain.ts: the fields hashed are these, with tenant_id = venue_id).
 * Only the hub makes them: from a door's key it is refused.
 */
export const AuditEntryPayloadSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    at: DateTime,
    device_id: Type.Union([Id, Type.Null()]),
    actor: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.String({ minLength: 1, maxLength: 64 }),
    action: Type.String({ minLength: 1, maxLength: 64 }),
    entity: Type.String({ minLength: 1, maxLength: 64 }),
    entity_id: Type.Union([Id, Type.Null()]),
    before: Type.Unknown(),
    after: Type.Unknown(),
    prev_hash: Sha256Hex,
    hash: Sha256Hex,
  },
  { additionalProperties: false },
);
export type AuditEntryPayload = Static<typeof AuditEntryPayloadSchema>;

/** A wrong staff PIN typed at a door; `locked` when it locked staff mode (kiosk/ipc/pin-lockout.ts). Audited at the hub. */
export const StaffPinFailedPayloadSchema = Type.Object(
  {
    door_id: Id,
    /** Wrong PINs in a row, this one included. */
    failures: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    locked: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type StaffPinFailedPayload = Static<typeof StaffPinFailedPayloadSchema>;

/** One payload schema per event type: the single source for validation on every tier. */
export const PAYLOAD_SCHEMAS = {
  'checkin.succeeded': CheckinSucceededPayloadSchema,
  'checkin.rejected': CheckinRejectedPayloadSchema,
  'seat.arrived': SeatArrivedPayloadSchema,
  'device.heartbeat': DeviceHeartbeatPayloadSchema,
  'assign.completed': AssignCompletedPayloadSchema,
  'checkin.reverted': CheckinRevertedPayloadSchema,
  'guest.added': GuestAddedPayloadSchema,
  'seat.changed': SeatChangedPayloadSchema,
  'audit.entry': AuditEntryPayloadSchema,
  'staff.pin_failed': StaffPinFailedPayloadSchema,
} as const satisfies Record<string, TSchema>;

export type EventType = keyof typeof PAYLOAD_SCHEMAS;
export const EVENT_TYPES = Object.keys(PAYLOAD_SCHEMAS) as EventType[];
export type PayloadOf<T extends EventType> = Static<(typeof PAYLOAD_SCHEMAS)[T]>;

/** The envelope of one event around its type and payload, written once for the open base and for each typed event. */
const envelopeOf = <Ty extends TSchema, P extends TSchema>(type: Ty, payload: P) =>
  Type.Object({ event_id: Uuid, type, occurred_at: DateTime, venue_id: Id, device_id: Id, payload }, { additionalProperties: false });

/** The common fields of every event; the payload is checked against its type's schema separately. */
export const EventBaseSchema = envelopeOf(Type.String({ minLength: 1, maxLength: 64 }), Type.Object({}, { additionalProperties: true }));

/**
 * An event whose envelope is valid but whose type this build does not know (one added to the contract later). A relay
 * (the hub) keeps and forwards it as it came; the final receiver (the cloud) checks its type.
 */
export type RelayedEvent = Static<typeof EventBaseSchema>;

type EventSchemaOf<T extends EventType> = ReturnType<typeof envelopeOf<TLiteral<T>, (typeof PAYLOAD_SCHEMAS)[T]>>;
const eventSchemaOf = <T extends EventType>(type: T): EventSchemaOf<T> => envelopeOf(Type.Literal(type), PAYLOAD_SCHEMAS[type]);

/** A fully typed event: the envelope with the payload of its type, one member per entry of PAYLOAD_SCHEMAS. */
export const SeatPilotEventSchema = Type.Union(EVENT_TYPES.map(eventSchemaOf)) as TUnion<Array<{ [T in EventType]: EventSchemaOf<T> }[EventType]>>;
export type SeatPilotEvent = Static<typeof SeatPilotEventSchema>;

/** The batch envelope. `events` items are left open here: each event is validated on its own. */
export const EventBatchSchema = Type.Object(
  {
    batch_id: Uuid,
    sent_at: DateTime,
    events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: LIMITS.maxEventsPerBatch }),
  },
  { additionalProperties: false },
);
export type EventBatch = Static<typeof EventBatchSchema>;

export const IngestRejectionSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  event_id: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  detail: Type.String(),
});
export type IngestRejection = Static<typeof IngestRejectionSchema>;

export const IngestResultSchema = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0 }),
  rejected: Type.Array(IngestRejectionSchema),
});
export type IngestResult = Static<typeof IngestResultSchema>;

/** Per-event rejection reasons the receivers use (the `reason` of an IngestRejection). */
export type EventRejectReason =
  | 'invalid_event'
  | 'unknown_type'
  | 'invalid_payload'
  | 'event_too_large'
  | 'device_mismatch'
  | 'venue_mismatch'
  | 'duplicate_in_batch';

/** 401 codes of the signing scheme. */
export type AuthErrorCode =
  | 'missing_auth'
  | 'unknown_key'
  | 'revoked_key'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'replayed_nonce';

/** Every `{"error": code}` a `/v1/*` route may answer with. */
export type WireErrorCode = AuthErrorCode | 'bad_json' | 'bad_envelope' | 'payload_too_large' | 'unsupported_media_type' | 'rate_limited' | 'bad_request' | 'forbidden' | 'not_found' | 'unavailable' | 'internal_error';

export const ErrorBodySchema = Type.Object({ error: Type.String(), message: Type.Optional(Type.String()) });
export type ErrorBody = Static<typeof ErrorBodySchema>;

// ---------------------------------------------------------------------------------------------
// GET /v1/sync: guest-list changes (cloud → agent → kiosk) and other doors' check-ins (agent → kiosk).

export const ReentryPolicySchema = Type.Union([
  Type.Literal('single'),
  Type.Literal('after_exit'),
  Type.Literal('unlimited'),
]);
export type ReentryPolicy = Static<typeof ReentryPolicySchema>;

export const SyncOccasionSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    starts_at: DateTime,
    ends_at: DateTime,
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    reentry_policy: ReentryPolicySchema,
  },
  { additionalProperties: false },
);
export type SyncOccasion = Static<typeof SyncOccasionSchema>;

export const SyncCredentialSchema = Type.Object(
  { kind: Type.Union([Type.Literal('barcode'), Type.Literal('nfc')]), value: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type SyncCredential = Static<typeof SyncCredentialSchema>;

export const GuestStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('revoked')]);
export type GuestStatus = Static<typeof GuestStatusSchema>;

export const SyncGuestSchema = Type.Object(
  {
    id: Id,
    occasion_id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    party_size: Type.Integer({ minimum: 1, maximum: 1000 }),
    table_id: Type.Union([Id, Type.Null()]),
    status: GuestStatusSchema,
    valid_from: Type.Union([DateTime, Type.Null()]),
    valid_to: Type.Union([DateTime, Type.Null()]),
    credentials: Type.Array(SyncCredentialSchema, { maxItems: 32 }),
    // Sent only to a client that named the `guest_desk` feature (the hub; its doors never get them):
    /** The HLC of the decision that set table_id (core/desk/hlc.ts); null before any. */
    table_hlc: Type.Optional(Type.Union([HlcSchema, Type.Null()])),
    /** The HLC of the decision that set party_size. */
    party_hlc: Type.Optional(Type.Union([HlcSchema, Type.Null()])),
    /** Guest tags (`vip` raises an alert on the tablets). */
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
    /** The meal ordered (CSV column `meal`), counted per table on the tablets. */
    meal: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    /** Notes for the venue's staff (CSV column `notes`), shown on the tablets. */
    notes: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type SyncGuest = Static<typeof SyncGuestSchema>;

/** Floor-plan units are metres from the plan's top-left corner. */
export const SyncTableSchema = Type.Object(
  {
    id: Id,
    label: Type.String({ minLength: 1, maxLength: 64 }),
    capacity: Type.Integer({ minimum: 0, maximum: 1000 }),
    shape: Type.Union([Type.Literal('round'), Type.Literal('rect')]),
    x: Type.Number(),
    y: Type.Number(),
    w: Type.Number({ minimum: 0 }),
    h: Type.Number({ minimum: 0 }),
    /** The table's tags (`accessible`, ...), matched against a walk-in's needs; only with the `guest_desk` feature. */
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type SyncTable = Static<typeof SyncTableSchema>;

const Segment = Type.Object({ x1: Type.Number(), y1: Type.Number(), x2: Type.Number(), y2: Type.Number() }, { additionalProperties: false });
const Rect = Type.Object({ x: Type.Number(), y: Type.Number(), w: Type.Number({ minimum: 0 }), h: Type.Number({ minimum: 0 }) }, { additionalProperties: false });

export const SyncFloorPlanSchema = Type.Object(
  {
    width: Type.Number({ exclusiveMinimum: 0 }),
    height: Type.Number({ exclusiveMinimum: 0 }),
    walls: Type.Array(Segment),
    obstacles: Type.Array(Rect),
    doors: Type.Array(Type.Object({ id: Id, label: Type.String({ maxLength: 64 }), x: Type.Number(), y: Type.Number() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type SyncFloorPlan = Static<typeof SyncFloorPlanSchema>;

export const SyncCheckinSchema = Type.Object(
  {
    event_id: Uuid,
    guest_id: Id,
    door_id: Id,
    device_id: Id,
    direction: DirectionSchema,
    party_size: Type.Integer({ minimum: 1 }),
    occurred_at: DateTime,
  },
  { additionalProperties: false },
);
export type SyncCheckin = Static<typeof SyncCheckinSchema>;

/** `version` orders changes per venue; applying a change whose version is not newer than the stored one is a no-op. */
const Version = Type.Integer({ minimum: 1 });

export const SyncChangeSchema = Type.Union([
  Type.Object({ kind: Type.Literal('occasion'), version: Version, occasion: SyncOccasionSchema }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('guest'), version: Version, guest: SyncGuestSchema }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('table'), version: Version, table: SyncTableSchema }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('floor_plan'), version: Version, floor_plan: SyncFloorPlanSchema }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('tombstone'),
      version: Version,
      entity: Type.Union([Type.Literal('guest'), Type.Literal('table'), Type.Literal('occasion')]),
      id: Id,
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('checkin'), version: Version, checkin: SyncCheckinSchema }, { additionalProperties: false }),
]);
export type SyncChange = Static<typeof SyncChangeSchema>;

/** A sync page around its changes' schema: the v1 page and each negotiated one have the same envelope. */
const syncPageOf = <C extends TSchema>(change: C) =>
  Type.Object({ cursor: Type.String(), has_more: Type.Boolean(), changes: Type.Array(change) }, { additionalProperties: false });

export const SyncResponseSchema = syncPageOf(SyncChangeSchema);
export type SyncResponse = Static<typeof SyncResponseSchema>;

/**
 * Sync features a client names in `GET /v1/sync?features=a,b` (signed with the query). A server sends a change kind
 * outside `SyncChangeSchema` only to a client that named its feature: a kiosk that has not updated validates pages
 * strictly and would fail every page on a kind it does not know. Names a server does not know are ignored.
 */
export const SYNC_FEATURES = ['checkin_reverts', 'guest_desk'] as const;
export type SyncFeature = (typeof SYNC_FEATURES)[number];

/** A check-in undone at some door (checkin.reverted), as the doors apply it: the check-in no longer counts for the guest. */
export const SyncCheckinRevertSchema = Type.Object(
  {
    /** The check-in's event id (the checkin.succeeded undone). */
    event_id: Uuid,
    guest_id: Id,
    /** The revert's own event id. */
    reverted_event_id: Uuid,
    door_id: Id,
    occurred_at: DateTime,
  },
  { additionalProperties: false },
);
export type SyncCheckinRevert = Static<typeof SyncCheckinRevertSchema>;

/** The changes of a client that named `checkin_reverts`: every v1 kind, and `checkin_reverted`. */
export const SyncChangeV2Schema = Type.Union([
  ...SyncChangeSchema.anyOf,
  Type.Object({ kind: Type.Literal('checkin_reverted'), version: Version, reverted: SyncCheckinRevertSchema }, { additionalProperties: false }),
]);
export type SyncChangeV2 = Static<typeof SyncChangeV2Schema>;

export const SyncResponseV2Schema = syncPageOf(SyncChangeV2Schema);
export type SyncResponseV2 = Static<typeof SyncResponseV2Schema>;

export const SyncQuerySchema = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 256 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxSyncLimit })),
  /** Comma-separated SyncFeature names; unknown ones are ignored. */
  features: Type.Optional(Type.String({ maxLength: 256 })),
});
export type SyncQuery = Static<typeof SyncQuerySchema>;
