// The tablet page in real Chromium against a real agent (SQLite file, HTTP on 127.0.0.1) relaying to the real cloud
// (PGlite), with a real kiosk checking guests in: pairing, "on the way", tap and undo, door-to-seat, an outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type CloudApp } from '../../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../../cloud-sync/admin';
import { signRequest } from '../../core/signing';
import { CheckinService } from '../../kiosk/checkin-service';
import { openStore } from '../../kiosk/store/open';
import { KioskSync } from '../../kiosk/sync-runtime';
import { guestChange, occasionChange, page as syncPage, tableChange } from '../../kiosk/sync-fixtures';
import { freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { ROOT, seatpilot } from '../../tests/procs';
import { waitFor } from '../../tests/wait';
import { parseAgentConfig, type AgentConfig } from '../config';
import { startAgent, type RunningAgent } from '../runtime';
import { createTabletPairingCode, revokeTablet, seatingCounts } from './staff-client';
import { screensDir } from '../../tests/kiosk-browser';
import { parseKioskAppConfig } from '../../kiosk/app-config';
import { openRuntimeFromConfig, type KioskRuntime } from '../../kiosk/runtime';
import { startBrowserMode, type BrowserMode } from '../../kiosk/browser/start';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UNDO_SECONDS = 3;
const TAG = 'ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:3:44';

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

  const guest = (id: string) => tab.locator(`[data-guest="${id}"]`);
  const cloudSeats = async (guestId: string) =>
    t.db.query<{ event_id: string; payload: { source: string; table_id: string } }>("SELECT event_id::text, payload FROM telemetry.events_raw WHERE type = 'seat.arrived' AND payload->>'guest_id' = $1", [guestId]);
  const agentMetrics = async () => (await fetch(`${agent.url}/metrics`)).text();
  const scan = (ticket: string) => {
    const r = kiosk.service.scan(ticket, { kind: 'barcode' });
    expect(r.status).toBe('ok');
    kiosk.sync.kick();
  };
  const start = async () => {
    agent = await startAgent({ config, databaseFile: dbFile });
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
      tableChange(2, { id: 't12', label: '12' }),
      tableChange(3, { id: 't7', label: '7' }),
      ...['Ana Souza', 'Bruno Díaz', 'Carla Núñez', 'Diego Ortiz', 'Elena Ruiz'].map((name, i) =>
        guestChange(10 + i, { id: `g${i + 1}`, name, table_id: 't12', party_size: i === 1 ? 2 : 1, credentials: [{ kind: 'barcode', value: `TICKET-${i + 1}` }] })),
      guestChange(20, { id: 'g9', name: 'Inés Lima', table_id: 't7', credentials: [{ kind: 'barcode', value: 'TICKET-9' }] }),
    ], 'cloud-1'));
    const { db } = openStore(join(dir, 'kiosk.sqlite'));
    const service = new CheckinService(db, { venue_id: venue.id, device_id: kioskDevice.device_id, door_id: 'door-a' });
    const key = agent.store.issueKey(kioskDevice.device_id, 'kiosk');
    const sync = new KioskSync(service, { agent: { baseUrl: agent.url, keyId: key.key_id, secret: key.secret }, pushIntervalMs: 100, pullIntervalMs: 100 });
    sync.start();
    kiosk = { service, sync, close: () => db.close() };
    await waitFor('the kiosk to receive the guest list', () => service.search('ana').length > 0);
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
    expect(await tab.locator('[data-count="expected"] b').textContent()).toBe('5');
  });

  it('shows a guest checked in at the kiosk as "on the way" within 2 s', async () => {
    const t0 = Date.now();
    scan('TICKET-1');
    await tab.locator('[data-guest="g1"][data-status="on_the_way"]').waitFor({ timeout: 2_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await guest('g1').textContent()).toMatch(/checked in just now/);
    expect(await tab.locator('[data-count="checked-in"] b').textContent()).toBe('1');
  });

  it('undoes a mistaken tap inside the window: nothing reaches the cloud', async () => {
    await guest('g1').locator('[data-action="arrive"]').click();
    await tab.locator('[data-guest="g1"][data-status="arrived"] [data-action="undo"]').waitFor();
    await waitFor('the tap to reach the agent', () => agent.store.db.prepare("SELECT 1 FROM arrivals WHERE guest_id = 'g1'").get());
    await guest('g1').locator('[data-action="undo"]').click();
    await tab.locator('[data-guest="g1"][data-status="on_the_way"]').waitFor();
    await waitFor('the undo to reach the agent', () => agent.store.db.prepare("SELECT 1 FROM arrivals WHERE guest_id = 'g1' AND state = 'undone'").get());
    await new Promise((r) => setTimeout(r, (UNDO_SECONDS + 1) * 1000));
    expect(agent.store.db.prepare("SELECT count(*) FROM outbox WHERE type = 'seat.arrived'").pluck().get()).toBe(0);
    expect(await cloudSeats('g1')).toEqual([]);
    expect(await guest('g1').getAttribute('data-status')).toBe('on_the_way');
  });

  it('records a tap: the cloud receives seat.arrived and the agent\'s door-to-seat histogram counts it', async () => {
    await guest('g1').locator('[data-action="arrive"]').click();
    await tab.locator('[data-guest="g1"][data-status="arrived"]').waitFor();
    const rows = await waitFor('seat.arrived in the cloud', async () => {
      const r = await cloudSeats('g1');
      return r.length ? r : null;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toMatchObject({ source: 'tablet', table_id: 't12' });
    expect(await agentMetrics()).toMatch(/seatpilot_door_to_seat_seconds_count 1\b/);
    // The undo button is gone once the arrival is recorded.
    await tab.locator('[data-guest="g1"] [data-action="undo"]').waitFor({ state: 'detached' });
    expect(await tab.locator('[data-count="seated"] b').textContent()).toBe('1');
    expect(await guest('g1').textContent()).toMatch(/seated 0:\d\d after check-in/);
  });

  it('shows a guest a beacon placed at another table as "seen at table N"', async () => {
    scan('TICKET-3');
    const assigned = await (await fetch(`${agent.url}/tablet/api/beacon-tags/${encodeURIComponent(TAG)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.token'))}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guest_id: 'g3' }),
    })).json();
    expect(assigned).toEqual({ tag: TAG, guest_id: 'g3' });
    const gw = agent.store.issueKey('dev_gateway_7', 'gateway');
    const now = Date.now();
    const body = JSON.stringify({ sightings: Array.from({ length: 8 }, (_, i) => ({ tag: TAG, table_id: 't7', rssi: -52, seen_at: new Date(now - (7 - i) * 1000).toISOString() })) });
    const headers = await signRequest({ keyId: gw.key_id, secret: gw.secret, method: 'POST', pathWithQuery: '/v1/beacon/sightings', body });
    const r = await fetch(`${agent.url}/v1/beacon/sightings`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(await r.json()).toMatchObject({ accepted: 8, arrivals: [] });
    await tab.locator('[data-guest="g3"][data-status="on_the_way"] [data-seen-at="t7"]').waitFor();
    expect(await guest('g3').textContent()).toMatch(/seen at table 7/);
  });

  it('saves a screenshot of the board', async () => {
    scan('TICKET-2');
    await tab.locator('[data-guest="g2"][data-status="on_the_way"]').waitFor();
    mkdirSync(join(ROOT, 'docs', 'screens'), { recursive: true });
    await tab.screenshot({ path: join(screensDir(), 'tablet.png'), fullPage: true });
  });

  it('is installable as a PWA: Chromium reports no installability errors and the service worker runs', async () => {
    const cdp = await ctx.newCDPSession(tab);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    await cdp.detach();
    expect(await tab.evaluate(async () => (await navigator.serviceWorker.getRegistration('/tablet'))?.active?.state)).toBe('activated');
  });

  it('speaks Spanish at a tap, and remembers it', async () => {
    await tab.locator('[data-action="lang"]').click();
    expect(await tab.locator('[data-section="on-the-way"] h2').textContent()).toMatch(/^En camino/);
    expect(await guest('g2').locator('[data-action="arrive"]').textContent()).toBe('Marcar llegada');
    expect(await guest('g3').textContent()).toMatch(/visto en la mesa 7/);
    expect(await tab.locator('h1').textContent()).toBe('Mesa 12');
    await tab.locator('[data-action="lang"]').click();
    expect(await tab.locator('h1').textContent()).toBe('Table 12');
  });

  it('with the agent stopped, queues taps on the tablet and delivers them once after it returns', async () => {
    scan('TICKET-4');
    await tab.locator('[data-guest="g4"][data-status="on_the_way"]').waitFor();
    await agent.close();
    await tab.locator('#offline-banner').waitFor();
    await guest('g4').locator('[data-action="arrive"]').click();
    await guest('g2').locator('[data-action="arrive"]').click();
    await tab.locator('[data-guest="g4"][data-status="arrived"]').waitFor();
    expect(await guest('g4').textContent()).toMatch(/waiting to send/);
    expect(await tab.locator('#offline-banner').textContent()).toMatch(/2 tap\(s\) waiting/);
    await tab.screenshot({ path: join(screensDir(), 'tablet-offline.png'), fullPage: true });
    // Undo of a tap that never left the tablet: it simply disappears from the queue.
    await guest('g2').locator('[data-action="undo"]').click();
    await tab.locator('[data-guest="g2"][data-status="on_the_way"]').waitFor();
    const queued = await tab.evaluate(() => JSON.parse(localStorage.getItem('seatpilot.tablet.queue') ?? '[]') as Array<{ guest_id: string }>);
    expect(queued.map((q) => q.guest_id)).toEqual(['g4']);
    // A reload while the hub is away keeps the queue.
    await tab.reload().catch(() => undefined);
    await start();
    await tab.locator('#offline-banner').waitFor({ state: 'detached', timeout: 15_000 });
    const rows = await waitFor('the queued tap in the cloud', async () => {
      const r = await cloudSeats('g4');
      return r.length ? r : null;
    }, 20_000);
    expect(rows).toHaveLength(1);
    expect(await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.queue'))).toBe('[]');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await cloudSeats('g4')).toHaveLength(1);
    expect(agent.store.db.prepare("SELECT count(*) FROM arrivals WHERE guest_id IN ('g2', 'g4')").pluck().get()).toBe(1);
    expect(await cloudSeats('g2')).toEqual([]);
    await tab.locator('[data-guest="g4"][data-status="arrived"]').waitFor();
  });

  it('serves the kiosk staff mode over the kiosk\'s signed link: pairing codes, counts, unpairing', async () => {
    const code = await createTabletPairingCode(kiosk.sync.http, { label: 'Bar' });
    const paired = await fetch(`${agent.url}/tablet/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code }) });
    expect(paired.status).toBe(201);
    const { tablet_id, token } = (await paired.json()) as { tablet_id: string; token: string };
    const counts = await seatingCounts(kiosk.sync.http);
    expect(counts.tables.find((c) => c.table_id === 't12')).toEqual({ table_id: 't12', label: '12', expected: 5, checked_in: 4, seated: 2 });
    expect(counts.occasions).toEqual([expect.objectContaining({ expected: 6, checked_in: 4, seated: 2 })]);
    expect(await revokeTablet(kiosk.sync.http, tablet_id)).toEqual({ tablet_id, status: 'revoked' });
    await expect(revokeTablet(kiosk.sync.http, tablet_id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const after = await fetch(`${agent.url}/tablet/api/tables`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'tablet_revoked' });
  });

  it('tells a tablet whose pairing was revoked to ask staff to pair it again', async () => {
    const id = (await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.token')))!.split('.')[0] as string;
    const cli = seatpilot(['agent', 'tablet', 'revoke', '--config', configFile, '--tablet', id]);
    await cli.waitFor(/"status": "revoked"/);
    await cli.kill();
    await tab.locator('#pair-error').waitFor({ timeout: 10_000 });
    expect(await tab.locator('#pair-error').textContent()).toMatch(/Ask staff to pair this tablet again/);
  });

  it("shows the hub's live counts in the kiosk's staff mode, and pairs a tablet with the code it shows", async () => {
    // A second door's kiosk as venues run it: its config file, its own SQLite file, browser mode, the hub over its key.
    const key = agent.store.issueKey(kioskDeviceId, 'kiosk');
    const cfg = parseKioskAppConfig({
      database: join(dir, 'door-b.sqlite'),
      kiosk: { venue_id: venueId, device_id: kioskDeviceId, door_id: 'door-b' },
      ui: { venue_name: 'Hall', language: 'en', staff_pin: '2468' },
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
    // In the order staff read table numbers: 7 before 12 (the hub sorts labels as text).
    expect(await page.locator('[data-testid="seating-tables"] tbody th').allTextContents()).toEqual(['7', '12']);
    const before = await api('t12');
    const occasion = (await seatingCounts(kiosk.sync.http)).occasions[0]!;
    expect(await page.getByTestId('seating-totals').textContent()).toBe(`${occasion.name}: ${occasion.checked_in} of ${occasion.expected} checked in, ${occasion.seated} seated`);

    // Live: a guest checked in at door A shows in door B's counts without leaving staff mode.
    scan('TICKET-5');
    await expect.poll(() => cells('t12'), { timeout: 15_000, interval: 250 }).toEqual([before[0], before[1], String(Number(before[2]) + 1), before[3]]);

    await page.getByTestId('pair-tablet').click();
    await page.waitForFunction(() => Boolean(document.querySelector<HTMLElement>('[data-testid="pair-code"]')?.dataset.code));
    const code = (await page.getByTestId('pair-code').getAttribute('data-code'))!;
    expect(await page.getByTestId('pair-code').textContent()).toMatch(new RegExp(`^Code ${code} — enter it on the tablet before \\d\\d:\\d\\d$`));
    await page.screenshot({ path: join(screensDir(), 'kiosk-staff-seating.png') });
    const paired = await fetch(`${agent.url}/tablet/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(paired.status).toBe(201);
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
