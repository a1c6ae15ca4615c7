// The venue desk from the kiosk's staff mode, in real Chromium: a real hub (`seatpilot agent`'s runtime on 127.0.0.1,
// its SQLite file) with the demo venue's floor, a kiosk runtime in browser mode over the hub's signed link. A steward
// adds a walk-in by keyboard at a table they pick from the hub's proposal and sees "Checked in — Table X" with the route;
// changes a party's size but finds moves and undo disabled, with the reason; a supervisor moves the guest and undoes
// the check-in with a reason; with the hub gone, staff read that walk-ins need it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../edge-agent/runtime';
import { startBrowserMode, type BrowserMode } from '../kiosk/browser/server';
import { DEMO_DOOR, DEMO_PIN, DEMO_SUPERVISOR_PIN, demoSyncPage } from '../kiosk/demo-venue';
import type { KioskRuntime } from '../kiosk/runtime';
import { kioskOnHub, startTestHub } from './fixtures/hub-kiosk';
import { launchChromium, screensDir } from './kiosk-browser';
import { waitFor } from './wait';

describe('kiosk staff mode: the venue desk in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-kiosk-desk-ui-'));
  let agent: RunningAgent | null = null;
  let kiosk: KioskRuntime;
  let browser: BrowserMode;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const hubGuest = (where: string, arg: string) => agent!.store.db.prepare(`SELECT id, name, table_id, party_size FROM guests WHERE ${where} = ?`).get(arg) as { id: string; table_id: string | null; party_size: number } | undefined;

  const signIn = async (pin: string) => {
    await page.getByTestId('staff-button').click();
    await page.getByTestId('pin-input').fill(pin);
    await page.getByTestId('pin-submit').click();
    await page.waitForSelector('body[data-screen="staff"]');
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Exit staff mode' }).click();
    await page.waitForSelector('body[data-screen="idle"]');
  };
  const row = (guestId: string) => page.locator(`[data-testid="search-results"] li[data-guest="${guestId}"]`);
  const find = async (query: string, guestId: string) => {
    await page.getByTestId('staff-search').fill(query);
    await row(guestId).waitFor();
  };
  const toast = () => page.getByTestId('staff-toast').textContent();

  beforeAll(async () => {
    agent = await startTestHub(dir, demoSyncPage(Date.now()));
    kiosk = await kioskOnHub(agent, dir, {
      deviceId: 'kiosk-main', doorId: DEMO_DOOR, name: 'kiosk',
      ui: { venue_name: 'Finca', language: 'en', staff_pin: DEMO_PIN, supervisor_pin: DEMO_SUPERVISOR_PIN },
    });
    await waitFor('the kiosk to receive the guest list and floor', () => kiosk.checkinService.search('Ana').length > 0);
    browser = await startBrowserMode({ runtime: kiosk, host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
    page = chromium.page;
    await page.goto(browser.url);
    await page.waitForSelector('body[data-screen="idle"]');
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await browser?.close();
    await kiosk?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a steward adds a walk-in by keyboard at another listed table, and sees "Checked in — Table X" with the route', async () => {
    await signIn(DEMO_PIN);
    expect(await page.getByTestId('staff-role').textContent()).toBe('Signed in as: Steward');
    await page.getByRole('button', { name: 'Walk-in' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('walkin-name');
    // A person types (keys further apart than a wedge scanner's burst); Tab and Enter move through the form.
    await page.keyboard.type('Walker Tres', { delay: 70 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2', { delay: 70 });
    await page.waitForTimeout(100); // Enter alone, after the last key: never a scanner's burst
    await page.keyboard.press('Enter');
    const proposal = page.getByTestId('walkin-proposal');
    await proposal.waitFor();
    expect(await proposal.textContent()).toMatch(/^Proposed: Table \S+, \d+ seats free$/);
    // The hub's options best first, each with its free seats, then "no table".
    const options = await page.getByTestId('walkin-table').locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    expect(options.length).toBeGreaterThan(2);
    expect(options.at(-1)).toEqual({ value: '', text: 'No table: staff will seat them' });
    for (const o of options.slice(0, -1)) expect(o.text).toMatch(/^Table \S+: \d+ free, \d+ part(y|ies) there$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('walkin-table');
    // Another listed table than the proposal (in the hall, where the route reaches).
    const pick = options.find((o, i) => i > 0 && o.value !== '' && o.value !== 'vip')!;
    await page.getByTestId('walkin-table').selectOption(pick.value);
    await page.getByRole('button', { name: 'Confirm and check in' }).click();
    const done = page.getByTestId('walkin-done');
    await done.waitFor();
    const label = pick.text.replace(/^Table (\S+):.*$/, '$1');
    expect(await done.textContent()).toBe(`Checked in — Table ${label}`);
    expect(await page.getByTestId('walkin-who').textContent()).toBe('Walker Tres · Party of 2');
    const map = page.locator('[data-testid="walkin-panel"] [data-testid="route-map"]');
    expect(await map.getAttribute('data-route')).toBe('ok');
    expect(await map.locator(`[data-table="${pick.value}"]`).getAttribute('class')).toContain('target');
    // The hub added the guest at that table and checked them in; this door knows them by the next sync.
    const added = await waitFor('the walk-in at the hub', () => hubGuest('name', 'Walker Tres'));
    expect(added).toMatchObject({ table_id: pick.value, party_size: 2 });
    await page.screenshot({ path: join(screensDir(), 'kiosk-staff-walk-in.png') });
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('walkin-panel').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('staff-search');
    // The search reads this door's own list: once the hub's feed has brought the walk-in, staff find them checked in.
    await waitFor('the walk-in in this door\'s list', () => kiosk.checkinService.search('Walker').find((g) => g.guest_id === added.id)?.checked_in_at);
    await find('Walker', added.id);
    expect(await row(added.id).textContent()).toMatch(/Checked in/);
  });

  it('a steward changes a party size, and sees moves and undo disabled with the reason', async () => {
    await find('Ana', 'g_ana');
    const ana = row('g_ana');
    expect(await ana.getByRole('button', { name: 'Move to table…' }).isDisabled()).toBe(true);
    const why = ana.locator('.why');
    expect(await why.textContent()).toBe('Moves and undo need a supervisor');
    expect(await ana.getByRole('button', { name: 'Move to table…' }).getAttribute('aria-describedby')).toBe(await why.getAttribute('id'));
    await ana.getByRole('button', { name: "One more in Ana García's party" }).click();
    await expect.poll(toast).toBe('Ana García: Party of 3');
    expect(await row('g_ana').getByTestId('party-value').textContent()).toBe('3');
    expect(hubGuest('id', 'g_ana')?.party_size).toBe(3);
    // Checked in by hand: the undo is there, disabled for a steward.
    await row('g_ana').getByRole('button', { name: 'Check in' }).click();
    await row('g_ana').getByRole('button', { name: 'Undo check-in' }).waitFor();
    expect(await row('g_ana').getByRole('button', { name: 'Undo check-in' }).isDisabled()).toBe(true);
    await signOut();
  });

  it('a supervisor moves the guest to another table and undoes the check-in with a reason', async () => {
    await waitFor('the +1 in this door\'s list', () => kiosk.checkinService.search('Ana García')[0]?.party_size === 3);
    await signIn(DEMO_SUPERVISOR_PIN);
    await find('Ana', 'g_ana');
    expect(await row('g_ana').textContent()).toMatch(/Party of 3/);
    await row('g_ana').getByRole('button', { name: 'Move to table…' }).click();
    const table = page.getByLabel('New table');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('move-table');
    await table.selectOption('t12');
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(toast).toBe('Ana García moved — Table 12');
    expect(hubGuest('id', 'g_ana')?.table_id).toBe('t12');
    expect(await row('g_ana').textContent()).toMatch(/Table 12/);

    await row('g_ana').getByRole('button', { name: 'Undo check-in' }).click();
    const reason = page.getByLabel('Why undo this check-in?');
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(toast).toBe('Type the reason for the undo.');
    await reason.fill('checked in the wrong Ana');
    await reason.press('Enter');
    await expect.poll(toast).toBe("Ana García's check-in was undone: they can check in again");
    await row('g_ana').getByRole('button', { name: 'Check in' }).waitFor();
    const undo = agent!.store.db.prepare("SELECT role, after_json FROM audit_log WHERE action = 'checkin.reverted' AND json_extract(after_json, '$.guest_id') = 'g_ana'").get() as { role: string; after_json: string } | undefined;
    expect(undo?.role).toBe('supervisor');
    expect(JSON.parse(undo!.after_json)).toMatchObject({ reason: 'checked in the wrong Ana', door_id: DEMO_DOOR });
  });

  it('speaks Spanish at a door whose venue chose it', async () => {
    const es = await kioskOnHub(agent!, dir, {
      deviceId: 'kiosk-es', doorId: DEMO_DOOR, name: 'kiosk-es',
      ui: { venue_name: 'Finca', language: 'es', staff_pin: DEMO_PIN, supervisor_pin: DEMO_SUPERVISOR_PIN },
    });
    const esBrowser = await startBrowserMode({ runtime: es, host: '127.0.0.1', port: 0 });
    const p = await chromium.context.newPage();
    try {
      await waitFor('the Spanish door to receive the guest list', () => es.checkinService.search('José').length > 0);
      await p.goto(esBrowser.url);
      await p.waitForSelector('body[data-screen="idle"]');
      await p.getByTestId('staff-button').click();
      await p.getByTestId('pin-input').fill(DEMO_PIN);
      await p.getByTestId('pin-submit').click();
      await p.waitForSelector('body[data-screen="staff"]');
      await p.getByRole('button', { name: 'Sin reserva' }).click();
      await p.getByLabel('Nombre', { exact: true }).fill('Invitada Nueva');
      await p.getByLabel('Número de personas').fill('1');
      await p.getByRole('button', { name: 'Buscar mesa' }).click();
      await expect.poll(() => p.getByTestId('walkin-proposal').textContent()).toMatch(/^Propuesta: Mesa \S+, \d+ plazas libres$/);
      await p.getByRole('button', { name: 'Cancelar' }).first().click();
      await p.getByTestId('staff-search').fill('José');
      const jose = p.locator('[data-testid="search-results"] li[data-guest="g_jose"]');
      await jose.waitFor();
      expect(await jose.getByRole('button', { name: 'Cambiar de mesa…' }).isDisabled()).toBe(true);
      expect(await jose.locator('.why').textContent()).toBe('Los cambios de mesa y deshacer registros los hace un supervisor');
      expect(await jose.getByRole('button', { name: 'Una persona más en el grupo de José Pérez' }).isEnabled()).toBe(true);
    } finally {
      await p.close();
      await esBrowser.close();
      await es.close();
    }
  });

  it('with the hub gone, tells staff that walk-ins and moves need it', async () => {
    await agent!.close();
    agent = null;
    await page.getByRole('button', { name: 'Walk-in' }).click();
    await page.getByTestId('walkin-name').fill('Nadie');
    await page.getByRole('button', { name: 'Find a table' }).click();
    await expect.poll(() => page.getByTestId('walkin-note').textContent()).toBe('Walk-ins and moves need the venue hub: check the hub and the network.');
    expect(await page.getByTestId('walkin-proposal').isVisible()).toBe(false);
  });
});
