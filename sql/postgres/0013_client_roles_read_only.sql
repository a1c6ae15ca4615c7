-- Supabase's client roles read, and write nothing. authenticated may read its own tenant's rows of what a console
-- shows (events, dead letters, KPIs, double admissions, billing, guest lists); service_role, meant for trusted
-- servers, reads the same objects for every tenant (it bypasses RLS); anon gets nothing. Every write goes through the
-- cloud service, which runs as the database owner and keeps what the rows promise: an event is signed, validated and
-- metered before it is stored (the double-admission detector and the KPIs trust it); a guest-list change takes a
-- version under its venue's lock; a month closes once. Until now authenticated could INSERT events and dead letters
-- for its own tenant straight into the tables, past all of that.
--
-- Rather than take back grant by grant, this takes every privilege on every object of our schemas from PUBLIC and the
-- three client roles and grants the reads again, so nothing an earlier migration or a default privilege opened stays
-- open. A later migration that adds something clients read grants SELECT on it; sql/supabase-roles.test.ts holds the
-- list of what each role may do and fails on anything more.

DROP POLICY events_raw_tenant_isolation_insert ON telemetry.events_raw;
DROP POLICY events_dlq_tenant_isolation_insert ON telemetry.events_dlq;

REVOKE ALL ON ALL TABLES IN SCHEMA seatpilot, telemetry, billing, guestlist FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA seatpilot, telemetry, billing, guestlist FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA seatpilot, telemetry, billing, guestlist FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON SCHEMA seatpilot, telemetry, billing, guestlist FROM PUBLIC, anon, authenticated, service_role;

-- The refresh log's error text can quote another tenant's key values (a failed unique index of a KPI view), so clients
-- read staleness through the view, with the owner's rights, and never the log itself.
ALTER VIEW telemetry.v_mv_staleness SET (security_invoker = false);

GRANT USAGE ON SCHEMA telemetry, billing, guestlist TO authenticated, service_role;
-- Called by the RLS policies and the KPI views as the caller.
GRANT EXECUTE ON FUNCTION telemetry.claim_tenant_id() TO authenticated, service_role;
GRANT SELECT ON
  telemetry.events_raw, telemetry.events_dlq, telemetry.double_admissions,
  telemetry.v_kpi_checkin, telemetry.v_kpi_door2seat, telemetry.v_event_counts_last_hour,
  telemetry.v_rejected_events_last_hour, telemetry.v_mv_staleness,
  billing.plans, billing.entitlements, billing.usage_monthly, billing.usage_devices, billing.month_closes,
  billing.v_usage_priced, billing.v_tenant_billing_report,
  guestlist.occasions, guestlist.seating_tables, guestlist.guests, guestlist.credentials, guestlist.floor_plans
  TO authenticated, service_role;
-- service_role carries no tenant claim, so the claim-filtered KPI views show it nothing: it reads the views under them.
GRANT SELECT ON telemetry.mv_kpi_checkin, telemetry.mv_kpi_door2seat, telemetry.mv_refresh_log TO service_role;
