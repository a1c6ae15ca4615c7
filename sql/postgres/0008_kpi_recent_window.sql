-- The KPI materialized views cover the last 7 days of occurred_at, not all of events_raw.
--
-- Why: the refresher rebuilds each view every REFRESH_EVERY_SEC (60 s); over the whole retention period (90 days by
-- default) that is a full scan of every partition each minute, growing without bound. A week covers every night of
-- service ops look at live; longer history lives in Prometheus (the recording rules) and in events_raw itself. The
-- received_at condition (a day wider, for events that arrive late) lets the planner skip all older partitions.
DROP VIEW telemetry.v_kpi_checkin;
DROP VIEW telemetry.v_kpi_door2seat;
DROP MATERIALIZED VIEW telemetry.mv_kpi_checkin;
DROP MATERIALIZED VIEW telemetry.mv_kpi_door2seat;

CREATE MATERIALIZED VIEW telemetry.mv_kpi_checkin AS
WITH decisions AS (
  SELECT tenant_id, venue_id, coalesce(payload->>'door_id', '') AS door_id,
         date_bin('5 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00') AS bucket,
         type, payload->>'reason' AS reason, (payload->>'latency_ms')::float8 AS latency_ms
    FROM telemetry.events_raw
   WHERE type IN ('checkin.succeeded', 'checkin.rejected')
     AND occurred_at > now() - interval '7 days'
     AND received_at > now() - interval '8 days'
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
     AND occurred_at > now() - interval '7 days'
     AND received_at > now() - interval '8 days'
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

CREATE VIEW telemetry.v_kpi_checkin WITH (security_barrier = true) AS
SELECT * FROM telemetry.mv_kpi_checkin WHERE tenant_id = telemetry.claim_tenant_id();
CREATE VIEW telemetry.v_kpi_door2seat WITH (security_barrier = true) AS
SELECT * FROM telemetry.mv_kpi_door2seat WHERE tenant_id = telemetry.claim_tenant_id();

REVOKE ALL ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat FROM PUBLIC, anon, authenticated;
GRANT SELECT ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat TO service_role;
GRANT SELECT ON telemetry.v_kpi_checkin, telemetry.v_kpi_door2seat TO authenticated, service_role;
