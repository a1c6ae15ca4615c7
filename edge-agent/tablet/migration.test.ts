// 0004_tablet on an agent database that already holds a venue's check-ins: the rows stay, the new tables work; 0008 gives
// the tablets paired before roles the steward's.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { migrateSqlite } from '../../sql/migrate';
import { loadVenueMigrations } from '../../venue-store/migrations';
import { SqliteOutbox } from '../../venue-store/outbox';
import { TabletStore } from './store';

describe('migration 0004_tablet', () => {
  it('keeps the check-ins of an agent at version 3 and makes arrivals possible for them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-mig4-')), 'agent.sqlite');
    const all = loadVenueMigrations();
    const db = new Database(file);
    migrateSqlite(db, all.filter((m) => m.version <= 3));
    db.prepare(`INSERT INTO guests (id, occasion_id, name, name_folded, party_size, table_id, status, version) VALUES ('g1', 'o', 'Ana', 'ana', 1, 't1', 'active', 1)`).run();
    db.prepare(`INSERT INTO checkins (event_id, source, outcome, guest_id, device_id, door_id, direction, party_size, occurred_at, occurred_ms, table_id)
                VALUES ('e1', 'remote', 'admitted', 'g1', 'k1', 'door-a', 'entry', 1, '2026-06-20T20:00:00.000Z', ?, 't1')`).run(Date.parse('2026-06-20T20:00:00.000Z'));
    const report = migrateSqlite(db, all);
    expect(report.applied).toContain(4);
    expect(db.prepare('SELECT guest_id, table_id FROM checkins').all()).toEqual([{ guest_id: 'g1', table_id: 't1' }]);
    const clock = Date.parse('2026-06-20T20:00:40.000Z');
    const tablets = new TabletStore(db, new SqliteOutbox(db, () => clock), { venueId: 'v', deviceId: 'agent', undoMs: 0, clock: () => clock });
    expect(tablets.tap({ key: '0b7c6f5e-52a4-4a43-9a55-2b1a3f7f0d11', guestId: 'g1', tableId: null, tappedAtMs: clock, tabletId: 'tab_x' }).kind).toBe('created');
    const [event] = tablets.commitDue(clock);
    expect(event).toMatchObject({ type: 'seat.arrived', payload: { guest_id: 'g1', table_id: 't1', source: 'tablet', checked_in_at: '2026-06-20T20:00:00.000Z' } });
    db.close();
  });
});

describe('migration 0008_staff_roles', () => {
  it('makes the tablets and unused codes of an agent at version 7 stewards, and keeps them working', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-mig8-')), 'agent.sqlite');
    const all = loadVenueMigrations();
    const db = new Database(file);
    migrateSqlite(db, all.filter((m) => m.version <= 7));
    const clock = Date.parse('2026-06-20T20:00:00.000Z');
    // Written as a version-7 hub writes them: no role column yet.
    db.prepare(`INSERT INTO tablets (id, label, token_sha256, created_at) VALUES ('tab_old', 'Table 4', ?, '2026-06-20T19:00:00.000Z')`).run('0'.repeat(64));
    db.prepare(`INSERT INTO tablet_pairing_codes (code_sha256, label, created_by, created_at, expires_ms) VALUES (?, 'Bar', 'cli', '2026-06-20T19:59:00.000Z', ?)`).run(
      createHash('sha256').update('ABCD2345').digest('hex'),
      clock + 60_000,
    );
    expect(migrateSqlite(db, all).applied).toContain(8);
    expect(db.prepare('SELECT id, label, role FROM tablets').all()).toEqual([{ id: 'tab_old', label: 'Table 4', role: 'steward' }]);
    const tablets = new TabletStore(db, new SqliteOutbox(db, () => clock), { venueId: 'v', deviceId: 'agent', undoMs: 0, clock: () => clock });
    const paired = tablets.redeemPairingCode('abcd-2345');
    expect(paired?.label).toBe('Bar');
    expect(tablets.checkToken(paired!.token)).toMatchObject({ status: 'ok', tablet: { role: 'steward' } });
    expect(() => db.prepare(`UPDATE tablets SET role = 'owner' WHERE id = 'tab_old'`).run()).toThrow(/CHECK constraint/);
    db.close();
  });
});

