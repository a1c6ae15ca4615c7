-- compatible-with: 0019
-- Undone check-ins (checkin.reverted, issue 20): the double-admission detector and the check-in KPIs leave them out.
--
-- A revert names the checkin.succeeded it undoes (payload reverted_event_id). It counts only when it is of the same
-- tenant, venue and guest as that check-in; a revert naming another guest's check-in is kept in events_raw and ignored.
--
-- Detector (cloud-sync/double-admission-detector.ts, core/checkin/checkin-reverts.ts). Each pass reads the window's
-- reverts as well as its check-ins (in commit order, sql 0011; a partial index like 0011's) and applies them BEFORE
-- pairing:
--   * every revert is kept in telemetry.checkin_reverts, so a check-in that arrives after its revert (batches are not
--     ordered) is stored already reverted;
--   * a reverted movement stays in telemetry.admissions, marked (reverted_at, reverted_by_event_id): history is kept,
--     and pairing skips rows with reverted_at set (as every reader of "checked in" must);
--   * a pair flagged before its revert arrived is kept and marked cleared (cleared_at, cleared_by_event_id).
-- So a revert in the same window as both admissions gives no pair, and a later admission of the guest is paired only
-- with movements that still stand. A revert does not flag pairs afresh (undoing an exit does not make a past
-- re-entry a double admission after the fact).
--
-- KPIs: mv_kpi_checkin and mv_kpi_door2seat are rebuilt with the same names, columns and keys (0008's 7-day window).
--   * mv_kpi_checkin.admitted leaves reverted check-ins out: a guest checked in by mistake and reverted was not
--     admitted. decisions, p50/p95_latency_ms still count them: the kiosk did decide, and that decision's latency was
--     real. So decisions = admitted + rejected + (check-ins reverted) in a bucket with reverts.
--   * mv_kpi_door2seat leaves out an arrival whose check-in was reverted: the arrival of the same tenant, venue and
--     guest whose checked_in_at is the reverted check-in's occurred_at (seat.arrived names its check-in by time).
-- Reverts are read from telemetry.checkin_reverts_raw below, received in the views' window (8 days of received_at).

CREATE INDEX events_raw_revert_xid_idx ON telemetry.events_raw (ingest_xid) WHERE type = 'checkin.reverted';

-- Every revert as stored, with its own id and time; the KPI views anti-join on it.
CREATE VIEW telemetry.checkin_reverts_raw WITH (security_invoker = true) AS
SELECT tenant_id, venue_id, event_id, payload->>'guest_id' AS guest_id, (payload->>'reverted_event_id')::uuid AS reverted_event_id,
       occurred_at, received_at
  FROM telemetry.events_raw
 WHERE type = 'checkin.reverted';

-- The reverts the detector has read, whether or not it has seen the check-in they name (yet).
CREATE TABLE telemetry.checkin_reverts (
  tenant_id         text NOT NULL,
  venue_id          text NOT NULL,
  guest_id          text NOT NULL,
  event_id          uuid NOT NULL,
  reverted_event_id uuid NOT NULL,
  occurred_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX checkin_reverts_target_idx ON telemetry.checkin_reverts (tenant_id, reverted_event_id);

ALTER TABLE telemetry.admissions ADD COLUMN reverted_at timestamptz, ADD COLUMN reverted_by_event_id uuid;
ALTER TABLE telemetry.admissions ADD CONSTRAINT admissions_reverted_both CHECK ((reverted_at IS NULL) = (reverted_by_event_id IS NULL));
CREATE INDEX admissions_event_idx ON telemetry.admissions (tenant_id, event_id);
ALTER TABLE telemetry.double_admissions ADD COLUMN cleared_at timestamptz, ADD COLUMN cleared_by_event_id uuid;
ALTER TABLE telemetry.double_admissions ADD CONSTRAINT double_admissions_cleared_both CHECK ((cleared_at IS NULL) = (cleared_by_event_id IS NULL));
CREATE INDEX double_admissions_second_idx ON telemetry.double_admissions (tenant_id, second_event_id);

-- Reverts stored before this migration (the type is new, but an agent may have sent some): kept and applied now, the
-- earliest revert of a check-in (by time, then id) being the one named. A pass that reads one of them again changes
-- nothing (the inserts skip what is there, the marks only fill empty columns).
INSERT INTO telemetry.checkin_reverts (tenant_id, venue_id, guest_id, event_id, reverted_event_id, occurred_at)
SELECT tenant_id, venue_id, guest_id, event_id, reverted_event_id, occurred_at FROM telemetry.checkin_reverts_raw
ON CONFLICT DO NOTHING;
UPDATE telemetry.admissions a SET reverted_at = r.occurred_at, reverted_by_event_id = r.event_id
  -- The earliest revert of each check-in BY ITS OWN GUEST: another guest's revert naming it must not hide it.
  FROM (SELECT DISTINCT ON (tenant_id, venue_id, guest_id, reverted_event_id) * FROM telemetry.checkin_reverts
         ORDER BY tenant_id, venue_id, guest_id, reverted_event_id, occurred_at, event_id) r
 WHERE a.tenant_id = r.tenant_id AND a.venue_id = r.venue_id AND a.guest_id = r.guest_id AND a.event_id = r.reverted_event_id
   AND a.reverted_at IS NULL;
UPDATE telemetry.double_admissions d SET cleared_at = now(), cleared_by_event_id = a.reverted_by_event_id
  FROM telemetry.admissions a
 WHERE a.tenant_id = d.tenant_id AND a.venue_id = d.venue_id AND a.guest_id = d.guest_id
   AND a.event_id IN (d.first_event_id, d.second_event_id) AND a.reverted_at IS NOT NULL AND d.cleared_at IS NULL;

-- Read by the detector only, which runs as the owner: no client role reads or writes it (sql 0013).
ALTER TABLE telemetry.checkin_reverts ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON telemetry.checkin_reverts, telemetry.checkin_reverts_raw FROM PUBLIC, anon, authenticated, service_role;

-- The KPI views, as in 0008 but for reverts.
DROP VIEW telemetry.v_kpi_checkin;
DROP VIEW telemetry.v_kpi_door2seat;
DROP MATERIALIZED VIEW telemetry.mv_kpi_checkin;
DROP MATERIALIZED VIEW telemetry.mv_kpi_door2seat;

CREATE MATERIALIZED VIEW telemetry.mv_kpi_checkin AS
WITH reverts AS (
  SELECT DISTINCT tenant_id, venue_id, guest_id, reverted_event_id
    FROM telemetry.checkin_reverts_raw
   WHERE received_at > now() - interval '8 days'
),
decisions AS (
  SELECT e.tenant_id, e.venue_id, coalesce(e.payload->>'door_id', '') AS door_id,
         date_bin('5 minutes', e.occurred_at, timestamptz '2000-01-01 00:00:00+00') AS bucket,
         e.type, e.payload->>'reason' AS reason, (e.payload->>'latency_ms')::float8 AS latency_ms,
         (e.type = 'checkin.succeeded' AND r.reverted_event_id IS NOT NULL) AS reverted
    FROM telemetry.events_raw e
    -- A join, not a subquery per row (a hash join over the window's few reverts); reverts is distinct, so no row doubles.
    LEFT JOIN reverts r
      ON r.tenant_id = e.tenant_id AND r.venue_id = e.venue_id AND r.reverted_event_id = e.event_id AND r.guest_id = e.payload->>'guest_id'
   WHERE e.type IN ('checkin.succeeded', 'checkin.rejected')
     AND e.occurred_at > now() - interval '7 days'
     AND e.received_at > now() - interval '8 days'
),
by_reason AS (
  SELECT tenant_id, venue_id, door_id, bucket, jsonb_object_agg(reason, n ORDER BY reason) AS rejects_by_reason
    FROM (SELECT tenant_id, venue_id, door_id, bucket, reason, count(*) AS n
            FROM decisions WHERE type = 'checkin.rejected' GROUP BY 1, 2, 3, 4, 5) r
   GROUP BY 1, 2, 3, 4
)
SELECT d.tenant_id, d.venue_id, d.door_id, d.bucket,
       count(*) AS decisions,
       count(*) FILTER (WHERE d.type = 'checkin.succeeded' AND NOT d.reverted) AS admitted,
       count(*) FILTER (WHERE d.type = 'checkin.rejected') AS rejected,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) AS p50_latency_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY d.latency_ms) AS p95_latency_ms,
       coalesce(b.rejects_by_reason, '{}'::jsonb) AS rejects_by_reason
  FROM decisions d
  LEFT JOIN by_reason b USING (tenant_id, venue_id, door_id, bucket)
 GROUP BY d.tenant_id, d.venue_id, d.door_id, d.bucket, b.rejects_by_reason
WITH DATA;
CREATE UNIQUE INDEX mv_kpi_checkin_key ON telemetry.mv_kpi_checkin (tenant_id, venue_id, door_id, bucket);

-- Door to seat as in 0003/0008, without the arrivals of reverted check-ins.
CREATE MATERIALIZED VIEW telemetry.mv_kpi_door2seat AS
WITH reverted AS (
  SELECT DISTINCT c.tenant_id, c.venue_id, c.payload->>'guest_id' AS guest_id, c.occurred_at
    FROM telemetry.checkin_reverts_raw r
    JOIN telemetry.events_raw c
      ON c.tenant_id = r.tenant_id AND c.event_id = r.reverted_event_id AND c.type = 'checkin.succeeded'
     AND c.venue_id = r.venue_id AND c.payload->>'guest_id' = r.guest_id
   WHERE r.received_at > now() - interval '8 days'
     AND c.received_at > now() - interval '9 days'
),
trips AS (
  SELECT a.tenant_id, a.venue_id,
         date_bin('5 minutes', a.occurred_at, timestamptz '2000-01-01 00:00:00+00') AS bucket,
         extract(epoch FROM a.occurred_at - (a.payload->>'checked_in_at')::timestamptz)::float8 AS seconds
    FROM telemetry.events_raw a
   WHERE a.type = 'seat.arrived'
     AND a.occurred_at > now() - interval '7 days'
     AND a.received_at > now() - interval '8 days'
     AND NOT EXISTS (
       SELECT 1 FROM reverted x
        WHERE x.tenant_id = a.tenant_id AND x.venue_id = a.venue_id AND x.guest_id = a.payload->>'guest_id'
          AND x.occurred_at = (a.payload->>'checked_in_at')::timestamptz)
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

-- The grants of 0008, 0013 and 0016 on the views just rebuilt.
REVOKE ALL ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat FROM PUBLIC, anon, authenticated;
GRANT SELECT ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat TO service_role;
GRANT SELECT ON telemetry.v_kpi_checkin, telemetry.v_kpi_door2seat TO authenticated, service_role, seatpilot_console;
