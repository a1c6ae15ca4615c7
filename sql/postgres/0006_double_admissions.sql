-- Double admissions: the same guest admitted (entry) at two different doors with no exit between, which happens when
-- kiosks decide while cut off from the venue hub. Both events stay in events_raw; the pair is flagged here.

-- Every admission movement, small and unpartitioned, indexed by guest: what the pair check reads on ingest (a lookup
-- in the daily partitions of events_raw would probe each of them).
CREATE TABLE telemetry.admissions (
  tenant_id   text NOT NULL,
  venue_id    text NOT NULL,
  guest_id    text NOT NULL,
  event_id    uuid NOT NULL,
  device_id   text NOT NULL,
  direction   text NOT NULL CHECK (direction IN ('entry', 'exit')),
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX admissions_guest_idx ON telemetry.admissions (tenant_id, venue_id, guest_id);

-- first_* is the earlier admission (by occurred_at, then event_id), so each pair is stored once.
CREATE TABLE telemetry.double_admissions (
  tenant_id        text NOT NULL,
  venue_id         text NOT NULL,
  guest_id         text NOT NULL,
  first_event_id   uuid NOT NULL,
  first_device_id  text NOT NULL,
  first_at         timestamptz NOT NULL,
  second_event_id  uuid NOT NULL,
  second_device_id text NOT NULL,
  second_at        timestamptz NOT NULL,
  detected_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, first_event_id, second_event_id)
);
CREATE INDEX double_admissions_venue_idx ON telemetry.double_admissions (tenant_id, venue_id, detected_at);

ALTER TABLE telemetry.admissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.double_admissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY double_admissions_tenant_isolation_select ON telemetry.double_admissions FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
REVOKE ALL ON telemetry.admissions, telemetry.double_admissions FROM PUBLIC, anon, authenticated;
GRANT SELECT ON telemetry.double_admissions TO authenticated;
GRANT ALL ON telemetry.admissions, telemetry.double_admissions TO service_role;
