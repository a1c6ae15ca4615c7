// Every console page in Chromium at 1280×800, in English and then in Spanish (the header's language switch), over a
// cloud of its own (buildApp on PGlite, listening on 127.0.0.1) seeded as a wedding on the night: a guest list, a
// hub and two doors whose signed heartbeats, check-ins and seat arrivals came in through ingest, an audit trail of
// console and CLI changes. Each page is screenshotted (docs/screens/console-<page>-<lang>.png with
// UPDATE_SCREENSHOTS=1, else a temporary folder) and swept: every control has an accessible name, and Tab reaches
// the page's main controls. Strings come from the console's own catalogue, so both languages are checked by the
// same steps.
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { addOccasion, importTables } from '../cloud-sync/guestlist/manage';
import { refreshKpiView } from '../cloud-sync/kpi/kpi';
import { CATALOGUES, type Lang, type StringKey } from '../cloud-sync/console/web/strings';
import type { SeatPilotEvent } from '../core/contract/contract';
import { asUser, signIn, type TestSession } from './fixtures/console';
import { cloudUserAdd, expectAllNamed, freePort, startConsoleCloud, unnamedControls, unreachedByTab, type ConsoleCloud } from './fixtures/console-browser';
import { launchChromium, screensDir } from './kiosk-browser';
import { freshDatabase, type TestDatabase } from './pg-backends';
import { batchOf, checkinEvent, signedInject } from './signed';
// The designer's, seating chart's and print pages' strings (a lazily loaded chunk's) into CATALOGUES.
import '../cloud-sync/console/web/strings/lazy';
import type { LayoutDraft } from '../core/console/layout';
import type { SeatingChart } from '../core/console/seating';
import type { Layout, LayoutTable } from '../core/designer/layout';
import { clickPlan, signInContext } from './fixtures/designer-browser';

const SCREENS = screensDir();
const PASSWORD = 'olive trees at midnight';
const OWNER = 'lucia.owner@example.test';
const PLANNER = 'marco.planner@example.test';

/** A string of the console's catalogue, placeholders filled: the page's words in that language. */
const S = (lang: Lang, key: StringKey, vars: Record<string, string | number> = {}) =>
  CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

const FIRST = ['Lucía', 'Marco', 'José', 'Carmen', 'Javier', 'Ana', 'Pablo', 'Elena', 'Miguel', 'Sofía', 'Diego', 'Laura', 'Tom', 'Emma', 'Oliver', 'Grace', 'Íñigo', 'Nuria', 'Raúl', 'Marta'];
const LAST = ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Romero', 'Navarro', 'Torres', 'Smith', 'Walker', 'Ibáñez', 'Castro'];
const GROUPS = ['Bride family', 'Groom family', 'University', 'Work', ''];
const GUESTS = 240;

function guestCsv(): string {
  const rows = ['guest_id,name,party_size,table,barcode,group,needs'];
  for (let i = 0; i < GUESTS; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? ` ${i}` : ''}`;
    const needs = i % 17 === 0 ? 'accessible' : i % 11 === 0 ? 'vegetarian' : '';
    rows.push(`wg${i},${name},${1 + (i % 3)},${i % 9 === 8 ? '' : String(1 + (i % 24))},AUR-${1000 + i},${GROUPS[i % GROUPS.length]},${needs}`);
  }
  return `${rows.join('\n')}\n`;
}

/** The import screenshot's file: three rows a planner gets wrong. */
const BAD_CSV = 'guest_id,name,party_size,barcode\nlate1,Rosa Vidal,2,AUR-9001\nlate2,,1,AUR-9002\nlate3,Hugo Prieto,many,AUR-9003\nlate4,Irene Soler,1,AUR-9004\nlate5,Clara Ruiz,1,AUR-9004\n';

describe('console screens in en and es, with an accessibility sweep', () => {
  let t: TestDatabase;
  let cloud: ConsoleCloud;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let ownerLink = '';
  let plannerLink = '';
  let occasionId = '';
  let owner: TestSession;
  const shots: { file: string; bytes: number }[] = [];

  const nav = (key: StringKey, lang: Lang) => page.getByRole('navigation').getByRole('link', { name: S(lang, key), exact: true });
  const shot = async (name: string, lang: Lang) => {
    const file = join(SCREENS, `console-${name}-${lang}.png`);
    // Let transitions and the clock settle; the caret would differ from run to run.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    shots.push({ file, bytes: statSync(file).size });
  };
  /** The sweep: every control named, and Tab reaches `main`. */
  const sweep = async (where: string, main: Record<string, Locator>) => {
    await expectAllNamed(page, where);
    expect(await unreachedByTab(page, main), `${where}: Tab never reaches`).toEqual([]);
  };

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    const db = t.db;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const tenant = await addTenant(db, 'Casa Aurora Eventos');
    const venue = await addVenue(db, tenant.id, 'Finca El Olivar');
    await importTables(db, venue.id, `label,capacity\n${Array.from({ length: 24 }, (_, i) => `${i + 1},10`).join('\n')}\n`);
    const hub = await addDevice(db, venue.id, 'agent', 'Hub');
    const north = await addDevice(db, venue.id, 'kiosk', 'North door');
    const garden = await addDevice(db, venue.id, 'kiosk', 'Garden gate');
    await addDevice(db, venue.id, 'kiosk', 'Spare kiosk');
    const now = Date.now();
    occasionId = (await addOccasion(db, { venueId: venue.id, name: 'Boda de Lucía y Marco', startsAt: new Date(now - 3600_000).toISOString(), endsAt: new Date(now + 6 * 3600_000).toISOString(), timezone: 'Europe/Madrid', reentry: 'after_exit' })).id;
    await addOccasion(db, { venueId: venue.id, name: 'Cena de bienvenida', startsAt: new Date(now - 26 * 3600_000).toISOString(), endsAt: new Date(now - 22 * 3600_000).toISOString(), timezone: 'Europe/Madrid', reentry: 'single' });
    const invited = await cloudUserAdd(db, ['--tenant', tenant.id, '--email', OWNER, '--role', 'owner', '--base-url', url]);
    ownerLink = invited.link;
    plannerLink = (await cloudUserAdd(db, ['--tenant', tenant.id, '--email', PLANNER, '--role', 'planner', '--base-url', url])).link;
    await cloudUserAdd(db, ['--tenant', tenant.id, '--email', 'door.staff@example.test', '--role', 'viewer', '--base-url', url]);

    cloud = await startConsoleCloud(db, port, { liveEverySec: 2 });
    const app = cloud.cloud.app;
    // Changes through the console's API as the owner (a session made directly), so the audit trail has them.
    owner = await signIn(db, { id: invited.account_id, email: OWNER, role: 'owner', tenantId: tenant.id });
    const imported = await asUser(app, owner, { method: 'POST', url: `/console/api/occasions/${occasionId}/guests/import`, headers: { 'content-type': 'text/csv' }, payload: guestCsv() });
    expect(imported.statusCode, imported.body).toBe(200);
    const tableOf = async (label: string) => ((await asUser(app, owner, { method: 'GET', url: `/console/api/occasions/${occasionId}/guests` })).json() as { tables: { id: string; label: string }[] }).tables.find((x) => x.label === label)!.id;
    const g1 = (await asUser(app, owner, { method: 'GET', url: '/console/api/guests/wg1' })).json() as { version: number };
    expect((await asUser(app, owner, { method: 'PATCH', url: '/console/api/guests/wg1', payload: { version: g1.version, table_id: await tableOf('1'), notes: 'Groom. Speech after dessert.' } })).statusCode).toBe(200);
    expect((await asUser(app, owner, { method: 'POST', url: '/console/api/guests/wg13/revoke' })).statusCode).toBe(200);

    // The night so far, through signed ingest: heartbeats, 90 entries at two doors over 25 minutes, 40 seat arrivals.
    const post = async (key: IssuedKey, events: SeatPilotEvent[]) => {
      const res = await signedInject(app, key, 'POST', '/v1/events', batchOf(events));
      expect(res.json()).toMatchObject({ accepted: events.length, rejected: [] });
    };
    const heartbeat = (key: IssuedKey, payload: Record<string, unknown>): SeatPilotEvent => ({
      event_id: randomUUID(), type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
      payload: { app_version: '1.4.2', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 7, scanner_ok: true, clock_skew_ms: 40, ...payload },
    } as SeatPilotEvent);
    await post(hub, [heartbeat(hub, { scanner_ok: null })]);
    await post(north, [heartbeat(north, {})]);
    await post(garden, [heartbeat(garden, { outbox_depth: 37, oldest_unsent_s: 240, clock_skew_ms: -2600 })]);
    const entries: Record<'north' | 'garden', SeatPilotEvent[]> = { north: [], garden: [] };
    const arrivals: SeatPilotEvent[] = [];
    for (let i = 0; i < 90; i++) {
      const door = i % 3 === 0 ? 'garden' : 'north';
      const key = door === 'garden' ? garden : north;
      const at = new Date(now - (25 * 60_000) + i * 16_000);
      entries[door].push(checkinEvent(key, { occurred_at: at.toISOString(), payload: { guest_id: `wg${i * 2}`, door_id: door, direction: 'entry' } }));
      if (i % 2 === 0 && i < 80) {
        arrivals.push({
          event_id: randomUUID(), type: 'seat.arrived', occurred_at: new Date(at.getTime() + (25 + (i % 7) * 9) * 1000).toISOString(), venue_id: hub.venue_id, device_id: hub.device_id,
          payload: { guest_id: `wg${i * 2}`, table_id: 't1', source: 'tablet', checked_in_at: at.toISOString() },
        } as SeatPilotEvent);
      }
    }
    await post(north, entries.north);
    await post(garden, entries.garden);
    await post(hub, arrivals);
    await cloud.cloud.doubleAdmissions.tick();
    await refreshKpiView(db, 'mv_kpi_door2seat');

    browser = await launchChromium({ width: 1280, height: 800 });
    browser.context.setDefaultTimeout(15_000);
    page = browser.page;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    await t?.drop();
    if (shots.length) console.log(`[console-screens] ${shots.length} screenshots in ${SCREENS}, ${Math.round(shots.reduce((n, s) => n + s.bytes, 0) / 1024)} KiB in all, largest ${Math.round(Math.max(...shots.map((s) => s.bytes)) / 1024)} KiB`);
  });

  /** The signed-in pages, in one language (the header's switch has chosen it). */
  async function signedInPages(lang: Lang): Promise<void> {
    await nav('nav.occasions', lang).click();
    await page.getByRole('row', { name: /Boda de Lucía y Marco/ }).waitFor();
    await sweep(`occasions ${lang}`, {
      venue: page.getByRole('combobox', { name: new RegExp(`^${S(lang, 'common.venue')}`) }),
      language: page.getByRole('combobox', { name: S(lang, 'common.language') }),
      new: page.getByRole('button', { name: S(lang, 'occasions.new') }),
      open: page.getByRole('link', { name: S(lang, 'occasions.open_guests', { name: 'Boda de Lucía y Marco' }) }),
    });
    await shot('occasions', lang);

    await nav('nav.guests', lang).click();
    const count = page.getByTestId('guest-count');
    await expect.poll(() => count.textContent()).toBe(S(lang, 'guests.count', { shown: GUESTS, total: GUESTS }));
    await sweep(`guests ${lang}`, {
      search: page.getByRole('searchbox', { name: S(lang, 'guests.search') }),
      table: page.getByLabel(S(lang, 'guests.filter_table'), { exact: true }),
      grid: page.getByRole('grid'),
      export: page.getByRole('link', { name: S(lang, 'guests.export') }),
    });
    await shot('guests', lang);

    await page.getByRole('searchbox', { name: S(lang, 'guests.search') }).fill('marco');
    await page.getByRole('row', { name: /Marco García/ }).first().click();
    await page.getByRole('heading', { level: 1, name: /Marco García/ }).waitFor();
    await sweep(`guest ${lang}`, {
      name: page.getByLabel(S(lang, 'guest.name'), { exact: true }),
      table: page.getByLabel(S(lang, 'guest.table'), { exact: true }),
      notes: page.getByLabel(S(lang, 'guest.notes'), { exact: true }),
      save: page.getByRole('button', { name: S(lang, 'common.save'), exact: true }),
    });
    await shot('guest', lang);
    await page.getByRole('link', { name: new RegExp(S(lang, 'guest.back')) }).click();
    // Back on the list, its filter comes back from the address: clear it only once it is there, or the list would
    // apply "marco" again after the clearing (a race a loaded machine loses).
    const search = page.getByRole('searchbox', { name: S(lang, 'guests.search') });
    await expect.poll(() => search.inputValue()).toBe('marco');
    await search.fill('');
    await expect.poll(() => count.textContent()).toBe(S(lang, 'guests.count', { shown: GUESTS, total: GUESTS }));

    // The import refusing a file with bad rows: every one listed, nothing imported.
    await page.getByText(S(lang, 'guests.import_title')).click();
    await page.getByLabel(S(lang, 'guests.import_file')).setInputFiles({ name: 'late-additions.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await page.getByRole('button', { name: S(lang, 'guests.import_start') }).click();
    const problems = page.getByTestId('import-problems');
    await problems.waitFor();
    expect(await problems.getByRole('listitem').count()).toBe(3);
    await sweep(`import ${lang}`, {
      file: page.getByLabel(S(lang, 'guests.import_file')),
      start: page.getByRole('button', { name: S(lang, 'guests.import_start') }),
    });
    await problems.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 200));
    await shot('import', lang);
    await expect.poll(() => count.textContent()).toBe(S(lang, 'guests.count', { shown: GUESTS, total: GUESTS }));


    await nav('nav.devices', lang).click();
    await page.getByRole('heading', { level: 1, name: new RegExp('Finca El Olivar') }).waitFor();
    await page.getByText('Garden gate').first().waitFor();
    await sweep(`devices ${lang}`, {
      pair: page.getByRole('button', { name: S(lang, 'devices.pair') }),
      revoke: page.getByRole('button', { name: S(lang, 'devices.revoke_named', { name: 'North door' }) }),
    });
    await page.getByRole('button', { name: S(lang, 'devices.pair') }).click();
    await page.getByRole('dialog').getByLabel(S(lang, 'devices.pair_name')).fill('Terrace door');
    await page.getByRole('dialog').getByRole('button', { name: S(lang, 'devices.pair_issue') }).click();
    await page.locator('.pair-code[data-code]').waitFor();
    await expectAllNamed(page, `devices pairing code ${lang}`);
    expect(await unreachedByTab(page, {
      command: page.getByRole('textbox', { name: S(lang, 'devices.pair_command') }),
      close: page.getByRole('dialog').getByRole('button', { name: S(lang, 'common.close'), exact: true }),
    }), `devices pairing code ${lang}: Tab never reaches`).toEqual([]);
    await shot('devices', lang);
    await page.getByRole('dialog').getByRole('button', { name: S(lang, 'common.close'), exact: true }).click();

    await nav('nav.live', lang).click();
    await expect.poll(() => page.locator('[data-kpi="checked_in"] .kpi-value').textContent()).toMatch(/^\d+$/);
    expect(Number(await page.locator('[data-kpi="checked_in"] .kpi-value').textContent())).toBeGreaterThanOrEqual(80);
    await page.getByTestId('door-to-seat').locator('dd').first().waitFor();
    await sweep(`live ${lang}`, { language: page.getByRole('combobox', { name: S(lang, 'common.language') }), signOut: page.getByRole('button', { name: S(lang, 'common.sign_out') }) });
    await shot('live', lang);

    await nav('nav.audit', lang).click();
    await page.getByRole('heading', { level: 1, name: S(lang, 'audit.title') }).waitFor();
    await page.getByRole('table').first().waitFor();
    await sweep(`audit ${lang}`, { apply: page.getByRole('button', { name: S(lang, 'audit.apply') }), clear: page.getByRole('button', { name: S(lang, 'audit.clear') }) });
    await shot('audit', lang);

    await nav('nav.account', lang).click();
    await page.getByRole('heading', { level: 1, name: S(lang, 'account.title') }).waitFor();
    await sweep(`account ${lang}`, { everywhere: page.getByRole('button', { name: S(lang, 'account.everywhere') }) });
    await shot('account', lang);

    await nav('nav.team', lang).click();
    await page.getByRole('heading', { level: 1, name: S(lang, 'team.title') }).waitFor();
    await page.getByText(PLANNER).first().waitFor();
    await sweep(`team ${lang}`, {
      invite: page.getByRole('button', { name: S(lang, 'team.invite_send') }),
      newLink: page.getByRole('button', { name: S(lang, 'team.new_link_for', { email: PLANNER }) }),
    });
    await shot('team', lang);
  }

  it('English: set-password, sign-in and every signed-in page', async () => {
    await page.goto(ownerLink);
    await page.getByTestId('link-account').waitFor();
    await sweep('set-password en', {
      password: page.getByLabel(S('en', 'auth.new_password')),
      again: page.getByLabel(S('en', 'auth.repeat_password')),
      submit: page.getByRole('button', { name: S('en', 'auth.set_password') }),
    });
    await shot('set-password', 'en');
    await page.getByLabel(S('en', 'auth.new_password')).fill(PASSWORD);
    await page.getByLabel(S('en', 'auth.repeat_password')).fill(PASSWORD);
    await page.getByRole('button', { name: S('en', 'auth.set_password') }).click();
    await page.getByRole('button', { name: S('en', 'common.sign_out') }).click();
    await page.getByRole('heading', { name: S('en', 'auth.sign_in_title') }).waitFor();
    await sweep('sign-in en', {
      email: page.getByLabel(S('en', 'auth.email')),
      password: page.getByLabel(S('en', 'auth.password'), { exact: true }),
      submit: page.getByRole('button', { name: S('en', 'auth.sign_in') }),
    });
    await shot('sign-in', 'en');
    await page.getByLabel(S('en', 'auth.email')).fill(OWNER);
    await page.getByLabel(S('en', 'auth.password'), { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: S('en', 'auth.sign_in') }).click();
    await page.getByRole('button', { name: S('en', 'common.sign_out') }).waitFor();
    await page.getByRole('combobox', { name: new RegExp(`^${S('en', 'common.occasion')}`) }).selectOption({ label: 'Boda de Lucía y Marco' });

    // The sweep can fail: a field with no name and a button Tab skips are both reported.
    await page.evaluate(() => {
      const main = document.getElementById('main')!;
      main.insertAdjacentHTML('afterbegin', '<input id="sweep-probe" type="text"><button id="sweep-skipped" tabindex="-1">Skipped</button>');
    });
    expect((await unnamedControls(page)).map((c) => c.id)).toEqual(['sweep-probe']);
    expect(await unreachedByTab(page, { skipped: page.locator('#sweep-skipped'), signOut: page.getByRole('button', { name: S('en', 'common.sign_out') }) })).toEqual(['skipped']);
    await page.evaluate(() => ['sweep-probe', 'sweep-skipped'].forEach((id) => document.getElementById(id)?.remove()));

    await signedInPages('en');
  }, 240_000);

  it('Spanish, chosen with the language switch: every signed-in page, then sign-in and set-password', async () => {
    await page.getByRole('combobox', { name: S('en', 'common.language') }).selectOption('es');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await signedInPages('es');
    await page.getByRole('button', { name: S('es', 'common.sign_out') }).click();
    await page.getByRole('heading', { name: S('es', 'auth.sign_in_title') }).waitFor();
    await sweep('sign-in es', {
      email: page.getByLabel(S('es', 'auth.email')),
      password: page.getByLabel(S('es', 'auth.password'), { exact: true }),
      submit: page.getByRole('button', { name: S('es', 'auth.sign_in') }),
    });
    await shot('sign-in', 'es');
    // The planner's invitation, opened in a new load of the same browser: the choice of language stays.
    await page.goto('about:blank');
    await page.goto(plannerLink);
    await page.getByTestId('link-account').waitFor();
    expect(await page.getByTestId('link-account').textContent()).toContain(PLANNER);
    await sweep('set-password es', {
      password: page.getByLabel(S('es', 'auth.new_password')),
      again: page.getByLabel(S('es', 'auth.repeat_password')),
      submit: page.getByRole('button', { name: S('es', 'auth.set_password') }),
    });
    await shot('set-password', 'es');
  }, 240_000);

  /**
   * The wedding's room as a planner draws it, on the venue's 24 tables (their ids kept: the guests are seated at them):
   * long banquet tables where a table seats more than twelve, walls with the north door and the garden gate, the
   * stage, the dance floor, the bar, a pillar, the foyer and two labels. Published, so the chart draws it.
   */
  function weddingRoom(base: Layout, chart: SeatingChart): Layout {
    const seated = new Map<string, number>();
    for (const p of chart.parties) if (p.table_id) seated.set(p.table_id, (seated.get(p.table_id) ?? 0) + p.party_size);
    const cols = [5.5, 14, 26, 34.5];
    const byLabel = [...base.tables].sort((a, b) => Number(a.label) - Number(b.label));
    const tables: LayoutTable[] = byLabel.map((tb, i) => {
      const people = seated.get(tb.id) ?? 0;
      const capacity = Math.max(10, people + (people % 2) + 2);
      const banquet = capacity > 12;
      return {
        ...tb, shape: banquet ? 'banquet' : 'round', capacity, w: banquet ? Math.round(capacity * 0.31 * 10) / 10 : 1.8, h: banquet ? 1 : 1.8,
        x: cols[i % 4]!, y: 11.5 + Math.floor(i / 4) * 4.3, rotation: 0, tags: i === 0 ? ['accessible', 'near_exit'] : [],
      };
    });
    return {
      ...base, width: 40, height: 37, grid: 0.5, tables,
      walls: [
        { id: 'wall-north', points: [{ x: 5, y: 0 }, { x: 40, y: 0 }, { x: 40, y: 17 }] },
        { id: 'wall-south', points: [{ x: 40, y: 20 }, { x: 40, y: 37 }, { x: 0, y: 37 }, { x: 0, y: 0 }, { x: 2, y: 0 }] },
        { id: 'wall-foyer', points: [{ x: 0, y: 8 }, { x: 3, y: 8 }] },
      ],
      doors: [{ id: 'north', label: 'North door', x: 3.5, y: 0.8 }, { id: 'garden', label: 'Garden gate', x: 39.2, y: 18.5 }],
      zones: [{ id: 'foyer', label: 'Foyer', x: 5, y: 4, w: 9, h: 7, rotation: 0 }],
      obstacles: [
        { id: 'stage', kind: 'stage', label: 'Stage', shape: 'rect', x: 20, y: 2.2, w: 10, h: 3, rotation: 0 },
        { id: 'dance', kind: 'dance_floor', label: 'Dance floor', shape: 'rect', x: 20, y: 7, w: 8, h: 4.5, rotation: 0 },
        { id: 'bar', kind: 'bar', label: 'Bar', shape: 'rect', x: 35, y: 1.4, w: 6, h: 1.2, rotation: 0 },
        { id: 'pillar', kind: 'pillar', label: '', shape: 'round', x: 20, y: 19, w: 0.6, h: 0.6, rotation: 0 },
      ],
      labels: [
        { id: 'hall', text: 'Salón de los Olivos', x: 31, y: 5.5, size: 0.8, rotation: 0 },
        { id: 'photos', text: 'Photo corner', x: 36.5, y: 35.8, size: 0.6, rotation: 0 },
      ],
      background: null,
    };
  }

  it('the Seat Designer and the seating chart on the drawn room, in en and es', async () => {
    const app = cloud.cloud.app;
    // A session of its own: setting the password in the first case ended the owner's older ones.
    const me = await signIn(t.db, owner.account);
    const { venues } = (await asUser(app, me, { method: 'GET', url: '/console/api/venues' })).json() as { venues: { id: string }[] };
    const venueId = venues[0]!.id;
    const draft = (await asUser(app, me, { method: 'GET', url: `/console/api/venues/${venueId}/layout` })).json() as LayoutDraft;
    expect(draft.layout.tables.length).toBe(24);
    const chart = (await asUser(app, me, { method: 'GET', url: `/console/api/occasions/${occasionId}/seating` })).json() as SeatingChart;
    const saved = await asUser(app, me, { method: 'PUT', url: `/console/api/venues/${venueId}/layout`, payload: { revision: draft.revision, layout: weddingRoom(draft.layout, chart) } });
    expect(saved.statusCode, saved.body).toBe(200);
    const published = await asUser(app, me, { method: 'POST', url: `/console/api/venues/${venueId}/layout/publish`, payload: { revision: (saved.json() as LayoutDraft).revision, confirm_live: true } });
    expect(published.statusCode, published.body).toBe(200);

    // Signed in again as the owner (the Spanish case signed out), the wedding chosen.
    await signInContext(browser.context, me);
    // A fresh load: the page left on the set-password screen knows of no session until it asks again.
    await page.goto('about:blank');
    for (const lang of ['en', 'es'] as const) {
      await page.goto(`${cloud.url}/console/#/designer`);
      await page.getByRole('combobox', { name: new RegExp(`^(${S('en', 'common.language')}|${S('es', 'common.language')})$`) }).selectOption(lang);
      await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 15_000 }).toBe(lang);
      await page.getByRole('combobox', { name: new RegExp(`^${S(lang, 'common.occasion')}`) }).selectOption({ label: 'Boda de Lucía y Marco' });
      const canvas = page.locator('svg.designer-canvas');
      await expect.poll(() => canvas.locator('[data-kind="tables"]').count(), { timeout: 15_000 }).toBe(24);
      await page.getByTestId('no-problems').waitFor();
      // The route a guest at the north door is shown to table 23, and table 7 chosen on the plan.
      await page.getByLabel(S(lang, 'designer.route_door')).selectOption('north');
      await page.getByLabel(S(lang, 'designer.route_table')).selectOption({ label: '23' });
      await page.getByRole('button', { name: S(lang, 'designer.show_route'), exact: true }).click();
      await page.getByTestId('route').waitFor();
      const seven = weddingRoom(draft.layout, chart).tables.find((x) => x.label === '7')!;
      await clickPlan(page, canvas, { x: seven.x, y: seven.y });
      await expect.poll(() => page.getByTestId('selection-info').textContent(), { timeout: 15_000 }).toContain(S(lang, 'designer.plan.table', { label: '7', n: seven.capacity }));
      await expectAllNamed(page, `designer ${lang}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('designer', lang);

      await page.goto(`${cloud.url}/console/#/seating`);
      await expect.poll(() => page.locator('.seating-plan [data-kind="tables"]').count(), { timeout: 15_000 }).toBe(24);
      await page.getByTestId('seating-count').waitFor();
      await expectAllNamed(page, `seating ${lang}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('seating', lang);
    }
  }, 240_000);
});
