-- The venue's truth on one box: the kiosk's store, and (reused as is) the edge agent's.
-- Times are stored twice where they are compared: RFC 3339 text as on the wire, and epoch milliseconds (*_ms) for
-- indexes and arithmetic. Every entity fed by sync carries the `version` of the change that last wrote it; a change
-- that is not newer is a no-op, so applying a page twice equals applying it once.

-- The gala or wedding being checked in.
CREATE TABLE occasions (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  starts_at       TEXT NOT NULL,
  ends_at         TEXT NOT NULL,
  starts_ms       INTEGER NOT NULL,
  ends_ms         INTEGER NOT NULL,
  timezone        TEXT NOT NULL,
  reentry_policy  TEXT NOT NULL CHECK (reentry_policy IN ('single', 'after_exit', 'unlimited')),
  version         INTEGER NOT NULL
);

CREATE TABLE tables (
  id        TEXT PRIMARY KEY,
  label     TEXT NOT NULL,
  capacity  INTEGER NOT NULL,
  shape     TEXT NOT NULL CHECK (shape IN ('round', 'rect')),
  x         REAL NOT NULL,
  y         REAL NOT NULL,
  w         REAL NOT NULL,
  h         REAL NOT NULL,
  version   INTEGER NOT NULL
);

-- One floor plan per venue (the row with id 1); its doors are also kept in `doors` for lookups by id.
CREATE TABLE floor_plan (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  width      REAL NOT NULL,
  height     REAL NOT NULL,
  plan_json  TEXT NOT NULL,
  version    INTEGER NOT NULL
);

CREATE TABLE doors (
  id     TEXT PRIMARY KEY,
  label  TEXT NOT NULL,
  x      REAL NOT NULL,
  y      REAL NOT NULL
);

-- A revoked guest keeps their row and credentials, so a scan says "revoked" rather than "unknown".
CREATE TABLE guests (
  id             TEXT PRIMARY KEY,
  occasion_id    TEXT NOT NULL,
  name           TEXT NOT NULL,
  name_folded    TEXT NOT NULL,           -- NFD, marks stripped, lower case (core/search-text.ts foldText)
  party_size     INTEGER NOT NULL CHECK (party_size >= 1),
  table_id       TEXT,
  status         TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  valid_from     TEXT,
  valid_to       TEXT,
  valid_from_ms  INTEGER,
  valid_to_ms    INTEGER,
  version        INTEGER NOT NULL
);
CREATE INDEX guests_occasion ON guests (occasion_id);

-- Prefix search on every word of a guest's name ("jo" finds José Núñez by first name, "nu" by last name) through
-- the primary key's range scan, never a full scan of guests.
CREATE TABLE guest_name_tokens (
  token     TEXT NOT NULL,
  guest_id  TEXT NOT NULL,
  PRIMARY KEY (token, guest_id)
) WITHOUT ROWID;
CREATE INDEX guest_name_tokens_guest ON guest_name_tokens (guest_id, token);

-- A barcode or NFC value (canonical form, core/credential.ts) belongs to exactly one guest.
CREATE TABLE credentials (
  kind      TEXT NOT NULL CHECK (kind IN ('barcode', 'nfc')),
  value     TEXT NOT NULL,
  guest_id  TEXT NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE INDEX credentials_guest ON credentials (guest_id);

-- Every scan outcome worth keeping: decisions made on this device (source 'local': admissions, entries and exits, and
-- rejected scans, the audit of failed scans) and decisions learned from other devices (source 'remote': other doors'
-- check-ins through sync on a kiosk; the kiosks' own events on the edge agent). A local row and its outbox event share
-- `event_id` and are written in one transaction.
CREATE TABLE checkins (
  id                INTEGER PRIMARY KEY,
  event_id          TEXT NOT NULL UNIQUE,
  source            TEXT NOT NULL CHECK (source IN ('local', 'remote')),
  outcome           TEXT NOT NULL CHECK (outcome IN ('admitted', 'rejected')),
  reason            TEXT CHECK (reason IN ('unknown_credential', 'already_checked_in', 'revoked', 'not_yet_valid', 'expired', 'wrong_occasion')),
  guest_id          TEXT,                 -- null when the credential matched no guest
  occasion_id       TEXT,
  device_id         TEXT NOT NULL,
  door_id           TEXT NOT NULL,
  direction         TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
  credential_kind   TEXT CHECK (credential_kind IN ('barcode', 'nfc', 'manual')),  -- null only for 'remote' rows
  credential_value  TEXT,                 -- canonical value as scanned (rejections: what was tried)
  party_size        INTEGER NOT NULL CHECK (party_size >= 1),
  offline           INTEGER CHECK (offline IN (0, 1)),   -- decided without the hub; null only for 'remote' rows
  occurred_at       TEXT NOT NULL,        -- device time, RFC 3339 with milliseconds
  occurred_ms       INTEGER NOT NULL,
  CHECK ((outcome = 'admitted') = (reason IS NULL)),
  CHECK (source = 'remote' OR (credential_kind IS NOT NULL AND offline IS NOT NULL))
);
-- The guest's admitted movements, newest last: what the decision needs (entered ever, last movement).
CREATE INDEX checkins_guest_admitted ON checkins (guest_id, occurred_ms) WHERE outcome = 'admitted';

-- Events waiting to be pushed upstream, in the order written. `event_json` is the whole SeatPilotEvent.
-- No AUTOINCREMENT (it costs a page write per event): a new rowid is the largest + 1, so it sorts after every stored
-- event; an id could only come back if the newest rows were deleted, and the outbox deletes nothing.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  event_id     TEXT NOT NULL UNIQUE,
  type         TEXT NOT NULL,
  event_json   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  sent_at      TEXT,
  dead_reason  TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';

-- Where each upstream feed stands: the opaque cursor to resume from and the highest change version applied.
CREATE TABLE sync_state (
  feed        TEXT PRIMARY KEY,
  cursor      TEXT,
  version     INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL
);

-- Deleted tables and occasions (and revoked guests) remember the version that removed them, so an older change
-- arriving late cannot bring them back.
CREATE TABLE tombstones (
  entity   TEXT NOT NULL CHECK (entity IN ('guest', 'table', 'occasion')),
  id       TEXT NOT NULL,
  version  INTEGER NOT NULL,
  PRIMARY KEY (entity, id)
) WITHOUT ROWID;
