// Cloud ops wired into the ingest service (buildApp): signed batches meter billing usage in their transaction,
// heartbeats feed the fleet page and gauges, and /admin/* is guarded by the admin token. PGlite and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildApp, type CloudApp } from '../app';
import { addDevice, addTenant, addVenue } from '../admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { billingReport, setEntitlement, upsertPlan } from '../billing/billing';
import { heartbeat } from '../../tests/fixtures/kpi-fixtures';

const TOKEN = 'service-admin-token-0123456789';

describe.each(backends())('ops in the cloud service on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let kiosk: TestKey;
  let quietKiosk: TestKey;
  let agent: TestKey;
  let tenant: string;
  const month = new Date().toISOString().slice(0, 7);
  const post = (key: TestKey, body: string) => signedInject(cloud.app, key, 'POST', '/v1/events', body);
  const hbEvent = (key: TestKey, p: Parameters<typeof heartbeat>[0] = {}) => ({
    event_id: randomUUID(), type: 'device.heartbeat' as const, occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id, payload: heartbeat(p),
  });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, ops: { adminToken: TOKEN } });
    tenant = (await addTenant(t.db, 'Tenant A')).id;
    const venue = await addVenue(t.db, tenant, 'Hall');
    kiosk = await addDevice(t.db, venue.id, 'kiosk');
    quietKiosk = await addDevice(t.db, venue.id, 'kiosk');
    agent = await addDevice(t.db, venue.id, 'agent');
    await upsertPlan(t.db, { id: 'tiny', name: 'Tiny', priceCents: 1000, eventsPerMonth: 3, devices: 1, venues: 1, overageCentsPer1000: 200 });
    await setEntitlement(t.db, tenant, 'tiny');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('meters accepted and refused events per month; duplicates are not usage; over plan is stored, not dropped', async () => {
    const events = [checkinEvent(kiosk), checkinEvent(kiosk), hbEvent(kiosk, { outbox_depth: 7, clock_skew_ms: 250 })];
    const bad = { ...checkinEvent(kiosk), payload: { nope: true } };
    const first = await post(kiosk, batchOf([...events, bad]));
    expect(first.json()).toMatchObject({ accepted: 3, duplicates: 0 });
    // The same events again (a retry) plus two relayed by the agent for the kiosk: only the new ones count.
    const relayed = [checkinEvent(kiosk), checkinEvent(kiosk)];
    const second = await post(agent, batchOf([...events, ...relayed]));
    expect(second.json()).toMatchObject({ accepted: 2, duplicates: 3 });
    const [row] = await billingReport(t.db, { month, tenantId: tenant });
    expect(row).toMatchObject({ status: 'open', events: 5, rejected: 1, events_included: 3, overage_events: 2, overage_cents: 200, total_cents: 1200, devices_used: 2, over_plan: true });
    expect(Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events_raw'))[0]?.n)).toBe(5);
  });

  it('the fleet page and gauges show the heartbeat sender as ok and the silent kiosk as silent', async () => {
    expect((await cloud.app.inject({ url: '/admin/fleet' })).statusCode).toBe(401);
    const page = await cloud.app.inject({ url: '/admin/fleet', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.statusCode).toBe(200);
    const states = Object.fromEntries([...page.body.matchAll(/data-device="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1], m[2]]));
    expect(states).toEqual({ [kiosk.device_id]: 'ok', [quietKiosk.device_id]: 'silent', [agent.device_id]: 'silent' });
    const metrics = (await cloud.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain(`seatpilot_outbox_depth{tenant="${tenant}",venue="${kiosk.venue_id}",device="${kiosk.device_id}"} 7`);
    expect(metrics).toContain(`seatpilot_device_clock_skew_seconds{tenant="${tenant}",venue="${kiosk.venue_id}",device="${kiosk.device_id}"} 0.25`);
    expect(metrics).toMatch(new RegExp(`seatpilot_device_last_seen_timestamp_seconds\\{tenant="${tenant}",venue="${kiosk.venue_id}",device="${kiosk.device_id}"\\} \\d+`));
    expect(metrics).toMatch(/seatpilot_mv_lag_seconds\{view="mv_kpi_checkin"\} [\d.]+/);
  });

  it('billing CSV through the service shows this month', async () => {
    const csv = await cloud.app.inject({ url: `/admin/billing.csv?month=${month}`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(`${tenant},${month},open,tiny,1000,5,1,3,2,200,2,1,1,1,1200,true`);
  });
});
