// The venue desk on a real SQLite file: each write's rows, events, feed changes, pending decisions and audit entries;
// roles; idempotent repeats; the pending merge when the cloud's page comes back; the proposal's read at 2,000 guests.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { SeatPilotEvent, SyncChange, SyncChangeV2 } from '../../core/contract/contract';
import { checkEvent } from '../../core/contract/validate';
import type { DeskActor } from '../../core/contract/desk';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page, tableChange } from '../../tests/fixtures/sync-fixtures';
import { verifyHubAudit } from '../audit-log';
import { AgentStore } from '../store';
import { HubOutbox } from '../hub-outbox';
import { DeskError, VenueDesk } from './venue-desk';

const VENUE = 'ven_desk';
const T0 = Date.parse('2026-06-20T19:00:00.000Z');
const steward: DeskActor = { device_id: 'kiosk_a', role: 'steward', door_id: 'door_a' };
const supervisor: DeskActor = { device_id: 'kiosk_a', role: 'supervisor', door_id: 'door_a' };

let dir: string;
let db: SqliteDatabase;
let store: AgentStore;
let desk: VenueDesk;
let now = T0;

const outboxOf = (type: string) =>
  (db.prepare('SELECT event_json FROM outbox WHERE type = ? ORDER BY id').pluck().all(type) as string[]).map((j) => JSON.parse(j) as SeatPilotEvent);
const feed = () => (db.prepare('SELECT kind, change_json FROM feed ORDER BY seq').all() as { kind: string; change_json: string }[]).map((r) => JSON.parse(r.change_json) as SyncChangeV2);
const guestRow = (id: string) => db.prepare('SELECT table_id, party_size, table_hlc, party_hlc, door_version, version, origin FROM guests WHERE id = ?').get(id) as Record<string, unknown>;
const pending = (id: string) => db.prepare('SELECT field, value, hlc FROM desk_pending WHERE guest_id = ? ORDER BY field').all(id);
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DeskError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'no refusal';
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-desk-'));
  db = openStore(join(dir, 'agent.sqlite')).db;
  now = T0;
  store = new AgentStore(db, VENUE, () => now);
  desk = new VenueDesk(store, { deviceId: 'dev_hub', venueId: VENUE, clock: () => now });
  store.applyCloudPage(page([
    occasionChange(1),
    tableChange(2, { id: 't1', label: 'Table 1', capacity: 12, tags: ['accessible'] }),
    tableChange(3, { id: 't2', label: 'Table 2', capacity: 4 }),
    tableChange(4, { id: 't3', label: 'Table 3', capacity: 8 }),
    guestChange(5, { id: 'g_ana', name: 'Ana Alves', table_id: 't1', party_size: 6, credentials: [{ kind: 'barcode', value: 'TICKET-ANA' }] }),
    guestChange(6, { id: 'g_ben', name: 'Ben Brito', table_id: 't2', party_size: 4 }),
    guestChange(7, { id: 'g_cat', name: 'Cat Costa', table_id: 't3', party_size: 6 }),
    // Another night's guest does not load this night's tables.
    guestChange(8, { id: 'g_old', name: 'Old Night', table_id: 't3', party_size: 2, occasion_id: 'occ_other' }),
  ]));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('walk-in proposal over the hub data', () => {
  it('best fit first, full tables left out, needs respected; queues assign.completed channel walk_in', () => {
    const p = desk.proposeWalkIn({ party_size: 2 }, steward);
    // t3: 8 − 6 = 2 free (exact fit), t1: 12 − 6 = 6 free; t2 is full.
    expect(p.options.map((o) => [o.table_id, o.free_seats, o.parties])).toEqual([['t3', 2, 1], ['t1', 6, 1]]);
    expect(p).toMatchObject({ reason: null, guests: 3, tables: 3 });
    expect(desk.proposeWalkIn({ party_size: 2, needs: ['accessible'] }, steward).options.map((o) => o.table_id)).toEqual(['t1']);
    expect(desk.proposeWalkIn({ party_size: 7 }, steward)).toMatchObject({ options: [], reason: 'no_table_with_room' });
    expect(desk.proposeWalkIn({ party_size: 1, needs: ['stage'] }, steward)).toMatchObject({ options: [], reason: 'needs_unmet' });
    const assigned = outboxOf('assign.completed');
    expect(assigned).toHaveLength(4);
    expect(assigned[0]!.payload).toMatchObject({ channel: 'walk_in', feasible: 1, guests: 3, tables: 3, duration_ms: p.duration_ms });
    expect(assigned[2]!.payload).toMatchObject({ feasible: 0 });
    expect(assigned.every((e) => checkEvent(e).ok && e.device_id === 'dev_hub')).toBe(true);
  });

  it('reads the load of 2,000 guests at 200 tables in one grouped query, fast', () => {
    const changes: SyncChange[] = [];
    for (let t = 0; t < 200; t++) changes.push(tableChange(100 + t, { id: `bt${t}`, label: `B${t}`, capacity: 12 }));
    for (let g = 0; g < 2000; g++) changes.push(guestChange(1000 + g, { id: `bg${g}`, name: `Guest ${g}`, table_id: `bt${g % 200}`, party_size: 1 + (g % 2) }));
    store.applyCloudPage(page(changes, 'c2'));
    const times: number[] = [];
    let p = desk.proposeWalkIn({ party_size: 3 }, steward);
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      p = desk.proposeWalkIn({ party_size: 3 }, steward);
      times.push(performance.now() - t);
    }
    expect(p.guests).toBe(2003);
    expect(p.tables).toBe(203);
    // Every bt table seats 5 parties of 1 and 5 of 2: 15 of its 12 seats, so none has room; t3 has 2 free, t1 6.
    expect(p.options.map((o) => o.table_id)).toEqual(['t1']);
    times.sort((a, b) => a - b);
    // The goal is 50 ms (bench:desk measures it); a loose bound here only catches a read gone quadratic.
    expect(times[10]!).toBeLessThan(250);
  });

  it('no occasion under way: no_occasion', () => {
    now = Date.parse('2026-09-01T12:00:00.000Z');
    store.applyCloudPage(page([occasionChange(50, { id: 'occ_other', starts_at: '2026-07-20T18:00:00.000Z', ends_at: '2026-07-21T02:00:00.000Z' })], 'c3'));
    expect(refusal(() => desk.proposeWalkIn({ party_size: 1 }, steward))).toBe('409 no_occasion');
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: 'Late', party_size: 1, table_id: null }, steward))).toBe('409 no_occasion');
  });
});

describe('walk-in', () => {
  it('adds the guest, checks them in, queues guest.added + checkin.succeeded, feeds guest then check-in, pending row, audit', () => {
    const req = { request_id: randomUUID(), name: '  Dora Dias ', party_size: 2, table_id: 't3' };
    const r = desk.addWalkIn(req, steward);
    expect(r.created).toBe(true);
    expect(r.guest).toMatchObject({ name: 'Dora Dias', party_size: 2, table_id: 't3', table_label: 'Table 3' });
    expect(r.guest.id).toMatch(/^w-[0-9a-f-]{36}$/);
    const g = guestRow(r.guest.id);
    expect(g).toMatchObject({ table_id: 't3', party_size: 2, door_version: 1, origin: 'venue', version: 0 });
    const [added] = outboxOf('guest.added');
    const [checkin] = outboxOf('checkin.succeeded');
    expect(added).toMatchObject({ event_id: r.guest_event_id, device_id: 'dev_hub', venue_id: VENUE, payload: { guest_id: r.guest.id, occasion_id: 'occ_gala', door_id: 'door_a', by_role: 'steward', hlc: g.table_hlc } });
    expect(checkin).toMatchObject({ event_id: r.checkin_event_id, payload: { guest_id: r.guest.id, credential_kind: 'manual', offline: false, direction: 'entry', table_id: 't3', party_size: 2, stages: { parse_ms: 0 } } });
    expect(checkEvent(added).ok && checkEvent(checkin).ok).toBe(true);
    // The hub's check-in row, as the tablets read it.
    expect(db.prepare("SELECT count(*) FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL").pluck().get(r.guest.id)).toBe(1);
    const tail = feed().slice(-2);
    expect(tail[0]).toEqual({ kind: 'guest', version: 1, guest: { id: r.guest.id, occasion_id: 'occ_gala', name: 'Dora Dias', party_size: 2, table_id: 't3', status: 'active', valid_from: null, valid_to: null, credentials: [] } });
    expect(tail[1]).toMatchObject({ kind: 'checkin', checkin: { event_id: r.checkin_event_id, guest_id: r.guest.id, door_id: 'door_a' } });
    expect(pending(r.guest.id)).toEqual([{ field: 'table', value: 't3', hlc: g.table_hlc }]);
    const audit = db.prepare('SELECT action, actor, role, device_id FROM audit_log ORDER BY seq').all();
    expect(audit).toEqual([
      { action: 'guest.added', actor: 'kiosk_a', role: 'steward', device_id: 'kiosk_a' },
      { action: 'checkin.succeeded', actor: 'kiosk_a', role: 'steward', device_id: 'kiosk_a' },
    ]);
    return verifyHubAudit(db).then((s) => expect(s.state).toBe('intact'));
  });

  it("the desk's audit entries go up with the hub's push as audit.entry, built from the chain's rows", () => {
    const push = new HubOutbox(db, store.outbox, { venueId: VENUE, deviceId: 'dev_hub', clock: () => now });
    desk.move({ request_id: randomUUID(), guest_id: 'g_ana', party_size: 5 }, steward);
    const entries = push.pending(100).map((i) => i.event).filter((e) => e.type === 'audit.entry');
    expect(entries.every((e) => e.device_id === 'dev_hub')).toBe(true);
    expect(entries.map((e) => (e.payload as { action: string; actor: string; role: string }).action)).toEqual(['seat.changed']);
    expect(entries[0]!.payload).toMatchObject({ actor: 'kiosk_a', role: 'steward', entity_id: 'g_ana', before: { table_id: 't1', party_size: 6 } });
  });

  it('a repeat of the request_id returns the first result and adds nothing', () => {
    const req = { request_id: randomUUID(), name: 'Eva Esteves', party_size: 1, table_id: null };
    const first = desk.addWalkIn(req, steward);
    const again = desk.addWalkIn(req, steward);
    expect(again).toEqual({ ...first, created: false });
    expect(db.prepare("SELECT count(*) FROM guests WHERE origin = 'venue'").pluck().get()).toBe(1);
    expect(outboxOf('guest.added')).toHaveLength(1);
    expect(refusal(() => desk.move({ request_id: req.request_id, guest_id: 'g_ana', party_size: 3 }, steward))).toBe('409 request_reused');
  });

  it('roles and room: more than the steward limit needs a supervisor; a full or unknown table is refused', () => {
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: 'Big Party', party_size: 5, table_id: null }, steward))).toBe('403 supervisor_required');
    expect(desk.addWalkIn({ request_id: randomUUID(), name: 'Big Party', party_size: 5, table_id: null }, supervisor).created).toBe(true);
    const strict = new VenueDesk(store, { deviceId: 'dev_hub', venueId: VENUE, clock: () => now, stewardWalkInMax: 1 });
    expect(refusal(() => strict.addWalkIn({ request_id: randomUUID(), name: 'Two', party_size: 2, table_id: null }, steward))).toBe('403 supervisor_required');
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: 'Full', party_size: 1, table_id: 't2' }, steward))).toBe('409 table_full');
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: 'Nowhere', party_size: 1, table_id: 'nope' }, steward))).toBe('404 not_found');
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: '   ', party_size: 1, table_id: null }, steward))).toBe('400 bad_request');
  });
});

describe('moves and party changes', () => {
  it('a move needs a supervisor; a party change does not; both queue seat.changed and feed the hub row with door versions', () => {
    // Stewards here may seat parties of up to 8: Cat's 6 → 7 is theirs to make.
    desk = new VenueDesk(store, { deviceId: 'dev_hub', venueId: VENUE, clock: () => now, stewardWalkInMax: 8 });
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1' }, steward))).toBe('403 supervisor_required');
    const plus = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', party_size: 7 }, steward);
    expect(plus).toMatchObject({ from_table_id: 't3', from_party_size: 6, guest: { table_id: 't3', party_size: 7 }, created: true });
    const move = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1', party_size: 4 }, supervisor);
    expect(move).toMatchObject({ from_table_id: 't3', from_party_size: 7, guest: { table_id: 't1', table_label: 'Table 1', party_size: 4 } });
    expect(move.hlc! > plus.hlc!).toBe(true);
    const changed = outboxOf('seat.changed');
    expect(changed.map((e) => e.payload)).toEqual([
      { guest_id: 'g_cat', from_table_id: 't3', to_table_id: 't3', source: 'hub', by_role: 'steward', hlc: plus.hlc, party_size: 7, from_party_size: 6 },
      { guest_id: 'g_cat', from_table_id: 't3', to_table_id: 't1', source: 'hub', by_role: 'supervisor', hlc: move.hlc, party_size: 4, from_party_size: 7 },
    ]);
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't1', party_size: 4, table_hlc: move.hlc, party_hlc: move.hlc, door_version: 9, version: 7 });
    expect(pending('g_cat')).toEqual([{ field: 'party', value: '4', hlc: move.hlc }, { field: 'table', value: 't1', hlc: move.hlc }]);
    const fed = feed().filter((c) => c.kind === 'guest' && c.guest.id === 'g_cat');
    expect(fed.map((c) => c.version)).toEqual([7, 8, 9]);
    expect(fed.at(-1)).toMatchObject({ guest: { table_id: 't1', party_size: 4 } });
    const audited = db.prepare("SELECT before_json FROM audit_log WHERE action = 'seat.changed' ORDER BY seq DESC LIMIT 1").pluck().get() as string;
    expect(JSON.parse(audited)).toEqual({ table_id: 't3', party_size: 7 });
  });

  it('refuses a full table, an unknown guest or table; nothing changed gives no event; a repeat is done once', () => {
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_ana', to_table_id: 't2' }, supervisor))).toBe('409 table_full');
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_ben', party_size: 5 }, supervisor))).toBe('409 table_full');
    // A smaller party always fits where it sits.
    expect(desk.move({ request_id: randomUUID(), guest_id: 'g_ben', party_size: 3 }, steward).event_id).not.toBeNull();
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'nobody', party_size: 2 }, steward))).toBe('404 not_found');
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_ana', to_table_id: 'nope' }, supervisor))).toBe('404 not_found');
    expect(desk.move({ request_id: randomUUID(), guest_id: 'g_ana', to_table_id: 't1', party_size: 6 }, steward)).toMatchObject({ event_id: null, hlc: null });
    const req = { request_id: randomUUID(), guest_id: 'g_ana', party_size: 2 };
    const first = desk.move(req, steward);
    expect(desk.move(req, steward)).toEqual({ ...first, created: false });
    expect(outboxOf('seat.changed')).toHaveLength(2);
  });
});

describe('undo a check-in', () => {
  it('needs a supervisor, reverts the latest check-in as the ingest applies a received revert, and feeds checkin_reverted', () => {
    const w = desk.addWalkIn({ request_id: randomUUID(), name: 'Fay Faria', party_size: 1, table_id: null }, steward);
    expect(refusal(() => desk.revertCheckin({ request_id: randomUUID(), guest_id: w.guest.id, reason: 'wrong person' }, steward))).toBe('403 supervisor_required');
    const req = { request_id: randomUUID(), guest_id: w.guest.id, reason: 'wrong person' };
    const r = desk.revertCheckin(req, supervisor);
    expect(r).toMatchObject({ guest_id: w.guest.id, reverted_event_id: w.checkin_event_id, created: true });
    expect(desk.revertCheckin(req, supervisor)).toEqual({ ...r, created: false });
    expect(db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(w.checkin_event_id)).toBe(r.event_id);
    expect(outboxOf('checkin.reverted').map((e) => e.payload)).toEqual([{ guest_id: w.guest.id, reverted_event_id: w.checkin_event_id, door_id: 'door_a', by_role: 'supervisor', reason: 'wrong person' }]);
    expect(feed().filter((c) => c.kind === 'checkin_reverted')).toEqual([
      { kind: 'checkin_reverted', reverted: { event_id: w.checkin_event_id, guest_id: w.guest.id, reverted_event_id: r.event_id, door_id: 'door_a', occurred_at: new Date(now).toISOString() } },
    ]);
    expect(refusal(() => desk.revertCheckin({ request_id: randomUUID(), guest_id: w.guest.id, reason: 'again' }, supervisor))).toBe('409 nothing_to_revert');
    expect(refusal(() => desk.revertCheckin({ request_id: randomUUID(), guest_id: 'nobody', reason: 'x' }, supervisor))).toBe('404 not_found');
  });
});

describe('the cloud page after a desk decision: the pending merge and door versions', () => {
  const cloudCat = (version: number, over: Partial<Parameters<typeof guestChange>[1]>) =>
    guestChange(version, { id: 'g_cat', name: 'Cat Costa', table_id: 't3', party_size: 6, ...over });
  const fedCat = () => feed().filter((c) => c.kind === 'guest' && c.guest.id === 'g_cat').at(-1) as Extract<SyncChange, { kind: 'guest' }>;

  it('cloud older than the pending decision: the hub value is kept, the doors still get it, pending stays', () => {
    const move = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1' }, supervisor);
    store.applyCloudPage(page([cloudCat(20, { table_hlc: '1781900000000.0000.c', notes: 'allergic', tags: ['vip'], meal: 'vegan' })], 'c2'));
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't1', table_hlc: move.hlc, version: 20, door_version: 20 });
    expect(pending('g_cat')).toEqual([{ field: 'table', value: 't1', hlc: move.hlc }]);
    expect(fedCat()).toEqual({ kind: 'guest', version: 20, guest: { id: 'g_cat', occasion_id: 'occ_gala', name: 'Cat Costa', party_size: 6, table_id: 't1', status: 'active', valid_from: null, valid_to: null, credentials: [] } });
  });

  it('cloud equal to the pending decision (the cloud took ours): pending dropped', () => {
    const move = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1' }, supervisor);
    store.applyCloudPage(page([cloudCat(20, { table_id: 't1', table_hlc: move.hlc })], 'c2'));
    expect(pending('g_cat')).toEqual([]);
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't1' });
  });

  it('cloud later than the pending decision: the cloud value wins, pending dropped', () => {
    desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1', party_size: 5 }, supervisor);
    const later = `${String(T0 + 60_000).padStart(13, '0')}.0000.c`;
    store.applyCloudPage(page([cloudCat(20, { table_id: 't2', table_hlc: later, party_size: 6, party_hlc: null })], 'c2'));
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't2', table_hlc: later, party_size: 5 });
    // The party decision was not answered (party_hlc null is older): ours stays.
    expect(pending('g_cat')).toEqual([expect.objectContaining({ field: 'party', value: '5' })]);
    expect(fedCat().guest).toMatchObject({ table_id: 't2', party_size: 5 });
  });

  it('a cloud change older than the door version gets a version past it; a stale one is not fed; tombstones too', () => {
    desk.move({ request_id: randomUUID(), guest_id: 'g_cat', party_size: 7 }, supervisor);
    desk.move({ request_id: randomUUID(), guest_id: 'g_cat', party_size: 6 }, steward);
    expect(guestRow('g_cat')).toMatchObject({ door_version: 9, version: 7 });
    // The cloud's next version (8) is below what the doors hold (9): fed as 10.
    store.applyCloudPage(page([cloudCat(8, { name: 'Cat Costa Cruz' })], 'c2'));
    expect(fedCat()).toMatchObject({ version: 10, guest: { name: 'Cat Costa Cruz' } });
    const before = feed().length;
    store.applyCloudPage(page([cloudCat(8, { name: 'Stale' })], 'c3'));
    expect(feed().length).toBe(before);
    store.applyCloudPage(page([{ kind: 'tombstone', version: 9, entity: 'guest', id: 'g_cat' }], 'c4'));
    expect(feed().at(-1)).toEqual({ kind: 'tombstone', version: 11, entity: 'guest', id: 'g_cat' });
  });

  it('the doors never get the guest_desk fields nor table tags', () => {
    store.applyCloudPage(page([
      cloudCat(30, { table_hlc: '1781900000000.0000.c', party_hlc: null, tags: ['vip'], meal: 'vegan', notes: 'window' }),
      tableChange(31, { id: 't1', label: 'Table 1', capacity: 12, tags: ['accessible', 'vip'] }),
    ], 'c2'));
    const text = JSON.stringify(feed());
    for (const field of ['table_hlc', 'party_hlc', '"tags"', '"meal"', '"notes"']) expect(text).not.toContain(field);
    expect(db.prepare('SELECT tags_json, meal, notes FROM guests WHERE id = ?').get('g_cat')).toEqual({ tags_json: '["vip"]', meal: 'vegan', notes: 'window' });
  });
});

describe('review fixes: pending decisions that could never end, the steward limit on +1s, reused request ids, a deleted table', () => {
  const cloudCat = (version: number, over: Partial<Parameters<typeof guestChange>[1]>) =>
    guestChange(version, { id: 'g_cat', name: 'Cat Costa', table_id: 't3', party_size: 6, ...over });
  const itemOf = (push: HubOutbox, eventId: string) => push.pending(1000).find((i) => i.event.event_id === eventId)!;

  it('a seat.changed or guest.added the cloud dead-letters ends the pending rows it carries; the cloud then decides', () => {
    const push = new HubOutbox(db, store.outbox, { venueId: VENUE, deviceId: 'dev_hub', clock: () => now });
    const move = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1', party_size: 5 }, supervisor);
    const walkIn = desk.addWalkIn({ request_id: randomUUID(), name: 'Gus Gil', party_size: 2, table_id: 't3' }, steward);
    const other = desk.move({ request_id: randomUUID(), guest_id: 'g_ben', party_size: 3 }, steward);
    expect(pending('g_cat')).toHaveLength(2);
    push.markDead(itemOf(push, move.event_id!).id, 'invalid_payload: refused');
    push.markDead(itemOf(push, walkIn.guest_event_id).id, 'invalid_payload: refused');
    expect(pending('g_cat')).toEqual([]);
    expect(pending(walkIn.guest.id)).toEqual([]);
    // Another guest's decision, still on its way, keeps its row.
    expect(pending('g_ben')).toEqual([expect.objectContaining({ field: 'party', value: '3', hlc: other.hlc })]);
    // The cloud's next change of Cat (no HLC stamped: older than the dead decision) is the one that holds now.
    store.applyCloudPage(page([cloudCat(20, { table_hlc: null, party_hlc: null })], 'c2'));
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't3', party_size: 6 });
    expect(feed().filter((c) => c.kind === 'guest' && c.guest.id === 'g_cat').at(-1)).toMatchObject({ guest: { table_id: 't3', party_size: 6 } });
  });

  it('a dead event no longer carried by a pending row (a later decision replaced it) leaves that row', () => {
    const push = new HubOutbox(db, store.outbox, { venueId: VENUE, deviceId: 'dev_hub', clock: () => now });
    const first = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1' }, supervisor);
    now += 1000;
    const second = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't3' }, supervisor);
    push.markDead(itemOf(push, first.event_id!).id, 'invalid_payload: refused');
    expect(pending('g_cat')).toEqual([{ field: 'table', value: 't3', hlc: second.hlc }]);
  });

  it('a cloud guest change without the HLC fields (a cloud without guest_desk) ends the pending rows; null keeps the rule', () => {
    desk.move({ request_id: randomUUID(), guest_id: 'g_cat', to_table_id: 't1', party_size: 5 }, supervisor);
    // null: the cloud knows the feature and never stamped the fields, so it has not answered: the hub's values stay.
    store.applyCloudPage(page([cloudCat(20, { table_hlc: null, party_hlc: null })], 'c2'));
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't1', party_size: 5 });
    expect(pending('g_cat')).toHaveLength(2);
    // No fields at all: that cloud will never answer; it is the only authority.
    const noDesk = cloudCat(21, {});
    expect('table_hlc' in (noDesk as Extract<SyncChange, { kind: 'guest' }>).guest).toBe(false);
    store.applyCloudPage(page([noDesk], 'c3'));
    expect(pending('g_cat')).toEqual([]);
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't3', party_size: 6 });
    expect(feed().filter((c) => c.kind === 'guest' && c.guest.id === 'g_cat').at(-1)).toMatchObject({ version: 21, guest: { table_id: 't3', party_size: 6 } });
  });

  it('a steward may not raise a party above the walk-in limit (4 + 2 = 6 needs a supervisor); lowering, or raising within it, is theirs', () => {
    const w = desk.addWalkIn({ request_id: randomUUID(), name: 'Hana Hall', party_size: 4, table_id: 't1' }, steward);
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: w.guest.id, party_size: 6 }, steward))).toBe('403 supervisor_required');
    expect(guestRow(w.guest.id)).toMatchObject({ party_size: 4 });
    expect(outboxOf('seat.changed')).toHaveLength(0);
    expect(desk.move({ request_id: randomUUID(), guest_id: w.guest.id, party_size: 3 }, steward).guest.party_size).toBe(3);
    expect(desk.move({ request_id: randomUUID(), guest_id: w.guest.id, party_size: 4 }, steward).guest.party_size).toBe(4);
    const raised = { request_id: randomUUID(), guest_id: w.guest.id, party_size: 6 };
    expect(desk.move(raised, supervisor).guest.party_size).toBe(6);
    // Ana's 6 (the cloud's) is above the limit: a steward may still make it smaller, not bigger.
    expect(desk.move({ request_id: randomUUID(), guest_id: 'g_ana', party_size: 5 }, steward).guest.party_size).toBe(5);
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_ana', party_size: 6 }, steward))).toBe('403 supervisor_required');
    // A supervisor's answer, replayed to a steward, is refused as the request would be.
    expect(refusal(() => desk.move(raised, steward))).toBe('403 supervisor_required');
    expect(desk.move(raised, supervisor).created).toBe(false);
  });

  it('a request id reused for another request is refused 409 request_reused and moves nobody', () => {
    const id = randomUUID();
    const first = desk.addWalkIn({ request_id: id, name: 'Ida Isla', party_size: 2, table_id: 't3' }, steward);
    expect(refusal(() => desk.addWalkIn({ request_id: id, name: 'Jon Jara', party_size: 2, table_id: 't3' }, steward))).toBe('409 request_reused');
    expect(refusal(() => desk.addWalkIn({ request_id: id, name: 'Ida Isla', party_size: 1, table_id: 't3' }, steward))).toBe('409 request_reused');
    expect(refusal(() => desk.addWalkIn({ request_id: id, name: 'Ida Isla', party_size: 2, table_id: 't1' }, steward))).toBe('409 request_reused');
    // The same request (the name as typed, trimmed alike) is a retry.
    expect(desk.addWalkIn({ request_id: id, name: ' Ida Isla ', party_size: 2, table_id: 't3' }, steward)).toEqual({ ...first, created: false });
    expect(db.prepare("SELECT name FROM guests WHERE origin = 'venue'").pluck().all()).toEqual(['Ida Isla']);

    const moveId = randomUUID();
    desk.move({ request_id: moveId, guest_id: 'g_cat', party_size: 4 }, steward);
    expect(refusal(() => desk.move({ request_id: moveId, guest_id: 'g_ben', party_size: 4 }, steward))).toBe('409 request_reused');
    expect(refusal(() => desk.move({ request_id: moveId, guest_id: 'g_cat', party_size: 3 }, steward))).toBe('409 request_reused');
    // Naming the table it keeps is another request than leaving the table out.
    expect(refusal(() => desk.move({ request_id: moveId, guest_id: 'g_cat', to_table_id: 't3', party_size: 4 }, steward))).toBe('409 request_reused');
    expect(guestRow('g_ben')).toMatchObject({ party_size: 4 });
    expect(guestRow('g_cat')).toMatchObject({ party_size: 4 });
    expect(outboxOf('seat.changed')).toHaveLength(1);

    const a = desk.addWalkIn({ request_id: randomUUID(), name: 'Kai Kent', party_size: 1, table_id: null }, steward);
    const b = desk.addWalkIn({ request_id: randomUUID(), name: 'Lia Luz', party_size: 1, table_id: null }, steward);
    const revertId = randomUUID();
    desk.revertCheckin({ request_id: revertId, guest_id: a.guest.id, reason: 'wrong person' }, supervisor);
    expect(refusal(() => desk.revertCheckin({ request_id: revertId, guest_id: b.guest.id, reason: 'wrong person' }, supervisor))).toBe('409 request_reused');
    expect(db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(b.checkin_event_id)).toBeNull();
    // The role is checked before a stored answer is given back.
    expect(refusal(() => desk.revertCheckin({ request_id: revertId, guest_id: a.guest.id, reason: 'wrong person' }, steward))).toBe('403 supervisor_required');
    const bigId = randomUUID();
    desk.addWalkIn({ request_id: bigId, name: 'Max Mar', party_size: 6, table_id: null }, supervisor);
    expect(refusal(() => desk.addWalkIn({ request_id: bigId, name: 'Max Mar', party_size: 6, table_id: null }, steward))).toBe('403 supervisor_required');
  });

  it('refuses unstorable text (NUL, a lone surrogate) in a name or a reason as bad_request, before anything is written', () => {
    for (const name of ['Nul\u0000Name', 'Lone \ud800 half', 'Tail \udc00']) {
      expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name, party_size: 1, table_id: null }, steward))).toBe('400 bad_request');
    }
    const w = desk.addWalkIn({ request_id: randomUUID(), name: 'Ola \u{1F600} Ortiz', party_size: 1, table_id: null }, steward);
    expect(w.guest.name).toBe('Ola \u{1F600} Ortiz');
    expect(refusal(() => desk.revertCheckin({ request_id: randomUUID(), guest_id: w.guest.id, reason: 'typo\u0000' }, supervisor))).toBe('400 bad_request');
    expect(refusal(() => desk.revertCheckin({ request_id: randomUUID(), guest_id: w.guest.id, reason: 'half \ud83d' }, supervisor))).toBe('400 bad_request');
    expect(refusal(() => desk.addWalkIn({ request_id: randomUUID(), name: 'Door', party_size: 1, table_id: null }, { ...steward, door_id: 'door\u0000' }))).toBe('400 bad_request');
    const seatChanges = outboxOf('seat.changed').length;
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: w.guest.id, party_size: 2 }, { ...steward, door_id: 'door \ud800' }))).toBe('400 bad_request');
    expect(outboxOf('seat.changed')).toHaveLength(seatChanges);
    expect(outboxOf('guest.added')).toHaveLength(1);
    expect(outboxOf('checkin.reverted')).toHaveLength(0);
  });

  it('a +1 for a guest whose table was deleted at the hub is made (no table to count seats at), not 404', () => {
    store.applyCloudPage(page([{ kind: 'tombstone', version: 40, entity: 'table', id: 't3' }], 'c2'));
    expect(db.prepare('SELECT count(*) FROM tables WHERE id = ?').pluck().get('t3')).toBe(0);
    expect(guestRow('g_cat')).toMatchObject({ table_id: 't3' });
    const r = desk.move({ request_id: randomUUID(), guest_id: 'g_cat', party_size: 5 }, steward);
    expect(r).toMatchObject({ guest: { table_id: 't3', table_label: null, party_size: 5 }, created: true });
    expect(r.event_id).not.toBeNull();
    // Moving to a table that is not there is still refused.
    expect(refusal(() => desk.move({ request_id: randomUUID(), guest_id: 'g_ben', to_table_id: 't3' }, supervisor))).toBe('404 not_found');
  });
});
