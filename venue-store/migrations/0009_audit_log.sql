-- compatible-with: 0008
-- The hub's audit (issue 20, part 7): one entry per change staff or devices make at the venue, appended in the
-- transaction of that change and hash-chained per venue (core/audit/chain.ts; edge-agent/audit-log.ts maps the columns
-- onto the chain's fields). Append-only: the triggers refuse UPDATE and DELETE, and the one-row head moves with each entry,
-- so `seatpilot agent audit verify` finds an entry altered or removed by someone who dropped the triggers.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  venue_id TEXT NOT NULL,
  at TEXT NOT NULL,
  device_id TEXT,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT,
  before_json TEXT,
  after_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  at TEXT
);
INSERT INTO audit_head (id, seq, hash, at) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit_head is kept'); END;
-- The head only moves forward, one entry at a time.
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id
BEGIN SELECT RAISE(ABORT, 'audit_head moves one entry at a time'); END;
