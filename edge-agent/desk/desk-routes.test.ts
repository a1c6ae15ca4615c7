// The desk's signed kiosk routes on a real hub (SQLite file, HTTP on 127.0.0.1) with two kiosks (SQLite files, the
// real decision, pull client and sync-apply): a walk-in or a move made through door A's staff mode reaches door B's
// SQLite through the real sync path; roles are refused 403 supervisor_required; repeats are done once; door versions
// keep B applying the cloud's later changes and tombstones after a local move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SeatPilotEvent } from '../../core/contract/contract';
import type { WalkInProposal, WalkInResult } from '../../core/contract/desk';
import { SignedHttp } from '../../protocol/http-client';
import { moveGuest, proposeWalkIn, revertCheckin, StaffApiError } from '../../protocol/staff-client';
import { guestChange, occasionChange, page, tableChange } from '../../tests/fixtures/sync-fixtures';
import { parseAgentConfig } from '../config';
import { hubDoor, type HubDoor } from '../../tests/fixtures/hub-doors';
import { startAgent, type RunningAgent } from '../runtime';

const VENUE = 'ven_desk_routes';
const T0 = Date.parse('2026-06-20T19:00:00.000Z');

type Door = HubDoor;

describe('the desk over the hub’s signed routes, to every door', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-desk-routes-'));
  let agent: RunningAgent;
  let a: Door;
  let b: Door;
  let now = T0;

  const door = (device: string, doorId: string): Door => hubDoor({ agent, dir, venueId: VENUE, device, doorId, clock: () => now, signingClock: () => now });
  const pulled = async (d: Door) => {
    const r = await d.pull.pull();
    expect(r.error).toBeUndefined();
  };
  const post = async (d: Door, path: string, body: unknown) => d.http.request('POST', path, JSON.stringify(body));
  const kioskGuest = (d: Door, id: string) => d.db.prepare('SELECT name, table_id, party_size, status, version FROM guests WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  const staffError = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof StaffApiError) return `${e.status} ${e.code}`;
      throw e;
    }
    return 'no error';
  };

  beforeAll(async () => {
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: VENUE, device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 }, desk: { steward_walk_in_max: 3 } }),
      databaseFile: join(dir, 'agent.sqlite'),
      now: () => now,
    });
    agent.store.applyCloudPage(page([
      occasionChange(1),
      tableChange(2, { id: 't1', label: 'Table 1', capacity: 10, tags: ['accessible'] }),
      tableChange(3, { id: 't2', label: 'Table 2', capacity: 6 }),
      guestChange(4, { id: 'g_gil', name: 'Gil Gómez', table_id: 't1', party_size: 2, credentials: [{ kind: 'barcode', value: 'TICKET-GIL' }] }),
      guestChange(5, { id: 'g_hal', name: 'Hal Hart', table_id: 't2', party_size: 3, credentials: [{ kind: 'barcode', value: 'TICKET-HAL' }] }),
    ], 'cloud-1'));
    a = door('kiosk_a', 'door_a');
    b = door('kiosk_b', 'door_b');
    await pulled(a);
    await pulled(b);
  });
  afterAll(async () => {
    a?.db.close();
    b?.db.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proposes a table for a walk-in (best fit, needs) and refuses a bad body 400, a gateway key 403', async () => {
    const p: WalkInProposal = await proposeWalkIn(a.http, { party_size: 3, by_role: 'steward', door_id: 'door_a' });
    // t2: 6 − 3 = 3 free (exact), t1: 10 − 2 = 8.
    expect(p.options.map((o) => [o.table_id, o.free_seats])).toEqual([['t2', 3], ['t1', 8]]);
    const needs = await proposeWalkIn(a.http, { party_size: 3, needs: ['accessible'], by_role: 'steward', door_id: 'door_a' });
    expect(needs.options.map((o) => o.table_id)).toEqual(['t1']);
    const bad = await post(a, '/v1/desk/walk-ins/proposal', { party_size: 0, by_role: 'steward', door_id: 'door_a' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'bad_request' });
    const gwKey = agent.store.issueKey('gw_1', 'gateway');
    const gw = new SignedHttp({ baseUrl: agent.url, keyId: gwKey.key_id, secret: gwKey.secret }, { now: () => now });
    expect((await gw.request('POST', '/v1/desk/walk-ins/proposal', JSON.stringify({ party_size: 1, by_role: 'supervisor', door_id: 'x' }))).status).toBe(403);
  });

  it('a walk-in is 201, its repeat 200 with the first result; door B knows the guest and the check-in after its pull', async () => {
    const body = { request_id: randomUUID(), name: 'Iris Ibáñez', party_size: 2, table_id: 't2', by_role: 'steward', door_id: 'door_a' };
    const first = await post(a, '/v1/desk/walk-ins', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const r = first.body as WalkInResult;
    expect(r).toMatchObject({ created: true, guest: { name: 'Iris Ibáñez', table_id: 't2', table_label: 'Table 2' } });
    const again = await post(a, '/v1/desk/walk-ins', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...r, created: false });
    expect(agent.store.db.prepare("SELECT count(*) FROM guests WHERE origin = 'venue'").pluck().get()).toBe(1);

    await pulled(b);
    expect(kioskGuest(b, r.guest.id)).toEqual({ name: 'Iris Ibáñez', table_id: 't2', party_size: 2, status: 'active', version: 1 });
    expect(b.db.prepare("SELECT count(*) FROM checkins WHERE guest_id = ? AND outcome = 'admitted'").pluck().get(r.guest.id)).toBe(1);
    // The walk-in's device is the hub, its door A's, its author in the audit kiosk A with its role.
    const added = JSON.parse(agent.store.db.prepare("SELECT event_json FROM outbox WHERE type = 'guest.added'").pluck().get() as string) as SeatPilotEvent;
    expect(added).toMatchObject({ device_id: 'dev_hub', venue_id: VENUE, payload: { door_id: 'door_a', by_role: 'steward' } });
    expect(agent.store.db.prepare("SELECT actor, role FROM audit_log WHERE action = 'guest.added'").get()).toEqual({ actor: 'kiosk_a', role: 'steward' });
  });

  it('refuses a steward 403 supervisor_required: a move to another table, a walk-in over the limit, an undo', async () => {
    const move = await post(a, '/v1/desk/moves', { request_id: randomUUID(), guest_id: 'g_gil', to_table_id: 't2', by_role: 'steward', door_id: 'door_a' });
    expect(move.status).toBe(403);
    expect(move.body).toEqual({ error: 'supervisor_required', message: expect.stringContaining('supervisor') });
    expect(await staffError(post(a, '/v1/desk/walk-ins', { request_id: randomUUID(), name: 'Four', party_size: 4, table_id: null, by_role: 'steward', door_id: 'door_a' }).then((r) => {
      if (r.status !== 201) throw new StaffApiError(r.status, (r.body as { error: string }).error, '');
    }))).toBe('403 supervisor_required');
    expect(await staffError(revertCheckin(a.http, { request_id: randomUUID(), guest_id: 'g_gil', reason: 'oops', by_role: 'steward', door_id: 'door_a' }))).toBe('403 supervisor_required');
    // Nothing moved.
    expect(agent.store.db.prepare('SELECT table_id FROM guests WHERE id = ?').pluck().get('g_gil')).toBe('t1');
    // A +1 is a steward's to make.
    const plus = await moveGuest(a.http, { request_id: randomUUID(), guest_id: 'g_gil', party_size: 3, by_role: 'steward', door_id: 'door_a' });
    expect(plus).toMatchObject({ guest: { party_size: 3, table_id: 't1' }, from_party_size: 2 });
    expect(await staffError(moveGuest(a.http, { request_id: randomUUID(), guest_id: 'nobody', party_size: 3, by_role: 'steward', door_id: 'door_a' }))).toBe('404 not_found');
  });

  it("a supervisor's move reaches door B's SQLite; a repeat is done once", async () => {
    const req = { request_id: randomUUID(), guest_id: 'g_gil', to_table_id: 't2', by_role: 'supervisor' as const, door_id: 'door_a' };
    // t2 holds Hal (3) and Iris (2): one seat left, Gil is 3 now.
    expect(await staffError(moveGuest(a.http, req))).toBe('409 table_full');
    const fits = { ...req, request_id: randomUUID(), party_size: 1 };
    const moved = await moveGuest(a.http, fits);
    expect(moved).toMatchObject({ from_table_id: 't1', guest: { table_id: 't2', party_size: 1 }, created: true });
    expect(await moveGuest(a.http, fits)).toEqual({ ...moved, created: false });
    await pulled(b);
    expect(kioskGuest(b, 'g_gil')).toMatchObject({ table_id: 't2', party_size: 1 });
    // B's welcome screen sends Gil to the new table.
    const scan = b.svc.scan('TICKET-GIL', { kind: 'barcode' });
    expect(scan).toMatchObject({ outcome: 'admit', guest: { id: 'g_gil', table_id: 't2' } });
  });

  it("after a local move, the cloud's next change (a lower version than the doors hold) is not skipped by the kiosk", async () => {
    const hubRow = () => agent.store.db.prepare('SELECT version, door_version FROM guests WHERE id = ?').get('g_hal') as { version: number; door_version: number };
    await moveGuest(a.http, { request_id: randomUUID(), guest_id: 'g_hal', party_size: 2, by_role: 'steward', door_id: 'door_a' });
    await moveGuest(a.http, { request_id: randomUUID(), guest_id: 'g_hal', party_size: 3, by_role: 'steward', door_id: 'door_a' });
    expect(hubRow()).toEqual({ version: 5, door_version: 7 });
    await pulled(b);
    expect(kioskGuest(b, 'g_hal')).toMatchObject({ version: 7, party_size: 3 });
    // The cloud renames Hal at its version 6: below the 7 the doors hold, so the hub feeds it as 8.
    agent.store.applyCloudPage(page([guestChange(6, { id: 'g_hal', name: 'Hal Hart Jr', table_id: 't2', party_size: 3, credentials: [{ kind: 'barcode', value: 'TICKET-HAL' }] })], 'cloud-2'));
    await pulled(b);
    expect(kioskGuest(b, 'g_hal')).toMatchObject({ name: 'Hal Hart Jr', version: 8 });
  });

  it('a tombstone after a local move is applied at the kiosk', async () => {
    await moveGuest(a.http, { request_id: randomUUID(), guest_id: 'g_hal', party_size: 1, by_role: 'steward', door_id: 'door_a' });
    await pulled(b);
    const held = kioskGuest(b, 'g_hal')!.version as number;
    agent.store.applyCloudPage(page([{ kind: 'tombstone', version: 7, entity: 'guest', id: 'g_hal' }], 'cloud-3'));
    await pulled(b);
    expect(kioskGuest(b, 'g_hal')).toMatchObject({ status: 'revoked' });
    expect(kioskGuest(b, 'g_hal')!.version as number).toBeGreaterThan(held);
    expect(b.svc.scan('TICKET-HAL', { kind: 'barcode' })).toMatchObject({ outcome: 'deny', status: 'revoked' });
  });

  it("a supervisor's undo reaches every door: door A, which admitted the guest, admits them again", async () => {
    now += 60_000;
    const scan = a.svc.scan('TICKET-GIL', { kind: 'barcode' });
    expect(scan).toMatchObject({ outcome: 'admit' });
    const ev = JSON.parse(a.db.prepare('SELECT event_json FROM outbox_events WHERE event_id = ?').pluck().get(scan.event_id) as string) as SeatPilotEvent;
    const sent = await a.http.request('POST', '/v1/events', JSON.stringify({ batch_id: randomUUID(), sent_at: new Date(now).toISOString(), events: [ev] }));
    expect(sent.status).toBe(200);
    await pulled(b);
    now += 60_000;
    expect(b.svc.scan('TICKET-GIL', { kind: 'barcode' })).toMatchObject({ outcome: 'deny', status: 'already_checked_in' });
    // The hub knows A's admission (B's own, of the move test, was never pushed): the undo names A's.
    const r = await revertCheckin(a.http, { request_id: randomUUID(), guest_id: 'g_gil', reason: 'scanned the wrong ticket', by_role: 'supervisor', door_id: 'door_a' });
    expect(r.reverted_event_id).toBe(scan.event_id);
    await pulled(b);
    expect(b.db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(scan.event_id)).toBe(r.event_id);
    await pulled(a);
    now += 60_000;
    expect(a.svc.scan('TICKET-GIL', { kind: 'barcode' })).toMatchObject({ outcome: 'admit', guest: { id: 'g_gil' } });
  });

  it('client text that cannot be stored (NUL, a lone surrogate) is 400 bad_request, never 500; a reused request id 409', async () => {
    const guests = () => agent.store.db.prepare("SELECT count(*) FROM guests WHERE origin = 'venue'").pluck().get();
    const before = guests();
    for (const name of ['Nul\u0000Name', 'Lone \ud800 half']) {
      const r = await post(a, '/v1/desk/walk-ins', { request_id: randomUUID(), name, party_size: 1, table_id: null, by_role: 'steward', door_id: 'door_a' });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toEqual({ error: 'bad_request', message: expect.stringContaining('name') });
    }
    expect(guests()).toBe(before);
    const w = await post(a, '/v1/desk/walk-ins', { request_id: randomUUID(), name: 'Nora Nunes', party_size: 1, table_id: null, by_role: 'steward', door_id: 'door_a' });
    expect(w.status).toBe(201);
    const guestId = (w.body as WalkInResult).guest.id;
    const bad = await post(a, '/v1/desk/reverts', { request_id: randomUUID(), guest_id: guestId, reason: 'typo \udc00', by_role: 'supervisor', door_id: 'door_a' });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body).toEqual({ error: 'bad_request', message: expect.stringContaining('reason') });
    const door = await post(a, '/v1/desk/walk-ins', { request_id: randomUUID(), name: 'Door Bad', party_size: 1, table_id: null, by_role: 'steward', door_id: 'door\u0000a' });
    expect(door.status).toBe(400);

    const id = randomUUID();
    expect((await post(a, '/v1/desk/moves', { request_id: id, guest_id: guestId, party_size: 2, by_role: 'steward', door_id: 'door_a' })).status).toBe(200);
    const reused = await post(a, '/v1/desk/moves', { request_id: id, guest_id: 'g_gil', party_size: 2, by_role: 'steward', door_id: 'door_a' });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({ error: 'request_reused', message: expect.stringContaining('another request') });
    // Past the steward's limit (3 at this hub) a +2 needs a supervisor.
    expect(await staffError(moveGuest(a.http, { request_id: randomUUID(), guest_id: guestId, party_size: 4, by_role: 'steward', door_id: 'door_a' }))).toBe('403 supervisor_required');
  });
});
