-- Guest lists in the cloud: occasions, guests, their credentials, seating tables and one floor plan per venue, with the
-- sync versions that `GET /v1/sync` pages through.
--
-- Sync versions. Every entity row carries `version`, taken from ONE sequence on every insert and every update (by the
-- trigger below), so "the changes of venue V since cursor C" is simply `version > C` over these tables. A deleted
-- entity keeps its row with `deleted = true` and a fresh version: that row is the tombstone.
--
-- Why writers take a per-venue advisory lock before they take a version: sequence numbers are handed out at nextval()
-- time, not at commit time. Without the lock, writer T1 could take version 10, writer T2 version 11, T2 commits first,
-- and a reader pages up to 11 and stores cursor 11; when T1 commits, its version 10 is below the reader's cursor and
-- that change is skipped forever. With a transaction-scoped lock per venue held from before the first nextval() until
-- commit, writes to one venue take their versions in commit order: any version committed later is higher than every
-- version a reader has already seen for that venue. (Postgres makes a commit visible before it releases the
-- transaction's locks, so the next writer's versions are only taken after the previous writer's rows are visible.)
-- Writes to different venues never wait for each other, except on a rare hash collision of the lock key.

CREATE SCHEMA IF NOT EXISTS guestlist;
REVOKE ALL ON SCHEMA guestlist FROM PUBLIC;

-- Child rows name (tenant_id, venue_id) together, so a row can never claim a venue of another tenant.
ALTER TABLE seatpilot.venues ADD CONSTRAINT venues_tenant_id_id_key UNIQUE (tenant_id, id);

CREATE SEQUENCE guestlist.sync_version_seq AS bigint;

-- The advisory lock of a venue, held until the transaction ends. 7411 is this project's lock class (migrations use
-- a single bigint key, which lives in a different key space from the two-int form).
CREATE FUNCTION guestlist.lock_venue(p_venue_id text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT pg_advisory_xact_lock(7411, hashtext(p_venue_id))
$$;

-- Every write takes the venue lock (re-entrant within a transaction, so writers that took it first pay little) and
-- then a fresh version. Doing it here means no writer can forget either step.
CREATE FUNCTION guestlist.bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM guestlist.lock_venue(NEW.venue_id);
  NEW.version := nextval('guestlist.sync_version_seq');
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TABLE guestlist.occasions (
  id             text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  tenant_id      text NOT NULL,
  venue_id       text NOT NULL,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  timezone       text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
  reentry_policy text NOT NULL CHECK (reentry_policy IN ('single', 'after_exit', 'unlimited')),
  deleted        boolean NOT NULL DEFAULT false,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  UNIQUE (tenant_id, venue_id, id),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);
CREATE INDEX occasions_venue_version_idx ON guestlist.occasions (venue_id, version);

-- Seating tables ("tables" would read badly next to SQL's own tables). A label is unique among a venue's live tables.
CREATE TABLE guestlist.seating_tables (
  id         text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  tenant_id  text NOT NULL,
  venue_id   text NOT NULL,
  label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
  capacity   integer NOT NULL CHECK (capacity BETWEEN 0 AND 1000),
  shape      text NOT NULL CHECK (shape IN ('round', 'rect')),
  x          double precision NOT NULL,
  y          double precision NOT NULL,
  w          double precision NOT NULL CHECK (w >= 0),
  h          double precision NOT NULL CHECK (h >= 0),
  deleted    boolean NOT NULL DEFAULT false,
  version    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (venue_id, id),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);
CREATE UNIQUE INDEX seating_tables_venue_label_idx ON guestlist.seating_tables (venue_id, label) WHERE NOT deleted;
CREATE INDEX seating_tables_venue_version_idx ON guestlist.seating_tables (venue_id, version);

CREATE TABLE guestlist.guests (
  id          text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  tenant_id   text NOT NULL,
  venue_id    text NOT NULL,
  occasion_id text NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  party_size  integer NOT NULL DEFAULT 1 CHECK (party_size BETWEEN 1 AND 1000),
  table_id    text,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  valid_from  timestamptz,
  valid_to    timestamptz,
  deleted     boolean NOT NULL DEFAULT false,
  version     bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from),
  UNIQUE (tenant_id, venue_id, id),
  -- Occasion, table and credentials always belong to the guest's own venue and tenant. The occasion's key carries the
  -- tenant and venue, so one check covers both (each foreign key check costs a lookup per row: 100,000-row imports).
  FOREIGN KEY (tenant_id, venue_id, occasion_id) REFERENCES guestlist.occasions (tenant_id, venue_id, id),
  FOREIGN KEY (venue_id, table_id) REFERENCES guestlist.seating_tables (venue_id, id)
);
CREATE INDEX guests_venue_version_idx ON guestlist.guests (venue_id, version);
CREATE INDEX guests_occasion_idx ON guestlist.guests (venue_id, occasion_id);
CREATE INDEX guests_table_idx ON guestlist.guests (venue_id, table_id);

-- A credential opens the door for one guest of a venue: (venue, kind, value) is unique, and the primary key is the
-- index a lookup by scanned value uses. A deleted guest's credentials are removed so they can be issued again. A
-- credential has no version of its own: changing a guest's credentials bumps the guest, which syncs with all of them.
CREATE TABLE guestlist.credentials (
  tenant_id text NOT NULL,
  venue_id  text NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('barcode', 'nfc')),
  value     text NOT NULL CHECK (length(value) BETWEEN 1 AND 256),
  guest_id  text NOT NULL,
  PRIMARY KEY (venue_id, kind, value),
  FOREIGN KEY (tenant_id, venue_id, guest_id) REFERENCES guestlist.guests (tenant_id, venue_id, id) ON DELETE CASCADE
);
CREATE INDEX credentials_guest_idx ON guestlist.credentials (venue_id, guest_id);

CREATE TABLE guestlist.floor_plans (
  venue_id   text PRIMARY KEY,
  tenant_id  text NOT NULL,
  plan       jsonb NOT NULL,
  version    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);
CREATE INDEX floor_plans_venue_version_idx ON guestlist.floor_plans (venue_id, version);

CREATE TRIGGER occasions_version BEFORE INSERT OR UPDATE ON guestlist.occasions FOR EACH ROW EXECUTE FUNCTION guestlist.bump_version();
CREATE TRIGGER seating_tables_version BEFORE INSERT OR UPDATE ON guestlist.seating_tables FOR EACH ROW EXECUTE FUNCTION guestlist.bump_version();
CREATE TRIGGER guests_version BEFORE INSERT OR UPDATE ON guestlist.guests FOR EACH ROW EXECUTE FUNCTION guestlist.bump_version();
CREATE TRIGGER floor_plans_version BEFORE INSERT OR UPDATE ON guestlist.floor_plans FOR EACH ROW EXECUTE FUNCTION guestlist.bump_version();

-- Supabase clients read their own tenant's guest lists and write nothing: writes go through the service (import,
-- revoke, delete), which keeps versions, locks and credential uniqueness right.
ALTER TABLE guestlist.occasions ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.seating_tables ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.guests ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.floor_plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY occasions_tenant_isolation_select ON guestlist.occasions FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY seating_tables_tenant_isolation_select ON guestlist.seating_tables FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY guests_tenant_isolation_select ON guestlist.guests FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY credentials_tenant_isolation_select ON guestlist.credentials FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY floor_plans_tenant_isolation_select ON guestlist.floor_plans FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());

GRANT USAGE ON SCHEMA guestlist TO authenticated, service_role;
REVOKE ALL ON ALL TABLES IN SCHEMA guestlist FROM PUBLIC, anon, authenticated;
GRANT SELECT ON guestlist.occasions, guestlist.seating_tables, guestlist.guests, guestlist.credentials, guestlist.floor_plans TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA guestlist TO service_role;
GRANT USAGE ON SEQUENCE guestlist.sync_version_seq TO service_role;
REVOKE ALL ON FUNCTION guestlist.lock_venue(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION guestlist.bump_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION guestlist.lock_venue(text), guestlist.bump_version() TO service_role;
