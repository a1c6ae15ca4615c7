// The console's devices API on PGlite and PostgreSQL: a venue's devices with the state their signed heartbeats give,
// pairing codes that really pair (and never reach the audit), revoking that really shuts a device out, and neither
// another tenant nor a lesser role getting through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { ajv } from '../../../core/contract/validate';
import type { SeatPilotEvent } from '../../../core/contract/contract';
import { DeviceListSchema, PairCodeSchema, type DeviceList, type DeviceRow } from '../../../core/console/devices';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant } from '../../../tests/fixtures/console';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../../tests/signed';
import { addDevice, rotateKey } from '../../admin';
import { buildApp, type CloudApp } from '../../app';

/** The body fits the schema the UI reads it with (formats included). */
function expectShape(schema: TSchema, body: unknown): void {
  ajv.validate(schema, body);
  expect(ajv.errors ?? []).toEqual([]);
}

describe.each(backends())('console devices API on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let a: ConsoleTenant;
  let b: ConsoleTenant;
  let door: TestKey;
  let hub: TestKey;
  let quiet: TestKey;

  const heartbeat = (key: TestKey, payload: Record<string, unknown>): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
    payload: { app_version: '1.4.2', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 3, scanner_ok: true, clock_skew_ms: 0, ...payload },
  } as SeatPilotEvent);
  const post = async (key: TestKey, events: unknown[]) => signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(events));
  const list = async (who = a.viewer, venue = a.venueId) => asUser(cloud.app, who, { method: 'GET', url: `/console/api/venues/${venue}/devices` });
  const rowOf = (body: DeviceList, id: string) => body.devices.find((d) => d.id === id) as DeviceRow;
  const auditOf = (action: string) => t.db.query<{ actor: string; entity_id: string | null; venue_id: string | null; before: unknown; after: unknown }>(
    'SELECT actor, entity_id, venue_id, before, after FROM console.audit_log WHERE tenant_id = $1 AND action = $2 ORDER BY id', [a.tenantId, action]);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    a = await consoleTenant(t.db, 'Alpha');
    b = await consoleTenant(t.db, 'Beta');
    door = await addDevice(t.db, a.venueId, 'kiosk', 'North door');
    hub = await addDevice(t.db, a.venueId, 'agent', 'Hub');
    quiet = await addDevice(t.db, a.venueId, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it("lists every device of the venue with what its last heartbeat said", async () => {
    const ok = (r: Awaited<ReturnType<typeof post>>) => expect(r.json()).toMatchObject({ accepted: 1, rejected: [] });
    ok(await post(hub, [heartbeat(hub, { scanner_ok: null, clock_skew_ms: 120 })]));
    ok(await post(door, [heartbeat(door, { outbox_depth: 42, oldest_unsent_s: 900, clock_skew_ms: -7_500, scanner_ok: false, upstream_error: 'upstream unreachable: ECONNREFUSED' })]));

    const res = await list();
    expect(res.statusCode).toBe(200);
    const body = res.json() as DeviceList;
    expectShape(DeviceListSchema, body);
    expect(body.venue_id).toBe(a.venueId);
    expect(body.devices.map((d) => d.id).sort()).toEqual([door.device_id, hub.device_id, quiet.device_id].sort());
    expect(rowOf(body, door.device_id)).toMatchObject({
      kind: 'kiosk', name: 'North door', state: 'backlogged', problems: ['backlogged', 'clock_skewed'], outbox_depth: 42, oldest_unsent_s: 900,
      clock_skew_ms: -7_500, scanner_ok: false, app_version: '1.4.2', upstream_error: 'upstream unreachable: ECONNREFUSED', active_keys: 1,
    });
    expect(Date.now() - Date.parse(rowOf(body, door.device_id).last_seen as string)).toBeLessThan(120_000);
    expect(rowOf(body, hub.device_id)).toMatchObject({ kind: 'agent', name: 'Hub', state: 'ok', problems: [], scanner_ok: null, clock_skew_ms: 120, active_keys: 1 });
    // Never heard from: silent, with nothing made up for what it never said.
    expect(rowOf(body, quiet.device_id)).toMatchObject({ state: 'silent', problems: ['silent'], last_seen: null, outbox_depth: null, app_version: null, upstream_error: null });
    // Problems first.
    expect(body.devices.at(-1)?.id).toBe(hub.device_id);
  });

  it("gives another tenant's people a 404 for this tenant's venue and devices, and no session a 401", async () => {
    for (const who of [b.owner, b.planner, b.viewer]) {
      const res = await list(who);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain(door.device_id);
      expect((await asUser(cloud.app, who, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload: { kind: 'kiosk' } })).statusCode).toBe(who === b.owner ? 404 : 403);
    }
    const revoke = await asUser(cloud.app, b.owner, { method: 'POST', url: `/console/api/devices/${door.device_id}/revoke` });
    expect(revoke.statusCode).toBe(404);
    expect(revoke.json()).toMatchObject({ error: 'not_found' });
    expect((await list(b.owner, b.venueId)).json()).toMatchObject({ venue_id: b.venueId, devices: [] });
    expect((await asUser(cloud.app, null, { method: 'GET', url: `/console/api/venues/${a.venueId}/devices` })).json()).toMatchObject({ error: 'no_session' });
    expect(rowOf((await list()).json(), door.device_id).active_keys).toBe(1);
  });

  it('refuses pairing codes and revoking to viewers and planners, and writes without the CSRF token', async () => {
    for (const who of [a.viewer, a.planner]) {
      const pair = await asUser(cloud.app, who, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload: { kind: 'kiosk' } });
      expect(pair.statusCode).toBe(403);
      expect(pair.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('owner') });
      expect((await asUser(cloud.app, who, { method: 'POST', url: `/console/api/devices/${door.device_id}/revoke` })).statusCode).toBe(403);
    }
    const noCsrf = await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/devices/${door.device_id}/revoke`, csrf: false });
    expect(noCsrf.json()).toMatchObject({ error: 'csrf_missing' });
    expect(rowOf((await list()).json(), door.device_id).active_keys).toBe(1);
    expect(await auditOf('device.revoke')).toEqual([]);
  });

  it('issues a pairing code that pairs a new box once, and audits it without the code', async () => {
    const res = await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload: { kind: 'kiosk', name: 'South door', ttl_minutes: 30 } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const code = res.json();
    expectShape(PairCodeSchema, code);
    expect(code.kind).toBe('kiosk');
    expect(Date.parse(code.expires_at) - Date.now()).toBeGreaterThan(25 * 60_000);
    expect(Date.parse(code.expires_at) - Date.now()).toBeLessThanOrEqual(30 * 60_000);

    const [entry] = await auditOf('device.pair_code');
    expect(entry).toMatchObject({ actor: a.owner.account.email, venue_id: a.venueId, after: { kind: 'kiosk', name: 'South door', expires_at: code.expires_at } });
    expect(JSON.stringify(entry)).not.toContain(code.code);

    const paired = await cloud.app.inject({ method: 'POST', url: '/pair', payload: { code: code.code } });
    expect(paired.statusCode).toBe(200);
    const device = paired.json() as { device_id: string; venue_id: string };
    expect(device.venue_id).toBe(a.venueId);
    expect(rowOf((await list()).json(), device.device_id)).toMatchObject({ kind: 'kiosk', name: 'South door', state: 'silent', active_keys: 1 });
    expect((await cloud.app.inject({ method: 'POST', url: '/pair', payload: { code: code.code } })).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('refuses a bad pairing request with a 400 that says what is wrong', async () => {
    for (const payload of [{ kind: 'toaster' }, { kind: 'kiosk', ttl_minutes: 0 }, { kind: 'kiosk', ttl_minutes: 1441 }, {}]) {
      const res = await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.any(String) });
    }
    const unknown = await asUser(cloud.app, a.owner, { method: 'POST', url: '/console/api/venues/no-such-venue/pairing-codes', payload: { kind: 'agent' } });
    expect(unknown.statusCode).toBe(404);
  });

  it("revokes every working key of a device at once, and the device's signed requests are refused from then on", async () => {
    // A rotated key keeps working for 24 h beside its successor: both must stop.
    const successor = await rotateKey(t.db, door.device_id);
    const fresh = { ...door, key_id: successor.key_id, secret: successor.secret };
    expect(rowOf((await list()).json(), door.device_id).active_keys).toBe(2);
    expect((await post(door, [checkinEvent(door)])).json()).toMatchObject({ accepted: 1 });

    const res = await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/devices/${door.device_id}/revoke` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ device_id: door.device_id, revoked_keys: 2 });

    for (const key of [door, fresh]) {
      const refused = await post(key, [checkinEvent(door)]);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'revoked_key' });
    }
    const row = rowOf((await list()).json(), door.device_id);
    expect(row).toMatchObject({ state: 'revoked', problems: [], active_keys: 0 });
    const [entry] = await auditOf('device.revoke');
    expect(entry).toMatchObject({ actor: a.owner.account.email, entity_id: door.device_id, venue_id: a.venueId });
    expect((entry?.after as { keys: { key_id: string; status: string }[] }).keys).toEqual(
      [door.key_id, successor.key_id].sort().map((key_id) => ({ key_id, status: 'revoked' })));
    expect(JSON.stringify(entry)).not.toContain(door.secret);

    // Again: nothing left to revoke, nothing audited twice; the hub is untouched.
    expect((await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/devices/${door.device_id}/revoke` })).json()).toEqual({ device_id: door.device_id, revoked_keys: 0 });
    expect(await auditOf('device.revoke')).toHaveLength(1);
    expect((await post(hub, [heartbeat(hub, {})])).statusCode).toBe(200);
    expect((await asUser(cloud.app, a.owner, { method: 'POST', url: '/console/api/devices/no-such-device/revoke' })).statusCode).toBe(404);
  });
});
