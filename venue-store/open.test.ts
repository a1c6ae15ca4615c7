import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVenueMigrations } from './migrations';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from './open';
import { SqliteOutbox } from './outbox';

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
    expect(migration.version).toBe(loadVenueMigrations().length);
    db.close();
  });

  it('upgrades a version-1 database with guests and check-ins in it, keeping every row', () => {
    const file = tempFile();
    const v1 = loadVenueMigrations().slice(0, 1);
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
    expect(migration.applied).toEqual(loadVenueMigrations().slice(1).map((m) => m.version));
    expect(db.prepare('SELECT guest_id, table_id, party_size FROM checkins').all()).toEqual([{ guest_id: 'g_ana', table_id: null, party_size: 2 }]);
    // The check-in's event moved onto its row (0006); the queue still holds it.
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    expect(db.prepare('SELECT event_id, type, state FROM outbox_events').all()).toEqual([{ event_id: '2f9c1b9e-8f5a-4d3c-9b7e-1a2b3c4d5e6f', type: 'checkin.succeeded', state: 'pending' }]);
    // The upgraded store still decides from the old rows: Ana's earlier entry refuses her ticket now.
    const svc = new CheckinService(db, { venue_id: 'v', device_id: 'kiosk_a', door_id: 'door_a' }, { clock: () => 1781982000000 + 3_600_000 });
    expect(svc.scan('T-ANA', { kind: 'barcode' }).status).toBe('already_checked_in');
    expect(svc.search('pere').map((h) => h.guest_id)).toEqual(['g_ana']);
    db.close();
  });

  it('moves check-in events from the outbox onto their rows (0006), keeping their push state, ids and order', () => {
    const file = tempFile();
    const upTo5 = loadVenueMigrations().filter((m) => m.version <= 5);
    const old = openStore(file, { migrations: upTo5 }).db;
    const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const at = (n: number) => new Date(1781982000000 + n * 1000).toISOString();
    const checkin = old.prepare(`INSERT INTO checkins (event_id, source, outcome, reason, guest_id, device_id, door_id, direction, credential_kind, party_size, offline, occurred_at, occurred_ms)
      VALUES (?, ?, ?, ?, 'g_ana', ?, 'door_a', 'entry', ?, 1, ?, ?, ?)`);
    const event = old.prepare(`INSERT INTO outbox (event_id, type, event_json, created_at, created_ms, state, attempts, last_error, sent_at, dead_reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const local = (n: number, outcome: 'admitted' | 'rejected', state: string, attempts = 0, error: string | null = null) => {
      checkin.run(id(n), 'local', outcome, outcome === 'rejected' ? 'already_checked_in' : null, 'kiosk_a', 'barcode', 0, at(n), Date.parse(at(n)));
      const type = outcome === 'admitted' ? 'checkin.succeeded' : 'checkin.rejected';
      event.run(id(n), type, JSON.stringify({ event_id: id(n), type }), at(n), Date.parse(at(n)), state, attempts, error, state === 'sent' ? at(n + 1) : null, state === 'dead' ? 'invalid_payload: x' : null);
    };
    local(1, 'admitted', 'sent');
    local(2, 'rejected', 'dead');
    local(3, 'admitted', 'pending', 2, 'connect ECONNREFUSED');
    checkin.run(id(4), 'remote', 'admitted', null, 'kiosk_b', null, null, at(4), Date.parse(at(4)));
    event.run(id(5), 'device.heartbeat', JSON.stringify({ event_id: id(5), type: 'device.heartbeat' }), at(5), Date.parse(at(5)), 'pending', 0, null, null, null);
    local(6, 'admitted', 'pending');
    old.close();

    const { db, migration } = openStore(file);
    expect(migration.applied).toContain(6);
    expect(db.prepare('SELECT id, event_id, source, push_state, push_attempts, push_error, sent_at, dead_reason FROM checkins ORDER BY id').all()).toEqual([
      { id: 1, event_id: id(1), source: 'local', push_state: 'sent', push_attempts: 0, push_error: null, sent_at: at(2), dead_reason: null },
      { id: 2, event_id: id(2), source: 'local', push_state: 'dead', push_attempts: 0, push_error: null, sent_at: null, dead_reason: 'invalid_payload: x' },
      { id: 3, event_id: id(3), source: 'local', push_state: 'pending', push_attempts: 2, push_error: 'connect ECONNREFUSED', sent_at: null, dead_reason: null },
      { id: 4, event_id: id(4), source: 'remote', push_state: null, push_attempts: 0, push_error: null, sent_at: null, dead_reason: null },
      { id: 5, event_id: id(6), source: 'local', push_state: 'pending', push_attempts: 0, push_error: null, sent_at: null, dead_reason: null },
    ]);
    // Only the heartbeat is left in the outbox table; the queue hands out what waits, in the order it was written.
    expect(db.prepare('SELECT event_id FROM outbox').pluck().all()).toEqual([id(5)]);
    const outbox = new SqliteOutbox(db, () => Date.parse(at(10)));
    expect(outbox.pending(10).map((i) => [i.event.event_id, i.attempts])).toEqual([[id(3), 2], [id(5), 0], [id(6), 0]]);
    expect(outbox.depth()).toBe(3);
    expect(outbox.oldestUnsentSeconds()).toBe(7);
    // A remote row is still stored once, and the indexes the scan path uses are in place.
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'checkins' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['checkins_guest_admitted', 'checkins_remote_event']);
    expect(() => db.prepare("INSERT INTO checkins (event_id, source, outcome, device_id, door_id, direction, party_size, occurred_at, occurred_ms) VALUES (?, 'remote', 'admitted', 'kiosk_b', 'door_a', 'entry', 1, ?, 0)").run(id(4), at(4))).toThrow(/UNIQUE/);
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
