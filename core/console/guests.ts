// Venues, occasions and guests as the console's API and UI see them (cloud-sync/console/routes/, console web pages).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';
import { ReentryPolicySchema } from '../contract/contract';

const DateTime = Type.String({ format: 'date-time' });
const Id = Type.String({ minLength: 1, maxLength: 128 });

export const VenueSchema = Type.Object({ id: Type.String(), name: Type.String(), created_at: DateTime }, { additionalProperties: false });
export type Venue = Static<typeof VenueSchema>;
export const VenueListSchema = Type.Object({ venues: Type.Array(VenueSchema) }, { additionalProperties: false });
export const VenueInputSchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type VenueInput = Static<typeof VenueInputSchema>;

export const OccasionSchema = Type.Object(
  {
    id: Type.String(),
    venue_id: Type.String(),
    name: Type.String(),
    starts_at: DateTime,
    ends_at: DateTime,
    timezone: Type.String(),
    reentry_policy: ReentryPolicySchema,
    guests: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Occasion = Static<typeof OccasionSchema>;
export const OccasionListSchema = Type.Object({ occasions: Type.Array(OccasionSchema) }, { additionalProperties: false });
/** `POST /console/api/occasions` (all fields) and `PATCH /console/api/occasions/:id` (any of them but the venue). */
export const OccasionInputSchema = Type.Object(
  {
    venue_id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    starts_at: Type.String({ minLength: 1, maxLength: 64 }),
    ends_at: Type.String({ minLength: 1, maxLength: 64 }),
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    reentry_policy: ReentryPolicySchema,
  },
  { additionalProperties: false },
);
export type OccasionInput = Static<typeof OccasionInputSchema>;
export const OccasionPatchSchema = Type.Partial(Type.Omit(OccasionInputSchema, ['venue_id']), { additionalProperties: false, minProperties: 1 });
export type OccasionPatch = Static<typeof OccasionPatchSchema>;

export const GuestStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('revoked')]);
export type GuestStatus = Static<typeof GuestStatusSchema>;
export const CredentialSchema = Type.Object(
  { kind: Type.Union([Type.Literal('barcode'), Type.Literal('nfc')]), value: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type Credential = Static<typeof CredentialSchema>;

/**
 * One row of the guest list, everything the list shows and filters on. `GET /console/api/occasions/:id/guests` sends
 * every guest of the occasion at once (20,000 rows are ~3 MB): the list filters in the page, in well under a frame.
 */
export const GuestRowSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    party_size: Type.Integer({ minimum: 1 }),
    table_id: Nullable(Type.String()),
    table_label: Nullable(Type.String()),
    status: GuestStatusSchema,
    /** When the guest's first admission reached the cloud; null: not checked in (as far as the cloud knows). */
    checked_in_at: Nullable(DateTime),
    group: Nullable(Type.String()),
    needs: Type.Array(Type.String()),
    credentials: Type.Array(CredentialSchema),
  },
  { additionalProperties: false },
);
export type GuestRow = Static<typeof GuestRowSchema>;

export const SeatingTableRefSchema = Type.Object(
  { id: Type.String(), label: Type.String(), capacity: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type SeatingTableRef = Static<typeof SeatingTableRefSchema>;

export const GuestListSchema = Type.Object(
  { occasion_id: Type.String(), venue_id: Type.String(), guests: Type.Array(GuestRowSchema), tables: Type.Array(SeatingTableRefSchema) },
  { additionalProperties: false },
);
export type GuestList = Static<typeof GuestListSchema>;

/** `GET /console/api/guests/:id`. */
export const GuestDetailSchema = Type.Object(
  {
    id: Type.String(),
    venue_id: Type.String(),
    occasion_id: Type.String(),
    name: Type.String(),
    party_size: Type.Integer({ minimum: 1 }),
    table_id: Nullable(Type.String()),
    status: GuestStatusSchema,
    valid_from: Nullable(DateTime),
    valid_to: Nullable(DateTime),
    credentials: Type.Array(CredentialSchema),
    group: Nullable(Type.String()),
    needs: Type.Array(Type.String()),
    /** The planner's own notes: stay in the cloud, never reach the venue. */
    notes: Type.String(),
    /** What the venue's staff see (sql 0020, CSV columns meal/notes/tags; synced to the hub): the meal ordered, */
    meal: Nullable(Type.String()),
    /** the staff's notes ('' for none), */
    desk_notes: Type.String(),
    /** and tags, lower-case (`vip` alerts the host tablets when the guest arrives). */
    tags: Type.Array(Type.String()),
    checked_in_at: Nullable(DateTime),
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type GuestDetail = Static<typeof GuestDetailSchema>;

/** `PATCH /console/api/guests/:id`: any of the fields; `version` (from the detail) refuses a change made meanwhile (409). */
export const GuestPatchSchema = Type.Object(
  {
    version: Type.Integer(),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    party_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    table_id: Type.Optional(Nullable(Id)),
    status: Type.Optional(GuestStatusSchema),
    valid_from: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    valid_to: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    credentials: Type.Optional(Type.Array(CredentialSchema, { maxItems: 64 })),
    group: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    needs: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    /** null or '' clears it. */
    meal: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    desk_notes: Type.Optional(Type.String({ maxLength: 2000 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type GuestPatch = Static<typeof GuestPatchSchema>;

/**
 * `POST /console/api/occasions/:id/guests/import`, body the CSV (text/csv, the CLI's columns). With
 * `Accept: application/x-ndjson` the answer streams one ImportStreamLine per line: progress, then the result or the
 * refusal; otherwise one JSON answer (200 the report, 422 import_refused with every bad row).
 */
export const GuestImportReportSchema = Type.Object(
  { venue_id: Type.String(), occasion_id: Type.String(), rows: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() },
  { additionalProperties: false },
);
export type GuestImportReport = Static<typeof GuestImportReportSchema>;
export const ImportStreamLineSchema = Type.Union([
  Type.Object({ stage: Type.Union([Type.Literal('reading'), Type.Literal('checking'), Type.Literal('writing')]), done: Type.Integer(), total: Type.Integer() }, { additionalProperties: false }),
  Type.Object({ result: GuestImportReportSchema }, { additionalProperties: false }),
  Type.Object({ error: Type.String(), message: Type.String(), problems: Type.Optional(Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() }))) }, { additionalProperties: false }),
]);
export type ImportStreamLine = Static<typeof ImportStreamLineSchema>;
