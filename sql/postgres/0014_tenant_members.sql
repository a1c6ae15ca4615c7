-- Which Supabase Auth user belongs to which tenant, and the Custom Access Token Hook that puts that tenant at the top
-- level of the user's JWT, where telemetry.claim_tenant_id() (every tenant isolation policy) reads it. docs/supabase.md
-- says how to switch the hook on.
--
-- One tenant per user: the claim holds one value. No foreign key to auth.users, which only Supabase has; a deleted
-- user's row grants nothing, since no token is issued for it. Client roles never read or write this table (the owner
-- keeps it, `seatpilot cloud member …`); RLS is on with no policy for them, so a stray grant would still show nothing.
CREATE TABLE seatpilot.tenant_members (
  user_id    uuid PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES seatpilot.tenants (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_members_tenant_idx ON seatpilot.tenant_members (tenant_id);
ALTER TABLE seatpilot.tenant_members ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON seatpilot.tenant_members FROM PUBLIC, anon, authenticated, service_role;

-- Supabase Auth calls this before it issues every access token (sign-in and each refresh) with
-- {"user_id": "<uuid>", "claims": {...}} and issues the claims it returns. The tenant comes from tenant_members and
-- nowhere else: whatever tenant_id the claims held is dropped first, and user_metadata (which users edit themselves)
-- is never read. A user of no tenant gets no tenant_id, so every isolation policy shows it nothing.
-- SECURITY DEFINER: it reads tenant_members with the owner's rights, so the caller needs EXECUTE and nothing else.
CREATE FUNCTION seatpilot.custom_access_token_hook(event jsonb) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_set(event, '{claims}',
           (coalesce(event -> 'claims', '{}'::jsonb) - 'tenant_id')
           || coalesce((SELECT jsonb_build_object('tenant_id', m.tenant_id)
                          FROM seatpilot.tenant_members m
                         WHERE m.user_id = (event ->> 'user_id')::uuid), '{}'::jsonb))
$$;
REVOKE ALL ON FUNCTION seatpilot.custom_access_token_hook(jsonb) FROM PUBLIC, anon, authenticated, service_role;

-- supabase_auth_admin is the role Supabase Auth runs hooks as; it exists only on Supabase.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_auth_admin') THEN
    GRANT USAGE ON SCHEMA seatpilot TO supabase_auth_admin;
    GRANT EXECUTE ON FUNCTION seatpilot.custom_access_token_hook(jsonb) TO supabase_auth_admin;
  END IF;
END $$;
