-- Foundation: Supabase-style roles, the control plane (tenants, venues, devices, keys), ingest storage and the nonce store.

-- Plain Postgres behaves like Supabase: the three client roles exist. Creation may race between replicas; that is fine.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
    END IF;
  END LOOP;
END $$;

-- The control plane is never exposed to client roles: it holds device secrets.
CREATE SCHEMA IF NOT EXISTS seatpilot;
REVOKE ALL ON SCHEMA seatpilot FROM PUBLIC;

CREATE TABLE seatpilot.tenants (
  id         text PRIMARY KEY,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE seatpilot.venues (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX venues_tenant_idx ON seatpilot.venues (tenant_id);

CREATE TABLE seatpilot.devices (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  venue_id   text NOT NULL REFERENCES seatpilot.venues (id),
  kind       text NOT NULL CHECK (kind IN ('kiosk', 'agent', 'gateway')),
  name       text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_venue_idx ON seatpilot.devices (venue_id);

-- status: active; rotated (kept working until expires_at, 24 h after its successor was issued); revoked.
CREATE TABLE seatpilot.device_keys (
  key_id     text PRIMARY KEY,
  device_id  text NOT NULL REFERENCES seatpilot.devices (id),
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  venue_id   text NOT NULL REFERENCES seatpilot.venues (id),
  secret     text NOT NULL,
  status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'rotated', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX device_keys_device_idx ON seatpilot.device_keys (device_id);
REVOKE ALL ON ALL TABLES IN SCHEMA seatpilot FROM PUBLIC, anon, authenticated;

CREATE SCHEMA IF NOT EXISTS telemetry;

-- Every accepted event, once per tenant and event_id. device_id is the device that made the event (a kiosk's id even
-- when its venue agent relayed it); via_device_id is the device whose key delivered it.
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
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX events_raw_venue_type_time_idx ON telemetry.events_raw (tenant_id, venue_id, type, occurred_at);
CREATE INDEX events_raw_received_idx ON telemetry.events_raw (received_at);

-- Every refused event, with its reason and the raw JSON as it arrived.
CREATE TABLE telemetry.events_dlq (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     text NOT NULL,
  venue_id      text NOT NULL,
  via_device_id text NOT NULL,
  key_id        text NOT NULL,
  batch_id      uuid,
  event_index   integer NOT NULL,
  event_id      text,
  reason        text NOT NULL,
  detail        text NOT NULL,
  raw           jsonb NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_dlq_tenant_time_idx ON telemetry.events_dlq (tenant_id, received_at);

-- Nonces seen per key; shared by every ingest replica. Rows past expires_at may be reused and are swept.
CREATE TABLE telemetry.nonces (
  key_id     text NOT NULL,
  nonce      text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (key_id, nonce)
);
CREATE INDEX nonces_expires_idx ON telemetry.nonces (expires_at);

-- The tenant of the caller, from the JWT claims as Supabase sets them (request.jwt.claims).
CREATE OR REPLACE FUNCTION telemetry.claim_tenant_id() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'tenant_id'
$$;

ALTER TABLE telemetry.events_raw ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.events_dlq ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.nonces ENABLE ROW LEVEL SECURITY;

CREATE POLICY events_raw_tenant_isolation_select ON telemetry.events_raw FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY events_raw_tenant_isolation_insert ON telemetry.events_raw FOR INSERT TO authenticated
  WITH CHECK (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY events_dlq_tenant_isolation_select ON telemetry.events_dlq FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY events_dlq_tenant_isolation_insert ON telemetry.events_dlq FOR INSERT TO authenticated
  WITH CHECK (tenant_id = telemetry.claim_tenant_id());

REVOKE ALL ON SCHEMA telemetry FROM PUBLIC;
GRANT USAGE ON SCHEMA telemetry TO authenticated, service_role;
GRANT SELECT, INSERT ON telemetry.events_raw, telemetry.events_dlq TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA telemetry TO service_role;
GRANT EXECUTE ON FUNCTION telemetry.claim_tenant_id() TO authenticated, service_role;
REVOKE ALL ON telemetry.nonces FROM PUBLIC, anon, authenticated;
