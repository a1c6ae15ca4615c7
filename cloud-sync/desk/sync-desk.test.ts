// GET /v1/sync with the guest_desk feature on PGlite and on the real PostgreSQL: the hub (which names it) gets each
// guest's seat HLCs, tags, meal and notes and each table's tags; any other client gets exactly the v1 page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncChange, SyncGuest, SyncResponse, SyncTable } from '../../core/contract/contract';
import { checkSyncResponse } from '../../core/contract/validate';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { importGuests } from '../guestlist/import-guests';
import { addOccasion, importTables } from '../guestlist/manage';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { signedInject } from '../../tests/signed';

const V1_GUEST_KEYS = ['credentials', 'id', 'name', 'occasion_id', 'party_size', 'status', 'table_id', 'valid_from', 'valid_to'];
const V1_TABLE_KEYS = ['capacity', 'h', 'id', 'label', 'shape', 'w', 'x', 'y'];

describe.each(backends())('the guest_desk sync feature on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let hub: IssuedKey;
  let venue: string;

  const pull = async (query: string) => {
    const res = await signedInject(cloud.app, hub, 'GET', `/v1/sync?limit=500${query}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as SyncResponse;
    const checked = checkSyncResponse(page);
    expect(checked.ok, checked.ok ? '' : checked.detail).toBe(true);
    return page;
  };
  const guests = (p: SyncResponse) => new Map(p.changes.filter((c): c is Extract<SyncChange, { kind: 'guest' }> => c.kind === 'guest').map((c) => [c.guest.id, c.guest]));
  const tables = (p: SyncResponse) => new Map(p.changes.filter((c): c is Extract<SyncChange, { kind: 'table' }> => c.kind === 'table').map((c) => [c.table.id, c.table]));

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    const tenant = (await addTenant(t.db, 'Sync')).id;
    venue = (await addVenue(t.db, tenant, 'Hall')).id;
    hub = await addDevice(t.db, venue, 'agent');
    const occasion = (await addOccasion(t.db, { venueId: venue, name: 'Gala', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' })).id;
    await importTables(t.db, venue, 'id,label,capacity,tags\ns-t1,1,10,accessible|vip\ns-t2,2,8,\n');
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,party_size,table\nana,Ana,2,1\nbea,Bea,1,\n' });
    await t.db.tx(async (q) => {
      await q.query('SELECT guestlist.lock_venue($1)', [venue]);
      // A console move (the trigger stamps its HLC), and what the staff see of Ana.
      await q.query(`UPDATE guestlist.guests SET table_id = 's-t2', tags = '{vip}', meal = 'vegetarian', desk_notes = 'Allergic to nuts' WHERE id = 'ana'`);
    });
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('gives a client without the feature exactly the v1 guest and table', async () => {
    for (const query of ['', '&features=checkin_reverts', '&features=no_such_feature']) {
      const page = await pull(query);
      for (const g of guests(page).values()) expect(Object.keys(g).sort()).toEqual(V1_GUEST_KEYS);
      for (const tb of tables(page).values()) expect(Object.keys(tb).sort()).toEqual(V1_TABLE_KEYS);
      expect(guests(page).get('ana')).toMatchObject({ table_id: 's-t2', party_size: 2 });
    }
  });

  it('gives the hub, which names guest_desk, the seat HLCs, tags, meal and notes, and the tables\' tags', async () => {
    const page = await pull('&features=guest_desk,checkin_reverts');
    const ana = guests(page).get('ana') as SyncGuest;
    const { table_hlc, ...rest } = ana;
    expect(table_hlc).toMatch(/^[0-9]{13}\.[0-9]{4}\.c$/);
    expect(rest).toMatchObject({ table_id: 's-t2', party_hlc: null, tags: ['vip'], meal: 'vegetarian', notes: 'Allergic to nuts' });
    expect(guests(page).get('bea')).toMatchObject({ table_hlc: null, party_hlc: null, tags: [], meal: null, notes: null });
    expect(tables(page).get('s-t1')).toMatchObject({ tags: ['accessible', 'vip'] } satisfies Partial<SyncTable>);
    expect(tables(page).get('s-t2')).toMatchObject({ tags: [] });
    // The same rows otherwise: the v1 fields are the same values.
    const v1 = await pull('');
    for (const [id, g] of guests(v1)) expect(Object.fromEntries(V1_GUEST_KEYS.map((k) => [k, (guests(page).get(id) as Record<string, unknown>)[k]]))).toEqual(g);
  });
});
