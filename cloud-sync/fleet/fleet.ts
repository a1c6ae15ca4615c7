// Fleet health from device.heartbeat events: every registered device with its state, newest problems first.
import type { Queryable } from '../db';

export type DeviceState = 'ok' | 'silent' | 'backlogged' | 'clock_skewed';

/** When a device counts as a problem. Silence matches the SeatPilotDeviceSilent alert (5 min). */
export const FLEET_LIMITS = {
  silentAfterSeconds: 300,
  backlogOldestUnsentSeconds: 300,
  backlogDepth: 10_000,
  // Well inside the ±300 s the signing scheme tolerates, but enough to distort door-to-seat times across devices.
  clockSkewMs: 5_000,
  // Heartbeats are looked up this far back (recent partitions only); older silence shows as "never seen lately".
  lookbackDays: 7,
} as const;

export interface DeviceStatus {
  tenant: string;
  venue: string;
  device: string;
  kind: string | null;
  name: string | null;
  state: DeviceState;
  /** Every problem the device has, worst first; empty when ok. */
  problems: Exclude<DeviceState, 'ok'>[];
  lastSeen: Date | null;
  silentSeconds: number | null;
  appVersion: string | null;
  outboxDepth: number | null;
  oldestUnsentSeconds: number | null;
  /** Device clock minus its receiver's (the hub for a kiosk, the cloud for an agent); null: not measured yet. */
  clockSkewMs: number | null;
  /** True when the kiosk said it stamps and decides on the corrected clock (|skew| > 2 s); null: not said. */
  clockCorrected: boolean | null;
  /** Null: no scanner (the agent) or one that cannot tell (keyboard wedge; see lastScanSeconds). Never a fault. */
  scannerOk: boolean | null;
  /** Kiosks: seconds since a scan last arrived, as of the heartbeat; null: none since the kiosk started, or not said. */
  lastScanSeconds: number | null;
  /** The device's last fault towards the next tier up, as its heartbeat said (a captive portal, a refusal), or null. */
  upstreamError: string | null;
}

interface Row {
  tenant: string;
  venue: string;
  device: string;
  kind: string | null;
  name: string | null;
  last_seen: Date | null;
  app_version: string | null;
  outbox_depth: number | null;
  oldest_unsent_s: number | null;
  clock_skew_ms: number | null;
  clock_corrected: boolean | null;
  scanner_ok: boolean | null;
  last_scan_s: number | null;
  upstream_error: string | null;
}

/** Pure: the state of one device at `now` from its last heartbeat. */
export function classify(row: Pick<Row, 'last_seen' | 'outbox_depth' | 'oldest_unsent_s' | 'clock_skew_ms'>, now: Date): Exclude<DeviceState, 'ok'>[] {
  const problems: Exclude<DeviceState, 'ok'>[] = [];
  if (!row.last_seen || (now.getTime() - row.last_seen.getTime()) / 1000 > FLEET_LIMITS.silentAfterSeconds) problems.push('silent');
  if ((row.oldest_unsent_s ?? 0) > FLEET_LIMITS.backlogOldestUnsentSeconds || (row.outbox_depth ?? 0) > FLEET_LIMITS.backlogDepth) problems.push('backlogged');
  if (Math.abs(row.clock_skew_ms ?? 0) > FLEET_LIMITS.clockSkewMs) problems.push('clock_skewed');
  return problems;
}

/** What a device's newest heartbeat (`hb`, from newestHeartbeat) says, as the columns of Row. */
export const HEARTBEAT_COLUMNS = `-- A device clock running ahead must not make the device look alive in the future.
            least(hb.occurred_at, hb.received_at) AS last_seen,
            hb.payload->>'app_version' AS app_version,
            (hb.payload->>'outbox_depth')::float8 AS outbox_depth,
            (hb.payload->>'oldest_unsent_s')::float8 AS oldest_unsent_s,
            (hb.payload->>'clock_skew_ms')::float8 AS clock_skew_ms,
            (hb.payload->>'clock_corrected')::boolean AS clock_corrected,
            (hb.payload->>'scanner_ok')::boolean AS scanner_ok,
            (hb.payload->>'last_scan_s')::float8 AS last_scan_s,
            hb.payload->>'upstream_error' AS upstream_error`;

/**
 * The newest heartbeat of device `d` as `hb`, received within the lookback (parameters: now, lookback days): one
 * probe of events_raw_heartbeat_idx per recent partition (sql 0005).
 */
export const newestHeartbeat = (nowParam: string, daysParam: string) => `LEFT JOIN LATERAL (
         SELECT r.occurred_at, r.received_at, r.payload FROM telemetry.events_raw r
          WHERE r.tenant_id = d.tenant_id AND r.device_id = d.id AND r.type = 'device.heartbeat'
            AND r.received_at > ${nowParam}::timestamptz - make_interval(days => ${daysParam})
          ORDER BY r.occurred_at DESC LIMIT 1
       ) hb ON true`;

export async function fleetStatus(q: Queryable, now: Date = new Date()): Promise<DeviceStatus[]> {
  // Ingest only takes events from registered devices, so the registered ones are the whole fleet. Each device's newest
  // heartbeat is one probe of events_raw_heartbeat_idx per recent partition (sql 0005).
  const rows = await q.query<Row>(
    `SELECT d.tenant_id AS tenant, d.venue_id AS venue, d.id AS device, d.kind, d.name,
            ${HEARTBEAT_COLUMNS}
       FROM seatpilot.devices d
       ${newestHeartbeat('$1', '$2')}
      -- Devices whose every key is revoked are retired: not listed as silent forever.
      WHERE NOT EXISTS (SELECT 1 FROM seatpilot.device_keys k WHERE k.device_id = d.id)
         OR EXISTS (SELECT 1 FROM seatpilot.device_keys k WHERE k.device_id = d.id AND k.status <> 'revoked')`,
    [now, FLEET_LIMITS.lookbackDays],
  );
  const out = rows.map((r): DeviceStatus => {
    const problems = classify(r, now);
    return {
      tenant: r.tenant, venue: r.venue, device: r.device, kind: r.kind, name: r.name,
      state: problems[0] ?? 'ok', problems, lastSeen: r.last_seen,
      silentSeconds: r.last_seen ? Math.max(0, (now.getTime() - r.last_seen.getTime()) / 1000) : null,
      appVersion: r.app_version, outboxDepth: r.outbox_depth, oldestUnsentSeconds: r.oldest_unsent_s, clockSkewMs: r.clock_skew_ms, clockCorrected: r.clock_corrected,
      scannerOk: r.scanner_ok, lastScanSeconds: r.last_scan_s, upstreamError: r.upstream_error,
    };
  });
  // Problems first; among them the newest (most recently heard from) first; never-seen devices after those.
  return out.sort((a, b) =>
    Number(b.problems.length > 0) - Number(a.problems.length > 0)
    || (b.lastSeen?.getTime() ?? -Infinity) - (a.lastSeen?.getTime() ?? -Infinity)
    || a.tenant.localeCompare(b.tenant) || a.venue.localeCompare(b.venue) || a.device.localeCompare(b.device));
}
