// One reading of an occasion's live figures (core/console/live.ts), each from where it is measured: the guest list,
// the admissions the double-admission pass records, stored events, and the refreshed door-to-seat view.
import type { LiveSnapshot } from '../../../core/console/live';
import type { Queryable } from '../../db';
import { venueDevices } from './devices';

/** How far back seat arrivals, check-ins and double admissions are read: the night, or the occasion since its start. */
const WINDOW_HOURS = 24;
/** Never further back than the KPI views read (sql 0008), so a long occasion still scans recent partitions only. */
const MAX_WINDOW_DAYS = 7;
/** Events reach the cloud after they occur; a day of margin on received_at prunes older partitions (sql 0002). */
const RECEIVED_MARGIN_MS = 86_400_000;
const PER_DOOR_MINUTES = 30;
const MAX_DOUBLE_ADMISSIONS = 50;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

interface Occasion {
  id: string;
  venue_id: string;
  starts_at: Date;
}

/** The occasion of the session's tenant, or null (another tenant's id reads as unknown). */
export async function findOccasion(q: Queryable, tenantId: string, occasionId: string): Promise<Occasion | null> {
  const [row] = await q.query<Occasion>('SELECT id, venue_id, starts_at FROM guestlist.occasions WHERE id = $1 AND tenant_id = $2 AND NOT deleted', [occasionId, tenantId]);
  return row ?? null;
}

/** The start of the window: the last 24 h, or since 6 h before the occasion started when that is earlier, at most 7 days. */
export function windowStart(occasionStartsAt: Date, now: Date): Date {
  const night = now.getTime() - WINDOW_HOURS * 3600_000;
  const occasion = new Date(occasionStartsAt).getTime() - 6 * 3600_000;
  return new Date(Math.max(Math.min(night, occasion), now.getTime() - MAX_WINDOW_DAYS * 86_400_000));
}

interface D2sBucket {
  arrivals: number;
  p50_seconds: number | null;
  p95_seconds: number | null;
}

/**
 * mv_kpi_door2seat keeps percentiles per 5-minute bucket, and percentiles of buckets do not add up to the percentile of
 * their union. So nothing is averaged or estimated here: `samples` is the exact count of arrivals (outliers left out,
 * as in the view); with one bucket its p50/p95 are the window's own; with several, p50_s and p95_s are the slowest
 * bucket's (each the largest value of one bucket, as the view measured it), and `basis` says so. That is not the
 * window's percentile (only the raw trips could give that), and the snapshot never presents it as one.
 */
export function combineDoorToSeat(buckets: D2sBucket[]): Pick<LiveSnapshot['door_to_seat'], 'p50_s' | 'p95_s' | 'samples' | 'basis'> {
  const measured = buckets.filter((b) => b.arrivals > 0 && b.p50_seconds !== null && b.p95_seconds !== null);
  const samples = buckets.reduce((n, b) => n + Number(b.arrivals), 0);
  if (!measured.length) return { p50_s: null, p95_s: null, samples, basis: null };
  const max = (k: 'p50_seconds' | 'p95_seconds') => Math.max(...measured.map((b) => Number(b[k])));
  return { p50_s: max('p50_seconds'), p95_s: max('p95_seconds'), samples, basis: measured.length === 1 ? 'one_bucket' : 'slowest_bucket' };
}

/** The minutes of the per-door chart: the current minute and the 29 before it, oldest first. */
export function chartMinutes(now: Date): Date[] {
  const current = Math.floor(now.getTime() / 60_000) * 60_000;
  return Array.from({ length: PER_DOOR_MINUTES }, (_, i) => new Date(current - (PER_DOOR_MINUTES - 1 - i) * 60_000));
}

export async function readSnapshot(q: Queryable, tenantId: string, occasion: Occasion, now: Date): Promise<LiveSnapshot> {
  const venueId = occasion.venue_id;
  const since = windowStart(occasion.starts_at, now);
  const receivedSince = new Date(since.getTime() - RECEIVED_MARGIN_MS);

  // Seat arrivals and entries of the venue in the window: range scans of events_raw_venue_type_time_idx, on the
  // partitions received since the window's start less a day; joined to the occasion's guests by id.
  const [counts] = await q.query<{ expected: number; checked_in: number; seated: number; last_event_received_at: Date | null }>(
    `WITH guests AS (
       SELECT g.id FROM guestlist.guests g
        WHERE g.tenant_id = $1 AND g.venue_id = $2 AND g.occasion_id = $3 AND g.status = 'active' AND NOT g.deleted
     ), arrived AS (
       SELECT DISTINCT r.payload->>'guest_id' AS guest_id FROM telemetry.events_raw r
        WHERE r.tenant_id = $1 AND r.venue_id = $2 AND r.type = 'seat.arrived' AND r.occurred_at > $4 AND r.received_at > $5
     ), entries AS (
       SELECT r.payload->>'guest_id' AS guest_id, r.received_at FROM telemetry.events_raw r
        WHERE r.tenant_id = $1 AND r.venue_id = $2 AND r.type = 'checkin.succeeded' AND r.occurred_at > $4 AND r.received_at > $5
          AND coalesce(r.payload->>'direction', 'entry') = 'entry'
     )
     SELECT (SELECT count(*)::int FROM guests) AS expected,
            -- Admissions are recorded by the double-admission pass (sql 0006), a few seconds after ingest.
            (SELECT count(*)::int FROM guests g WHERE EXISTS (
               SELECT 1 FROM telemetry.admissions a WHERE a.guest_id = g.id AND a.tenant_id = $1 AND a.venue_id = $2 AND a.direction = 'entry' AND a.reverted_at IS NULL)) AS checked_in,
            (SELECT count(*)::int FROM guests g JOIN arrived a ON a.guest_id = g.id) AS seated,
            (SELECT max(e.received_at) FROM entries e JOIN guests g ON g.id = e.guest_id) AS last_event_received_at`,
    [tenantId, venueId, occasion.id, since, receivedSince],
  );

  const minutes = chartMinutes(now);
  const first = minutes[0] as Date;
  const end = new Date((minutes[minutes.length - 1] as Date).getTime() + 60_000);
  const perMinute = await q.query<{ door_id: string; minute: Date; n: number }>(
    `SELECT coalesce(r.payload->>'door_id', '') AS door_id, date_bin('1 minute', r.occurred_at, timestamptz '2000-01-01 00:00:00+00') AS minute, count(*)::int AS n
       FROM telemetry.events_raw r
      WHERE r.tenant_id = $1 AND r.venue_id = $2 AND r.type = 'checkin.succeeded' AND r.occurred_at >= $3 AND r.occurred_at < $4 AND r.received_at > $5
        AND coalesce(r.payload->>'direction', 'entry') = 'entry'
      GROUP BY 1, 2`,
    [tenantId, venueId, first, end, new Date(first.getTime() - RECEIVED_MARGIN_MS)],
  );
  const byDoor = new Map<string, Map<number, number>>();
  for (const r of perMinute) {
    const door = byDoor.get(r.door_id) ?? byDoor.set(r.door_id, new Map()).get(r.door_id)!;
    door.set(new Date(r.minute).getTime(), r.n);
  }
  const perDoor = [...byDoor.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([door, counts]) => ({
    door_id: door,
    minutes: minutes.map((m) => ({ minute: m.toISOString(), checkins: counts.get(m.getTime()) ?? 0 })),
  }));

  const buckets = await q.query<D2sBucket>(
    `SELECT arrivals::int AS arrivals, p50_seconds, p95_seconds FROM telemetry.v_kpi_door2seat
      WHERE tenant_id = $1 AND venue_id = $2 AND bucket >= $3`,
    [tenantId, venueId, new Date(now.getTime() - 24 * 3600_000)],
  );
  const [staleness] = await q.query<{ last_refreshed_at: Date | null; lag_seconds: number | null }>(
    `SELECT last_refreshed_at, lag_seconds FROM telemetry.v_mv_staleness WHERE view_name = 'mv_kpi_door2seat'`,
  );

  const doubles = await q.query<{ guest_id: string; guest_name: string | null; first_device_id: string; second_device_id: string; first_at: Date; second_at: Date; detected_at: Date }>(
    `SELECT d.guest_id, g.name AS guest_name, d.first_device_id, d.second_device_id, d.first_at, d.second_at, d.detected_at
       FROM telemetry.double_admissions d
       LEFT JOIN guestlist.guests g ON g.id = d.guest_id AND g.tenant_id = d.tenant_id AND g.venue_id = d.venue_id
      WHERE d.tenant_id = $1 AND d.venue_id = $2 AND d.detected_at > $3 AND d.cleared_at IS NULL
      ORDER BY d.detected_at DESC, d.second_at DESC
      LIMIT ${MAX_DOUBLE_ADMISSIONS}`,
    [tenantId, venueId, since],
  );

  const devices = (await venueDevices(q, tenantId, venueId, now)) ?? [];

  return {
    occasion_id: occasion.id,
    as_of: now.toISOString(),
    expected: counts?.expected ?? 0,
    checked_in: counts?.checked_in ?? 0,
    seated: counts?.seated ?? 0,
    last_event_received_at: iso(counts?.last_event_received_at ?? null),
    per_door: perDoor,
    door_to_seat: {
      ...combineDoorToSeat(buckets),
      refreshed_at: iso(staleness?.last_refreshed_at ?? null),
      age_s: staleness?.lag_seconds === null || staleness?.lag_seconds === undefined ? null : Number(staleness.lag_seconds),
    },
    double_admissions: doubles.map((d) => ({
      guest_id: d.guest_id, guest_name: d.guest_name, first_device_id: d.first_device_id, second_device_id: d.second_device_id,
      first_at: iso(d.first_at) as string, second_at: iso(d.second_at) as string, detected_at: iso(d.detected_at) as string,
    })),
    devices_with_problems: devices.filter((d) => d.state !== 'revoked' && d.problems.length > 0)
      .map((d) => ({ id: d.id, name: d.name, kind: d.kind, problems: d.problems, last_seen: d.last_seen })),
  };
}
