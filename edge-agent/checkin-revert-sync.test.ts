// A check-in undone at the venue reaches every door (issue 20, part 4): a real hub (SQLite file, HTTP on 127.0.0.1) and
// two kiosks (SQLite files, the real decision, pull client and sync-apply). A door that names `checkin_reverts` admits
// the guest again; a client that names nothing gets exactly the v1 feed, which today's strict validator accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { loadVenueMigrations } from '../venue-store/migrations';
import { migrateSqlite } from '../sql/migrate';
import type { SeatPilotEvent, SyncChangeV2, SyncResponseV2 } from '../core/contract/contract';
import { checkSyncResponse, checkSyncResponseV2 } from '../core/contract/validate';
import { SignedHttp } from '../protocol/http-client';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';
import { parseAgentConfig } from './config';
import { hubDoor, type HubDoor } from '../tests/fixtures/hub-doors';
import { startAgent, type RunningAgent } from './runtime';

const VENUE = 'ven_revert';
const T0 = Date.parse('2026-06-20T19:00:00.000Z');

type Door = HubDoor;

describe('checkin.reverted from the hub to every door', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-revert-sync-'));
  let agent: RunningAgent;
  let a: Door;
  let b: Door;
  let now = T0;

  const door = (device: string, doorId: string): Door => hubDoor({ agent, dir, venueId: VENUE, device, doorId, clock: () => now });
  const send = async (d: Door, events: unknown[]) => {
    const r = await d.http.request('POST', '/v1/events', JSON.stringify({ batch_id: randomUUID(), sent_at: new Date().toISOString(), events }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { accepted: number };
  };
  const eventOf = (d: Door, eventId: string) =>
    JSON.parse(d.db.prepare('SELECT event_json FROM outbox_events WHERE event_id = ?').pluck().get(eventId) as string) as SeatPilotEvent;
  const revertOf = (device: string, checkinId: string, guestId: string): SeatPilotEvent =>
    ({
      event_id: randomUUID(),
      type: 'checkin.reverted',
      occurred_at: new Date(now).toISOString(),
      venue_id: VENUE,
      device_id: device,
      payload: { guest_id: guestId, reverted_event_id: checkinId, door_id: 'door_a', by_role: 'supervisor', reason: 'scanned the wrong ticket' },
    }) as SeatPilotEvent;
  const pulled = async (d: Door) => {
    const r = await d.pull.pull();
    expect(r.error).toBeUndefined();
  };
  /** Everything a client sees from the start, with `query` added to each signed request. */
  const walk = async (http: SignedHttp, query: string) => {
    const changes: SyncChangeV2[] = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const r = await http.request('GET', `/v1/sync?limit=3${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const body = r.body as SyncResponseV2;
      changes.push(...body.changes);
      if (!body.has_more) return { changes, pages: r.body };
      cursor = body.cursor;
    }
    throw new Error('the feed never ended');
  };
  const oldClient = () => {
    const key = agent.store.issueKey(`kiosk_old_${randomUUID().slice(0, 8)}`, 'kiosk');
    return new SignedHttp({ baseUrl: agent.url, keyId: key.key_id, secret: key.secret });
  };

  beforeAll(async () => {
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: VENUE, device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 } }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    agent.store.applyCloudPage(page([
      occasionChange(1),
      tableChange(2, { id: 't1', label: 'Table 1' }),
      guestChange(3, { id: 'g_gil', name: 'Gil Gómez', table_id: 't1', credentials: [{ kind: 'barcode', value: 'TICKET-GIL' }] }),
      guestChange(4, { id: 'g_hal', name: 'Hal Hart', table_id: 't1', credentials: [{ kind: 'barcode', value: 'TICKET-HAL' }] }),
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

  const checkedInAtHub = (guestId: string) => {
    return agent.store.db
      .prepare("SELECT count(*) FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NULL")
      .pluck()
      .get(guestId) as number;
  };

  it('door B refuses G after door A admits them; after the revert reaches the hub, B (with the feature) and A admit G again', async () => {
    const first = a.svc.scan('TICKET-GIL', { kind: 'barcode' });
    expect(first).toMatchObject({ outcome: 'admit', guest: { id: 'g_gil' } });
    expect(await send(a, [eventOf(a, first.event_id!)])).toMatchObject({ accepted: 1 });
    await pulled(b);
    now += 60_000;
    expect(b.svc.scan('TICKET-GIL', { kind: 'barcode' })).toMatchObject({ outcome: 'deny', status: 'already_checked_in' });
    expect(checkedInAtHub('g_gil')).toBe(1);

    const revert = revertOf('kiosk_a', first.event_id!, 'g_gil');
    expect(await send(a, [revert])).toMatchObject({ accepted: 1 });
    // Applied at the hub with its storing, and still queued for the cloud.
    expect(checkedInAtHub('g_gil')).toBe(0);
    expect(agent.store.db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(first.event_id)).toBe(revert.event_id);
    expect(agent.store.db.prepare("SELECT count(*) FROM outbox WHERE event_id = ?").pluck().get(revert.event_id)).toBe(1);

    await pulled(b);
    now += 60_000;
    expect(b.svc.scan('TICKET-GIL', { kind: 'barcode' })).toMatchObject({ outcome: 'admit', guest: { id: 'g_gil' } });

    // The door that made the revert gets it back and applies it too; a second pull changes nothing (idempotent).
    await pulled(a);
    await pulled(a);
    expect(a.db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(first.event_id)).toBe(revert.event_id);
    now += 60_000;
    // B's new check-in has not reached A (not pushed): A admits G again from its own reverted row.
    expect(a.svc.scan('TICKET-GIL', { kind: 'barcode' })).toMatchObject({ outcome: 'admit' });

    // The same revert sent again is a duplicate: no second change for the doors.
    await send(a, [revert]);
    const { changes } = await walk(b.http, '&features=checkin_reverts');
    const reverts = changes.filter((c) => c.kind === 'checkin_reverted');
    expect(reverts).toHaveLength(1);
    expect(reverts[0]).toMatchObject({ kind: 'checkin_reverted', reverted: { event_id: first.event_id, guest_id: 'g_gil', reverted_event_id: revert.event_id, door_id: 'door_a' } });
    expect(checkSyncResponseV2({ cursor: 'x', has_more: false, changes }).ok).toBe(true);
  });

  it('an old client (no features) gets pages that the v1 validator accepts, with no new kind; unknown feature names are ignored', async () => {
    const v1 = await walk(oldClient(), '');
    expect(v1.changes.length).toBeGreaterThan(0);
    expect(v1.changes.some((c) => c.kind === 'checkin')).toBe(true);
    expect(v1.changes.some((c) => c.kind === 'checkin_reverted')).toBe(false);
    expect(checkSyncResponse({ cursor: 'x', has_more: false, changes: v1.changes }).ok).toBe(true);
    // Each page on its own, as an old kiosk validates them.
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const r = await oldClient().request('GET', `/v1/sync?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const check = checkSyncResponse(r.body);
      expect(check.ok, JSON.stringify(check)).toBe(true);
      if (!check.ok || !check.page.has_more) break;
      cursor = check.page.cursor;
    }

    const unknown = await walk(oldClient(), '&features=hologram_seating,teleport');
    expect(unknown.changes).toEqual(v1.changes);
    const mixed = await walk(oldClient(), '&features=teleport,checkin_reverts');
    expect(mixed.changes.filter((c) => c.kind === 'checkin_reverted')).toHaveLength(1);
  });

  it("a revert naming another guest's check-in, or an unknown one, is stored and relayed and changes nothing", async () => {
    now += 60_000;
    const hal = a.svc.scan('TICKET-HAL', { kind: 'barcode' });
    expect(hal).toMatchObject({ outcome: 'admit', guest: { id: 'g_hal' } });
    expect(await send(a, [eventOf(a, hal.event_id!)])).toMatchObject({ accepted: 1 });
    const before = (await walk(b.http, '&features=checkin_reverts')).changes.length;

    const wrongGuest = revertOf('kiosk_a', hal.event_id!, 'g_gil');
    const unknown = revertOf('kiosk_a', randomUUID(), 'g_hal');
    expect(await send(a, [wrongGuest, unknown])).toMatchObject({ accepted: 2 });
    expect(agent.store.db.prepare('SELECT count(*) FROM outbox WHERE event_id IN (?, ?)').pluck().get(wrongGuest.event_id, unknown.event_id)).toBe(2);
    expect(agent.store.db.prepare('SELECT reverted_by FROM checkins WHERE event_id = ?').pluck().get(hal.event_id)).toBeNull();
    expect(checkedInAtHub('g_hal')).toBe(1);
    expect((await walk(b.http, '&features=checkin_reverts')).changes.length).toBe(before); // no change queued for the doors

    await pulled(b);
    now += 60_000;
    expect(b.svc.scan('TICKET-HAL', { kind: 'barcode' })).toMatchObject({ outcome: 'deny', status: 'already_checked_in' });
  });
});

describe('migration 0010_checkin_reverts', () => {
  it('keeps a version-9 store\'s check-ins, none of them reverted: the guest stays checked in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-mig10-'));
    const db = new Database(join(dir, 'kiosk.sqlite'));
    const all = loadVenueMigrations();
    migrateSqlite(db, all.filter((m) => m.version <= 9));
    db.prepare(`INSERT INTO checkins (event_id, source, outcome, guest_id, device_id, door_id, direction, party_size, occurred_at, occurred_ms)
                VALUES ('e-old', 'remote', 'admitted', 'ana', 'dev_k', 'door-a', 'entry', 1, '2026-06-20T19:00:00.000Z', 1781982000000)`).run();
    expect(migrateSqlite(db, all).applied).toContain(10);
    expect(db.prepare('SELECT guest_id, reverted_by FROM checkins').all()).toEqual([{ guest_id: 'ana', reverted_by: null }]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
