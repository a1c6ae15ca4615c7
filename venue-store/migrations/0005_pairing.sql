-- Single-use pairing codes the edge agent issues for its doors' kiosks (and beacon gateways): `seatpilot agent
-- pair-code` records the device id the code pairs, `POST /pair` on the agent consumes it and issues the key. Stored as
-- the code's SHA-256 only.
CREATE TABLE pairing_codes (
  code_hash   TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'gateway')),
  created_at  TEXT NOT NULL,
  expires_ms  INTEGER NOT NULL,
  used_at     TEXT,
  key_id      TEXT
) WITHOUT ROWID;
