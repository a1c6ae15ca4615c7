-- A check-in decided on this device carries its own event: the row holds the event JSON and its push state, instead of
-- a second row in `outbox` with the same event_id. One row per scan, so the scan's durable commit writes two pages (the
-- row, appended, and the guest's history index) where it wrote seven (the row, its event_id index, the history index,
-- the outbox row, its event_id index, its pending index, and the odd interior page). Row and event still commit
-- together: they are one row now.
--
-- `outbox` keeps every other event (heartbeats; on the edge agent, everything it relays). The view `outbox_events`
-- shows both kinds as one queue, with the ids the push client sees (kiosk/store/outbox.ts): an outbox row's own id, and
-- minus the rowid for a check-in row.
--
-- event_id stays unique where it must be: among 'remote' rows (a change or a relay applied twice is stored once), by a
-- partial index. A local row's id is new by construction (core/event-id.ts), and the echo of a kiosk's own check-in
-- coming back through the agent's feed is recognised through the guest's history index (kiosk/store/sync-apply.ts).
-- The rowid is kept: a new row takes the largest rowid + 1, which is the order the queue drains in.

CREATE TABLE checkins_next (
  id                INTEGER PRIMARY KEY,
  event_id          TEXT NOT NULL,
  source            TEXT NOT NULL CHECK (source IN ('local', 'remote')),
  outcome           TEXT NOT NULL CHECK (outcome IN ('admitted', 'rejected')),
  reason            TEXT CHECK (reason IN ('unknown_credential', 'already_checked_in', 'revoked', 'not_yet_valid', 'expired', 'wrong_occasion')),
  guest_id          TEXT,
  occasion_id       TEXT,
  device_id         TEXT NOT NULL,
  door_id           TEXT NOT NULL,
  direction         TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
  credential_kind   TEXT CHECK (credential_kind IN ('barcode', 'nfc', 'manual')),
  credential_value  TEXT,
  party_size        INTEGER NOT NULL CHECK (party_size >= 1),
  offline           INTEGER CHECK (offline IN (0, 1)),
  occurred_at       TEXT NOT NULL,
  occurred_ms       INTEGER NOT NULL,
  table_id          TEXT,
  -- The event this device pushes upstream for a local row (null for 'remote' rows, and for a local row written before
  -- this migration whose event had already left the outbox some other way).
  event_json        TEXT,
  push_state        TEXT CHECK (push_state IN ('pending', 'sent', 'dead')),
  push_attempts     INTEGER NOT NULL DEFAULT 0,
  push_error        TEXT,
  sent_at           TEXT,
  dead_reason       TEXT,
  CHECK ((outcome = 'admitted') = (reason IS NULL)),
  CHECK (source = 'remote' OR (credential_kind IS NOT NULL AND offline IS NOT NULL)),
  CHECK ((event_json IS NULL) = (push_state IS NULL)),
  CHECK (source = 'local' OR event_json IS NULL)
);

-- Every row keeps its id; a local row takes its event and push state from the outbox row with the same event_id.
INSERT INTO checkins_next (id, event_id, source, outcome, reason, guest_id, occasion_id, device_id, door_id, direction,
                           credential_kind, credential_value, party_size, offline, occurred_at, occurred_ms, table_id,
                           event_json, push_state, push_attempts, push_error, sent_at, dead_reason)
SELECT c.id, c.event_id, c.source, c.outcome, c.reason, c.guest_id, c.occasion_id, c.device_id, c.door_id, c.direction,
       c.credential_kind, c.credential_value, c.party_size, c.offline, c.occurred_at, c.occurred_ms, c.table_id,
       o.event_json, o.state, coalesce(o.attempts, 0), o.last_error, o.sent_at, o.dead_reason
FROM checkins c
LEFT JOIN outbox o ON c.source = 'local' AND o.event_id = c.event_id AND o.type IN ('checkin.succeeded', 'checkin.rejected');

DELETE FROM outbox WHERE type IN ('checkin.succeeded', 'checkin.rejected')
  AND event_id IN (SELECT event_id FROM checkins_next WHERE event_json IS NOT NULL);

DROP TABLE checkins;
ALTER TABLE checkins_next RENAME TO checkins;

-- The guest's admitted movements, newest last: the decision's history, and the echo check of sync-apply.
CREATE INDEX checkins_guest_admitted ON checkins (guest_id, occurred_ms) WHERE outcome = 'admitted';
CREATE UNIQUE INDEX checkins_remote_event ON checkins (event_id) WHERE source = 'remote';

-- One queue for people and tools that read it (seatpilot doctor, tests): every event this device has to push or has
-- pushed, in the form the outbox table always had.
CREATE VIEW outbox_events AS
SELECT id, event_id, type, event_json, created_at, created_ms, state, attempts, last_error, sent_at, dead_reason
FROM outbox
UNION ALL
SELECT -id, event_id, CASE outcome WHEN 'admitted' THEN 'checkin.succeeded' ELSE 'checkin.rejected' END, event_json,
       occurred_at, occurred_ms, push_state, push_attempts, push_error, sent_at, dead_reason
FROM checkins
WHERE event_json IS NOT NULL;
