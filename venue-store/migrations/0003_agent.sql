-- The edge agent's own tables, beside the venue truth it shares with the kiosk schema: keys of the devices paired to
-- it (kiosks, beacon gateways), the nonces they used, events it refused, and the feed it serves kiosks from.

CREATE TABLE device_keys (
  key_id      TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'gateway')),
  secret      TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'rotated', 'revoked')),
  created_at  TEXT NOT NULL,
  expires_ms  INTEGER,
  revoked_at  TEXT
);
CREATE INDEX device_keys_device ON device_keys (device_id);

CREATE TABLE nonces (
  key_id      TEXT NOT NULL,
  nonce       TEXT NOT NULL,
  expires_ms  INTEGER NOT NULL,
  PRIMARY KEY (key_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_expires ON nonces (expires_ms);

CREATE TABLE events_dlq (
  id           INTEGER PRIMARY KEY,
  key_id       TEXT NOT NULL,
  device_id    TEXT NOT NULL,
  batch_id     TEXT,
  event_index  INTEGER NOT NULL,
  event_id     TEXT,
  reason       TEXT NOT NULL,
  detail       TEXT NOT NULL,
  raw          TEXT NOT NULL,
  received_at  TEXT NOT NULL
);

-- What kiosks sync from, in order: every guest-list change applied from the cloud and every check-in received from a
-- door. `seq` is the kiosks' cursor; a check-in change takes `seq` as its version.
CREATE TABLE feed (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL,
  change_json  TEXT NOT NULL
);
