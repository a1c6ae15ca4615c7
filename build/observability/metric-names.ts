// The metric names the observability bundle may use: SYSTEM.md "Metrics" (binding), plus the cloud's fleet additions.
/** Copied from SYSTEM.md "Metrics"; observability.test.ts checks the copy against SYSTEM.md when the design folder is present. */
export const SYSTEM_METRICS = [
  'seatpilot_checkin_latency_seconds',
  'seatpilot_checkin_stage_seconds',
  'seatpilot_door_to_seat_seconds',
  'seatpilot_ingest_accepted_total',
  'seatpilot_ingest_rejected_total',
  'seatpilot_mv_lag_seconds',
  'seatpilot_assign_duration_seconds',
  'seatpilot_assign_feasible_ratio',
  'http_request_duration_seconds',
  'seatpilot_outbox_depth',
  'seatpilot_outbox_oldest_unsent_seconds',
  'seatpilot_device_last_seen_timestamp_seconds',
] as const;

/**
 * Per-device gauges the cloud derives from device.heartbeat events (issue 8: "outbox depth and clock skew per device").
 * Outbox depth and age reuse the agent's names with {tenant,venue,device} labels; clock skew has no name in SYSTEM.md
 * yet, so it is listed here, to be added to SYSTEM.md.
 */
export const CLOUD_FLEET_METRICS = ['seatpilot_device_clock_skew_seconds'] as const;

export const KNOWN_METRICS: readonly string[] = [...SYSTEM_METRICS, ...CLOUD_FLEET_METRICS];

/** The histograms among them: only these have _bucket, _count and _sum series. */
export const HISTOGRAM_METRICS: readonly string[] = [
  'seatpilot_checkin_latency_seconds',
  'seatpilot_checkin_stage_seconds',
  'seatpilot_door_to_seat_seconds',
  'seatpilot_assign_duration_seconds',
  'http_request_duration_seconds',
];
