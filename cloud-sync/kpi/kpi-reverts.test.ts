// The check-in KPIs with undone check-ins (sql 0019): a reverted check-in is a decision (its latency counts) but not an
// admission, and its guest's trip to the table is not a door-to-seat figure. A revert counts only for a check-in of its
// own tenant, venue and guest.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { readCheckinKpis, readDoorToSeatKpis, refreshKpiView } from './kpi';
import { checkin, insertEvents, refusal, type RawEvent } from '../../tests/fixtures/kpi-fixtures';

// A 5-minute boundary a day ago: inside the views' 7-day window whenever the test runs.
const T0 = new Date(Math.floor((Date.now() - 86_400_000) / 300_000) * 300_000).toISOString();
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const a = { tenant: 'A', venue: 'v1', device: 'k1' };

const ids = { c1: randomUUID(), c2: randomUUID(), c3: randomUUID() };
const admit = (id: string, guest: string, second: number, latencyMs: number): RawEvent =>
  ({ ...a, eventId: id, type: 'checkin.succeeded', occurredAt: at(second), payload: { ...checkin('d1', latencyMs), guest_id: guest } });
const revert = (of: string, guest: string, second: number, where: Partial<RawEvent> = {}): RawEvent => ({
  ...a, ...where, type: 'checkin.reverted', occurredAt: at(second),
  payload: { guest_id: guest, reverted_event_id: of, door_id: 'd1', by_role: 'supervisor', reason: 'checked in by mistake' },
});
const arrive = (guest: string, checkedInAt: string, tripSeconds: number): RawEvent => ({
  ...a, device: 'tab1', type: 'seat.arrived', occurredAt: new Date(Date.parse(checkedInAt) + tripSeconds * 1000).toISOString(),
  payload: { guest_id: guest, table_id: 't1', source: 'tablet', checked_in_at: checkedInAt },
});

describe.each(backends())('KPI views with reverted check-ins on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend);
    await insertEvents(t.db, [
      admit(ids.c1, 'g1', 1, 10), admit(ids.c2, 'g2', 2, 20), admit(ids.c3, 'g3', 3, 30),
      { ...a, type: 'checkin.rejected', occurredAt: at(4), payload: refusal('d1', 'already_checked_in', 40) },
      // g2 checked in by mistake and reverted.
      revert(ids.c2, 'g2', 60),
      // Reverts that must not count: one naming g3's check-in for another guest, one from another tenant, one from
      // another venue of the same tenant.
      revert(ids.c3, 'someone-else', 61),
      revert(ids.c1, 'g1', 62, { tenant: 'B', venue: 'w1', device: 'kb' }),
      revert(ids.c1, 'g1', 63, { venue: 'v2', device: 'k9' }),
      // Trips to the table: g1 30 s, g2 (reverted) 40 s, g3 90 s.
      arrive('g1', at(1), 30), arrive('g2', at(2), 40), arrive('g3', at(3), 90),
    ]);
  });
  afterAll(async () => t?.drop());

  it('counts a reverted check-in as a decision with its latency, not as admitted', async () => {
    await refreshKpiView(t.db, 'mv_kpi_checkin');
    expect(await readCheckinKpis(t.db, { tenantId: 'A' })).toEqual([
      expect.objectContaining({ venue_id: 'v1', door_id: 'd1', decisions: 4, admitted: 2, rejected: 1, p50_latency_ms: 25, rejects_by_reason: { already_checked_in: 1 } }),
    ]);
  });

  it('leaves the trip of a reverted check-in out of door to seat', async () => {
    await refreshKpiView(t.db, 'mv_kpi_door2seat');
    expect(await readDoorToSeatKpis(t.db, { tenantId: 'A' })).toEqual([
      expect.objectContaining({ venue_id: 'v1', arrivals: 2, outliers: 0, p50_seconds: 60 }),
    ]);
  });

  it('takes a revert that arrives after a refresh into account on the next one', async () => {
    await insertEvents(t.db, [revert(ids.c3, 'g3', 120)]);
    await refreshKpiView(t.db, 'mv_kpi_checkin');
    await refreshKpiView(t.db, 'mv_kpi_door2seat');
    expect(await readCheckinKpis(t.db, { tenantId: 'A' })).toEqual([expect.objectContaining({ decisions: 4, admitted: 1, rejected: 1 })]);
    expect(await readDoorToSeatKpis(t.db, { tenantId: 'A' })).toEqual([expect.objectContaining({ arrivals: 1, p50_seconds: 30 })]);
  });
});
