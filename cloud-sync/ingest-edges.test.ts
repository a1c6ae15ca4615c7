// Every field of every event kind set to values at the edges of the contract (extreme numbers, empty and long strings,
// wrong types, NUL, the first and last storable times, …), posted in signed batches: the service answers 200 with
// per-event results, never a 500, and whatever it stored keeps the KPI views refreshing and the double-admission pass
// running. Found: a time with second 60 passed the schema and failed its whole batch in the timestamptz column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue } from './admin';
import { KPI_VIEWS, refreshKpiView } from './kpi/kpi';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';

const EDGE_VALUES: unknown[] = [
  null, '', 'x'.repeat(300), -1, 0, 0.1, 1000, 1001, 2_147_483_648, 2 ** 53 + 2, 1e308, -1e308, 5e-324, true, {}, [],
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-06-30T23:59:60Z', '2026-06-30T23:59:60.999Z', '2026-01-01T00:00:00-15:59',
  '2026-01-01T00:00:00+23:00', '0000-01-01T00:00:00Z', '\u0000', 'a\\u0000', '\ud800', '😀', 'Ñ',
  'entry', 'exit', 'barcode', 'nfc', 'manual', 'tablet', 'beacon', 'revoked', `urn:uuid:${randomUUID()}`,
];

function fieldPaths(o: unknown, prefix: string[] = []): string[][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [];
  return Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
}

function withField(o: object, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(o) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return copy;
}

describe.each(backends())('ingest at the edges of the contract on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let kiosk: TestKey;
  let otherDoor: TestKey;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    const ten = await addTenant(t.db, 'Edges');
    const ven = await addVenue(t.db, ten.id, 'Hall');
    kiosk = await addDevice(t.db, ven.id, 'kiosk');
    otherDoor = await addDevice(t.db, ven.id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('answers every batch with per-event results, stores what it accepts, and the stored events stay readable', async () => {
    // An hour ago: inside the KPI views' 7-day window, so what is stored is what the views must count.
    const recent = { occurred_at: new Date(Date.now() - 3_600_000).toISOString() };
    const kinds = [
      checkinEvent(kiosk, recent),
      { ...checkinEvent(kiosk, recent), type: 'checkin.rejected', payload: { reason: 'revoked', credential_kind: 'nfc', door_id: 'door-a', latency_ms: 1 } },
      { ...checkinEvent(kiosk, recent), type: 'seat.arrived', payload: { guest_id: 'g1', table_id: 't1', source: 'tablet', checked_in_at: '2026-11-27T20:15:03Z' } },
    ];
    const events = kinds.flatMap((base) =>
      fieldPaths(base)
        .filter((p) => !['event_id', 'venue_id', 'device_id'].includes(p[0] as string))
        .flatMap((p) => EDGE_VALUES.map((v) => ({ ...withField(base, p, v), event_id: randomUUID() }))),
    );
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < events.length; i += 500) {
      const slice = events.slice(i, i + 500);
      const res = await signedInject(cloud.app, kiosk, 'POST', '/v1/events', batchOf(slice));
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      const body = res.json() as { accepted: number; duplicates: number; rejected: unknown[] };
      expect(body.accepted + body.duplicates + body.rejected.length).toBe(slice.length);
      accepted += body.accepted;
      rejected += body.rejected.length;
    }
    // Both outcomes occur: the edges include values the contract allows and values it refuses.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(500);
    const [stored] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE device_id = $1', [kiosk.device_id]);
    const [dead] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events_dlq WHERE via_device_id = $1', [kiosk.device_id]);
    expect({ stored: stored?.n, dead: dead?.n }).toEqual({ stored: accepted, dead: rejected });
    // The refresh takes every stored event of the window, whatever its edge values.
    for (const view of KPI_VIEWS) expect((await refreshKpiView(t.db, view)).error, view).toBeNull();
    const inWindow = async (types: string[]) => (await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry.events_raw WHERE device_id = $1 AND type = ANY($2::text[]) AND occurred_at > now() - interval '7 days'`,
      [kiosk.device_id, types],
    ))[0]?.n;
    const decisions = await inWindow(['checkin.succeeded', 'checkin.rejected']);
    const trips = await inWindow(['seat.arrived']);
    expect(decisions).toBeGreaterThan(10);
    expect(trips).toBeGreaterThan(10);
    const [kpi] = await t.db.query<{ decisions: number; trips: number }>(
      `SELECT (SELECT sum(decisions)::int FROM telemetry.mv_kpi_checkin WHERE tenant_id = $1) AS decisions,
              (SELECT sum(arrivals + outliers)::int FROM telemetry.mv_kpi_door2seat WHERE tenant_id = $1) AS trips`,
      [kiosk.tenant_id],
    );
    expect(kpi).toEqual({ decisions, trips });
    // The detector reads every stored check-in once; all came from one kiosk, so none pairs up with another door…
    const storedCheckins = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry.events_raw WHERE type = 'checkin.succeeded'`))[0]?.n;
    expect(await cloud.doubleAdmissions.tick()).toBe(0);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.admissions'))[0]?.n).toBe(storedCheckins);
    // …until a second door admits one of those guests (one whose id was an edge value): that pair is flagged.
    const [edgeGuest] = await t.db.query<{ guest_id: string }>(
      `SELECT guest_id FROM telemetry.admissions WHERE guest_id = 'Ñ' AND direction = 'entry'`);
    expect(edgeGuest).toEqual({ guest_id: 'Ñ' });
    const res = await signedInject(cloud.app, otherDoor, 'POST', '/v1/events', batchOf([checkinEvent(otherDoor, { occurred_at: new Date().toISOString(), payload: { guest_id: 'Ñ' } })]));
    expect(res.json()).toMatchObject({ accepted: 1 });
    expect(await cloud.doubleAdmissions.tick()).toBe(1);
    expect(await t.db.query('SELECT first_device_id, second_device_id FROM telemetry.double_admissions')).toEqual([
      { first_device_id: kiosk.device_id, second_device_id: otherDoor.device_id },
    ]);
  });
});
