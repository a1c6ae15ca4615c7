// GET /v1/sync on the cloud, on PGlite and on the real PostgreSQL: paging, revocations, tombstones, venue isolation,
// signing, the per-venue version lock, and RLS for Supabase clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { SyncChange, SyncResponse } from '../../core/contract/contract';
import { checkSyncResponse } from '../../core/contract/validate';
import type { Caller } from '../../protocol/store';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { backends, postgresAvailable, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { asRole, failure } from '../../tests/rls';
import { signedInject } from '../../tests/signed';
import { importGuests } from './import-guests';
import { addOccasion, deleteGuest, importTables, revokeGuest, setFloorPlan } from './manage';
import { PgSyncStore, encodeCursor } from './sync-store';

const callerOf = (k: IssuedKey & { kind: Caller['deviceKind'] }): Caller => ({ keyId: k.key_id, tenantId: k.tenant_id, venueId: k.venue_id, deviceId: k.device_id, deviceKind: k.kind });
/** Guests `${prefix}${from}`…; odd ones sit at table T1 when the venue has tables. */
const guestsCsv = (from: number, n: number, prefix = 'g', tables = prefix === 'g') =>
  ['guest_id,name,party_size,table,barcode,nfc', ...Array.from({ length: n }, (_, i) => `${prefix}${from + i},Guest ${from + i},${(i % 3) + 1},${tables && i % 2 ? 'T1' : ''},BC-${prefix}${from + i},NFC-${prefix}${from + i}`)].join('\n');

describe.each(backends())('cloud sync on %s', (backend) => {
  let t: TestDatabase;
  let store: PgSyncStore;
  let agentKey: IssuedKey & { kind: Caller['deviceKind'] };
  let otherVenueKey: IssuedKey & { kind: Caller['deviceKind'] };
  let tenantA: string;
  let tenantB: string;
  let venue: string;
  let occasion: string;
  let cursorAfterFullSync = '';

  /** Walks every page from `cursor`, checking each against the contract. */
  const walk = async (caller: Caller, cursor: string | undefined, limit: number) => {
    const pages: SyncResponse[] = [];
    for (;;) {
      const page = await store.changesSince(caller, cursor, limit);
      const checked = checkSyncResponse(page);
      expect(checked.ok, checked.ok ? '' : checked.detail).toBe(true);
      expect(page.changes.length).toBeLessThanOrEqual(limit);
      pages.push(page);
      cursor = page.cursor;
      if (!page.has_more) break;
      expect(pages.length).toBeLessThan(1000);
    }
    return { pages, changes: pages.flatMap((p) => p.changes), cursor: cursor as string };
  };
  const idOf = (c: SyncChange) => (c.kind === 'guest' ? c.guest.id : c.kind === 'tombstone' ? c.id : c.kind === 'table' ? c.table.id : c.kind === 'occasion' ? c.occasion.id : c.kind);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    store = new PgSyncStore(t.db);
    tenantA = (await addTenant(t.db, 'A')).id;
    tenantB = (await addTenant(t.db, 'B')).id;
    venue = (await addVenue(t.db, tenantA, 'Hall')).id;
    const venue2 = (await addVenue(t.db, tenantA, 'Annex')).id;
    agentKey = await addDevice(t.db, venue, 'agent');
    otherVenueKey = await addDevice(t.db, venue2, 'agent');
    occasion = (await addOccasion(t.db, { venueId: venue, name: 'Gala', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z', timezone: 'Europe/Lisbon', reentry: 'after_exit' })).id;
    await importTables(t.db, venue, 'label,capacity,shape,x,y,w,h\nT1,10,round,1,1,1.5,1.5\nT2,8,rect,4,1,2,1\n');
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: guestsCsv(0, 25) });
    await setFloorPlan(t.db, venue, JSON.stringify({ width: 30, height: 20, walls: [], obstacles: [], doors: [{ id: 'd1', label: 'Main', x: 15, y: 20 }] }));
    // Another venue of the same tenant, and another tenant, with guests of their own.
    const occ2 = (await addOccasion(t.db, { venueId: venue2, name: 'Annex night', startsAt: '2026-12-01T19:00:00Z', endsAt: '2026-12-02T01:00:00Z' })).id;
    await importGuests(t.db, { venueId: venue2, occasionId: occ2, csv: guestsCsv(0, 5, 'annex') });
    const venueB = (await addVenue(t.db, tenantB, 'B Hall')).id;
    const occB = (await addOccasion(t.db, { venueId: venueB, name: 'B night', startsAt: '2026-12-01T19:00:00Z', endsAt: '2026-12-02T01:00:00Z' })).id;
    await importGuests(t.db, { venueId: venueB, occasionId: occB, csv: guestsCsv(0, 4, 'b') });
  });
  afterAll(async () => t?.drop());

  it('walks every change exactly once, in version order, in pages of at most `limit`, has_more until the last', async () => {
    const { pages, changes, cursor } = await walk(callerOf(agentKey), undefined, 7);
    expect(changes).toHaveLength(1 + 2 + 25 + 1); // occasion, tables, guests, floor plan
    expect(pages).toHaveLength(5);
    expect(pages.slice(0, -1).every((p) => p.has_more && p.changes.length === 7)).toBe(true);
    expect(pages.at(-1)!.has_more).toBe(false);
    const versions = changes.map((c) => c.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(new Set(changes.map((c) => `${c.kind}:${idOf(c)}`)).size).toBe(changes.length);
    // Nothing new: an empty page with the same cursor.
    expect(await store.changesSince(callerOf(agentKey), cursor, 7)).toEqual({ cursor, has_more: false, changes: [] });
    // One big page gives the same changes.
    expect((await store.changesSince(callerOf(agentKey), undefined, 1000)).changes).toEqual(changes);
    cursorAfterFullSync = cursor;

    const occ = changes.find((c) => c.kind === 'occasion');
    expect(occ).toMatchObject({ occasion: { id: occasion, name: 'Gala', starts_at: '2026-12-31T19:00:00.000Z', timezone: 'Europe/Lisbon', reentry_policy: 'after_exit' } });
    const t1 = changes.find((c) => c.kind === 'table' && c.table.label === 'T1');
    const g1 = changes.find((c) => c.kind === 'guest' && c.guest.id === 'g1');
    expect(g1).toMatchObject({
      kind: 'guest',
      guest: { id: 'g1', occasion_id: occasion, name: 'Guest 1', party_size: 2, status: 'active', valid_from: null, valid_to: null,
        table_id: t1?.kind === 'table' ? t1.table.id : 'missing', credentials: [{ kind: 'barcode', value: 'BC-g1' }, { kind: 'nfc', value: 'NFC-g1' }] },
    });
    expect(changes.find((c) => c.kind === 'floor_plan')).toMatchObject({ floor_plan: { width: 30, doors: [{ id: 'd1' }] } });
  });

  it('after a full sync, the next pages hold exactly a revocation, a new guest and a tombstone', async () => {
    expect(cursorAfterFullSync).not.toBe('');
    await revokeGuest(t.db, 'g3');
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: guestsCsv(100, 1) });
    await deleteGuest(t.db, 'g4');
    const { changes } = await walk(callerOf(agentKey), cursorAfterFullSync, 2);
    expect(changes.map((c) => [c.kind, idOf(c)])).toEqual([['guest', 'g3'], ['guest', 'g100'], ['tombstone', 'g4']]);
    expect(changes[0]).toMatchObject({ guest: { status: 'revoked', credentials: [{ value: 'BC-g3' }, { value: 'NFC-g3' }] } });
    expect(changes[2]).toEqual({ kind: 'tombstone', version: changes[2]!.version, entity: 'guest', id: 'g4' });
    // A fresh device starting from nothing gets the deleted guest only as its tombstone.
    const fresh = (await walk(callerOf(agentKey), undefined, 1000)).changes;
    expect(fresh.filter((c) => idOf(c) === 'g4')).toEqual([changes[2]]);
  });

  it('never shows another venue or tenant any of this venue\'s changes', async () => {
    const other = (await walk(callerOf(otherVenueKey), undefined, 1000)).changes;
    expect(other.filter((c) => c.kind === 'guest').map((c) => idOf(c)).sort()).toEqual(['annex0', 'annex1', 'annex2', 'annex3', 'annex4']);
    expect(other.some((c) => c.kind === 'table' || c.kind === 'floor_plan')).toBe(false);
    // A caller of tenant B naming this venue (a key can never say so; the store checks both anyway) sees nothing.
    const forged = { ...callerOf(agentKey), tenantId: tenantB };
    expect((await store.changesSince(forged, undefined, 1000)).changes).toEqual([]);
  });

  it('serves signed GET /v1/sync through the app: 401 unsigned, 400 on a bad cursor or limit, the key\'s venue only', async () => {
    const cloud: CloudApp = await buildApp({ db: t.db });
    try {
      const res = await signedInject(cloud.app, agentKey, 'GET', '/v1/sync?limit=5');
      expect(res.statusCode).toBe(200);
      const page = res.json() as SyncResponse;
      expect(checkSyncResponse(page).ok).toBe(true);
      expect(page).toMatchObject({ has_more: true });
      expect(page.changes).toHaveLength(5);
      const next = await signedInject(cloud.app, agentKey, 'GET', `/v1/sync?cursor=${encodeURIComponent(page.cursor)}&limit=1000`);
      expect(next.statusCode).toBe(200);
      expect((next.json() as SyncResponse).changes[0]!.version).toBeGreaterThan(page.changes[4]!.version);

      const unsigned = await cloud.app.inject({ method: 'GET', url: '/v1/sync' });
      expect(unsigned.statusCode).toBe(401);
      expect(unsigned.json()).toMatchObject({ error: 'missing_auth' });
      const wrongSecret = await signedInject(cloud.app, agentKey, 'GET', '/v1/sync', undefined, { secret: 'nope' });
      expect(wrongSecret.statusCode).toBe(401);
      expect(wrongSecret.json()).toMatchObject({ error: 'bad_signature' });

      for (const query of ['cursor=not-ours', `cursor=${encodeCursor(1).slice(0, -1)}%21`, 'limit=0', 'limit=1001', 'limit=abc']) {
        const bad = await signedInject(cloud.app, agentKey, 'GET', `/v1/sync?${query}`);
        expect(bad.statusCode, query).toBe(400);
        expect(bad.json(), query).toMatchObject({ error: 'bad_request' });
      }
      const other = await signedInject(cloud.app, otherVenueKey, 'GET', '/v1/sync?limit=1000');
      expect(other.statusCode).toBe(200);
      const ids = (other.json() as SyncResponse).changes.map(idOf);
      expect(ids.some((id) => /^g\d+$/.test(id))).toBe(false);
      expect(ids.filter((id) => id.startsWith('annex'))).toHaveLength(5);
    } finally {
      await cloud.app.close();
    }
  });

  it('lets Supabase clients read only their own tenant\'s guest lists, and write nothing', async () => {
    await asRole(t.db, 'authenticated', { tenant_id: tenantA, role: 'authenticated' }, async (q) => {
      expect(await q.query('SELECT DISTINCT tenant_id FROM guestlist.guests')).toEqual([{ tenant_id: tenantA }]);
      expect(await q.query('SELECT DISTINCT tenant_id FROM guestlist.credentials')).toEqual([{ tenant_id: tenantA }]);
      expect(await q.query(`SELECT count(*)::int AS n FROM guestlist.guests WHERE id LIKE 'b%'`)).toEqual([{ n: 0 }]);
      expect(await q.query('SELECT DISTINCT tenant_id FROM guestlist.occasions')).toEqual([{ tenant_id: tenantA }]);
      expect(await failure(q, `UPDATE guestlist.guests SET status = 'revoked'`)).toMatch(/permission denied/);
      expect(await failure(q, `INSERT INTO guestlist.credentials (tenant_id, venue_id, kind, value, guest_id) VALUES ($1, $2, 'barcode', 'x', 'g1')`, [tenantA, venue])).toMatch(/permission denied/);
    });
    await asRole(t.db, 'authenticated', { tenant_id: tenantB }, async (q) => {
      expect(await q.query(`SELECT count(*)::int AS n FROM guestlist.guests WHERE tenant_id = $1`, [tenantA])).toEqual([{ n: 0 }]);
      expect(await q.query('SELECT count(*)::int AS n FROM guestlist.guests')).toEqual([{ n: 4 }]);
    });
    await asRole(t.db, 'authenticated', null, async (q) => {
      expect(await q.query('SELECT count(*)::int AS n FROM guestlist.guests')).toEqual([{ n: 0 }]);
    });
    await asRole(t.db, 'anon', { tenant_id: tenantA }, async (q) => {
      for (const table of ['guests', 'credentials', 'occasions', 'seating_tables', 'floor_plans']) {
        expect(await failure(q, `SELECT * FROM guestlist.${table}`)).toMatch(/permission denied/);
      }
    });
  });

  // Two connections are needed to show the lock: only on the real PostgreSQL (PGlite is a single connection).
  it.skipIf(backend !== 'postgres' || !postgresAvailable())('makes a second writer to the same venue wait, so versions follow commit order', async () => {
    const c1 = new pg.Client({ connectionString: t.url });
    await c1.connect();
    try {
      await c1.query('BEGIN');
      const v1 = Number((await c1.query<{ version: string }>(`UPDATE guestlist.guests SET party_size = 5 WHERE id = 'g5' RETURNING version`)).rows[0]!.version);
      // Another venue is not held up by the open transaction.
      await revokeGuest(t.db, 'annex1');
      let secondDone = false;
      const second = revokeGuest(t.db, 'g6').then((r) => {
        secondDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(secondDone).toBe(false); // still waiting for the venue lock
      // A reader meanwhile sees neither change, and its cursor stays below both.
      const before = await store.changesSince(callerOf(agentKey), cursorAfterFullSync, 1000);
      expect(before.changes.map(idOf)).not.toContain('g5');
      await c1.query('COMMIT');
      const v2 = (await second).version;
      expect(v2).toBeGreaterThan(v1);
      const after = await store.changesSince(callerOf(agentKey), before.cursor, 1000);
      expect(after.changes.map(idOf)).toEqual(['g5', 'g6']);
    } finally {
      await c1.query('ROLLBACK').catch(() => undefined);
      await c1.end();
    }
  });
});
