// KPI views on PGlite and the real PostgreSQL: known check-ins and arrivals give exact counts and percentiles, every
// refresh is logged, staleness moves, and a tenant sees only its own rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { readCheckinKpis, readDoorToSeatKpis, readStaleness, refreshKpiView } from './kpi';
import { arrival, asTenant, checkin, insertEvents, refusal, type RawEvent } from '../../tests/fixtures/kpi-fixtures';

// A 5-minute boundary a day ago: inside the views' 7-day window whenever the test runs.
const T0 = new Date(Math.floor((Date.now() - 86_400_000) / 300_000) * 300_000).toISOString();
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function knownEvents(): RawEvent[] {
  const ev: RawEvent[] = [];
  const a = { tenant: 'A', venue: 'v1', device: 'k1' };
  // Door d1, bucket 10:00: 20 admissions at 10, 20, … 200 ms.
  for (let i = 1; i <= 20; i++) ev.push({ ...a, type: 'checkin.succeeded', occurredAt: at(i * 10), payload: checkin('d1', i * 10) });
  // Door d2, bucket 10:00: one admission at 40 ms, refusals at 20, 20 (already checked in) and 60 ms (revoked).
  ev.push({ ...a, device: 'k2', type: 'checkin.succeeded', occurredAt: at(5), payload: checkin('d2', 40) });
  ev.push({ ...a, device: 'k2', type: 'checkin.rejected', occurredAt: at(6), payload: refusal('d2', 'already_checked_in', 20) });
  ev.push({ ...a, device: 'k2', type: 'checkin.rejected', occurredAt: at(7), payload: refusal('d2', 'already_checked_in', 20) });
  ev.push({ ...a, device: 'k2', type: 'checkin.rejected', occurredAt: at(8), payload: refusal('d2', 'revoked', 60) });
  // Door d1, bucket 10:05: one admission at 300 ms (10:07:00).
  ev.push({ ...a, type: 'checkin.succeeded', occurredAt: at(420), payload: checkin('d1', 300) });
  // Door to seat, arrivals in bucket 10:10: trips of 10..50 s, one of 1000 s and one of −5 s (both outliers).
  for (const trip of [10, 20, 30, 40, 50, 1000, -5]) {
    ev.push({ ...a, device: 'tab1', type: 'seat.arrived', occurredAt: at(600 + 60), payload: arrival(at(600 + 60 - trip)) });
  }
  // Noise the views must ignore: another type, and check-ins and arrivals older than the views' 7-day window.
  ev.push({ ...a, type: 'device.heartbeat', occurredAt: at(1), payload: { app_version: '1' } });
  const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
  ev.push({ ...a, type: 'checkin.succeeded', occurredAt: old, receivedAt: old, payload: checkin('d1', 5000) });
  ev.push({ ...a, device: 'tab1', type: 'seat.arrived', occurredAt: old, receivedAt: old, payload: arrival(old) });
  // Tenant B: one admission and one arrival.
  ev.push({ tenant: 'B', venue: 'w1', device: 'kb', type: 'checkin.succeeded', occurredAt: at(30), payload: checkin('x', 77) });
  ev.push({ tenant: 'B', venue: 'w1', device: 'kb', type: 'seat.arrived', occurredAt: at(60), payload: arrival(at(40)) });
  return ev;
}

describe.each(backends())('KPI views on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend);
    await insertEvents(t.db, knownEvents());
  });
  afterAll(async () => t?.drop());

  it('shows nothing until refreshed, then exact counts and percentiles per door and bucket', async () => {
    expect(await readCheckinKpis(t.db, { tenantId: 'A' })).toEqual([]);
    const r = await refreshKpiView(t.db, 'mv_kpi_checkin');
    expect(r).toMatchObject({ view: 'mv_kpi_checkin', outcome: 'refreshed', rowCount: 4, error: null });

    const rows = await readCheckinKpis(t.db, { tenantId: 'A' });
    expect(rows.map((x) => ({ ...x, bucket: x.bucket.toISOString() }))).toEqual([
      { tenant_id: 'A', venue_id: 'v1', door_id: 'd1', bucket: at(0), decisions: 20, admitted: 20, rejected: 0, p50_latency_ms: 105, p95_latency_ms: expect.closeTo(190.5, 9), rejects_by_reason: {} },
      { tenant_id: 'A', venue_id: 'v1', door_id: 'd1', bucket: at(300), decisions: 1, admitted: 1, rejected: 0, p50_latency_ms: 300, p95_latency_ms: 300, rejects_by_reason: {} },
      { tenant_id: 'A', venue_id: 'v1', door_id: 'd2', bucket: at(0), decisions: 4, admitted: 1, rejected: 3, p50_latency_ms: 30, p95_latency_ms: expect.closeTo(57, 9), rejects_by_reason: { already_checked_in: 2, revoked: 1 } },
    ]);
  });

  it('door to seat: outliers over 15 min (and negative trips) are counted apart and left out of p50/p95', async () => {
    await refreshKpiView(t.db, 'mv_kpi_door2seat');
    const rows = await readDoorToSeatKpis(t.db, { tenantId: 'A' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ venue_id: 'v1', arrivals: 5, outliers: 2, p50_seconds: 30, p95_seconds: expect.closeTo(48, 9) });
    expect(rows[0]?.bucket.toISOString()).toBe(at(600));
  });

  it('picks up new events on the next refresh and logs every refresh', async () => {
    await insertEvents(t.db, [{ tenant: 'A', venue: 'v1', device: 'k1', type: 'checkin.succeeded', occurredAt: at(421), payload: checkin('d1', 100) }]);
    await refreshKpiView(t.db, 'mv_kpi_checkin');
    const later = (await readCheckinKpis(t.db, { tenantId: 'A', since: new Date(at(300)) }))[0];
    expect(later).toMatchObject({ door_id: 'd1', decisions: 2, p50_latency_ms: 200, p95_latency_ms: 290 });

    const log = await t.db.query<{ view_name: string; ok: boolean; row_count: number; duration_ms: number; span_ms: number }>(
      `SELECT view_name, ok, row_count, duration_ms, extract(epoch FROM finished_at - started_at)::float8 * 1000 AS span_ms
         FROM telemetry.mv_refresh_log ORDER BY id`);
    expect(log.map((l) => [l.view_name, l.ok, l.row_count])).toEqual([
      ['mv_kpi_checkin', true, 4],
      ['mv_kpi_door2seat', true, 2],
      ['mv_kpi_checkin', true, 4],
    ]);
    // The logged duration is the refresh itself, in milliseconds: more than nothing, within the logged start and end.
    for (const l of log) {
      expect(l.duration_ms).toBeGreaterThan(0);
      expect(l.duration_ms).toBeLessThanOrEqual(l.span_ms + 5);
    }
  });

  it('staleness: the lag counts from the last successful refresh', async () => {
    const lastOk = async (view: string) => (await t.db.query<{ at: Date }>(
      'SELECT max(finished_at) AS at FROM telemetry.mv_refresh_log WHERE view_name = $1 AND ok', [view]))[0]?.at as Date;
    const before = await readStaleness(t.db);
    expect(before.map((s) => s.view)).toEqual(['mv_kpi_checkin', 'mv_kpi_door2seat']);
    for (const s of before) {
      // The last successful refresh of the log above, and the seconds since it.
      expect(s.lastRefreshedAt).toEqual(await lastOk(s.view));
      expect(s.lagSeconds).toBeCloseTo((Date.now() - (s.lastRefreshedAt as Date).getTime()) / 1000, 0);
      expect(s.lastFailedAt).toBeNull();
    }
    // Backdate the log: the lag grows by exactly that much.
    await t.db.query(`UPDATE telemetry.mv_refresh_log SET finished_at = finished_at - interval '1 hour' WHERE view_name = 'mv_kpi_door2seat'`);
    const after = (await readStaleness(t.db)).find((s) => s.view === 'mv_kpi_door2seat');
    const backdated = await lastOk('mv_kpi_door2seat');
    expect(backdated.getTime()).toBeLessThan(Date.now() - 3_600_000);
    expect(after?.lagSeconds).toBeCloseTo((Date.now() - backdated.getTime()) / 1000, 0);
  });

  it('a failed refresh is logged with its error and does not count as fresh', async () => {
    // Without its unique index a concurrent refresh is impossible: the refresher must log, not throw.
    await t.db.exec('DROP INDEX telemetry.mv_kpi_door2seat_key');
    try {
      const r = await refreshKpiView(t.db, 'mv_kpi_door2seat');
      expect(r.outcome).toBe('failed');
      expect(r.error).toMatch(/concurrently/i);
      const [last] = await t.db.query<{ ok: boolean; error: string }>(`SELECT ok, error FROM telemetry.mv_refresh_log WHERE view_name = 'mv_kpi_door2seat' ORDER BY id DESC LIMIT 1`);
      expect(last?.ok).toBe(false);
      const s = (await readStaleness(t.db)).find((x) => x.view === 'mv_kpi_door2seat');
      expect(s?.lagSeconds).toBeGreaterThanOrEqual(3600);
      expect(s?.lastFailedAt).toBeInstanceOf(Date);
    } finally {
      await t.db.exec('CREATE UNIQUE INDEX mv_kpi_door2seat_key ON telemetry.mv_kpi_door2seat (tenant_id, venue_id, bucket)');
    }
  });

  it('RLS: as authenticated for tenant A, the KPI and last-hour views show only A', async () => {
    const seen = await asTenant(t.db, 'A', async (q) => ({
      checkin: (await q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM telemetry.v_kpi_checkin')).map((r) => r.tenant_id),
      door2seat: (await q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM telemetry.v_kpi_door2seat')).map((r) => r.tenant_id),
      counts: (await q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM telemetry.v_event_counts_last_hour')).map((r) => r.tenant_id),
      staleness: (await q.query('SELECT view_name FROM telemetry.v_mv_staleness')).length,
    }));
    expect(seen).toEqual({ checkin: ['A'], door2seat: ['A'], counts: ['A'], staleness: 2 });
    const b = await asTenant(t.db, 'B', async (q) => (await q.query<{ decisions: number }>('SELECT decisions FROM telemetry.v_kpi_checkin')).map((r) => r.decisions));
    expect(b).toEqual([1]);
    // The materialized views themselves are closed to clients: no policy could protect them.
    await expect(asTenant(t.db, 'A', (q) => q.query('SELECT * FROM telemetry.mv_kpi_checkin'))).rejects.toThrow(/permission denied/);
  });

  it('RLS: v_rejected_events_last_hour shows only the caller tenant refusals', async () => {
    for (const tenant of ['A', 'B', 'B']) {
      await t.db.query(
        `INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, event_index, reason, detail, raw)
         VALUES ($1, 'v', 'd', 'k', 0, 'invalid_payload', 'x', '{}')`, [tenant]);
    }
    const a = await asTenant(t.db, 'A', (q) => q.query('SELECT tenant_id, reason, events FROM telemetry.v_rejected_events_last_hour'));
    expect(a).toEqual([{ tenant_id: 'A', reason: 'invalid_payload', events: 1 }]);
    const all = await t.db.query('SELECT tenant_id, events FROM telemetry.v_rejected_events_last_hour ORDER BY tenant_id');
    expect(all).toEqual([{ tenant_id: 'A', events: 1 }, { tenant_id: 'B', events: 2 }]);
  });
});
