-- telemetry.events_raw partitioned by day of received_at, with idempotency kept on (tenant_id, event_id).
--
-- Why received_at: it is the cloud's own clock, so "today's partition" always exists ahead of the data and retention
-- means "kept N days after we received it". occurred_at comes from device clocks (skewed, or days old after an offline
-- spell) and would scatter rows into partitions that were never made or were already dropped.
--
-- Why a separate dedup table: a unique index on a partitioned table must contain the partition column, so
-- (tenant_id, event_id) can no longer be the key of events_raw itself. telemetry.event_ids is small, not partitioned,
-- and keyed on (tenant_id, event_id); a BEFORE INSERT trigger claims the id there and skips the row when it was seen
-- before. Every writer keeps the old contract: INSERT … RETURNING yields exactly the new events, duplicates vanish
-- silently. (A conflict target `ON CONFLICT (tenant_id, event_id)` no longer matches an index: write `ON CONFLICT DO
-- NOTHING` or none.) Ids are pruned with the partitions, so the idempotency window equals the retention period.

CREATE TABLE telemetry.event_ids (
  tenant_id   text NOT NULL,
  event_id    uuid NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX event_ids_received_idx ON telemetry.event_ids (received_at);
ALTER TABLE telemetry.event_ids ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON telemetry.event_ids FROM PUBLIC, anon, authenticated;
GRANT ALL ON telemetry.event_ids TO service_role;

-- Retention and look-ahead, one row. Changed with UPDATE; read by telemetry.maintain_event_partitions().
CREATE TABLE telemetry.partition_settings (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days >= 1),
  premake_days   integer NOT NULL DEFAULT 7 CHECK (premake_days BETWEEN 1 AND 366)
);
INSERT INTO telemetry.partition_settings DEFAULT VALUES;
REVOKE ALL ON telemetry.partition_settings FROM PUBLIC, anon, authenticated;

ALTER TABLE telemetry.events_raw RENAME TO events_raw_unpartitioned;
ALTER INDEX telemetry.events_raw_pkey RENAME TO events_raw_unpartitioned_pkey;
ALTER INDEX telemetry.events_raw_venue_type_time_idx RENAME TO events_raw_unpartitioned_venue_type_time_idx;
ALTER INDEX telemetry.events_raw_received_idx RENAME TO events_raw_unpartitioned_received_idx;

CREATE TABLE telemetry.events_raw (
  tenant_id     text NOT NULL,
  event_id      uuid NOT NULL,
  venue_id      text NOT NULL,
  device_id     text NOT NULL,
  via_device_id text NOT NULL,
  type          text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  batch_id      uuid,
  payload       jsonb NOT NULL,
  PRIMARY KEY (tenant_id, event_id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX events_raw_venue_type_time_idx ON telemetry.events_raw (tenant_id, venue_id, type, occurred_at);
CREATE INDEX events_raw_type_received_idx ON telemetry.events_raw (type, received_at);
-- Catches rows for a day whose partition was not made yet (maintenance not run): an event is never refused for that.
-- ensure_event_partitions moves such rows into their day's partition when it makes it.
CREATE TABLE telemetry.events_raw_default PARTITION OF telemetry.events_raw DEFAULT;

CREATE FUNCTION telemetry.events_raw_dedup() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO telemetry.event_ids (tenant_id, event_id, received_at) VALUES (NEW.tenant_id, NEW.event_id, NEW.received_at)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN NULL; -- seen before: skip the row, as ON CONFLICT DO NOTHING did
  END IF;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION telemetry.events_raw_dedup() FROM PUBLIC;
CREATE TRIGGER events_raw_dedup BEFORE INSERT ON telemetry.events_raw FOR EACH ROW EXECUTE FUNCTION telemetry.events_raw_dedup();

-- The partition name of a day: events_raw_pYYYYMMDD.
CREATE FUNCTION telemetry.event_partition_name(day date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'events_raw_p' || to_char(day, 'YYYYMMDD') $$;

-- Makes the daily partitions for [first_day, first_day + days); returns the ones it made. Rows already sitting in the
-- default partition for such a day are moved into it first (attaching would fail otherwise).
CREATE FUNCTION telemetry.ensure_event_partitions(first_day date, days integer) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  part text;
  lo timestamptz;
  hi timestamptz;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    d := first_day + i;
    part := telemetry.event_partition_name(d);
    CONTINUE WHEN to_regclass('telemetry.' || part) IS NOT NULL;
    -- Day boundaries in UTC, whatever the session's time zone.
    lo := (d::timestamp AT TIME ZONE 'UTC');
    hi := ((d + 1)::timestamp AT TIME ZONE 'UTC');
    EXECUTE format('CREATE TABLE telemetry.%I (LIKE telemetry.events_raw INCLUDING DEFAULTS)', part);
    EXECUTE format(
      'WITH moved AS (DELETE FROM telemetry.events_raw_default WHERE received_at >= $1 AND received_at < $2 RETURNING *)
       INSERT INTO telemetry.%I SELECT * FROM moved', part) USING lo, hi;
    EXECUTE format('ALTER TABLE telemetry.events_raw ATTACH PARTITION telemetry.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    EXECUTE format('REVOKE ALL ON telemetry.%I FROM PUBLIC, anon, authenticated', part);
    RETURN NEXT part;
  END LOOP;
END $$;

-- Drops the daily partitions that ended more than keep_days ago, with their event ids; returns the dropped ones.
CREATE FUNCTION telemetry.drop_old_event_partitions(keep_days integer, today date DEFAULT (now() AT TIME ZONE 'UTC')::date) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  part text;
  cutoff date := today - keep_days;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'telemetry.events_raw'::regclass
       AND c.relname ~ '^events_raw_p[0-9]{8}$'
       AND to_date(substr(c.relname, 13), 'YYYYMMDD') < cutoff
     ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE telemetry.%I', part);
    RETURN NEXT part;
  END LOOP;
  DELETE FROM telemetry.events_raw_default WHERE received_at < (cutoff::timestamp AT TIME ZONE 'UTC');
  DELETE FROM telemetry.event_ids WHERE received_at < (cutoff::timestamp AT TIME ZONE 'UTC');
END $$;

-- The daily job: partitions from today for premake_days, and retention. Returns what it did.
CREATE FUNCTION telemetry.maintain_event_partitions(today date DEFAULT (now() AT TIME ZONE 'UTC')::date) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  s telemetry.partition_settings;
  made text[];
  dropped text[];
BEGIN
  SELECT * INTO s FROM telemetry.partition_settings;
  made := ARRAY(SELECT telemetry.ensure_event_partitions(today, s.premake_days));
  dropped := ARRAY(SELECT telemetry.drop_old_event_partitions(s.retention_days, today));
  RETURN jsonb_build_object('created', to_jsonb(made), 'dropped', to_jsonb(dropped));
END $$;

-- Existing rows move over: a partition for each day they span, then the copy (which also fills event_ids).
SELECT count(*) FROM (
  SELECT telemetry.ensure_event_partitions(day, 1)
    FROM (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date AS day FROM telemetry.events_raw_unpartitioned) days
) made;
SELECT count(*) FROM telemetry.ensure_event_partitions((now() AT TIME ZONE 'UTC')::date, 7);
INSERT INTO telemetry.events_raw SELECT tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, received_at, batch_id, payload
  FROM telemetry.events_raw_unpartitioned;
DROP TABLE telemetry.events_raw_unpartitioned;

ALTER TABLE telemetry.events_raw ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_raw_tenant_isolation_select ON telemetry.events_raw FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY events_raw_tenant_isolation_insert ON telemetry.events_raw FOR INSERT TO authenticated
  WITH CHECK (tenant_id = telemetry.claim_tenant_id());
REVOKE ALL ON telemetry.events_raw, telemetry.events_raw_default FROM PUBLIC, anon, authenticated;
GRANT SELECT, INSERT ON telemetry.events_raw TO authenticated;
GRANT ALL ON telemetry.events_raw TO service_role;
