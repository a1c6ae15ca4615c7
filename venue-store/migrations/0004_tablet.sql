-- Table tablets and table beacons on the edge agent: paired staff tablets (hashed tokens), single-use pairing codes,
-- arrivals at the table (the source of seat.arrived), which beacon tag a guest carries, and where a tag was last placed.

-- A staff tablet paired to this hub. Only a SHA-256 of its bearer token is kept: a copied database pairs nothing.
CREATE TABLE tablets (
  id            TEXT PRIMARY KEY,
  label         TEXT NOT NULL,
  token_sha256  TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  revoked_at    TEXT,
  last_seen_at  TEXT
);

-- Short codes typed on a tablet to pair it; single use, expiring. Only a SHA-256 of the code is kept.
CREATE TABLE tablet_pairing_codes (
  code_sha256  TEXT PRIMARY KEY,
  label        TEXT NOT NULL,
  created_by   TEXT NOT NULL,           -- 'cli' or the device id of the kiosk that asked
  created_at   TEXT NOT NULL,
  expires_ms   INTEGER NOT NULL,
  used_at      TEXT,
  tablet_id    TEXT
);

-- One arrival per guest (an undone tap frees the guest again). `event_id` is the tablet's idempotency key and the
-- seat.arrived event's id, so a tap delivered twice is stored once. A tablet tap waits in 'pending' for the undo
-- window and only then reaches the outbox; a beacon arrival is 'committed' at once.
CREATE TABLE arrivals (
  event_id         TEXT PRIMARY KEY,
  guest_id         TEXT NOT NULL,
  table_id         TEXT NOT NULL,
  source           TEXT NOT NULL CHECK (source IN ('tablet', 'beacon')),
  by_device        TEXT NOT NULL,       -- tablet id or beacon gateway device id
  checked_in_at    TEXT NOT NULL,
  occurred_at      TEXT NOT NULL,
  occurred_ms      INTEGER NOT NULL,
  received_ms      INTEGER NOT NULL,
  commit_after_ms  INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'committed', 'undone')),
  changed_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX arrivals_one_per_guest ON arrivals (guest_id) WHERE state <> 'undone';
CREATE INDEX arrivals_pending ON arrivals (commit_after_ms) WHERE state = 'pending';

-- Which BLE tag (core/ble-beacon.ts beaconKey, e.g. "ibeacon:<uuid>:<major>:<minor>") a guest carries. Kept apart from
-- the guest's credentials: a wristband's beacon identity is not its NFC UID, and tags are handed out at the venue.
CREATE TABLE beacon_tags (
  tag          TEXT PRIMARY KEY,
  guest_id     TEXT NOT NULL,
  assigned_at  TEXT NOT NULL
);
CREATE INDEX beacon_tags_guest ON beacon_tags (guest_id);

-- Where a guest's tag last settled (after the dwell), for "seen at table N" on the tablet of the guest's own table.
CREATE TABLE beacon_positions (
  guest_id  TEXT PRIMARY KEY,
  tag       TEXT NOT NULL,
  table_id  TEXT NOT NULL,
  seen_at   TEXT NOT NULL,
  seen_ms   INTEGER NOT NULL
);

-- A table's board lists the guests seated there: one index range, not a scan of the guest list.
CREATE INDEX guests_table ON guests (table_id);
