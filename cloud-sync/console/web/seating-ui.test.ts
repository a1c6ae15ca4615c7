// The seating chart and its print pages in real Chromium against a real cloud (buildApp on PGlite, HTTP on
// 127.0.0.1): a planner drags a party from the unseated list onto a table drawn on the published room (the server
// then has its table), drags another onto a full table (refused with the reason, nothing changes), seats one with the
// keyboard, is told the server's refusal when its chart was stale, runs auto-assign (progress, then the plan) and applies it (everyone seated); then the escort cards and
// the chart are printed to PDF, read back with pdftotext (every seated guest once, with their table) and rendered
// with pdftoppm. A viewer sees the chart without the controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { importGuests } from '../../guestlist/import-guests';
import { importTables } from '../../guestlist/manage';
import { hashPassword } from '../auth/passwords';
import { freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant } from '../../../tests/fixtures/console';
import { freePort, startConsoleCloud, type ConsoleCloud } from '../../../tests/fixtures/console-browser';
import { emptyLayout, type Layout } from '../../../core/designer/layout';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PASSWORD = 'a long evening at the finca';

// Four tables, 16 seats; seven parties, 13 people: auto-assign can seat everyone.
const TABLES = [
  { id: 'tb1', label: 'Table 1', capacity: 4, x: 4, y: 4 },
  { id: 'tb2', label: 'Table 2', capacity: 4, x: 10, y: 4 },
  { id: 'tb3', label: 'Table 3', capacity: 2, x: 16, y: 4 },
  { id: 'tb4', label: 'Table 4', capacity: 6, x: 10, y: 9 },
];
const GUESTS = [
  { id: 'ana', name: 'Ana García', size: 3, table: '' },
  { id: 'bruno', name: 'Bruno Díaz', size: 2, table: 'Table 3' },
  { id: 'carla', name: 'Carla Núñez', size: 2, table: '' },
  { id: 'diego', name: 'Diego Ortiz', size: 1, table: '' },
  { id: 'elena', name: 'Elena Ruiz', size: 2, table: 'Table 1' },
  { id: 'fabio', name: 'Fabio Gil', size: 1, table: '' },
  { id: 'gala', name: 'Gala Pérez', size: 2, table: '' },
];

function roomLayout(): Layout {
  const l = emptyLayout(20, 12);
  l.walls = [{ id: 'w1', points: [{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 12 }, { x: 0, y: 12 }, { x: 0, y: 0 }] }];
  l.doors = [{ id: 'door-a', label: 'Main door', x: 10, y: 11.5 }];
  l.tables = TABLES.map((t) => ({ id: t.id, label: t.label, shape: 'round' as const, capacity: t.capacity, x: t.x, y: t.y, w: 1.6, h: 1.6, rotation: 0, tags: [] }));
  return l;
}

describe('the seating chart and its print pages in Chromium', () => {
  let t: TestDatabase;
  let cloud: ConsoleCloud;
  let A: ConsoleTenant;
  let ctx: BrowserContext;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'sp-seating-ui-'));

  const tableOf = async (guestId: string) => (await t.db.query<{ table_id: string | null }>('SELECT table_id FROM guestlist.guests WHERE id = $1', [guestId]))[0]?.table_id ?? null;
  const seats = (id: string) => page.getByTestId(`card-seats-${id}`).textContent();
  const unseatedList = () => page.getByRole('complementary', { name: 'Not seated' });

  /** A pointer drag from the centre of one element to the centre of another, in small steps as a hand moves. */
  async function dragTo(from: ReturnType<Page['locator']>, to: ReturnType<Page['locator']>) {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
    await page.mouse.up();
  }

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    A = await consoleTenant(t.db, 'Finca');
    await t.db.query('UPDATE console.accounts SET password_hash = $1, password_set_at = now() WHERE id = ANY($2)', [await hashPassword(PASSWORD), [A.planner.account.id, A.viewer.account.id]]);
    await importTables(t.db, A.venueId, `id,label,capacity\n${TABLES.map((x) => `${x.id},${x.label},${x.capacity}`).join('\n')}\n`);
    await importGuests(t.db, {
      venueId: A.venueId, occasionId: A.occasionId,
      csv: `guest_id,name,party_size,table,barcode\n${GUESTS.map((g, i) => `${g.id},${g.name},${g.size},${g.table},SEAT-${i}`).join('\n')}\n`,
    });
    cloud = await startConsoleCloud(t.db, await freePort());
    // The room, drawn and published through the API as the designer does: the chart draws on it.
    const saved = await asUser(cloud.cloud.app, A.owner, { method: 'PUT', url: `/console/api/venues/${A.venueId}/layout`, payload: { revision: 0, layout: roomLayout() } });
    expect(saved.statusCode, saved.body).toBe(200);
    const published = await asUser(cloud.cloud.app, A.owner, { method: 'POST', url: `/console/api/venues/${A.venueId}/layout/publish`, payload: { revision: saved.json().revision, confirm_live: true } });
    expect(published.statusCode, published.body).toBe(200);
    ctx = await chromium.launchPersistentContext(join(dir, 'chromium'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, locale: 'en-GB', viewport: { width: 1400, height: 1000 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await cloud?.close();
    await t?.drop();
  });

  async function signIn(email: string) {
    await page.goto(`${cloud.url}/console/#/seating`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe('Seating chart: Finca gala');
  }

  it('shows the published room with each table seated/capacity, the cards and the unseated parties', async () => {
    await signIn(A.planner.account.email);
    await expect.poll(() => page.getByTestId('seating-plan').count()).toBe(1);
    expect(await page.getByTestId('no-plan').count()).toBe(0);
    for (const x of TABLES) expect(await page.getByTestId(`table-${x.id}`).count()).toBe(1);
    expect(await page.getByTestId('plan-seats-tb3').textContent()).toContain('2/2');
    expect(await page.getByTestId('plan-seats-tb1').textContent()).toContain('Elena Ruiz');
    expect(await seats('tb1')).toBe('2/4');
    expect(await seats('tb4')).toBe('0/6');
    expect(await page.getByTestId('unseated-count').textContent()).toBe('5 parties, 9 people');
    // Accent-insensitive search of the unseated list.
    await page.getByLabel('Search parties').fill('nunez');
    expect(await unseatedList().getByRole('button').allTextContents()).toEqual(['Carla Núñez×2']);
    await page.getByLabel('Search parties').fill('');
  }, 90_000);

  it('seats a party by dragging it from the unseated list onto a table on the plan', async () => {
    await dragTo(unseatedList().getByRole('button', { name: 'Ana García, party of 3' }), page.getByTestId('table-tb4').locator('.table-top'));
    await expect.poll(() => seats('tb4')).toBe('3/6');
    expect(await page.getByTestId('plan-seats-tb4').textContent()).toContain('Ana García');
    expect(await unseatedList().getByRole('button', { name: 'Ana García, party of 3' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Ana García is now at Table 4.');
    expect(await tableOf('ana')).toBe('tb4');
  }, 30_000);

  it('refuses a drag onto a full table with the reason, and nothing changes', async () => {
    await dragTo(unseatedList().getByRole('button', { name: 'Carla Núñez, party of 2' }), page.getByTestId('card-tb3'));
    await expect.poll(() => page.getByTestId('refusal').textContent()).toContain('Table 3 has 0 free seats; the party of Carla Núñez needs 2.');
    expect(await page.getByRole('alert').filter({ hasText: 'Table 3 has 0 free seats' }).count()).toBe(1);
    expect(await seats('tb3')).toBe('2/2');
    expect(await unseatedList().getByRole('button', { name: 'Carla Núñez, party of 2' }).count()).toBe(1);
    expect(await tableOf('carla')).toBeNull();
  }, 30_000);

  it('seats a party with the keyboard: choose it, "Move to table", Move', async () => {
    await unseatedList().getByRole('button', { name: 'Diego Ortiz, party of 1' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('party-panel');
    await expect.poll(() => panel.getByRole('heading', { level: 2 }).textContent()).toBe('Diego Ortiz');
    await panel.getByLabel('Move to table').selectOption({ label: 'Table 2 (4 free)' });
    await panel.getByRole('button', { name: 'Move', exact: true }).press('Enter');
    await expect.poll(() => seats('tb2')).toBe('1/4');
    expect(await tableOf('diego')).toBe('tb2');
    await panel.getByRole('button', { name: 'Close' }).click();
  }, 30_000);

  it('says the server\'s refusal when the chart in the page was stale, and then shows the chart as it is', async () => {
    // Another planner fills Table 2 meanwhile (Diego 1 + Carla 2 + Fabio 1 = 4 of 4); this page still shows 1/4.
    const chart = (await asUser(cloud.cloud.app, A.owner, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/seating` })).json() as { parties: { guest_id: string; version: number }[] };
    for (const id of ['carla', 'fabio']) {
      const version = chart.parties.find((p) => p.guest_id === id)!.version;
      const r = await asUser(cloud.cloud.app, A.owner, { method: 'POST', url: `/console/api/occasions/${A.occasionId}/seating/move`, payload: { guest_id: id, table_id: 'tb2', version } });
      expect(r.statusCode, r.body).toBe(200);
    }
    expect(await seats('tb2')).toBe('1/4');
    await dragTo(unseatedList().getByRole('button', { name: 'Gala Pérez, party of 2' }), page.getByTestId('table-tb2').locator('.table-top'));
    await expect.poll(() => page.getByTestId('refusal').textContent()).toContain('Table 2 has 0 free seats; the party of Gala Pérez needs 2.');
    await expect.poll(() => seats('tb2')).toBe('4/4');
    expect(await tableOf('gala')).toBeNull();
  }, 30_000);

  it('auto-assigns: a progress bar, then the plan with its moves; applying seats every guest', async () => {
    // Whether the bar was ever shown, however quickly the run ends.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[role="progressbar"][aria-label="Auto-assign progress"]')) w.sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const waiting = (await t.db.query<{ name: string }>('SELECT name FROM guestlist.guests WHERE occasion_id = $1 AND table_id IS NULL', [A.occasionId])).map((r) => r.name);
    expect(waiting).toEqual(['Gala Pérez']);
    await page.getByRole('button', { name: 'Auto-assign' }).click();
    const result = page.getByTestId('auto-result');
    await expect.poll(() => result.count(), { timeout: 30_000 }).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/Quality(optimal \(proven best\)|at most [\d.,]+ % below the best possible|no bound known)/);
    expect(text).toContain('Guests seated13 of 13');
    // The party still unseated is among the moves, from no table to a table.
    for (const name of waiting) {
      const row = result.getByRole('row', { name: new RegExp(`^${name}, party of \\d`) });
      expect(await row.count(), name).toBe(1);
      expect(await row.locator('td').first().textContent()).toBe('no table');
      expect(await row.locator('td').last().textContent()).toMatch(/^Table \d$/);
    }
    await page.getByRole('button', { name: 'Apply plan' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/^Plan applied: \d+ moves\.$/);
    await expect.poll(() => page.getByTestId('unseated-count').textContent()).toBe('0 parties, 0 people');
    const rows = await t.db.query<{ id: string; table_id: string | null }>('SELECT id, table_id FROM guestlist.guests WHERE occasion_id = $1', [A.occasionId]);
    expect(rows.filter((r) => r.table_id === null)).toEqual([]);
    // Each card now sums what the server has.
    for (const x of TABLES) {
      const n = GUESTS.filter((g) => rows.find((r) => r.id === g.id)?.table_id === x.id).reduce((s, g) => s + g.size, 0);
      expect(await seats(x.id)).toBe(`${n}/${x.capacity}`);
      expect(n).toBeLessThanOrEqual(x.capacity);
    }
  }, 60_000);

  it('locks a party from its panel; a locked party dragged elsewhere is refused with the reason', async () => {
    const at = await tableOf('ana');
    const other = TABLES.find((x) => x.id !== at)!;
    await page.getByTestId(`card-${at}`).getByRole('button', { name: 'Ana García, party of 3' }).click();
    const panel = page.getByTestId('party-panel');
    await panel.getByRole('button', { name: 'Lock at this table' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Ana García is locked at its table.');
    const chart = (await asUser(cloud.cloud.app, A.owner, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/seating` })).json() as { parties: { guest_id: string; locked: boolean }[] };
    expect(chart.parties.find((p) => p.guest_id === 'ana')?.locked).toBe(true);
    await panel.getByRole('button', { name: 'Close' }).click();
    await dragTo(page.getByRole('button', { name: /^Ana García, party of 3 \(locked\)$/ }), page.getByTestId(`card-${other.id}`));
    await expect.poll(() => page.getByTestId('refusal').textContent()).toContain('The party of Ana García is locked at its table; unlock it first.');
    expect(await tableOf('ana')).toBe(at);
  }, 30_000);

  it('prints the escort cards: every seated guest exactly once, with their table', async () => {
    await page.getByRole('navigation', { name: 'Print pages' }).getByRole('link', { name: 'Escort cards' }).click();
    await expect.poll(() => page.getByTestId('escort-card').count()).toBe(GUESTS.length);
    expect(await page.getByRole('button', { name: 'Print' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: /Back to the seating chart/ }).count()).toBe(1);
    expect(await page.locator('header.top').count()).toBe(0);
    const pdf = join(dir, 'escort.pdf');
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    // -raw: the text in the order it was drawn (the page's order: card by card), whitespace runs made one space.
    const text = execFileSync('pdftotext', ['-raw', pdf, '-']).toString('utf8').replace(/\s+/g, ' ');
    // The button and the link are hidden on paper.
    expect(text).not.toContain('Back to the seating chart');
    const rows = await t.db.query<{ id: string; table_id: string }>('SELECT id, table_id FROM guestlist.guests WHERE occasion_id = $1', [A.occasionId]);
    for (const g of GUESTS) {
      const label = TABLES.find((x) => x.id === rows.find((r) => r.id === g.id)?.table_id)!.label;
      expect(text.split(g.name).length - 1, `${g.name} printed once`).toBe(1);
      expect(text, `${g.name} → ${label}`).toContain(`${g.name} → ${label}`);
    }
    const pngs = join(dir, 'escort');
    execFileSync('pdftoppm', ['-png', '-r', '50', pdf, pngs]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('escort-') && f.endsWith('.png'));
    // Seven cards fit one page (3 × 7 a page).
    expect(pages.length).toBe(1);
    for (const f of pages) expect(statSync(join(dir, f)).size).toBeGreaterThan(1000);
  }, 60_000);

  it('prints the chart: the room on page 1, then a page per table with its guests', async () => {
    await page.getByRole('link', { name: /Back to the seating chart/ }).click();
    await page.getByRole('navigation', { name: 'Print pages' }).getByRole('link', { name: 'Chart' }).click();
    await expect.poll(() => page.locator('.sheet').count()).toBe(1 + TABLES.length);
    const pdf = join(dir, 'chart.pdf');
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    const pngs = join(dir, 'chart');
    execFileSync('pdftoppm', ['-png', '-r', '50', pdf, pngs]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('chart-') && f.endsWith('.png')).sort();
    expect(pages.length).toBe(1 + TABLES.length);
    for (const f of pages) expect(statSync(join(dir, f)).size).toBeGreaterThan(1000);
    const rows = await t.db.query<{ id: string; table_id: string }>('SELECT id, table_id FROM guestlist.guests WHERE occasion_id = $1', [A.occasionId]);
    // Page 1: the room with every table's label; then each table's page names exactly its guests.
    const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', pdf, '-']).toString('utf8');
    for (const x of TABLES) expect(first).toContain(x.label);
    for (let i = 0; i < TABLES.length; i++) {
      const x = TABLES[i]!;
      const text = execFileSync('pdftotext', ['-f', String(i + 2), '-l', String(i + 2), pdf, '-']).toString('utf8');
      expect(text).toContain(x.label);
      for (const g of GUESTS) expect(text.includes(g.name), `${g.name} on ${x.label}'s page`).toBe(rows.find((r) => r.id === g.id)?.table_id === x.id);
    }
  }, 60_000);

  it('prints place cards (2 × 4 a page) and a sign per table', async () => {
    await page.getByRole('link', { name: /Back to the seating chart/ }).click();
    await page.getByRole('navigation', { name: 'Print pages' }).getByRole('link', { name: 'Place cards' }).click();
    await expect.poll(() => page.locator('.place-card').count()).toBe(GUESTS.length);
    const place = join(dir, 'place.pdf');
    writeFileSync(place, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    expect(execFileSync('pdfinfo', [place]).toString()).toMatch(/Pages:\s+1\n/);
    await page.getByRole('link', { name: /Back to the seating chart/ }).click();
    await page.getByRole('navigation', { name: 'Print pages' }).getByRole('link', { name: 'Table signs' }).click();
    await expect.poll(() => page.locator('.sheet-sign').count()).toBe(TABLES.length);
    const signs = join(dir, 'signs.pdf');
    writeFileSync(signs, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    for (let i = 0; i < TABLES.length; i++) {
      expect(execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), signs, '-']).toString().trim()).toBe(TABLES[i]!.label);
    }
  }, 60_000);

  it('shows a viewer the chart without the controls that change it', async () => {
    await page.getByRole('link', { name: /Back to the seating chart/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(A.viewer.account.email);
    await expect.poll(() => seats('tb4')).toMatch(/^\d+\/6$/);
    expect(await page.getByText('Your role can look at the chart but not change it.').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Auto-assign' }).count()).toBe(0);
    await page.getByRole('button', { name: /^Ana García, party of 3/ }).click();
    const panel = page.getByTestId('party-panel');
    await expect.poll(() => panel.count()).toBe(1);
    expect(await panel.getByLabel('Move to table').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Save relations' }).count()).toBe(0);
  }, 60_000);
});
