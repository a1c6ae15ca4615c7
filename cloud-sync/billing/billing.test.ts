// Billing on PGlite and the real PostgreSQL: known usage gives the known report, closing twice equals once, over-plan
// usage is shown, CSV matches the rows, and a tenant sees only its own billing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { asTenant, seedTenant } from '../../tests/fixtures/kpi-fixtures';
import { billingCsv, billingReport, BillingInputError, closeMonth, meterBatch, parseMonth, recordUsage, setEntitlement, upsertPlan } from './billing';

const OCT = new Date('2026-10-15T12:00:00Z');

describe.each(backends())('metering and billing on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend);
    await seedTenant(t.db, 'A', { v1: ['k1', 'k2'], v2: ['k3'] });
    await seedTenant(t.db, 'B', { w1: ['kb'] });
    await upsertPlan(t.db, { id: 'basic', name: 'Basic', priceCents: 10_000, eventsPerMonth: 1000, devices: 2, venues: 1, overageCentsPer1000: 500 });
    await setEntitlement(t.db, 'A', 'basic');
    await setEntitlement(t.db, 'B', 'basic', { eventsPerMonth: 5000 });
    // October: A sends 2500 events from three devices in two venues (over every allowance), 7 refused; B sends 100.
    await t.db.tx(async (q) => {
      await recordUsage(q, { tenantId: 'A', venueId: 'v1', deviceIds: ['k1', 'k2'], accepted: 1000, rejected: 4, at: OCT });
      await recordUsage(q, { tenantId: 'A', venueId: 'v1', deviceIds: ['k1'], accepted: 1000, rejected: 3, at: OCT });
      await recordUsage(q, { tenantId: 'A', venueId: 'v2', deviceIds: ['k3'], accepted: 500, rejected: 0, at: OCT });
      await recordUsage(q, { tenantId: 'B', venueId: 'w1', deviceIds: ['kb'], accepted: 100, rejected: 0, at: OCT });
    });
  });
  afterAll(async () => t?.drop());

  const octoberA = {
    tenant_id: 'A', month: '2026-10', plan_id: 'basic', price_cents: 10_000, events: 2500, rejected: 7, events_included: 1000,
    overage_events: 1500, overage_cents: 1000, devices_used: 3, devices_included: 2, venues_used: 2, venues_included: 1,
    total_cents: 11_000, over_plan: true,
  };
  const octoberB = {
    tenant_id: 'B', month: '2026-10', plan_id: 'basic', price_cents: 10_000, events: 100, rejected: 0, events_included: 5000,
    overage_events: 0, overage_cents: 0, devices_used: 1, devices_included: 2, venues_used: 1, venues_included: 1,
    total_cents: 10_000, over_plan: false,
  };

  it('a month with known usage gives the known report (open until closed)', async () => {
    expect(await billingReport(t.db, { month: '2026-10' })).toEqual([
      { ...octoberA, status: 'open' },
      { ...octoberB, status: 'open' },
    ]);
  });

  it('closing a month freezes it; closing twice equals closing once', async () => {
    expect(await closeMonth(t.db, '2026-10')).toEqual({ month: '2026-10', closed: 2 });
    const once = await billingReport(t.db, { month: '2026-10' });
    expect(once).toEqual([{ ...octoberA, status: 'closed' }, { ...octoberB, status: 'closed' }]);
    expect(await closeMonth(t.db, '2026-10')).toEqual({ month: '2026-10', closed: 0 });
    // Even a plan change after the close leaves the closed month as it was billed.
    await upsertPlan(t.db, { id: 'basic', name: 'Basic', priceCents: 99_999, eventsPerMonth: 1, devices: 1, venues: 1, overageCentsPer1000: 1 });
    expect(await billingReport(t.db, { month: '2026-10' })).toEqual(once);
    await upsertPlan(t.db, { id: 'basic', name: 'Basic', priceCents: 10_000, eventsPerMonth: 1000, devices: 2, venues: 1, overageCentsPer1000: 500 });
  });

  it('refuses to close a month that has not ended, and a malformed month', async () => {
    const current = new Date().toISOString().slice(0, 7);
    await expect(closeMonth(t.db, current)).rejects.toThrow(BillingInputError);
    await expect(closeMonth(t.db, current)).rejects.toThrow(/has not ended/);
    expect(() => parseMonth('2026-13')).toThrow(/YYYY-MM/);
    await expect(closeMonth(t.db, '2026-1')).rejects.toThrow(BillingInputError);
  });

  it('the ingest hook meters what a batch stored, relayed devices included, in the current month', async () => {
    await t.db.tx((q) => meterBatch(q, { tenantId: 'B', venueId: 'w1', deviceId: 'agent-w1' }, [{ device_id: 'kb' }, { device_id: 'kb2' }, { device_id: 'kb' }], 1));
    await t.db.tx((q) => meterBatch(q, { tenantId: 'B', venueId: 'w1', deviceId: 'agent-w1' }, [], 0));
    const [now] = await billingReport(t.db, { month: new Date().toISOString().slice(0, 7), tenantId: 'B' });
    expect(now).toMatchObject({ status: 'open', events: 3, rejected: 1, devices_used: 3, venues_used: 1 });
  });

  it('CSV holds exactly the report rows', async () => {
    const rows = await billingReport(t.db);
    const csv = billingCsv(rows);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('tenant_id,month,status,plan_id,price_cents,events,rejected,events_included,overage_events,overage_cents,devices_used,devices_included,venues_used,venues_included,total_cents,over_plan');
    expect(lines).toContain('A,2026-10,closed,basic,10000,2500,7,1000,1500,1000,3,2,2,1,11000,true');
    expect(lines).toHaveLength(rows.length + 1);
    expect(billingCsv([{ ...rows[0]!, tenant_id: '=HYPERLINK("x")' }])).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('RLS: as authenticated for tenant A, the billing report shows only A', async () => {
    const a = await asTenant(t.db, 'A', (q) => q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM billing.v_tenant_billing_report'));
    expect(a).toEqual([{ tenant_id: 'A' }]);
    const usage = await asTenant(t.db, 'B', (q) => q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM billing.usage_monthly'));
    expect(usage).toEqual([{ tenant_id: 'B' }]);
    await expect(asTenant(t.db, 'A', (q) => q.query(`SELECT billing.close_month('2026-09-01')`))).rejects.toThrow(/permission denied/);
  });
});
