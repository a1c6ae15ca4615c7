// A planner's evening in the console, end to end in Debian's Chromium: the cloud (buildApp listening on 127.0.0.1,
// PGlite in a data folder, or the real PostgreSQL), the venue's hub (`seatpilot agent`) and a door
// (`seatpilot kiosk --browser`) as real processes. The planner's account comes from the real `seatpilot cloud user
// add` (its set-password link); everything after that is done in the console as a person does it: choose a password,
// sign out and in, create an occasion, import 20,000 guests (first a file with two bad rows: nothing imported), find
// the Josés, move one to another table and see the door show it, revoke another and see the door refuse, and watch
// the live view count the check-in that came up door → hub → cloud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import type { Db } from '../cloud-sync/db';
import { importTables } from '../cloud-sync/guestlist/manage';
import { fold } from '../core/console/guest-filter';
import { AgentStore } from '../edge-agent/store';
import { openStore } from '../venue-store/open';
import { cloudUserAdd, eveningGuest, eveningGuestsCsv, expectAllNamed, freePort, JOSE_EVERY, startConsoleCloud, type ConsoleCloud } from './fixtures/console-browser';
import { timedSteps } from './fixtures/steps';
import { launchChromium, scanLikeAScanner } from './kiosk-browser';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { seatpilot, type Proc } from './procs';
import { waitFor } from './wait';

const GUESTS = 20_000;
const TABLES = Array.from({ length: 200 }, (_, i) => String(i + 1));
const PASSWORD = 'a long evening of seating';
const PLANNER = 'planner.evening@example.test';
/** Lines of the first file that are bad (the header is line 1). */
const BAD = [{ line: 1_502, kind: 'empty_name' as const }, { line: 17_003, kind: 'bad_party' as const }];

// Time budget of each step, measured and printed at the end; what the console showed when a step failed.
const { step, mark, took, showOnFailure } = timedSteps('console-evening', 'the console');

describe.each(backends())('a planner\'s evening in the console on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-console-evening-'));
  const procs: Proc[] = [];
  let pg: TestDatabase | undefined;
  let db: Db;
  let cloud: ConsoleCloud;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let door: Page;
  let link = '';
  let venueId = '';
  let kioskDbFile = '';
  let occasionId = '';

  // What the door holds, read from its SQLite file as it runs (WAL: a reader never blocks the kiosk).
  const atTheDoor = (guestId: string): { table_id: string | null; status: string } | undefined => {
    const d = new Database(kioskDbFile, { readonly: true, fileMustExist: true });
    try {
      return d.prepare('SELECT table_id, status FROM guests WHERE id = ?').get(guestId) as { table_id: string | null; status: string } | undefined;
    } finally {
      d.close();
    }
  };
  /** A link of the console's navigation. */
  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
  /** A GET of the console's API with the page's own session (no CSRF needed for reads). */
  const apiGet = <T,>(path: string) => page.evaluate(async (p) => {
    const r = await fetch(`/console/api${p}`, { credentials: 'same-origin' });
    return { status: r.status, body: (await r.json()) as unknown };
  }, path) as Promise<{ status: number; body: T }>;

  beforeAll(async () => {
    await step('setup', async () => {
      let t = Date.now();
      pg = await freshDatabase(backend);
      db = pg.db;
      t = mark('setup: database migrated', t);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      // The venue, its hub and its door, as cloud ops make them.
      const tenant = await addTenant(db, 'Evening Events');
      venueId = (await addVenue(db, tenant.id, 'Palacio de Cristal')).id;
      const agentKey = await addDevice(db, venueId, 'agent', 'Hub');
      const kioskDevice = await addDevice(db, venueId, 'kiosk', 'Main door');
      await importTables(db, venueId, `label,capacity\n${TABLES.map((x) => `${x},120`).join('\n')}\n`);
      // The planner's account, as `seatpilot cloud user add` makes it: a set-password link to the console.
      link = (await cloudUserAdd(db, ['--tenant', tenant.id, '--email', PLANNER, '--role', 'planner', '--base-url', url])).link;
      expect(link).toMatch(new RegExp(`^${url}/console/#/set-password/[A-Za-z0-9_-]{20,}$`));
      t = mark('setup: venue, devices and account', t);

      // The hub and the door start beside the cloud (they retry until it answers) and the browser.
      const agentPort = await freePort();
      const kioskPort = await freePort();
      const agentDbFile = join(dir, 'agent.sqlite');
      writeFileSync(join(dir, 'agent.json'), JSON.stringify({
        venue_id: venueId, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: agentPort }, database: agentDbFile,
        cloud: { url, key_id: agentKey.key_id, secret: agentKey.secret }, push_interval_ms: 300, pull_interval_ms: 300, heartbeat_interval_s: 3600,
      }));
      const { db: agentDb } = openStore(agentDbFile);
      const issued = new AgentStore(agentDb, venueId).issueKey(kioskDevice.device_id, 'kiosk');
      agentDb.close();
      kioskDbFile = join(dir, 'kiosk.sqlite');
      writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({
        database: kioskDbFile,
        kiosk: { venue_id: venueId, device_id: kioskDevice.device_id, door_id: 'main' },
        ui: { venue_name: 'Palacio de Cristal', language: 'en', staff_pin: '2468', result_seconds: 30 },
        hub: { base_url: `http://127.0.0.1:${agentPort}`, key_id: issued.key_id, secret: issued.secret },
      }));
      const agent = seatpilot(['agent', '--config', join(dir, 'agent.json')]);
      procs.push(agent);
      const kiosk = seatpilot(['kiosk', '--browser', '--port', String(kioskPort), '--config', join(dir, 'kiosk.json')]);
      procs.push(kiosk);
      [cloud, browser] = await Promise.all([startConsoleCloud(db, port, process.env.EVENING_PROGRESS ? { liveEverySec: 3, log: (l) => appendFileSync(process.env.EVENING_PROGRESS!, `${new Date().toISOString()} ${l}\n`) } : { liveEverySec: 3 }), launchChromium({ width: 1280, height: 800 })]);
      browser.context.setDefaultTimeout(15_000);
      page = browser.page;
      showOnFailure(page);
      t = mark('setup: cloud and browser up', t);
      await agent.waitFor(/listening on/, 90_000);
      await kiosk.waitFor(/browser mode on/, 90_000);
      mark('setup: hub and door up', t);
      door = await browser.context.newPage();
      await door.goto(`http://127.0.0.1:${kioskPort}/`);
      await door.waitForSelector('body[data-screen="idle"]', { timeout: 30_000 });
      await page.bringToFront();
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    for (const p of procs.reverse()) await p.kill();
    await cloud?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
    console.log(`[console-evening ${backend}] ms per step: ${JSON.stringify(took)}`);
  });

  it('1. the set-password link signs the planner in; signing out and in with e-mail and password works', () => step('1 sign-in', async () => {
    await page.goto(link);
    await expect.poll(() => page.getByTestId('link-account').textContent(), { timeout: 15_000 }).toContain(PLANNER);
    await expectAllNamed(page, 'set-password');
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
    // The token has left the address bar.
    expect(page.url()).not.toContain('set-password');
    expect(await page.getByText(`${PLANNER}`, { exact: false }).first().textContent()).toContain(PLANNER);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('E-mail').fill(PLANNER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
    expect((await apiGet<{ account: { email: string; role: string } }>('/session')).body.account).toMatchObject({ email: PLANNER, role: 'planner' });
  }), 60_000);

  it('2. creates an occasion in the Occasions page and it becomes the chosen one', () => step('2 occasion', async () => {
    await nav('Occasions').click();
    await page.getByRole('button', { name: 'New occasion' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'New occasion' }) });
    // Wall-clock times in Madrid: started an hour ago, ends in six hours (the door admits only during the occasion).
    const madrid = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Madrid', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(ms)).replace(' ', 'T');
    await form.getByLabel('Name').fill('Gala de Invierno');
    await form.getByLabel('Starts').fill(madrid(Date.now() - 3600_000));
    await form.getByLabel('Ends').fill(madrid(Date.now() + 6 * 3600_000));
    await form.getByLabel('Time zone').fill('Europe/Madrid');
    await form.getByLabel('Re-entry').selectOption({ label: 'One entry only' });
    await expectAllNamed(page, 'occasions (new occasion form)');
    await form.getByRole('button', { name: 'Create' }).click();
    const row = page.getByRole('row', { name: /Gala de Invierno/ });
    await row.waitFor({ timeout: 15_000 });
    occasionId = (await row.getAttribute('data-occasion')) ?? '';
    expect(occasionId).toMatch(/^occ_/);
    expect(await row.textContent()).toContain('Europe/Madrid');
    // Chosen in the header's picker.
    await expect.poll(() => page.getByRole('combobox', { name: /^Occasion\b/ }).inputValue(), { timeout: 10_000 }).toBe(occasionId);
    const stored = (await apiGet<{ starts_at: string; ends_at: string; timezone: string; reentry_policy: string }>(`/occasions/${occasionId}`)).body;
    expect(stored).toMatchObject({ timezone: 'Europe/Madrid', reentry_policy: 'single' });
    expect(Math.abs(Date.parse(stored.starts_at) - (Date.now() - 3600_000))).toBeLessThan(5 * 60_000);
  }), 60_000);

  it(`3. a file with two bad rows imports nothing and lists both; the fixed file imports ${GUESTS} guests with a moving progress bar`, () => step('3 import', async () => {
    await nav('Guests').click();
    await page.getByText('This occasion has no guests yet').waitFor({ timeout: 15_000 });
    await page.getByText('Import guests from a CSV file').click();
    const file = page.getByLabel('CSV file');
    await file.setInputFiles({ name: 'guests-with-mistakes.csv', mimeType: 'text/csv', buffer: Buffer.from(eveningGuestsCsv({ count: GUESTS, tables: TABLES, bad: BAD })) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const problems = page.getByTestId('import-problems');
    await problems.waitFor({ timeout: 60_000 });
    const t0 = Date.now();
    expect(await problems.textContent()).toContain('Nothing was imported: 2 rows need fixing.');
    expect(await problems.getByRole('listitem').allTextContents()).toEqual([
      'line 1502: name is empty',
      'line 17003: party_size "two" must be a whole number from 1 to 1000',
    ]);
    const none = await apiGet<{ guests: unknown[] }>(`/occasions/${occasionId}/guests`);
    expect([none.status, none.body.guests.length]).toEqual([200, 0]);
    took['3a refused file shown'] = Date.now() - t0;

    // Every change of the progress bar, recorded in the page as it happens.
    await page.evaluate(() => {
      const w = window as unknown as { progressSeen: string[] };
      w.progressSeen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]');
        const v = bar ? `${bar.getAttribute('aria-valuenow') ?? ''}/${bar.getAttribute('aria-valuemax') ?? ''} ${bar.getAttribute('aria-valuetext') ?? ''}` : null;
        if (v && w.progressSeen.at(-1)?.split(' @')[0] !== v) w.progressSeen.push(`${v} @${Math.round(performance.now())}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-valuetext'] });
    });
    await file.setInputFiles({ name: 'guests.csv', mimeType: 'text/csv', buffer: Buffer.from(eveningGuestsCsv({ count: GUESTS, tables: TABLES })) });
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 120_000 });
    took['3b import of 20,000'] = Date.now() - t1;
    expect(await report.textContent()).toBe('Imported 20,000 rows: 20,000 new, 0 changed, 0 unchanged.');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    // The bar moved: counted stages before the report, one of them short of its total (the import yields to the
    // network between its chunks of rows, on PGlite too).
    const counted = seen.filter((x) => /^\d+\/\d+ /.test(x)).map((x) => ({ done: Number(x.split('/')[0]), total: Number(x.split('/')[1]!.split(' ')[0]) }));
    expect(seen[0], JSON.stringify(seen)).toMatch(/Loading|Reading|Checking|Saving/);
    expect(counted.at(-1), JSON.stringify(seen)).toEqual({ done: GUESTS, total: GUESTS });
    expect(counted.some((c) => c.done < c.total), JSON.stringify(seen)).toBe(true);
    took['3 progress readings (count)'] = seen.length;
    await expect.poll(() => page.getByTestId('guest-count').textContent(), { timeout: 30_000 }).toBe('20,000 of 20,000 guests');
    const list = await apiGet<{ guests: unknown[] }>(`/occasions/${occasionId}/guests`);
    expect(list.body.guests.length).toBe(GUESTS);
  }), 180_000);

  const joses = Array.from({ length: GUESTS }, (_, i) => eveningGuest(i)).filter((g) => fold(g.name).includes('jose'));
  const moved = eveningGuest(JOSE_EVERY); // "Jose Ortega 997"
  let newTable = '';

  it('4. searching "jose" shows only the Josés, with and without the accent, and opens one', () => step('4 search', async () => {
    expect(joses.length).toBe(Math.floor((GUESTS - 1) / JOSE_EVERY) + 1);
    await page.getByRole('searchbox', { name: 'Search' }).fill('jose');
    await expect.poll(() => page.getByTestId('guest-count').textContent(), { timeout: 10_000 }).toBe(`${joses.length} of 20,000 guests`);
    const shown = await page.locator('[role="grid"] [role="row"][data-guest] .name').allTextContents();
    expect(shown.length).toBeGreaterThan(3);
    for (const name of shown) expect(fold(name)).toContain('jose');
    expect(shown.some((n) => n.includes('José'))).toBe(true);
    expect(shown.some((n) => /\bJose\b/.test(n))).toBe(true);
    await expectAllNamed(page, 'guests');

    await page.getByRole('row', { name: new RegExp(moved.name) }).click();
    await page.getByRole('heading', { name: new RegExp(moved.name) }).waitFor({ timeout: 15_000 });
  }), 60_000);

  it('5. a new table saved on the guest page reaches the door through the hub, and a scan there shows it', () => step('5 table at the door', async () => {
    const table = page.getByLabel('Table', { exact: true });
    const before = await table.inputValue();
    const options = await table.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
    const target = options.find((o) => o.value && o.value !== before && /^Table 77\b|^77\b/.test(o.label)) ?? options.find((o) => o.value && o.value !== before)!;
    await table.selectOption(target.value);
    await expectAllNamed(page, 'guest page');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `${moved.name} saved.` }).waitFor({ timeout: 15_000 });
    newTable = target.value;
    const detail = (await apiGet<{ table_id: string | null; table_label?: string | null }>(`/guests/${moved.id}`)).body;
    expect(detail.table_id).toBe(newTable);

    const t0 = Date.now();
    await waitFor('the new table in the door\'s guest list (cloud → hub → door)', () => atTheDoor(moved.id)?.table_id === newTable, 120_000, 200);
    took['5a cloud → door'] = Date.now() - t0;
    await scanLikeAScanner(door, moved.barcode);
    await door.waitForSelector('body[data-screen="welcome"]', { timeout: 15_000 });
    const label = TABLES.find((l) => target.label.includes(l) && new RegExp(`\\b${l}\\b`).test(target.label))!;
    await expect.poll(() => door.getByTestId('table-label').textContent(), { timeout: 10_000 }).toBe(`Table ${label}`);
    expect(await door.getByTestId('guest-name').textContent()).toContain(moved.name);
  }), 180_000);

  const revoked = eveningGuest(42);

  it('6. a ticket revoked in the console is refused at the door', () => step('6 revoke', async () => {
    await page.getByRole('link', { name: /back/i }).click();
    // Back on the list, its filter ("jose", step 4) comes back from the address: type the new one only once it is
    // there, or the list applies "jose" again over it (a race a loaded machine lost in CI).
    const search = page.getByRole('searchbox', { name: 'Search' });
    await expect.poll(() => search.inputValue(), { timeout: 15_000 }).toBe('jose');
    await expect.poll(() => page.getByTestId('guest-count').textContent(), { timeout: 15_000 }).toBe(`${joses.length} of 20,000 guests`);
    await search.fill(revoked.barcode);
    await expect.poll(() => page.getByTestId('guest-count').textContent(), { timeout: 15_000 }).toBe('1 of 20,000 guests');
    await page.getByRole('row', { name: new RegExp(revoked.name) }).click();
    await page.getByRole('heading', { name: new RegExp(revoked.name) }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('status').filter({ hasText: `${revoked.name} is revoked.` }).waitFor({ timeout: 15_000 });
    expect((await apiGet<{ status: string }>(`/guests/${revoked.id}`)).body.status).toBe('revoked');

    await waitFor('the revocation at the door', () => atTheDoor(revoked.id)?.status === 'revoked', 120_000, 200);
    await scanLikeAScanner(door, revoked.barcode);
    await door.waitForSelector('body[data-screen="refused"]', { timeout: 15_000 });
    expect(await door.getByTestId('refused-title').textContent()).toBe('This ticket has been cancelled');
  }), 180_000);

  it('7. the live view counts the check-in that came up from the door and says how fresh it is', () => step('7 live', async () => {
    await nav('Live').click();
    await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 15_000 });
    const checkedIn = page.locator('[data-kpi="checked_in"] .kpi-value');
    await expect.poll(async () => Number(((await checkedIn.textContent({ timeout: 1000 }).catch(() => '')) ?? '').replace(/[^\d]/g, '') || 0), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-kpi="checked_in"]').innerText()).toMatch(/Checked in/);
    // The snapshot comes every 3 s and its age counts up in between.
    await expect.poll(() => page.getByTestId('live-updated').innerText(), { timeout: 15_000, interval: 200 }).toMatch(/^Updated \d+ s ago/);
    expect(await page.locator('main').innerText()).toMatch(/Newest entry reached the cloud .*ago\./);
    await expectAllNamed(page, 'live');
  }), 120_000);
});
