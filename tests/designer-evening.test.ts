// A planner draws a room from nothing in the Seat Designer, seats the guests on it and prints the cards, end to end in
// Debian's Chromium: the cloud (buildApp on PGlite, listening on 127.0.0.1), the venue's hub (`seatpilot agent`) and a
// door (`seatpilot kiosk --browser`) as real processes. In the designer, with the mouse and the keyboard only: the
// walls (clicks, double-click, Enter), two doors, twenty tables, one rotated with R, undo and redo, a wall that cages a
// table (highlighted, listed with its reason) undone; publish while guests are arriving (the dialog's confirmation);
// a table moved (drag, then arrows) and published again, and the door draws the route to where it now stands. In the
// seating chart: a party dragged onto a table, another refused at a full table with the reason, auto-assign with its
// progress and plan, applied. Printing: the escort cards and the chart as PDF (page.pdf), turned into PNG (pdftoppm)
// and read back (pdftotext): every seated guest once with their table, a page per table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { CATALOGUES, type StringKey } from '../cloud-sync/console/web/strings';
// The designer's, seating chart's and print pages' strings (a lazily loaded chunk's) into CATALOGUES.
import '../cloud-sync/console/web/strings/lazy';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion } from '../cloud-sync/guestlist/manage';
import type { LayoutDraft, LayoutVersionList } from '../core/console/layout';
import type { SeatingChart } from '../core/console/seating';
import { AgentStore } from '../edge-agent/store';
import { openStore } from '../venue-store/open';
import { addTestAccount, signIn, type TestSession } from './fixtures/console';
import { freePort, startConsoleCloud, type ConsoleCloud } from './fixtures/console-browser';
import {
  clickPlan, distanceToRect, doubleClickPlan, dragOnto, dragPage, kioskRoute, pagePoint, pdfPagesText, pdfToPngs, signInContext, type Pt,
} from './fixtures/designer-browser';
import { timedSteps } from './fixtures/steps';
import { launchChromium, scanLikeAScanner } from './kiosk-browser';
import { freshDatabase, type TestDatabase } from './pg-backends';
import { seatpilot, type Proc } from './procs';
import { requireTool } from './tools';
import { waitFor } from './wait';

const pdftotext = requireTool('pdftotext', 'poppler-utils');
const pdftoppm = requireTool('pdftoppm', 'poppler-utils');

/** A string of the console's English catalogue, placeholders filled. */
const S = (key: StringKey, vars: Record<string, string | number> = {}) =>
  CATALOGUES.en[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The room, in metres: 30 × 20 (the designer's new room), walls 1 m in from its edge.
const OUTER: Pt[] = [{ x: 1, y: 1 }, { x: 29, y: 1 }, { x: 29, y: 19 }, { x: 1, y: 19 }];
/** A short partition by the bar, drawn with clicks and Enter. */
const PARTITION: Pt[] = [{ x: 24, y: 14 }, { x: 27.5, y: 14 }];
const MAIN_DOOR: Pt = { x: 15, y: 18 };
const GARDEN_DOOR: Pt = { x: 28, y: 10 };
/** Twenty tables on a 5 × 4 grid (labels 1…20 in the order placed); the last one rectangular. */
const TABLE_AT: Pt[] = Array.from({ length: 20 }, (_, i) => ({ x: 5 + (i % 5) * 4, y: 4 + Math.floor(i / 5) * 4 }));
/** Table 7 (at 13, 8) is dragged here, then nudged two grid steps down with the arrow key. */
const MOVED_TO: Pt = { x: 25.5, y: 8 };
const MOVED_FINAL: Pt = { x: 25.5, y: 9 };

interface GuestRow { id: string; name: string; party: number; table: string; barcode: string }
const FIRST = ['Inés', 'Rosa', 'Hugo', 'Lucía', 'Marco', 'Carmen', 'Javier', 'Elena', 'Pablo', 'Nuria', 'Raúl', 'Sofía', 'Diego', 'Marta', 'Tomás', 'Irene'];
const LAST = ['Moreno', 'Vidal', 'Prieto', 'Castro', 'Navarro', 'Ibáñez', 'Romero', 'Serrano'];
/** 48 parties: table 3 full (4 + 3 + 3 of its 10 seats), Inés Moreno's party at table 7, a few elsewhere, the rest unseated. */
const GUESTS: GuestRow[] = Array.from({ length: 48 }, (_, i) => {
  const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) + 3 * (i % 2)]}`;
  const party = i === 0 ? 2 : i === 1 || i === 2 ? 2 : i >= 3 && i <= 5 ? [4, 3, 3][i - 3]! : 1 + (i % 3);
  const table = i === 0 || i === 12 ? '7' : i >= 3 && i <= 5 ? '3' : i >= 6 && i <= 11 ? String(8 + (i % 4)) : '';
  return { id: `dg${String(i).padStart(2, '0')}`, name, party, table, barcode: `DSG-${String(i).padStart(4, '0')}` };
});
const KIOSK_GUEST = GUESTS[0]!; // Inés Moreno, table 7
const DRAGGED = GUESTS[1]!; // unseated, party of 2 → table 12
const REFUSED = GUESTS[2]!; // unseated, party of 2 → table 3 (full): refused

// Time of each step, printed at the end; the page on show when a step failed.
const { step, took, showOnFailure } = timedSteps('designer-evening');

describe('a planner draws the room, seats the guests, prints the cards, and the door follows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-designer-evening-'));
  const procs: Proc[] = [];
  let t: TestDatabase;
  let cloud: ConsoleCloud;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let door: Page | undefined;
  let planner: TestSession;
  let venueId = '';
  let occasionId = '';
  let agentPort = 0;
  let kioskPort = 0;
  let kioskDbFile = '';
  let kioskDevice: { device_id: string };
  let kioskKey: { key_id: string; secret: string };
  let kiosk: Promise<Proc> | undefined;
  /** Door ids as the designer made them: main is the one drawn first. */
  const doorIds: string[] = [];
  const tableIds = new Map<string, string>();

  /** A GET of the console's API with the page's own session. */
  const apiGet = <T,>(path: string) => page.evaluate(async (p) => {
    const r = await fetch(`/console/api${p}`, { credentials: 'same-origin' });
    return { status: r.status, body: (await r.json()) as unknown };
  }, path) as Promise<{ status: number; body: T }>;
  const canvas = () => page.locator('svg.designer-canvas');
  const tool = (name: string) => page.getByRole('toolbar', { name: S('designer.tools') }).getByRole('button', { name, exact: true });
  const tableEls = () => page.locator('svg.designer-canvas [data-kind="tables"]');
  const tableEl = (label: string) => page.locator(`svg.designer-canvas [data-testid="table-${tableIds.get(label)}"]`);
  const saved = () => expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 15_000 }).toBe(S('designer.save.saved'));
  const draft = async () => {
    await saved();
    const d = await apiGet<LayoutDraft>(`/venues/${venueId}/layout`);
    expect(d.status).toBe(200);
    return d.body;
  };
  const atTheDoor = <T,>(sql: string, ...args: unknown[]): T | undefined => {
    const d = new Database(kioskDbFile, { readonly: true, fileMustExist: true });
    try {
      return d.prepare(sql).get(...args) as T | undefined;
    } finally {
      d.close();
    }
  };

  beforeAll(async () => {
    await step('setup', async () => {
      t = await freshDatabase('pglite');
      const db = t.db;
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const tenant = await addTenant(db, 'Almendros Eventos');
      venueId = (await addVenue(db, tenant.id, 'Finca Los Almendros')).id;
      const agentKey = await addDevice(db, venueId, 'agent', 'Hub');
      kioskDevice = await addDevice(db, venueId, 'kiosk', 'Main door');
      // Guests are arriving: the occasion started an hour ago, so publishing asks for confirmation.
      occasionId = (await addOccasion(db, { venueId, name: 'Boda de Inés y Hugo', startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 6 * 3600_000).toISOString(), timezone: 'Europe/Madrid', reentry: 'unlimited' })).id;
      planner = await signIn(db, await addTestAccount(db, tenant.id, 'planner', 'ines.planner@example.test'));

      agentPort = await freePort();
      kioskPort = await freePort();
      const agentDbFile = join(dir, 'agent.sqlite');
      writeFileSync(join(dir, 'agent.json'), JSON.stringify({
        venue_id: venueId, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: agentPort }, database: agentDbFile,
        cloud: { url, key_id: agentKey.key_id, secret: agentKey.secret }, push_interval_ms: 300, pull_interval_ms: 300, heartbeat_interval_s: 3600,
      }));
      const { db: agentDb } = openStore(agentDbFile);
      kioskKey = new AgentStore(agentDb, venueId).issueKey(kioskDevice.device_id, 'kiosk');
      agentDb.close();
      kioskDbFile = join(dir, 'kiosk.sqlite');
      const agent = seatpilot(['agent', '--config', join(dir, 'agent.json')]);
      procs.push(agent);
      [cloud, browser] = await Promise.all([startConsoleCloud(db, port), launchChromium({ width: 1440, height: 900 })]);
      browser.context.setDefaultTimeout(15_000);
      await signInContext(browser.context, planner);
      page = browser.page;
      showOnFailure(page);
      await agent.waitFor(/listening on/, 90_000);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (kiosk) procs.push(await kiosk.catch(() => undefined as unknown as Proc));
    for (const p of procs.filter(Boolean).reverse()) await p.kill();
    await cloud?.close();
    await t?.drop();
    // DESIGNER_EVENING_KEEP=1 keeps the PDFs, PNGs and databases to look at.
    if (process.env.DESIGNER_EVENING_KEEP === '1') console.log(`[designer-evening] files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    console.log(`[designer-evening] ms per step: ${JSON.stringify(took)}`);
  });

  it('1. draws the walls with clicks, a double-click and Enter', () => step('1 walls', async () => {
    await page.goto(`${cloud.url}/console/#/designer`);
    await page.getByRole('heading', { level: 1, name: /Finca Los Almendros/ }).waitFor();
    await canvas().waitFor();
    expect(await tableEls().count()).toBe(0);
    // A venue never drawn starts as an empty 10 × 10 m room: the planner gives its size, then fits it in view.
    await page.getByLabel(S('designer.room_width')).fill('30');
    await page.getByLabel(S('designer.room_height')).fill('20');
    await page.getByRole('button', { name: S('designer.fit'), exact: true }).click();
    await expect.poll(() => page.getByTestId('room').getAttribute('width'), { timeout: 15_000 }).toBe('30');
    await tool(S('designer.tool.wall')).click();
    // The outer wall: a click at each corner, then a double-click back on the first one closes it.
    for (const p of OUTER) await clickPlan(page, canvas(), p);
    await expect.poll(() => page.getByTestId('wall-draft').count(), { timeout: 15_000 }).toBe(1);
    await doubleClickPlan(page, canvas(), OUTER[0]!);
    await expect.poll(() => page.locator('svg.designer-canvas [data-kind="walls"]').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('wall-draft').count()).toBe(0);
    // The partition: two clicks and Enter.
    for (const p of PARTITION) await clickPlan(page, canvas(), p);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('svg.designer-canvas [data-kind="walls"]').count(), { timeout: 15_000 }).toBe(2);
    await page.keyboard.press('Escape'); // back to the select tool
    const d = await draft();
    expect([d.layout.width, d.layout.height]).toEqual([30, 20]);
    expect(d.layout.walls.map((w) => w.points)).toEqual([[...OUTER, OUTER[0]!], PARTITION]);
  }), 60_000);

  it('2. places two doors and names them; the kiosk starts at the main one', () => step('2 doors', async () => {
    // Each door takes the id its kiosk is configured with (door_id): the main entrance's kiosk is "main".
    await tool(S('designer.tool.door')).click();
    await clickPlan(page, canvas(), MAIN_DOOR);
    await page.getByLabel(S('designer.f.door_label')).fill('Main entrance');
    await page.getByLabel(S('designer.f.door_id')).fill('main');
    await page.getByLabel(S('designer.f.door_id')).press('Enter');
    await clickPlan(page, canvas(), GARDEN_DOOR);
    await page.getByLabel(S('designer.f.door_label')).fill('Garden');
    await page.getByLabel(S('designer.f.door_id')).fill('garden');
    await page.getByLabel(S('designer.f.door_id')).press('Enter');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('svg.designer-canvas [data-kind="doors"]').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(async () => (await draft()).layout.doors.map((x) => x.id), { timeout: 15_000 }).toEqual(['main', 'garden']);
    const d = await draft();
    expect(d.layout.doors.map((x) => ({ id: x.id, label: x.label, x: x.x, y: x.y }))).toEqual([{ id: 'main', label: 'Main entrance', ...MAIN_DOOR }, { id: 'garden', label: 'Garden', ...GARDEN_DOOR }]);
    doorIds.push(...d.layout.doors.map((x) => x.id));
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({
      database: kioskDbFile,
      kiosk: { venue_id: venueId, device_id: kioskDevice.device_id, door_id: doorIds[0] },
      ui: { venue_name: 'Finca Los Almendros', language: 'en', staff_pin: '2468', result_seconds: 30 },
      hub: { base_url: `http://127.0.0.1:${agentPort}`, key_id: kioskKey.key_id, secret: kioskKey.secret },
    }));
    const k = seatpilot(['kiosk', '--browser', '--port', String(kioskPort), '--config', join(dir, 'kiosk.json')]);
    // Started now, waited for later: the door comes up while the planner draws.
    kiosk = k.waitFor(/browser mode on/, 120_000).then(() => k, (e: unknown) => {
      procs.push(k);
      throw e;
    });
  }), 60_000);

  it('3. places twenty tables with the table tools', () => step('3 tables', async () => {
    await tool(S('designer.tool.table_round')).click();
    for (const p of TABLE_AT.slice(0, 19)) await clickPlan(page, canvas(), p);
    await tool(S('designer.tool.table_rect')).click();
    await clickPlan(page, canvas(), TABLE_AT[19]!);
    await page.keyboard.press('Escape');
    await expect.poll(() => tableEls().count(), { timeout: 15_000 }).toBe(20);
    const d = await draft();
    expect(d.layout.tables.map((x) => x.label)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(d.layout.tables.map((x) => ({ x: x.x, y: x.y }))).toEqual(TABLE_AT);
    expect(d.layout.tables[19]!.shape).toBe('rect');
    for (const x of d.layout.tables) tableIds.set(x.label, x.id);
    await page.getByTestId('no-problems').waitFor();
  }), 60_000);

  const topOf = (label: string) => tableEl(label).locator('.table-top');

  it('4. rotates table 20 with R; Ctrl+Z and Ctrl+Shift+Z take it and a placement back and forth', () => step('4 rotate undo redo', async () => {
    await clickPlan(page, canvas(), TABLE_AT[19]!);
    await expect.poll(() => page.getByTestId('selection-info').textContent(), { timeout: 15_000 }).toContain(S('designer.plan.table', { label: '20', n: 6 }));
    expect(await topOf('20').getAttribute('transform')).toBeNull();
    await page.keyboard.press('r');
    await expect.poll(() => topOf('20').getAttribute('transform'), { timeout: 15_000 }).toBe(`rotate(15 ${TABLE_AT[19]!.x} ${TABLE_AT[19]!.y})`);
    await page.keyboard.press('Control+z');
    await expect.poll(() => topOf('20').getAttribute('transform'), { timeout: 15_000 }).toBeNull();
    await page.keyboard.press('Control+z'); // the twentieth table's placement
    await expect.poll(() => tableEls().count(), { timeout: 15_000 }).toBe(19);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => tableEls().count(), { timeout: 15_000 }).toBe(20);
    expect(await topOf('20').getAttribute('transform')).toBeNull();
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => topOf('20').getAttribute('transform'), { timeout: 15_000 }).toBe(`rotate(15 ${TABLE_AT[19]!.x} ${TABLE_AT[19]!.y})`);
    expect((await draft()).layout.tables[19]!.rotation).toBe(15);
  }), 60_000);

  it('5. a wall caging table 1 makes it unreachable (highlighted, listed with the reason); undoing it clears both', () => step('5 unreachable', async () => {
    const cage: Pt[] = [{ x: 3.5, y: 2.5 }, { x: 6.5, y: 2.5 }, { x: 6.5, y: 5.5 }, { x: 3.5, y: 5.5 }];
    await tool(S('designer.tool.wall')).click();
    for (const p of cage) await clickPlan(page, canvas(), p);
    await doubleClickPlan(page, canvas(), cage[0]!);
    await page.keyboard.press('Escape');
    await expect.poll(() => tableEl('1').getAttribute('class'), { timeout: 10_000 }).toMatch(/\bunreachable\b/);
    // Only that table.
    expect(await page.locator('svg.designer-canvas .table.unreachable').count()).toBe(1);
    const problems = page.getByTestId('problems');
    expect(await problems.getByRole('listitem').allTextContents()).toEqual([S('designer.problem.table', { label: '1', reason: S('designer.problem.unreachable') })]);
    // Screen readers hear it too: the table's name says why.
    expect(await tableEl('1').getAttribute('aria-label')).toContain(S('designer.problem.unreachable'));
    // The problem's button selects the table.
    await problems.getByRole('button').click();
    await expect.poll(() => page.getByTestId('selection-info').textContent(), { timeout: 15_000 }).toContain(S('designer.plan.table', { label: '1', n: 10 }));
    await canvas().focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => tableEl('1').getAttribute('class'), { timeout: 15_000 }).not.toMatch(/\bunreachable\b/);
    await page.getByTestId('no-problems').waitFor();
    expect((await draft()).layout.walls.length).toBe(2);
  }), 60_000);

  const publishInDialog = async (version: number) => {
    await page.getByRole('button', { name: S('designer.publish') }).click();
    const dialog = page.getByRole('dialog', { name: S('designer.publish_title') });
    await dialog.getByTestId('publish-summary').waitFor();
    // Guests are arriving: the dialog says how many doors change and wants a yes first.
    expect(await dialog.innerText()).toContain('Guests are arriving:');
    const publish = dialog.getByRole('button', { name: S('designer.publish_now'), exact: true });
    expect(await publish.isDisabled()).toBe(true);
    await dialog.getByLabel(S('designer.pub.live_confirm')).check();
    await publish.click();
    await page.getByRole('status').filter({ hasText: S('designer.published', { version }) }).first().waitFor();
    await expect.poll(() => page.getByTestId('published').textContent(), { timeout: 15_000 }).toContain(`Published version ${version},`);
  };

  it('6. publishes to the doors through the dialog (asked first: guests are arriving)', () => step('6 publish', async () => {
    await publishInDialog(1);
    const versions = await apiGet<LayoutVersionList>(`/venues/${venueId}/layout/versions`);
    expect(versions.body.versions.map((v) => ({ version: v.version, tables: v.tables, doors: v.doors }))).toEqual([{ version: 1, tables: 20, doors: 2 }]);
    const rows = await t.db.query<{ label: string }>('SELECT label FROM guestlist.seating_tables WHERE venue_id = $1 AND NOT deleted ORDER BY label::int', [venueId]);
    expect(rows.map((r) => r.label)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    // The guests, now that the venue has its tables (their CSV names tables by label).
    const csv = ['guest_id,name,party_size,table,barcode', ...GUESTS.map((g) => `${g.id},${g.name},${g.party},${g.table},${g.barcode}`)].join('\n');
    const report = await importGuests(t.db, { venueId, occasionId, csv: `${csv}\n` });
    expect(report.created).toBe(GUESTS.length);
  }), 60_000);

  it('7. table 7 dragged and nudged with the arrows, published again: the door draws the route to where it stands now', () => step('7 moved table at the door', async () => {
    const k = await kiosk!;
    procs.push(k);
    // The door has the first version (table 7 where it was drawn) when its page opens.
    await waitFor('version 1 at the door', () => {
      const row = atTheDoor<{ x: number }>('SELECT x FROM tables WHERE id = ?', tableIds.get('7'));
      return row && Math.abs(row.x - (TABLE_AT[6]!.x - 0.9)) < 1e-6;
    }, 90_000, 200);
    door = await browser.context.newPage();
    await door.goto(`http://127.0.0.1:${kioskPort}/`);
    await door.waitForSelector('body[data-screen="idle"]', { timeout: 30_000 });
    const floorBefore = await door.evaluate(() => document.body.dataset.floor ?? '');
    await page.bringToFront();

    // Drag table 7 by its top with the mouse, then two presses of the down arrow (one grid step each).
    const from = await pagePoint(canvas(), TABLE_AT[6]!);
    const to = await pagePoint(canvas(), MOVED_TO);
    await dragPage(page, from, to, 25);
    await expect.poll(async () => (await draft()).layout.tables.find((x) => x.label === '7'), { timeout: 15_000 }).toMatchObject(MOVED_TO);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await draft()).layout.tables.find((x) => x.label === '7'), { timeout: 15_000 }).toMatchObject(MOVED_FINAL);
    await page.getByTestId('no-problems').waitFor();
    await publishInDialog(2);

    // The new position reaches the door through the hub (the projection keeps the v1 contract: top-left corner).
    const id = tableIds.get('7')!;
    const t0 = Date.now();
    await waitFor('table 7 at its new place in the door\'s database (cloud → hub → door)', () => {
      const row = atTheDoor<{ x: number; y: number }>('SELECT x, y FROM tables WHERE id = ?', id);
      return row && Math.abs(row.x - (MOVED_FINAL.x - 0.9)) < 1e-6 && Math.abs(row.y - (MOVED_FINAL.y - 0.9)) < 1e-6;
    }, 90_000, 200);
    await waitFor('the guest at the door', () => atTheDoor<{ table_id: string }>('SELECT table_id FROM guests WHERE id = ?', KIOSK_GUEST.id)?.table_id === id, 60_000, 200);
    took['7a cloud → door'] = Date.now() - t0;
    const newBox = { x: MOVED_FINAL.x - 0.9, y: MOVED_FINAL.y - 0.9, w: 1.8, h: 1.8 };

    // The door page, open since before the move, takes the new floor by itself (no reload): its status names the
    // floor's version, and the page asks for the floor again when it changes.
    await door.bringToFront();
    showOnFailure(door);
    await door.waitForFunction((v) => document.body.dataset.floor !== v, floorBefore, { timeout: 30_000 });
    took['7b door page redrawn'] = Date.now() - t0;
    await scanLikeAScanner(door, KIOSK_GUEST.barcode);
    await door.waitForSelector('body[data-screen="welcome"]', { timeout: 15_000 });
    expect(await door.getByTestId('table-label').textContent()).toBe('Table 7');
    const route = await kioskRoute(door);
    expect(route.status).toBe('ok');
    expect(route.target).toBe(id);
    const end = route.points.at(-1)!;
    expect(route.points.length).toBeGreaterThanOrEqual(2);
    expect(distanceToRect(end, newBox), JSON.stringify(route.points)).toBeLessThan(1.2);
    expect(Math.hypot(end.x - TABLE_AT[6]!.x, end.y - TABLE_AT[6]!.y)).toBeGreaterThan(8);
    // It starts at this door, the main entrance.
    expect(Math.hypot(route.points[0]!.x - MAIN_DOOR.x, route.points[0]!.y - MAIN_DOOR.y)).toBeLessThan(1.5);
    await page.bringToFront();
    showOnFailure(page);
  }), 180_000);

  const seating = async () => (await apiGet<SeatingChart>(`/occasions/${occasionId}/seating`)).body;
  const chip = (guestId: string) => page.locator(`[data-party="${guestId}"]`).first();
  const onPlan = (label: string) => page.locator(`.seating-plan [data-testid="table-${tableIds.get(label)}"] .table-top`);

  it('8. seats a party by drag and drop; a full table refuses another with the reason; auto-assign, then apply', () => step('8 seating', async () => {
    await page.goto(`${cloud.url}/console/#/seating`);
    await page.getByRole('heading', { level: 1, name: /Boda de Inés y Hugo/ }).waitFor();
    await page.getByTestId(`card-${tableIds.get('3')}`).waitFor();
    expect(await page.getByTestId(`card-seats-${tableIds.get('3')}`).textContent()).toBe('10/10');

    // Inés Moreno's party stays at table 7 whatever auto-assign proposes: locked in the party's panel.
    await page.getByTestId(`card-${tableIds.get('7')}`).locator(chip(KIOSK_GUEST.id)).click();
    await page.getByRole('button', { name: S('seating.lock'), exact: true }).click();
    await expect.poll(async () => (await seating()).parties.find((p) => p.guest_id === KIOSK_GUEST.id)?.locked, { timeout: 15_000 }).toBe(true);

    // Found with the unseated list's search, then dragged onto table 12 on the plan.
    const search = page.getByRole('searchbox', { name: S('seating.search') });
    await search.fill(DRAGGED.name);
    await dragOnto(page, page.locator('aside.unseated').locator(chip(DRAGGED.id)), onPlan('12'));
    await expect.poll(async () => (await seating()).parties.find((p) => p.guest_id === DRAGGED.id)?.table_id, { timeout: 10_000 }).toBe(tableIds.get('12'));
    await expect.poll(() => page.getByTestId(`card-seats-${tableIds.get('12')}`).textContent(), { timeout: 15_000 }).toBe(`${DRAGGED.party}/10`);

    await search.fill(REFUSED.name);
    await dragOnto(page, page.locator('aside.unseated').locator(chip(REFUSED.id)), onPlan('3'));
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(S('seating.refusal.over_capacity', { table: '3', seats: S('seating.free_seats', { n: 0 }), needed: REFUSED.party, name: REFUSED.name }));
    expect((await seating()).parties.find((p) => p.guest_id === REFUSED.id)?.table_id).toBeNull();
    await search.fill('');

    // Auto-assign: every change of the progress line, recorded in the page as it happens.
    await page.evaluate(() => {
      const w = window as unknown as { progressSeen: string[] };
      w.progressSeen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('.auto-assign [role="progressbar"]');
        const v = bar ? `${bar.getAttribute('aria-valuetext') ?? ''} ${bar.getAttribute('aria-valuenow') ?? ''}` : null;
        if (v && w.progressSeen.at(-1) !== v) w.progressSeen.push(v);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const unseatedBefore = (await seating()).parties.filter((p) => p.table_id === null).length;
    expect(unseatedBefore).toBeGreaterThan(20);
    await page.getByRole('button', { name: S('seating.auto_start'), exact: true }).click();
    const result = page.getByTestId('auto-result');
    await result.waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(seen.length, 'the progress bar never showed').toBeGreaterThanOrEqual(1);
    const text = await result.innerText();
    expect(text).toContain(S('seating.auto_score'));
    expect(text).toMatch(new RegExp(`${escape(S('seating.auto_optimal'))}|${escape(S('seating.auto_gap', { pct: 'X' })).replace('X', '[\\d.,]+')}|${escape(S('seating.auto_no_bound'))}`));
    expect(text).toContain(S('seating.auto_moves', { n: '' }).replace(')', ''));
    // Nothing written before Apply.
    expect((await seating()).parties.filter((p) => p.table_id === null).length).toBe(unseatedBefore);
    await result.getByRole('button', { name: S('seating.apply'), exact: true }).click();
    await expect.poll(() => page.locator('aside.unseated').innerText(), { timeout: 30_000 }).toContain(S('seating.all_seated'));
    const chart = await seating();
    expect(chart.parties.filter((p) => p.table_id === null).map((p) => p.name)).toEqual([]);
    // The locked party kept its table.
    expect(chart.parties.find((p) => p.guest_id === KIOSK_GUEST.id)).toMatchObject({ table_id: tableIds.get('7'), locked: true });
    for (const tb of chart.tables) {
      const seated = chart.parties.filter((p) => p.table_id === tb.id).reduce((s, p) => s + p.party_size, 0);
      expect(seated, `table ${tb.label}`).toBeLessThanOrEqual(tb.capacity);
    }
  }), 120_000);

  async function printToPdf(what: string): Promise<string> {
    await page.goto(`${cloud.url}/console/#/print/${what}`);
    await page.getByTestId('sheets').waitFor();
    const file = join(dir, `${what}.pdf`);
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: file, format: 'A4', printBackground: true, preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    const pngs = pdfToPngs(pdftoppm!, file, 50);
    expect(pngs.length).toBeGreaterThanOrEqual(1);
    for (const p of pngs) expect(p.bytes, p.file).toBeGreaterThan(1000);
    return file;
  }

  it.skipIf(!pdftotext || !pdftoppm)('9. prints the escort cards and the chart: PDF, PNG, and every seated guest once with their table', () => step('9 print', async () => {
    const chart = await seating();
    const label = new Map(chart.tables.map((x) => [x.id, x.label]));
    const seated = chart.parties.filter((p) => p.table_id !== null);
    expect(seated.length).toBe(GUESTS.length);

    const escort = pdfPagesText(pdftotext!, await printToPdf('escort-cards'));
    const all = escort.join('\n');
    expect(escort.length).toBe(Math.ceil(seated.length / 21));
    for (const p of seated) {
      const name = new RegExp(`(?<![\\p{L}])${escape(p.name)}(?![\\p{L}])`, 'gu');
      expect(all.match(name)?.length ?? 0, `${p.name} on the escort cards`).toBe(1);
      expect(all, `${p.name} → ${label.get(p.table_id!)}`).toMatch(new RegExp(`(?<![\\p{L}])${escape(p.name)}\\s+→\\s+${escape(label.get(p.table_id!)!)}(?!\\d)`, 'u'));
    }

    const pages = pdfPagesText(pdftotext!, await printToPdf('chart'));
    // The room, then a page per table.
    expect(pages.length).toBe(1 + chart.tables.length);
    for (const tb of chart.tables) {
      const here = chart.parties.filter((p) => p.table_id === tb.id);
      const seats = here.reduce((s, p) => s + p.party_size, 0);
      const matching = pages.slice(1).filter((pg) => pg.includes(S('print.seated_of', { seated: seats, capacity: tb.capacity })) && here.every((p) => pg.includes(p.name)) && new RegExp(`^\\s*${escape(tb.label)}\\s*$`, 'm').test(pg));
      expect(matching.length, `the page of table ${tb.label}`).toBeGreaterThanOrEqual(1);
    }
    // Each seated guest on exactly one table page.
    for (const p of seated) {
      const name = new RegExp(`(?<![\\p{L}])${escape(p.name)}(?![\\p{L}])`, 'u');
      expect(pages.slice(1).filter((pg) => name.test(pg)).length, p.name).toBe(1);
    }
  }), 120_000);
});
