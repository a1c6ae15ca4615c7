-- Idempotency on (tenant_id, event_id) moves from a per-row trigger into the ingest statement itself.
--
-- Why: the BEFORE INSERT trigger of 0002 ran PL/pgSQL and one single-row INSERT into telemetry.event_ids per event,
-- which cost about 40 % of ingest throughput. The ingest statement (cloud-sync/pg-store.ts INSERT_EVENTS_SQL) now
-- claims a whole batch's ids in telemetry.event_ids with one set-based INSERT … ON CONFLICT DO NOTHING, in event_id
-- order (so concurrent batches that overlap lock ids in the same order and cannot deadlock), and inserts into
-- events_raw only the rows whose id it claimed. Two replicas receiving the same batch at once still store it once:
-- the second waits on the first's uncommitted ids, then finds them taken.
--
-- The contract for writers: every insert into telemetry.events_raw goes through that statement (or claims its ids
-- in telemetry.event_ids the same way first). Only the ingest path writes events.
DROP TRIGGER IF EXISTS events_raw_dedup ON telemetry.events_raw;
DROP FUNCTION IF EXISTS telemetry.events_raw_dedup();
