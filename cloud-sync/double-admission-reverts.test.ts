// Undone check-ins and the double-admission detector: a reverted admission is paired no more, whatever order the
// check-ins and the revert reach the cloud in, and a pair flagged before its revert arrived is kept, marked cleared.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, type IssuedKey } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject } from '../tests/signed';
import { loadMigrations, migratePostgres, migrationsDir } from '../sql/migrate';
import { DoubleAdmissionDetector } from './double-admission-detector';
import { checkin, insertEvents, seedTenant } from '../tests/fixtures/kpi-fixtures';
import type { SeatPilotEvent } from '../core/contract/contract';

const at = (min: number) => new Date(Date.UTC(2026, 10, 27, 21, min)).toISOString();

describe.each(backends())('double admissions with reverted check-ins on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: IssuedKey;
  let doorA: IssuedKey;
  let doorB: IssuedKey;
  const admit = (door: IssuedKey, guest: string, min: number) =>
    checkinEvent(door, { occurred_at: at(min), payload: { guest_id: guest, direction: 'entry', offline: true } });
  const revert = (door: IssuedKey, of: SeatPilotEvent, min: number, guest = (of.payload as { guest_id: string }).guest_id): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'checkin.reverted', occurred_at: at(min), venue_id: door.venue_id, device_id: door.device_id,
    payload: { guest_id: guest, reverted_event_id: of.event_id, door_id: 'door-a', by_role: 'supervisor', reason: 'checked in by mistake' },
  } as SeatPilotEvent);
  const send = async (events: unknown[]) => {
    const res = await signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf(events));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: events.length });
  };
  const detect = () => cloud.doubleAdmissions.tick();
  const pairsOf = (guest: string) => t.db.query<{ first_event_id: string; second_event_id: string; cleared_by_event_id: string | null; cleared: boolean }>(
    `SELECT first_event_id::text, second_event_id::text, cleared_by_event_id::text, cleared_at IS NOT NULL AS cleared
       FROM telemetry.double_admissions WHERE guest_id = $1 ORDER BY first_at, second_at`, [guest]);
  /** Each recorded movement of the guest, as [event id, revert id or null]. */
  const movementsOf = async (guest: string) => (await t.db.query<{ event_id: string; reverted_by_event_id: string | null }>(
    'SELECT event_id::text, reverted_by_event_id::text FROM telemetry.admissions WHERE guest_id = $1 ORDER BY occurred_at', [guest]))
    .map((r) => [r.event_id, r.reverted_by_event_id]);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    const tenant = await addTenant(t.db, 'T');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
    doorA = await addDevice(t.db, venue.id, 'kiosk');
    doorB = await addDevice(t.db, venue.id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('gives no pair when the revert arrives in the same window as both admissions (the WAN back after an offline evening)', async () => {
    const a = admit(doorA, 'g-one', 1);
    const b = admit(doorB, 'g-one', 2);
    const r = revert(doorA, a, 3);
    await send([a, b, r]);
    expect(await detect()).toBe(0);
    expect(await pairsOf('g-one')).toEqual([]);
    // The reverted movement is kept, marked with its revert.
    expect(await movementsOf('g-one')).toEqual([[a.event_id, r.event_id], [b.event_id, null]]);
  });

  it('does not pair a later admission with one reverted in an earlier window; the guest checks in again and is watched again', async () => {
    const a = admit(doorA, 'g-two', 10);
    await send([a]);
    await detect();
    const r = revert(doorA, a, 11);
    await send([r]);
    expect(await detect()).toBe(0);
    const again = admit(doorB, 'g-two', 12);
    await send([again]);
    expect(await detect()).toBe(0);
    expect(await pairsOf('g-two')).toEqual([]);
    // The admission that stands is paired as any other: a second door admitting the guest is flagged with it.
    const third = admit(doorA, 'g-two', 13);
    await send([third]);
    expect(await detect()).toBe(1);
    expect(await pairsOf('g-two')).toEqual([{ first_event_id: again.event_id, second_event_id: third.event_id, cleared_by_event_id: null, cleared: false }]);
  });

  it('recognises an admission as reverted when its revert arrived first', async () => {
    const a = admit(doorA, 'g-three', 20);
    const r = revert(doorA, a, 21);
    await send([r]);
    expect(await detect()).toBe(0);
    await send([admit(doorB, 'g-three', 22)]);
    await send([a]);
    expect(await detect()).toBe(0);
    expect(await pairsOf('g-three')).toEqual([]);
    expect((await movementsOf('g-three'))[0]).toEqual([a.event_id, r.event_id]);
  });

  it('keeps a pair flagged before its revert arrived, marked cleared by that revert', async () => {
    const a = admit(doorA, 'g-four', 30);
    const b = admit(doorB, 'g-four', 31);
    await send([a, b]);
    expect(await detect()).toBe(1);
    expect(await pairsOf('g-four')).toEqual([{ first_event_id: a.event_id, second_event_id: b.event_id, cleared_by_event_id: null, cleared: false }]);
    const r = revert(doorB, b, 32);
    await send([r]);
    expect(await detect()).toBe(0);
    expect(await pairsOf('g-four')).toEqual([{ first_event_id: a.event_id, second_event_id: b.event_id, cleared_by_event_id: r.event_id, cleared: true }]);
    // A second revert of the same check-in changes nothing.
    await send([revert(doorA, b, 33)]);
    await detect();
    expect((await pairsOf('g-four'))[0]?.cleared_by_event_id).toBe(r.event_id);
    expect((await movementsOf('g-four'))[1]).toEqual([b.event_id, r.event_id]);
  });

  it("ignores a revert naming another guest's check-in", async () => {
    const a = admit(doorA, 'g-five', 40);
    await send([a, admit(doorB, 'g-five', 41), revert(doorA, a, 42, 'g-somebody-else')]);
    expect(await detect()).toBe(1);
    expect((await pairsOf('g-five'))[0]?.cleared).toBe(false);
    expect((await movementsOf('g-five'))[0]).toEqual([a.event_id, null]);
  });

  it("takes the guest's own revert though another guest's earlier revert names the same check-in", async () => {
    const a = admit(doorA, 'g-six', 50);
    const own = revert(doorA, a, 52);
    await send([revert(doorA, a, 50, 'g-somebody-else'), a, admit(doorB, 'g-six', 51), own]);
    expect(await detect()).toBe(0);
    expect((await movementsOf('g-six'))[0]).toEqual([a.event_id, own.event_id]);
  });
});

describe.each(backends())('migration 0019 over stored reverts on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('applies the reverts stored before it: the movement marked, its pair cleared, a revert of an unseen check-in kept', async () => {
    const all = loadMigrations(migrationsDir('postgres'));
    const at0019 = all.findIndex((m) => m.name === 'checkin_reverts');
    expect(at0019).toBeGreaterThan(0);
    await migratePostgres(t.db, all.slice(0, at0019));
    await seedTenant(t.db, 'T', { v: ['ka', 'kb'] });
    const [a, b, unseen] = [randomUUID(), randomUUID(), randomUUID()];
    const entry = (eventId: string, device: string, min: number) => ({
      tenant: 'T', venue: 'v', device, type: 'checkin.succeeded', occurredAt: at(min), eventId, payload: { ...checkin('d', 5), guest_id: 'g-old' },
    });
    await insertEvents(t.db, [entry(a, 'ka', 1), entry(b, 'kb', 2)]);
    // What the detector before 0019 recorded: both movements and their pair (it did not read reverts).
    await t.db.query(
      `INSERT INTO telemetry.admissions (tenant_id, venue_id, guest_id, event_id, device_id, direction, occurred_at)
       VALUES ('T', 'v', 'g-old', $1, 'ka', 'entry', $3), ('T', 'v', 'g-old', $2, 'kb', 'entry', $4)`, [a, b, at(1), at(2)]);
    await t.db.query(
      `INSERT INTO telemetry.double_admissions (tenant_id, venue_id, guest_id, first_event_id, first_device_id, first_at, second_event_id, second_device_id, second_at)
       VALUES ('T', 'v', 'g-old', $1, 'ka', $3, $2, 'kb', $4)`, [a, b, at(1), at(2)]);
    await t.db.query('UPDATE telemetry.double_admission_watermark SET seen = pg_current_snapshot()');
    const rev = (of: string, guest: string) => ({
      tenant: 'T', venue: 'v', device: 'ka', type: 'checkin.reverted', occurredAt: at(3), eventId: randomUUID(),
      payload: { guest_id: guest, reverted_event_id: of, door_id: 'd', by_role: 'supervisor', reason: 'mistake' },
    });
    const [rb, ru] = [rev(b, 'g-old'), rev(unseen, 'g-late')];
    await insertEvents(t.db, [rb, ru]);
    await migratePostgres(t.db, all);
    expect(await t.db.query('SELECT event_id::text, reverted_by_event_id::text FROM telemetry.admissions ORDER BY occurred_at')).toEqual([
      { event_id: a, reverted_by_event_id: null },
      { event_id: b, reverted_by_event_id: rb.eventId },
    ]);
    expect(await t.db.query('SELECT cleared_by_event_id::text FROM telemetry.double_admissions')).toEqual([{ cleared_by_event_id: rb.eventId }]);
    // Reading the same reverts again changes nothing; the unseen check-in, when it arrives, is stored reverted.
    const detector = new DoubleAdmissionDetector(t.db, new Registry());
    expect(await detector.tick()).toBe(0);
    await insertEvents(t.db, [{ ...entry(unseen, 'kb', 4), payload: { ...checkin('d', 5), guest_id: 'g-late' } }]);
    expect(await detector.tick()).toBe(0);
    expect(await t.db.query(`SELECT reverted_by_event_id::text FROM telemetry.admissions WHERE guest_id = 'g-late'`)).toEqual([{ reverted_by_event_id: ru.eventId }]);
  });
});
