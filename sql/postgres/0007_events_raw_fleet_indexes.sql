-- Indexes on telemetry.events_raw for what cloud ops read:
-- * the fleet reads each device's newest heartbeat: a partial index over heartbeats only (a small share of the rows,
--   so other events pay nothing), probed once per device and partition;
-- * the last-hour views filter on received_at alone, which (type, received_at) could not serve.
DROP INDEX IF EXISTS telemetry.events_raw_type_received_idx;
CREATE INDEX events_raw_received_idx ON telemetry.events_raw (received_at);
CREATE INDEX events_raw_heartbeat_idx ON telemetry.events_raw (tenant_id, device_id, occurred_at DESC) WHERE type = 'device.heartbeat';

-- Partition upkeep is the service's job: client roles may not call it (functions are executable by PUBLIC by default).
REVOKE ALL ON FUNCTION telemetry.ensure_event_partitions(date, integer), telemetry.drop_old_event_partitions(integer, date),
  telemetry.maintain_event_partitions(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.ensure_event_partitions(date, integer), telemetry.drop_old_event_partitions(integer, date),
  telemetry.maintain_event_partitions(date) TO service_role;
