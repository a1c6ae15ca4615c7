// The billing pass on PGlite and the real PostgreSQL, on an injected clock: a month closes by itself on the first pass
// after it ends (not before), once however often or on however many replicas the pass runs, and every active tenant
// has its usage row for the month, so /admin/billing shows it even before its first event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addTenant, addVenue, revokeKey } from '../admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { waitFor } from '../../tests/wait';
import { billingReport, recordUsage, setEntitlement, upsertPlan } from './billing';
import { billingEverySecFromEnv, billingPass, BillingPasses } from './passes';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(backends())('billing pass on %s', (backend) => {
  let t: TestDatabase;
  const ids = { onPlan: '', noPlan: '', planNoDevices: '', retired: '' };
  beforeAll(async () => {
    t = await freshDatabase(backend);
    await upsertPlan(t.db, { id: 'basic', name: 'Basic', priceCents: 10_000, eventsPerMonth: 1000, devices: 5, venues: 1, overageCentsPer1000: 500 });
    // On a plan, with a device: billed its plan.
    ids.onPlan = (await addTenant(t.db, 'On plan')).id;
    const v1 = await addVenue(t.db, ids.onPlan, 'Hall');
    await addDevice(t.db, v1.id, 'agent');
    await setEntitlement(t.db, ids.onPlan, 'basic');
    // Working devices, never put on a plan: still shown, priced at nothing.
    ids.noPlan = (await addTenant(t.db, 'No plan')).id;
    await addDevice(t.db, (await addVenue(t.db, ids.noPlan, 'Barn')).id, 'kiosk');
    // On a plan, no devices yet: its subscription is billed from its first month.
    ids.planNoDevices = (await addTenant(t.db, 'Plan, no devices')).id;
    await setEntitlement(t.db, ids.planNoDevices, 'basic');
    // Every key revoked and no plan: not active, no row.
    ids.retired = (await addTenant(t.db, 'Retired')).id;
    const gone = await addDevice(t.db, (await addVenue(t.db, ids.retired, 'Old')).id, 'kiosk');
    await revokeKey(t.db, gone.key_id);
    await t.db.tx(async (q) => {
      await recordUsage(q, { tenantId: ids.onPlan, venueId: v1.id, deviceIds: ['d1'], accepted: 1500, rejected: 2, at: new Date('2026-10-20T10:00:00Z') });
      await recordUsage(q, { tenantId: ids.noPlan, venueId: 'barn', deviceIds: ['d2'], accepted: 40, rejected: 0, at: new Date('2026-10-21T10:00:00Z') });
    });
  });
  afterAll(async () => t?.drop());

  const closes = async () => t.db.query<{ tenant_id: string; month: string; closed_at: Date }>(`SELECT tenant_id, to_char(month, 'YYYY-MM') AS month, closed_at FROM billing.month_closes ORDER BY tenant_id`);

  it('before the month ends nothing closes, and every active tenant gets its usage row', async () => {
    const r = await billingPass(t.db, new Date('2026-10-31T23:59:59Z'));
    expect(r).toEqual({ month: '2026-10', usageRowsAdded: 1, closed: [] }); // only planNoDevices lacked an October row
    expect(await closes()).toEqual([]);
    const october = await billingReport(t.db, { month: '2026-10' });
    expect(october.map((row) => [row.tenant_id, row.status, row.plan_id, row.events, row.total_cents]).sort()).toEqual([
      [ids.noPlan, 'open', null, 40, 0],
      [ids.onPlan, 'open', 'basic', 1500, 10_500],
      [ids.planNoDevices, 'open', 'basic', 0, 10_000],
    ].sort());
    // A tenant on no plan has nothing included: the report flags it.
    expect(october.find((row) => row.tenant_id === ids.noPlan)?.over_plan).toBe(true);
  });

  it('the first pass after the month ends closes it; running again closes nothing', async () => {
    const first = await billingPass(t.db, new Date('2026-11-01T00:00:05Z'));
    expect(first).toEqual({ month: '2026-11', usageRowsAdded: 3, closed: [{ month: '2026-10', closed: 3 }] });
    const closed = await closes();
    expect(closed.map((c) => [c.tenant_id, c.month]).sort()).toEqual([[ids.noPlan, '2026-10'], [ids.onPlan, '2026-10'], [ids.planNoDevices, '2026-10']].sort());
    expect((await billingReport(t.db, { month: '2026-10' })).every((row) => row.status === 'closed')).toBe(true);
    // November is open for the three active tenants, none for the retired one.
    const november = await billingReport(t.db, { month: '2026-11' });
    expect(november.map((row) => row.tenant_id).sort()).toEqual([ids.noPlan, ids.onPlan, ids.planNoDevices].sort());
    expect(november.every((row) => row.status === 'open' && row.events === 0)).toBe(true);

    expect(await billingPass(t.db, new Date('2026-11-01T01:00:00Z'))).toEqual({ month: '2026-11', usageRowsAdded: 0, closed: [] });
    expect(await closes()).toEqual(closed); // same rows, same closed_at
  });

  it('replicas passing at the same moment close a month once', async () => {
    await t.db.tx((q) => recordUsage(q, { tenantId: ids.onPlan, venueId: 'hall', deviceIds: ['d1'], accepted: 7, rejected: 0, at: new Date('2026-11-10T10:00:00Z') }));
    const at = new Date('2026-12-01T00:00:01Z');
    const results = await Promise.all([billingPass(t.db, at), billingPass(t.db, at), billingPass(t.db, at)]);
    const closedNow = results.flatMap((r) => (r === 'skipped_locked' ? [] : r.closed)).reduce((n, c) => n + c.closed, 0);
    expect(closedNow).toBe(3);
    const [n] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM billing.month_closes WHERE month = '2026-11-01'`);
    expect(n?.n).toBe(3);
    const [nov] = await billingReport(t.db, { month: '2026-11', tenantId: ids.onPlan });
    expect(nov).toMatchObject({ status: 'closed', events: 7, total_cents: 10_000 });
  });

  it('the running loop closes a month on its first tick after the injected clock crosses the end', async () => {
    let now = new Date('2026-12-31T23:59:00Z');
    const passes = new BillingPasses({ db: t.db, everyMs: 50, log: quiet, now: () => now });
    passes.start();
    try {
      await waitFor('a pass in December', async () => (await billingReport(t.db, { month: '2026-12' })).length === 3, 10_000);
      expect((await closes()).filter((c) => c.month === '2026-12')).toEqual([]);
      now = new Date('2027-01-01T00:00:01Z');
      // The database clock must be past December too; it is (this suite runs in or after December 2026) or the close waits.
      if (Date.now() >= Date.parse('2027-01-01T00:00:00Z')) {
        await waitFor('December closed', async () => (await closes()).filter((c) => c.month === '2026-12').length === 3, 10_000);
      } else {
        await waitFor('a pass in January', async () => (await billingReport(t.db, { month: '2027-01' })).length === 3, 10_000);
        expect((await closes()).filter((c) => c.month === '2026-12')).toEqual([]);
      }
    } finally {
      await passes.stop();
    }
  });

  it('BILLING_EVERY_SEC is checked at start', () => {
    expect(billingEverySecFromEnv({})).toBe(3600);
    expect(billingEverySecFromEnv({ BILLING_EVERY_SEC: '60' })).toBe(60);
    for (const bad of ['-1', '1.5', 'hourly', '86401']) expect(() => billingEverySecFromEnv({ BILLING_EVERY_SEC: bad })).toThrow(/BILLING_EVERY_SEC/);
  });
});
