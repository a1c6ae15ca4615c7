// A whole evening with the internet down (issue 20, "Show"): the real cloud (buildApp listening on 127.0.0.1, on
// PGlite or the real PostgreSQL), the venue's hub (the agent's runtime on a SQLite file), two doors (each a kiosk's
// check-in service and sync runtime on its own SQLite file, talking to the hub over signed HTTP) and a table tablet's
// page in Chromium. The hub reaches the cloud only through a TCP proxy (tests/wan-link.ts), and the test cuts it before
// doors open. Then the evening runs at the venue alone, while a planner keeps working in the console; once the link is
// back the test waits for the hub's push and pull to drain and checks the outcome against what it computed itself
// (tests/desk-evening-fold.ts) from the decisions it made and the HLCs those calls returned.
import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion, importTables } from '../cloud-sync/guestlist/manage';
import { verifyVenueAudit } from '../cloud-sync/desk/venue-audit-verify';
import { CSRF_HEADER } from '../core/console/errors';
import type { SeatConflictList, VenueAuditChainList } from '../core/console/desk';
import type { MoveResult } from '../core/contract/desk';
import { parseAgentConfig } from '../edge-agent/config';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { CheckinService } from '../kiosk/checkin-service';
import { KioskSync } from '../kiosk/sync-runtime';
import { addWalkIn, createTabletPairingCode, moveGuest, proposeWalkIn, revertCheckin } from '../protocol/staff-client';
import { openStore } from '../venue-store/open';
import { foldCheckins, foldSeats, type SeatDecision } from './desk-evening-fold';
import { addTestAccount, signIn, type TestSession } from './fixtures/console';
import { startConsoleCloud, type ConsoleCloud } from './fixtures/console-browser';
import { launchChromium } from './kiosk-browser';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { freePort, seatpilot } from './procs';
import { startWanLink, type WanLink } from './wan-link';
import { waitFor } from './wait';

const TABLES = Array.from({ length: 40 }, (_, i) => ({ id: `T${String(i + 1).padStart(2, '0')}`, label: String(i + 1), capacity: 20 }));
/** The guest list: 540 guests, 500 of whom arrive; one in ten comes as a pair. */
const LIST = Array.from({ length: 540 }, (_, i) => ({
  id: `G${String(i).padStart(3, '0')}`,
  name: `Guest ${i} Morales`,
  party: i % 10 === 3 ? 2 : 1,
  table: TABLES[i % TABLES.length]!,
  barcode: `EVE-${String(i).padStart(4, '0')}`,
}));
const ARRIVING = LIST.slice(0, 500);
/** Tagged vip in the cloud before the hub's first pull; arrives last, while the tablet of the VIP's table is open. */
const VIP = LIST[520]!;
const VIP_NOTE = 'Ambassador: greet at the door';
/** The two guests the hub and the planner both move while the link is cut: the planner last for the first, the hub last for the second. */
const PLANNER_LAST = LIST[1]!;
const HUB_LAST = LIST[11]!;
const MOVED = [PLANNER_LAST, HUB_LAST, ...[21, 31, 41, 51, 61, 71, 81].map((i) => LIST[i]!)];
const PLUS_ONE = [LIST[101]!, LIST[111]!];
const REVERTED = [LIST[201]!, LIST[211]!, LIST[221]!];
/** Of the reverted, the one who comes back and checks in again at the other door. */
const BACK_AGAIN = REVERTED[1]!;

interface Door {
  doorId: string;
  file: string;
  db: Database.Database;
  service: CheckinService;
  sync: KioskSync;
}

type Row = { id: string; table_id: string | null; party_size: number };

describe.each(backends())('a whole evening with the internet down, on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-desk-evening-'));
  const hubFile = join(dir, 'hub.sqlite');
  let pg: TestDatabase | undefined;
  let cloud: ConsoleCloud | undefined;
  let wan: WanLink | undefined;
  let hub: RunningAgent | undefined;
  const doors: Door[] = [];
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const took: Record<string, number> = {};

  afterAll(async () => {
    await browser?.close();
    for (const d of doors) {
      await d.sync.push.stop();
      await d.sync.pull.stop();
      d.db.close();
    }
    await hub?.close();
    await wan?.close();
    await cloud?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
    console.log(`[desk-evening ${backend}] ms per step: ${JSON.stringify(took)}`);
  });

  it('runs the evening at the venue alone and converges with the cloud once the link is back', async () => {
    let t = Date.now();
    const lap = (name: string) => {
      took[name] = Date.now() - t;
      t = Date.now();
    };

    // --- the cloud, as cloud ops and the planner leave it before the evening --------------------------------------
    pg = await freshDatabase(backend);
    const db = pg.db;
    const tenant = await addTenant(db, 'Evening Co');
    const venueId = (await addVenue(db, tenant.id, 'Casino de Madrid')).id;
    const hubKey = await addDevice(db, venueId, 'agent', 'Hub');
    const doorDevices = [await addDevice(db, venueId, 'kiosk', 'North door'), await addDevice(db, venueId, 'kiosk', 'South door')];
    await importTables(db, venueId, `id,label,capacity\n${TABLES.map((x) => `${x.id},${x.label},${x.capacity}`).join('\n')}\n`);
    const occasion = await addOccasion(db, {
      venueId, name: 'Gala', startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 6 * 3600_000).toISOString(), timezone: 'Europe/Madrid', reentry: 'single',
    });
    // The guest list as the planner imports it: the VIP tagged `vip`, with a note for the staff.
    const desk = (g: (typeof LIST)[number]) => (g === VIP ? `vip,${VIP_NOTE}` : ',');
    const csv = ['guest_id,name,party_size,table,barcode,tags,notes', ...LIST.map((g) => `${g.id},${g.name},${g.party},${g.table.label},${g.barcode},${desk(g)}`)].join('\n');
    const imported = await importGuests(db, { venueId, occasionId: occasion.id, csv });
    expect(imported).toMatchObject({ created: LIST.length });
    const planner: TestSession = await signIn(db, await addTestAccount(db, tenant.id, 'planner'));
    cloud = await startConsoleCloud(db, await freePort());
    wan = await startWanLink(cloud.url);
    lap('cloud');

    // --- the hub, behind the venue's internet link, and its two doors on the LAN -----------------------------------
    hub = await startAgent({
      config: parseAgentConfig({
        venue_id: venueId, device_id: hubKey.device_id, listen: { host: '127.0.0.1', port: 0 }, database: hubFile,
        cloud: { url: wan.url, key_id: hubKey.key_id, secret: hubKey.secret }, push_interval_ms: 200, pull_interval_ms: 300, heartbeat_interval_s: 3600,
      }),
      databaseFile: hubFile,
    });
    const hubUrl = hub.url;
    for (const [i, device] of doorDevices.entries()) {
      const doorId = i === 0 ? 'north' : 'south';
      const file = join(dir, `door-${doorId}.sqlite`);
      const { db: doorDb } = openStore(file);
      const service = new CheckinService(doorDb, { venue_id: venueId, device_id: device.device_id, door_id: doorId });
      const key = hub.store.issueKey(device.device_id, 'kiosk');
      const sync = new KioskSync(service, { agent: { baseUrl: hubUrl, keyId: key.key_id, secret: key.secret }, pushIntervalMs: 100, pullIntervalMs: 200, heartbeatIntervalS: 3600 });
      sync.start();
      doors.push({ doorId, file, db: doorDb, service, sync });
    }
    const [north, south] = doors as [Door, Door];
    await waitFor('the guest list at the hub and at both doors', () =>
      count(hub!.store.db, 'SELECT count(*) FROM guests') === LIST.length && doors.every((d) => count(d.db, 'SELECT count(*) FROM guests') === LIST.length), 60_000, 100);
    lap('hub and doors');

    // --- a tablet at the VIP's table, paired from the north door's staff mode ---------------------------------------
    browser = await launchChromium({ width: 820, height: 1180 });
    const tab: Page = browser.page;
    await tab.goto(`${hubUrl}/tablet`);
    const { code } = await createTabletPairingCode(north.sync.http, { label: `Table ${VIP.table.label}` });
    await tab.locator('#pair-code').fill(code);
    await tab.locator('#pair-submit').click();
    await tab.locator(`[data-table="${VIP.table.id}"]`).click();
    await tab.locator('[data-action="open"]').click();
    await tab.locator(`[data-guest="${VIP.id}"]`).waitFor({ timeout: 15_000 });
    lap('tablet');

    // --- the link goes down before the doors open ----------------------------------------------------------------
    // What the hub made so far (the tablet's pairing, in its audit chain) has reached the cloud: nothing is in flight.
    await waitFor('the hub\'s outbox empty before the cut', () => hub!.outbox.depth() === 0, 30_000, 50);
    wan.cut();
    const pushedBefore = await cloudEventCount(db, venueId);
    await waitFor('the hub to find the cloud unreachable', () => hub!.pull!.status.lastError !== null, 20_000, 50);

    // What the test records to compute the outcome by itself.
    const decisions: SeatDecision[] = LIST.flatMap((g) => [
      { guestId: g.id, field: 'table' as const, value: g.table.id, hlc: null, side: 'import' as const, offline: false },
      { guestId: g.id, field: 'party' as const, value: g.party, hlc: null, side: 'import' as const, offline: false },
    ]);
    const steps: { guestId: string; kind: 'admitted' | 'reverted' }[] = [];
    const admit = (door: Door, barcode: string) => {
      const r = door.service.scan(barcode, { kind: 'barcode' });
      expect(r.outcome, `${barcode} at ${door.doorId}: ${r.status}`).toBe('admit');
      steps.push({ guestId: r.guest!.id, kind: 'admitted' });
      door.sync.kick();
    };

    // 500 guests check in across both doors.
    for (const [i, g] of ARRIVING.entries()) admit(i % 2 === 0 ? north : south, g.barcode);
    lap('500 check-ins');

    // The planner moves the hub's last-word guest in the console first, before the hub does.
    const consoleMove = async (g: (typeof LIST)[number], table: string) => {
      const path = `/console/api/guests/${g.id}`;
      const before = (await consoleCall<{ version: number }>(cloud!, planner, 'GET', path)).body;
      const after = await consoleCall<{ table_id: string | null }>(cloud!, planner, 'PATCH', path, { version: before.version, table_id: table });
      expect(after.status, JSON.stringify(after.body)).toBe(200);
      expect(after.body.table_id).toBe(table);
      // The console's change gets the cloud's HLC from the guests_seat_hlc trigger (sql 0020) in the same statement.
      const [row] = await db.query<{ table_hlc: string | null }>('SELECT table_hlc FROM guestlist.guests WHERE id = $1', [g.id]);
      expect(row?.table_hlc).toMatch(/^\d{13}\.\d{4}\.c$/);
      decisions.push({ guestId: g.id, field: 'table', value: table, hlc: row!.table_hlc, side: 'console', offline: true });
    };
    await consoleMove(HUB_LAST, 'T40');

    const staff = (door: Door, role: 'steward' | 'supervisor') => ({ by_role: role, door_id: door.doorId });
    const walkIns: string[] = [];
    // The hub has every admission before staff start changing things (an undo needs the check-in it undoes).
    await waitFor('both doors to hand their check-ins to the hub', () => doors.every((d) => d.service.outbox.depth() === 0), 30_000, 50);
    // 20 walk-ins, seated where the hub proposes.
    for (let i = 0; i < 20; i++) {
      const door = i % 2 === 0 ? north : south;
      const party = 1 + (i % 3);
      const proposal = await proposeWalkIn(door.sync.http, { party_size: party, ...staff(door, 'steward') });
      expect(proposal.options.length, JSON.stringify(proposal)).toBeGreaterThan(0);
      const table = proposal.options[0]!.table_id;
      // Parties up to the steward's limit (4): a steward seats them.
      const added = await addWalkIn(door.sync.http, { request_id: randomUUID(), name: `Walk-in ${i} Romero`, party_size: party, table_id: table, ...staff(door, 'steward') });
      expect(added).toMatchObject({ created: true, guest: { table_id: table, party_size: party } });
      walkIns.push(added.guest.id);
      steps.push({ guestId: added.guest.id, kind: 'admitted' });
      // The walk-in's own seat decision is in the guest.added the hub made (its HLC).
      const hlc = outboxPayload(hub.store.db, added.guest_event_id)?.hlc as string | undefined;
      expect(hlc).toMatch(/^\d{13}\.\d{4}\.v$/);
      decisions.push(
        { guestId: added.guest.id, field: 'table', value: table, hlc: hlc!, side: 'venue', offline: true },
        { guestId: added.guest.id, field: 'party', value: party, hlc: null, side: 'venue', offline: true },
      );
    }
    lap('20 walk-ins');

    // 10 moves (one of them a walk-in's), each to a table the hub says has room. Where the guest sits as the hub
    // knows it: the planner's moves cannot reach it while the link is cut.
    const seatOf = (id: string) => foldSeats(decisions.filter((d) => d.side !== 'console')).seats.get(id)!;
    const hubMove = async (door: Door, guestId: string, to: { table?: string; party?: number }): Promise<MoveResult> => {
      const r = await moveGuest(door.sync.http, {
        request_id: randomUUID(), guest_id: guestId, ...(to.table !== undefined ? { to_table_id: to.table } : {}), ...(to.party !== undefined ? { party_size: to.party } : {}), ...staff(door, 'supervisor'),
      });
      expect(r.hlc, JSON.stringify(r)).toMatch(/^\d{13}\.\d{4}\.v$/);
      if (to.table !== undefined) decisions.push({ guestId, field: 'table', value: to.table, hlc: r.hlc, side: 'venue', offline: true });
      if (to.party !== undefined) decisions.push({ guestId, field: 'party', value: to.party, hlc: r.hlc, side: 'venue', offline: true });
      return r;
    };
    for (const [i, id] of [...MOVED.map((g) => g.id), walkIns[0]!].entries()) {
      const door = i % 2 === 0 ? south : north;
      const seat = seatOf(id);
      const proposal = await proposeWalkIn(door.sync.http, { party_size: seat.party, ...staff(door, 'supervisor') });
      const to = proposal.options.find((o) => o.table_id !== seat.table && o.table_id !== 'T40' && o.table_id !== 'T39')!.table_id;
      const r = await hubMove(door, id, { table: to });
      expect(r).toMatchObject({ from_table_id: seat.table, guest: { table_id: to } });
    }
    lap('10 moves');
    // 3 +1s (a steward may change a party's size), one of them a walk-in's.
    for (const [i, id] of [...PLUS_ONE.map((g) => g.id), walkIns[1]!].entries()) {
      const door = i % 2 === 0 ? north : south;
      const seat = seatOf(id);
      const r = await moveGuest(door.sync.http, { request_id: randomUUID(), guest_id: id, party_size: seat.party + 1, ...staff(door, 'steward') });
      expect(r).toMatchObject({ from_party_size: seat.party, guest: { party_size: seat.party + 1 } });
      decisions.push({ guestId: id, field: 'party', value: seat.party + 1, hlc: r.hlc, side: 'venue', offline: true });
    }
    // 3 reverts by a supervisor; one of those guests comes back and checks in again at the other door.
    for (const g of REVERTED) {
      const r = await revertCheckin(north.sync.http, { request_id: randomUUID(), guest_id: g.id, reason: 'scanned the wrong ticket', ...staff(north, 'supervisor') });
      expect(r).toMatchObject({ guest_id: g.id, created: true });
      steps.push({ guestId: g.id, kind: 'reverted' });
    }
    // They checked in at the south door; the north door learns of the undo from the hub and admits them again.
    await waitFor('the revert at the north door', () => north.db.prepare("SELECT 1 FROM checkins WHERE guest_id = ? AND outcome = 'admitted' AND reverted_by IS NOT NULL").get(BACK_AGAIN.id), 15_000, 50);
    expect(checkedIn(north.db).has(BACK_AGAIN.id)).toBe(false);
    admit(north, BACK_AGAIN.barcode);
    lap('+1s and reverts');

    // The planner moves the other guest last, after the hub did.
    await consoleMove(PLANNER_LAST, 'T39');

    // The VIP arrives while the tablet of their table is open.
    admit(north, VIP.barcode);
    // What staff at the table see: an alert naming the guest and the table.
    const alert = tab.locator(`[role="alert"][data-vip="${VIP.id}"]`);
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain(VIP.name);
    expect(await alert.textContent()).toContain(VIP.table.label);
    expect(await alert.textContent()).toContain(VIP_NOTE);
    lap('planner and VIP');

    // Nothing reached the cloud while the link was down: the hub tried, and its outbox holds the evening.
    expect(await cloudEventCount(db, venueId)).toBe(pushedBefore);
    expect(wan.refused).toBeGreaterThan(0);
    await waitFor('both doors to hand their check-ins to the hub', () => doors.every((d) => d.service.outbox.depth() === 0), 30_000, 50);
    expect(hub.outbox.depth()).toBeGreaterThanOrEqual(ARRIVING.length);

    // Until the link is back the hub keeps its own move of the guest the planner moved last (it cannot know).
    const hubTableOf = (g: (typeof LIST)[number]) => decisions.filter((d) => d.guestId === g.id && d.side === 'venue' && d.field === 'table').at(-1)!.value;
    expect(seatsIn(hub.store.db).get(PLANNER_LAST.id)?.table).toBe(hubTableOf(PLANNER_LAST));
    expect(seatsIn(north.db).get(PLANNER_LAST.id)?.table).toBe(hubTableOf(PLANNER_LAST));

    // --- the link comes back -----------------------------------------------------------------------------------
    const expected = foldSeats(decisions);
    const expectedIn = foldCheckins(steps);
    const guestIds = [...expected.seats.keys()].sort();
    wan.restore();
    await waitFor('the hub\'s push to drain', () => hub!.outbox.depth() === 0, 90_000, 100);
    const cloudSeats = async () => new Map((await db.query<Row>('SELECT id, table_id, party_size FROM guestlist.guests WHERE venue_id = $1 AND NOT deleted', [venueId])).map((r) => [r.id, { table: r.table_id, party: r.party_size }]));
    const inCloud = await waitFor('the cloud to converge on the computed seats', async () => {
      const seats = await cloudSeats();
      return guestIds.every((id) => same(seats.get(id), expected.seats.get(id))) ? seats : null;
    }, 60_000, 200).catch(async () => cloudSeats());
    expect(differences(inCloud, expected.seats, guestIds), 'cloud vs computed').toEqual([]);
    // And each field decided with an HLC carries the winner's own, in the cloud and at the hub.
    const stamped = (rows: { id: string; table_hlc: string | null; party_hlc: string | null }[]) => {
      const byId = new Map(rows.map((r) => [r.id, r]));
      return guestIds.flatMap((id) => (['table', 'party'] as const).flatMap((f) => {
        const want = expected.hlcs.get(id)![f];
        const got = byId.get(id)?.[`${f}_hlc`] ?? null;
        return want !== null && got !== want ? [`${id} ${f}: ${got} (${want})`] : [];
      }));
    };
    expect(stamped(await db.query('SELECT id, table_hlc, party_hlc FROM guestlist.guests WHERE venue_id = $1', [venueId])), 'cloud HLCs').toEqual([]);
    const hubSeats = () => seatsIn(hub!.store.db);
    await waitFor('the hub to pull the cloud\'s outcome', () => guestIds.every((id) => same(hubSeats().get(id), expected.seats.get(id))), 30_000, 100).catch(() => undefined);
    expect(differences(hubSeats(), expected.seats, guestIds), 'hub vs computed').toEqual([]);
    expect(stamped(hub.store.db.prepare('SELECT id, table_hlc, party_hlc FROM guests').all() as { id: string; table_hlc: string | null; party_hlc: string | null }[]), 'hub HLCs').toEqual([]);
    lap('drain and converge');

    // Check-ins: every admission in the cloud once, the reverted ones undone, the one who came back in again.
    const cloudIn = await waitFor('the cloud\'s check-ins', async () => {
      const s = await cloudCheckedIn(db, venueId);
      return sameSet(s, expectedIn) ? s : null;
    }, 30_000, 200).catch(async () => cloudCheckedIn(db, venueId));
    expect([...cloudIn].sort()).toEqual([...expectedIn].sort());
    const [{ n: admissions } = { n: -1 }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM telemetry.events_raw WHERE venue_id = $1 AND type = 'checkin.succeeded'", [venueId]);
    expect(admissions).toBe(steps.filter((s) => s.kind === 'admitted').length);

    // The two moves made on both sides are shown to the planner: each loser beside its winner.
    const conflicts = await db.query<{ guest_id: string; field: string; winner_value: string | null; winner_hlc: string | null; loser_value: string | null; loser_hlc: string | null }>(
      'SELECT guest_id, field, winner_value, winner_hlc, loser_value, loser_hlc FROM guestlist.seat_conflicts WHERE venue_id = $1 ORDER BY guest_id, field', [venueId]);
    expect(conflicts).toEqual(expected.conflicts.map((c) => ({ guest_id: c.guestId, field: c.field, winner_value: c.winner.value, winner_hlc: c.winner.hlc, loser_value: c.loser.value, loser_hlc: c.loser.hlc })).sort((a, b) => (a.guest_id < b.guest_id ? -1 : 1)));
    expect(expected.conflicts.map((c) => [c.guestId, c.winner.side]).sort()).toEqual([[PLANNER_LAST.id, 'console'], [HUB_LAST.id, 'venue']]);
    // And the planner's console lists them (GET /console/api/venues/:venue/seat-conflicts), as the planner reads it.
    const listed = await consoleCall<SeatConflictList>(cloud, planner, 'GET', `/console/api/venues/${venueId}/seat-conflicts`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.unacknowledged).toBe(expected.conflicts.length);
    const side = (d: { value: string | null; hlc: string | null; source: string }) => ({ value: d.value, hlc: d.hlc, source: d.source });
    const sourceOf = (s: string) => (s === 'console' ? 'console' : 'hub');
    expect(listed.body.conflicts.map((c) => ({ guest_id: c.guest_id, field: c.field, winner: side(c.winner), loser: side(c.loser) })).sort((a, b) => (a.guest_id < b.guest_id ? -1 : 1)))
      .toEqual(expected.conflicts.map((c) => ({
        guest_id: c.guestId, field: c.field,
        winner: { value: c.winner.value, hlc: c.winner.hlc, source: sourceOf(c.winner.side) },
        loser: { value: c.loser.value, hlc: c.loser.hlc, source: sourceOf(c.loser.side) },
      })).sort((a, b) => (a.guest_id < b.guest_id ? -1 : 1)));

    // Every door agrees with the hub on every guest's table, party and check-in, once their pulls have caught up.
    const hubIn = () => checkedIn(hub!.store.db);
    const agrees = (d: Door) => {
      const mine = seatsIn(d.db);
      const theirs = hubSeats();
      return guestIds.every((id) => same(mine.get(id), theirs.get(id))) && sameSet(checkedIn(d.db), hubIn());
    };
    await waitFor('both doors to agree with the hub', () => doors.every(agrees), 30_000, 100).catch(() => undefined);
    expect([...hubIn()].sort()).toEqual([...expectedIn].sort());
    for (const d of doors) {
      expect(differences(seatsIn(d.db), hubSeats(), guestIds), `${d.doorId} door vs hub`).toEqual([]);
      expect([...checkedIn(d.db)].sort(), `${d.doorId} door's check-ins`).toEqual([...hubIn()].sort());
    }
    lap('doors agree');

    // --- the audit trail, at the hub (the real CLI) and in the cloud --------------------------------------------
    // The hub's whole chain reached the cloud with the push, and checks there as it does at the hub.
    const atHub = () => count(hub!.store.db, 'SELECT count(*) FROM audit_log');
    const verdict = await waitFor('the hub\'s audit chain whole in the cloud', async () => {
      const v = await verifyVenueAudit(db, tenant.id, venueId);
      return v.state === 'intact' && v.entries === atHub() && hub!.outbox.depth() === 0 ? v : null;
    }, 30_000, 200).catch(async () => verifyVenueAudit(db, tenant.id, venueId));
    expect(verdict).toEqual({ entries: atHub(), state: 'intact', first_missing_seq: null, broken: null });
    // The console's audit page says the same to the planner.
    const chains = await consoleCall<VenueAuditChainList>(cloud, planner, 'GET', '/console/api/audit/venues');
    expect(chains.body.venues).toEqual([{ venue_id: venueId, venue_name: 'Casino de Madrid', ...verdict }]);
    for (const d of doors) {
      await d.sync.push.stop();
      await d.sync.pull.stop();
    }
    await hub.close();
    hub = undefined;
    const verified = await cli(['agent', 'audit', 'verify', '--database', hubFile]);
    expect(verified.code, verified.out).toBe(0);
    // Both tiers hold the same chain: as many entries at the hub as the cloud checked, each door's admission among them.
    expect(verdictLine(verified.out)).toEqual({ entries: verdict.entries, state: 'intact', broken: null });
    expect(verdict.entries).toBeGreaterThanOrEqual(ARRIVING.length);

    // Someone edits one entry behind the hub's back: the check names it.
    const tampered = new Database(hubFile);
    const victim = tampered.prepare("SELECT seq, after_json FROM audit_log WHERE action = 'checkin.succeeded' ORDER BY seq LIMIT 1 OFFSET 100").get() as { seq: number; after_json: string | null };
    tampered.exec('DROP TRIGGER audit_log_no_update');
    tampered.prepare('UPDATE audit_log SET after_json = ? WHERE seq = ?').run(JSON.stringify({ ...(JSON.parse(victim.after_json ?? '{}') as object), door_id: 'side-window' }), victim.seq);
    tampered.close();
    const broken = await cli(['agent', 'audit', 'verify', '--database', hubFile]);
    expect(broken.code).toBe(1);
    expect(verdictLine(broken.out)).toMatchObject({ state: 'broken', broken: { seq: victim.seq, action: 'checkin.succeeded', reason: 'altered' } });
    expect(broken.out).toContain(`broken at entry seq ${victim.seq} (checkin.succeeded`);
    lap('audit');
  }, 300_000);
});

const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;
/** The JSON line `seatpilot agent audit verify` prints. */
const verdictLine = (out: string) => JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as unknown;

function seatsIn(db: Database.Database): Map<string, { table: string | null; party: number }> {
  return new Map((db.prepare('SELECT id, table_id, party_size FROM guests').all() as Row[]).map((r) => [r.id, { table: r.table_id, party: r.party_size }]));
}

/** Who is inside by this store: an admitted entry not undone. */
function checkedIn(db: Database.Database): Set<string> {
  return new Set(db.prepare("SELECT DISTINCT guest_id FROM checkins WHERE outcome = 'admitted' AND direction = 'entry' AND reverted_by IS NULL AND guest_id IS NOT NULL").pluck().all() as string[]);
}

function outboxPayload(db: Database.Database, eventId: string): Record<string, unknown> | undefined {
  const json = db.prepare('SELECT event_json FROM outbox WHERE event_id = ?').pluck().get(eventId) as string | undefined;
  return json ? ((JSON.parse(json) as { payload: Record<string, unknown> }).payload) : undefined;
}

const same = (a: { table: string | null; party: number } | undefined, b: { table: string | null; party: number } | undefined) => !!a && !!b && a.table === b.table && a.party === b.party;
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
type Seat = { table: string | null; party: number };
const show = (s: Seat | undefined) => (s ? `${s.table ?? 'no table'}/${s.party}` : 'missing');
/** Each guest whose seat differs, as "id: found (wanted)": readable where a deep diff of 560 guests is not. */
const differences = (found: Map<string, Seat>, wanted: Map<string, Seat>, ids: string[]) =>
  ids.filter((id) => !same(found.get(id), wanted.get(id))).map((id) => `${id}: ${show(found.get(id))} (${show(wanted.get(id))})`);

async function cloudEventCount(db: TestDatabase['db'], venueId: string): Promise<number> {
  const [r] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM telemetry.events_raw WHERE venue_id = $1 AND type <> 'device.heartbeat'", [venueId]);
  return r?.n ?? 0;
}

/** The cloud's view of who is inside: each admission not undone by a revert of that guest's check-in. */
async function cloudCheckedIn(db: TestDatabase['db'], venueId: string): Promise<Set<string>> {
  const rows = await db.query<{ guest_id: string }>(
    `SELECT DISTINCT s.payload->>'guest_id' AS guest_id FROM telemetry.events_raw s
      WHERE s.venue_id = $1 AND s.type = 'checkin.succeeded' AND s.payload->>'direction' = 'entry'
        AND NOT EXISTS (SELECT 1 FROM telemetry.events_raw r WHERE r.venue_id = s.venue_id AND r.type = 'checkin.reverted'
                          AND r.payload->>'reverted_event_id' = s.event_id::text AND r.payload->>'guest_id' = s.payload->>'guest_id')`,
    [venueId],
  );
  return new Set(rows.map((r) => r.guest_id));
}

/** The console's API as the planner's browser calls it: the session cookie, and the CSRF token on writes. */
async function consoleCall<T>(cloud: ConsoleCloud, who: TestSession, method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { cookie: who.cookie, ...(method === 'GET' ? {} : { [CSRF_HEADER]: who.csrf, 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = seatpilot(args);
  const code = await p.exited();
  return { code, out: p.out() };
}
