// The cloud's ingest at its edge, on PGlite and the real PostgreSQL: an event nested thousands of levels deep is refused
// on its own into the dead-letter table (it answered 500 for the whole batch), and an upper-case event id is the same event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';

describe.each(backends())('cloud ingest at its edge on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let kiosk: TestKey;
  const post = (body: string) => signedInject(cloud.app, kiosk, 'POST', '/v1/events', body);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db });
    const ten = await addTenant(t.db, 'Tenant');
    const ven = await addVenue(t.db, ten.id, 'Hall');
    kiosk = await addDevice(t.db, ven.id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('refuses a 4,500-level event on its own, keeps its envelope in the dead letters, and stores the rest', async () => {
    const deep = `${'{"n":'.repeat(4_500)}"x"${'}'.repeat(4_500)}`;
    const bad = { ...checkinEvent(kiosk), payload: { ...checkinEvent(kiosk).payload, extra: '__DEEP__' } };
    const good = checkinEvent(kiosk);
    const res = await post(batchOf([bad, good]).replace('"__DEEP__"', deep));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, event_id: bad.event_id, reason: 'invalid_event', detail: 'the event nests deeper than 32 levels' }] });
    const dead = await t.db.query<{ raw: { event_id: string; truncated: string } }>('SELECT raw FROM telemetry.events_dlq WHERE event_id = $1', [bad.event_id]);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.raw).toMatchObject({ event_id: bad.event_id, truncated: 'nested deeper than 32 levels' });
    expect(await t.db.query('SELECT 1 FROM telemetry.events_raw WHERE event_id = $1', [good.event_id])).toHaveLength(1);
  });

  it('stores an event once whatever the case of its id', async () => {
    const e = checkinEvent(kiosk);
    expect((await post(batchOf([{ ...e, event_id: e.event_id.toUpperCase() }]))).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post(batchOf([e]))).json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await t.db.query('SELECT 1 FROM telemetry.events_raw WHERE event_id = $1', [e.event_id])).toHaveLength(1);
  });
});
