// A venue's hub audit chain carried up and verified in the cloud, on PGlite and on the real PostgreSQL: entries made by
// HubAudit on a real SQLite file, carried by the hub's push outbox (HubOutbox) as audit.entry built from each row, sent through
// the real signed ingest; the cloud's chain is intact, incomplete while entries are still on their way, and broken at
// the entry someone altered or removed behind the append-only trigger, and forked where another hub chain reused a seq.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { auditEntryEventId, HubAudit, verifyHubAudit } from '../../edge-agent/audit-log';
import { AgentStore } from '../../edge-agent/store';
import { HubOutbox } from '../../edge-agent/hub-outbox';
import { SqliteOutbox } from '../../venue-store/outbox';
import { openStore } from '../../venue-store/open';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, checkinEvent, signedInject } from '../../tests/signed';
import { verifyVenueAudit } from './venue-audit-verify';

type AuditEvent = Extract<SeatPilotEvent, { type: 'audit.entry' }>;

describe.each(backends())('a venue audit chain carried to the cloud on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-venue-audit-'));
  let t: TestDatabase;
  let cloud: CloudApp;
  let hub: IssuedKey;
  let tenant: string;
  let venue: string;
  let hubDb: SqliteDatabase;
  let events: AuditEvent[] = [];

  const send = async (batch: unknown[]) => {
    const res = await signedInject(cloud.app, hub, 'POST', '/v1/events', batchOf(batch));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rejected: [] });
  };
  const verify = () => t.db.tx((q) => verifyVenueAudit(q, tenant, venue));
  /** Someone with the database owner's rights, behind the append-only trigger. */
  const behindTrigger = (sql: string, params: unknown[]) => t.db.tx(async (q) => {
    await q.exec('ALTER TABLE telemetry.venue_audit DISABLE TRIGGER venue_audit_append_only');
    await q.query(sql, params);
    await q.exec('ALTER TABLE telemetry.venue_audit ENABLE TRIGGER venue_audit_append_only');
  });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    tenant = (await addTenant(t.db, 'Audit')).id;
    venue = (await addVenue(t.db, tenant, 'Hall')).id;
    hub = await addDevice(t.db, venue, 'agent');

    hubDb = openStore(join(dir, 'hub.sqlite')).db;
    const outbox = new HubOutbox(hubDb, new SqliteOutbox(hubDb), { venueId: venue, deviceId: hub.device_id });
    let clock = Date.UTC(2026, 11, 1, 19, 0, 0, 0);
    const audit = new HubAudit(hubDb, venue, () => (clock += 1234));
    const changes = [
      { deviceId: 'dev_door_a', actor: 'dev_door_a', role: 'device', action: 'checkin.succeeded', entity: 'guest', entityId: 'g-ana', after: { guest_id: 'g-ana', table_id: 't7', party_size: 2 } },
      { deviceId: 'dev_tablet', actor: 'dev_tablet', role: 'supervisor', action: 'seat.changed', entity: 'guest', entityId: 'g-ana', before: { table_id: 't7' }, after: { table_id: 't9', source: 'hub' } },
      { deviceId: 'dev_door_b', actor: 'dev_door_b', role: 'steward', action: 'guest.added', entity: 'guest', entityId: 'w-1', after: { name: 'Zoë Ñúñez', z: 1, a: [3, { y: null, b: 'ü' }] } },
      { deviceId: null, actor: 'cli:ops', role: 'cli', action: 'device.revoke', entity: 'device', entityId: null, before: { status: 'active' }, after: { status: 'revoked' } },
      { deviceId: 'dev_door_a', actor: 'dev_door_a', role: 'device', action: 'staff.pin_failed', entity: 'door', entityId: 'door-a', after: { failures: 3, locked: true } },
      { deviceId: 'dev_door_a', actor: 'dev_door_a', role: 'supervisor', action: 'checkin.reverted', entity: 'guest', entityId: 'g-ana', after: { reason: 'by mistake' } },
    ];
    for (const c of changes) hubDb.transaction(() => audit.append(c))();
    expect(await verifyHubAudit(hubDb)).toMatchObject({ entries: 6, state: 'intact' });
    events = outbox.pending(100).map((i) => i.event as AuditEvent);
  });
  afterAll(async () => {
    hubDb?.close();
    rmSync(dir, { recursive: true, force: true });
    await cloud?.app.close();
    await t?.drop();
  });

  it('queues each entry for the cloud with the hub as sender, under an id made from the venue and the seq', () => {
    expect(events.map((e) => [e.type, e.payload.seq, e.device_id])).toEqual([1, 2, 3, 4, 5, 6].map((s) => ['audit.entry', s, hub.device_id]));
    for (const e of events) expect(e.event_id).toBe(auditEntryEventId(venue, e.payload.seq, e.payload.at));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(6);
  });

  it('is incomplete, naming the first missing seq, while an entry is still on its way; intact once it has come', async () => {
    expect(await verify()).toEqual({ entries: 0, state: 'intact', first_missing_seq: null, broken: null });
    await send(events.filter((e) => e.payload.seq !== 3));
    expect(await verify()).toEqual({ entries: 5, state: 'incomplete', first_missing_seq: 3, broken: null });
    await send(events.filter((e) => e.payload.seq === 3));
    expect(await verify()).toEqual({ entries: 6, state: 'intact', first_missing_seq: null, broken: null });
  });

  it('is broken at the one entry altered in the cloud', async () => {
    const e = events[3] as AuditEvent;
    await behindTrigger(`UPDATE telemetry.venue_audit SET after_json = '{"status":"active"}' WHERE venue_id = $1 AND seq = 4`, [venue]);
    expect(await verify()).toEqual({ entries: 3, state: 'broken', first_missing_seq: null, broken: { seq: 4, at: e.payload.at, action: 'device.revoke', reason: 'altered' } });
  });

  it('is broken, not incomplete, where a received entry was removed', async () => {
    const e = events[1] as AuditEvent;
    await behindTrigger('DELETE FROM telemetry.venue_audit WHERE venue_id = $1 AND seq = 2', [venue]);
    expect(await verify()).toEqual({ entries: 1, state: 'broken', first_missing_seq: null, broken: { seq: 2, at: e.payload.at, action: 'seat.changed', reason: 'removed' } });
  });

  it('is broken, forked, at the first seq another hub chain reused with other entries; the same entries again leave it intact', async () => {
    const hall = (await addVenue(t.db, tenant, 'Annex')).id;
    /** A hub's chain of three entries on its own SQLite file, as its push would carry them. */
    const chainOf = (name: string, key: IssuedKey, start: number, actions: string[]): AuditEvent[] => {
      const db = openStore(join(dir, `${name}.sqlite`)).db;
      try {
        let clock = start;
        const audit = new HubAudit(db, hall, () => (clock += 1000));
        for (const action of actions) db.transaction(() => audit.append({ deviceId: 'dev_door_a', actor: 'dev_door_a', role: 'device', action, entity: 'guest', entityId: `g-${name}`, after: { by: name } }))();
        return new HubOutbox(db, new SqliteOutbox(db), { venueId: hall, deviceId: key.device_id }).pending(100).map((i) => i.event as AuditEvent);
      } finally {
        db.close();
      }
    };
    const sendAs = async (key: IssuedKey, batch: unknown[]) => {
      const res = await signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(batch));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ accepted: batch.length, rejected: [] });
    };
    const verifyHall = () => t.db.tx((q) => verifyVenueAudit(q, tenant, hall));
    const first = await addDevice(t.db, hall, 'agent');
    const old = chainOf('old-hub', first, Date.UTC(2026, 11, 1, 18, 0, 0, 0), ['checkin.succeeded', 'seat.changed', 'guest.added']);
    await sendAs(first, old);
    expect(await verifyHall()).toEqual({ entries: 3, state: 'intact', first_missing_seq: null, broken: null });
    // The same entries re-sent (a push retried): the ingest takes them as duplicates; nothing changes.
    const again = await signedInject(cloud.app, first, 'POST', '/v1/events', batchOf(old));
    expect(again.statusCode, again.body).toBe(200);
    expect(await verifyHall()).toEqual({ entries: 3, state: 'intact', first_missing_seq: null, broken: null });

    // A replacement box numbering its own chain from 1 again: new event ids, so the ingest accepts every entry.
    const replacement = await addDevice(t.db, hall, 'agent');
    const fresh = chainOf('new-hub', replacement, Date.UTC(2026, 11, 1, 20, 0, 0, 0), ['device.revoke', 'checkin.reverted', 'staff.pin_failed']);
    expect(fresh.map((e) => e.payload.seq)).toEqual([1, 2, 3]);
    expect(fresh.map((e) => e.payload.hash)).not.toContain(old[0]?.payload.hash);
    await sendAs(replacement, fresh);
    const f = fresh[0] as AuditEvent;
    expect(await verifyHall()).toEqual({ entries: 0, state: 'broken', first_missing_seq: null, broken: { seq: 1, at: f.payload.at, action: 'device.revoke', reason: 'forked' } });
    // The stored chain is the first hub's, untouched (append-only).
    const kept = await t.db.query<{ hash: string }>('SELECT hash FROM telemetry.venue_audit WHERE venue_id = $1 ORDER BY seq', [hall]);
    expect(kept.map((r) => r.hash)).toEqual(old.map((e) => e.payload.hash));
  });

  it('carries the entries of the hub\'s own ingest in its push, with the hub as sender', async () => {
    const db = openStore(join(dir, 'agent.sqlite')).db;
    try {
      const store = new AgentStore(db, venue, Date.now);
      const push = new HubOutbox(db, store.outbox, { venueId: venue, deviceId: hub.device_id });
      const door = { keyId: 'k', tenantId: 'venue', venueId: venue, deviceId: 'dev_door_a', deviceKind: 'kiosk' as const };
      const checkin = checkinEvent({ venue_id: venue, device_id: 'dev_door_a' });
      await store.storeBatch(door, 'b1', [checkin], []);
      const queued = push.pending(10).map((i) => i.event);
      expect(queued.map((e) => [e.type, e.device_id])).toEqual([['checkin.succeeded', 'dev_door_a'], ['audit.entry', hub.device_id]]);
      expect((queued[1] as AuditEvent).payload).toMatchObject({ seq: 1, action: 'checkin.succeeded', actor: 'dev_door_a', entity_id: (checkin.payload as { guest_id: string }).guest_id });
      // The store's own outbox holds no copy of the entry: it goes up from audit_log.
      expect(store.outbox.pending(10).map((i) => i.event.type)).toEqual(['checkin.succeeded']);
    } finally {
      db.close();
    }
  });
});
