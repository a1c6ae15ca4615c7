// The tablets' side of the venue desk on a real hub (SQLite file, HTTP on 127.0.0.1): host tablets, VIP alerts on the
// live stream, meals and notes on the board, and the desk's routes with the tablet's role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { VipAlertSchema, WalkInProposalSchema, type VipAlert } from '../../core/contract/desk';
import { BoardSchema } from '../../core/contract/staff';
import { ajv } from '../../core/contract/validate';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page, tableChange } from '../../tests/fixtures/sync-fixtures';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { waitFor } from '../../tests/wait';
import { parseSse } from './web/queue';
import { buildAgentApp } from '../app';
import { VenueDesk } from '../desk/venue-desk';
import { AgentStore } from '../store';

const VENUE = 'ven_desk';
const validVip = ajv.compile(VipAlertSchema);
const validBoard = ajv.compile(BoardSchema);
const validProposal = ajv.compile(WalkInProposalSchema);

/** One open /tablet/api/stream, read as the page reads it, keeping every message. */
interface OpenStream {
  messages: Array<{ event: string; data: unknown }>;
  vips(): VipAlert[];
  close(): void;
}

describe('the desk on the tablets', () => {
  let app: FastifyInstance;
  let url = '';
  let store: AgentStore;
  let kiosk: TestKey;
  const streams: OpenStream[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sp-tablet-desk-'));
  const tablets: Record<'host' | 'table7' | 'table8' | 'steward' | 'supervisor', { id: string; token: string }> = {} as never;

  const checkIn = async (guestId: string, tableId: string, door = 'door-a') => {
    const e = checkinEvent(kiosk, { occurred_at: new Date().toISOString(), payload: { guest_id: guestId, table_id: tableId, door_id: door, party_size: 1 } });
    expect((await signedInject(app, kiosk, 'POST', '/v1/events', batchOf([e]))).json()).toMatchObject({ accepted: 1 });
  };
  const pair = async (body: object) => {
    const made = await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify(body));
    expect(made.statusCode).toBe(201);
    const r = await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: made.json().code }) });
    expect(r.statusCode).toBe(201);
    return { made: made.json(), id: r.json().tablet_id as string, token: r.json().token as string };
  };
  const desk = (who: keyof typeof tablets, path: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/tablet/api/desk/${path}`, headers: { authorization: `Bearer ${tablets[who].token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const open = async (who: keyof typeof tablets, tables: string): Promise<OpenStream> => {
    const ctrl = new AbortController();
    const res = await fetch(`${url}/tablet/api/stream?tables=${tables}`, { headers: { authorization: `Bearer ${tablets[who].token}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const s: OpenStream = {
      messages: [],
      vips: () => s.messages.filter((m) => m.event === 'vip').map((m) => m.data as VipAlert),
      close: () => ctrl.abort(),
    };
    void (async () => {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          const parsed = parseSse(buf + decoder.decode(value, { stream: true }));
          buf = parsed.rest;
          for (const ev of parsed.events) s.messages.push({ event: ev.event, data: JSON.parse(ev.data) });
        }
      } catch {
        // aborted at the end of the suite
      }
    })();
    streams.push(s);
    await waitFor(`the first board of ${who}`, () => s.messages.some((m) => m.event === 'board'));
    return s;
  };
  const lastBoard = (s: OpenStream) => [...s.messages].reverse().find((m) => m.event === 'board')?.data as { guests: Array<{ guest_id: string; status: string }> } | undefined;
  const guestRow = (id: string) => store.db.prepare('SELECT table_id, party_size, origin FROM guests WHERE id = ?').get(id) as { table_id: string | null; party_size: number; origin: string } | undefined;

  beforeAll(async () => {
    const { db } = openStore(join(dir, 'agent.sqlite'));
    store = new AgentStore(db, VENUE);
    const now = Date.now();
    // The cloud's list as the hub pulls it with the guest_desk feature: tags, meals and notes on the guests.
    store.applyCloudPage(page([
      occasionChange(1, { starts_at: new Date(now - 3600_000).toISOString(), ends_at: new Date(now + 5 * 3600_000).toISOString() }),
      tableChange(2, { id: 't7', label: '7', capacity: 8 }),
      tableChange(3, { id: 't8', label: '8', capacity: 8 }),
      tableChange(4, { id: 't9', label: '9', capacity: 4, tags: ['accessible'] }),
      guestChange(10, { id: 'vip7', name: 'Valeria Ibarra', table_id: 't7', tags: ['vip', 'press'], meal: 'vegetarian', notes: 'Greet by name; no photos' }),
      guestChange(11, { id: 'amy', name: 'Amy Ross', table_id: 't7', meal: 'vegetarian' }),
      guestChange(12, { id: 'ben', name: 'Ben Ortiz', table_id: 't7', meal: 'gluten-free', tags: ['press'] }),
      guestChange(13, { id: 'cal', name: 'Cal Núñez', table_id: 't7', party_size: 2 }),
      guestChange(14, { id: 'vip8', name: 'Victor Sol', table_id: 't8', tags: ['vip'] }),
      guestChange(15, { id: 'zed', name: 'Zed Mora', table_id: 't8', meal: 'vegan', party_size: 3 }),
      guestChange(16, { id: 'mover', name: 'Maya Pons', table_id: 't8' }),
      guestChange(17, { id: 'undo', name: 'Umberto Gil', table_id: 't8' }),
    ]));
    const built = await buildAgentApp({ store, tablet: { venueId: VENUE, deviceId: 'dev_hub', tickMs: 50 } });
    app = built.app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    kiosk = { ...store.issueKey('dev_kiosk', 'kiosk'), venue_id: VENUE };
    const host = await pair({ label: 'Host stand', host: true });
    expect(host.made).toMatchObject({ label: 'Host stand', role: 'steward', host: true });
    tablets.host = host;
    tablets.table7 = await pair({ label: 'Table 7' });
    tablets.table8 = await pair({ label: 'Table 8' });
    tablets.steward = await pair({ label: 'Steward' });
    tablets.supervisor = await pair({ label: 'Floor lead', role: 'supervisor' });
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await app?.close();
    store?.db.close();
  });

  it('marks a tablet host from its pairing code, and tells the tablet', async () => {
    const hostOf = (id: string) => store.db.prepare('SELECT host FROM tablets WHERE id = ?').pluck().get(id);
    expect(hostOf(tablets.host.id)).toBe(1);
    expect(hostOf(tablets.table7.id)).toBe(0);
    const me = async (who: keyof typeof tablets) => (await app.inject({ method: 'GET', url: '/tablet/api/me', headers: { authorization: `Bearer ${tablets[who].token}` } })).json();
    expect(await me('host')).toMatchObject({ tablet_id: tablets.host.id, host: true, role: 'steward' });
    expect(await me('table7')).toMatchObject({ host: false });
    expect((await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify({ host: 'yes' }))).statusCode).toBe(400);
  });

  it('shows per-table meal counts (people, by party size) and a guest\'s notes and VIP tag on the board', async () => {
    const r = await app.inject({ method: 'GET', url: '/tablet/api/board?tables=t7,t8', headers: { authorization: `Bearer ${tablets.table7.token}` } });
    const board = r.json();
    expect(validBoard(board), JSON.stringify(validBoard.errors)).toBe(true);
    expect(board.meals).toEqual([
      { table_id: 't7', meals: [{ meal: 'vegetarian', people: 2 }, { meal: 'gluten-free', people: 1 }] },
      { table_id: 't8', meals: [{ meal: 'vegan', people: 3 }] },
    ]);
    const g = (id: string) => board.guests.find((x: { guest_id: string }) => x.guest_id === id);
    expect(g('vip7')).toMatchObject({ vip: true, meal: 'vegetarian', notes: 'Greet by name; no photos' });
    expect(g('ben')).toMatchObject({ vip: false, meal: 'gluten-free', notes: null });
    expect(g('cal')).toMatchObject({ vip: false, meal: null });
  });

  it("alerts the VIP's table's tablets and every host tablet within 2 s of the check-in, and no other table's", async () => {
    const host = await open('host', 't9'); // the host stand shows another table: it hears every VIP anyway
    const t7 = await open('table7', 't7');
    const t8 = await open('table8', 't8');
    const t0 = Date.now();
    await checkIn('vip7', 't7', 'door-b');
    await waitFor('the alert on the host tablet and table 7', () => host.vips().length === 1 && t7.vips().length === 1, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const alert = t7.vips()[0] as VipAlert;
    expect(validVip(alert), JSON.stringify(validVip.errors)).toBe(true);
    expect(alert).toMatchObject({ guest_id: 'vip7', name: 'Valeria Ibarra', table_id: 't7', table_label: '7', party_size: 1, door_id: 'door-b', notes: 'Greet by name; no photos' });
    expect(host.vips()).toEqual([alert]);

    // Table 8's stream: a later check-in there reaches it (so it is live), the VIP of table 7 never did.
    await checkIn('zed', 't8');
    await waitFor('zed on table 8\'s board', () => lastBoard(t8)?.guests.find((g) => g.guest_id === 'zed')?.status === 'on_the_way');
    expect(t8.vips()).toEqual([]);
    // Ben is tagged, but not vip: nobody is alerted.
    await checkIn('ben', 't7');
    await waitFor('ben on table 7\'s board', () => lastBoard(t7)?.guests.find((g) => g.guest_id === 'ben')?.status === 'on_the_way');
    expect(t7.vips()).toHaveLength(1);

    // Table 8's own VIP: table 8 and the host hear it; table 7 does not.
    await checkIn('vip8', 't8');
    await waitFor('the alert of table 8', () => t8.vips().length === 1 && host.vips().length === 2, 2_000);
    expect(t8.vips()[0]).toMatchObject({ guest_id: 'vip8', table_label: '8', notes: null });
    await checkIn('amy', 't7');
    await waitFor('amy on table 7\'s board', () => lastBoard(t7)?.guests.find((g) => g.guest_id === 'amy')?.status === 'on_the_way');
    expect(t7.vips().map((v) => v.guest_id)).toEqual(['vip7']);

    // A tablet of table 7 that (re)connects now is told of the last minutes' arrival there, and of no other table's.
    const late7 = await open('table7', 't7');
    await waitFor('the replayed alert', () => late7.vips().length === 1);
    await checkIn('cal', 't7');
    await waitFor('cal on the late tablet\'s board', () => lastBoard(late7)?.guests.find((g) => g.guest_id === 'cal')?.status === 'on_the_way');
    expect(late7.vips()).toEqual([alert]);
  });

  it('refuses a steward tablet a move and an undo (403 supervisor_required), changing nothing; a +1 is a steward\'s', async () => {
    const outbox = () => store.db.prepare("SELECT count(*) FROM outbox WHERE type IN ('seat.changed', 'checkin.reverted')").pluck().get();
    const before = outbox();
    const move = await desk('steward', 'moves', { request_id: randomUUID(), guest_id: 'mover', to_table_id: 't7' });
    expect(move.statusCode).toBe(403);
    expect(move.json()).toMatchObject({ error: 'supervisor_required', message: expect.stringMatching(/supervisor/) });
    await checkIn('undo', 't8');
    const revert = await desk('steward', 'reverts', { request_id: randomUUID(), guest_id: 'undo', reason: 'scanned the wrong ticket' });
    expect(revert.statusCode).toBe(403);
    expect(revert.json()).toMatchObject({ error: 'supervisor_required' });
    expect(guestRow('mover')?.table_id).toBe('t8');
    expect(outbox()).toBe(before);
  });

  it('answers bad bodies 400 and unpaired tablets 401', async () => {
    const bad = await desk('supervisor', 'moves', { request_id: 'not-a-uuid', guest_id: 'mover' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request' });
    expect((await desk('supervisor', 'walk-ins/proposal', { party_size: 0 })).statusCode).toBe(400);
    expect((await desk('supervisor', 'reverts', { request_id: randomUUID(), guest_id: 'undo' })).json()).toMatchObject({ error: 'bad_request' });
    for (const path of ['walk-ins/proposal', 'walk-ins', 'moves', 'reverts']) {
      const r = await app.inject({ method: 'POST', url: `/tablet/api/desk/${path}`, headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(r.statusCode, path).toBe(401);
      expect(r.json()).toMatchObject({ error: 'tablet_unpaired' });
    }
  });

  // What follows needs the hub's VenueDesk (edge-agent/desk/venue-desk.ts).
  it('proposes a table for a walk-in and seats and checks them in, as the tablet (its own door and device)', async () => {
    const proposal = await desk('steward', 'walk-ins/proposal', { party_size: 2, needs: ['accessible'] });
    expect(proposal.statusCode).toBe(200);
    expect(validProposal(proposal.json())).toBe(true);
    expect(proposal.json().options.map((o: { table_id: string }) => o.table_id)).toEqual(['t9']);
    const requestId = randomUUID();
    const body = { request_id: requestId, name: 'Wanda Walk', party_size: 2, table_id: 't9' };
    const added = await desk('steward', 'walk-ins', body);
    expect(added.statusCode).toBe(201);
    const { guest, checkin_event_id } = added.json();
    expect(guest).toMatchObject({ name: 'Wanda Walk', party_size: 2, table_id: 't9', table_label: '9' });
    expect(guestRow(guest.id)).toMatchObject({ table_id: 't9', origin: 'venue' });
    const checkin = JSON.parse(store.db.prepare('SELECT event_json FROM outbox WHERE event_id = ?').pluck().get(checkin_event_id) as string);
    expect(checkin).toMatchObject({ type: 'checkin.succeeded', payload: { guest_id: guest.id, door_id: `tablet:${tablets.steward.id}` } });
    // Sent again (the answer was lost): the same guest, added once.
    const again = await desk('steward', 'walk-ins', body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, guest: { id: guest.id } });
    const board = (await app.inject({ method: 'GET', url: '/tablet/api/board?tables=t9', headers: { authorization: `Bearer ${tablets.steward.token}` } })).json();
    expect(board.guests).toEqual([expect.objectContaining({ guest_id: guest.id, status: 'on_the_way', party_size: 2 })]);
  });

  it('lets a steward change a party (+1) and a supervisor move a guest and undo a check-in; the desk\'s refusals keep their codes', async () => {
    const plus = await desk('steward', 'moves', { request_id: randomUUID(), guest_id: 'mover', party_size: 2 });
    expect(plus.statusCode).toBe(200);
    expect(plus.json()).toMatchObject({ guest: { id: 'mover', party_size: 2, table_id: 't8' }, from_party_size: 1 });
    const move = await desk('supervisor', 'moves', { request_id: randomUUID(), guest_id: 'mover', to_table_id: 't7' });
    expect(move.statusCode).toBe(200);
    expect(move.json()).toMatchObject({ guest: { id: 'mover', table_id: 't7', table_label: '7' }, from_table_id: 't8' });
    expect(guestRow('mover')).toMatchObject({ table_id: 't7', party_size: 2 });
    const seat = JSON.parse(store.db.prepare("SELECT event_json FROM outbox WHERE type = 'seat.changed' ORDER BY id DESC LIMIT 1").pluck().get() as string);
    expect(seat.payload).toMatchObject({ guest_id: 'mover', to_table_id: 't7', by_role: 'supervisor' });

    const revert = await desk('supervisor', 'reverts', { request_id: randomUUID(), guest_id: 'undo', reason: 'scanned the wrong ticket' });
    expect(revert.statusCode).toBe(201);
    expect(revert.json()).toMatchObject({ guest_id: 'undo', created: true });
    const board = (await app.inject({ method: 'GET', url: '/tablet/api/board?tables=t8', headers: { authorization: `Bearer ${tablets.supervisor.token}` } })).json();
    expect(board.guests.find((g: { guest_id: string }) => g.guest_id === 'undo')).toMatchObject({ status: 'expected' });
    const nothing = await desk('supervisor', 'reverts', { request_id: randomUUID(), guest_id: 'mover', reason: 'never came to the door' });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json()).toMatchObject({ error: 'nothing_to_revert', message: expect.any(String) });
    const unknown = await desk('supervisor', 'moves', { request_id: randomUUID(), guest_id: 'nobody', to_table_id: 't7' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found' });
    // Above the steward's walk-in limit (4 by default) a supervisor is needed.
    const big = await desk('steward', 'walk-ins', { request_id: randomUUID(), name: 'Big Party', party_size: 6, table_id: 't8' });
    expect(big.statusCode).toBe(403);
    expect(big.json()).toMatchObject({ error: 'supervisor_required' });
  });

  it('answers a name or reason that cannot be stored (NUL, a lone surrogate) 400 bad_request over HTTP, never 500; a reused request id 409', async () => {
    const call = (who: keyof typeof tablets, path: string, body: unknown) =>
      fetch(`${url}/tablet/api/desk/${path}`, { method: 'POST', headers: { authorization: `Bearer ${tablets[who].token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const nul = await call('steward', 'walk-ins', { request_id: randomUUID(), name: 'Nul\u0000Name', party_size: 1, table_id: null });
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('name') });
    const lone = await call('steward', 'walk-ins', { request_id: randomUUID(), name: 'Lone \ud800', party_size: 1, table_id: null });
    expect(lone.status).toBe(400);
    const reason = await call('supervisor', 'reverts', { request_id: randomUUID(), guest_id: 'amy', reason: 'oops \u0000' });
    expect(reason.status).toBe(400);
    expect(await reason.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('reason') });
    const id = randomUUID();
    expect((await call('steward', 'moves', { request_id: id, guest_id: 'amy', party_size: 2 })).status).toBe(200);
    const reused = await call('steward', 'moves', { request_id: id, guest_id: 'ben', party_size: 2 });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: 'request_reused' });
    expect(guestRow('ben')).toMatchObject({ party_size: 1 });
  });
});

describe("the tablets' desk is the hub's", () => {
  it("applies the hub's desk options (its steward walk-in limit), not a desk of the tablets' own", async () => {
    const { db } = openStore(join(mkdtempSync(join(tmpdir(), 'sp-tablet-desk-own-')), 'agent.sqlite'));
    const store = new AgentStore(db, VENUE);
    const now = Date.now();
    store.applyCloudPage(page([
      occasionChange(1, { starts_at: new Date(now - 3600_000).toISOString(), ends_at: new Date(now + 3600_000).toISOString() }),
      tableChange(2, { id: 't1', label: '1', capacity: 8 }),
    ]));
    const desk = new VenueDesk(store, { deviceId: 'dev_hub', venueId: VENUE, stewardWalkInMax: 1 });
    const { app, tablets } = await buildAgentApp({ store, desk, tablet: { venueId: VENUE, deviceId: 'dev_hub' } });
    try {
      const { code } = tablets!.createPairingCode({ label: 'Steward', createdBy: 'test', ttlMs: 60_000 });
      const token = (await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code }) })).json().token;
      const walkIn = (party: number) => app.inject({
        method: 'POST', url: '/tablet/api/desk/walk-ins', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ request_id: randomUUID(), name: `Party of ${party}`, party_size: party, table_id: 't1' }),
      });
      // 2 is within the default limit (4) but over this hub's (1).
      const two = await walkIn(2);
      expect(two.statusCode).toBe(403);
      expect(two.json()).toMatchObject({ error: 'supervisor_required' });
      expect((await walkIn(1)).statusCode).toBe(201);
    } finally {
      await app.close();
      db.close();
    }
  });
});
