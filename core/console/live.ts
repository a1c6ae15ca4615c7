// The live view of an occasion on the night (`GET /console/api/occasions/:id/live`, server-sent events, one snapshot
// per event). Every figure says how old it is: counts come from events as stored, KPIs from the refreshed views.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable';

const DateTime = Type.String({ format: 'date-time' });

export const LiveSnapshotSchema = Type.Object(
  {
    occasion_id: Type.String(),
    /** When this snapshot was read. */
    as_of: DateTime,
    /** Guests (parties) expected, checked in at least once, seated (a seat.arrived). */
    expected: Type.Integer({ minimum: 0 }),
    checked_in: Type.Integer({ minimum: 0 }),
    seated: Type.Integer({ minimum: 0 }),
    /** When the newest entry of one of the occasion's guests reached the cloud; null: none yet. */
    last_event_received_at: Nullable(DateTime),
    /** Entries per door per minute at the venue (by occurred_at): the current minute and the 29 before, oldest first. */
    per_door: Type.Array(
      Type.Object({ door_id: Type.String(), minutes: Type.Array(Type.Object({ minute: DateTime, checkins: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })) }, { additionalProperties: false }),
    ),
    /**
     * Door-to-seat seconds from the KPI view (the venue's, last 24 h); null when no sample. The view keeps percentiles
     * per 5-minute bucket, which do not combine into the window's: `basis` says what p50_s/p95_s are, `one_bucket` (the
     * window's own: one bucket had arrivals) or `slowest_bucket` (the largest of the buckets' values); null: no sample.
     * `samples` is the exact number of arrivals counted (outliers over 15 min left out).
     */
    door_to_seat: Type.Object(
      {
        p50_s: Nullable(Type.Number()), p95_s: Nullable(Type.Number()), samples: Type.Integer({ minimum: 0 }),
        basis: Type.Optional(Nullable(Type.Union([Type.Literal('one_bucket'), Type.Literal('slowest_bucket')]))),
        refreshed_at: Nullable(DateTime), age_s: Nullable(Type.Number()),
      },
      { additionalProperties: false },
    ),
    double_admissions: Type.Array(
      Type.Object({ guest_id: Type.String(), guest_name: Nullable(Type.String()), first_device_id: Type.String(), second_device_id: Type.String(), first_at: DateTime, second_at: DateTime, detected_at: DateTime }, { additionalProperties: false }),
    ),
    devices_with_problems: Type.Array(
      Type.Object({ id: Type.String(), name: Nullable(Type.String()), kind: Type.String(), problems: Type.Array(Type.String()), last_seen: Nullable(DateTime) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type LiveSnapshot = Static<typeof LiveSnapshotSchema>;
