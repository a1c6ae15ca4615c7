-- The organiser's console (issue 18): accounts per tenant with roles, single-use set-password links, sessions, the
-- login throttle, a guest's notes, the append-only audit of every change, and the database role the console's API
-- runs as so that row-level security scopes every one of its statements to the session's tenant.
--
-- Two layers keep a planner of tenant B out of tenant A: the API filters by the session's tenant in code, and each API
-- request runs in a transaction as `seatpilot_console` with `request.jwt.claims` = {"tenant_id": <the session's>}
-- (cloud-sync/console/scope.ts), so a query that forgot the filter still sees only its own tenant's rows. Signing in
-- (finding an account by e-mail before any tenant is known) runs as the owner, in cloud-sync/console/auth/.

CREATE SCHEMA IF NOT EXISTS console;
REVOKE ALL ON SCHEMA console FROM PUBLIC;

-- Roles are cluster-wide: another database of the same server may have made it already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seatpilot_console') THEN
    BEGIN
      CREATE ROLE seatpilot_console NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;
-- The service (the database owner, a CREATEROLE role on Supabase, not a superuser) switches to it per request with
-- SET LOCAL ROLE, which needs membership. No JWT can name it: PostgREST's authenticator is not a member.
GRANT seatpilot_console TO CURRENT_USER;

-- e-mail is stored lower-cased and trimmed (the API does it), unique across tenants: signing in names no tenant.
-- password_hash: `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`, parameters stored with the hash; NULL until the
-- account's set-password link is used.
CREATE TABLE console.accounts (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES seatpilot.tenants (id),
  email         text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  role          text NOT NULL CHECK (role IN ('owner', 'planner', 'viewer')),
  password_hash text,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  password_set_at timestamptz
);
CREATE INDEX accounts_tenant_idx ON console.accounts (tenant_id);

-- Single-use, expiring: only the SHA-256 of the link's token is kept. used_at is set in the transaction that sets the
-- password, under a row lock, so a replayed link is refused.
CREATE TABLE console.password_links (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  account_id text NOT NULL REFERENCES console.accounts (id),
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX password_links_account_idx ON console.password_links (account_id);

-- id_hash is the SHA-256 of the cookie's value (the value itself is never stored); csrf_token is sent to the page
-- and compared in constant time on every write.
CREATE TABLE console.sessions (
  id           text PRIMARY KEY,
  id_hash      text NOT NULL UNIQUE CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  account_id   text NOT NULL REFERENCES console.accounts (id),
  tenant_id    text NOT NULL REFERENCES seatpilot.tenants (id),
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  user_agent   text CHECK (user_agent IS NULL OR length(user_agent) <= 300),
  source       text CHECK (source IS NULL OR length(source) <= 64)
);
CREATE INDEX sessions_account_idx ON console.sessions (account_id);

-- Failed sign-ins per key ('account:<email>' or 'source:<address>'), in the database so every replica sees them.
CREATE TABLE console.login_throttle (
  key          text PRIMARY KEY CHECK (length(key) <= 300),
  failures     integer NOT NULL DEFAULT 0,
  last_failure timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz
);

-- A guest's notes: the planner's, never synced to the venue (like guest_seating, sql 0015).
CREATE TABLE guestlist.guest_notes (
  guest_id  text PRIMARY KEY,
  tenant_id text NOT NULL,
  venue_id  text NOT NULL,
  notes     text NOT NULL CHECK (length(notes) <= 2000),
  FOREIGN KEY (tenant_id, venue_id, guest_id) REFERENCES guestlist.guests (tenant_id, venue_id, id) ON DELETE CASCADE
);

-- Every change made in the console or the CLI: who (an account, or the CLI's operator), what, before and after, when.
-- Append-only for everyone: the trigger refuses UPDATE and DELETE whoever asks (the database owner included), and no
-- role the product uses may TRUNCATE it.
CREATE TABLE console.audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES seatpilot.tenants (id),
  at          timestamptz NOT NULL DEFAULT now(),
  channel     text NOT NULL CHECK (channel IN ('console', 'cli')),
  actor_id    text,
  actor       text NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
  action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
  entity      text NOT NULL CHECK (length(entity) BETWEEN 1 AND 64),
  entity_id   text,
  venue_id    text,
  before      jsonb,
  after       jsonb
);
CREATE INDEX audit_log_tenant_idx ON console.audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_entity_idx ON console.audit_log (tenant_id, entity, entity_id);

CREATE FUNCTION console.audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: an entry cannot be changed or deleted'
    USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION console.audit_log_append_only() FROM PUBLIC;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON console.audit_log
  FOR EACH ROW EXECUTE FUNCTION console.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON console.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION console.audit_log_append_only();

-- ANALYZE of the guests table for the import (cloud-sync/guestlist/guest-write.ts), which runs as the console's role in
-- the console and may not ANALYZE a table it does not own: without fresh statistics every check of a big import is a
-- sequential scan (a 20,000-row import took 1.6 times the CLI's). The owner's rights, for this one statement.
CREATE FUNCTION guestlist.analyze_guests() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  ANALYZE guestlist.guests;
END $$;
REVOKE ALL ON FUNCTION guestlist.analyze_guests() FROM PUBLIC;

-- Row-level security for the console's role: every policy is "the row's tenant is the session's".
ALTER TABLE console.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE console.password_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE console.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE console.login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE console.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.guest_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE seatpilot.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE seatpilot.venues ENABLE ROW LEVEL SECURITY;
ALTER TABLE seatpilot.devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE seatpilot.device_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE seatpilot.pairing_codes ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenants_console_tenant_isolation ON seatpilot.tenants FOR ALL TO seatpilot_console
  USING (id = telemetry.claim_tenant_id()) WITH CHECK (id = telemetry.claim_tenant_id());
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'console.accounts', 'console.password_links', 'console.sessions', 'console.audit_log',
    'seatpilot.venues', 'seatpilot.devices', 'seatpilot.device_keys', 'seatpilot.pairing_codes',
    'guestlist.occasions', 'guestlist.seating_tables', 'guestlist.guests', 'guestlist.credentials',
    'guestlist.floor_plans', 'guestlist.guest_seating', 'guestlist.seating_table_tags', 'guestlist.seating_relations',
    'guestlist.guest_notes',
    'telemetry.events_raw', 'telemetry.double_admissions', 'telemetry.admissions'
  ] LOOP
    EXECUTE format('CREATE POLICY %I ON %s FOR ALL TO seatpilot_console USING (tenant_id = telemetry.claim_tenant_id()) WITH CHECK (tenant_id = telemetry.claim_tenant_id())',
                   replace(t, '.', '_') || '_console_tenant_isolation', t);
  END LOOP;
END $$;
-- guest_notes: clients read their own tenant's, like the rest of the guest list (sql 0013).
CREATE POLICY guest_notes_tenant_isolation_select ON guestlist.guest_notes FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());

-- What the console's API may do, and nothing more. The control plane's secrets stay out: device_keys without its
-- secret column, accounts without password hashes, sessions without their hashes.
GRANT USAGE ON SCHEMA console, seatpilot, guestlist, telemetry TO seatpilot_console;
GRANT EXECUTE ON FUNCTION telemetry.claim_tenant_id(), guestlist.lock_venue(text), guestlist.bump_version(), guestlist.analyze_guests() TO seatpilot_console;
GRANT USAGE ON SEQUENCE guestlist.sync_version_seq TO seatpilot_console;
GRANT SELECT (id, name, created_at) ON seatpilot.tenants TO seatpilot_console;
GRANT SELECT, INSERT, UPDATE ON seatpilot.venues TO seatpilot_console;
GRANT SELECT ON seatpilot.devices TO seatpilot_console;
GRANT SELECT (key_id, device_id, tenant_id, venue_id, status, created_at, expires_at, revoked_at) ON seatpilot.device_keys TO seatpilot_console;
GRANT UPDATE (status, revoked_at) ON seatpilot.device_keys TO seatpilot_console;
GRANT SELECT (code_hash, tenant_id, venue_id, kind, name, created_at, expires_at, used_at, device_id), INSERT ON seatpilot.pairing_codes TO seatpilot_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  guestlist.occasions, guestlist.seating_tables, guestlist.guests, guestlist.credentials, guestlist.floor_plans,
  guestlist.guest_seating, guestlist.seating_table_tags, guestlist.seating_relations, guestlist.guest_notes
  TO seatpilot_console;
GRANT SELECT ON guestlist.guest_notes TO authenticated, service_role;
GRANT SELECT ON telemetry.events_raw, telemetry.double_admissions, telemetry.admissions,
  telemetry.v_kpi_checkin, telemetry.v_kpi_door2seat, telemetry.v_mv_staleness TO seatpilot_console;
-- v_mv_staleness is security_invoker: the live view's "refreshed at" reads the refresh log as the console.
GRANT SELECT ON telemetry.mv_refresh_log TO seatpilot_console;
GRANT SELECT (id, tenant_id, email, role, disabled, created_at, password_set_at) ON console.accounts TO seatpilot_console;
GRANT UPDATE (role, disabled) ON console.accounts TO seatpilot_console;
-- An owner invites accounts and hands out set-password links from the console; using a link (setting the hash) and
-- signing in run as the owner, in cloud-sync/console/auth/. The token's hash stays out of the console's reach.
GRANT INSERT (id, tenant_id, email, role) ON console.accounts TO seatpilot_console;
GRANT SELECT (account_id, tenant_id, created_at, expires_at, used_at),
  INSERT (token_hash, account_id, tenant_id, created_at, expires_at), UPDATE (expires_at) ON console.password_links TO seatpilot_console;
GRANT SELECT (id, account_id, tenant_id, created_at, last_seen_at, expires_at, revoked_at, user_agent, source) ON console.sessions TO seatpilot_console;
GRANT UPDATE (revoked_at) ON console.sessions TO seatpilot_console;
GRANT SELECT, INSERT ON console.audit_log TO seatpilot_console;
