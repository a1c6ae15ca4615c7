-- The double-admission detector reads stored check-ins in commit order, not by received_at (sql 0006).
--
-- Why: received_at is now() of the ingest transaction, i.e. when it BEGAN. A batch whose transaction committed more
-- than the detector's settle time after it began (it waits on its tenant's usage row lock, billing.recordUsage) became
-- visible below a watermark that had already moved past it, and its check-ins were never checked.
--
-- How: each row carries the id of the transaction that stored it (pg_current_xact_id(), a column default, so every
-- writer fills it without naming it), and the watermark is the snapshot the last pass read with. A pass reads the
-- check-ins whose transaction is visible in its own snapshot and was not in the last one, then stores its snapshot.
-- A transaction still running at a pass is not visible in that pass's snapshot, so the first pass after it commits
-- reads its rows, however long it stayed open: whatever commits later is read later, the promise the guest-list
-- versions make with their per-venue lock (sql 0009). Each row is read exactly once, with no settle time.
-- The index scan covers ids from the last snapshot's xmin (the oldest transaction then running) to this one's xmax.
--
-- xid8 is the 64-bit, epoch-extended transaction id (never wraps). The index is partial: the detector reads
-- check-ins only.

ALTER TABLE telemetry.events_raw ADD COLUMN ingest_xid xid8;
-- Set apart from ADD COLUMN: existing rows keep NULL (no table rewrite); only new rows take the default.
ALTER TABLE telemetry.events_raw ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX events_raw_checkin_xid_idx ON telemetry.events_raw (ingest_xid) WHERE type = 'checkin.succeeded';

-- The first watermark: the snapshot "everything before this migration's transaction, nothing from it on". Check-ins
-- above the old received_at watermark were not read yet: they take this transaction's id, so the first pass after the
-- migration reads them once. Rows below it were read already and keep NULL.
ALTER TABLE telemetry.double_admission_watermark ADD COLUMN seen pg_snapshot;
UPDATE telemetry.events_raw SET ingest_xid = pg_current_xact_id()
 WHERE type = 'checkin.succeeded' AND received_at > (SELECT received_at FROM telemetry.double_admission_watermark);
UPDATE telemetry.double_admission_watermark SET seen = format('%s:%s:', pg_current_xact_id(), pg_current_xact_id())::pg_snapshot;
ALTER TABLE telemetry.double_admission_watermark ALTER COLUMN seen SET NOT NULL;
COMMENT ON COLUMN telemetry.double_admission_watermark.received_at IS 'Unused since sql 0011 (the detector reads by snapshot, column seen).';
