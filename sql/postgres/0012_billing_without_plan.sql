-- Billing shows every tenant with usage, on a plan or not. 0004 inner-joined entitlements, so a tenant nobody had put
-- on a plan (every tenant, until plans could be managed) was missing from the report and never closed. A tenant without
-- a plan is priced at nothing, with nothing included: its whole usage shows as over plan, so the report points at it.
ALTER TABLE billing.month_closes ALTER COLUMN plan_id DROP NOT NULL;

CREATE OR REPLACE VIEW billing.v_usage_priced WITH (security_invoker = true) AS
WITH months AS (
  SELECT tenant_id, month FROM billing.usage_monthly
  UNION
  SELECT tenant_id, month FROM billing.usage_devices
),
figures AS (
  SELECT m.tenant_id, m.month, e.plan_id, coalesce(p.price_cents, 0) AS price_cents,
         coalesce(p.overage_cents_per_1000, 0) AS overage_cents_per_1000,
         coalesce(u.events, 0) AS events,
         coalesce(u.rejected, 0) AS rejected,
         coalesce(e.events_per_month, p.events_per_month, 0) AS events_included,
         coalesce(e.devices, p.devices, 0) AS devices_included,
         coalesce(e.venues, p.venues, 0) AS venues_included,
         (SELECT count(*) FROM billing.usage_devices d WHERE d.tenant_id = m.tenant_id AND d.month = m.month)::integer AS devices_used,
         (SELECT count(DISTINCT d.venue_id) FROM billing.usage_devices d WHERE d.tenant_id = m.tenant_id AND d.month = m.month)::integer AS venues_used
    FROM months m
    LEFT JOIN billing.entitlements e ON e.tenant_id = m.tenant_id
    LEFT JOIN billing.plans p ON p.id = e.plan_id
    LEFT JOIN billing.usage_monthly u ON u.tenant_id = m.tenant_id AND u.month = m.month
)
SELECT tenant_id, month, plan_id, price_cents, events, rejected, events_included,
       greatest(events - events_included, 0) AS overage_events,
       -- Overage is billed per started thousand events.
       ((greatest(events - events_included, 0) + 999) / 1000) * overage_cents_per_1000 AS overage_cents,
       devices_used, devices_included, venues_used, venues_included,
       price_cents + ((greatest(events - events_included, 0) + 999) / 1000) * overage_cents_per_1000 AS total_cents
  FROM figures;
