// The venue desk's IPC channels over a real hub: `seatpilot agent`'s app (startAgent) on 127.0.0.1 with its SQLite file,
// a kiosk runtime from its config (its own SQLite file, the hub over its signed key), and the handlers browser mode and
// Electron serve. Walk-ins, moves, party changes and undo as staff do them; what a steward is refused and never sent;
// the hub's refusals in words staff understand; the LAN down; a wrong PIN audited at the hub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningAgent } from '../../edge-agent/runtime';
import { verifyHubAudit } from '../../edge-agent/audit-log';
import { SignedHttp } from '../../protocol/http-client';
import { kioskOnHub, startTestHub } from '../../tests/fixtures/hub-kiosk';
import { guestChange, occasionChange, page as syncPage, tableChange } from '../../tests/fixtures/sync-fixtures';
import { freePort } from '../../tests/procs';
import { waitFor } from '../../tests/wait';
import type { KioskRuntime } from '../runtime';
import { KioskUiService, staffHub } from '../ui-service';
import { createHandlers, type Handlers } from './handlers';
import type { IpcResult } from './channels';

const STEWARD_PIN = '2468';
const SUPERVISOR_PIN = '975310';
const DOOR = 'door-a';
const TABLES = [
  { id: 't1', label: '1', capacity: 4 },
  { id: 't2', label: '2', capacity: 20 },
  { id: 't3', label: '3', capacity: 2 },
];
const GUESTS = [
  { id: 'g_ana', name: 'Ana Souza', table_id: 't1', party_size: 2 }, // moved by the supervisor
  { id: 'g_bruno', name: 'Bruno Díaz', table_id: 't1', party_size: 1 }, // a steward's +1
  { id: 'g_carla', name: 'Carla Núñez', table_id: 't2', party_size: 1 }, // checked in, then undone
  { id: 'g_dora', name: 'Dora Lima', table_id: 't3', party_size: 2 }, // fills table 3
];
const ticket = (id: string) => `TKT-${id}`;

const value = <T>(r: IpcResult<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('desk channels against a real hub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-kiosk-desk-'));
  let agent: RunningAgent;
  let kiosk: KioskRuntime;
  let h: Handlers;
  let steward: string;
  let supervisor: string;
  const hubGuest = (id: string) => agent.store.db.prepare('SELECT id, name, table_id, party_size, origin FROM guests WHERE id = ?').get(id) as { id: string; name: string; table_id: string | null; party_size: number; origin: string } | undefined;
  const hubAudit = (action: string) =>
    agent.store.db.prepare('SELECT seq, device_id, actor, role, action, entity, entity_id, after_json FROM audit_log WHERE action = ? ORDER BY seq').all(action) as { device_id: string; actor: string; role: string; entity: string; entity_id: string | null; after_json: string }[];
  const unlock = async (pin: string) => value(await h['staff.unlock']({ pin })).staff_token;

  beforeAll(async () => {
    const now = Date.now();
    agent = await startTestHub(dir, syncPage([
      occasionChange(1, { starts_at: new Date(now - 3600_000).toISOString(), ends_at: new Date(now + 5 * 3600_000).toISOString() }),
      ...TABLES.map((t, i) => tableChange(2 + i, t)),
      ...GUESTS.map((g, i) => guestChange(10 + i, { ...g, credentials: [{ kind: 'barcode', value: ticket(g.id) }] })),
    ], 'cloud-1'));
    kiosk = await kioskOnHub(agent, dir, {
      deviceId: 'kiosk-a', doorId: DOOR, name: 'kiosk',
      ui: { venue_name: 'Hall', language: 'en', staff_pin: STEWARD_PIN, supervisor_pin: SUPERVISOR_PIN },
    });
    h = createHandlers({ service: kiosk.service });
    await waitFor('the kiosk to receive the guest list', () => GUESTS.every((g) => kiosk.checkinService.search(g.name).length > 0));
    steward = await unlock(STEWARD_PIN);
    supervisor = await unlock(SUPERVISOR_PIN);
  }, 60_000);

  afterAll(async () => {
    await kiosk?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a steward adds a walk-in at the table the hub proposes: checked in at once, and this door knows the guest', async () => {
    const proposal = value(await h['desk.proposeWalkIn']({ staff_token: steward, party_size: 2 }));
    expect(proposal.options.length).toBeGreaterThan(0);
    for (const o of proposal.options) expect(o.free_seats).toBeGreaterThanOrEqual(2);
    // Table 3 (2 seats, Dora's party of 2 there) has no room, so it is never offered.
    expect(proposal.options.map((o) => o.table_id)).not.toContain('t3');
    const pick = proposal.options[0]!;
    const added = value(await h['desk.addWalkIn']({ staff_token: steward, name: 'Walker Uno', party_size: 2, table_id: pick.table_id }));
    expect(added).toMatchObject({ created: true, guest: { name: 'Walker Uno', party_size: 2, table_id: pick.table_id, table_label: pick.label } });
    expect(hubGuest(added.guest.id)).toMatchObject({ name: 'Walker Uno', table_id: pick.table_id, party_size: 2, origin: 'venue' });
    // The hub recorded who asked: this kiosk's door and the steward's role.
    const entry = hubAudit('guest.added').find((e) => JSON.parse(e.after_json).guest_id === added.guest.id);
    expect(entry?.role).toBe('steward');
    expect(JSON.parse(entry!.after_json)).toMatchObject({ door_id: DOOR });
    // The door's own list gets the guest from the hub's feed, already checked in.
    const hit = await waitFor('the walk-in in this door\'s list', () => kiosk.checkinService.search('Walker').find((g) => g.guest_id === added.guest.id));
    expect(hit).toMatchObject({ table_id: pick.table_id });
    await waitFor('the walk-in checked in at this door', () => kiosk.checkinService.search('Walker').find((g) => g.guest_id === added.guest.id)?.checked_in_at);
  });

  it('sent twice with the same request id, a walk-in is added once', async () => {
    const request_id = globalThis.crypto.randomUUID();
    const first = value(await h['desk.addWalkIn']({ staff_token: steward, request_id, name: 'Walker Dos', party_size: 1, table_id: 't2' }));
    const again = value(await h['desk.addWalkIn']({ staff_token: steward, request_id, name: 'Walker Dos', party_size: 1, table_id: 't2' }));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, guest: { id: first.guest.id } });
    expect(agent.store.db.prepare("SELECT count(*) FROM guests WHERE name = 'Walker Dos'").pluck().get()).toBe(1);
    // The same id with another request is the hub's 409 request_reused, in words staff understand; nobody is added.
    expect(await h['desk.addWalkIn']({ staff_token: steward, request_id, name: 'Walker Tres', party_size: 1, table_id: 't2' })).toEqual({
      ok: false, error: { code: 'request_reused', message: 'The venue hub had this request id for another request: nothing was done. Start again from the screen.' },
    });
    expect(agent.store.db.prepare("SELECT count(*) FROM guests WHERE name = 'Walker Tres'").pluck().get()).toBe(0);
  });

  it('refuses a steward a move to another table and an undo before asking the hub; the party size is theirs to change', async () => {
    const auditBefore = hubAudit('seat.changed').length;
    expect(await h['desk.move']({ staff_token: steward, guest_id: 'g_ana', to_table_id: 't2' })).toEqual({
      ok: false, error: { code: 'supervisor_required', message: 'A supervisor must do this: ask them to enter their PIN.' },
    });
    expect(await h['desk.revert']({ staff_token: steward, guest_id: 'g_carla', reason: 'scanned by mistake' })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    expect(hubGuest('g_ana')?.table_id).toBe('t1');
    expect(hubAudit('seat.changed')).toHaveLength(auditBefore);
    // Naming the guest's own table is no move: a +1 with it stays a steward's.
    const plusOne = value(await h['desk.move']({ staff_token: steward, guest_id: 'g_bruno', to_table_id: 't1', party_size: 2 }));
    expect(plusOne).toMatchObject({ from_party_size: 1, guest: { id: 'g_bruno', party_size: 2, table_id: 't1' } });
    expect(hubGuest('g_bruno')?.party_size).toBe(2);
    await waitFor('the new party size at this door', () => kiosk.checkinService.search('Bruno')[0]?.party_size === 2);
  });

  it('a walk-in larger than stewards may add is the hub\'s call: refused to the steward, added for the supervisor', async () => {
    const big = { name: 'Grupo Grande', party_size: 6, table_id: 't2' };
    expect(await h['desk.addWalkIn']({ staff_token: steward, ...big })).toMatchObject({ ok: false, error: { code: 'supervisor_required' } });
    expect(agent.store.db.prepare("SELECT count(*) FROM guests WHERE name = 'Grupo Grande'").pluck().get()).toBe(0);
    expect(value(await h['desk.addWalkIn']({ staff_token: supervisor, ...big }))).toMatchObject({ created: true, guest: { party_size: 6, table_id: 't2' } });
  });

  it('a supervisor moves a guest and undoes a check-in; the hub\'s refusals come back in words staff understand', async () => {
    const moved = value(await h['desk.move']({ staff_token: supervisor, guest_id: 'g_ana', to_table_id: 't2' }));
    expect(moved).toMatchObject({ from_table_id: 't1', guest: { table_id: 't2', table_label: '2' } });
    expect(hubGuest('g_ana')?.table_id).toBe('t2');
    await waitFor('the move at this door', () => kiosk.checkinService.search('Ana Souza')[0]?.table_id === 't2');

    // Carla checks in at this door; once the hub has it, the supervisor undoes it.
    expect(kiosk.checkinService.scan(ticket('g_carla'), { kind: 'barcode' }).status).toBe('ok');
    await waitFor('the check-in at the hub', () => agent.store.db.prepare("SELECT 1 FROM audit_log WHERE action = 'checkin.succeeded' AND json_extract(after_json, '$.guest_id') = 'g_carla'").get());
    const undone = value(await h['desk.revert']({ staff_token: supervisor, guest_id: 'g_carla', reason: 'scanned by mistake' }));
    expect(undone).toMatchObject({ guest_id: 'g_carla', created: true });
    await waitFor('the undo at this door', () => kiosk.checkinService.search('Carla')[0]?.checked_in_at === null);
    expect(await h['desk.revert']({ staff_token: supervisor, guest_id: 'g_carla', reason: 'again' })).toEqual({
      ok: false, error: { code: 'nothing_to_revert', message: 'This guest has no check-in to undo.' },
    });

    expect(await h['desk.addWalkIn']({ staff_token: supervisor, name: 'No Room', party_size: 2, table_id: 't3' })).toEqual({
      ok: false, error: { code: 'table_full', message: 'That table has no room for the whole party: pick another table.' },
    });
    expect(await h['desk.move']({ staff_token: supervisor, guest_id: 'g_nobody', party_size: 2 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await h['desk.move']({ staff_token: supervisor, guest_id: 'g_bruno', to_table_id: 't_none' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('checks each request at the crossing, and keeps every desk channel behind the staff PIN', async () => {
    expect(await h['desk.addWalkIn']({ staff_token: steward, name: '', party_size: 1, table_id: null })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h['desk.proposeWalkIn']({ staff_token: steward, party_size: 0 })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('/party_size') } });
    expect(await h['desk.proposeWalkIn']({ staff_token: steward, party_size: 2, needs: ['wheel chair'] })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await h['desk.move']({ staff_token: steward, guest_id: 'g_bruno', party_size: 2, by_role: 'supervisor' })).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('by_role') } });
    expect(await h['desk.revert']({ staff_token: supervisor, guest_id: 'g_carla', reason: 'x', request_id: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const forged = 'f'.repeat(32);
    for (const [channel, req] of [
      ['desk.proposeWalkIn', { party_size: 1 }],
      ['desk.addWalkIn', { name: 'X', party_size: 1, table_id: null }],
      ['desk.move', { guest_id: 'g_bruno', party_size: 1 }],
      ['desk.revert', { guest_id: 'g_bruno', reason: 'x' }],
    ] as const) {
      expect(await h[channel]({ staff_token: forged, ...req })).toMatchObject({ ok: false, error: { code: 'staff_locked' } });
    }
  });

  it('with the LAN down, or no hub at all, says walk-ins and moves need the venue hub', async () => {
    const port = await freePort(); // nothing listens there: a hub whose network is gone
    const cut = new KioskUiService(kiosk.store.db, kiosk.checkinService, {
      venueName: 'Hall', language: 'en', staffPin: STEWARD_PIN, resultMs: 5000, scanners: () => ({ state: 'ok', devices: [] }),
      hub: staffHub(new SignedHttp({ baseUrl: `http://127.0.0.1:${port}`, keyId: 'k', secret: 's'.repeat(32) }, { timeoutMs: 2_000 })),
    });
    const lan = createHandlers({ service: cut });
    const token = value(await lan['staff.unlock']({ pin: STEWARD_PIN })).staff_token;
    for (const r of [
      await lan['desk.proposeWalkIn']({ staff_token: token, party_size: 2 }),
      await lan['desk.addWalkIn']({ staff_token: token, name: 'Offline', party_size: 1, table_id: null }),
      await lan['desk.move']({ staff_token: token, guest_id: 'g_bruno', party_size: 3 }),
      await lan['desk.revert']({ staff_token: token, guest_id: 'g_bruno', reason: 'x' }),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'hub_unreachable', message: expect.stringMatching(/^Walk-ins and moves need the venue hub, and it is not answering \(.+\): check the hub and the network/) } });
    }
    const alone = createHandlers({ service: new KioskUiService(kiosk.store.db, kiosk.checkinService, { venueName: 'Hall', language: 'en', staffPin: STEWARD_PIN, resultMs: 5000, scanners: () => ({ state: 'ok', devices: [] }) }) });
    const t2 = value(await alone['staff.unlock']({ pin: STEWARD_PIN })).staff_token;
    expect(await alone['desk.proposeWalkIn']({ staff_token: t2, party_size: 2 })).toEqual({ ok: false, error: { code: 'no_hub', message: 'Walk-ins and moves need the venue hub: this kiosk has none configured.' } });
  });

  it('queues each wrong PIN as staff.pin_failed, and the hub audits it as the door\'s once pushed', async () => {
    const before = hubAudit('staff.pin_failed').length;
    // A source of its own, so the screen's lockout and the other tests' sessions are untouched.
    const src = { source: '192.0.2.7' };
    expect(await h['staff.unlock']({ pin: '0000' }, src)).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    expect(await h['staff.unlock']({ pin: '0001' }, src)).toMatchObject({ ok: false, error: { code: 'wrong_pin' } });
    const queued = (kiosk.store.db.prepare("SELECT event_json FROM outbox WHERE type = 'staff.pin_failed' ORDER BY id").pluck().all() as string[]).map((j) => JSON.parse(j));
    expect(queued.slice(-2).map((e) => e.payload)).toEqual([
      { door_id: DOOR, failures: 1, locked: false },
      { door_id: DOOR, failures: 2, locked: false },
    ]);
    expect(queued.at(-1)).toMatchObject({ venue_id: 'v1', device_id: 'kiosk-a' });
    const audited = await waitFor('the wrong PINs in the hub\'s audit', () => {
      const rows = hubAudit('staff.pin_failed');
      return rows.length >= before + 2 ? rows : null;
    });
    expect(audited.slice(-2).map((r) => ({ device_id: r.device_id, role: r.role, entity: r.entity, entity_id: r.entity_id, after: JSON.parse(r.after_json) }))).toEqual([
      { device_id: 'kiosk-a', role: 'device', entity: 'door', entity_id: DOOR, after: expect.objectContaining({ door_id: DOOR, failures: 1, locked: false }) },
      { device_id: 'kiosk-a', role: 'device', entity: 'door', entity_id: DOOR, after: expect.objectContaining({ door_id: DOOR, failures: 2, locked: false }) },
    ]);
    expect((await verifyHubAudit(agent.store.db)).state).toBe('intact');
  });
});
