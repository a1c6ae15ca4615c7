// The hub's audit on a real SQLite file: check-ins from a signed kiosk batch through the real ingest, a tablet's arrival
// and its undo, the tablet's pairing; the chain verifies; the triggers refuse UPDATE and DELETE; someone with the file
// who drops a trigger and alters or removes an entry is named by `seatpilot agent audit verify`; two batches in flight
// over HTTP at once take consecutive places in the chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../venue-store/open';
import { loadVenueMigrations } from '../venue-store/migrations';
import { migrateSqlite } from '../sql/migrate';
import { signRequest } from '../core/signing/signing';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';
import { runCli } from '../tests/cli-run';
import { buildAgentApp } from './app';
import { AgentStore } from './store';
import { VENUE_DECISION_REFUSED } from '../protocol/ingest';
import { verifyHubAudit } from './audit-log';
import type { TabletStore } from './tablet/store';

const VENUE = 'ven_audit';

interface Entry { seq: number; actor: string; device_id: string | null; role: string; action: string; entity: string; entity_id: string | null; before_json: string | null; after_json: string | null }

describe('the hub audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-hub-audit-'));
  const file = join(dir, 'agent.sqlite');
  let app: FastifyInstance;
  let store: AgentStore;
  let tablets: TabletStore;
  let kiosk: TestKey;
  let url = '';
  let token = '';
  let tabletId = '';

  const entries = () => store.db.prepare('SELECT seq, actor, device_id, role, action, entity, entity_id, before_json, after_json FROM audit_log ORDER BY seq').all() as Entry[];
  const envelope = (type: string, payload: Record<string, unknown>) =>
    ({ event_id: randomUUID(), type, occurred_at: new Date().toISOString(), venue_id: VENUE, device_id: kiosk.device_id, payload });
  const push = async (events: unknown[]) => {
    const r = await signedInject(app, kiosk, 'POST', '/v1/events', batchOf(events));
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { accepted: number; duplicates: number; rejected: { index: number; reason: string; detail: string }[] };
  };
  /** A person with the file: another connection, not the agent's. */
  const withFile = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const { db } = openStore(file);
    store = new AgentStore(db, VENUE);
    store.applyCloudPage(page([
      occasionChange(1), tableChange(2, { id: 't1', label: '1' }), tableChange(3, { id: 't2', label: '2' }),
      ...['ana', 'bea', 'carl'].map((n, i) => guestChange(10 + i, { id: n, name: n.toUpperCase(), table_id: 't1' })),
    ]));
    const built = await buildAgentApp({ store, now: Date.now, tablet: { venueId: VENUE, deviceId: 'dev_agent', undoSeconds: 30, tickMs: 50, dwell: { dwellSeconds: 10, thresholdDbm: -70 } } });
    app = built.app;
    tablets = built.tablets as TabletStore;
    kiosk = { ...store.issueKey('dev_kiosk_a', 'kiosk'), venue_id: VENUE };
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    store?.db.close();
  });

  it('records each check-in a kiosk batch brings, in the ingest transaction, once: the kiosk as actor, guest, door and direction after; a kiosk\'s walk-in or move is refused, not recorded', async () => {
    const ok = checkinEvent(kiosk, { payload: { guest_id: 'ana', door_id: 'door-a', direction: 'entry', table_id: 't1' } });
    const refused = envelope('checkin.rejected', { reason: 'unknown_credential', credential_kind: 'barcode', door_id: 'door-a' });
    const revert = envelope('checkin.reverted', { guest_id: 'ana', reverted_event_id: ok.event_id, door_id: 'door-a', by_role: 'supervisor', reason: 'wrong guest' });
    // Walk-ins and moves are the hub's own decisions (VenueDesk, audited there, edge-agent/desk): a kiosk never sends
    // them, and one that did is refused per event (protocol/ingest.ts), leaving no entry.
    const walkIn = envelope('guest.added', { guest_id: 'w-1', name: 'Walk In', party_size: 2, table_id: 't2', door_id: 'door-a', by_role: 'steward' });
    const move = envelope('seat.changed', { guest_id: 'bea', from_table_id: 't1', to_table_id: 't2', source: 'hub', by_role: 'supervisor' });
    const again = checkinEvent(kiosk, { payload: { guest_id: 'bea', door_id: 'door-a', direction: 'entry', table_id: 't1' } });
    const pin = envelope('staff.pin_failed', { door_id: 'door-a', failures: 3, locked: true });
    const batch = [ok, refused, revert, walkIn, move, again, pin];
    expect(await push(batch)).toMatchObject({
      accepted: 5,
      rejected: [{ index: 3, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED }, { index: 4, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED }],
    });
    expect(await push(batch)).toMatchObject({ accepted: 0, duplicates: 5 }); // a retry records nothing again
    const e = entries();
    expect(e.map((x) => [x.seq, x.action, x.actor, x.role])).toEqual([
      [1, 'checkin.succeeded', 'dev_kiosk_a', 'device'],
      [2, 'checkin.rejected', 'dev_kiosk_a', 'device'],
      [3, 'checkin.reverted', 'dev_kiosk_a', 'supervisor'],
      [4, 'checkin.succeeded', 'dev_kiosk_a', 'device'],
      [5, 'staff.pin_failed', 'dev_kiosk_a', 'device'],
    ]);
    expect(JSON.parse(e[0]!.after_json!)).toMatchObject({ event_id: ok.event_id, guest_id: 'ana', door_id: 'door-a', direction: 'entry', table_id: 't1' });
    expect(e[0]).toMatchObject({ entity: 'guest', entity_id: 'ana', device_id: 'dev_kiosk_a' });
    expect(JSON.parse(e[2]!.after_json!)).toMatchObject({ reverted_event_id: ok.event_id, reason: 'wrong guest' });
    expect(e[4]).toMatchObject({ entity: 'door', entity_id: 'door-a' });
    expect(e.some((x) => x.entity_id === 'w-1' || x.action === 'seat.changed')).toBe(false);
  });

  it("records a tablet's pairing with its role, its arrival tap and the tap's undo, the tablet as actor", async () => {
    const { code } = tablets.createPairingCode({ label: 'Table 1', createdBy: 'cli', ttlMs: 60_000, role: 'supervisor' });
    const paired = await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code }) });
    expect(paired.statusCode).toBe(201);
    ({ token, tablet_id: tabletId } = paired.json());
    await push([checkinEvent(kiosk, { payload: { guest_id: 'carl', table_id: 't1' } })]);
    const key = randomUUID();
    const tap = await app.inject({ method: 'POST', url: '/tablet/api/arrivals', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ key, guest_id: 'carl' }) });
    expect(tap.statusCode, tap.body).toBe(201);
    const undo = await app.inject({ method: 'DELETE', url: `/tablet/api/arrivals/${key}`, headers: { authorization: `Bearer ${token}` } });
    expect(undo.statusCode, undo.body).toBe(200);
    const tail = entries().slice(5);
    expect(tail.map((x) => [x.action, x.actor, x.role, x.entity_id])).toEqual([
      ['tablet.pairing_code_created', 'cli', 'cli', null],
      ['tablet.paired', tabletId, 'supervisor', tabletId],
      ['checkin.succeeded', 'dev_kiosk_a', 'device', 'carl'],
      ['seat.arrived', tabletId, 'supervisor', 'carl'],
      ['seat.arrival_undone', tabletId, 'supervisor', 'carl'],
    ]);
    expect(JSON.parse(tail[3]!.after_json!)).toMatchObject({ event_id: key, table_id: 't1', state: 'pending' });
    expect(JSON.parse(tail[4]!.after_json!)).toEqual({ event_id: key, state: 'undone' });
  });

  it('verifies intact, and refuses UPDATE and DELETE while its triggers stand', async () => {
    expect(await verifyHubAudit(store.db)).toEqual({ entries: 10, state: 'intact', broken: null });
    expect(() => store.db.prepare(`UPDATE audit_log SET after_json = '{}' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    // The head moves forward only, onto the newest entry with its own hash (venue migration 0012).
    const [headSeq, headHash] = store.db.prepare('SELECT seq, hash FROM audit_head').raw().get() as [number, string];
    const hashOf = (seq: number) => store.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(seq) as string;
    const move = (seq: number, hash: string) => () => store.db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(seq, hash);
    expect(move(1, hashOf(1))).toThrow(/forward only, onto the newest entry/); // back
    expect(move(headSeq, '0'.repeat(64))).toThrow(/forward only/); // in place, another hash
    expect(move(headSeq + 1, '0'.repeat(64))).toThrow(/forward only/); // past the newest, onto nothing
    expect(() => store.db.prepare('UPDATE audit_head SET id = 2').run()).toThrow(/forward only/);
    expect(store.db.prepare('SELECT seq, hash FROM audit_head').raw().get()).toEqual([headSeq, headHash]);
    expect(entries()).toHaveLength(10);
  });

  it('keeps the chain gapless when two batches arrive over HTTP at the same time', async () => {
    const before = entries().length;
    const send = async (n: number) => {
      const body = batchOf(Array.from({ length: n }, () => checkinEvent(kiosk, { payload: { guest_id: `g-${randomUUID().slice(0, 8)}` } })));
      const headers = await signRequest({ keyId: kiosk.key_id, secret: kiosk.secret, method: 'POST', pathWithQuery: '/v1/events', body });
      return fetch(`${url}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    };
    const [a, b] = await Promise.all([send(40), send(40)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const e = entries();
    expect(e.map((x) => x.seq)).toEqual(Array.from({ length: before + 80 }, (_, i) => i + 1));
    expect(await verifyHubAudit(store.db)).toEqual({ entries: before + 80, state: 'intact', broken: null });
  });

  it('names an entry altered by someone who dropped the trigger (the real CLI exits 1), then one removed', async () => {
    const original = withFile((db) => db.prepare('SELECT after_json FROM audit_log WHERE seq = 3').pluck().get() as string);
    withFile((db) => {
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare('UPDATE audit_log SET after_json = ? WHERE seq = 3').run(original.replace('wrong guest', 'guest asked'));
    });
    const cli = await runCli(['agent', 'audit', 'verify', '--database', file]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(JSON.parse(cli.stdout.trim())).toEqual({ entries: 2, state: 'broken', broken: { seq: 3, at: expect.any(String), action: 'checkin.reverted', reason: 'altered' } });
    expect(cli.stderr).toMatch(/broken at entry seq 3 \(checkin\.reverted/);

    // Put back as it was, the chain is whole again: the check is over the content, nothing else.
    withFile((db) => db.prepare('UPDATE audit_log SET after_json = ? WHERE seq = 3').run(original));
    expect((await verifyHubAudit(store.db)).state).toBe('intact');

    withFile((db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.prepare('DELETE FROM audit_log WHERE seq = 7').run();
    });
    expect(await verifyHubAudit(store.db)).toEqual({ entries: 6, state: 'broken', broken: { seq: 7, at: null, action: null, reason: 'removed' } });
  });

  it('names the newest entry removed: the chain stops short of its head', async () => {
    const head = store.db.prepare('SELECT seq FROM audit_head').pluck().get() as number;
    withFile((db) => db.prepare('DELETE FROM audit_log WHERE seq >= 7').run());
    expect(await verifyHubAudit(store.db)).toEqual({ entries: 6, state: 'broken', broken: { seq: 7, at: null, action: null, reason: 'removed' } });
    expect(head).toBeGreaterThan(7);
  });
});

describe('migration 0009_audit_log', () => {
  it("gives a version-8 hub with check-ins an empty, intact chain that its next ingest starts at seq 1, the old rows kept", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-mig9-')), 'agent.sqlite');
    const all = loadVenueMigrations();
    const db = new Database(file);
    migrateSqlite(db, all.filter((m) => m.version <= 8));
    db.prepare(`INSERT INTO checkins (event_id, source, outcome, guest_id, device_id, door_id, direction, party_size, occurred_at, occurred_ms)
                VALUES ('e-old', 'remote', 'admitted', 'ana', 'dev_k', 'door-a', 'entry', 1, '2026-06-20T19:00:00.000Z', 1781982000000)`).run();
    expect(migrateSqlite(db, all).applied).toEqual(all.filter((m) => m.version > 8).map((m) => m.version));
    expect(db.prepare('SELECT guest_id FROM checkins').pluck().all()).toEqual(['ana']);
    expect(await verifyHubAudit(db)).toEqual({ entries: 0, state: 'intact', broken: null });
    const store = new AgentStore(db, VENUE);
    const key = store.issueKey('dev_k', 'kiosk');
    await store.storeBatch({ keyId: key.key_id, deviceId: 'dev_k', tenantId: 'venue', venueId: VENUE, deviceKind: 'kiosk' }, randomUUID(),
      [checkinEvent({ venue_id: VENUE, device_id: 'dev_k' }, { payload: { guest_id: 'bea' } })], []);
    expect(db.prepare('SELECT seq, action, entity_id FROM audit_log').all()).toEqual([{ seq: 1, action: 'checkin.succeeded', entity_id: 'bea' }]);
    expect((await verifyHubAudit(db)).state).toBe('intact');
    db.close();
  });
});

describe('migration 0012_audit_head_batch', () => {
  const events = (n: number, key: { venue_id: string; device_id: string }) =>
    Array.from({ length: n }, (_, i) => checkinEvent(key, { payload: { guest_id: `g-${i}`, door_id: 'door-a' } }));

  it('lets a batch move the head once, onto its last entry; a 0011 build moving it entry by entry still can; a hole or a skipped head cannot', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-mig12-')), 'agent.sqlite');
    const all = loadVenueMigrations();
    const db = new Database(file);
    migrateSqlite(db, all.filter((m) => m.version <= 11));
    const store = new AgentStore(db, VENUE);
    const caller = { keyId: 'k', deviceId: 'dev_k', tenantId: 'venue', venueId: VENUE, deviceKind: 'kiosk' as const };
    const key = { venue_id: VENUE, device_id: 'dev_k' };
    // Under 0011's trigger a batch moving the head once is refused, whole: the ingest stores nothing.
    await expect(store.storeBatch(caller, randomUUID(), events(3, key), [])).rejects.toThrow(/one entry at a time/);
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    // A 0011 build's way (one entry, then the head onto it) under 0011, then 0012 applied over its chain.
    db.transaction(() => store.audit.append({ deviceId: null, actor: 'cli:root', role: 'cli', action: 'cli.check', entity: 'venue', entityId: VENUE }))();
    expect(migrateSqlite(db, all).applied).toEqual([12]);
    await store.storeBatch(caller, randomUUID(), events(150, key), []);
    expect(db.prepare('SELECT seq FROM audit_head').pluck().get()).toBe(151);
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(151);
    expect(await verifyHubAudit(db)).toEqual({ entries: 151, state: 'intact', broken: null });
    db.transaction(() => store.audit.append({ deviceId: null, actor: 'cli:root', role: 'cli', action: 'cli.check', entity: 'venue', entityId: VENUE }))();
    expect(await verifyHubAudit(db)).toEqual({ entries: 152, state: 'intact', broken: null });
    // Rows written past the head with a hole among them: the head cannot be moved over the hole.
    const insert = db.prepare(`INSERT INTO audit_log (seq, venue_id, at, actor, role, action, entity, prev_hash, hash)
                               VALUES (?, ?, '2026-12-01T20:00:00.000Z', 'x', 'cli', 'x', 'venue', ?, ?)`);
    expect(() => db.transaction(() => {
      insert.run(154, VENUE, 'a'.repeat(64), 'b'.repeat(64));
      db.prepare('UPDATE audit_head SET seq = 154, hash = ? WHERE id = 1').run('b'.repeat(64));
    })()).toThrow(/forward only, onto the newest entry/);
    // Nor onto an entry that is not the newest.
    expect(() => db.transaction(() => {
      insert.run(153, VENUE, 'a'.repeat(64), 'c'.repeat(64));
      insert.run(154, VENUE, 'c'.repeat(64), 'd'.repeat(64));
      db.prepare('UPDATE audit_head SET seq = 153, hash = ? WHERE id = 1').run('c'.repeat(64));
    })()).toThrow(/forward only, onto the newest entry/);
    expect(await verifyHubAudit(db)).toEqual({ entries: 152, state: 'intact', broken: null });
    db.close();
  });
});

describe('HubAudit.appendMany', () => {
  const open = () => {
    const { db } = openStore(join(mkdtempSync(join(tmpdir(), 'sp-append-')), 'agent.sqlite'));
    return { db, store: new AgentStore(db, VENUE) };
  };
  const change = (after: unknown) => ({ deviceId: 'dev_k', actor: 'dev_k', role: 'device', action: 'x.test', entity: 'door', entityId: 'door-a', after });

  it('hashes a door id with a lone surrogate as SQLite stores it: the chain still verifies', async () => {
    const { db, store } = open();
    const caller = { keyId: 'k', deviceId: 'dev_k', tenantId: 'venue', venueId: VENUE, deviceKind: 'kiosk' as const };
    const odd = { event_id: randomUUID(), type: 'checkin.rejected', occurred_at: new Date().toISOString(), venue_id: VENUE, device_id: 'dev_k',
      payload: { reason: 'unknown_credential', credential_kind: 'barcode', door_id: 'door-\ud800', latency_ms: 3 } };
    await store.storeBatch(caller, randomUUID(), [odd as never], []);
    expect(db.prepare('SELECT entity_id FROM audit_log').pluck().get()).toBe('door-\ufffd');
    expect(await verifyHubAudit(db)).toEqual({ entries: 1, state: 'intact', broken: null });
    db.close();
  });

  it('writes all of a batch or none of it: one that fails midway leaves the chain where it was, and the next append continues it', async () => {
    const { db, store } = open();
    db.transaction(() => store.audit.append(change({ n: 1 })))();
    db.transaction(() => {
      // A value JSON cannot write (a BigInt) fails the batch after its first entry was written; the caller goes on.
      expect(() => store.audit.appendMany([change({ n: 2 }), change({ n: 10n })])).toThrow(/BigInt/);
      store.audit.append(change({ n: 3 }));
    })();
    expect(db.prepare('SELECT seq, after_json FROM audit_log ORDER BY seq').raw().all()).toEqual([[1, '{"n":1}'], [2, '{"n":3}']]);
    expect(await verifyHubAudit(db)).toEqual({ entries: 2, state: 'intact', broken: null });
    db.close();
  });
});
