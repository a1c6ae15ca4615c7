-- compatible-with: 0020
-- Not backward-compatible, though its schema only adds: a 0019 build would refuse the event types the desk's hubs send
-- from now on (seat.changed with an HLC, audit.entry: unknown_type, dead-lettered at the hub, lost) and serve guests
-- without HLCs (the hubs would drop their pending seat decisions). Rolling the cloud back past it means a restore.
-- The venue desk (issue 20): what the cloud keeps of the evening as the venue ran it.
--
-- 1. A guest's seat decisions carry hybrid logical clocks (core/desk/hlc.ts): table_hlc for the decision that set
--    table_id, party_hlc for party_size. The venue's seat.changed / guest.added carry theirs and are applied by the
--    rule of core/desk/hlc.ts (the later HLC wins, the venue's on a tie); any other change of the table or the party
--    made here (console, CLI, engine, import) gets a fresh cloud HLC from the trigger below, ticked past the one it
--    replaces. Both sync to the hub (feature guest_desk), which uses them to keep or drop its own pending decisions.
-- 2. What the venue's staff see of a guest: tags (`vip`), the meal and the staff's notes (CSV columns), synced to the
--    hub with the guest (a change bumps the guest's version, like any guest column).
-- 3. The losing decision of each concurrent pair, kept for the planner (never silently dropped).
-- 4. Each venue's audit chain as its hub made it, carried up by the push (audit.entry), append-only.

ALTER TABLE guestlist.guests
  ADD COLUMN table_hlc text CHECK (table_hlc IS NULL OR table_hlc ~ '^[0-9]{13}\.[0-9]{4}\.[cv]$'),
  ADD COLUMN party_hlc text CHECK (party_hlc IS NULL OR party_hlc ~ '^[0-9]{13}\.[0-9]{4}\.[cv]$'),
  ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
  ADD COLUMN meal text CHECK (meal IS NULL OR length(meal) BETWEEN 1 AND 64),
  ADD COLUMN desk_notes text CHECK (desk_notes IS NULL OR length(desk_notes) BETWEEN 1 AND 2000),
  -- 'venue': added at the door as a walk-in (guest.added); the id was made there.
  ADD COLUMN origin text NOT NULL DEFAULT 'cloud' CHECK (origin IN ('cloud', 'venue'));

-- The HLC of a new decision made now by `origin` ('cloud' or 'venue'), after `prior` (core/desk/hlc.ts nextHlc).
CREATE FUNCTION guestlist.next_hlc(prior text, origin text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  ms  bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  ctr integer := 0;
  pms bigint;
BEGIN
  IF prior ~ '^[0-9]{13}\.[0-9]{4}\.[cv]$' THEN
    pms := split_part(prior, '.', 1)::bigint;
    IF pms > ms THEN
      ms := pms;
      ctr := split_part(prior, '.', 2)::integer + 1;
    ELSIF pms = ms THEN
      ctr := split_part(prior, '.', 2)::integer + 1;
    END IF;
  END IF;
  IF ctr > 9999 THEN
    ms := ms + 1;
    ctr := 0;
  END IF;
  RETURN lpad(ms::text, 13, '0') || '.' || lpad(ctr::text, 4, '0') || '.' || CASE WHEN origin = 'venue' THEN 'v' ELSE 'c' END;
END $$;

-- A change of table or party that does not set its own HLC is a cloud decision made now.
CREATE FUNCTION guestlist.guests_seat_hlc() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.table_id IS DISTINCT FROM OLD.table_id AND NEW.table_hlc IS NOT DISTINCT FROM OLD.table_hlc THEN
    NEW.table_hlc := guestlist.next_hlc(OLD.table_hlc, 'cloud');
  END IF;
  IF NEW.party_size IS DISTINCT FROM OLD.party_size AND NEW.party_hlc IS NOT DISTINCT FROM OLD.party_hlc THEN
    NEW.party_hlc := guestlist.next_hlc(OLD.party_hlc, 'cloud');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guests_seat_hlc BEFORE UPDATE OF table_id, party_size ON guestlist.guests
  FOR EACH ROW EXECUTE FUNCTION guestlist.guests_seat_hlc();

-- A table's tags sync with the table (the hub matches a walk-in's needs against them): changing them bumps the table.
CREATE FUNCTION guestlist.table_tags_bump_table() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE guestlist.seating_tables SET updated_at = now()
   WHERE venue_id = coalesce(NEW.venue_id, OLD.venue_id) AND id = coalesce(NEW.table_id, OLD.table_id) AND NOT deleted;
  RETURN NULL;
END $$;
CREATE TRIGGER seating_table_tags_bump AFTER INSERT OR UPDATE OR DELETE ON guestlist.seating_table_tags
  FOR EACH ROW EXECUTE FUNCTION guestlist.table_tags_bump_table();

-- The losing side of two concurrent decisions about one field of one guest (table or party), with the winner beside it.
CREATE TABLE guestlist.seat_conflicts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  venue_id        text NOT NULL,
  guest_id        text NOT NULL,
  field           text NOT NULL CHECK (field IN ('table', 'party')),
  -- The value (table id, or party size as text; null: no table), HLC, source (console, hub, engine, cli, import) and
  -- actor (a console account, a device and role) of each side.
  winner_value    text,
  winner_hlc      text,
  winner_source   text NOT NULL,
  winner_actor    text,
  loser_value     text,
  loser_hlc       text,
  loser_source    text NOT NULL,
  loser_actor     text,
  -- The venue's event that took part (the seat.changed or guest.added), winner or loser: one conflict per event.
  event_id        uuid NOT NULL,
  detected_at     timestamptz NOT NULL DEFAULT now(),
  -- Set when a planner has looked at it and dismissed it (the console's conflicts list).
  acknowledged_at timestamptz,
  acknowledged_by text,
  UNIQUE (venue_id, event_id, field),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);
CREATE INDEX seat_conflicts_venue_idx ON guestlist.seat_conflicts (venue_id, detected_at DESC);

-- Each venue's hub audit chain, entry by entry as the hub hashed it (edge-agent/audit-log.ts; core/audit/chain.ts with
-- tenant_id = venue_id in the hashed fields). before/after are kept as the JSON text carried, so the bytes hashed
-- are the bytes kept. Append-only, like console.audit_log.
CREATE TABLE telemetry.venue_audit (
  tenant_id   text NOT NULL,
  venue_id    text NOT NULL,
  seq         bigint NOT NULL CHECK (seq >= 1),
  at          text NOT NULL,
  device_id   text,
  actor       text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text,
  before_json text,
  after_json  text,
  prev_hash   text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  event_id    uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (venue_id, seq),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);
CREATE FUNCTION telemetry.venue_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'telemetry.venue_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION telemetry.venue_audit_append_only() FROM PUBLIC;
CREATE TRIGGER venue_audit_append_only BEFORE UPDATE OR DELETE ON telemetry.venue_audit
  FOR EACH ROW EXECUTE FUNCTION telemetry.venue_audit_append_only();

ALTER TABLE guestlist.seat_conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.venue_audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY guestlist_seat_conflicts_console_tenant_isolation ON guestlist.seat_conflicts FOR ALL TO seatpilot_console
  USING (tenant_id = telemetry.claim_tenant_id()) WITH CHECK (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY telemetry_venue_audit_console_tenant_isolation ON telemetry.venue_audit FOR SELECT TO seatpilot_console
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY seat_conflicts_tenant_isolation_select ON guestlist.seat_conflicts FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY venue_audit_tenant_isolation_select ON telemetry.venue_audit FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());

REVOKE ALL ON FUNCTION guestlist.next_hlc(text, text), guestlist.guests_seat_hlc(), guestlist.table_tags_bump_table() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION guestlist.next_hlc(text, text), guestlist.guests_seat_hlc(), guestlist.table_tags_bump_table() TO seatpilot_console;
GRANT SELECT, UPDATE (acknowledged_at, acknowledged_by) ON guestlist.seat_conflicts TO seatpilot_console;
GRANT SELECT ON telemetry.venue_audit TO seatpilot_console;
GRANT SELECT ON guestlist.seat_conflicts, telemetry.venue_audit TO authenticated, service_role;
