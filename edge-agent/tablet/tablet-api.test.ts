// The tablet API and the beacon route on a real agent app over a real SQLite file, driven with inject().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page, tableChange } from '../../tests/fixtures/sync-fixtures';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { requireTool } from '../../tests/tools';
import { waitFor } from '../../tests/wait';
import { buildAgentApp } from '../app';
import { AgentStore } from '../store';
import type { TabletStore } from './store';

const promtool = requireTool('promtool', 'prometheus');

const VENUE = 'ven_test';
const AGENT_DEVICE = 'dev_agent';

describe('tablet API and beacon sightings', () => {
  let app: FastifyInstance;
  let store: AgentStore;
  let tablets: TabletStore;
  let kiosk: TestKey;
  let gateway: TestKey;
  let token = '';
  let clock = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'sp-tablet-'));

  const auth = (t: string = token) => ({ authorization: `Bearer ${t}` });
  const checkIn = async (guestId: string, tableId: string, atMs: number) => {
    const e = checkinEvent(kiosk, { occurred_at: new Date(atMs).toISOString(), payload: { guest_id: guestId, table_id: tableId } });
    const r = await signedInject(app, kiosk, 'POST', '/v1/events', batchOf([e]));
    expect(r.json()).toMatchObject({ accepted: 1 });
  };
  const seatEvents = () =>
    (store.db.prepare("SELECT event_json FROM outbox WHERE type = 'seat.arrived' ORDER BY id").all() as { event_json: string }[]).map((r) => JSON.parse(r.event_json));
  const arrivalsCount = () => store.db.prepare('SELECT count(*) FROM arrivals').pluck().get() as number;
  const metrics = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const board = async (tables: string) => (await app.inject({ method: 'GET', url: `/tablet/api/board?tables=${tables}`, headers: auth() })).json();
  const tap = (guest: string, key = randomUUID(), t: string = token) =>
    app.inject({ method: 'POST', url: '/tablet/api/arrivals', headers: { ...auth(t), 'content-type': 'application/json' }, payload: JSON.stringify({ key, guest_id: guest, tapped_at: new Date(clock).toISOString() }) });
  const sightings = (list: Array<{ tag: string; table_id: string; rssi: number; seen_at: string }>, key: TestKey = gateway) =>
    signedInject(app, key, 'POST', '/v1/beacon/sightings', JSON.stringify({ sightings: list }));
  /** One sighting a second from `fromS` to `toS` seconds relative to the clock. */
  const series = (tag: string, table_id: string, rssi: number, fromS: number, toS: number) =>
    Array.from({ length: toS - fromS + 1 }, (_, i) => ({ tag, table_id, rssi, seen_at: new Date(clock + (fromS + i) * 1000).toISOString() }));

  beforeAll(async () => {
    const { db } = openStore(join(dir, 'agent.sqlite'));
    store = new AgentStore(db, VENUE, () => clock);
    store.applyCloudPage(page([
      occasionChange(1),
      tableChange(2, { id: 't1', label: '1' }),
      tableChange(3, { id: 't2', label: '2' }),
      ...['ana', 'bea', 'carl', 'dan', 'eve', 'fay'].map((n, i) => guestChange(10 + i, { id: n, name: n.toUpperCase(), table_id: 't1' })),
      guestChange(30, { id: 'zoe', name: 'ZOE', table_id: 't2' }),
    ]));
    const built = await buildAgentApp({ store, now: () => clock, tablet: { venueId: VENUE, deviceId: AGENT_DEVICE, undoSeconds: 5, tickMs: 50, dwell: { dwellSeconds: 10, thresholdDbm: -70 } } });
    app = built.app;
    tablets = built.tablets as TabletStore;
    kiosk = { ...store.issueKey('dev_kiosk', 'kiosk'), venue_id: VENUE };
    gateway = { ...store.issueKey('dev_gateway', 'gateway'), venue_id: VENUE };
  });

  afterAll(async () => {
    await app?.close();
    store?.db.close();
  });

  it('pairs a tablet with a code once; a used, wrong or expired code gets 401', async () => {
    const { code } = tablets.createPairingCode({ label: 'Table 1', createdBy: 'test', ttlMs: 60_000 });
    const pair = (c: string) => app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: c }) });
    const r = await pair(code.toLowerCase().replace('-', ' '));
    expect(r.statusCode).toBe(201);
    token = r.json().token;
    expect(token).toMatch(/^tab_[0-9a-f]+\./);
    expect((await pair(code)).json()).toMatchObject({ error: 'bad_pairing_code' });
    expect((await pair('ZZZZ-ZZZZ')).statusCode).toBe(401);
    const old = tablets.createPairingCode({ label: 'late', createdBy: 'test', ttlMs: 1_000 });
    clock += 2_000;
    expect((await pair(old.code)).statusCode).toBe(401);
    // Only hashes are stored: neither the token's secret nor the code is in the database.
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM tablets').all()) + JSON.stringify(store.db.prepare('SELECT * FROM tablet_pairing_codes').all());
    expect(dump).not.toContain(token.split('.')[1]);
    expect(dump).not.toContain(code);
  });

  it('shows a checked-in guest as on the way with the time of check-in', async () => {
    await checkIn('ana', 't1', clock - 30_000);
    const b = await board('t1');
    const ana = b.guests.find((g: { guest_id: string }) => g.guest_id === 'ana');
    expect(ana).toMatchObject({ status: 'on_the_way', checked_in_at: new Date(clock - 30_000).toISOString() });
    expect(b.guests.find((g: { guest_id: string }) => g.guest_id === 'bea')).toMatchObject({ status: 'expected' });
    expect(b.tables).toEqual([{ table_id: 't1', label: '1', expected: 6, checked_in: 1, seated: 0 }]);
  });

  it('holds a tap for the undo window, then writes seat.arrived and counts door-to-seat', async () => {
    const key = randomUUID();
    const r = await tap('ana', key);
    expect(r.statusCode).toBe(201);
    expect((await tap('ana', key)).statusCode).toBe(200); // the same tap delivered again
    expect((await tap('ana')).json()).toMatchObject({ error: 'already_arrived' }); // another tablet, same guest
    expect(arrivalsCount()).toBe(1);
    expect(seatEvents()).toEqual([]);
    clock += 6_000;
    await waitFor('the tap to be committed', () => seatEvents().length === 1);
    const [event] = seatEvents();
    expect(event).toMatchObject({
      event_id: key, type: 'seat.arrived', device_id: AGENT_DEVICE, venue_id: VENUE,
      payload: { guest_id: 'ana', table_id: 't1', source: 'tablet', checked_in_at: new Date(clock - 36_000).toISOString() },
    });
    expect(Date.parse(event.occurred_at) - Date.parse(event.payload.checked_in_at)).toBe(30_000);
    const m = await metrics();
    expect(m).toMatch(/seatpilot_door_to_seat_seconds_count 1\b/);
    expect(m).toMatch(/seatpilot_door_to_seat_seconds_bucket\{le="30"\} 1\b/);
    expect(m).toMatch(/seatpilot_door_to_seat_seconds_bucket\{le="20"\} 0\b/);
    // Too late to undo now.
    expect((await app.inject({ method: 'DELETE', url: `/tablet/api/arrivals/${key}`, headers: auth() })).json()).toMatchObject({ error: 'undo_window_over' });
  });

  it('undoes a tap inside the window: nothing reaches the outbox and the guest is on the way again', async () => {
    await checkIn('bea', 't1', clock - 10_000);
    const key = randomUUID();
    expect((await tap('bea', key)).statusCode).toBe(201);
    expect((await board('t1')).guests.find((g: { guest_id: string }) => g.guest_id === 'bea')).toMatchObject({ status: 'arrived', undo_key: key });
    const u = await app.inject({ method: 'DELETE', url: `/tablet/api/arrivals/${key}`, headers: auth() });
    expect(u.json()).toEqual({ status: 'undone' });
    clock += 6_000;
    await new Promise((r) => setTimeout(r, 300));
    expect(seatEvents().map((e) => e.payload.guest_id)).toEqual(['ana']);
    expect((await board('t1')).guests.find((g: { guest_id: string }) => g.guest_id === 'bea')).toMatchObject({ status: 'on_the_way', undo_key: null });
  });

  it('refuses a tap for a guest who has not checked in', async () => {
    const r = await tap('carl');
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ error: 'not_checked_in' });
  });

  it('keeps a walk over 15 minutes in the events and out of the histogram', async () => {
    await checkIn('dan', 't1', clock - 20 * 60_000);
    expect((await tap('dan')).statusCode).toBe(201);
    clock += 6_000;
    await waitFor('the outlier to be committed', () => seatEvents().some((e) => e.payload.guest_id === 'dan'));
    const m = await metrics();
    expect(m).toMatch(/seatpilot_door_to_seat_seconds_count 1\b/);
    expect(m).toMatch(/seatpilot_door_to_seat_outliers_total 1\b/);
    // The exposition passes Prometheus' linter (skipped only outside CI without promtool: tests/tools.ts).
    if (promtool) {
      const lint = spawnSync(promtool, ['check', 'metrics'], { input: m, encoding: 'utf8' });
      expect(lint.error).toBeUndefined();
      // prom-client's default nodejs_* gauges carry a _total suffix promtool dislikes; ours must pass clean.
      expect((lint.stdout + lint.stderr).split('\n').filter((l) => l.trim() && !l.startsWith('nodejs_'))).toEqual([]);
    }
  });

  describe('unpaired, wrong-token and revoked-token requests', () => {
    it('get 401 with a code the page understands, and change nothing', async () => {
      await checkIn('eve', 't1', clock - 5_000);
      const { code } = tablets.createPairingCode({ label: 'doomed', createdBy: 'test', ttlMs: 60_000 });
      const doomed = (await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code }) })).json();
      expect(tablets.revokeTablet(doomed.tablet_id)).toBe(true);
      const before = { arrivals: arrivalsCount(), outbox: store.db.prepare('SELECT count(*) FROM outbox').pluck().get(), tags: store.db.prepare('SELECT count(*) FROM beacon_tags').pluck().get() };
      const wrong = `${token.split('.')[0]}.${'x'.repeat(43)}`;
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'tablet_unpaired'],
        [{ authorization: 'Bearer nonsense' }, 'tablet_token_invalid'],
        [auth(wrong), 'tablet_token_invalid'],
        [auth(doomed.token), 'tablet_revoked'],
      ];
      for (const [headers, error] of cases) {
        const requests = [
          { method: 'POST' as const, url: '/tablet/api/arrivals', payload: JSON.stringify({ key: randomUUID(), guest_id: 'eve' }) },
          { method: 'DELETE' as const, url: `/tablet/api/arrivals/${randomUUID()}` },
          { method: 'GET' as const, url: '/tablet/api/board?tables=t1' },
          { method: 'GET' as const, url: '/tablet/api/stream?tables=t1' },
          { method: 'GET' as const, url: '/tablet/api/tables' },
          { method: 'PUT' as const, url: '/tablet/api/beacon-tags/tag-x', payload: JSON.stringify({ guest_id: 'eve' }) },
        ];
        for (const req of requests) {
          const r = await app.inject({ ...req, headers: { ...headers, ...(req.payload ? { 'content-type': 'application/json' } : {}) } });
          expect(r.statusCode, `${req.method} ${req.url} with ${error}`).toBe(401);
          expect(r.json()).toMatchObject({ error });
          expect(r.json().message).toMatch(/pair/i);
        }
      }
      expect({ arrivals: arrivalsCount(), outbox: store.db.prepare('SELECT count(*) FROM outbox').pluck().get(), tags: store.db.prepare('SELECT count(*) FROM beacon_tags').pluck().get() }).toEqual(before);
      expect((await board('t1')).guests.find((g: { guest_id: string }) => g.guest_id === 'eve')).toMatchObject({ status: 'on_the_way' });
    });
  });

  describe('beacons', () => {
    const TAG_FAY = 'ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7';
    const TAG_ZOE = 'eddystone:00112233445566778899:0000000000a1';

    beforeAll(async () => {
      for (const [tag, guest] of [[TAG_FAY, 'fay'], [TAG_ZOE, 'zoe']] as const) {
        const r = await app.inject({ method: 'PUT', url: `/tablet/api/beacon-tags/${encodeURIComponent(tag)}`, headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify({ guest_id: guest }) });
        expect(r.statusCode).toBe(200);
      }
      await checkIn('fay', 't1', clock - 60_000);
      await checkIn('zoe', 't2', clock - 60_000);
    });

    it('needs a signed gateway key', async () => {
      const body = JSON.stringify({ sightings: series(TAG_FAY, 't1', -50, -30, -15) });
      expect((await app.inject({ method: 'POST', url: '/v1/beacon/sightings', headers: { 'content-type': 'application/json' }, payload: body })).json()).toMatchObject({ error: 'missing_auth' });
      expect((await signedInject(app, kiosk, 'POST', '/v1/beacon/sightings', body)).statusCode).toBe(403);
      expect(seatEvents().some((e) => e.payload.guest_id === 'fay')).toBe(false);
    });

    it('below the dwell threshold: nothing', async () => {
      const weak = await sightings(series(TAG_FAY, 't1', -85, -40, -20)); // strong enough never
      expect(weak.json()).toMatchObject({ accepted: 21, arrivals: [] });
      const brief = await sightings(series(TAG_FAY, 't1', -50, -19, -13)); // 6 s at the table, dwell is 10 s
      expect(brief.json()).toMatchObject({ accepted: 7, arrivals: [] });
      expect(seatEvents().some((e) => e.payload.guest_id === 'fay')).toBe(false);
    });

    it('above it: exactly one arrival, source beacon', async () => {
      const r = await sightings(series(TAG_FAY, 't1', -50, -12, 0));
      expect(r.json().arrivals).toEqual([{ guest_id: 'fay', table_id: 't1' }]);
      const more = await sightings(series(TAG_FAY, 't1', -48, 0, 0));
      expect(more.json().arrivals).toEqual([]);
      const fay = seatEvents().filter((e) => e.payload.guest_id === 'fay');
      expect(fay).toHaveLength(1);
      expect(fay[0]).toMatchObject({ device_id: AGENT_DEVICE, payload: { source: 'beacon', table_id: 't1' } });
      expect((await board('t1')).guests.find((g: { guest_id: string }) => g.guest_id === 'fay')).toMatchObject({ status: 'arrived', arrival_source: 'beacon', undo_key: null });
    });

    it('at the wrong table: no arrival, and the right table shows "seen at table N"', async () => {
      const r = await sightings(series(TAG_ZOE, 't1', -55, -15, 0)); // Zoe sits down at table 1; hers is table 2
      expect(r.json().arrivals).toEqual([]);
      expect(seatEvents().some((e) => e.payload.guest_id === 'zoe')).toBe(false);
      const zoe = (await board('t2')).guests.find((g: { guest_id: string }) => g.guest_id === 'zoe');
      expect(zoe).toMatchObject({ status: 'on_the_way', seen_at: { table_id: 't1', table_label: '1' } });
    });

    it('ignores tags nobody carries and tables the hub does not know', async () => {
      const r = await sightings([{ tag: 'ibeacon:unknown:1:1', table_id: 't1', rssi: -40, seen_at: new Date(clock).toISOString() }, { tag: TAG_ZOE, table_id: 'nope', rssi: -40, seen_at: new Date(clock).toISOString() }]);
      expect(r.json()).toMatchObject({ accepted: 0, unknown_tags: 1, unknown_tables: 1 });
      expect((await sightings([{ tag: TAG_ZOE, table_id: 't1', rssi: -400, seen_at: 'now' }])).statusCode).toBe(400);
    });
  });

  it('gives the kiosks\' staff mode live counts per table and occasion, and pairing codes, with a signed kiosk key', async () => {
    const counts = (await signedInject(app, kiosk, 'GET', '/v1/seating/counts')).json();
    expect(counts.tables).toContainEqual({ table_id: 't1', label: '1', expected: 6, checked_in: 5, seated: 3 });
    expect(counts.occasions).toEqual([{ occasion_id: 'occ_gala', name: 'Spring Gala', expected: 7, checked_in: 6, seated: 3 }]);
    const code = await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify({ label: 'Bar' }));
    expect(code.statusCode).toBe(201);
    expect(code.json().code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect((await signedInject(app, gateway, 'POST', '/v1/tablets/pairing-codes', '{}')).statusCode).toBe(403);
  });

  it('pairs a tablet with the role its code was made with, keeps the role in SQLite and tells the tablet', async () => {
    const pair = async (body: object) => {
      const made = await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify(body));
      expect(made.statusCode).toBe(201);
      const r = await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: made.json().code }) });
      expect(r.statusCode).toBe(201);
      return { made: made.json(), paired: r.json() as { tablet_id: string; token: string } };
    };
    const host = await pair({ label: 'Host stand', role: 'supervisor' });
    expect(host.made).toMatchObject({ label: 'Host stand', role: 'supervisor' });
    const table = await pair({ label: 'Table 2' });
    expect(table.made.role).toBe('steward');
    expect((await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify({ role: 'manager' }))).statusCode).toBe(400);

    const roleOf = (id: string) => store.db.prepare('SELECT role FROM tablets WHERE id = ?').pluck().get(id);
    expect(roleOf(host.paired.tablet_id)).toBe('supervisor');
    expect(roleOf(table.paired.tablet_id)).toBe('steward');
    const me = async (t: string) => (await app.inject({ method: 'GET', url: '/tablet/api/me', headers: auth(t) })).json();
    expect(await me(host.paired.token)).toMatchObject({ tablet_id: host.paired.tablet_id, role: 'supervisor' });
    expect(await me(table.paired.token)).toMatchObject({ tablet_id: table.paired.tablet_id, role: 'steward' });
    // The first tablet of this suite was paired from the CLI's store call without a role: a steward.
    expect((await me(token)).role).toBe('steward');
    expect(tablets.listTablets().find((t) => t.id === host.paired.tablet_id)?.role).toBe('supervisor');
  });

  it('leaves confirming an arrival to stewards', async () => {
    const made = await signedInject(app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify({ label: 'Steward' }));
    const steward = (await app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: made.json().code }) })).json().token as string;
    // Zoe checked in at the door (beacons above) and is on her way to table 2.
    const r = await tap('zoe', randomUUID(), steward);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ status: 'pending', arrival: { guest_id: 'zoe', table_id: 't2' } });
  });
});
