// Metering and billing: usage counters bumped by ingest, plans and entitlements, the idempotent month close and the
// billing report (sql 0004). Over-plan usage is recorded and billed; it never stops an event from being stored.
import type { Queryable } from '../db';

/** A calendar month in UTC, as `YYYY-MM`. */
export type Month = string;
// Year 0001 on: Postgres has no year 0000 (a month of 0000-01 was a 500).
const MONTH = /^(?!0000)(\d{4})-(0[1-9]|1[0-2])$/;

export class BillingInputError extends Error {
  override name = 'BillingInputError';
}

export function parseMonth(value: string): Month {
  if (!MONTH.test(value)) throw new BillingInputError(`month must look like 2026-11 (YYYY-MM, year from 0001), got "${value.slice(0, 40)}"`);
  return value;
}

const firstDay = (m: Month) => `${m}-01`;

export interface UsageCounts {
  tenantId: string;
  /** The venue and devices that delivered or made the events (counted against the devices/venues allowance). */
  venueId: string;
  deviceIds: string[];
  accepted: number;
  rejected: number;
  /** When the usage happened; default the database's now(). Backfills and tests pass it. */
  at?: Date;
}

/**
 * Adds one batch to its tenant's usage for the current month (UTC, the database clock). Call it inside the ingest
 * transaction so usage commits with the events; duplicates are not usage, so pass only the events actually stored.
 * It locks the tenant's month row until the transaction ends: batches of one tenant commit one after another.
 */
export async function recordUsage(q: Queryable, u: UsageCounts): Promise<void> {
  if (u.accepted === 0 && u.rejected === 0) return;
  await q.query(
    `INSERT INTO billing.usage_monthly AS m (tenant_id, month, events, rejected)
     VALUES ($1, date_trunc('month', coalesce($4::timestamptz, now()) AT TIME ZONE 'UTC')::date, $2, $3)
     ON CONFLICT (tenant_id, month) DO UPDATE SET events = m.events + EXCLUDED.events, rejected = m.rejected + EXCLUDED.rejected`,
    [u.tenantId, u.accepted, u.rejected, u.at ?? null],
  );
  // Sorted: concurrent batches then lock device rows in one order and cannot deadlock.
  const devices = [...new Set(u.deviceIds)].sort();
  if (u.accepted > 0 && devices.length) {
    await q.query(
      `INSERT INTO billing.usage_devices (tenant_id, month, device_id, venue_id)
       SELECT $1, date_trunc('month', coalesce($4::timestamptz, now()) AT TIME ZONE 'UTC')::date, d, $2 FROM unnest($3::text[]) AS d
       ON CONFLICT DO NOTHING`,
      [u.tenantId, u.venueId, devices, u.at ?? null],
    );
  }
}

/**
 * The ingest store's after-batch hook (cloud-sync/pg-store.ts BatchHook): meters what the batch stored and refused.
 * The delivering device counts as used, and so does every device an agent relayed for.
 */
export async function meterBatch(
  q: Queryable,
  caller: { tenantId: string; venueId: string; deviceId: string },
  inserted: readonly { device_id: string }[],
  rejected: number,
): Promise<void> {
  await recordUsage(q, {
    tenantId: caller.tenantId,
    venueId: caller.venueId,
    deviceIds: [caller.deviceId, ...inserted.map((e) => e.device_id)],
    accepted: inserted.length,
    rejected,
  });
}

export interface Plan {
  id: string;
  name: string;
  priceCents: number;
  eventsPerMonth: number;
  devices: number;
  venues: number;
  overageCentsPer1000: number;
}

/** Creates or changes a plan. Open months are priced live, so a change applies to them; closed months stay as billed. */
export async function upsertPlan(q: Queryable, p: Plan): Promise<void> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(p.id)) throw new BillingInputError(`a plan id is 1-64 letters, digits, "_", "." or "-", got "${p.id.slice(0, 70)}"`);
  if (!p.name.trim() || p.name.length > 200) throw new BillingInputError('a plan needs a name of 1-200 characters');
  for (const [field, v] of Object.entries({ priceCents: p.priceCents, eventsPerMonth: p.eventsPerMonth, devices: p.devices, venues: p.venues, overageCentsPer1000: p.overageCentsPer1000 })) {
    if (!Number.isSafeInteger(v) || v < 0 || ((field === 'devices' || field === 'venues') && v > 2 ** 31 - 1)) throw new BillingInputError(`${field} must be a whole number ≥ 0, got ${v}`);
  }
  await q.query(
    `INSERT INTO billing.plans (id, name, price_cents, events_per_month, devices, venues, overage_cents_per_1000)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, events_per_month = EXCLUDED.events_per_month,
       devices = EXCLUDED.devices, venues = EXCLUDED.venues, overage_cents_per_1000 = EXCLUDED.overage_cents_per_1000`,
    [p.id, p.name, p.priceCents, p.eventsPerMonth, p.devices, p.venues, p.overageCentsPer1000],
  );
}

/** Every plan, by id. */
export async function listPlans(q: Queryable): Promise<Plan[]> {
  return q.query<Plan>(
    `SELECT id, name, price_cents AS "priceCents", events_per_month AS "eventsPerMonth", devices, venues, overage_cents_per_1000 AS "overageCentsPer1000"
       FROM billing.plans ORDER BY id`,
  );
}

export interface EntitlementOverrides {
  eventsPerMonth?: number;
  devices?: number;
  venues?: number;
}

/** Puts a tenant on a plan (replacing its plan and overrides); the open month is priced on it from now on. */
export async function setEntitlement(q: Queryable, tenantId: string, planId: string, o: EntitlementOverrides = {}): Promise<void> {
  const [found] = await q.query<{ tenant: boolean; plan: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM seatpilot.tenants WHERE id = $1) AS tenant, EXISTS (SELECT 1 FROM billing.plans WHERE id = $2) AS plan',
    [tenantId, planId],
  );
  if (!found?.tenant) throw new BillingInputError(`no tenant "${tenantId.slice(0, 128)}"`);
  if (!found.plan) throw new BillingInputError(`no plan "${planId.slice(0, 64)}" (list them with: seatpilot cloud plan list)`);
  for (const [field, v] of Object.entries(o)) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || (field !== 'eventsPerMonth' && v > 2 ** 31 - 1))) throw new BillingInputError(`${field} must be a whole number ≥ 0, got ${v}`);
  }
  await q.query(
    `INSERT INTO billing.entitlements (tenant_id, plan_id, events_per_month, devices, venues) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, events_per_month = EXCLUDED.events_per_month,
       devices = EXCLUDED.devices, venues = EXCLUDED.venues, updated_at = now()`,
    [tenantId, planId, o.eventsPerMonth ?? null, o.devices ?? null, o.venues ?? null],
  );
}

/** Closes a past month for every tenant with usage in it. Closing again changes nothing; returns tenants closed now. */
export async function closeMonth(q: Queryable, month: Month): Promise<{ month: Month; closed: number }> {
  parseMonth(month);
  try {
    const [row] = await q.query<{ n: number }>('SELECT billing.close_month($1::date) AS n', [firstDay(month)]);
    return { month, closed: row?.n ?? 0 };
  } catch (e) {
    // The function refuses a month that has not ended; that is the caller's mistake, not a server fault.
    if ((e as { code?: string }).code === '22023') throw new BillingInputError((e as Error).message);
    throw e;
  }
}

export const BILLING_COLUMNS = [
  'tenant_id', 'month', 'status', 'plan_id', 'price_cents', 'events', 'rejected', 'events_included', 'overage_events',
  'overage_cents', 'devices_used', 'devices_included', 'venues_used', 'venues_included', 'total_cents', 'over_plan',
] as const;

export type BillingRow = {
  tenant_id: string;
  month: Month;
  status: 'open' | 'closed';
  /** Null for a tenant on no plan: priced at nothing with nothing included, so all its usage shows over plan. */
  plan_id: string | null;
  price_cents: number;
  events: number;
  rejected: number;
  events_included: number;
  overage_events: number;
  overage_cents: number;
  devices_used: number;
  devices_included: number;
  venues_used: number;
  venues_included: number;
  total_cents: number;
  over_plan: boolean;
};

/** billing.v_tenant_billing_report, newest month first, then by tenant. */
export async function billingReport(q: Queryable, filter: { month?: Month; tenantId?: string } = {}): Promise<BillingRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.month !== undefined) where.push(`month = $${params.push(firstDay(parseMonth(filter.month)))}::date`);
  if (filter.tenantId !== undefined) where.push(`tenant_id = $${params.push(filter.tenantId)}`);
  return q.query<BillingRow>(
    `SELECT ${BILLING_COLUMNS.map((c) => (c === 'month' ? `to_char(month, 'YYYY-MM') AS month` : c)).join(', ')}
       FROM billing.v_tenant_billing_report ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY month DESC, tenant_id`,
    params,
  );
}

function csvField(v: unknown): string {
  const s = String(v);
  // Quote what needs quoting, and defuse spreadsheet formulas in text cells (a tenant id could start with "=").
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The report as CSV (RFC 4180, CRLF line ends), columns as BILLING_COLUMNS. */
export function billingCsv(rows: BillingRow[]): string {
  return [BILLING_COLUMNS.join(','), ...rows.map((r) => BILLING_COLUMNS.map((c) => csvField(r[c])).join(','))].join('\r\n') + '\r\n';
}
