// Double admissions: two doors admitting one guest while cut off from the hub are both kept and flagged as a pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, type IssuedKey } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject } from '../tests/signed';
import { addOccasion } from './guestlist/manage';
import { importGuests } from './guestlist/import-guests';

describe.each(backends())('double admissions on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: IssuedKey;
  let doorA: IssuedKey;
  let doorB: IssuedKey;
  const at = (min: number) => new Date(Date.UTC(2026, 10, 27, 20, min)).toISOString();
  const admit = (door: IssuedKey, guest: string, min: number, direction: 'entry' | 'exit' = 'entry') =>
    checkinEvent(door, { occurred_at: at(min), payload: { guest_id: guest, direction, offline: true } });
  const send = async (events: unknown[]) => {
    const res = await signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf(events));
    expect(res.statusCode).toBe(200);
    return res.json() as { accepted: number; duplicates: number };
  };
  // The detector reads what is stored, a pass at a time (settling at once here: each send has committed).
  const detect = () => cloud.doubleAdmissions.tick();
  const pairs = async (guest: string) => (await detect(), pairsNow(guest));
  const pairsNow = (guest: string) => t.db.query<{ first_device_id: string; second_device_id: string; first_at: Date }>(
    'SELECT first_device_id, second_device_id, first_at FROM telemetry.double_admissions WHERE guest_id = $1', [guest]);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, doubleAdmissionSettleSec: 0 });
    const tenant = await addTenant(t.db, 'T');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
    doorA = await addDevice(t.db, venue.id, 'kiosk');
    doorB = await addDevice(t.db, venue.id, 'kiosk');
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
});
