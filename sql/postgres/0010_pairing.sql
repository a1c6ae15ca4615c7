-- Single-use pairing codes: venue IT pairs a box by typing a short code, never a secret. The code itself is stored only
-- as its SHA-256, so a copy of the database does not hand out devices. A code is consumed in the same transaction that
-- creates its device and key (device_id is set then).
CREATE TABLE seatpilot.pairing_codes (
  code_hash  text PRIMARY KEY CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  venue_id   text NOT NULL REFERENCES seatpilot.venues (id),
  kind       text NOT NULL CHECK (kind IN ('kiosk', 'agent', 'gateway')),
  name       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  device_id  text REFERENCES seatpilot.devices (id),
  CHECK ((used_at IS NULL) = (device_id IS NULL))
);
CREATE INDEX pairing_codes_venue_idx ON seatpilot.pairing_codes (venue_id);
REVOKE ALL ON seatpilot.pairing_codes FROM PUBLIC, anon, authenticated;
