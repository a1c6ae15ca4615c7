-- KPI materialized views over telemetry.events_raw, their refresh log and staleness, and last-hour views.
-- Each materialized view has a unique index over plain columns so it refreshes CONCURRENTLY (readers never block).
-- Materialized views cannot carry RLS policies, so clients never read them directly: v_kpi_checkin and v_kpi_door2seat
-- filter by the caller's tenant claim. The last-hour views are security_invoker, so events_raw/events_dlq RLS applies.

-- Per tenant, venue, door and 5-minute bucket of occurred_at: check-in decisions (admitted and refused both are
-- decisions, so both count towards latency), latency p50/p95, refusals by reason.
CREATE MATERIALIZED VIEW telemetry.mv_kpi_checkin AS
WITH decisions AS (
  SELECT tenant_id, venue_id, coalesce(payload->>'door_id', '') AS door_id,
         date_bin('5 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00') AS bucket,
         type, payload->>'reason' AS reason, (payload->>'latency_ms')::float8 AS latency_ms
    FROM telemetry.events_raw
   WHERE type IN ('checkin.succeeded', 'checkin.rejected')
),
by_reason AS (
  SELECT tenant_id, venue_id, door_id, bucket, jsonb_object_agg(reason, n ORDER BY reason) AS rejects_by_reason
    FROM (SELECT tenant_id, venue_id, door_id, bucket, reason, count(*) AS n
            FROM decisions WHERE type = 'checkin.rejected' GROUP BY 1, 2, 3, 4, 5) r
   GROUP BY 1, 2, 3, 4
)
SELECT d.tenant_id, d.venue_id, d.door_id, d.bucket,
       count(*) AS decisions,
       count(*) FILTER (WHERE d.type = 'checkin.succeeded') AS admitted,
       count(*) FILTER (WHERE d.type = 'checkin.rejected') AS rejected,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) AS p50_latency_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY d.latency_ms) AS p95_latency_ms,
       coalesce(b.rejects_by_reason, '{}'::jsonb) AS rejects_by_reason
  FROM decisions d
  LEFT JOIN by_reason b USING (tenant_id, venue_id, door_id, bucket)
 GROUP BY d.tenant_id, d.venue_id, d.door_id, d.bucket, b.rejects_by_reason
WITH DATA;
CREATE UNIQUE INDEX mv_kpi_checkin_key ON telemetry.mv_kpi_checkin (tenant_id, venue_id, door_id, bucket);

-- Per tenant, venue and 5-minute bucket of arrival: door-to-seat seconds = seat.arrived.occurred_at − checked_in_at.
-- Trips over 15 minutes are outliers (SYSTEM.md): counted apart, left out of the percentiles. A negative trip is a
-- clock error between devices, counted as an outlier too.
CREATE MATERIALIZED VIEW telemetry.mv_kpi_door2seat AS
WITH trips AS (
  SELECT tenant_id, venue_id,
         date_bin('5 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00') AS bucket,
         extract(epoch FROM occurred_at - (payload->>'checked_in_at')::timestamptz)::float8 AS seconds
    FROM telemetry.events_raw
   WHERE type = 'seat.arrived'
)
SELECT tenant_id, venue_id, bucket,
       count(*) FILTER (WHERE seconds BETWEEN 0 AND 900) AS arrivals,
       count(*) FILTER (WHERE NOT (seconds BETWEEN 0 AND 900)) AS outliers,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE seconds BETWEEN 0 AND 900) AS p50_seconds,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE seconds BETWEEN 0 AND 900) AS p95_seconds
  FROM trips
 GROUP BY tenant_id, venue_id, bucket
WITH DATA;
CREATE UNIQUE INDEX mv_kpi_door2seat_key ON telemetry.mv_kpi_door2seat (tenant_id, venue_id, bucket);

-- One row per refresh attempt, by the refresher (cloud-sync/kpi/refresh.ts).
CREATE TABLE telemetry.mv_refresh_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  view_name   text NOT NULL CHECK (view_name IN ('mv_kpi_checkin', 'mv_kpi_door2seat')),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  ok          boolean NOT NULL,
  row_count   bigint,
  error       text
);
CREATE INDEX mv_refresh_log_view_time_idx ON telemetry.mv_refresh_log (view_name, finished_at DESC);

-- Each KPI view with its last successful refresh and the seconds since (null: never refreshed by the refresher).
CREATE VIEW telemetry.v_mv_staleness WITH (security_invoker = true) AS
SELECT v.view_name,
       l.finished_at AS last_refreshed_at,
       extract(epoch FROM now() - l.finished_at)::float8 AS lag_seconds,
       (SELECT f.finished_at FROM telemetry.mv_refresh_log f WHERE f.view_name = v.view_name AND NOT f.ok ORDER BY f.finished_at DESC LIMIT 1) AS last_failed_at
  FROM (VALUES ('mv_kpi_checkin'), ('mv_kpi_door2seat')) AS v(view_name)
  LEFT JOIN LATERAL (
    SELECT finished_at FROM telemetry.mv_refresh_log r WHERE r.view_name = v.view_name AND r.ok ORDER BY finished_at DESC LIMIT 1
  ) l ON true;

-- Events received in the last hour per tenant, venue and type. security_invoker: the caller's RLS on events_raw applies.
CREATE VIEW telemetry.v_event_counts_last_hour WITH (security_invoker = true) AS
SELECT tenant_id, venue_id, type, count(*) AS events, max(received_at) AS last_received_at
  FROM telemetry.events_raw
 WHERE received_at > now() - interval '1 hour'
 GROUP BY tenant_id, venue_id, type;

-- Events refused in the last hour per tenant, venue and reason.
CREATE VIEW telemetry.v_rejected_events_last_hour WITH (security_invoker = true) AS
SELECT tenant_id, venue_id, reason, count(*) AS events, max(received_at) AS last_received_at
  FROM telemetry.events_dlq
 WHERE received_at > now() - interval '1 hour'
 GROUP BY tenant_id, venue_id, reason;

-- The KPI views for client roles: the caller's tenant only (the owner's rights read the materialized view; the filter is
-- the isolation). security_barrier keeps a caller's own predicates from running before the tenant filter.
CREATE VIEW telemetry.v_kpi_checkin WITH (security_barrier = true) AS
SELECT * FROM telemetry.mv_kpi_checkin WHERE tenant_id = telemetry.claim_tenant_id();
CREATE VIEW telemetry.v_kpi_door2seat WITH (security_barrier = true) AS
SELECT * FROM telemetry.mv_kpi_door2seat WHERE tenant_id = telemetry.claim_tenant_id();

REVOKE ALL ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat FROM PUBLIC, anon, authenticated;
GRANT SELECT ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat TO service_role;
GRANT SELECT ON telemetry.v_kpi_checkin, telemetry.v_kpi_door2seat, telemetry.v_event_counts_last_hour,
  telemetry.v_rejected_events_last_hour, telemetry.v_mv_staleness, telemetry.mv_refresh_log TO authenticated, service_role;
GRANT ALL ON telemetry.mv_refresh_log TO service_role;
