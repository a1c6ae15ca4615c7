// One door-to-seat rule on every tier: the same seat.arrived events go through the core rule (which the agent's
// histogram uses) and through the cloud (signed ingest, then a refresh of mv_kpi_door2seat), on PGlite and Postgres;
// both keep the same trips and give the same counts and percentiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { doorToSeat } from '../../core/arrival/door-to-seat';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, signedInject, type TestKey } from '../../tests/signed';
import { addDevice, addTenant, addVenue } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { readDoorToSeatKpis, refreshKpiView } from './kpi';

// A 5-minute boundary a day ago, inside the view's 7-day window; every arrival falls in the bucket starting there.
const BUCKET = Math.floor((Date.now() - 86_400_000) / 300_000) * 300_000;
const ARRIVED = BUCKET + 150_000;
// Negative (clock error), zero, the 15-minute boundary either side, and well past it.
const TRIPS_S = [-120, -0.001, 0, 0.5, 12, 25, 40, 61, 300, 899.999, 900, 900.001, 1000, 3600];

/** percentile_cont: linear interpolation between the closest ranks (what the view computes). */
function percentileCont(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

describe.each(backends())('door-to-seat: core rule and cloud view agree on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: TestKey;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    const tenant = await addTenant(t.db, 'Tenant');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('keeps 0 to 900 s inclusive, counts negative and longer trips as outliers, and gives the same p50/p95', async () => {
    const events: SeatPilotEvent[] = TRIPS_S.map((trip, i) => ({
      event_id: randomUUID(),
      type: 'seat.arrived',
      occurred_at: new Date(ARRIVED).toISOString(),
      venue_id: agent.venue_id,
      device_id: agent.device_id,
      payload: { guest_id: `g${i}`, table_id: 't1', source: 'tablet', checked_in_at: new Date(ARRIVED - Math.round(trip * 1000)).toISOString() },
    }));
    const res = await signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf(events));
    expect(res.json()).toEqual({ accepted: TRIPS_S.length, duplicates: 0, rejected: [] });
    await refreshKpiView(t.db, 'mv_kpi_door2seat');
    const rows = await readDoorToSeatKpis(t.db, { tenantId: agent.tenant_id as string });

    const core = events.map((e) => (e.type === 'seat.arrived' ? doorToSeat(e.payload.checked_in_at, e.occurred_at) : null));
    const kept = core.filter((d) => d !== null && !d.outlier).map((d) => d!.seconds).sort((a, b) => a - b);
    expect(kept).toEqual([0, 0.5, 12, 25, 40, 61, 300, 899.999, 900]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.bucket.getTime()).toBe(BUCKET);
    expect({ arrivals: Number(row.arrivals), outliers: Number(row.outliers) }).toEqual({ arrivals: kept.length, outliers: TRIPS_S.length - kept.length });
    expect(row.p50_seconds).toBeCloseTo(percentileCont(kept, 0.5) as number, 6);
    expect(row.p95_seconds).toBeCloseTo(percentileCont(kept, 0.95) as number, 6);
    // The rule matters here: clamping the two negative trips to 0 s would have pulled the venue's median down to 12 s.
    expect(row.p50_seconds).toBe(40);
  });
});
