-- Metering and billing: plans, what each tenant is entitled to, usage per tenant and month (bumped by ingest, in the
-- batch's transaction), an idempotent month close and the billing report. Months are calendar months in UTC, keyed by
-- their first day. Usage over the plan is recorded and billed as overage; it never causes an event to be dropped.
CREATE SCHEMA IF NOT EXISTS billing;
REVOKE ALL ON SCHEMA billing FROM PUBLIC;
GRANT USAGE ON SCHEMA billing TO authenticated, service_role;

CREATE TABLE billing.plans (
  id                      text PRIMARY KEY,
  name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  price_cents             bigint NOT NULL CHECK (price_cents >= 0),
  events_per_month        bigint NOT NULL CHECK (events_per_month >= 0),
  devices                 integer NOT NULL CHECK (devices >= 0),
  venues                  integer NOT NULL CHECK (venues >= 0),
  overage_cents_per_1000  bigint NOT NULL DEFAULT 0 CHECK (overage_cents_per_1000 >= 0)
);

-- One row per tenant: its plan, with optional per-tenant overrides of the plan's allowances.
CREATE TABLE billing.entitlements (
  tenant_id        text PRIMARY KEY REFERENCES seatpilot.tenants (id),
  plan_id          text NOT NULL REFERENCES billing.plans (id),
  events_per_month bigint CHECK (events_per_month >= 0),
  devices          integer CHECK (devices >= 0),
  venues           integer CHECK (venues >= 0),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Counters bumped by ingest: accepted (stored, billable) and rejected events per tenant and month.
CREATE TABLE billing.usage_monthly (
  tenant_id text NOT NULL,
  month     date NOT NULL CHECK (extract(day FROM month) = 1),
  events    bigint NOT NULL DEFAULT 0,
  rejected  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month)
);

-- The devices (and so venues) that delivered or made events in a month: counted against the devices/venues allowance.
CREATE TABLE billing.usage_devices (
  tenant_id text NOT NULL,
  month     date NOT NULL CHECK (extract(day FROM month) = 1),
  device_id text NOT NULL,
  venue_id  text NOT NULL,
  PRIMARY KEY (tenant_id, month, device_id)
);

-- A closed month: the figures frozen at close, once. Closing again finds the row and changes nothing.
CREATE TABLE billing.month_closes (
  tenant_id         text NOT NULL,
  month             date NOT NULL CHECK (extract(day FROM month) = 1),
  plan_id           text NOT NULL,
  price_cents       bigint NOT NULL,
  events            bigint NOT NULL,
  rejected          bigint NOT NULL,
  events_included   bigint NOT NULL,
  overage_events    bigint NOT NULL,
  overage_cents     bigint NOT NULL,
  devices_used      integer NOT NULL,
  devices_included  integer NOT NULL,
  venues_used       integer NOT NULL,
  venues_included   integer NOT NULL,
  total_cents       bigint NOT NULL,
  closed_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, month)
);

-- The live figures of every tenant with an entitlement, for every month it has usage. Shared by the report and the
-- close so both compute the same numbers.
CREATE VIEW billing.v_usage_priced WITH (security_invoker = true) AS
WITH months AS (
  SELECT tenant_id, month FROM billing.usage_monthly
  UNION
  SELECT tenant_id, month FROM billing.usage_devices
),
figures AS (
  SELECT m.tenant_id, m.month, e.plan_id, p.price_cents, p.overage_cents_per_1000,
         coalesce(u.events, 0) AS events,
         coalesce(u.rejected, 0) AS rejected,
         coalesce(e.events_per_month, p.events_per_month) AS events_included,
         coalesce(e.devices, p.devices) AS devices_included,
         coalesce(e.venues, p.venues) AS venues_included,
         (SELECT count(*) FROM billing.usage_devices d WHERE d.tenant_id = m.tenant_id AND d.month = m.month)::integer AS devices_used,
         (SELECT count(DISTINCT d.venue_id) FROM billing.usage_devices d WHERE d.tenant_id = m.tenant_id AND d.month = m.month)::integer AS venues_used
    FROM months m
    JOIN billing.entitlements e ON e.tenant_id = m.tenant_id
    JOIN billing.plans p ON p.id = e.plan_id
    LEFT JOIN billing.usage_monthly u ON u.tenant_id = m.tenant_id AND u.month = m.month
)
SELECT tenant_id, month, plan_id, price_cents, events, rejected, events_included,
       greatest(events - events_included, 0) AS overage_events,
       -- Overage is billed per started thousand events.
       ((greatest(events - events_included, 0) + 999) / 1000) * overage_cents_per_1000 AS overage_cents,
       devices_used, devices_included, venues_used, venues_included,
       price_cents + ((greatest(events - events_included, 0) + 999) / 1000) * overage_cents_per_1000 AS total_cents
  FROM figures;

-- Closes `month` for every tenant with usage in it; returns the number of tenants closed now (0 when already closed).
CREATE FUNCTION billing.close_month(close_month date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  IF close_month <> date_trunc('month', close_month)::date THEN
    RAISE EXCEPTION 'month must be the first day of a month, got %', close_month USING ERRCODE = '22023';
  END IF;
  IF close_month >= date_trunc('month', now() AT TIME ZONE 'UTC')::date THEN
    RAISE EXCEPTION 'month % has not ended yet (UTC); only past months can be closed', to_char(close_month, 'YYYY-MM') USING ERRCODE = '22023';
  END IF;
  INSERT INTO billing.month_closes (tenant_id, month, plan_id, price_cents, events, rejected, events_included, overage_events,
                                    overage_cents, devices_used, devices_included, venues_used, venues_included, total_cents)
  SELECT tenant_id, month, plan_id, price_cents, events, rejected, events_included, overage_events,
         overage_cents, devices_used, devices_included, venues_used, venues_included, total_cents
    FROM billing.v_usage_priced WHERE month = close_month
  ON CONFLICT (tenant_id, month) DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Per tenant and month: closed months as frozen, open months live. over_plan flags any allowance exceeded.
CREATE VIEW billing.v_tenant_billing_report WITH (security_invoker = true) AS
SELECT c.tenant_id, c.month, 'closed'::text AS status, c.plan_id, c.price_cents, c.events, c.rejected, c.events_included,
       c.overage_events, c.overage_cents, c.devices_used, c.devices_included, c.venues_used, c.venues_included, c.total_cents,
       (c.overage_events > 0 OR c.devices_used > c.devices_included OR c.venues_used > c.venues_included) AS over_plan,
       c.closed_at
  FROM billing.month_closes c
UNION ALL
SELECT u.tenant_id, u.month, 'open', u.plan_id, u.price_cents, u.events, u.rejected, u.events_included,
       u.overage_events, u.overage_cents, u.devices_used, u.devices_included, u.venues_used, u.venues_included, u.total_cents,
       (u.overage_events > 0 OR u.devices_used > u.devices_included OR u.venues_used > u.venues_included),
       NULL::timestamptz
  FROM billing.v_usage_priced u
 WHERE NOT EXISTS (SELECT 1 FROM billing.month_closes c WHERE c.tenant_id = u.tenant_id AND c.month = u.month);

ALTER TABLE billing.entitlements ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing.usage_monthly ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing.usage_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing.month_closes ENABLE ROW LEVEL SECURITY;
CREATE POLICY entitlements_tenant_isolation_select ON billing.entitlements FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY usage_monthly_tenant_isolation_select ON billing.usage_monthly FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY usage_devices_tenant_isolation_select ON billing.usage_devices FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY month_closes_tenant_isolation_select ON billing.month_closes FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());

REVOKE ALL ON ALL TABLES IN SCHEMA billing FROM PUBLIC, anon;
GRANT SELECT ON billing.plans, billing.entitlements, billing.usage_monthly, billing.usage_devices, billing.month_closes,
  billing.v_usage_priced, billing.v_tenant_billing_report TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA billing TO service_role;
REVOKE ALL ON FUNCTION billing.close_month(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing.close_month(date) TO service_role;
