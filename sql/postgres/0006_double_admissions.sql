-- Double admissions: the same guest admitted (entry) at two different doors with no exit between, which happens when
-- kiosks decide while cut off from the venue hub. Both events stay in events_raw; the pair is flagged here.

-- Found after ingest, not on its path: a detector in the cloud service reads the check-ins stored since its watermark
-- (a few seconds behind, so no transaction still in flight can commit below it), records their movements here and
-- flags new pairs. Every admission movement, small and unpartitioned, indexed by guest (a lookup in the daily
-- partitions of events_raw would probe each of them).
CREATE TABLE telemetry.admissions (
  tenant_id   text NOT NULL,
  venue_id    text NOT NULL,
  guest_id    text NOT NULL,
  event_id    uuid NOT NULL,
  device_id   text NOT NULL,
  direction   text NOT NULL CHECK (direction IN ('entry', 'exit')),
  occurred_at timestamptz NOT NULL
);
-- Each stored check-in is read once (the watermark moves in the same transaction), so no key is needed for
-- idempotency. Lookups filter tenant and venue after the guest.
CREATE INDEX admissions_guest_idx ON telemetry.admissions (guest_id);

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

-- How far the detector has read telemetry.events_raw (by received_at).
CREATE TABLE telemetry.double_admission_watermark (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  received_at timestamptz NOT NULL
);
INSERT INTO telemetry.double_admission_watermark (received_at) VALUES ('-infinity');
REVOKE ALL ON telemetry.double_admission_watermark FROM PUBLIC, anon, authenticated;

ALTER TABLE telemetry.admissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.double_admissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY double_admissions_tenant_isolation_select ON telemetry.double_admissions FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
REVOKE ALL ON telemetry.admissions, telemetry.double_admissions FROM PUBLIC, anon, authenticated;
GRANT SELECT ON telemetry.double_admissions TO authenticated;
GRANT ALL ON telemetry.admissions, telemetry.double_admissions TO service_role;
