// The venue desk's screens of the console in a real Chromium against a real cloud (buildApp on PGlite, 127.0.0.1):
// on the live view the planner sees the seat conflicts with a badge counting those to review, reads which decision was
// kept and which was not, and dismisses one (stored, audited; the badge goes down); a viewer sees them without
// "Dismiss". On the guest's page the planner edits the meal, the staff's note and the tags. The audit page shows one
// line per venue for its hub chain, the broken one naming its entry. Then the live view in Spanish.
// Screenshots: docs/screens/console-desk-*.png with UPDATE_SCREENSHOTS=1.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { consoleTenant, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { openConsolePage, useConsoleSession } from '../../../tests/fixtures/console-browser';
import { insertConflict, insertVenueAudit, venueAuditRows } from '../../../tests/fixtures/desk-console';
import { launchChromium, screensDir } from '../../../tests/kiosk-browser';
import { freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { addVenue } from '../../admin';
import { buildApp, type CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { importTables } from '../../guestlist/manage';

const HUB_HLC = '1796148060000.0003.v';
const CONSOLE_HLC = '1796148000000.0000.c';

describe('the venue desk in the console in Chromium', () => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let a: ConsoleTenant;
  let base: string;
  let browser: { context: BrowserContext; page: Page; close(): Promise<void> };
  let page: Page;
  let annex = '';
  const ids = { ana: 0, ben: 0 };
  const shots = screensDir();

  const useSession = (who: TestSession) => useConsoleSession(browser.context, who);
  const open = (hash: string) => openConsolePage(page, base, hash);
  const section = () => page.getByTestId('seat-conflicts');
  const badge = () => page.getByTestId('seat-conflicts-badge');

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0, console: { liveEverySec: 0.5 } });
    a = await consoleTenant(t.db, 'Alpha');
    await importTables(t.db, a.venueId, 'label,capacity\nTable 7,10\nTable 9,8\n');
    await importGuests(t.db, {
      venueId: a.venueId, occasionId: a.occasionId,
      csv: 'guest_id,name,party_size,table,meal,notes,tags\nana,Ana Núñez,2,Table 9,vegetarian,Allergic to nuts,vip|press\nben,Ben Ortiz,3,Table 7,,,\n',
    });
    const tables = Object.fromEntries((await t.db.query<{ id: string; label: string }>('SELECT id, label FROM guestlist.seating_tables WHERE venue_id = $1', [a.venueId])).map((r) => [r.label, r.id]));
    ids.ben = await insertConflict(t.db, a.tenantId, a.venueId, {
      guestId: 'ben', field: 'party', winner: ['3', HUB_HLC, 'hub', 'hub-1/supervisor'], loser: ['2', CONSOLE_HLC, 'console', 'planner@example.test'], detectedAt: '2026-12-01T19:00:00Z',
    });
    ids.ana = await insertConflict(t.db, a.tenantId, a.venueId, {
      guestId: 'ana', field: 'table', winner: [tables['Table 9']!, HUB_HLC, 'hub', 'hub-1/supervisor'], loser: [tables['Table 7']!, CONSOLE_HLC, 'console', 'planner@example.test'], detectedAt: '2026-12-01T19:05:00Z',
    });
    // The venue's hub chain, intact; a second venue whose entry 2 was altered after it arrived.
    await insertVenueAudit(t.db, a.tenantId, await venueAuditRows(a.venueId, 3));
    annex = (await addVenue(t.db, a.tenantId, 'Annex')).id;
    const forged = (await venueAuditRows(annex, 3)).map((r) => (r.seq === 2 ? { ...r, after_json: '{"note":"changed","table_id":"T9"}' } : r));
    await insertVenueAudit(t.db, a.tenantId, forged);
    base = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium({ width: 1400, height: 950 });
    page = browser.page;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('shows the planner the conflicts to review with a badge, and "Dismiss" takes one off (stored and audited)', async () => {
    await useSession(a.planner);
    await open('/live');
    await expect.poll(() => badge().textContent(), { timeout: 15_000 }).toBe('2 to review');
    const anaRow = section().getByRole('row', { name: /Ana Núñez/ });
    expect(await anaRow.innerText()).toMatch(/Ana Núñez\s+Table\s+Table 9\s+at the venue, hub-1\/supervisor, .+\s+Table 7\s+console, planner@example\.test, .+/);
    expect(await section().getByRole('row', { name: /Ben Ortiz/ }).innerText()).toMatch(/Party size\s+party of 3[\s\S]+party of 2/);
    await page.screenshot({ path: join(shots, 'console-desk-conflicts-en.png'), fullPage: true });

    // By keyboard: focus the button and press Enter.
    const dismiss = page.getByRole('button', { name: 'Dismiss the seat conflict of Ana Núñez' });
    await dismiss.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('1 to review');
    await expect.poll(() => section().locator(`tr[data-conflict="${ids.ana}"]`).innerText()).toContain(`Dismissed by ${a.planner.account.email}`);
    expect(await page.getByRole('button', { name: 'Dismiss the seat conflict of Ana Núñez' }).count()).toBe(0);
    const [row] = await t.db.query<{ acknowledged_by: string | null }>('SELECT acknowledged_by FROM guestlist.seat_conflicts WHERE id = $1', [ids.ana]);
    expect(row?.acknowledged_by).toBe(a.planner.account.email);
    const audits = await t.db.query<{ entity_id: string }>(`SELECT entity_id FROM console.audit_log WHERE action = 'seat_conflict.acknowledge'`);
    expect(audits).toEqual([{ entity_id: String(ids.ana) }]);
  });

  it('shows a viewer the same list without "Dismiss"', async () => {
    await useSession(a.viewer);
    await open('/live');
    await expect.poll(() => badge().textContent(), { timeout: 15_000 }).toBe('1 to review');
    await section().getByRole('row', { name: /Ben Ortiz/ }).waitFor();
    expect(await section().getByRole('button').count()).toBe(0);
  });

  it('lets the planner edit the meal, the note for the staff and the tags on the guest\'s page', async () => {
    await useSession(a.planner);
    await open('/guest/ana');
    const meal = page.getByLabel('Meal');
    await expect.poll(() => meal.inputValue(), { timeout: 10_000 }).toBe('vegetarian');
    expect(await page.getByLabel('Tags').inputValue()).toBe('vip, press');
    expect(await page.getByLabel('Note for the staff').inputValue()).toBe('Allergic to nuts');
    await meal.fill('vegan');
    await page.getByLabel('Tags').fill('VIP, family');
    await page.getByLabel('Note for the staff').fill('Allergic to nuts; birthday cake at 22:00');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await t.db.query<{ meal: string; tags: string[]; desk_notes: string }>('SELECT meal, tags, desk_notes FROM guestlist.guests WHERE id = $1', ['ana']))[0], { timeout: 10_000 })
      .toEqual({ meal: 'vegan', tags: ['vip', 'family'], desk_notes: 'Allergic to nuts; birthday cake at 22:00' });
    await expect.poll(() => page.getByLabel('Tags').inputValue()).toBe('vip, family');
    // Too long a tag is refused in the page, next to the field.
    await page.getByLabel('Tags').fill(`vip, ${'x'.repeat(65)}`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Each tag at most 64 characters, without |.').waitFor();
    await page.screenshot({ path: join(shots, 'console-desk-guest-en.png'), fullPage: true });
  });

  it('shows each venue\'s hub chain on the audit page, naming the broken entry', async () => {
    await useSession(a.viewer);
    await open('/audit');
    const chains = page.getByTestId('venue-chains');
    await chains.locator('li').first().waitFor({ timeout: 10_000 });
    expect(await chains.locator(`li[data-venue="${a.venueId}"]`).innerText()).toBe('Alpha venue: chain intact, 3 entries verified.'.replace('Alpha venue', await venueName(a.venueId)));
    const broken = chains.getByRole('alert');
    expect(await broken.innerText()).toMatch(/^Annex: chain broken at entry 2 \(checkin, .+\): altered, its content no longer matches its hash\.$/);
  });

  it('speaks Spanish on the live view', async () => {
    await useSession(a.planner);
    await open('/live');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await expect.poll(() => badge().textContent(), { timeout: 15_000 }).toBe('1 por revisar');
    await page.getByRole('button', { name: 'Descartar el conflicto de asiento de Ben Ortiz' }).waitFor();
    expect(await section().getByRole('heading', { level: 2 }).innerText()).toMatch(/^Conflictos de asiento/);
    await page.screenshot({ path: join(shots, 'console-desk-conflicts-es.png'), fullPage: true });
  });

  async function venueName(id: string): Promise<string> {
    const [v] = await t.db.query<{ name: string }>('SELECT name FROM seatpilot.venues WHERE id = $1', [id]);
    return v!.name;
  }
});
