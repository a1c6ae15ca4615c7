-- compatible-with: 0010
-- The venue desk (issue 20): walk-ins, moves, party changes, VIPs, meals and notes, decided at the hub.
--
-- guests.door_version: the version the hub last gave the doors for this guest. The hub's own changes (a walk-in, a
-- move, a +1) and the cloud's guest changes it relays both reach the doors in one per-guest order: each gets
-- max(door_version + 1, the cloud's version), so a door (which applies a guest change only when newer) never skips one.
-- Null until the hub has fed the guest with this build (the doors then hold the cloud's version).
ALTER TABLE guests ADD COLUMN door_version INTEGER;
-- The HLCs of the decisions that set table_id and party_size (core/desk/hlc.ts), as far as this store knows.
ALTER TABLE guests ADD COLUMN table_hlc TEXT;
ALTER TABLE guests ADD COLUMN party_hlc TEXT;
-- From the cloud's guest list with the `guest_desk` sync feature (the hub's; a door's stay null): tags (JSON array,
-- `vip` alerts the tablets), the meal and the staff's notes.
ALTER TABLE guests ADD COLUMN tags_json TEXT;
ALTER TABLE guests ADD COLUMN meal TEXT;
ALTER TABLE guests ADD COLUMN notes TEXT;
-- 'cloud' for the guest list's guests, 'venue' for a walk-in added here (until the cloud's list brings it back).
ALTER TABLE guests ADD COLUMN origin TEXT NOT NULL DEFAULT 'cloud' CHECK (origin IN ('cloud', 'venue'));

-- A table's tags (JSON array), matched against a walk-in's needs.
ALTER TABLE tables ADD COLUMN tags_json TEXT;

-- The hub's own seat decisions the cloud has not yet answered for: one per guest and field. A cloud guest change
-- whose HLC for that field is this one (the cloud took it) or later (the cloud's decision won) ends it; until then the
-- hub keeps its own value over the cloud's older one, so the doors never flip back and forth.
CREATE TABLE desk_pending (
  guest_id   TEXT NOT NULL,
  field      TEXT NOT NULL CHECK (field IN ('table', 'party')),
  value      TEXT,            -- the table id (null: no table), or the party size as text
  hlc        TEXT NOT NULL,
  event_id   TEXT NOT NULL,   -- the seat.changed or guest.added that carries it
  created_at TEXT NOT NULL,
  PRIMARY KEY (guest_id, field)
);

-- Tablets marked "host" get every VIP's arrival, whatever their table.
ALTER TABLE tablets ADD COLUMN host INTEGER NOT NULL DEFAULT 0 CHECK (host IN (0, 1));
ALTER TABLE tablet_pairing_codes ADD COLUMN host INTEGER NOT NULL DEFAULT 0 CHECK (host IN (0, 1));

-- The desk's requests by the caller's request_id (a walk-in, a move, a revert sent twice is done once): the first
-- answer, kept, so a retry gets it back. A retry carries the same request: its key fields are kept beside the answer,
-- and the same id with other fields (another guest, table, size or name) is refused as request_reused, never
-- answered with the first request's result. The hub's only.
CREATE TABLE desk_requests (
  request_id   TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('walk_in', 'move', 'revert')),
  guest_id     TEXT,            -- the guest moved or whose check-in is undone; null for a walk-in
  table_given  INTEGER NOT NULL CHECK (table_given IN (0, 1)),  -- 1: it names a table (a walk-in; a move with to_table_id)
  table_id     TEXT,            -- the walk-in's table or the move's target (null: no table); null for a revert
  party_size   INTEGER,         -- the walk-in's party, the move's new size (null: kept); null for a revert
  name         TEXT,            -- the walk-in's name as stored (trimmed); null otherwise
  result_json  TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

-- How far the hub's audit chain has gone up to the cloud (edge-agent/hub-outbox.ts): every entry with seq <= this
-- one was acknowledged (or refused for good, counted in `dead`). The entries are carried at push time from audit_log
-- itself, as check-in rows carry their own events: nothing is copied per entry. One row; the hub's only.
CREATE TABLE audit_carry (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  seq       INTEGER NOT NULL DEFAULT 0,
  dead      INTEGER NOT NULL DEFAULT 0,
  last_dead TEXT
);
INSERT INTO audit_carry (id, seq) VALUES (1, 0);
