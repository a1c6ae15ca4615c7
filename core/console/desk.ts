// The venue desk as the console shows it (issue 20): the seat conflicts a planner reviews (the losing side of two
// concurrent seat decisions, sql 0020 guestlist.seat_conflicts) and each venue's hub audit chain as the cloud holds it.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';

const DateTime = Type.String({ format: 'date-time' });

export const SeatConflictFieldSchema = Type.Union([Type.Literal('table'), Type.Literal('party')]);
export type SeatConflictField = Static<typeof SeatConflictFieldSchema>;

/** One side of a conflict: what was decided, where, by whom, and when by its hybrid logical clock. */
export const SeatDecisionSchema = Type.Object(
  {
    /** A table id (field table; null: no table) or a party size as text (field party). */
    value: Nullable(Type.String()),
    /** The table's label when the field is the table and the table is known. */
    table_label: Nullable(Type.String()),
    /** console, hub, engine, cli, import. */
    source: Type.String(),
    /** A console account, or a device and role at the venue; null when not known. */
    actor: Nullable(Type.String()),
    hlc: Nullable(Type.String()),
    /** The HLC's wall-clock part; null without an HLC (an older agent's decision). */
    hlc_at: Nullable(DateTime),
  },
  { additionalProperties: false },
);
export type SeatDecision = Static<typeof SeatDecisionSchema>;

export const SeatConflictSchema = Type.Object(
  {
    id: Type.Integer(),
    guest_id: Type.String(),
    /** null when the guest is no longer in the list. */
    guest_name: Nullable(Type.String()),
    field: SeatConflictFieldSchema,
    winner: SeatDecisionSchema,
    loser: SeatDecisionSchema,
    detected_at: DateTime,
    acknowledged_at: Nullable(DateTime),
    acknowledged_by: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type SeatConflict = Static<typeof SeatConflictSchema>;

/**
 * `GET /console/api/venues/:venue/seat-conflicts`: unacknowledged first, then newest first (at most `limit`, default
 * 200); `unacknowledged` counts all of them, shown or not.
 */
export const SeatConflictListSchema = Type.Object(
  { venue_id: Type.String(), unacknowledged: Type.Integer({ minimum: 0 }), conflicts: Type.Array(SeatConflictSchema) },
  { additionalProperties: false },
);
export type SeatConflictList = Static<typeof SeatConflictListSchema>;
export const SeatConflictQuerySchema = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false });
export type SeatConflictQuery = Static<typeof SeatConflictQuerySchema>;

/**
 * One venue's hub audit chain as the cloud holds it (cloud-sync/desk/venue-audit-verify.ts): `entries` checked and
 * sound; `incomplete`: entries from `first_missing_seq` have not arrived yet (the WAN was down), what did arrive is
 * sound; `broken`: the entry named was altered, reordered, or removed after it arrived, or (`forked`) another entry
 * arrived at its seq (a hub restored or replaced, numbering again) and was not kept: `at`/`action` are that other entry's.
 */
export const VenueAuditChainSchema = Type.Object(
  {
    venue_id: Type.String(),
    venue_name: Type.String(),
    entries: Type.Integer({ minimum: 0 }),
    state: Type.Union([Type.Literal('intact'), Type.Literal('incomplete'), Type.Literal('broken')]),
    first_missing_seq: Nullable(Type.Integer()),
    broken: Nullable(Type.Object(
      {
        seq: Type.Integer(),
        at: Nullable(Type.String()),
        action: Nullable(Type.String()),
        reason: Type.Union([Type.Literal('altered'), Type.Literal('removed'), Type.Literal('reordered'), Type.Literal('forked')]),
      },
      { additionalProperties: false },
    )),
  },
  { additionalProperties: false },
);
export type VenueAuditChain = Static<typeof VenueAuditChainSchema>;
/** `GET /console/api/audit/venues`: every venue of the tenant, by name. */
export const VenueAuditChainListSchema = Type.Object({ venues: Type.Array(VenueAuditChainSchema) }, { additionalProperties: false });
export type VenueAuditChainList = Static<typeof VenueAuditChainListSchema>;
