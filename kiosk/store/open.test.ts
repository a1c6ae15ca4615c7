import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrationsDir } from '../../sql/migrate';
import { CheckinService } from '../checkin-service';
import { openStore } from './open';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-store-'));
  dirs.push(dir);
  return join(dir, 'kiosk.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openStore', () => {
  it('opens in WAL mode with durable commits and the latest schema', () => {
    const { db, migration } = openStore(tempFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(migration.version).toBe(loadMigrations(migrationsDir('sqlite')).length);
    db.close();
  });

  it('upgrades a version-1 database with guests and check-ins in it, keeping every row', () => {
    const file = tempFile();
    const v1 = loadMigrations(migrationsDir('sqlite')).slice(0, 1);
    const old = openStore(file, { migrations: v1 }).db;
    old.exec(`
      INSERT INTO occasions (id, name, starts_at, ends_at, starts_ms, ends_ms, timezone, reentry_policy, version)
        VALUES ('occ_gala', 'Gala', '2026-06-20T18:00:00.000Z', '2026-06-21T02:00:00.000Z', 1781978400000, 1782007200000, 'UTC', 'single', 1);
      INSERT INTO guests (id, occasion_id, name, name_folded, party_size, table_id, status, version)
        VALUES ('g_ana', 'occ_gala', 'Ana Pérez', 'ana perez', 2, 't1', 'active', 2);
      INSERT INTO guest_name_tokens VALUES ('ana', 'g_ana'), ('perez', 'g_ana');
      INSERT INTO credentials VALUES ('barcode', 'T-ANA', 'g_ana');
      INSERT INTO checkins (event_id, source, outcome, guest_id, occasion_id, device_id, door_id, direction, credential_kind, party_size, offline, occurred_at, occurred_ms)
        VALUES ('2f9c1b9e-8f5a-4d3c-9b7e-1a2b3c4d5e6f', 'local', 'admitted', 'g_ana', 'occ_gala', 'kiosk_a', 'door_a', 'entry', 'barcode', 2, 1, '2026-06-20T19:00:00.000Z', 1781982000000);
      INSERT INTO outbox (event_id, type, event_json, created_at, created_ms) VALUES ('2f9c1b9e-8f5a-4d3c-9b7e-1a2b3c4d5e6f', 'checkin.succeeded', '{}', '2026-06-20T19:00:00.000Z', 1781982000000);
    `);
    old.close();

    const { db, migration } = openStore(file);
    // Every migration after the first is applied on top of the old rows.
    expect(migration.applied).toEqual(loadMigrations(migrationsDir('sqlite')).slice(1).map((m) => m.version));
    expect(db.prepare('SELECT guest_id, table_id, party_size FROM checkins').all()).toEqual([{ guest_id: 'g_ana', table_id: null, party_size: 2 }]);
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1);
    // The upgraded store still decides from the old rows: Ana's earlier entry refuses her ticket now.
    const svc = new CheckinService(db, { venue_id: 'v', device_id: 'kiosk_a', door_id: 'door_a' }, { clock: () => 1781982000000 + 3_600_000 });
    expect(svc.scan('T-ANA', { kind: 'barcode' }).status).toBe('already_checked_in');
    expect(svc.search('pere').map((h) => h.guest_id)).toEqual(['g_ana']);
    db.close();
  });

  it('refuses a database written by a newer build', () => {
    const file = tempFile();
    openStore(file).db.close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')").run();
    raw.close();
    expect(() => openStore(file)).toThrow(/newer than this build/);
  });
});
