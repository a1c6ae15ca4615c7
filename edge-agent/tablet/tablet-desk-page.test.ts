// The tablet page's desk in real Chromium against a real hub (SQLite file, HTTP on 127.0.0.1): a VIP's check-in at a
// door raises the alert, the kitchen's meals line, a guest's notes, a walk-in seated from the page, a steward's +1 and
// the move it may not make, a supervisor's move and undo of a check-in with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { StaffRole } from '../../core/contract/staff';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page as syncPage, tableChange } from '../../tests/fixtures/sync-fixtures';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { screensDir } from '../../tests/kiosk-browser';
import { waitFor } from '../../tests/wait';
import { buildAgentApp } from '../app';
import { AgentStore } from '../store';
import type { TabletStore } from './store';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VENUE = 'ven_desk_page';

describe('the tablet page at the desk, in Chromium', () => {
  let app: FastifyInstance;
  let url = '';
  let store: AgentStore;
  let tablets: TabletStore;
  let kiosk: TestKey;
  let ctx: BrowserContext;
  let tab: Page;
  const dir = mkdtempSync(join(tmpdir(), 'sp-tablet-desk-page-'));

  const guest = (id: string) => tab.locator(`[data-guest="${id}"]`);
  const checkIn = async (guestId: string, tableId: string) => {
    const e = checkinEvent(kiosk, { occurred_at: new Date().toISOString(), payload: { guest_id: guestId, table_id: tableId, door_id: 'door-a', party_size: 1 } });
    expect((await signedInject(app, kiosk, 'POST', '/v1/events', batchOf([e]))).json()).toMatchObject({ accepted: 1 });
  };
  const guestRow = (id: string) => store.db.prepare('SELECT table_id, party_size FROM guests WHERE id = ?').get(id) as { table_id: string; party_size: number } | undefined;
  /** A tablet just paired with a code of this role, opened on table 7. */
  const freshTablet = async (role: StaffRole, host = false) => {
    await tab.goto(`${url}/tablet`);
    await tab.evaluate(() => localStorage.clear());
    await tab.goto(`${url}/tablet`);
    const { code } = tablets.createPairingCode({ label: 'Table 7', createdBy: 'test', ttlMs: 60_000, role, host });
    await tab.getByLabel('Pairing code').fill(code);
    await tab.locator('#pair-submit').click();
    await tab.locator('[data-table="t7"]').click();
    await tab.locator('[data-action="open"]').click();
    await guest('vip7').waitFor();
    await expect.poll(() => tab.locator('#tablet-role').getAttribute('data-role')).toBe(role);
  };

  beforeAll(async () => {
    const { db } = openStore(join(dir, 'agent.sqlite'));
    store = new AgentStore(db, VENUE);
    const now = Date.now();
    store.applyCloudPage(syncPage([
      occasionChange(1, { starts_at: new Date(now - 3600_000).toISOString(), ends_at: new Date(now + 5 * 3600_000).toISOString() }),
      tableChange(2, { id: 't7', label: '7', capacity: 8 }),
      tableChange(3, { id: 't8', label: '8', capacity: 8 }),
      tableChange(4, { id: 't9', label: '9', capacity: 4, tags: ['accessible'] }),
      guestChange(10, { id: 'vip7', name: 'Valeria Ibarra', table_id: 't7', tags: ['vip'], meal: 'vegetarian', notes: 'Greet by name; no photos' }),
      guestChange(11, { id: 'amy', name: 'Amy Ross', table_id: 't7', meal: 'vegetarian' }),
      guestChange(12, { id: 'ben', name: 'Ben Ortiz', table_id: 't7', meal: 'gluten-free' }),
      guestChange(13, { id: 'vip8', name: 'Victor Sol', table_id: 't8', tags: ['vip'] }),
      guestChange(14, { id: 'dot', name: 'Dora Paz', table_id: 't7' }),
    ]));
    const built = await buildAgentApp({ store, tablet: { venueId: VENUE, deviceId: 'dev_hub', tickMs: 100 } });
    app = built.app;
    tablets = built.tablets as TabletStore;
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    kiosk = { ...store.issueKey('dev_kiosk', 'kiosk'), venue_id: VENUE };
    ctx = await chromium.launchPersistentContext(join(dir, 'chromium'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, locale: 'en-GB', viewport: { width: 820, height: 1180 } });
    tab = ctx.pages()[0] ?? (await ctx.newPage());
  });

  afterAll(async () => {
    await ctx?.close();
    await app?.close();
    store?.db.close();
  });

  it("shows the table's meals (people per meal) and a guest's notes, in English and Spanish", async () => {
    await freshTablet('steward');
    await expect.poll(() => tab.locator('[data-meals="t7"]').textContent()).toBe('Table 7: 2 vegetarian, 1 gluten-free');
    expect(await guest('vip7').locator('[data-notes]').textContent()).toBe('Note: Greet by name; no photos');
    expect(await guest('vip7').locator('[data-vip-badge]').count()).toBe(1);
    expect(await guest('amy').locator('[data-vip-badge]').count()).toBe(0);
    await tab.locator('[data-action="lang"]').click();
    expect(await tab.locator('[data-meals="t7"]').textContent()).toBe('Mesa 7: 2 vegetarian, 1 gluten-free');
    expect(await guest('vip7').locator('[data-notes]').textContent()).toBe('Nota: Greet by name; no photos');
    await tab.locator('[data-action="lang"]').click();
  });

  it('raises a labelled alert within 2 s of a VIP checking in at a door, and dismisses it from the keyboard', async () => {
    await freshTablet('steward');
    const alert = tab.getByRole('alert', { name: 'VIP arriving: Valeria Ibarra' });
    expect(await alert.count()).toBe(0);
    const t0 = Date.now();
    await checkIn('vip7', 't7');
    await alert.waitFor({ timeout: 2_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await alert.textContent()).toMatch(/table 7 · checked in at door-a.*Note: Greet by name; no photos/);
    await tab.screenshot({ path: join(screensDir(), 'tablet-vip.png'), fullPage: true });
    // A non-VIP's check-in: the board shows it, no second alert.
    await checkIn('ben', 't7');
    await tab.locator('[data-guest="ben"][data-status="on_the_way"]').waitFor();
    expect(await tab.getByRole('alert').count()).toBe(1);
    await tab.getByRole('button', { name: 'Dismiss the alert for Valeria Ibarra' }).focus();
    await tab.keyboard.press('Enter');
    await alert.waitFor({ state: 'detached' });
    expect(await tab.locator('#vip-alerts').textContent()).toBe('');
    // Reloaded (the hub replays the last minutes' alerts to a tablet that connects), a dismissed alert stays dismissed.
    await tab.reload();
    await guest('vip7').waitFor();
    await checkIn('dot', 't7');
    await tab.locator('[data-guest="dot"][data-status="on_the_way"]').waitFor();
    expect(await tab.getByRole('alert').count()).toBe(0);
  });

  it("alerts a host tablet of a VIP at another table than the ones it shows, in its language", async () => {
    await freshTablet('steward', true);
    await expect.poll(() => tab.locator('#tablet-host').textContent()).toBe('Host');
    // Paired after Valeria (table 7) arrived a minute ago: told of her too, as a tablet that reconnects would be.
    await tab.getByRole('alert', { name: 'VIP arriving: Valeria Ibarra' }).waitFor();
    await tab.locator('[data-action="lang"]').click();
    await checkIn('vip8', 't8');
    const alert = tab.getByRole('alert', { name: 'Llega un VIP: Victor Sol' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/mesa 8 · registrado en door-a/);
    await tab.getByRole('button', { name: 'Cerrar el aviso de Victor Sol' }).click();
    await alert.waitFor({ state: 'detached' });
    await tab.locator('[data-action="lang"]').click();
  });

  it('seats a walk-in from the page: the hub proposes a table for the needs, staff confirm, the guest is checked in', async () => {
    await freshTablet('steward');
    await tab.getByRole('button', { name: 'Walk-in' }).click();
    await tab.getByLabel('Name', { exact: true }).fill('Wanda Walk');
    await tab.getByLabel('Party size').fill('2');
    await tab.getByLabel(/^Needs/).fill('accessible');
    // From the keyboard: Enter asks for the proposal, the proposed table gets the focus, Enter again seats them.
    await tab.keyboard.press('Enter');
    const proposed = tab.getByRole('radio', { name: /^Table 9: 4 free seat\(s\)/ });
    await proposed.waitFor();
    expect(await proposed.isChecked()).toBe(true);
    await expect.poll(() => proposed.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await tab.getByRole('radio', { name: 'No table for now' }).isChecked()).toBe(false);
    await tab.screenshot({ path: join(screensDir(), 'tablet-walk-in.png'), fullPage: true });
    expect(await tab.getByRole('button', { name: 'Seat and check in' }).isVisible()).toBe(true);
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.getByRole('status').textContent()).toBe('Wanda Walk is checked in at table 9.');
    const added = await waitFor('the walk-in in the hub', () => store.db.prepare("SELECT id, table_id, party_size, origin FROM guests WHERE name = 'Wanda Walk'").all() as Array<{ id: string; table_id: string; party_size: number; origin: string }>);
    expect(added).toEqual([expect.objectContaining({ table_id: 't9', party_size: 2, origin: 'venue' })]);
    const tabletId = (await tab.evaluate(() => localStorage.getItem('seatpilot.tablet.token')))!.split('.')[0];
    const door = store.db.prepare("SELECT door_id FROM checkins WHERE guest_id = ? AND outcome = 'admitted'").pluck().all(added[0]!.id);
    expect(door).toEqual([`tablet:${tabletId}`]);
    expect(await tab.locator('#walk-in').count()).toBe(0);
  });

  it("lets a steward add one to a party, and explains why moving a guest is not theirs", async () => {
    await freshTablet('steward');
    await tab.getByRole('button', { name: 'More for Amy Ross' }).click();
    const move = guest('amy').locator('[data-action="move"]');
    expect(await move.isDisabled()).toBe(true);
    const why = await move.getAttribute('aria-describedby');
    expect(await tab.locator(`#${why}`).textContent()).toMatch(/Only a supervisor can do this/);
    await tab.getByRole('button', { name: "+1: add one to Amy Ross's party" }).click();
    await expect.poll(() => guestRow('amy')?.party_size).toBe(2);
    await expect.poll(() => guest('amy').locator('.meta').textContent()).toMatch(/party of 2/);
    await expect.poll(() => tab.locator('[data-meals="t7"]').textContent()).toBe('Table 7: 3 vegetarian, 1 gluten-free');
  });

  it('lets a supervisor move a guest to another table and undo a check-in, giving a reason', async () => {
    await freshTablet('supervisor');
    await tab.getByRole('button', { name: 'More for Amy Ross' }).click();
    await guest('amy').getByLabel('Move to table').selectOption('t8');
    await guest('amy').getByRole('button', { name: 'Move guest' }).click();
    await expect.poll(() => tab.getByRole('status').textContent()).toBe('Amy Ross now sits at table 8.');
    expect(guestRow('amy')?.table_id).toBe('t8');
    await guest('amy').waitFor({ state: 'detached' });

    // Ben checked in at the door (above); undone, he is expected again and may check in anew.
    await tab.locator('[data-guest="ben"][data-status="on_the_way"]').waitFor();
    await tab.getByRole('button', { name: 'More for Ben Ortiz' }).click();
    await guest('ben').getByRole('button', { name: 'Undo check-in' }).click();
    const reason = guest('ben').getByLabel('Reason (required)');
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await guest('ben').getByRole('button', { name: 'Undo this check-in' }).click();
    await expect.poll(() => guest('ben').locator('[data-desk-error]').textContent()).toBe('Reason (required)');
    await reason.fill('scanned his partner\'s ticket');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.getByRole('status').textContent()).toBe("Ben Ortiz's check-in was undone: they may check in again.");
    await tab.locator('[data-guest="ben"][data-status="expected"]').waitFor();
    expect(store.db.prepare("SELECT count(*) FROM outbox WHERE type = 'checkin.reverted'").pluck().get()).toBe(1);
  });
});
