// What the cloud makes of figures a device does not know, through signed ingest on PGlite and Postgres: a check-in
// without its commit time (pushed after a kiosk restart) is stored and left out of the latency percentiles; a hub
// without a scanner and a keyboard-wedge kiosk are not faults on the fleet page; a skew is shown with its sign (device
// minus receiver) and, for a kiosk that corrects, that its times are corrected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { addDevice, addTenant, addVenue } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { readCheckinKpis, refreshKpiView } from '../kpi/kpi';
import { fleetStatus } from './fleet';

const TOKEN = 'test-admin-token-honest-figures-0123';
// A 5-minute boundary a day ago, inside the KPI view's window.
const BUCKET = Math.floor((Date.now() - 86_400_000) / 300_000) * 300_000;

describe.each(backends())('honest figures in the cloud on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: TestKey;
  let wedge: TestKey;
  let hid: TestKey;

  const heartbeat = (key: TestKey, payload: Record<string, unknown>): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
    payload: { app_version: '0.1.0', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 3, ...payload },
  } as SeatPilotEvent);
  const post = async (key: TestKey, events: SeatPilotEvent[]) => (await signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(events))).json();

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, ops: { adminToken: TOKEN } });
    const tenant = await addTenant(t.db, 'Tenant');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
    wedge = await addDevice(t.db, venue.id, 'kiosk');
    hid = await addDevice(t.db, venue.id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('stores a check-in without its commit time and leaves it out of the latency percentiles', async () => {
    const at = (s: number) => new Date(BUCKET + s * 1000).toISOString();
    const measured = [10, 20, 30].map((ms, i) => checkinEvent(wedge, { occurred_at: at(i), payload: { door_id: 'honest', latency_ms: ms, stages: { parse_ms: 1, lookup_ms: 1, persist_ms: ms - 2, total_ms: ms } } }));
    const afterRestart = checkinEvent(wedge, { occurred_at: at(10), payload: { door_id: 'honest', stages: { parse_ms: 1, lookup_ms: 1 }, device_time: at(610) } });
    delete (afterRestart.payload as { latency_ms?: number }).latency_ms;
    expect(await post(wedge, [...measured, afterRestart])).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    await refreshKpiView(t.db, 'mv_kpi_checkin');
    const [row] = (await readCheckinKpis(t.db, { tenantId: wedge.tenant_id })).filter((r) => r.door_id === 'honest');
    // Four decisions; the percentiles are of the three measured latencies only (with a 0 for the fourth, p50 would be 15).
    expect(row).toMatchObject({ decisions: 4, admitted: 4, p50_latency_ms: 20 });
    expect(row!.p95_latency_ms).toBeCloseTo(29, 6);
  });

  it('shows no scanner, an unknown wedge scanner and a corrected skew for what they are, not as faults', async () => {
    expect(await post(agent, [heartbeat(agent, { scanner_ok: null, clock_skew_ms: null })])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await post(wedge, [heartbeat(wedge, { scanner_ok: null, last_scan_s: 42, clock_skew_ms: 600_123, clock_corrected: true })])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await post(hid, [heartbeat(hid, { scanner_ok: false, last_scan_s: null, clock_skew_ms: -250, clock_corrected: false })])).toMatchObject({ accepted: 1, rejected: [] });

    const fleet = new Map((await fleetStatus(t.db)).map((d) => [d.device, d]));
    expect(fleet.get(agent.device_id)).toMatchObject({ state: 'ok', problems: [], scannerOk: null, clockSkewMs: null });
    expect(fleet.get(wedge.device_id)).toMatchObject({ problems: ['clock_skewed'], scannerOk: null, lastScanSeconds: 42, clockSkewMs: 600_123, clockCorrected: true });
    expect(fleet.get(hid.device_id)).toMatchObject({ problems: [], scannerOk: false, clockSkewMs: -250 });

    const page = (await cloud.app.inject({ method: 'GET', url: '/admin/fleet', headers: { authorization: `Bearer ${TOKEN}` } })).body;
    const rowOf = (device: string) => page.split('\n<tr').find((r) => r.includes(`data-device="${device}"`)) ?? '';
    expect(rowOf(agent.device_id)).toContain('<td>no scanner</td>');
    expect(rowOf(agent.device_id)).toContain('not measured yet');
    expect(rowOf(wedge.device_id)).toContain('unknown (keyboard wedge), last scan 42 s ago');
    expect(rowOf(wedge.device_id)).toContain('off by +600.1 s; times corrected to the hub&#39;s clock');
    expect(rowOf(hid.device_id)).toContain('<td>no</td>');
    expect(rowOf(hid.device_id)).toContain('−0.3 s');

    // The gauge has the sign its help text says: device minus receiver.
    const metrics = (await cloud.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/# HELP seatpilot_device_clock_skew_seconds Device clock minus/);
    expect(metrics).toContain(`seatpilot_device_clock_skew_seconds{tenant="${wedge.tenant_id}",venue="${wedge.venue_id}",device="${wedge.device_id}"} 600.123`);
    expect(metrics).toContain(`seatpilot_device_clock_skew_seconds{tenant="${hid.tenant_id}",venue="${hid.venue_id}",device="${hid.device_id}"} -0.25`);
    expect(metrics).not.toContain(`seatpilot_device_clock_skew_seconds{tenant="${agent.tenant_id}",venue="${agent.venue_id}",device="${agent.device_id}"}`);
  });
});
