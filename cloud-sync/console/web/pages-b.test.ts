// The console's Devices, Live, Audit, Account and Team pages in a real Chromium against a real cloud (PGlite and
// PostgreSQL) on 127.0.0.1, fed by signed ingest: what an owner and a viewer see and do, by clicking and typing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { SeatPilotEvent } from '../../../core/contract/contract';
import { SESSION_COOKIE } from '../../../core/console/errors';
import { consoleTenant, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { openConsolePage, useConsoleSession } from '../../../tests/fixtures/console-browser';
import { launchChromium } from '../../../tests/kiosk-browser';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../../tests/signed';
import { addDevice } from '../../admin';
import { buildApp, type CloudApp } from '../../app';
import { createSession } from '../session';
import { importGuests } from '../../guestlist/import-guests';

describe.each(backends())('console pages B in Chromium on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let a: ConsoleTenant;
  let base: string;
  let browser: { context: BrowserContext; page: Page; close(): Promise<void> };
  let page: Page;
  let north: TestKey;
  let south: TestKey;
  let west: TestKey;
  let spare: TestKey;

  const post = async (key: TestKey, events: SeatPilotEvent[]) => {
    const res = await signedInject(cloud.app, key, 'POST', '/v1/events', batchOf(events));
    expect(res.json()).toMatchObject({ accepted: events.length, rejected: [] });
  };
  const entry = (key: TestKey, guest: string, door: string) =>
    checkinEvent(key, { occurred_at: new Date().toISOString(), payload: { guest_id: guest, door_id: door, direction: 'entry' } });
  const heartbeat = (key: TestKey, payload: Record<string, unknown>): SeatPilotEvent => ({
    event_id: randomUUID(), type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key.venue_id, device_id: key.device_id,
    payload: { app_version: '1.4.2', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 1, scanner_ok: true, clock_skew_ms: 0, ...payload },
  } as SeatPilotEvent);
  const useSession = (who: TestSession) => useConsoleSession(browser.context, who);
  const open = (hash: string) => openConsolePage(page, base, hash);
  const row = (device: TestKey) => page.locator(`tr[data-device="${device.device_id}"]`);

  beforeAll(async () => {
    t = await freshDatabase(backend);
    // The double-admission pass (which records admissions, hence "checked in") is driven by the test: tick().
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0, console: { liveEverySec: 0.5 } });
    a = await consoleTenant(t.db, 'Alpha');
    const csv = ['guest_id,name', ...Array.from({ length: 5 }, (_, i) => `ag${i + 1},Guest ${i + 1}`)].join('\n');
    await importGuests(t.db, { venueId: a.venueId, occasionId: a.occasionId, csv: `${csv}\n` });
    north = await addDevice(t.db, a.venueId, 'kiosk', 'North');
    south = await addDevice(t.db, a.venueId, 'kiosk', 'South');
    west = await addDevice(t.db, a.venueId, 'kiosk', 'West');
    spare = await addDevice(t.db, a.venueId, 'agent', 'Spare hub');
    await post(north, [heartbeat(north, {}), entry(north, 'ag1', 'north')]);
    await post(south, [heartbeat(south, { outbox_depth: 340, oldest_unsent_s: 1200 })]);
    await post(west, [heartbeat(west, { clock_skew_ms: 8000, scanner_ok: false })]);
    await cloud.doubleAdmissions.tick();
    base = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium({ width: 1400, height: 900 });
    page = browser.page;
    await useSession(a.owner);
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('lists the venue\'s devices with their states and problems in words, and a legend', async () => {
    await open('/devices');
    await expect.poll(() => row(north).getAttribute('data-state')).toBe('ok');
    expect(await row(south).getAttribute('data-state')).toBe('backlogged');
    expect(await row(south).innerText()).toContain('backlog 340 events, oldest 20 min');
    expect(await row(west).getAttribute('data-state')).toBe('clock_skewed');
    expect(await row(west).innerText()).toMatch(/clock 8 s ahead[\s\S]*not working/);
    expect(await row(spare).getAttribute('data-state')).toBe('silent');
    expect(await row(spare).innerText()).toContain('never heard from');
    expect(await row(north).innerText()).toMatch(/(just now|\d+ s ago)[\s\S]*1\.4\.2/);
    expect(await page.locator('.legend dt').allInnerTexts()).toEqual(['OK', 'Silent', 'Backlogged', 'Clock off', 'Revoked']);
  });

  it('shows a pairing code large, with its expiry, a countdown and the command; the code pairs a box', async () => {
    await open('/devices');
    const pair = page.getByRole('button', { name: 'Pair a new kiosk / hub' });
    await pair.click();
    const dialog = page.getByRole('dialog', { name: 'Pair a new device' });
    await dialog.getByLabel('What are you pairing?').selectOption('kiosk');
    await dialog.getByLabel('Name (optional)').fill('East door');
    await dialog.getByRole('button', { name: 'Get a pairing code' }).click();
    const code = page.locator('.pair-code');
    await code.waitFor();
    const shown = await code.getAttribute('data-code') as string;
    expect(shown).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(await code.innerText()).toMatch(new RegExp(shown.split('-').join('\\s+')));
    // Large: much bigger than the page's text, in a monospace face.
    const style = await code.evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), family: getComputedStyle(el).fontFamily }));
    expect(style.size).toBeGreaterThanOrEqual(32);
    expect(style.family).toMatch(/mono/i);
    expect(await page.locator('.pair-expiry').innerText()).toMatch(/^Valid until \d\d:\d\d/);
    const countdown = page.locator('.countdown');
    const first = await countdown.innerText();
    expect(first).toMatch(/^(59|60):\d\d left$/);
    await expect.poll(() => countdown.innerText(), { timeout: 10_000 }).not.toBe(first);
    expect(await page.getByLabel('The command to type on the box').inputValue()).toBe(`seatpilot pair --cloud ${base} --code ${shown}`);

    // Escape closes the dialog and gives the keyboard back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    expect(await pair.evaluate((el) => el === document.activeElement)).toBe(true);

    // The code is real: a box exchanging it becomes a device of this venue, listed under the name given.
    const paired = await fetch(`${base}/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: shown.toUpperCase() }) });
    expect(paired.status).toBe(200);
    const device = await paired.json() as { device_id: string };
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.locator(`tr[data-device="${device.device_id}"]`).innerText()).toMatch(/East door[\s\S]*Door kiosk/);
  });

  it("revokes a device's key after a confirmation, and the device reads as revoked", async () => {
    await open('/devices');
    await page.getByRole('button', { name: 'Revoke the key of Spare hub' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the key of Spare hub?' });
    // Cancel is where the keyboard lands: Enter on a confirmation never revokes by accident.
    expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    // Tab stays inside the dialog: from its last button it wraps to its first.
    await page.keyboard.press('Tab');
    expect(await dialog.getByRole('button', { name: 'Revoke the key' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await dialog.getByRole('button', { name: 'Revoke the key' }).click();
    await expect.poll(() => row(spare).getAttribute('data-state')).toBe('revoked');
    expect(await page.locator('.status.info').innerText()).toContain('Spare hub: 1 keys revoked.');
    expect(await row(spare).getByRole('button').count()).toBe(0);
    const refused = await signedInject(cloud.app, spare, 'POST', '/v1/events', batchOf([heartbeat(spare, {})]));
    expect(refused.statusCode).toBe(401);
  });

  it('shows the live counts with their age, and counts a check-in ingested meanwhile', async () => {
    await open('/live');
    const value = (k: string) => page.locator(`.kpi[data-kpi="${k}"] .kpi-value`).innerText();
    await expect.poll(() => value('checked_in')).toBe('1');
    expect(await value('expected')).toBe('5');
    expect(await page.locator('.kpi[data-kpi="checked_in"] .kpi-pct').innerText()).toBe('20 % of expected');
    expect(await page.getByTestId('live-updated').innerText()).toMatch(/^Updated (just now|\d+ s ago) \(figures as of .+, Europe\/Madrid\)$/);
    expect(await page.locator('figure[data-door="north"] figcaption').innerText()).toContain('1 in 30 min');
    // The backlogged, skewed and silent devices are named with their problems in words.
    expect(await page.locator(`.device-problems li[data-device="${south.device_id}"]`).innerText()).toContain('backlog 340 events, oldest 20 min');
    expect(await page.getByTestId('door-to-seat').innerText()).toContain('No guest has reached a table yet');

    await post(south, [entry(south, 'ag2', 'south')]);
    await cloud.doubleAdmissions.tick();
    await expect.poll(() => value('checked_in'), { timeout: 15_000 }).toBe('2');
    expect(await page.locator('figure[data-door="south"] figcaption').innerText()).toContain('1 in 30 min');
    expect(await page.locator('.banner.stale').count()).toBe(0);
    // The same minutes as a table, for a screen reader or anyone who prefers numbers.
    await page.locator('figure[data-door="south"] summary').click();
    expect(await page.locator('figure[data-door="south"] table tbody tr').count()).toBe(1);
  });

  it('says when the figures stop coming, and that the connection retries by itself', async () => {
    const real = await cloud.app.inject({ method: 'GET', url: `/console/api/occasions/${a.occasionId}/live.json`, headers: { cookie: a.owner.cookie } });
    const snap = real.json() as { as_of: string; checked_in: number };
    // A stream that sends two snapshots a second apart, then drops; every reconnection fails, as on a dead network.
    let calls = 0;
    await page.route('**/console/api/occasions/*/live', (r) => {
      if (++calls > 1) return r.abort('connectionreset');
      const at = Date.now();
      const event = (asOf: number) => `event: snapshot\ndata: ${JSON.stringify({ ...snap, as_of: new Date(asOf).toISOString() })}\n\n`;
      return r.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `retry: 300\n\n${event(at - 1000)}${event(at)}` });
    });
    try {
      await open('/live');
      await expect.poll(() => page.locator('.kpi[data-kpi="checked_in"] .kpi-value').innerText()).toBe(String(snap.checked_in));
      const banner = page.locator('.banner.stale');
      await expect.poll(() => banner.innerText().catch(() => ''), { timeout: 20_000 })
        .toMatch(/^No update for \d+ s: the figures below may be out of date\. The connection is retried by itself/);
      expect(await page.locator('.status.error').innerText()).toBe('The live figures have stopped updating.');
      expect(calls).toBeGreaterThan(1);
    } finally {
      await page.unroute('**/console/api/occasions/*/live');
    }
  });

  it('lists the audit with the pairing code issued, filters by action from the address, and offers no edit', async () => {
    await open('/audit');
    const pairRow = page.locator('tr[data-action="device.pair_code"]');
    await pairRow.first().waitFor();
    const text = await pairRow.first().innerText();
    expect(text).toContain('Pairing code issued');
    expect(text).toContain(a.owner.account.email);
    expect(text).toMatch(/kind[\s\S]*kiosk/);
    expect(text).toContain('East door');
    // The code itself is never in the audit.
    expect(await page.locator('table.audit').innerText()).not.toMatch(/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/);

    await page.getByLabel('Action').fill('device.revoke');
    await page.getByLabel('Action').press('Enter');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/audit?action=device.revoke');
    const actions = () => page.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.action));
    await expect.poll(actions).toEqual(['device.revoke']);
    expect(await page.locator('tr[data-action="device.revoke"]').innerText()).toMatch(/Device key revoked[\s\S]*active[\s\S]*revoked/);
    expect(await page.locator('table.audit button, table.audit input').count()).toBe(0);

    // The filter is in the address: opening it again shows the same view.
    await page.reload();
    await expect.poll(actions).toEqual(['device.revoke']);
    expect(await page.getByLabel('Action').inputValue()).toBe('device.revoke');
  });

  it("lists the account's two sessions and signs the other one out", async () => {
    const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
    const other = await createSession(t.db, { id: a.owner.account.id, tenant_id: a.tenantId }, { userAgent: phone, source: '203.0.113.7' });
    await open('/account');
    const rows = page.locator('table.sessions tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('tr[data-current="true"]').innerText()).toContain('This session');
    const otherRow = page.locator(`tr[data-session="${other.sessionId}"]`);
    expect(await otherRow.innerText()).toMatch(/Safari 18 on iOS[\s\S]*203\.0\.113\.7/);
    await otherRow.getByRole('button', { name: /^Sign out Safari 18 on iOS, signed in / }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.locator('.status.info').innerText()).toContain('Safari 18 on iOS is signed out.');
    expect(await page.locator('tr[data-current="true"]').count()).toBe(1);
    const gone = await cloud.app.inject({ method: 'GET', url: '/console/api/session', headers: { cookie: `${SESSION_COOKIE}=${other.token}` } });
    expect(gone.statusCode).toBe(401);
  });

  it('invites someone with a link shown once, and changes their role', async () => {
    await open('/team');
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    expect(await page.locator('#invite-email-error').innerText()).toContain('Enter an e-mail address');
    await page.getByLabel('E-mail').fill('New.Person@example.test');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = page.getByRole('textbox', { name: 'Set-password link for new.person@example.test' });
    await link.waitFor();
    expect(await link.inputValue()).toMatch(/\/console\/?#\/set-password\/[\w-]{16,}$/);
    expect(await page.locator('.link-panel').innerText()).toMatch(/shown only now[\s\S]*works once, until/);
    const personRow = page.locator('tr[data-account="new.person@example.test"]');
    await expect.poll(() => personRow.innerText()).toContain('invited, no password yet');
    await personRow.getByLabel('Role of new.person@example.test').selectOption('planner');
    await expect.poll(() => page.locator('.status.info').innerText()).toContain('new.person@example.test is now planner.');
    const [stored] = await t.db.query<{ role: string }>('SELECT role FROM console.accounts WHERE email = $1', ['new.person@example.test']);
    expect(stored?.role).toBe('planner');
  });

  it('signs out everywhere after a confirmation, back to sign-in', async () => {
    await open('/account');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog', { name: 'Sign out everywhere?' }).getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: /sign in/i }).waitFor();
    const [live] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console.sessions WHERE account_id = $1 AND revoked_at IS NULL', [a.owner.account.id]);
    expect(live?.n).toBe(0);
  });

  it('shows a viewer the devices without Pair or Revoke, and no Team page', async () => {
    await useSession(a.viewer);
    await open('/devices');
    await expect.poll(() => row(north).getAttribute('data-state')).toBe('ok');
    expect(await page.getByRole('button', { name: /Pair a new/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    expect(await page.locator('nav.nav').innerText()).not.toContain('Team');
    expect(await page.locator('nav.nav').innerText()).toContain('Audit');
    // In Spanish, the same page and its problems in Spanish words.
    await page.getByLabel('Language').selectOption('es');
    await expect.poll(() => page.locator('h1#page-title').innerText()).toBe('Dispositivos de Alpha hall');
    expect(await row(west).innerText()).toMatch(/Reloj desviado[\s\S]*reloj 8 s adelantado[\s\S]*no funciona/);
    expect(await row(south).innerText()).toContain('340 eventos pendientes, el más antiguo de hace 20 min');
    await page.getByLabel('Idioma').selectOption('en');
    await page.goto(`${base}/console#/team`);
    await expect.poll(() => page.locator('main h1').innerText()).toBe('Your role cannot open this page.');
  });
});
