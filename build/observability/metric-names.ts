// The metric names of the contract (SYSTEM.md "Metrics"), and the ones no running code feeds yet (none today). What the services
// really expose is not listed here: observability.test.ts scrapes a running cloud and agent for it.
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
 * Contract metrics no running service feeds yet: none since the cloud feeds the seating engine's from stored
 * assign.completed events (cloud-sync/seating/assign-metrics.ts). A name added here must be taken out once fed.
 */
export const NOT_YET_EXPOSED: Readonly<Record<string, 'histogram' | 'gauge'>> = {};
