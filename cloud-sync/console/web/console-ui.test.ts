// The console in real Chromium against a real cloud (buildApp on PGlite, HTTP on 127.0.0.1): signing in through the
// page (a wrong password said plainly first), a set-password link, the guest list of 20,003 guests kept to a window of
// DOM rows while it scrolls, "jose" finding the three José rows, the keyboard opening one and the way back keeping the
// filter, and the language switch relabelling the page and being remembered; then the planner's other screens
// against the real API: an import refused with every bad line and one that goes through with a progress bar, a guest
// saved and a stale save told to reload, revoke behind its confirmation, an occasion typed in its own time zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { importTables } from '../../guestlist/manage';
import { hashPassword } from '../auth/passwords';
import { issueLink } from '../auth/links';
import { freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { addTestAccount, asUser, consoleTenant, type ConsoleTenant } from '../../../tests/fixtures/console';
import type { GuestDetail } from '../../../core/console/guests';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PASSWORD = 'a long evening at the finca';
const GUESTS = 20_000;
// Names without "jose" in them, so the search has exactly the three rows below to find.
const FIRST = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elena', 'Fabio', 'Gala', 'Hugo', 'Inés', 'Julia', 'Karen', 'Lucía', 'Mateo', 'Nora', 'Óscar', 'Paula'];
const LAST = ['Souza', 'Díaz', 'Núñez', 'Ortiz', 'Ruiz', 'Gil', 'Pérez', 'Sanz', 'Vidal', 'Mora', 'Soto', 'Rey', 'Cruz', 'Vega'];
const JOSES = [
  { id: 'jose-1', name: 'José Pérez' },
  { id: 'jose-2', name: 'Josefa Ruiz' },
  { id: 'jose-3', name: 'María JOSÉ Gil' },
];

function guestCsv(): string {
  const lines = ['guest_id,name,party_size,table,barcode,group,needs'];
  for (let i = 0; i < GUESTS; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;
    lines.push(`g${i},${name},${1 + (i % 3)},T${1 + (i % 40)},SP-${100000 + i},${i % 7 === 0 ? 'Family' : ''},${i % 11 === 0 ? 'accessible' : ''}`);
  }
  JOSES.forEach((j, k) => lines.push(`${j.id},${j.name},2,T${k + 1},SP-JOSE-${k},Friends,`));
  return `${lines.join('\n')}\n`;
}

describe('the console in Chromium', () => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let ownerEmail: string;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'sp-console-ui-'));

  const count = () => page.getByTestId('guest-count').textContent();
  const domRows = () => page.locator('.grid-row').count();

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    A = await consoleTenant(t.db, 'Finca');
    ownerEmail = A.owner.account.email;
    await t.db.query('UPDATE console.accounts SET password_hash = $1, password_set_at = now() WHERE id = $2', [await hashPassword(PASSWORD), A.owner.account.id]);
    await importTables(t.db, A.venueId, `label,capacity\n${Array.from({ length: 40 }, (_, i) => `T${i + 1},600`).join('\n')}\n`);
    await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: guestCsv() });
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
    ctx = await chromium.launchPersistentContext(join(dir, 'chromium'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('signs in through the page: a wrong password is refused in words, the right one opens the guest list', async () => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'do not match' }).count()).toBe(1);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('header.top').textContent()).toContain('Finca');
    await expect.poll(count, { timeout: 30_000 }).toBe('20,003 of 20,003 guests');
    expect(page.url()).toContain('#/guests');
  }, 60_000);

  it('keeps only a window of the 20,003 rows in the DOM, also when scrolled to the end', async () => {
    const first = await domRows();
    expect(first).toBeGreaterThan(5);
    expect(first).toBeLessThan(100);
    const top = await page.locator('.grid-row').first().getAttribute('data-guest');
    const lastIndex = () => page.locator('.grid-row').evaluateAll((rows) => Math.max(...rows.map((r) => Number(r.getAttribute('aria-rowindex')))));
    expect(await lastIndex()).toBeLessThan(100);
    await page.locator('.grid-viewport').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    // The header is row 1, so the last guest is row 20,004.
    await expect.poll(lastIndex).toBe(20_004);
    const atEnd = await domRows();
    expect(atEnd).toBeGreaterThan(5);
    expect(atEnd).toBeLessThan(100);
    expect(await page.locator(`[data-guest="${top}"]`).count()).toBe(0);
    expect(await page.getByRole('grid').getAttribute('aria-rowcount')).toBe('20004');
  });

  it('finds the José rows from "jose", opens one with the keyboard, and the way back keeps the filter', async () => {
    await page.getByLabel('Search').fill('jose');
    await expect.poll(count).toBe('3 of 20,003 guests');
    const names = await page.locator('.grid-row .name').allTextContents();
    expect(names.sort()).toEqual(JOSES.map((j) => j.name).sort());
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`/console/api/occasions/${A.occasionId}/guests.csv?q=jose`);

    await page.getByRole('grid').focus();
    await page.keyboard.press('ArrowDown');
    const second = await page.locator('.grid-row[aria-selected="true"]').getAttribute('data-guest');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain(`#/guest/${second}`);
    const name = JOSES.find((j) => j.id === second)?.name as string;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(name);

    await page.getByRole('link', { name: 'Back to the guest list' }).click();
    await expect.poll(count).toBe('3 of 20,003 guests');
    expect(await page.getByLabel('Search').inputValue()).toBe('jose');
    expect(page.url()).toContain('#/guests?q=jose');
  });

  it('switches to Spanish: labels, numbers and the count change, and the choice survives a reload', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await expect.poll(count).toBe('3 de 20.003 invitados');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Invitados' }).count()).toBe(1);
    expect(await page.getByLabel('Buscar').inputValue()).toBe('jose');
    expect(await page.getByRole('button', { name: 'Cerrar sesión' }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await page.reload();
    await expect.poll(count, { timeout: 30_000 }).toBe('3 de 20.003 invitados');
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await expect.poll(count).toBe('3 of 20,003 guests');
  });

  it('imports a CSV from the page: every bad line listed and nothing imported, then a good file with its progress and report', async () => {
    await page.goto(`${base}/console/#/guests`);
    await expect.poll(count, { timeout: 30_000 }).toMatch(/ of 20,003 guests$/);
    await page.getByLabel('Search').fill('');
    await page.getByText('Import guests from a CSV file').click();
    const bad = 'guest_id,name,party_size,table\nnew-1,Nueva Uno,1,T1\nnew-2,,1,T1\nnew-3,Nueva Tres,1,T999\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const problems = page.getByTestId('import-problems').locator('li');
    await expect.poll(() => problems.count(), { timeout: 30_000 }).toBe(2);
    expect(await problems.nth(0).textContent()).toMatch(/^line 3: /);
    expect(await problems.nth(1).textContent()).toMatch(/^line 4: .*T999/);
    expect(await count()).toBe('20,003 of 20,003 guests');

    // Every state the progress bar shows, as it shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progress: string[] }).progress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]');
        if (bar) seen.push(`${bar.getAttribute('aria-valuenow')}/${bar.getAttribute('aria-valuemax')} ${bar.getAttribute('aria-valuetext')}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const rows = Array.from({ length: 3000 }, (_, i) => `bulk-${i},Invitado Nuevo ${i},1,T${1 + (i % 40)}`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`guest_id,name,party_size,table\n${rows.join('\n')}\n`) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await expect.poll(() => page.getByTestId('import-report').textContent(), { timeout: 60_000 }).toBe('Imported 3,000 rows: 3,000 new, 0 changed, 0 unchanged.');
    await expect.poll(count, { timeout: 30_000 }).toBe('23,003 of 23,003 guests');
    const progress = await page.evaluate(() => (window as unknown as { progress: string[] }).progress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => /^\d+\/\d+ (Reading the file|Checking rows|Saving guests): /.test(p)), progress.join('\n')).toBe(true);
    expect(await page.getByRole('progressbar').count()).toBe(0);
  }, 120_000);

  it('saves a guest with its version, says a stale save must reload, and revokes only after the confirmation', async () => {
    await page.goto(`${base}/console/#/guest/g5`);
    const name = page.getByLabel('Name', { exact: true });
    await expect.poll(() => name.inputValue()).toBe('Fabio Souza 5');
    await name.fill('Fabio Souza Quinto');
    await page.getByLabel('Party size').fill('4');
    await page.getByRole('button', { name: 'Add a ticket or card' }).click();
    await page.getByLabel('Value of credential 2').fill('NFC-FABIO');
    await page.getByLabel('Kind of credential 2').selectOption('nfc');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Fabio Souza Quinto saved.');
    const stored = (await asUser(cloud.app, A.viewer, { method: 'GET', url: '/console/api/guests/g5' })).json<GuestDetail>();
    expect(stored).toMatchObject({ name: 'Fabio Souza Quinto', party_size: 4, credentials: [{ kind: 'barcode', value: 'SP-100005' }, { kind: 'nfc', value: 'NFC-FABIO' }] });

    // Someone else changes the guest while the page still holds the version it read.
    const other = await asUser(cloud.app, A.planner, { method: 'PATCH', url: '/console/api/guests/g5', payload: { version: stored.version, name: 'Fabio Cambiado' } });
    expect(other.statusCode, other.body).toBe(200);
    await page.getByLabel('Notes').fill('window seat');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('guest-conflict').textContent()).toContain('changed meanwhile');
    await page.getByRole('button', { name: 'Reload the guest' }).click();
    await expect.poll(() => name.inputValue()).toBe('Fabio Cambiado');
    expect(await page.getByLabel('Notes').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await asUser(cloud.app, A.viewer, { method: 'GET', url: '/console/api/guests/g5' })).json<GuestDetail>().status).toBe('active');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(async () => (await asUser(cloud.app, A.viewer, { method: 'GET', url: '/console/api/guests/g5' })).json<GuestDetail>().status).toBe('revoked');
    await expect.poll(() => page.getByLabel('Status').inputValue()).toBe('revoked');
  }, 60_000);

  it('creates an occasion typed in its own time zone: the end before the start is refused by the field, then stored with the offset of that day', async () => {
    await page.goto(`${base}/console/#/occasions`);
    await page.getByRole('button', { name: 'New occasion' }).click();
    await page.getByLabel('Name').fill('Verano en la finca');
    await page.getByLabel('Starts').fill('2026-07-04T21:30');
    await page.getByLabel('Ends').fill('2026-07-04T20:00');
    await page.getByLabel('Time zone').fill('Europe/Madrid');
    await page.getByLabel('Re-entry').selectOption('after_exit');
    expect(await page.getByText('In Europe/Madrid: UTC+02:00 on that day.').count()).toBe(2);
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toBe('The end must be after the start.');
    expect(await page.getByLabel('Ends').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Ends').fill('2026-07-05T03:00');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Occasion “Verano en la finca” created.');
    const [row] = await t.db.query<{ starts_at: Date; ends_at: Date; timezone: string; reentry_policy: string }>(
      'SELECT starts_at, ends_at, timezone, reentry_policy FROM guestlist.occasions WHERE name = $1', ['Verano en la finca']);
    expect(row).toMatchObject({ timezone: 'Europe/Madrid', reentry_policy: 'after_exit' });
    expect(new Date(row!.starts_at).toISOString()).toBe('2026-07-04T19:30:00.000Z');
    expect(new Date(row!.ends_at).toISOString()).toBe('2026-07-05T01:00:00.000Z');
    await expect.poll(() => page.locator('tr', { hasText: 'Verano en la finca' }).textContent()).toContain('Again after leaving through a door');
  }, 60_000);

  // Last: the link signs this browser in as the planner (the cookie is the browser's, shared by its tabs).
  it('a set-password link shows its account, states the rule, refuses a short password and signs in', async () => {
    const planner = await addTestAccount(t.db, A.tenantId, 'planner', 'nueva.planner@example.test');
    const link = await issueLink(t.db, { id: planner.id, tenant_id: A.tenantId, email: planner.email }, { publicUrl: base, now: new Date() });
    const fresh = await ctx.newPage();
    await fresh.goto(link.link);
    await expect.poll(() => fresh.getByTestId('link-account').textContent()).toContain('nueva.planner@example.test');
    expect(await fresh.getByText('At least 10 characters').count()).toBe(1);
    await fresh.getByLabel('New password').fill('short');
    await fresh.getByLabel('Repeat the password').fill('short');
    await fresh.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => fresh.locator('.field-error').textContent()).toContain('at least 10');
    await fresh.getByLabel('New password').fill('tables under the olive trees');
    await fresh.getByLabel('Repeat the password').fill('tables under the olive trees');
    await fresh.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => fresh.url()).toMatch(/#\/guests$/);
    await expect.poll(() => fresh.locator('header.top').textContent()).toContain('nueva.planner@example.test');
    expect(fresh.url()).not.toContain('set-password');
    await fresh.close();
  }, 60_000);

  it('a page whose cookie now belongs to someone else (signed in in another tab) says so on its next write and shows who is signed in', async () => {
    // `page` still holds the owner's session in memory; the browser's cookie is the planner's since the link above.
    expect(await page.locator('header.top').textContent()).toContain(ownerEmail);
    await page.evaluate(() => {
      window.location.hash = '#/guest/g6';
    });
    await expect.poll(() => page.getByLabel('Name', { exact: true }).inputValue()).toBe('Gala Souza 6');
    await page.getByLabel('Notes').fill('by the stage');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('.form-error').textContent()).toBe('The page is out of date. Reload it and try again.');
    expect(await page.locator('header.top').textContent()).toContain('nueva.planner@example.test');
    expect((await asUser(cloud.app, A.viewer, { method: 'GET', url: '/console/api/guests/g6' })).json<GuestDetail>().notes).toBe('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Gala Souza 6 saved.');
    expect((await asUser(cloud.app, A.viewer, { method: 'GET', url: '/console/api/guests/g6' })).json<GuestDetail>().notes).toBe('by the stage');
  }, 60_000);
});
