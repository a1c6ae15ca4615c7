// Migration 0002 on a database that already has venues, devices and events: nothing is lost, guest lists work at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migratePostgres, migrationsDir } from '../../sql/migrate';
import { addDevice, addTenant, addVenue } from '../admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { importGuests } from './import-guests';
import { addOccasion } from './manage';
import { PgSyncStore } from './sync-store';

describe.each(backends())('guest-list migration over an existing database on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('keeps the existing rows and serves a guest list for an existing venue', async () => {
    const all = loadMigrations(migrationsDir('postgres'));
    const guestLists = all.findIndex((m) => m.name === 'guest_lists');
    expect(guestLists).toBeGreaterThan(0);
    await migratePostgres(t.db, all.slice(0, guestLists));
    const tenant = await addTenant(t.db, 'Old Co');
    const venue = await addVenue(t.db, tenant.id, 'Old Hall');
    const kiosk = await addDevice(t.db, venue.id, 'kiosk');
    expect((await migratePostgres(t.db, all)).applied).toContain(guestLists + 1);
    expect(await t.db.query('SELECT id, name FROM seatpilot.venues')).toEqual([{ id: venue.id, name: 'Old Hall' }]);
    expect(await t.db.query('SELECT key_id FROM seatpilot.device_keys')).toEqual([{ key_id: kiosk.key_id }]);
    const occ = await addOccasion(t.db, { venueId: venue.id, name: 'First night', startsAt: '2026-12-01T19:00:00Z', endsAt: '2026-12-02T01:00:00Z' });
    await importGuests(t.db, { venueId: venue.id, occasionId: occ.id, csv: 'name,barcode\nAna,BC-1\n' });
    const page = await new PgSyncStore(t.db).changesSince({ keyId: kiosk.key_id, tenantId: tenant.id, venueId: venue.id, deviceId: kiosk.device_id, deviceKind: 'kiosk' }, undefined, 10);
    expect(page.changes.map((c) => c.kind)).toEqual(['occasion', 'guest']);
  });
});
