// The ops plugin on its own fastify instance over PGlite and the real PostgreSQL: admin auth, the fleet page, billing
// HTML and CSV, the fleet and lag gauges on /metrics, and the refresher inside the service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { closeMonth, recordUsage, setEntitlement, upsertPlan } from '../billing/billing';
import { fleetStatus } from '../fleet/fleet';
import { KpiRefresher, refreshEverySecFromEnv } from '../kpi/refresher';
import { heartbeat, insertEvents, seedTenant } from '../../tests/fixtures/kpi-fixtures';
import { checkAdminAuth } from './admin-auth';
import { opsPlugin } from './plugin';

const TOKEN = 'test-admin-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

async function buildOpsApp(db: TestDatabase['db'], opts: { adminToken?: string; refreshEverySec?: number } = {}) {
  const lines: string[] = [];
  const registry = new Registry();
  const app: FastifyInstance = Fastify({ logger: { level: 'info', stream: { write: (l: string) => void lines.push(l) } } });
  await app.register(opsPlugin, { db, registry, ...opts });
  app.get('/metrics', async (_r, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.ready();
  return { app, lines, registry };
}

function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(backends())('ops plugin on %s', (backend) => {
  let t: TestDatabase;
  let ops: Awaited<ReturnType<typeof buildOpsApp>>;
  beforeAll(async () => {
    t = await freshDatabase(backend);
    await seedTenant(t.db, 'A', { v1: ['k1', 'k2', 'k3', 'k4', 'k5'] });
    await seedTenant(t.db, 'B', { w1: ['kb'] });
    const hb = (device: string, secondsAgo: number, p: Parameters<typeof heartbeat>[0] = {}) =>
      ({ tenant: 'A', venue: 'v1', device, type: 'device.heartbeat', occurredAt: ago(secondsAgo), receivedAt: ago(secondsAgo), payload: heartbeat(p) });
    await insertEvents(t.db, [
      hb('k1', 40), hb('k1', 30), // ok
      hb('k2', 900), hb('k2', 600), // stopped sending ten minutes ago: silent
      hb('k3', 20, { outbox_depth: 4000, oldest_unsent_s: 900 }), // backlogged
      hb('k4', 10, { clock_skew_ms: 20_000 }), // clock skewed
      // k5 is registered but never sent anything.
      { tenant: 'B', venue: 'w1', device: 'kb', type: 'device.heartbeat', occurredAt: ago(5), receivedAt: ago(5), payload: heartbeat() },
    ]);
    await upsertPlan(t.db, { id: 'basic', name: 'Basic', priceCents: 10_000, eventsPerMonth: 1000, devices: 2, venues: 1, overageCentsPer1000: 500 });
    await setEntitlement(t.db, 'A', 'basic');
    await setEntitlement(t.db, 'B', 'basic');
    const oct = new Date('2026-10-10T00:00:00Z');
    await recordUsage(t.db, { tenantId: 'A', venueId: 'v1', deviceIds: ['k1', 'k2', 'k3'], accepted: 1500, rejected: 2, at: oct });
    await recordUsage(t.db, { tenantId: 'B', venueId: 'w1', deviceIds: ['kb'], accepted: 10, rejected: 0, at: oct });
    await recordUsage(t.db, { tenantId: 'B', venueId: 'w1', deviceIds: ['kb'], accepted: 20, rejected: 1 });
    await closeMonth(t.db, '2026-10');
    ops = await buildOpsApp(t.db, { adminToken: TOKEN });
  });
  afterAll(async () => {
    await ops?.app.close();
    await t?.drop();
  });

  it('admin routes refuse a missing, malformed or wrong token with 401', async () => {
    for (const path of ['/admin/fleet', '/admin/billing', '/admin/billing.csv']) {
      const none = await ops.app.inject({ url: path });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: 'missing_auth' });
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const wrong = await ops.app.inject({ url: path, headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ error: 'bad_token' });
      expect((await ops.app.inject({ url: path, headers: { authorization: `Basic ${TOKEN}` } })).statusCode).toBe(401);
      expect((await ops.app.inject({ url: path, headers: auth })).statusCode).toBe(200);
    }
    expect(checkAdminAuth(`bearer ${TOKEN}`, TOKEN)).toBeNull();
  });

  it('the fleet page lists every device with its state, newest problems first', async () => {
    const res = await ops.app.inject({ url: '/admin/fleet', headers: auth });
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const listed = [...res.body.matchAll(/data-device="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(listed).toEqual([
      ['k4', 'clock_skewed'],
      ['k3', 'backlogged'],
      ['k2', 'silent'],
      ['k5', 'silent'],
      ['kb', 'ok'],
      ['k1', 'ok'],
    ]);
    expect(res.body).toContain('6 devices, 4 with problems');
  });

  it('a device that stops sending heartbeats turns silent after 5 minutes', async () => {
    const in4min = await fleetStatus(t.db, new Date(Date.now() + 240_000));
    expect(in4min.find((d) => d.device === 'k1')?.state).toBe('ok');
    const in6min = await fleetStatus(t.db, new Date(Date.now() + 360_000));
    expect(in6min.find((d) => d.device === 'k1')).toMatchObject({ state: 'silent', problems: ['silent'] });
  });

  it('/metrics carries last seen, outbox depth and age, and clock skew per device', async () => {
    const text = (await ops.app.inject({ url: '/metrics' })).body;
    const lastSeen = metricValue(text, 'seatpilot_device_last_seen_timestamp_seconds{tenant="A",venue="v1",device="k2"}');
    expect(lastSeen).toBeCloseTo(Date.now() / 1000 - 600, -1);
    expect(metricValue(text, 'seatpilot_device_last_seen_timestamp_seconds{tenant="A",venue="v1",device="k5"}')).toBeUndefined();
    expect(metricValue(text, 'seatpilot_outbox_depth{tenant="A",venue="v1",device="k3"}')).toBe(4000);
    expect(metricValue(text, 'seatpilot_outbox_oldest_unsent_seconds{tenant="A",venue="v1",device="k3"}')).toBe(900);
    expect(metricValue(text, 'seatpilot_device_clock_skew_seconds{tenant="A",venue="v1",device="k4"}')).toBe(20);
    // The exposition passes Prometheus' own linter (names, units, help, types).
    if (existsSync('/usr/bin/promtool') || process.env.CI === 'true') {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    }
  });

  it('the refresher refreshes each view once per round, logs it, and the lag gauge moves', async () => {
    const logs: string[] = [];
    const log = { info: (o: object, m: string) => void logs.push(`${m} ${JSON.stringify(o)}`), warn: (o: object, m: string) => void logs.push(m), error: (o: object, m: string) => void logs.push(`${m} ${JSON.stringify(o)}`) };
    const refresher = new KpiRefresher({ db: t.db, everySec: 3600, log });
    const [first, second] = await Promise.all([refresher.runOnce(), refresher.runOnce()]);
    expect(second).toBe('busy');
    expect(first).not.toBe('busy');
    expect((first as { outcome: string }[]).map((r) => r.outcome)).toEqual(['refreshed', 'refreshed']);
    expect(logs.filter((l) => l.startsWith('kpi view refreshed'))).toHaveLength(2);
    expect(logs).toContain('kpi refresh skipped: the previous refresh is still running');
    expect(await t.db.query('SELECT view_name FROM telemetry.mv_refresh_log ORDER BY id')).toEqual([{ view_name: 'mv_kpi_checkin' }, { view_name: 'mv_kpi_door2seat' }]);

    const lag = async () => metricValue((await ops.app.inject({ url: '/metrics' })).body, 'seatpilot_mv_lag_seconds{view="mv_kpi_checkin"}');
    expect(await lag()).toBeLessThan(60);
    await t.db.query(`UPDATE telemetry.mv_refresh_log SET finished_at = finished_at - interval '2 hours'`);
    expect(await lag()).toBeGreaterThanOrEqual(7200);
    await refresher.runOnce();
    expect(await lag()).toBeLessThan(60);
  });

  it('billing HTML and CSV show the same rows; a month filter narrows both', async () => {
    const csv = (await ops.app.inject({ url: '/admin/billing.csv', headers: auth }));
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const csvRows = csv.body.trimEnd().split('\r\n').map((l) => l.split(','));
    const html = (await ops.app.inject({ url: '/admin/billing', headers: auth })).body;
    const head = [...(/<thead><tr>(.*?)<\/tr><\/thead>/s.exec(html)?.[1] ?? '').matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1]);
    const body = [...html.matchAll(/<tr(?: class="over")?>(<td.*?)<\/tr>/g)].map((m) => [...(m[1] as string).matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
    expect([head, ...body]).toEqual(csvRows);
    const current = new Date().toISOString().slice(0, 7);
    expect(csvRows.slice(1).map((r) => [r[0], r[1], r[2], r[5], r[14], r[15]])).toEqual([
      ['B', current, 'open', '20', '10000', 'false'],
      ['A', '2026-10', 'closed', '1500', '10500', 'true'],
      ['B', '2026-10', 'closed', '10', '10000', 'false'],
    ]);
    const oct = await ops.app.inject({ url: '/admin/billing.csv?month=2026-10', headers: auth });
    expect(oct.body.trimEnd().split('\r\n')).toHaveLength(3);
    expect(oct.headers['content-disposition']).toBe('attachment; filename="seatpilot-billing-2026-10.csv"');
  });

  it('bad query parameters get a 400 with a readable message, never a 500', async () => {
    for (const url of ['/admin/billing?month=October', '/admin/billing.csv?month=2026-13', '/admin/billing?month=' + 'x'.repeat(50)]) {
      const res = await ops.app.inject({ url, headers: auth });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toBe('bad_request');
    }
    expect((await ops.app.inject({ url: '/admin/billing?month=October', headers: auth })).json().message).toMatch(/YYYY-MM/);
  });

  // Each of these was a 500 from the database (year 0000, an offset past ±15:59, a NUL in a text parameter).
  it.each([
    ['/admin/billing?month=0000-01', /^month must look like 2026-11 \(YYYY-MM, year from 0001\), got "0000-01"$/],
    ['/admin/billing.csv?month=0000-01', /^month must look like 2026-11/],
    ['/admin/events?since=0000-01-01T00:00:00Z', /^since must be an RFC 3339 date-time from year 0001 with a UTC offset up to ±15:59/],
    ['/admin/events?since=2026-11-27T20:00:00%2B23:00', /^since must be an RFC 3339 date-time/],
    ['/admin/events?since=2026-06-30T23:59:60Z', /^since must be an RFC 3339 date-time/],
    ['/admin/events?device=%00', /^device must not contain a NUL character$/],
    ['/admin/events?guest=a%00b', /^guest must not contain a NUL character$/],
    ['/admin/events?type=%00', /^type must not contain a NUL character$/],
    ['/admin/billing?tenant=A%00', /^tenant must not contain a NUL character$/],
  ])('%s → 400 bad_request with a message that names the field', async (url, message) => {
    const res = await ops.app.inject({ url, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'bad_request', message: expect.stringMatching(message) });
  });

  it('the storable edges of since are taken, and filter what is listed', async () => {
    const from = (since: string) => ops.app.inject({ url: `/admin/events?since=${encodeURIComponent(since)}`, headers: auth });
    const all = await from('0001-01-01T00:00:00+15:59');
    expect(all.statusCode).toBe(200);
    expect((all.json() as { events: unknown[] }).events).toHaveLength(7);
    const none = await from('9999-12-31T23:59:59Z');
    expect(none.json()).toEqual({ events: [] });
    const one = await ops.app.inject({ url: '/admin/events?device=kb&since=2026-01-01T00:00:00-15:59', headers: auth });
    expect((one.json() as { events: { device_id: string }[] }).events.map((e) => e.device_id)).toEqual(['kb']);
  });

  it('without a token the admin routes do not exist and the log says they are off', async () => {
    const off = await buildOpsApp(t.db, {});
    try {
      expect((await off.app.inject({ url: '/admin/fleet', headers: auth })).statusCode).toBe(404);
      expect(off.lines.join('')).toContain('admin routes are off: SEATPILOT_ADMIN_TOKEN is not set');
      expect(off.lines.join('')).not.toContain(TOKEN);
    } finally {
      await off.app.close();
    }
    await expect(buildOpsApp(t.db, { adminToken: 'short' })).rejects.toThrow(/at least 16 characters/);
  });

  it('runs the refresher inside the service when asked, and stops it on close', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.mv_refresh_log'))[0]?.n ?? 0;
    const svc = await buildOpsApp(t.db, { refreshEverySec: 1 });
    let after = before;
    for (let i = 0; i < 100 && after < before + 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.mv_refresh_log'))[0]?.n ?? 0;
    }
    await svc.app.close();
    expect(after).toBeGreaterThanOrEqual(before + 4);
    expect(svc.lines.join('')).toContain('kpi view refreshed');
    const settled = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.mv_refresh_log'))[0]?.n ?? 0;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.mv_refresh_log'))[0]?.n).toBe(settled);
  });
});

describe('REFRESH_EVERY_SEC', () => {
  it('defaults to 60 and refuses anything but whole seconds, naming the variable', () => {
    expect(refreshEverySecFromEnv({})).toBe(60);
    expect(refreshEverySecFromEnv({ REFRESH_EVERY_SEC: '15' })).toBe(15);
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(() => refreshEverySecFromEnv({ REFRESH_EVERY_SEC: bad })).toThrow(/REFRESH_EVERY_SEC/);
  });
});
