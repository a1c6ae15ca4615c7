import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { checkEvent } from '../core/contract/validate';
import type { SeatPilotEvent } from '../core/contract/contract';
import { newEventId } from '../core/contract/event-id';
import { CheckinService, CheckinInputError, CheckinPersistError } from './checkin-service';
import { ConfigError } from './config';
import { GuestReader } from './guests';
import { openStore } from '../venue-store/open';
import { SyncPageError } from '../venue-store/sync-apply';
import { FIXTURE_OCCASION, guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';

const T0 = Date.parse('2026-06-20T19:00:00.000Z');
const CONFIG = { venue_id: 'ven_lisbon', device_id: 'kiosk_a', door_id: 'door_a', double_scan_window_ms: 10_000 };

let dir: string;
let db: SqliteDatabase;
let now: number;
let svc: CheckinService;

function seed(s: CheckinService) {
  s.applySyncPage(
    page([
      occasionChange(1),
      tableChange(2, { id: 't12', label: 'Table 12' }),
      guestChange(3, { id: 'g_ana', name: 'Ana Pérez', party_size: 3, table_id: 't12', credentials: [{ kind: 'barcode', value: 'TICKET-ANA' }, { kind: 'nfc', value: '04:a2:2b:1a' }] }),
      guestChange(4, { id: 'g_jose', name: 'José Núñez', table_id: 't12', credentials: [{ kind: 'barcode', value: 'TICKET-JOSE' }] }),
      guestChange(5, { id: 'g_late', name: 'Lena Late', valid_from: '2026-06-20T21:00:00.000Z', credentials: [{ kind: 'barcode', value: 'TICKET-LATE' }] }),
      guestChange(6, { id: 'g_gone', name: 'Gus Gone', valid_to: '2026-06-20T18:30:00.000Z', credentials: [{ kind: 'barcode', value: 'TICKET-GONE' }] }),
      guestChange(7, { id: 'g_other', occasion_id: 'occ_brunch', name: 'Otto Other', credentials: [{ kind: 'barcode', value: 'TICKET-OTTO' }] }),
    ]),
  );
}

function count(sql: string, ...params: unknown[]): number {
  return db.prepare(sql).pluck().get(...params) as number;
}

function outboxEvents(): SeatPilotEvent[] {
  return (db.prepare('SELECT event_json FROM outbox_events ORDER BY created_ms, abs(id)').pluck().all() as string[]).map((j) => JSON.parse(j) as SeatPilotEvent);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-kiosk-'));
  db = openStore(join(dir, 'kiosk.sqlite')).db;
  now = T0;
  svc = new CheckinService(db, CONFIG, { clock: () => now });
  seed(svc);
  svc.setHubOnline(false);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scan', () => {
  it('admits a guest with their whole party and writes a check-in row with a valid checkin.succeeded event', () => {
    const r = svc.scan('  TICKET-ANA\r\n', { kind: 'barcode' });
    expect(r).toMatchObject({ outcome: 'admit', status: 'ok', just_now: false, guest: { id: 'g_ana', name: 'Ana Pérez', party_size: 3, table_label: 'Table 12' } });
    const [event] = outboxEvents();
    expect(checkEvent(event)).toMatchObject({ ok: true });
    expect(event).toMatchObject({
      event_id: r.event_id,
      type: 'checkin.succeeded',
      venue_id: 'ven_lisbon',
      device_id: 'kiosk_a',
      occurred_at: new Date(T0).toISOString(),
      payload: { guest_id: 'g_ana', credential_kind: 'barcode', door_id: 'door_a', direction: 'entry', table_id: 't12', party_size: 3, offline: true },
    });
    const row = db.prepare('SELECT * FROM checkins WHERE event_id = ?').get(r.event_id);
    expect(row).toMatchObject({ source: 'local', outcome: 'admitted', guest_id: 'g_ana', device_id: 'kiosk_a', door_id: 'door_a', party_size: 3, offline: 1, table_id: 't12' });
    expect(svc.outbox.depth()).toBe(1);
  });

  it('records stage timings that add up, and the pushed event carries the same ones', () => {
    const r = svc.scan('TICKET-ANA', { kind: 'barcode' });
    const s = r.stages;
    expect(s.total_ms).toBeGreaterThanOrEqual(s.parse_ms + s.lookup_ms);
    const payload = svc.outbox.pending(1)[0]!.event.payload as { stages: typeof s; latency_ms: number };
    expect(payload.stages).toEqual(s);
    expect(payload.latency_ms).toBe(s.total_ms);
  });

  it('takes an NFC tap in any UID spelling', () => {
    expect(svc.scan('0439067140\n', { kind: 'nfc' })).toMatchObject({ status: 'ok', guest: { id: 'g_ana' } });
    expect((outboxEvents()[0]!.payload as { credential_kind: string }).credential_kind).toBe('nfc');
  });

  it('answers a double scan at the same door "already checked in just now" and records nothing more', () => {
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    now += 4000;
    const again = svc.scan('TICKET-ANA', { kind: 'barcode' });
    expect(again).toMatchObject({ outcome: 'deny', status: 'already_checked_in', just_now: true, event_id: null, guest: { id: 'g_ana' } });
    expect(count('SELECT count(*) FROM checkins')).toBe(1);
    expect(count('SELECT count(*) FROM outbox_events')).toBe(1);
  });

  it('refuses a second entry later or at another door, and records the rejection', () => {
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    now += 60_000;
    const r = svc.scan('TICKET-ANA', { kind: 'barcode', doorId: 'door_b' });
    expect(r).toMatchObject({ status: 'already_checked_in', just_now: false });
    const rejected = outboxEvents()[1]!;
    expect(checkEvent(rejected)).toMatchObject({ ok: true });
    expect(rejected).toMatchObject({ type: 'checkin.rejected', payload: { reason: 'already_checked_in', credential_kind: 'barcode', door_id: 'door_b' } });
    expect(db.prepare('SELECT outcome, reason, guest_id FROM checkins WHERE event_id = ?').get(r.event_id)).toEqual({ outcome: 'rejected', reason: 'already_checked_in', guest_id: 'g_ana' });
  });

  it.each([
    ['TICKET-NOPE', 'barcode', 'unknown_credential'],
    ['TICKET-LATE', 'barcode', 'not_yet_valid'],
    ['TICKET-GONE', 'barcode', 'expired'],
    ['TICKET-OTTO', 'barcode', 'wrong_occasion'],
    ['not a uid', 'nfc', 'unknown_credential'],
  ] as const)('%s (%s) is refused as %s, with a valid rejected event', (raw, kind, status) => {
    const r = svc.scan(raw, { kind });
    expect(r).toMatchObject({ outcome: 'deny', status });
    const [event] = outboxEvents();
    expect(checkEvent(event)).toMatchObject({ ok: true });
    expect(event).toMatchObject({ event_id: r.event_id, type: 'checkin.rejected', payload: { reason: status, credential_kind: kind } });
    expect(count("SELECT count(*) FROM checkins WHERE outcome = 'rejected' AND reason = ?", status)).toBe(1);
  });

  it('says why unreadable NFC text was refused, and keeps what was tried for the audit', () => {
    const r = svc.scan('not a uid', { kind: 'nfc' });
    expect(r.normalize_error).toBe('invalid_nfc_uid');
    expect(db.prepare('SELECT credential_value FROM checkins').pluck().get()).toBe('not a uid');
  });

  it('ignores an empty scan (a stray Enter) without recording it', () => {
    expect(svc.scan('\r\n', { kind: 'barcode' })).toMatchObject({ status: 'unknown_credential', event_id: null, normalize_error: 'empty' });
    expect(count('SELECT count(*) FROM outbox_events')).toBe(0);
  });

  it('admits a guest once valid_from is reached', () => {
    now = Date.parse('2026-06-20T21:00:00.000Z');
    expect(svc.scan('TICKET-LATE', { kind: 'barcode' }).status).toBe('ok');
  });

  it('follows the after_exit policy through exit scans', () => {
    svc.applySyncPage(page([occasionChange(10, { reentry_policy: 'after_exit' })], 'c2'));
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('ok');
    now += 60_000;
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('already_checked_in');
    now += 60_000;
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode', direction: 'exit' }).status).toBe('ok');
    now += 60_000;
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('ok');
    expect(count("SELECT count(*) FROM checkins WHERE guest_id = 'g_jose' AND outcome = 'admitted'")).toBe(3);
  });

  it('admits again under the unlimited policy once outside the double-scan window', () => {
    svc.applySyncPage(page([occasionChange(10, { reentry_policy: 'unlimited' })], 'c2'));
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('ok');
    now += 11_000;
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('ok');
  });

  it('marks events offline only while the hub is unreachable', () => {
    svc.setHubOnline(true);
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    expect((outboxEvents()[0]!.payload as { offline: boolean }).offline).toBe(false);
  });

  it('refuses bad input with a clear error, not a crash', () => {
    expect(() => svc.scan('X', { kind: 'manual' as never })).toThrow(CheckinInputError);
    expect(() => svc.scan('X', { kind: 'barcode', direction: 'sideways' as never })).toThrow(/entry" or "exit/);
    expect(() => svc.scan('X', { kind: 'barcode', doorId: '' })).toThrow(/door id/);
    expect(() => svc.manualCheckin('')).toThrow(/guest id/);
  });

  it('reports a failed durable write as an error and stores nothing of that scan', () => {
    // A trigger stands in for a full disk: the check-in row's insert fails.
    db.exec("CREATE TEMP TRIGGER fail_write BEFORE INSERT ON checkins BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    expect(() => svc.scan('TICKET-ANA', { kind: 'barcode' })).toThrow(CheckinPersistError);
    expect(count('SELECT count(*) FROM checkins')).toBe(0);
    expect(count('SELECT count(*) FROM outbox_events')).toBe(0);
    db.exec('DROP TRIGGER fail_write');
    expect(svc.scan('TICKET-ANA', { kind: 'barcode' }).status).toBe('ok');
  });

  it('refuses a config without a device id, naming the field', () => {
    expect(() => new CheckinService(db, { venue_id: 'v', door_id: 'd' })).toThrow(ConfigError);
    expect(() => new CheckinService(db, { venue_id: 'v', door_id: 'd' })).toThrow(/device_id/);
    expect(() => new CheckinService(db, { ...CONFIG, scanner: { nfc_byte_order: 'backwards' } })).toThrow(/nfc_byte_order/);
  });

  it('strips the configured scanner prefix and suffix', () => {
    const s2 = new CheckinService(db, { ...CONFIG, scanner: { prefixes: [']Q1'], suffixes: ['#'] } }, { clock: () => now });
    expect(s2.scan(']Q1TICKET-ANA#\r', { kind: 'barcode' }).status).toBe('ok');
  });
});

describe('honest figures', () => {
  /** A service whose stage clock moves only while SQLite writes a check-in row: each commit takes `commitMs`. */
  function timedService() {
    const clock = { mono: 1000, commitMs: 0 };
    db.function('sp_test_commit_takes', () => {
      clock.mono += clock.commitMs;
      return null;
    });
    db.exec('CREATE TEMP TRIGGER sp_test_commit_clock AFTER INSERT ON main.checkins BEGIN SELECT sp_test_commit_takes(); END');
    return { clock, service: new CheckinService(db, CONFIG, { clock: () => now, stageClock: () => clock.mono }) };
  }

  it("pushes each scan's own measured commit time, not an estimate from the scan before", () => {
    const { clock, service } = timedService();
    clock.commitMs = 40;
    const a = service.scan('TICKET-ANA', { kind: 'barcode' });
    clock.commitMs = 7;
    now += 60_000;
    const b = service.scan('TICKET-NOPE', { kind: 'barcode' });
    expect(a.stages).toEqual({ parse_ms: 0, lookup_ms: 0, persist_ms: 40, total_ms: 40 });
    expect(b.stages).toEqual({ parse_ms: 0, lookup_ms: 0, persist_ms: 7, total_ms: 7 });
    const [ea, eb] = service.outbox.pending(10).map((i) => i.event);
    expect(ea).toMatchObject({ type: 'checkin.succeeded', payload: { latency_ms: 40, stages: { parse_ms: 0, lookup_ms: 0, persist_ms: 40, total_ms: 40 } } });
    expect(eb).toMatchObject({ type: 'checkin.rejected', payload: { latency_ms: 7 } });
    for (const e of [ea, eb]) expect(checkEvent(e)).toMatchObject({ ok: true });
    // Offered again after a failed send: the same figures.
    service.outbox.recordAttempt([service.outbox.pending(1)[0]!.id], 'connect ECONNREFUSED');
    expect(service.outbox.pending(1)[0]!.event.payload).toMatchObject({ latency_ms: 40 });
  });

  it('after a restart, the event goes without the commit time it can no longer know', () => {
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    now += 60_000;
    svc.scan('TICKET-NOPE', { kind: 'barcode' });
    const restarted = new CheckinService(db, CONFIG, { clock: () => now });
    const [admitted, refused] = restarted.outbox.pending(10).map((i) => i.event);
    expect(admitted!.type).toBe('checkin.succeeded');
    expect(admitted!.payload).not.toHaveProperty('latency_ms');
    expect(Object.keys((admitted!.payload as { stages: object }).stages).sort()).toEqual(['lookup_ms', 'parse_ms']);
    expect(refused!.type).toBe('checkin.rejected');
    expect(refused!.payload).not.toHaveProperty('latency_ms');
    for (const e of [admitted, refused]) expect(checkEvent(e)).toMatchObject({ ok: true });
    // The process that measured them still has them.
    expect(svc.outbox.pending(1)[0]!.event.payload).toHaveProperty('latency_ms');
  });

  it('knows how long ago a scan last arrived, and not before the first one', () => {
    let mono = 0;
    const s = new CheckinService(db, CONFIG, { clock: () => now, stageClock: () => mono });
    expect(s.lastScanAgeSeconds()).toBeNull();
    s.scan('\r\n', { kind: 'barcode' });
    expect(s.lastScanAgeSeconds()).toBeNull();
    s.scan('TICKET-NOPE', { kind: 'barcode' });
    mono += 42_500;
    expect(s.lastScanAgeSeconds()).toBe(42.5);
  });

  it('on a clock 10 minutes fast, stamps and decides on the venue time and keeps the device time beside it', () => {
    // The device says 21:05; the hub measured it 10 minutes fast, so it is 20:55 at the venue.
    now = Date.parse('2026-06-20T21:05:00.000Z');
    svc.setClockSkew(600_000);
    expect(svc.clockCorrected()).toBe(true);
    const late = svc.scan('TICKET-LATE', { kind: 'barcode' }); // valid from 21:00
    expect(late.status).toBe('not_yet_valid');
    const ana = svc.scan('TICKET-ANA', { kind: 'barcode' });
    expect(ana.status).toBe('ok');
    const [refused, admitted] = svc.outbox.pending(10).map((i) => i.event);
    for (const e of [refused!, admitted!]) {
      expect(e.occurred_at).toBe('2026-06-20T20:55:00.000Z');
      expect(e.payload).toMatchObject({ device_time: '2026-06-20T21:05:00.000Z' });
      expect(checkEvent(e)).toMatchObject({ ok: true });
    }
    expect(db.prepare('SELECT occurred_ms FROM checkins WHERE event_id = ?').pluck().get(ana.event_id)).toBe(Date.parse('2026-06-20T20:55:00.000Z'));
  });

  it('leaves a clock within 2 s alone, and says nothing of a device time', () => {
    svc.setClockSkew(1_999);
    expect(svc.clockCorrected()).toBe(false);
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    const [e] = svc.outbox.pending(1).map((i) => i.event);
    expect(e!.occurred_at).toBe(new Date(T0).toISOString());
    expect(e!.payload).not.toHaveProperty('device_time');
  });
});

describe('other doors and upstream changes', () => {
  it('refuses a ticket already used at another door, learned through sync', () => {
    svc.applySyncPage(
      page([{ kind: 'checkin', version: 20, checkin: { event_id: '6c1f4f43-3d3b-4c56-9d0e-0d3e5f6a7b8c', guest_id: 'g_ana', door_id: 'door_b', device_id: 'kiosk_b', direction: 'entry', party_size: 3, occurred_at: new Date(T0 - 5000).toISOString() } }], 'c2'),
    );
    const r = svc.scan('TICKET-ANA', { kind: 'barcode' });
    expect(r).toMatchObject({ status: 'already_checked_in', just_now: false });
  });

  it('applying the same other-door check-in twice stores it once', () => {
    const c = { kind: 'checkin' as const, version: 20, checkin: { event_id: '6c1f4f43-3d3b-4c56-9d0e-0d3e5f6a7b8c', guest_id: 'g_ana', door_id: 'door_b', device_id: 'kiosk_b', direction: 'entry' as const, party_size: 3, occurred_at: new Date(T0).toISOString() } };
    expect(svc.applySyncPage(page([c], 'c2')).applied).toBe(1);
    expect(svc.applySyncPage(page([c], 'c2')).applied).toBe(0);
    expect(count("SELECT count(*) FROM checkins WHERE source = 'remote'")).toBe(1);
  });

  it('our own check-in echoed back by the hub is not doubled', () => {
    const r = svc.scan('TICKET-ANA', { kind: 'barcode' });
    svc.applySyncPage(page([{ kind: 'checkin', version: 20, checkin: { event_id: r.event_id!, guest_id: 'g_ana', door_id: 'door_a', device_id: 'kiosk_a', direction: 'entry', party_size: 3, occurred_at: new Date(T0).toISOString() } }], 'c2'));
    expect(count('SELECT count(*) FROM checkins')).toBe(1);
    // Another door's check-in of the same guest in the same millisecond is a different event: it is kept.
    const other = { event_id: '6c1f4f43-3d3b-4c56-9d0e-0d3e5f6a7b8c', guest_id: 'g_ana', door_id: 'door_b', device_id: 'kiosk_b', direction: 'entry' as const, party_size: 3, occurred_at: new Date(T0).toISOString() };
    expect(svc.applySyncPage(page([{ kind: 'checkin', version: 21, checkin: other }], 'c3')).applied).toBe(1);
    expect(count("SELECT count(*) FROM checkins WHERE source = 'remote'")).toBe(1);
  });

  it('refuses a guest revoked upstream at the next scan, by status or by tombstone', () => {
    svc.applySyncPage(page([guestChange(30, { id: 'g_ana', name: 'Ana Pérez', status: 'revoked', credentials: [{ kind: 'barcode', value: 'TICKET-ANA' }] })], 'c2'));
    expect(svc.scan('TICKET-ANA', { kind: 'barcode' }).status).toBe('revoked');
    svc.applySyncPage(page([{ kind: 'tombstone', version: 31, entity: 'guest', id: 'g_jose' }], 'c3'));
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('revoked');
  });

  it('refuses scans for an occasion that was removed upstream', () => {
    svc.applySyncPage(page([{ kind: 'tombstone', version: 40, entity: 'occasion', id: FIXTURE_OCCASION.id }], 'c2'));
    expect(svc.scan('TICKET-ANA', { kind: 'barcode' }).status).toBe('wrong_occasion');
  });
});

describe('staff search and manual check-in', () => {
  it('finds "jose" in José Núñez, accent- and case-insensitive, by first or last name prefix', () => {
    for (const q of ['jose', 'JOSÉ', 'jo', 'nu', 'Núñ', 'jose nu', 'nunez j']) {
      expect(svc.search(q).map((h) => h.guest_id), q).toEqual(['g_jose']);
    }
  });

  it('needs two letters, and finds nothing for a prefix nobody has', () => {
    expect(svc.search('j')).toEqual([]);
    expect(svc.search('zz')).toEqual([]);
    expect(svc.search('jose zz')).toEqual([]);
  });

  it('lists only the occasion being checked in, with table and arrival', () => {
    expect(svc.search('otto')).toEqual([]);
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    expect(svc.search('ana')).toEqual([
      { guest_id: 'g_ana', name: 'Ana Pérez', party_size: 3, table_id: 't12', table_label: 'Table 12', status: 'active', checked_in_at: new Date(T0).toISOString() },
    ]);
  });

  it('checks a found guest in by hand, recorded as manual, under the same rules', () => {
    const [hit] = svc.search('nunez');
    const r = svc.manualCheckin(hit!.guest_id);
    expect(r).toMatchObject({ status: 'ok', guest: { id: 'g_jose' } });
    const [event] = outboxEvents();
    expect(checkEvent(event)).toMatchObject({ ok: true });
    expect(event!.payload).toMatchObject({ credential_kind: 'manual', guest_id: 'g_jose' });
    now += 60_000;
    expect(svc.scan('TICKET-JOSE', { kind: 'barcode' }).status).toBe('already_checked_in');
    expect(svc.manualCheckin('g_nobody').status).toBe('unknown_credential');
  });

  it('answers a name search from the token index, never by scanning the guest list', () => {
    const reader = new GuestReader(db);
    for (const q of ['jo', 'jose nu']) {
      const details = reader.searchPlan(q, FIXTURE_OCCASION.id).join(' | ');
      expect(details, q).toMatch(/SEARCH t0 USING PRIMARY KEY \(token>\? AND token<\?\)/);
      expect(details, q).not.toMatch(/SCAN g\b|SCAN guests|SCAN t0|TEMP B-TREE/);
    }
  });
});

describe('the outbox a push client drives', () => {
  it('hands out pending events in order and forgets sent and dead ones', () => {
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    svc.scan('TICKET-NOPE', { kind: 'barcode' });
    svc.scan('TICKET-JOSE', { kind: 'barcode' });
    const items = svc.outbox.pending(10);
    expect(items.map((i) => i.event.type)).toEqual(['checkin.succeeded', 'checkin.rejected', 'checkin.succeeded']);
    expect(new Set(items.map((i) => i.id)).size).toBe(3);
    expect(svc.outbox.pending(2)).toHaveLength(2);
    now += 90_000;
    expect(svc.outbox.oldestUnsentSeconds()).toBe(90);
    svc.outbox.recordAttempt([items[0]!.id], 'connect ECONNREFUSED');
    expect(svc.outbox.pending(1)[0]).toMatchObject({ id: items[0]!.id, attempts: 1 });
    svc.outbox.markSent([items[0]!.id]);
    svc.outbox.markDead(items[1]!.id, 'invalid_payload: /payload/door_id must NOT have fewer than 1 characters');
    expect(svc.outbox.depth()).toBe(1);
    expect(svc.outbox.pending(10).map((i) => i.id)).toEqual([items[2]!.id]);
    expect(db.prepare('SELECT state, dead_reason FROM outbox_events WHERE id = ?').get(items[1]!.id)).toMatchObject({ state: 'dead', dead_reason: expect.stringMatching(/invalid_payload/) });
    svc.outbox.markSent([items[2]!.id]);
    expect(svc.outbox.depth()).toBe(0);
    expect(svc.outbox.oldestUnsentSeconds()).toBe(0);
  });

  it('hands out check-ins and other events as one queue, in the order they were written', () => {
    const heartbeat = (at: number): SeatPilotEvent => ({
      event_id: newEventId(),
      type: 'device.heartbeat',
      occurred_at: new Date(at).toISOString(),
      venue_id: CONFIG.venue_id,
      device_id: CONFIG.device_id,
      payload: { app_version: '1.0.0', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 0, scanner_ok: true, clock_skew_ms: 0 },
    });
    svc.outbox.append(heartbeat(now), now);
    now += 1000;
    svc.scan('TICKET-ANA', { kind: 'barcode' });
    now += 1000;
    svc.outbox.append(heartbeat(now), now);
    now += 1000;
    svc.scan('TICKET-NOPE', { kind: 'barcode' });
    const items = svc.outbox.pending(10);
    expect(items.map((i) => i.event.type)).toEqual(['device.heartbeat', 'checkin.succeeded', 'device.heartbeat', 'checkin.rejected']);
    expect(svc.outbox.pending(3).map((i) => i.event.type)).toEqual(['device.heartbeat', 'checkin.succeeded', 'device.heartbeat']);
    expect(svc.outbox.depth()).toBe(4);
    svc.outbox.markSent(items.slice(0, 3).map((i) => i.id));
    expect(svc.outbox.pending(10).map((i) => i.event.type)).toEqual(['checkin.rejected']);
    expect(count("SELECT count(*) FROM outbox_events WHERE state = 'sent'")).toBe(3);
  });

  it('finds pending check-ins again after a restart, wherever they sit among sent and remote rows', () => {
    for (const t of ['TICKET-ANA', 'TICKET-JOSE', 'TICKET-NOPE']) {
      now += 60_000;
      svc.scan(t, { kind: 'barcode' });
    }
    const first = svc.outbox.pending(10);
    svc.outbox.markSent([first[0]!.id]);
    // A new process over the same file: its outbox has to find the two still pending by itself.
    const again = new CheckinService(db, CONFIG, { clock: () => now });
    expect(again.outbox.pending(10).map((i) => i.event.event_id)).toEqual(first.slice(1).map((i) => i.event.event_id));
    again.outbox.markSent(first.slice(1).map((i) => i.id));
    expect(again.outbox.pending(10)).toEqual([]);
    expect(again.outbox.depth()).toBe(0);
    // Later check-ins land above every row seen: still found.
    now += 60_000;
    again.scan('TICKET-ANA', { kind: 'barcode', direction: 'exit' });
    expect(again.outbox.pending(10).map((i) => i.event.type)).toEqual(['checkin.succeeded']);
    expect(again.outbox.depth()).toBe(1);
  });

  it('refuses to queue an event the receiver would reject', () => {
    const bad = { event_id: 'not-a-uuid', type: 'checkin.rejected', occurred_at: new Date(T0).toISOString(), venue_id: 'v', device_id: 'd', payload: {} } as unknown as SeatPilotEvent;
    expect(() => svc.outbox.append(bad)).toThrow(/refusing to queue/);
  });
});

describe('applySyncPage', () => {
  const dump = () => ({
    guests: db.prepare('SELECT * FROM guests ORDER BY id').all(),
    credentials: db.prepare('SELECT * FROM credentials ORDER BY kind, value').all(),
    tokens: db.prepare('SELECT * FROM guest_name_tokens ORDER BY token, guest_id').all(),
    tables: db.prepare('SELECT * FROM tables ORDER BY id').all(),
    occasions: db.prepare('SELECT * FROM occasions ORDER BY id').all(),
    tombstones: db.prepare('SELECT * FROM tombstones ORDER BY entity, id').all(),
    floor: db.prepare('SELECT * FROM floor_plan').all(),
    doors: db.prepare('SELECT * FROM doors ORDER BY id').all(),
    checkins: db.prepare('SELECT event_id FROM checkins ORDER BY event_id').all(),
  });

  const mixed = page(
    [
      guestChange(50, { id: 'g_ana', name: 'Ana Pérez Silva', party_size: 2, table_id: 't12', credentials: [{ kind: 'barcode', value: 'TICKET-ANA-2' }] }),
      tableChange(51, { id: 't14', label: 'Table 14' }),
      { kind: 'tombstone', version: 52, entity: 'table', id: 't12' },
      { kind: 'floor_plan', version: 53, floor_plan: { width: 30, height: 20, walls: [], obstacles: [], doors: [{ id: 'door_a', label: 'Main', x: 0, y: 10 }] } },
      { kind: 'checkin', version: 54, checkin: { event_id: '0b6f8a43-1e34-4b0f-8f6a-2d1c3b4a5e6f', guest_id: 'g_jose', door_id: 'door_b', device_id: 'kiosk_b', direction: 'entry', party_size: 1, occurred_at: new Date(T0).toISOString() } },
    ],
    'c2',
  );

  it('is idempotent: a page applied twice equals once', () => {
    const first = svc.applySyncPage(mixed);
    expect(first).toMatchObject({ applied: 5, skipped: 0, cursor: 'c2', version: 54 });
    const once = dump();
    expect(svc.applySyncPage(mixed)).toMatchObject({ applied: 0, skipped: 5, version: 54 });
    expect(dump()).toEqual(once);
    expect(svc.syncState()).toEqual({ cursor: 'c2', version: 54 });
  });

  it('replaces a guest\'s credentials and name words with the newer version, and ignores an older one', () => {
    svc.applySyncPage(mixed);
    expect(svc.scan('TICKET-ANA', { kind: 'barcode' }).status).toBe('unknown_credential');
    now += 1;
    expect(svc.scan('TICKET-ANA-2', { kind: 'barcode' })).toMatchObject({ status: 'ok', guest: { party_size: 2, table_label: null } });
    expect(svc.search('silva').map((h) => h.guest_id)).toEqual(['g_ana']);
    svc.applySyncPage(page([guestChange(49, { id: 'g_ana', name: 'Stale Name', credentials: [{ kind: 'barcode', value: 'TICKET-STALE' }] })], 'c3'));
    expect(svc.search('stale')).toEqual([]);
    expect(db.prepare("SELECT name FROM guests WHERE id = 'g_ana'").pluck().get()).toBe('Ana Pérez Silva');
  });

  it('keeps a removed table removed when an older change arrives late', () => {
    svc.applySyncPage(mixed);
    svc.applySyncPage(page([tableChange(40, { id: 't12', label: 'Zombie' })], 'c3'));
    expect(count("SELECT count(*) FROM tables WHERE id = 't12'")).toBe(0);
    svc.applySyncPage(page([tableChange(60, { id: 't12', label: 'Table 12 again' })], 'c4'));
    expect(count("SELECT count(*) FROM tables WHERE id = 't12'")).toBe(1);
  });

  it('moves a credential to the guest of the newer change', () => {
    svc.applySyncPage(page([guestChange(70, { id: 'g_jose', name: 'José Núñez', credentials: [{ kind: 'barcode', value: 'TICKET-ANA' }] })], 'c2'));
    expect(svc.scan('TICKET-ANA', { kind: 'barcode' }).guest?.id).toBe('g_jose');
  });

  it('reports progress through a large page and applies it in one transaction', () => {
    const changes = Array.from({ length: 2500 }, (_, i) => guestChange(100 + i, { id: `g_${i}`, name: `Guest ${i}`, credentials: [{ kind: 'barcode', value: `B-${i}` }] }));
    const seen: number[] = [];
    const r = svc.applySyncPage(page(changes, 'c9'), { onProgress: (p) => seen.push(p.done), progressEvery: 1000 });
    expect(seen).toEqual([1000, 2000, 2500]);
    expect(r.applied).toBe(2500);
    expect(svc.scan('B-2499', { kind: 'barcode' }).status).toBe('ok');
  });

  it('rejects a page that breaks the contract and applies nothing of it', () => {
    const before = dump();
    const bad = { cursor: 'c2', has_more: false, changes: [guestChange(80, { id: 'g_new', name: 'New' }), { kind: 'guest', version: 81, guest: { id: 'x' } }] };
    expect(() => svc.applySyncPage(bad)).toThrow(SyncPageError);
    expect(() => svc.applySyncPage(bad)).toThrow(/changes\/1/);
    expect(dump()).toEqual(before);
    expect(svc.syncState().cursor).toBe('c1');
  });
});
