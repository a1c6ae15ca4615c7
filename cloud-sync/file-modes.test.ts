// The cloud's PGlite data folder is its owner's alone: PGlite unpacks its cluster 0666/0755 whatever the umask, so the
// tree is put right after every open. Real PGlite on disk, umask 000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from './db';
import { addDevice, addTenant, addVenue } from './admin';
import { migratePostgres } from '../sql/migrate';
import { sharedEntries } from '../node-kit/private-files';

describe('PGlite data folder modes', () => {
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(umask);
  });

  it('is 0700 with every file 0600 after open and after writes, and again after a reopen of a folder made shared', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sp-pglite-modes-'));
    const dir = join(root, 'cloud');
    let db = await openPglite(dir);
    try {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(sharedEntries(dir)).toEqual([]);
      await migratePostgres(db);
      const venue = await addVenue(db, (await addTenant(db, 'Modes Co')).id, 'Hall');
      for (let i = 0; i < 20; i++) await addDevice(db, venue.id, 'kiosk');
      await db.exec('CHECKPOINT');
      expect(sharedEntries(dir)).toEqual([]);
    } finally {
      await db.close();
    }
    // As an older release left it (968 files 0666 in a 0755 folder).
    chmodSync(dir, 0o755);
    const base = join(dir, 'base');
    chmodSync(base, 0o755);
    const sub = readdirSync(base)[0]!;
    for (const f of readdirSync(join(base, sub)).slice(0, 50)) chmodSync(join(base, sub, f), 0o666);
    expect(sharedEntries(dir).length).toBeGreaterThan(50);
    db = await openPglite(dir);
    try {
      expect(sharedEntries(dir)).toEqual([]);
      // The key file beside the folder, not in it.
      expect(statSync(join(root, 'seatpilot-secrets.key')).mode & 0o777).toBe(0o600);
    } finally {
      await db.close();
    }
  });
});
