// The tablet page in real Chromium against a real agent (SQLite file, HTTP on 127.0.0.1) relaying to the real cloud
// (PGlite), with a real kiosk checking guests in: pairing, "on the way", tap and undo, door-to-seat, an outage.
// Each test pairs a tablet of its own and works on guests of its own (seeded once, below), so none depends on what
// another left behind. The undo window is wide enough for a loaded machine; a test that needs it over moves the
// shared clock of kiosk and agent past it (skipUndoWindow) instead of sleeping through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type CloudApp } from '../../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../../cloud-sync/admin';
import { signRequest } from '../../core/signing/signing';
import { CheckinService } from '../../kiosk/checkin-service';
import { openStore } from '../../venue-store/open';
import { KioskSync } from '../../kiosk/sync-runtime';
import { guestChange, occasionChange, page as syncPage, tableChange } from '../../tests/fixtures/sync-fixtures';
import { freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { ROOT, seatpilot } from '../../tests/procs';
import { waitFor } from '../../tests/wait';
import { parseAgentConfig, type AgentConfig } from '../config';
import { startAgent, type RunningAgent } from '../runtime';
import { createTabletPairingCode, revokeTablet, seatingCounts } from '../../protocol/staff-client';
import { screensDir } from '../../tests/kiosk-browser';
import { parseKioskAppConfig } from '../../kiosk/app-config';
import { openRuntimeFromConfig, type KioskRuntime } from '../../kiosk/runtime';
import { startBrowserMode, type BrowserMode } from '../../kiosk/browser/server';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UNDO_SECONDS = 20;
const TAG = 'ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:3:44';

/** The venue: who sits where, and which test works on whom. Seeded once; no two tests touch the same guest. */
const TABLES = [{ id: 't12', label: '12' }, { id: 't7', label: '7' }, { id: 't20', label: '20' }];
const GUESTS = [
  { id: 'g1', name: 'Ana Souza', table_id: 't12' }, // pairing: stays expected
  { id: 'g2', name: 'Bruno Díaz', table_id: 't12', party_size: 2 }, // on the way
  { id: 'g3', name: 'Carla Núñez', table_id: 't12' }, // undo: the undone tap
  { id: 'g4', name: 'Diego Ortiz', table_id: 't12' }, // undo: the tap that stands
  { id: 'g5', name: 'Elena Ruiz', table_id: 't12' }, // a recorded tap
  { id: 'g6', name: 'Fabio Gil', table_id: 't12' }, // beacon seen at another table
  { id: 'g7', name: 'Gala Pérez', table_id: 't12' }, // screenshot
  { id: 'g8', name: 'Hugo Sanz', table_id: 't12' }, // Spanish
  { id: 'g10', name: 'Iker Vidal', table_id: 't12' }, // offline: delivered
  { id: 'g11', name: 'Julia Mora', table_id: 't12' }, // offline: undone before it left
  { id: 'g12', name: 'Karen Soto', table_id: 't12' }, // kiosk staff mode, live counts
  { id: 'g9', name: 'Inés Lima', table_id: 't7' },
  { id: 'g20', name: 'Lucía Rey', table_id: 't20' }, // staff link counts: checked in and seated
  { id: 'g21', name: 'Mateo Cruz', table_id: 't20' }, // staff link counts: checked in
  { id: 'g22', name: 'Nora Vega', table_id: 't20' }, // staff link counts: expected
];
const ticket = (guestId: string) => `TICKET-${guestId.slice(1)}`;
const atTable = (table: string) => GUESTS.filter((g) => g.table_id === table).length;

describe('the tablet page in Chromium', () => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: RunningAgent;
  let config: AgentConfig;
  let kiosk: { service: CheckinService; sync: KioskSync; close(): void };
  let kioskDeviceId: string;
  let venueId: string;
  let staffKiosk: { runtime: KioskRuntime; browser: BrowserMode } | null = null;
  let ctx: BrowserContext;
  let tab: Page;
  const dir = mkdtempSync(join(tmpdir(), 'sp-tablet-page-'));
  const configFile = join(dir, 'agent.json');
  const dbFile = join(dir, 'agent.sqlite');

  // The door kiosk's and the agent's clock: the machine's, moved ahead when a test needs an undo window over now.
  let aheadMs = 0;
  const venueNow = () => Date.now() + aheadMs;
  const skipUndoWindow = () => {
    aheadMs += (UNDO_SECONDS + 1) * 1000;
  };

  const guest = (id: string) => tab.locator(`[data-guest="${id}"]`);
  const count = async (which: string) => Number(await tab.locator(`[data-count="${which}"] b`).textContent());
  const cloudSeats = async (guestId: string) =>
    t.db.query<{ event_id: string; payload: { source: string; table_id: string } }>("SELECT event_id::text, payload FROM telemetry.events_raw WHERE type = 'seat.arrived' AND payload->>'guest_id' = $1", [guestId]);
  const cloudSeatsArrived = (guestId: string, timeoutMs = 15_000) =>
    waitFor(`seat.arrived of ${guestId} in the cloud`, async () => {
      const r = await cloudSeats(guestId);
      return r.length ? r : null;
    }, timeoutMs);
  const agentMetrics = async () => (await fetch(`${agent.url}/metrics`)).text();
  const doorToSeatCount = async () => Number(/^seatpilot_door_to_seat_seconds_count (\d+)$/m.exec(await agentMetrics())?.[1] ?? NaN);
  const agentArrival = (guestId: string) => agent.store.db.prepare('SELECT state FROM arrivals WHERE guest_id = ?').get(guestId) as { state: string } | undefined;
  const scan = (guestId: string) => {
    const r = kiosk.service.scan(ticket(guestId), { kind: 'barcode' });
    expect(r.status).toBe('ok');
    kiosk.sync.kick();
  };
  const start = async () => {
    agent = await startAgent({ config, databaseFile: dbFile, now: venueNow });
  };
  /** Beacon sightings of `tag` at `table` from a gateway: enough of them, over the dwell time, to place the guest there. */
  const sightings = async (tag: string, table: string) => {
    const gw = agent.store.issueKey('dev_gateway_7', 'gateway');
    const now = venueNow();
    const body = JSON.stringify({ sightings: Array.from({ length: 8 }, (_, i) => ({ tag, table_id: table, rssi: -52, seen_at: new Date(now - (7 - i) * 1000).toISOString() })) });
    const headers = await signRequest({ keyId: gw.key_id, secret: gw.secret, method: 'POST', pathWithQuery: '/v1/beacon/sightings', body });
    const r = await fetch(`${agent.url}/v1/beacon/sightings`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(await r.json()).toMatchObject({ accepted: 8, arrivals: [] });
  };
  const tabletToken = async () => (await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.token'))) as string;
  const assignTag = async (tag: string, guestId: string) => {
    const r = await fetch(`${agent.url}/tablet/api/beacon-tags/${encodeURIComponent(tag)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await tabletToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guest_id: guestId }),
    });
    expect(await r.json()).toEqual({ tag, guest_id: guestId });
  };
  /** The page as a tablet just paired (code from the kiosk's staff link) and opened on table 12: nothing left over. */
  const freshTablet = async () => {
    await tab.goto(`${agent.url}/tablet`);
    await tab.evaluate(() => localStorage.clear());
    await tab.goto(`${agent.url}/tablet`);
    const { code } = await createTabletPairingCode(kiosk.sync.http, { label: 'Table 12' });
    await tab.locator('#pair-code').fill(code);
    await tab.locator('#pair-submit').click();
    await tab.locator('[data-table="t12"]').click();
    await tab.locator('[data-action="open"]').click();
    await guest('g1').waitFor();
  };

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    const tenant = await addTenant(t.db, 'Tenant');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    const agentKey: IssuedKey = await addDevice(t.db, venue.id, 'agent');
    const kioskDevice = await addDevice(t.db, venue.id, 'kiosk');
    kioskDeviceId = kioskDevice.device_id;
    venueId = venue.id;
    cloud = await buildApp({ db: t.db });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const cloudPort = (cloud.app.server.address() as { port: number }).port;
    config = parseAgentConfig({
      venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: 0 }, database: dbFile,
      cloud: { url: `http://127.0.0.1:${cloudPort}`, key_id: agentKey.key_id, secret: agentKey.secret },
      push_interval_ms: 200, pull_interval_ms: 500, tablet: { undo_seconds: UNDO_SECONDS, dwell: { dwellSeconds: 5 } },
    });
    await start();
    // Restarts reuse the port the first start was given, as a hub on the LAN keeps its address.
    config.listen = { host: '127.0.0.1', port: Number(new URL(agent.url).port) };
    writeFileSync(configFile, JSON.stringify(config));
    const now = Date.now();
    agent.store.applyCloudPage(syncPage([
      occasionChange(1, { starts_at: new Date(now - 3600_000).toISOString(), ends_at: new Date(now + 5 * 3600_000).toISOString() }),
      ...TABLES.map((tb, i) => tableChange(2 + i, tb)),
      ...GUESTS.map((g, i) => guestChange(10 + i, { ...g, party_size: g.party_size ?? 1, credentials: [{ kind: 'barcode', value: ticket(g.id) }] })),
    ], 'cloud-1'));
    const { db } = openStore(join(dir, 'kiosk.sqlite'));
    const service = new CheckinService(db, { venue_id: venue.id, device_id: kioskDevice.device_id, door_id: 'door-a' }, { clock: venueNow });
    const key = agent.store.issueKey(kioskDevice.device_id, 'kiosk');
    const sync = new KioskSync(service, { agent: { baseUrl: agent.url, keyId: key.key_id, secret: key.secret }, pushIntervalMs: 100, pullIntervalMs: 100, now: venueNow });
    sync.start();
    kiosk = { service, sync, close: () => db.close() };
    await waitFor('the kiosk to receive the guest list', () => GUESTS.every((g) => service.search(g.name).length > 0));
    ctx = await chromium.launchPersistentContext(join(dir, 'chromium'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, locale: 'en-GB', viewport: { width: 820, height: 1180 } });
    tab = ctx.pages()[0] ?? (await ctx.newPage());
  });

  afterAll(async () => {
    await staffKiosk?.browser.close();
    await staffKiosk?.runtime.close();
    await ctx?.close();
    await kiosk?.sync.stop();
    kiosk?.close();
    await agent?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('pairs with a code printed by "seatpilot agent pair-tablet" and picks a table', async () => {
    await tab.goto(`${agent.url}/tablet`);
    await tab.evaluate(() => localStorage.clear());
    const cli = seatpilot(['agent', 'pair-tablet', '--config', configFile, '--label', 'Table 12']);
    const out = await cli.waitFor(/"code": "([2-9A-Z]{4}-[2-9A-Z]{4})"/);
    await cli.kill();
    await tab.goto(`${agent.url}/tablet`);
    await tab.locator('#pair-code').fill('WRNG-CODE');
    await tab.locator('#pair-submit').click();
    await expect.poll(() => tab.locator('#pair-error').textContent()).toMatch(/wrong, used or expired/);
    await tab.locator('#pair-code').fill((out[1] as string).toLowerCase());
    await tab.locator('#pair-submit').click();
    await tab.locator('[data-table="t12"]').click();
    await tab.locator('[data-action="open"]').click();
    await guest('g1').waitFor();
    expect(await guest('g1').getAttribute('data-status')).toBe('expected');
    expect(await count('expected')).toBe(atTable('t12'));
    // A code from the CLI names no role: the tablet is a steward's, and says so.
    await expect.poll(() => tab.locator('#tablet-role').textContent()).toBe('Steward');
  });

  it('shows a guest checked in at the kiosk as "on the way" within 2 s', async () => {
    await freshTablet();
    const before = await count('checked-in');
    const t0 = Date.now();
    scan('g2');
    await tab.locator('[data-guest="g2"][data-status="on_the_way"]').waitFor({ timeout: 2_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await guest('g2').textContent()).toMatch(/checked in just now/);
    await expect.poll(() => count('checked-in')).toBe(before + 1);
  });

  it('undoes a mistaken tap inside the window: that one never reaches the cloud, the next one does', async () => {
    await freshTablet();
    scan('g3');
    scan('g4');
    await tab.locator('[data-guest="g3"][data-status="on_the_way"]').waitFor();
    await tab.locator('[data-guest="g4"][data-status="on_the_way"]').waitFor();
    await guest('g3').locator('[data-action="arrive"]').click();
    await tab.locator('[data-guest="g3"][data-status="arrived"] [data-action="undo"]').waitFor();
    await waitFor('the tap to reach the agent', () => agentArrival('g3'));
    await guest('g3').locator('[data-action="undo"]').click();
    await tab.locator('[data-guest="g3"][data-status="on_the_way"]').waitFor();
    await waitFor('the undo to reach the agent', () => agentArrival('g3')?.state === 'undone');
    // A tap left alone, as the control: once it reaches the cloud, the window is over for both.
    await guest('g4').locator('[data-action="arrive"]').click();
    await waitFor('the second tap to reach the agent', () => agentArrival('g4'));
    skipUndoWindow();
    await cloudSeatsArrived('g4');
    expect(agentArrival('g3')?.state).toBe('undone');
    expect(agent.store.db.prepare("SELECT count(*) FROM outbox WHERE type = 'seat.arrived' AND json_extract(event_json, '$.payload.guest_id') = 'g3'").pluck().get()).toBe(0);
    expect(await cloudSeats('g3')).toEqual([]);
    expect(await guest('g3').getAttribute('data-status')).toBe('on_the_way');
    await tab.locator('[data-guest="g4"][data-status="arrived"]').waitFor();
  });

  it('records a tap: the cloud receives seat.arrived and the agent\'s door-to-seat histogram counts it', async () => {
    await freshTablet();
    scan('g5');
    await tab.locator('[data-guest="g5"][data-status="on_the_way"]').waitFor();
    const countedBefore = await doorToSeatCount();
    const seatedBefore = await count('seated');
    await guest('g5').locator('[data-action="arrive"]').click();
    await tab.locator('[data-guest="g5"][data-status="arrived"]').waitFor();
    await waitFor('the tap to reach the agent', () => agentArrival('g5'));
    skipUndoWindow();
    const rows = await cloudSeatsArrived('g5');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toMatchObject({ source: 'tablet', table_id: 't12' });
    expect(await doorToSeatCount()).toBe(countedBefore + 1);
    // The undo button is gone once the arrival is recorded.
    await tab.locator('[data-guest="g5"] [data-action="undo"]').waitFor({ state: 'detached' });
    expect(await count('seated')).toBe(seatedBefore + 1);
    expect(await guest('g5').textContent()).toMatch(/seated 0:\d\d after check-in/);
  });

  it('shows a guest a beacon placed at another table as "seen at table N"', async () => {
    await freshTablet();
    scan('g6');
    await assignTag(TAG, 'g6');
    await sightings(TAG, 't7');
    await tab.locator('[data-guest="g6"][data-status="on_the_way"] [data-seen-at="t7"]').waitFor();
    expect(await guest('g6').textContent()).toMatch(/seen at table 7/);
  });

  it('saves a screenshot of the board', async () => {
    await freshTablet();
    scan('g7');
    await tab.locator('[data-guest="g7"][data-status="on_the_way"]').waitFor();
    mkdirSync(join(ROOT, 'docs', 'screens'), { recursive: true });
    await tab.screenshot({ path: join(screensDir(), 'tablet.png'), fullPage: true });
  });

  it('is installable as a PWA: Chromium reports no installability errors and the service worker runs', async () => {
    await freshTablet();
    const cdp = await ctx.newCDPSession(tab);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    await cdp.detach();
    await expect.poll(() => tab.evaluate(async () => (await navigator.serviceWorker.getRegistration('/tablet'))?.active?.state)).toBe('activated');
  });

  it('speaks Spanish at a tap, and remembers it', async () => {
    await freshTablet();
    scan('g8');
    const tag = 'ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:3:45';
    await assignTag(tag, 'g8');
    await sightings(tag, 't7');
    await tab.locator('[data-guest="g8"][data-status="on_the_way"] [data-seen-at="t7"]').waitFor();
    await tab.locator('[data-action="lang"]').click();
    expect(await tab.locator('[data-section="on-the-way"] h2').textContent()).toMatch(/^En camino/);
    expect(await guest('g8').locator('[data-action="arrive"]').textContent()).toBe('Marcar llegada');
    expect(await guest('g8').textContent()).toMatch(/visto en la mesa 7/);
    expect(await tab.locator('h1').textContent()).toBe('Mesa 12');
    await tab.reload();
    await guest('g8').waitFor();
    expect(await tab.locator('h1').textContent()).toBe('Mesa 12');
    await tab.locator('[data-action="lang"]').click();
    expect(await tab.locator('h1').textContent()).toBe('Table 12');
  });

  it('with the agent stopped, queues taps on the tablet and delivers them once after it returns', async () => {
    await freshTablet();
    scan('g10');
    scan('g11');
    await tab.locator('[data-guest="g10"][data-status="on_the_way"]').waitFor();
    await tab.locator('[data-guest="g11"][data-status="on_the_way"]').waitFor();
    await agent.close();
    try {
      await tab.locator('#offline-banner').waitFor();
      await guest('g10').locator('[data-action="arrive"]').click();
      await guest('g11').locator('[data-action="arrive"]').click();
      await tab.locator('[data-guest="g10"][data-status="arrived"]').waitFor();
      expect(await guest('g10').textContent()).toMatch(/waiting to send/);
      expect(await tab.locator('#offline-banner').textContent()).toMatch(/2 tap\(s\) waiting/);
      await tab.screenshot({ path: join(screensDir(), 'tablet-offline.png'), fullPage: true });
      // Undo of a tap that never left the tablet: it simply disappears from the queue.
      await guest('g11').locator('[data-action="undo"]').click();
      await tab.locator('[data-guest="g11"][data-status="on_the_way"]').waitFor();
      const queued = await tab.evaluate(() => JSON.parse(localStorage.getItem('seatpilot.tablet.queue') ?? '[]') as Array<{ guest_id: string }>);
      expect(queued.map((q) => q.guest_id)).toEqual(['g10']);
      // A reload while the hub is away keeps the queue.
      await tab.reload().catch(() => undefined);
    } finally {
      await start();
    }
    await tab.locator('#offline-banner').waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor('the queued tap to reach the agent', () => agentArrival('g10'));
    skipUndoWindow();
    expect(await cloudSeatsArrived('g10', 20_000)).toHaveLength(1);
    expect(await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.queue'))).toBe('[]');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await cloudSeats('g10')).toHaveLength(1);
    expect(agent.store.db.prepare("SELECT count(*) FROM arrivals WHERE guest_id IN ('g10', 'g11')").pluck().get()).toBe(1);
    expect(await cloudSeats('g11')).toEqual([]);
    await tab.locator('[data-guest="g10"][data-status="arrived"]').waitFor();
  });

  it('serves the kiosk staff mode over the kiosk\'s signed link: pairing codes, counts, unpairing', async () => {
    const code = await createTabletPairingCode(kiosk.sync.http, { label: 'Bar' });
    const paired = await fetch(`${agent.url}/tablet/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code }) });
    expect(paired.status).toBe(201);
    const { tablet_id, token } = (await paired.json()) as { tablet_id: string; token: string };
    // Table 20: two of its three guests checked in at the door, one of them seated from this tablet.
    scan('g20');
    scan('g21');
    await waitFor('the check-ins to reach the agent', async () => (await seatingCounts(kiosk.sync.http)).tables.find((c) => c.table_id === 't20')?.checked_in === 2);
    const tap = await fetch(`${agent.url}/tablet/api/arrivals`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ key: randomUUID(), guest_id: 'g20' }) });
    expect(tap.status).toBe(201);
    // The hub answers counts from a cache a few seconds old at most: the seat shows once that has caught up.
    const counts = await waitFor('the seat in the counts', async () => {
      const c = await seatingCounts(kiosk.sync.http);
      return c.tables.find((x) => x.table_id === 't20')?.seated ? c : null;
    });
    expect(counts.tables.find((c) => c.table_id === 't20')).toEqual({ table_id: 't20', label: '20', expected: 3, checked_in: 2, seated: 1 });
    // The occasion's totals are its tables' (other tests' guests included), every guest of the list expected.
    const sum = (k: 'checked_in' | 'seated') => counts.tables.reduce((n, c) => n + c[k], 0);
    expect(counts.occasions).toEqual([expect.objectContaining({ expected: GUESTS.length, checked_in: sum('checked_in'), seated: sum('seated') })]);
    expect(await revokeTablet(kiosk.sync.http, tablet_id)).toEqual({ tablet_id, status: 'revoked' });
    await expect(revokeTablet(kiosk.sync.http, tablet_id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const after = await fetch(`${agent.url}/tablet/api/tables`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'tablet_revoked' });
  });

  it('tells a tablet whose pairing was revoked to ask staff to pair it again', async () => {
    await freshTablet();
    const id = (await tabletToken()).split('.')[0] as string;
    const cli = seatpilot(['agent', 'tablet', 'revoke', '--config', configFile, '--tablet', id]);
    await cli.waitFor(/"status": "revoked"/);
    await cli.kill();
    await tab.locator('#pair-error').waitFor({ timeout: 10_000 });
    expect(await tab.locator('#pair-error').textContent()).toMatch(/Ask staff to pair this tablet again/);
  });

  it("shows the hub's live counts in the kiosk's staff mode, and a supervisor pairs a tablet with the code it shows", async () => {
    // A second door's kiosk as venues run it: its config file, its own SQLite file, browser mode, the hub over its key.
    const key = agent.store.issueKey(kioskDeviceId, 'kiosk');
    const cfg = parseKioskAppConfig({
      database: join(dir, 'door-b.sqlite'),
      kiosk: { venue_id: venueId, device_id: kioskDeviceId, door_id: 'door-b' },
      ui: { venue_name: 'Hall', language: 'en', staff_pin: '2468', supervisor_pin: '975310' },
      hub: { base_url: agent.url, key_id: key.key_id, secret: key.secret },
    }, 'door-b.json');
    const runtime = await openRuntimeFromConfig(cfg, dir);
    staffKiosk = { runtime, browser: await startBrowserMode({ runtime, host: '127.0.0.1', port: 0 }) };
    const page = await ctx.newPage();
    await page.goto(staffKiosk.browser.url);
    await page.waitForSelector('body[data-screen="idle"]');
    await page.getByTestId('staff-button').click();
    await page.getByTestId('pin-input').fill('2468');
    await page.getByTestId('pin-submit').click();
    await page.waitForSelector('body[data-screen="staff"]');

    const row = (table: string) => page.locator(`[data-testid="seating-tables"] tr[data-table="${table}"]`);
    const cells = async (table: string) => (await row(table).locator('th, td').allTextContents()).map((s) => s.trim());
    const api = async (table: string) => {
      const c = (await seatingCounts(kiosk.sync.http)).tables.find((x) => x.table_id === table)!;
      return [c.label, String(c.expected), String(c.checked_in), String(c.seated)];
    };
    await row('t12').waitFor();
    expect(await cells('t12')).toEqual(await api('t12'));
    // In the order staff read table numbers: 7 before 12 before 20 (the hub sorts labels as text).
    expect(await page.locator('[data-testid="seating-tables"] tbody th').allTextContents()).toEqual(['7', '12', '20']);
    const before = await api('t12');
    const occasion = (await seatingCounts(kiosk.sync.http)).occasions[0]!;
    expect(await page.getByTestId('seating-totals').textContent()).toBe(`${occasion.name}: ${occasion.checked_in} of ${occasion.expected} checked in, ${occasion.seated} seated`);

    // Live: a guest checked in at door A shows in door B's counts without leaving staff mode.
    scan('g12');
    await expect.poll(() => cells('t12'), { timeout: 15_000, interval: 250 }).toEqual([before[0], before[1], String(Number(before[2]) + 1), before[3]]);

    // The steward sees the counts but may not pair a device while the venue has a supervisor PIN.
    expect(await page.getByTestId('staff-role').textContent()).toBe('Signed in as: Steward');
    await page.getByTestId('pair-tablet').click();
    await expect.poll(() => page.getByTestId('pair-code').textContent()).toBe('A supervisor must do this: ask them to enter their PIN.');
    expect(await page.getByTestId('pair-code').getAttribute('data-code')).toBeNull();
    await page.getByRole('button', { name: 'Exit staff mode' }).click();
    await page.waitForSelector('body[data-screen="idle"]');
    await page.getByTestId('staff-button').click();
    await page.getByTestId('pin-input').fill('975310');
    await page.getByTestId('pin-submit').click();
    await page.waitForSelector('body[data-screen="staff"]');
    expect(await page.getByTestId('staff-role').textContent()).toBe('Signed in as: Supervisor');
    await expect.poll(() => cells('t12'), { timeout: 15_000, interval: 250 }).toEqual([before[0], before[1], String(Number(before[2]) + 1), before[3]]);
    await page.getByTestId('pair-role').selectOption('supervisor');
    await page.getByTestId('pair-tablet').click();
    await page.waitForFunction(() => Boolean(document.querySelector<HTMLElement>('[data-testid="pair-code"]')?.dataset.code));
    const code = (await page.getByTestId('pair-code').getAttribute('data-code'))!;
    expect(await page.getByTestId('pair-code').textContent()).toMatch(new RegExp(`^Code ${code} — enter it on the tablet before \\d\\d:\\d\\d$`));
    await page.screenshot({ path: join(screensDir(), 'kiosk-staff-seating.png') });
    // The tablet paired with it works as a supervisor, and shows it.
    await tab.goto(`${agent.url}/tablet`);
    await tab.evaluate(() => localStorage.clear());
    await tab.goto(`${agent.url}/tablet`);
    await tab.locator('#pair-code').fill(code);
    await tab.locator('#pair-submit').click();
    await expect.poll(() => tab.locator('#tablet-role').textContent()).toBe('Supervisor');
    const id = (await tabletToken()).split('.')[0] as string;
    expect(agent.store.db.prepare('SELECT role FROM tablets WHERE id = ?').pluck().get(id)).toBe('supervisor');
    const reused = await fetch(`${agent.url}/tablet/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(reused.status).toBe(401);

    // The hub gone: staff read why, in words, and the last counts stay on screen.
    await agent.close();
    try {
      await expect.poll(() => page.getByTestId('seating-note').textContent(), { timeout: 15_000, interval: 250 }).toBe('The venue hub is not answering: check the hub and the network.');
      expect(await cells('t12')).toEqual([before[0], before[1], String(Number(before[2]) + 1), before[3]]);
      await page.getByTestId('pair-tablet').click();
      await expect.poll(() => page.getByTestId('pair-code').textContent()).toBe('The venue hub is not answering: check the hub and the network.');
    } finally {
      await start();
    }
    await page.close();
  });
});
