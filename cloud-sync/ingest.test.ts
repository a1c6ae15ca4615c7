// POST /v1/events on the cloud, the same suite on PGlite and on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, revokeKey, rotateKey } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';
import { LIMITS } from '../core/contract/contract';

describe.each(backends())('cloud ingest on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let kiosk: TestKey;
  let agent: TestKey;
  let otherVenueKiosk: TestKey;
  let sameVenueKiosk2: TestKey;
  let clock = Date.now();

  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query<{ n: number }>(sql, params))[0]?.n);
  const rawCount = (eventId: string) => count('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = $1', [eventId]);
  const dlq = (eventId: string) => t.db.query<{ reason: string; detail: string; raw: unknown }>('SELECT reason, detail, raw FROM telemetry.events_dlq WHERE event_id = $1', [eventId]);
  const post = (key: TestKey, body: string, o = {}) => signedInject(cloud.app, key, 'POST', '/v1/events', body, { nowSeconds: Math.floor(clock / 1000), ...o });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, now: () => clock });
    const ten = await addTenant(t.db, 'Tenant A');
    const ven = await addVenue(t.db, ten.id, 'Hall');
    const ven2 = await addVenue(t.db, ten.id, 'Other hall');
    kiosk = await addDevice(t.db, ven.id, 'kiosk');
    sameVenueKiosk2 = await addDevice(t.db, ven.id, 'kiosk');
    agent = await addDevice(t.db, ven.id, 'agent');
    otherVenueKiosk = await addDevice(t.db, ven2.id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('stores a valid batch once, with received_at beside occurred_at and tenant/venue from the key', async () => {
    const events = [checkinEvent(kiosk), checkinEvent(kiosk)];
    const res = await post(kiosk, batchOf(events));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const rows = await t.db.query<{ tenant_id: string; venue_id: string; device_id: string; occurred_at: Date; received_at: Date }>(
      'SELECT tenant_id, venue_id, device_id, occurred_at, received_at FROM telemetry.events_raw WHERE event_id = $1', [events[0]!.event_id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenant_id: kiosk.tenant_id, venue_id: kiosk.venue_id, device_id: kiosk.device_id });
    expect(rows[0]!.occurred_at.toISOString()).toBe(events[0]!.occurred_at);
    expect(rows[0]!.received_at).toBeInstanceOf(Date);
  });

  it('counts a duplicate event_id inside one batch and across batches, and stores it once', async () => {
    const e = checkinEvent(kiosk);
    const first = await post(kiosk, batchOf([e, e]));
    expect(first.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    const again = await post(kiosk, batchOf([e, checkinEvent(kiosk)]));
    expect(again.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await rawCount(e.event_id)).toBe(1);
  });

  describe('authentication failures get 401 with the documented code and store nothing', () => {
    const cases: [string, (body: string) => Promise<{ statusCode: number; json(): unknown }>, string][] = [
      ['no headers at all', (body) => cloud.app.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json' }, payload: body }), 'missing_auth'],
      ['an unknown key', (body) => post({ ...kiosk, key_id: 'key_doesnotexist' }, body), 'unknown_key'],
      ['a wrong secret', (body) => post(kiosk, body, { secret: 'not-the-secret' }), 'bad_signature'],
      ['a body altered after signing', (body) => post(kiosk, body, { signBody: body.replace('door-a', 'door-b') }), 'bad_signature'],
      ['a path altered after signing', (body) => post(kiosk, body, { signPath: '/v1/events?x=1' }), 'bad_signature'],
      ['a method altered after signing', (body) => post(kiosk, body, { signMethod: 'PUT' }), 'bad_signature'],
      ['x-ts 301 s old', (body) => post(kiosk, body, { nowSeconds: Math.floor(clock / 1000) - 301 }), 'stale_timestamp'],
      ['x-ts 301 s ahead', (body) => post(kiosk, body, { nowSeconds: Math.floor(clock / 1000) + 301 }), 'stale_timestamp'],
    ];
    it.each(cases)('%s', async (_name, send, code) => {
      const e = checkinEvent(kiosk);
      const res = await send(batchOf([e]));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: code });
      expect(await rawCount(e.event_id)).toBe(0);
    });

    it('a revoked key', async () => {
      const dev = await addDevice(t.db, kiosk.venue_id, 'kiosk');
      await revokeKey(t.db, dev.key_id);
      const res = await post(dev, batchOf([checkinEvent(dev)]));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'revoked_key' });
    });

    it('x-ts exactly 300 s off is still accepted', async () => {
      const res = await post(kiosk, batchOf([checkinEvent(kiosk)]), { nowSeconds: Math.floor(clock / 1000) - 300 });
      expect(res.statusCode).toBe(200);
    });
  });

  it('refuses a replayed nonce, and takes it again after 600 s', async () => {
    const nonce = `replay_${randomUUID().replace(/-/g, '')}`;
    const body = batchOf([checkinEvent(kiosk)]);
    expect((await post(kiosk, body, { nonce })).statusCode).toBe(200);
    const replay = await post(kiosk, body, { nonce });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: 'replayed_nonce' });
    const saved = clock;
    clock += 601_000;
    try {
      expect((await post(kiosk, batchOf([checkinEvent(kiosk)]), { nonce })).statusCode).toBe(200);
    } finally {
      clock = saved;
    }
  });

  it('refuses a replayed nonce across two service instances on one database', async () => {
    const second = await buildApp({ db: t.db, now: () => clock });
    try {
      const nonce = `shared_${randomUUID().replace(/-/g, '')}`;
      const body = batchOf([checkinEvent(kiosk)]);
      const a = await post(kiosk, body, { nonce });
      const b = await signedInject(second.app, kiosk, 'POST', '/v1/events', body, { nowSeconds: Math.floor(clock / 1000), nonce });
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(401);
      expect(b.json()).toMatchObject({ error: 'replayed_nonce' });
    } finally {
      await second.app.close();
    }
  });

  it('keeps a rotated key working for 24 h beside its successor, then refuses it', async () => {
    const dev = await addDevice(t.db, kiosk.venue_id, 'kiosk');
    const next = await rotateKey(t.db, dev.device_id, new Date(clock));
    expect((await post(dev, batchOf([checkinEvent(dev)]))).statusCode).toBe(200);
    expect((await post(next, batchOf([checkinEvent(next)]))).statusCode).toBe(200);
    const saved = clock;
    clock += LIMITS.rotatedKeyGraceSeconds * 1000 + 1000;
    try {
      const old = await post(dev, batchOf([checkinEvent(dev)]));
      expect(old.statusCode).toBe(401);
      expect(old.json()).toMatchObject({ error: 'revoked_key' });
      expect((await post(next, batchOf([checkinEvent(next)]))).statusCode).toBe(200);
    } finally {
      clock = saved;
    }
  });

  describe('bad requests get the documented status and never a 500', () => {
    it('malformed JSON → 400 bad_json', async () => {
      const res = await post(kiosk, '{"batch_id": ');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_json' });
    });
    it('wrong content type → 415', async () => {
      const res = await post(kiosk, batchOf([checkinEvent(kiosk)]), { contentType: 'text/plain' });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type' });
    });
    it('empty batch → 400 bad_envelope', async () => {
      const res = await post(kiosk, batchOf([]));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_envelope' });
    });
    it('501 events → 400 bad_envelope, nothing stored', async () => {
      const events = Array.from({ length: 501 }, () => checkinEvent(kiosk));
      const res = await post(kiosk, batchOf(events));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_envelope' });
      expect(await rawCount(events[0]!.event_id)).toBe(0);
    });
    it('a body over 1 MiB → 413', async () => {
      const events = Array.from({ length: 40 }, () => checkinEvent(kiosk, { payload: { guest_id: 'x'.repeat(30_000) } }));
      const body = batchOf(events);
      expect(Buffer.byteLength(body)).toBeGreaterThan(LIMITS.maxBodyBytes);
      const res = await post(kiosk, body);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ error: 'payload_too_large' });
    });
    it('an envelope that is not an object, or has unknown fields → 400 bad_envelope', async () => {
      expect((await post(kiosk, '[1,2,3]')).json()).toMatchObject({ error: 'bad_envelope' });
      expect((await post(kiosk, '"hello"')).json()).toMatchObject({ error: 'bad_envelope' });
      expect((await post(kiosk, JSON.stringify({ batch_id: 'nope', sent_at: 'x', events: [{}] }))).json()).toMatchObject({ error: 'bad_envelope' });
    });
    it('an unknown route → 404 JSON', async () => {
      const res = await cloud.app.inject({ method: 'GET', url: '/v1/nothing' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found' });
    });
  });

  it('rejects bad events one by one into the dead-letter table, and stores the good ones beside them', async () => {
    const good = checkinEvent(kiosk);
    const big = checkinEvent(kiosk, { payload: { guest_id: 'y'.repeat(33_000) } });
    const unknownType = { ...checkinEvent(kiosk), type: 'checkin.teleported' };
    const missing = checkinEvent(kiosk);
    delete (missing.payload as Record<string, unknown>).door_id;
    const otherDevice = checkinEvent(otherVenueKiosk, { venue_id: kiosk.venue_id });
    const otherVenue = checkinEvent(kiosk, { venue_id: otherVenueKiosk.venue_id });
    const nul = checkinEvent(kiosk, { payload: { guest_id: 'bad\u0000id' } });
    const res = await post(kiosk, batchOf([good, big, unknownType, missing, otherDevice, otherVenue, nul, 'not an event']));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { accepted: number; duplicates: number; rejected: { index: number; reason: string; event_id: string | null; detail: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'event_too_large'], [2, 'unknown_type'], [3, 'invalid_payload'], [4, 'device_mismatch'], [5, 'venue_mismatch'], [6, 'invalid_event'], [7, 'invalid_event'],
    ]);
    expect(body.rejected[2]!.detail).toContain('door_id');
    expect(await rawCount(good.event_id)).toBe(1);
    for (const e of [big, unknownType, missing, otherDevice, otherVenue, nul]) {
      expect(await rawCount(e.event_id)).toBe(0);
      const rows = await dlq(e.event_id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail.length).toBeGreaterThan(0);
    }
    expect((await dlq(unknownType.event_id))[0]).toMatchObject({ reason: 'unknown_type', raw: { type: 'checkin.teleported', event_id: unknownType.event_id } });
    expect(await count("SELECT count(*)::int AS n FROM telemetry.events_dlq WHERE raw = '\"not an event\"'::jsonb")).toBe(1);
    const metrics = (await cloud.app.inject({ method: 'GET', url: '/metrics' })).body;
    // Counted under the sending key's tenant (cloud-sync/ingest-metrics.test.ts has the exact series).
    expect(metrics).toMatch(new RegExp(`^seatpilot_ingest_rejected_total\\{tenant="${kiosk.tenant_id}",reason="unknown_type"\\} [1-9]`, 'm'));
    expect(metrics).toMatch(new RegExp(`^seatpilot_ingest_accepted_total\\{tenant="${kiosk.tenant_id}"\\} [1-9]`, 'm'));
  });

  it('accepts events an agent relays for a kiosk of its own venue, keeping the kiosk device_id; refuses other venues', async () => {
    const relayed = checkinEvent(sameVenueKiosk2);
    const foreign = checkinEvent(otherVenueKiosk, { venue_id: agent.venue_id });
    const own = checkinEvent(agent);
    const res = await post(agent, batchOf([relayed, foreign, own]));
    expect(res.json()).toMatchObject({ accepted: 2, rejected: [{ index: 1, reason: 'device_mismatch' }] });
    const rows = await t.db.query<{ device_id: string; via_device_id: string }>('SELECT device_id, via_device_id FROM telemetry.events_raw WHERE event_id = $1', [relayed.event_id]);
    expect(rows).toEqual([{ device_id: sameVenueKiosk2.device_id, via_device_id: agent.device_id }]);
    // A kiosk may not relay for another kiosk.
    const res2 = await post(kiosk, batchOf([checkinEvent(sameVenueKiosk2)]));
    expect(res2.json()).toMatchObject({ accepted: 0, rejected: [{ reason: 'device_mismatch' }] });
  });

  it('two instances receiving the same batch at once store it once', async () => {
    const second = await buildApp({ db: t.db, now: () => clock });
    try {
      const events = Array.from({ length: 200 }, () => checkinEvent(kiosk));
      const body = batchOf(events);
      const [a, b] = await Promise.all([post(kiosk, body), signedInject(second.app, kiosk, 'POST', '/v1/events', body, { nowSeconds: Math.floor(clock / 1000) })]);
      const ra = a.json() as { accepted: number; duplicates: number };
      const rb = b.json() as { accepted: number; duplicates: number };
      expect(ra.accepted + rb.accepted).toBe(200);
      expect(ra.duplicates + rb.duplicates).toBe(200);
      expect(await count('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.event_id)])).toBe(200);
    } finally {
      await second.app.close();
    }
  });

  it('refuses ids and times in forms the uuid and timestamptz columns do not take, event by event, and stores the rest of the batch', async () => {
    const good = checkinEvent(kiosk);
    const upper = checkinEvent(kiosk, { event_id: randomUUID().toUpperCase() });
    const urn = checkinEvent(kiosk, { event_id: `urn:uuid:${randomUUID()}` });
    const res = await post(kiosk, batchOf([good, urn, upper]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [{ index: 1, event_id: urn.event_id, reason: 'invalid_event', detail: '/event_id must match format "uuid"' }] });
    expect(await rawCount(good.event_id)).toBe(1);
    expect(await rawCount(upper.event_id.toLowerCase())).toBe(1);
    expect(await dlq(urn.event_id)).toMatchObject([{ reason: 'invalid_event' }]);
    // Times the timestamptz column refuses, though RFC 3339 allows them: year 0000, an offset past ±15:59.
    const year0 = checkinEvent(kiosk, { occurred_at: '0000-01-01T00:00:00.000Z' });
    const farOffset = checkinEvent(kiosk, { occurred_at: '2026-11-27T20:15:03.000+23:00' });
    const next = checkinEvent(kiosk);
    const times = await post(kiosk, batchOf([year0, farOffset, next]));
    expect(times.statusCode).toBe(200);
    expect(times.json()).toMatchObject({ accepted: 1, rejected: [{ index: 0, reason: 'invalid_event' }, { index: 1, reason: 'invalid_event' }] });
    expect(await rawCount(next.event_id)).toBe(1);
    // The envelope's batch_id goes into a uuid column too.
    const badBatch = await post(kiosk, JSON.stringify({ batch_id: `urn:uuid:${randomUUID()}`, sent_at: new Date().toISOString(), events: [checkinEvent(kiosk)] }));
    expect(badBatch.statusCode).toBe(400);
    expect(badBatch.json()).toMatchObject({ error: 'bad_envelope' });
  });

  // Garbage with a valid signature: each body gets the documented answer, never a 500, and nothing is stored.
  it.each([
    ['an empty body', '', 400, 'bad_json'],
    ['a NUL', '\u0000', 400, 'bad_json'],
    ['2000 x', 'x'.repeat(2000), 400, 'bad_json'],
    ['null', 'null', 400, 'bad_envelope'],
    ['{}', '{}', 400, 'bad_envelope'],
    ['events null', '{"events": null}', 400, 'bad_envelope'],
    ['a numeric batch_id', '{"batch_id": 1}', 400, 'bad_envelope'],
    ['an array', '[]', 400, 'bad_envelope'],
  ])('garbage body: %s → %i %s', async (_name, body, status, code) => {
    const before = await count('SELECT count(*)::int AS n FROM telemetry.events_dlq');
    const res = await post(kiosk, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code, message: expect.any(String) });
    expect(await count('SELECT count(*)::int AS n FROM telemetry.events_dlq')).toBe(before);
  });

  it('a valid envelope of garbage events → 200, each refused on its own into the dead-letter table', async () => {
    const batchId = randomUUID();
    const res = await post(kiosk, JSON.stringify({ batch_id: batchId, sent_at: '2026-01-01T00:00:00Z', events: [null, 1, 'x', [], { event_id: {} }] }));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { accepted: number; duplicates: number; rejected: { index: number; reason: string; event_id: string | null }[] };
    expect({ accepted: body.accepted, duplicates: body.duplicates }).toEqual({ accepted: 0, duplicates: 0 });
    expect(body.rejected.map((r) => [r.index, r.reason, r.event_id])).toEqual([0, 1, 2, 3, 4].map((i) => [i, 'invalid_event', null]));
    expect(await count('SELECT count(*)::int AS n FROM telemetry.events_dlq WHERE batch_id = $1', [batchId])).toBe(5);
  });

  it('answers 429 with Retry-After over the per-key rate limit', async () => {
    const limited = await buildApp({ db: t.db, now: () => clock, rateLimit: { perSecond: 1, burst: 2 } });
    try {
      const send = () => signedInject(limited.app, kiosk, 'POST', '/v1/events', batchOf([checkinEvent(kiosk)]), { nowSeconds: Math.floor(clock / 1000) });
      expect((await send()).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(200);
      const third = await send();
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBe('1');
      expect(third.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await limited.app.close();
    }
  });

  it('reports health and serves metrics', async () => {
    const h = await cloud.app.inject({ method: 'GET', url: '/health' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok', database: backend });
    const m = await cloud.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toContain('http_request_duration_seconds_bucket');
    expect(m.body).toContain('process_cpu_user_seconds_total');
  });
});
