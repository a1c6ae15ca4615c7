// The venue's decisions at the cloud, through the real signed ingest on PGlite and on the real PostgreSQL: walk-ins
// added once, moves made on both sides of a cut converging by the HLC rule with the loser kept for the planner, the
// venue winning an exact tie, a +1 and a move of one guest both kept, duplicates changing nothing, audit entries
// only from the hub's key, and row-level security on the conflicts and the carried audit.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatPilotEvent } from '../../core/contract/contract';
import { nextHlc } from '../../core/desk/hlc';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../admin';
import { buildApp, type CloudApp } from '../app';
import { recordAudit } from '../console/audit';
import { scoped } from '../console/scope';
import type { Queryable } from '../db';
import { importGuests } from '../guestlist/import-guests';
import { addOccasion, importTables } from '../guestlist/manage';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, checkinEvent, signedInject } from '../../tests/signed';
import type { Caller, DeviceKind } from '../../protocol/store';
import { applyVenueDecisions } from './venue-decisions';
import { VENUE_DECISION_REFUSED } from '../../protocol/ingest';

const HOUR = 3600_000;

describe.each(backends())('venue decisions at the cloud on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let tenant: string;
  let venue: string;
  let occasion: string;
  let hub: Device;
  let door: Device;
  let otherTenant: string;
  const planner = { channel: 'console' as const, actorId: 'acc_ana', actor: 'ana@planner.example' };

  const event = (type: string, payload: Record<string, unknown>, key: IssuedKey = hub, over: Partial<SeatPilotEvent> = {}): SeatPilotEvent =>
    ({ event_id: randomUUID(), type, occurred_at: new Date().toISOString(), venue_id: venue, device_id: key.device_id, payload, ...over }) as SeatPilotEvent;
  const send = async (events: unknown[], key: IssuedKey = hub) => {
    const res = await signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(events));
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { accepted: number; duplicates: number; rejected: { index: number; reason: string; detail: string }[] };
  };
  const guest = async (id: string) => (await t.db.query<{ table_id: string | null; table_hlc: string | null; party_size: number; party_hlc: string | null; version: number | string; origin: string; occasion_id: string; name: string }>(
    'SELECT table_id, table_hlc, party_size, party_hlc, version, origin, occasion_id, name FROM guestlist.guests WHERE id = $1', [id]))[0];
  const conflictsOf = (id: string) => t.db.query<Record<string, unknown>>(
    `SELECT field, winner_value, winner_hlc, winner_source, winner_actor, loser_value, loser_hlc, loser_source, loser_actor, event_id::text
       FROM guestlist.seat_conflicts WHERE guest_id = $1 ORDER BY id`, [id]);
  /** The planner's move in the console: under the venue lock, audited, the HLC stamped by the trigger (as routes/seating-edit.ts). */
  const consoleMove = (id: string, table: string) => t.db.tx(async (q) => {
    await q.query('SELECT guestlist.lock_venue($1)', [venue]);
    await q.query('UPDATE guestlist.guests SET table_id = $2 WHERE id = $1', [id, table]);
    await recordAudit(q, planner, { tenantId: tenant, action: 'seat.move', entity: 'guest', entityId: id, venueId: venue, after: { table_id: table } });
  });
  const move = (id: string, from: string | null, to: string | null, hlc: string | undefined, extra: Record<string, unknown> = {}) =>
    event('seat.changed', { guest_id: id, from_table_id: from, to_table_id: to, source: 'hub', by_role: 'supervisor', ...(hlc ? { hlc } : {}), ...extra });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    tenant = (await addTenant(t.db, 'Desk')).id;
    venue = (await addVenue(t.db, tenant, 'Hall')).id;
    hub = await addDevice(t.db, venue, 'agent');
    door = await addDevice(t.db, venue, 'kiosk');
    const now = Date.now();
    occasion = (await addOccasion(t.db, { venueId: venue, name: 'Tonight', startsAt: new Date(now - HOUR).toISOString(), endsAt: new Date(now + 5 * HOUR).toISOString() })).id;
    // Another night of the same venue, weeks away: a walk-in never lands there by default.
    await addOccasion(t.db, { venueId: venue, name: 'Next month', startsAt: new Date(now + 30 * 24 * HOUR).toISOString(), endsAt: new Date(now + 30 * 24 * HOUR + 5 * HOUR).toISOString() });
    await importTables(t.db, venue, 'id,label,capacity\nd-t1,1,10\nd-t2,2,10\nd-t3,3,10\nd-gone,9,10\n');
    await t.db.query(`UPDATE guestlist.seating_tables SET deleted = true WHERE id = 'd-gone'`);
    const ids = ['mover', 'later', 'tie', 'both', 'plus', 'twice', 'knew', 'unstamped', 'busy', 'to-gone', 'by-door'];
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: ['guest_id,name,party_size,table', ...ids.map((id) => `${id},Guest ${id},2,1`)].join('\n') });
    otherTenant = (await addTenant(t.db, 'Other')).id;
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('adds a walk-in once when it is sent twice, in the occasion under way, with its HLC and origin', async () => {
    const hlc = nextHlc(Date.now(), 'venue');
    const added = event('guest.added', { guest_id: 'w-1', name: 'Walk In', party_size: 3, table_id: 'd-t2', door_id: 'door-a', by_role: 'steward', hlc });
    expect(await send([added])).toMatchObject({ accepted: 1, rejected: [] });
    // The same event again (a retry), and the same walk-in under another event (a hub that queued it twice).
    expect(await send([added])).toMatchObject({ accepted: 0, duplicates: 1 });
    await send([{ ...added, event_id: randomUUID(), payload: { ...added.payload, name: 'Renamed' } }]);
    const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM guestlist.guests WHERE id = 'w-1'`);
    expect(rows[0]?.n).toBe(1);
    expect(await guest('w-1')).toMatchObject({ name: 'Walk In', party_size: 3, table_id: 'd-t2', table_hlc: hlc, party_hlc: hlc, origin: 'venue', occasion_id: occasion });
  });

  it('seats a walk-in at no table when its table is unknown or deleted here, and takes the occasion it names', async () => {
    const later = (await t.db.query<{ id: string }>(`SELECT id FROM guestlist.occasions WHERE name = 'Next month'`))[0]?.id as string;
    await send([
      event('guest.added', { guest_id: 'w-gone', name: 'At a deleted table', party_size: 1, table_id: 'd-gone', door_id: 'door-a', by_role: 'steward' }),
      event('guest.added', { guest_id: 'w-none', name: 'At an unknown table', party_size: 1, table_id: 'nowhere', door_id: 'door-a', by_role: 'steward', occasion_id: later }),
    ]);
    expect(await guest('w-gone')).toMatchObject({ table_id: null, occasion_id: occasion, origin: 'venue' });
    expect(await guest('w-none')).toMatchObject({ table_id: null, occasion_id: later });
  });

  it('a hub move later than the console move wins, and the console move is kept as the loser', async () => {
    await consoleMove('mover', 'd-t2');
    const cloudHlc = (await guest('mover'))?.table_hlc as string;
    expect(cloudHlc).toMatch(/\.c$/);
    // The hub moved the guest from where it last knew them (1), during the cut, after the console did.
    const hubHlc = nextHlc(Date.now() + 60_000, 'venue', cloudHlc);
    const e = move('mover', 'd-t1', 'd-t3', hubHlc);
    await send([e]);
    expect(await guest('mover')).toMatchObject({ table_id: 'd-t3', table_hlc: hubHlc });
    expect(await conflictsOf('mover')).toEqual([{
      field: 'table', winner_value: 'd-t3', winner_hlc: hubHlc, winner_source: 'hub', winner_actor: `${hub.device_id} (supervisor)`,
      loser_value: 'd-t2', loser_hlc: cloudHlc, loser_source: 'console', loser_actor: planner.actor, event_id: e.event_id,
    }]);
  });

  it('a console move later than the hub move wins when the hub move arrives after it, and the hub move is kept as the loser', async () => {
    // The hub decided at 20:00 (its clock), the planner at 20:05; the hub's event reaches the cloud at 20:10.
    const hubHlc = nextHlc(Date.now() - 5 * 60_000, 'venue');
    await consoleMove('later', 'd-t2');
    const cloudHlc = (await guest('later'))?.table_hlc as string;
    const e = move('later', 'd-t1', 'd-t3', hubHlc);
    await send([e]);
    expect(await guest('later')).toMatchObject({ table_id: 'd-t2', table_hlc: cloudHlc });
    expect(await conflictsOf('later')).toEqual([expect.objectContaining({
      field: 'table', winner_value: 'd-t2', winner_hlc: cloudHlc, winner_source: 'console', winner_actor: planner.actor,
      loser_value: 'd-t3', loser_hlc: hubHlc, loser_source: 'hub', event_id: e.event_id,
    })]);
  });

  it('a console move made after the hub move arrived is no conflict: the planner saw it, and the trigger ticks past it', async () => {
    const hubHlc = nextHlc(Date.now() + 120_000, 'venue');
    await send([move('knew', 'd-t1', 'd-t3', hubHlc)]);
    expect(await guest('knew')).toMatchObject({ table_id: 'd-t3', table_hlc: hubHlc });
    await consoleMove('knew', 'd-t2');
    const after = await guest('knew');
    expect(after?.table_id).toBe('d-t2');
    expect((after?.table_hlc as string) > hubHlc).toBe(true);
    expect(await conflictsOf('knew')).toEqual([]);
  });

  it('the venue wins an exact tie', async () => {
    const ms = Date.now();
    const cloudHlc = nextHlc(ms, 'cloud');
    const hubHlc = cloudHlc.replace(/c$/, 'v');
    await t.db.tx(async (q) => {
      await q.query('SELECT guestlist.lock_venue($1)', [venue]);
      await q.query('UPDATE guestlist.guests SET table_id = $2, table_hlc = $3 WHERE id = $1', ['tie', 'd-t2', cloudHlc]);
    });
    await send([move('tie', 'd-t1', 'd-t3', hubHlc)]);
    expect(await guest('tie')).toMatchObject({ table_id: 'd-t3', table_hlc: hubHlc });
    expect(await conflictsOf('tie')).toEqual([expect.objectContaining({ winner_value: 'd-t3', winner_hlc: hubHlc, loser_value: 'd-t2', loser_hlc: cloudHlc })]);
  });

  it('keeps a party change and a table move of one guest, made on either side: different fields', async () => {
    // The planner made the party 4 in the console; the hub, not knowing, moved the guest (a move carries no party).
    await t.db.tx(async (q) => {
      await q.query('SELECT guestlist.lock_venue($1)', [venue]);
      await q.query(`UPDATE guestlist.guests SET party_size = 4 WHERE id = 'both'`);
    });
    const partyHlc = (await guest('both'))?.party_hlc as string;
    await send([move('both', 'd-t1', 'd-t3', nextHlc(Date.now() - 60_000, 'venue'))]);
    expect(await guest('both')).toMatchObject({ table_id: 'd-t3', party_size: 4, party_hlc: partyHlc });
    // The other way round: the planner moved the guest; the hub's +1 keeps the table it knew (to = from).
    await consoleMove('plus', 'd-t2');
    const plusHlc = nextHlc(Date.now() - 60_000, 'venue');
    await send([move('plus', 'd-t1', 'd-t1', plusHlc, { from_party_size: 2, party_size: 3 })]);
    expect(await guest('plus')).toMatchObject({ table_id: 'd-t2', party_size: 3, party_hlc: plusHlc });
    expect([...(await conflictsOf('both')), ...(await conflictsOf('plus'))]).toEqual([]);
  });

  it('applies the same decision twice as once: nothing changes the second time', async () => {
    const e = move('twice', 'd-t1', 'd-t2', nextHlc(Date.now(), 'venue'), { from_party_size: 2, party_size: 5 });
    await send([e]);
    const once = await guest('twice');
    expect(once).toMatchObject({ table_id: 'd-t2', party_size: 5 });
    await send([e]);
    // Past the ingest's own dedup too: the rule itself is idempotent.
    const r = await t.db.tx((q) => applyVenueDecisions(q, callerOf(hub), [e]));
    expect(r).toMatchObject({ applied: [], conflicts: 0, skipped: [] });
    expect(await guest('twice')).toEqual(once);
  });

  it('gives a move of a guest never stamped to the venue (a tie of nulls) with a venue HLC', async () => {
    await send([move('unstamped', 'd-t1', 'd-t3', undefined)]);
    const g = await guest('unstamped');
    expect(g?.table_id).toBe('d-t3');
    expect(g?.table_hlc).toMatch(/\.v$/);
  });

  it('stores a move of a guest it does not have and tells of it in the result, refusing nothing', async () => {
    const e = move('nobody', 'd-t1', 'd-t2', nextHlc(Date.now(), 'venue'));
    expect(await send([e])).toMatchObject({ accepted: 1, rejected: [] });
    const r = await t.db.tx((q) => applyVenueDecisions(q, callerOf(hub), [{ ...e, event_id: randomUUID() }]));
    expect(r.skipped).toEqual([{ event_id: expect.any(String), type: 'seat.changed', guest_id: 'nobody', reason: 'unknown_guest' }]);
    expect(await guest('nobody')).toBeUndefined();
  });

  it('leaves a seat.changed of the console or the engine alone: it records a decision made in the cloud', async () => {
    const before = await guest('mover');
    const e = event('seat.changed', { guest_id: 'mover', from_table_id: 'd-t3', to_table_id: 'd-t1', source: 'console', by_role: 'planner', hlc: nextHlc(Date.now() + 600_000, 'cloud') });
    const r = await t.db.tx((q) => applyVenueDecisions(q, callerOf(hub), [e]));
    expect(r.skipped).toEqual([{ event_id: e.event_id, type: 'seat.changed', guest_id: 'mover', reason: 'cloud_decision' }]);
    expect(await guest('mover')).toEqual(before);
  });

  it.skipIf(backend !== 'postgres')('takes console moves and hub batches of one guest at once without a deadlock, converging on the latest HLC', async () => {
    const tables = ['d-t1', 'd-t2', 'd-t3'];
    const decided: { hlc: string; table: string }[] = [];
    const planner = (i: number) => t.db.tx(async (q) => {
      await q.query('SELECT guestlist.lock_venue($1)', [venue]);
      const table = tables[i % 3] as string;
      const rows = await q.query<{ table_hlc: string }>(`UPDATE guestlist.guests SET table_id = $1 WHERE id = 'busy' AND table_id IS DISTINCT FROM $1 RETURNING table_hlc`, [table]);
      await q.query('SELECT pg_sleep(0.005)');
      await recordAudit(q, { channel: 'console', actorId: 'acc_ana', actor: 'ana@planner.example' }, { tenantId: tenant, action: 'seat.move', entity: 'guest', entityId: 'busy', venueId: venue });
      if (rows[0]) decided.push({ hlc: rows[0].table_hlc, table });
    });
    const hubRound = async (i: number) => {
      const hlc = nextHlc(Date.now() + (i % 2 ? 50 : -50), 'venue');
      const table = tables[(i + 1) % 3] as string;
      await send([checkinEvent({ venue_id: venue, device_id: door.device_id }), move('busy', tables[i % 3] as string, table, hlc)]);
      decided.push({ hlc, table });
    };
    for (let round = 0; round < 15; round++) await Promise.all([planner(round), hubRound(round), planner(round + 1), hubRound(round + 7)]);
    const latest = decided.reduce((a, b) => (b.hlc > a.hlc ? b : a));
    expect(await guest('busy')).toMatchObject({ table_id: latest.table, table_hlc: latest.hlc });
  });

  /** Whether the hub drops its pending decision `pending` on the cloud's guest (edge-agent/store.ts: equal or later). */
  const hubDrops = (cloudHlc: string | null, pending: string) => cloudHlc !== null && cloudHlc >= pending;

  it('answers a winning move to a table it deleted: the cloud\'s table stays, with a cloud HLC after the venue\'s and a conflict row', async () => {
    const before = await guest('to-gone');
    const hubHlc = nextHlc(Date.now() - 60_000, 'venue');
    const e = move('to-gone', 'd-t1', 'd-gone', hubHlc);
    await send([e]);
    const after = await guest('to-gone');
    expect(after).toMatchObject({ table_id: 'd-t1' });
    expect(after?.table_hlc).toMatch(/\.c$/);
    // The guest's version moved and its HLC is past the hub's: the hub's next page drops its pending move.
    expect(Number(after?.version)).toBeGreaterThan(Number(before?.version));
    expect(hubDrops(after?.table_hlc ?? null, hubHlc)).toBe(true);
    expect(await conflictsOf('to-gone')).toEqual([{
      field: 'table', winner_value: 'd-t1', winner_hlc: after?.table_hlc, winner_source: 'cloud', winner_actor: null,
      loser_value: 'd-gone', loser_hlc: hubHlc, loser_source: 'hub', loser_actor: `${hub.device_id} (supervisor)`, event_id: e.event_id,
    }]);
    // The venue, not knowing yet, moved the guest on from the table it thought they were at: that follows its own
    // decision, so it wins over the cloud's answer and is no second conflict.
    const next = nextHlc(Date.now() - 30_000, 'venue', hubHlc);
    await send([move('to-gone', 'd-gone', 'd-t3', next)]);
    expect(await guest('to-gone')).toMatchObject({ table_id: 'd-t3', table_hlc: next });
    expect(await conflictsOf('to-gone')).toHaveLength(1);
  });

  it('seats a walk-in at a table it deleted at none, with a cloud HLC after the venue\'s and a conflict row; a move of it in the same batch follows on', async () => {
    const hlc = nextHlc(Date.now() - 60_000, 'venue');
    const added = event('guest.added', { guest_id: 'w-gone-hlc', name: 'Walk In', party_size: 2, table_id: 'd-gone', door_id: 'door-a', by_role: 'steward', hlc });
    await send([added]);
    const g = await guest('w-gone-hlc');
    expect(g).toMatchObject({ table_id: null, party_hlc: hlc });
    expect(g?.table_hlc).toMatch(/\.c$/);
    expect(hubDrops(g?.table_hlc ?? null, hlc)).toBe(true);
    expect(await conflictsOf('w-gone-hlc')).toEqual([{
      field: 'table', winner_value: null, winner_hlc: g?.table_hlc, winner_source: 'cloud', winner_actor: null,
      loser_value: 'd-gone', loser_hlc: hlc, loser_source: 'hub', loser_actor: 'door-a (steward)', event_id: added.event_id,
    }]);

    // Walk-in at a deleted table and its move in one batch: one conflict (the walk-in's), none with the hub on both sides.
    const h1 = nextHlc(Date.now() - 60_000, 'venue');
    const h2 = nextHlc(Date.now() - 50_000, 'venue', h1);
    await send([
      event('guest.added', { guest_id: 'w-gone-moved', name: 'Walk In', party_size: 2, table_id: 'd-gone', door_id: 'door-a', by_role: 'steward', hlc: h1 }),
      move('w-gone-moved', 'd-gone', 'd-t2', h2),
    ]);
    expect(await guest('w-gone-moved')).toMatchObject({ table_id: 'd-t2', table_hlc: h2 });
    const rows = await conflictsOf('w-gone-moved');
    expect(rows).toEqual([expect.objectContaining({ loser_value: 'd-gone', loser_source: 'hub', winner_source: 'cloud' })]);
  });

  it('a move that comes before its walk-in in a batch is applied once the walk-in is added', async () => {
    const h1 = nextHlc(Date.now() - 60_000, 'venue');
    const h2 = nextHlc(Date.now() - 50_000, 'venue', h1);
    const r = await send([
      move('w-late', 'd-t1', 'd-t3', h2),
      event('guest.added', { guest_id: 'w-late', name: 'Walk In', party_size: 2, table_id: 'd-t1', door_id: 'door-a', by_role: 'steward', hlc: h1 }),
    ]);
    expect(r).toMatchObject({ accepted: 2, rejected: [] });
    expect(await guest('w-late')).toMatchObject({ table_id: 'd-t3', table_hlc: h2 });
    expect(await conflictsOf('w-late')).toEqual([]);
  });

  it('shows the planner a walk-in it has no night for, and the moves of it, in the seat conflicts', async () => {
    // Ten days ago: no night of this venue was under way (one tonight, one next month).
    const then = new Date(Date.now() - 10 * 24 * HOUR).toISOString();
    const hlc = nextHlc(Date.parse(then), 'venue');
    const added = event('guest.added', { guest_id: 'w-no-night', name: 'Walk In', party_size: 2, table_id: 'd-t1', door_id: 'door-b', by_role: 'supervisor', hlc }, hub, { occurred_at: then });
    const moved = move('w-no-night', 'd-t1', 'd-t2', nextHlc(Date.parse(then), 'venue', hlc));
    await send([added, moved]);
    expect(await guest('w-no-night')).toBeUndefined();
    expect(await conflictsOf('w-no-night')).toEqual([
      { field: 'table', winner_value: null, winner_hlc: null, winner_source: 'cloud', winner_actor: null, loser_value: 'd-t1', loser_hlc: hlc, loser_source: 'hub', loser_actor: 'door-b (supervisor)', event_id: added.event_id },
      expect.objectContaining({ field: 'table', winner_value: null, winner_source: 'cloud', loser_value: 'd-t2', loser_source: 'hub', event_id: moved.event_id }),
    ]);
    // A later batch's move of it too.
    const again = move('w-no-night', 'd-t2', 'd-t3', nextHlc(Date.now(), 'venue'));
    await send([again]);
    expect((await conflictsOf('w-no-night')).map((c) => c.event_id)).toEqual([added.event_id, moved.event_id, again.event_id]);
    // The console lists it (no guest row to name it by: the id is shown).
    const listed = await t.db.query<{ guest_id: string }>(`SELECT guest_id FROM guestlist.seat_conflicts WHERE venue_id = $1 AND guest_id = 'w-no-night'`, [venue]);
    expect(listed).toHaveLength(3);
  });

  it('refuses a walk-in and a move from a door\'s key, per event, and applies none a door made', async () => {
    const walkIn = event('guest.added', { guest_id: 'w-door', name: 'By a door', party_size: 1, table_id: 'd-t1', door_id: 'door-a', by_role: 'supervisor' }, door);
    const moved = move('by-door', 'd-t1', 'd-t3', nextHlc(Date.now(), 'venue'));
    const byDoor = { ...moved, device_id: door.device_id } as SeatPilotEvent;
    const check = checkinEvent({ venue_id: venue, device_id: door.device_id });
    expect(await send([walkIn, byDoor, check], door)).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED }, { index: 1, reason: 'invalid_event', detail: VENUE_DECISION_REFUSED }],
    });
    // And the hub relaying them for a door.
    expect(await send([{ ...walkIn, event_id: randomUUID() }, { ...byDoor, event_id: randomUUID() }])).toMatchObject({ accepted: 0, rejected: [{ index: 0 }, { index: 1 }] });
    // Defence in depth: the rule itself applies only the hub's own, for the hub's caller.
    expect(await t.db.tx((q) => applyVenueDecisions(q, callerOf(door), [walkIn, byDoor]))).toEqual({ guests_added: [], applied: [], conflicts: 0, audit_entries: 0, audit_forked: 0, skipped: [] });
    expect(await t.db.tx((q) => applyVenueDecisions(q, callerOf(hub), [walkIn, byDoor]))).toEqual({ guests_added: [], applied: [], conflicts: 0, audit_entries: 0, audit_forked: 0, skipped: [] });
    expect(await guest('w-door')).toBeUndefined();
    expect(await guest('by-door')).toMatchObject({ table_id: 'd-t1' });
  });

  it.skipIf(backend !== 'postgres')('a hub batch waiting for its venue (a console import under way) holds up no other venue of the tenant', async () => {
    const otherVenue = (await addVenue(t.db, tenant, 'Annex')).id;
    const otherDoor = await addDevice(t.db, otherVenue, 'kiosk');
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    // The import: holds the venue's guest-list lock until the test lets go.
    const importing = t.db.tx(async (q) => {
      await q.query('SELECT guestlist.lock_venue($1)', [venue]);
      locked();
      await released;
    });
    try {
      await isLocked;
      const hubBatch = send([checkinEvent({ venue_id: venue, device_id: door.device_id }), move('mover', 'd-t3', 'd-t2', nextHlc(Date.now(), 'venue'))]);
      // Give the hub's batch its turn to take the locks it takes before the venue's.
      await new Promise((r) => setTimeout(r, 300));
      const other = send([checkinEvent({ venue_id: otherVenue, device_id: otherDoor.device_id })], otherDoor);
      const outcome = await Promise.race([other.then(() => 'stored'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
      expect(outcome).toBe('stored');
      release();
      await hubBatch;
    } finally {
      release();
      await importing;
    }
  }, 30_000);

  it('reads nothing for a batch without venue decisions', async () => {
    let queries = 0;
    const counting: Queryable = { ...t.db, query: async (...args: Parameters<Queryable['query']>) => { queries++; return t.db.query(...args); } } as Queryable;
    const r = await applyVenueDecisions(counting, callerOf(door), [checkinEvent({ venue_id: venue, device_id: door.device_id })]);
    expect(r).toEqual({ guests_added: [], applied: [], conflicts: 0, audit_entries: 0, audit_forked: 0, skipped: [] });
    expect(queries).toBe(0);
  });

  const auditPayload = (seq: number) => ({
    seq, at: new Date().toISOString(), device_id: door.device_id, actor: door.device_id, role: 'device', action: 'checkin.succeeded', entity: 'guest',
    entity_id: 'mover', before: null, after: { z: 1, a: 'ñandú', nested: { b: [1, 2], a: null } }, prev_hash: '0'.repeat(64), hash: 'a'.repeat(64),
  });

  it('refuses an audit entry from a door\'s key, and one the hub relays for a door; takes the hub\'s own', async () => {
    const fromDoor = event('audit.entry', auditPayload(1), door);
    const relayed = event('audit.entry', auditPayload(1), door);
    const own = event('audit.entry', auditPayload(1));
    const byDoor = await send([fromDoor], door);
    expect(byDoor).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: 'invalid_event', detail: 'audit entries are made by the venue hub' }] });
    const byHub = await send([relayed, own]);
    expect(byHub).toMatchObject({ accepted: 1, rejected: [{ index: 0, reason: 'invalid_event', detail: 'audit entries are made by the venue hub' }] });
    const rows = await t.db.query<{ seq: number; after_json: string; before_json: string | null; event_id: string }>('SELECT seq, after_json, before_json, event_id::text FROM telemetry.venue_audit WHERE venue_id = $1', [venue]);
    // The JSON text as JSON.stringify gives it from the payload, key order and all (jsonb would have reordered it).
    expect(rows).toEqual([{ seq: 1, after_json: JSON.stringify(auditPayload(1).after), before_json: null, event_id: own.event_id }]);
    // The same seq again under another event (a rebuilt hub): the first stays.
    await send([event('audit.entry', { ...auditPayload(1), action: 'other' })]);
    expect((await t.db.query('SELECT action FROM telemetry.venue_audit WHERE venue_id = $1', [venue]))).toEqual([{ action: 'checkin.succeeded' }]);
  });

  it('counts an entry at a seq already held with another hash as forked, keeps the stored one; the same entry again is no fork', async () => {
    const held = await t.db.query<{ hash: string; action: string }>('SELECT hash, action FROM telemetry.venue_audit WHERE venue_id = $1 AND seq = 1', [venue]);
    expect(held).toEqual([{ hash: 'a'.repeat(64), action: 'checkin.succeeded' }]);
    const apply = (events: SeatPilotEvent[]) => t.db.tx((q) => applyVenueDecisions(q, callerOf(hub), events));
    // The same entry under another event id (so past the ingest's dedup): a no-op.
    expect(await apply([event('audit.entry', auditPayload(1))])).toMatchObject({ audit_entries: 0, audit_forked: 0 });
    // Another chain's seq 1 and 2 in one batch: seq 2 is new and stored, seq 1 is a fork; and two entries at one new
    // seq in the same batch: one is stored, the other a fork.
    const other = { ...auditPayload(1), action: 'guest.added', hash: 'b'.repeat(64) };
    const r = await apply([event('audit.entry', other), event('audit.entry', { ...auditPayload(2), hash: 'c'.repeat(64) }), event('audit.entry', { ...auditPayload(2), hash: 'd'.repeat(64) })]);
    expect(r).toEqual({ guests_added: [], applied: [], conflicts: 0, audit_entries: 1, audit_forked: 2, skipped: [] });
    expect(await t.db.query('SELECT seq, hash, action FROM telemetry.venue_audit WHERE venue_id = $1 AND seq = 1', [venue])).toEqual([{ seq: 1, ...held[0] }]);
  });

  it('shows the conflicts and the carried audit to the console of their tenant only', async () => {
    const mine = await scoped(t.db, { tenantId: tenant, accountId: 'acc_ana' }, async (q) => ({
      conflicts: (await q.query('SELECT 1 FROM guestlist.seat_conflicts')).length, audit: (await q.query('SELECT 1 FROM telemetry.venue_audit')).length,
    }));
    expect(mine.conflicts).toBeGreaterThan(0);
    expect(mine.audit).toBeGreaterThan(0);
    const theirs = await scoped(t.db, { tenantId: otherTenant, accountId: 'acc_other' }, async (q) => ({
      conflicts: (await q.query('SELECT 1 FROM guestlist.seat_conflicts')).length, audit: (await q.query('SELECT 1 FROM telemetry.venue_audit')).length,
    }));
    expect(theirs).toEqual({ conflicts: 0, audit: 0 });
  });
});

type Device = IssuedKey & { kind: DeviceKind };

function callerOf(k: Device): Caller {
  return { keyId: k.key_id, tenantId: k.tenant_id, venueId: k.venue_id, deviceId: k.device_id, deviceKind: k.kind };
}
