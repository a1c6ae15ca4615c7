// Double admissions: two doors admitting one guest while cut off from the hub are both kept and flagged as a pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, type IssuedKey } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject } from '../tests/signed';
import { addOccasion } from './guestlist/manage';
import { importGuests } from './guestlist/import-guests';
import { waitFor } from '../tests/wait';
import { Registry } from 'prom-client';
import { loadMigrations, migratePostgres, migrationsDir } from '../sql/migrate';
import { DoubleAdmissionDetector } from './double-admission-detector';
import { checkin, insertEvents, seedTenant } from '../tests/fixtures/kpi-fixtures';

describe.each(backends())('double admissions on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: IssuedKey;
  let doorA: IssuedKey;
  let doorB: IssuedKey;
  let otherTenantAgent: IssuedKey;
  let otherTenantDoors: IssuedKey[];
  const at = (min: number) => new Date(Date.UTC(2026, 10, 27, 20, min)).toISOString();
  const admit = (door: IssuedKey, guest: string, min: number, direction: 'entry' | 'exit' = 'entry') =>
    checkinEvent(door, { occurred_at: at(min), payload: { guest_id: guest, direction, offline: true } });
  const send = async (events: unknown[]) => {
    const res = await signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf(events));
    expect(res.statusCode).toBe(200);
    return res.json() as { accepted: number; duplicates: number };
  };
  // The detector reads what is stored, a pass at a time.
  const detect = () => cloud.doubleAdmissions.tick();
  const pairs = async (guest: string) => (await detect(), pairsNow(guest));
  const pairsNow = (guest: string) => t.db.query<{ first_device_id: string; second_device_id: string; first_at: Date }>(
    'SELECT first_device_id, second_device_id, first_at FROM telemetry.double_admissions WHERE guest_id = $1', [guest]);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    const tenant = await addTenant(t.db, 'T');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
    doorA = await addDevice(t.db, venue.id, 'kiosk');
    doorB = await addDevice(t.db, venue.id, 'kiosk');
    const otherTenant = await addTenant(t.db, 'U');
    const otherVenue = await addVenue(t.db, otherTenant.id, 'Arena');
    otherTenantAgent = await addDevice(t.db, otherVenue.id, 'agent');
    otherTenantDoors = [await addDevice(t.db, otherVenue.id, 'kiosk'), await addDevice(t.db, otherVenue.id, 'kiosk')];
    // Guests of occasions with each re-entry policy; the guests of the other tests are not in the list (the default).
    for (const [policy, guest] of [['single', 'g-single'], ['after_exit', 'g-after'], ['unlimited', 'g-free']] as const) {
      const occ = await addOccasion(t.db, { venueId: venue.id, name: policy, startsAt: at(0), endsAt: at(300), reentry: policy });
      await importGuests(t.db, { venueId: venue.id, occasionId: occ.id, csv: `guest_id,name\n${guest},Guest ${policy}\n` });
    }
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('keeps both events and flags the pair once, even when the batch is sent again', async () => {
    const first = admit(doorA, 'g-ana', 1);
    const second = admit(doorB, 'g-ana', 2);
    expect(await send([first])).toMatchObject({ accepted: 1 });
    expect(await detect()).toBe(0);
    expect(await send([second])).toMatchObject({ accepted: 1 });
    expect(await send([second])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await pairs('g-ana')).toEqual([{ first_device_id: doorA.device_id, second_device_id: doorB.device_id, first_at: new Date(first.occurred_at) }]);
    const stored = await t.db.query('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = ANY($1::uuid[])', [[first.event_id, second.event_id]]);
    expect(stored).toEqual([{ n: 2 }]);
    const metrics = (await cloud.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/seatpilot_double_admissions_total 1\b/);
  });

  it('flags a pair inside one batch, and orders it by time when the earlier one arrives later', async () => {
    await send([admit(doorB, 'g-bo', 10), admit(doorA, 'g-bo', 9)]);
    expect(await pairs('g-bo')).toEqual([{ first_device_id: doorA.device_id, second_device_id: doorB.device_id, first_at: new Date(at(9)) }]);
    await send([admit(doorB, 'g-cy', 20)]);
    await detect();
    await send([admit(doorA, 'g-cy', 15)]);
    expect((await pairs('g-cy'))[0]).toMatchObject({ first_device_id: doorA.device_id, second_device_id: doorB.device_id });
  });

  it('does not flag a re-entry after an exit, nor two entries at the same door', async () => {
    await send([admit(doorA, 'g-di', 30), admit(doorA, 'g-di', 31, 'exit'), admit(doorB, 'g-di', 32)]);
    expect(await pairs('g-di')).toEqual([]);
    await send([admit(doorA, 'g-ed', 40)]);
    await detect();
    await send([admit(doorA, 'g-ed', 41)]);
    expect(await pairs('g-ed')).toEqual([]);
  });

  it("judges a second entry by the guest's occasion's re-entry policy", async () => {
    const inOutIn = (guest: string, min: number) => [admit(doorA, guest, min), admit(doorA, guest, min + 1, 'exit'), admit(doorB, guest, min + 2)];
    await send([...inOutIn('g-single', 50), ...inOutIn('g-after', 60), admit(doorA, 'g-free', 70), admit(doorB, 'g-free', 71)]);
    expect(await pairs('g-single')).toEqual([{ first_device_id: doorA.device_id, second_device_id: doorB.device_id, first_at: new Date(at(50)) }]);
    expect(await pairsNow('g-after')).toEqual([]);
    expect(await pairsNow('g-free')).toEqual([]);
  });

  it('flags a pair from a batch that was stored while a pass ran, on the next pass', async () => {
    await send([admit(doorA, 'g-fay', 90)]);
    // The batch and a pass at the same moment (on PGlite they queue on the one connection, on Postgres they overlap).
    const [, during] = await Promise.all([send([admit(doorB, 'g-fay', 91)]), detect()]);
    expect(during + (await detect())).toBe(1);
    expect(await pairsNow('g-fay')).toEqual([{ first_device_id: doorA.device_id, second_device_id: doorB.device_id, first_at: new Date(at(90)) }]);
  });

  // Only a second connection can hold a batch's transaction open while the detector runs: real Postgres.
  it.runIf(backend === 'postgres')('flags a pair from a batch whose transaction commits long after it began, while later batches were read', async () => {
    await send([admit(doorA, 'g-gus', 100)]);
    await detect();
    // Another connection holds the tenant's usage row: the batch stores its events, then waits there to commit.
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const held = await holder.query('SELECT 1 FROM billing.usage_monthly WHERE tenant_id = $1 FOR UPDATE', [agent.tenant_id]);
      expect(held.rowCount).toBe(1);
      const late = signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf([admit(doorB, 'g-gus', 101)]));
      // (Asked on another connection: a transaction sees pg_stat_activity as it was at its first look.)
      await waitFor('the batch waiting on the usage row', async () => (await t.db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%billing.usage_monthly%'`)).length);
      const heldSince = Date.now();
      // Meanwhile another tenant's batches begin and commit after it, and passes read them: a watermark by time would
      // now stand past the held batch's received_at.
      const [x, y] = otherTenantDoors as [IssuedKey, IssuedKey];
      const other = await signedInject(cloud.app, otherTenantAgent, 'POST', '/v1/events', batchOf([admit(x, 'g-other', 100), admit(y, 'g-other', 101)]));
      expect(other.statusCode).toBe(200);
      expect(await detect()).toBe(1);
      while (Date.now() - heldSince < 2_000) {
        expect(await detect()).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await pairsNow('g-gus')).toEqual([]);
      await holder.query('COMMIT');
      expect((await late).statusCode).toBe(200);
    } finally {
      await holder.end();
    }
    expect(await pairs('g-gus')).toEqual([{ first_device_id: doorA.device_id, second_device_id: doorB.device_id, first_at: new Date(at(100)) }]);
    expect(await detect()).toBe(0);
  });
});

describe.each(backends())('double-admission migration 0011 over stored check-ins on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('reads, once, the check-ins the old watermark had not reached, and none it had', async () => {
    const all = loadMigrations(migrationsDir('postgres'));
    const at = all.findIndex((m) => m.name === 'double_admission_commit_order');
    expect(at).toBeGreaterThan(0);
    await migratePostgres(t.db, all.slice(0, at));
    await seedTenant(t.db, 'T', { v: ['ka', 'kb'] });
    const entry = (device: string, guest: string, receivedAt: string) => ({
      tenant: 'T', venue: 'v', device, type: 'checkin.succeeded', occurredAt: receivedAt, receivedAt, payload: { ...checkin('d', 5), guest_id: guest },
    });
    // Before the upgrade: the old detector read up to 20:00; 'g-read' was checked then, 'g-unread' came after.
    await insertEvents(t.db, [entry('ka', 'g-read', '2026-11-27T19:00:00Z'), entry('kb', 'g-read', '2026-11-27T19:01:00Z')]);
    await t.db.query(`UPDATE telemetry.double_admission_watermark SET received_at = '2026-11-27T20:00:00Z'`);
    await insertEvents(t.db, [entry('ka', 'g-unread', '2026-11-27T20:01:00Z'), entry('kb', 'g-unread', '2026-11-27T20:02:00Z')]);
    expect((await migratePostgres(t.db, all)).applied).toEqual(all.slice(at).map((m) => m.version));
    const detector = new DoubleAdmissionDetector(t.db, new Registry());
    expect(await detector.tick()).toBe(1);
    expect(await detector.tick()).toBe(0);
    expect(await t.db.query('SELECT guest_id, first_device_id, second_device_id FROM telemetry.double_admissions')).toEqual([
      { guest_id: 'g-unread', first_device_id: 'ka', second_device_id: 'kb' },
    ]);
  });
});
