-- What the seating engine needs of a guest list (issue 17): a guest's group, hard together/apart partners, needs and
-- seat lock; a table's tags; an occasion's relations (soft scores and hard rules between two guests); and the
-- watermark of the pass that feeds the cloud's assign metrics from stored assign.completed events.
--
-- Kept in tables of their own, beside guests and seating_tables rather than in them: none of it syncs to the venue
-- (a kiosk needs a guest's table, not why it was chosen), so changing a guest's group must not bump the guest's sync
-- version and send every door a change that changes nothing they show. A guest's table does sync, as before.

CREATE TABLE guestlist.guest_seating (
  guest_id      text PRIMARY KEY,
  tenant_id     text NOT NULL,
  venue_id      text NOT NULL,
  -- household, family or company: parties of one group rather sit together (a soft score, cloud-sync/seating/problem.ts)
  grp           text CHECK (grp IS NULL OR length(grp) BETWEEN 1 AND 128),
  together_with text[] NOT NULL DEFAULT '{}',
  apart_from    text[] NOT NULL DEFAULT '{}',
  needs         text[] NOT NULL DEFAULT '{}',
  -- true: the assign keeps the guest at its table
  seat_locked   boolean NOT NULL DEFAULT false,
  FOREIGN KEY (tenant_id, venue_id, guest_id) REFERENCES guestlist.guests (tenant_id, venue_id, id) ON DELETE CASCADE
);
CREATE INDEX guest_seating_venue_idx ON guestlist.guest_seating (venue_id);

CREATE TABLE guestlist.seating_table_tags (
  table_id  text PRIMARY KEY,
  tenant_id text NOT NULL,
  venue_id  text NOT NULL,
  tags      text[] NOT NULL DEFAULT '{}',
  FOREIGN KEY (venue_id, table_id) REFERENCES guestlist.seating_tables (venue_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);

-- One row per pair of guests of an occasion, a < b: a soft score, or a hard rule.
CREATE TABLE guestlist.seating_relations (
  tenant_id   text NOT NULL,
  venue_id    text NOT NULL,
  occasion_id text NOT NULL,
  a           text NOT NULL,
  b           text NOT NULL,
  score       integer CHECK (score BETWEEN -100 AND 100),
  rule        text CHECK (rule IN ('apart', 'together')),
  PRIMARY KEY (occasion_id, a, b),
  CHECK (a < b),
  CHECK ((score IS NULL) <> (rule IS NULL)),
  FOREIGN KEY (tenant_id, venue_id, occasion_id) REFERENCES guestlist.occasions (tenant_id, venue_id, id),
  FOREIGN KEY (tenant_id, venue_id, a) REFERENCES guestlist.guests (tenant_id, venue_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, venue_id, b) REFERENCES guestlist.guests (tenant_id, venue_id, id) ON DELETE CASCADE
);

ALTER TABLE guestlist.guest_seating ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.seating_table_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.seating_relations ENABLE ROW LEVEL SECURITY;
CREATE POLICY guest_seating_tenant_isolation_select ON guestlist.guest_seating FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY seating_table_tags_tenant_isolation_select ON guestlist.seating_table_tags FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY seating_relations_tenant_isolation_select ON guestlist.seating_relations FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
-- Clients read, the service writes (sql 0013).
REVOKE ALL ON guestlist.guest_seating, guestlist.seating_table_tags, guestlist.seating_relations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON guestlist.guest_seating, guestlist.seating_table_tags, guestlist.seating_relations TO authenticated, service_role;

-- The assign metrics pass reads assign.completed events in commit order, as the double-admission detector reads
-- check-ins (sql 0011): each stored event is observed once across replicas, however late its transaction commits.
CREATE INDEX events_raw_assign_xid_idx ON telemetry.events_raw (ingest_xid) WHERE type = 'assign.completed';
CREATE TABLE telemetry.assign_metrics_watermark (seen pg_snapshot NOT NULL);
INSERT INTO telemetry.assign_metrics_watermark (seen) VALUES (format('%s:%s:', pg_current_xact_id(), pg_current_xact_id())::pg_snapshot);
REVOKE ALL ON telemetry.assign_metrics_watermark FROM PUBLIC, anon, authenticated, service_role;
