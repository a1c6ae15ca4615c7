// GET /v1/sync on the cloud by key kind, on PGlite and the real PostgreSQL: the venue's agent and a kiosk that syncs
// with the cloud directly read the whole list; a beacon gateway's key reads nothing (403 forbidden), not one credential.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../core/contract/contract';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { signedInject } from '../../tests/signed';
import { importGuests } from './import-guests';
import { addOccasion, deleteGuest, importTables } from './manage';
import { PgSyncStore } from './sync-store';

describe.each(backends())('cloud sync scope on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  const keys: Record<'agent' | 'kiosk' | 'gateway', IssuedKey> = {} as never;
  let venue = '';

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    const tenant = (await addTenant(t.db, 'T')).id;
    venue = (await addVenue(t.db, tenant, 'Hall')).id;
    for (const kind of ['agent', 'kiosk', 'gateway'] as const) keys[kind] = await addDevice(t.db, venue, kind);
    const occasion = (await addOccasion(t.db, { venueId: venue, name: 'Gala', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' })).id;
    await importTables(t.db, venue, 'label,capacity\nT1,10\nT2,8\n');
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,table,barcode\ng1,Ana,T1,SECRET-TICKET-1\ng2,Bo,T2,SECRET-TICKET-2\n' });
    await deleteGuest(t.db, 'g2');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('the agent and a cloud-synced kiosk read guests with credentials, tables, the occasion and tombstones', async () => {
    for (const kind of ['agent', 'kiosk'] as const) {
      const res = await signedInject(cloud.app, keys[kind], 'GET', '/v1/sync');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as SyncResponse;
      expect(body.changes.map((c) => c.kind).sort(), kind).toEqual(['guest', 'occasion', 'table', 'table', 'tombstone']);
      expect(res.body).toContain('SECRET-TICKET-1');
    }
  });

  it("a beacon gateway's key gets 403 forbidden and no change", async () => {
    const res = await signedInject(cloud.app, keys.gateway, 'GET', '/v1/sync');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'forbidden', message: 'gateway keys may not sync from this server' });
    expect(res.body).not.toContain('SECRET-TICKET');
  });

  it('the store pages only the entities asked for, tombstones with their entity', async () => {
    const caller = { keyId: keys.agent.key_id, tenantId: keys.agent.tenant_id, venueId: venue, deviceId: keys.agent.device_id, deviceKind: 'agent' as const };
    const store = new PgSyncStore(t.db);
    const guests = await store.changesSince(caller, undefined, 1, ['guest']);
    expect(guests.changes.map((c) => c.kind)).toEqual(['guest']);
    expect(guests.has_more).toBe(true);
    const rest = await store.changesSince(caller, guests.cursor, 10, ['guest']);
    expect(rest.changes.map((c) => (c.kind === 'tombstone' ? `${c.entity} ${c.id}` : c.kind))).toEqual(['guest g2']);
    expect((await store.changesSince(caller, undefined, 10, ['table'])).changes.map((c) => c.kind)).toEqual(['table', 'table']);
  });
});
