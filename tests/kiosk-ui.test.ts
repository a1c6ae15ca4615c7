// The kiosk UI end to end: the real CLI in browser mode over a demo venue seeded through the check-in core (SQLite),
// driven in Debian's Chromium. Screenshots of each screen: see screensDir() (UPDATE_SCREENSHOTS=1 refreshes docs/screens/).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PIN, DEMO_SUPERVISOR_PIN, DEMO_TICKETS } from '../kiosk/demo-venue';
import { launchChromium, screensDir, scanLikeAScanner, startKiosk, type KioskProcess } from './kiosk-browser';

const SCREENS = screensDir();

// The scanner's keys come 3 ms apart, but each goes through the DevTools protocol; with other suites running beside
// this one, a key can stall for hundreds of ms and split a scan in two (seen in CI at 300). A venue with a slow
// Bluetooth scanner sets the same option; a person typing stays well above it, as the slow-typing test does.
const SCANNER_GAP_MS = '1000';
const screen = (page: Page) => page.locator('body').getAttribute('data-screen');
// On a timeout, the error says which screen the kiosk showed instead, and its text: a flaky wait then explains itself.
const waitScreen = async (page: Page, name: string) => {
  try {
    return await page.waitForSelector(`body[data-screen="${name}"]`, { timeout: 15_000 });
  } catch (e) {
    const shown = await screen(page).catch(() => null);
    const text = await page.locator('body').innerText().catch(() => '');
    const focused = await page.evaluate(() => document.hasFocus()).catch(() => null);
    throw new Error(`waited 15 s for the "${name}" screen; the kiosk shows "${shown}" (page focused: ${focused}): ${text.replace(/\s+/g, ' ').slice(0, 300)}`, { cause: e });
  }
};
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENS, `${name}.png`) });

describe('kiosk UI in Chromium (Spanish venue)', () => {
  let kiosk: KioskProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    kiosk = await startKiosk(['--demo', '--language', 'es', '--result-seconds', '4', '--scanner-gap-ms', SCANNER_GAP_MS]);
    browser = await launchChromium();
    page = browser.page;
    await page.goto(kiosk.url);
    await waitScreen(page, 'idle');
  });
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  it('shows the idle screen in the venue language', async () => {
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('section[data-screen="idle"] .hint').textContent()).toBe('Escanee su entrada o acerque su tarjeta');
    await shot(page, 'idle');
  });

  // Each test scans the tickets it needs and waits for the screen it starts from: none relies on another's scans.
  it('a scanned ticket shows the guest, the party, the table and a route to it; the same ticket again says "already checked in"', async () => {
    await scanLikeAScanner(page, DEMO_TICKETS.ana);
    await waitScreen(page, 'welcome');
    expect(await page.getByTestId('guest-name').textContent()).toBe('Bienvenido/a, Ana García');
    expect(await page.getByTestId('table-label').textContent()).toBe('Mesa 47');
    expect(await page.getByTestId('party-size').textContent()).toBe('2 personas');
    const map = page.getByTestId('route-map');
    expect(await map.getAttribute('data-route')).toBe('ok');
    expect(await page.locator('[data-table="t47"]').getAttribute('class')).toContain('target');
    expect(await page.locator('.floor-map .target').count()).toBe(1);
    const points = (await page.getByTestId('route-path').getAttribute('points'))!.trim().split(' ');
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('announce').textContent()).toContain('Ana García');
    await page.waitForTimeout(300); // let the route's first animation frames settle for the picture
    await shot(page, 'welcome');

    await scanLikeAScanner(page, DEMO_TICKETS.ana);
    await waitScreen(page, 'already');
    expect(await page.getByTestId('already-name').textContent()).toBe('Ana García');
    expect(await page.getByTestId('already-when').textContent()).toMatch(/^Desde las \d\d:\d\d en Main entrance$/);
    expect(await page.getByTestId('already-table').textContent()).toBe('Mesa 47');
    await shot(page, 'already-checked-in');
  });

  it('a table the plan gives no way to is still shown, highlighted, without a route and without an error', async () => {
    await scanLikeAScanner(page, DEMO_TICKETS.closedRoom);
    await page.waitForFunction(() => document.querySelector('[data-testid="guest-name"]')?.textContent?.includes('Irene Soler') && document.body.dataset.screen === 'welcome', null, { timeout: 15_000 });
    expect(await page.getByTestId('route-map').getAttribute('data-route')).toBe('no_route');
    expect(await page.locator('[data-table="vip"]').getAttribute('class')).toContain('target');
    expect((await page.getByTestId('route-path').getAttribute('points'))!.trim()).toBe('');
    expect(await page.getByTestId('table-label').textContent()).toBe('Mesa VIP');
    expect(await page.getByTestId('route-note').textContent()).toBe('Su mesa está marcada en el plano; nuestro personal le guiará');
    await shot(page, 'welcome-no-route');
  });

  it('an unknown code shows the staff message', async () => {
    await scanLikeAScanner(page, DEMO_TICKETS.unknown);
    await waitScreen(page, 'refused');
    expect(await page.getByTestId('refused-title').textContent()).toBe('No encontramos esta entrada');
    expect(await page.locator('section[data-screen="refused"] p').textContent()).toBe('Por favor, diríjase a nuestro personal');
    await shot(page, 'refused-unknown');
  });

  it('a revoked, a not-yet-valid and an expired ticket each get their own message', async () => {
    const cases: [string, string, string][] = [
      [DEMO_TICKETS.revoked, 'Esta entrada ha sido anulada', 'refused-revoked'],
      [DEMO_TICKETS.notYetValid, 'Esta entrada aún no es válida', ''],
      [DEMO_TICKETS.expired, 'Esta entrada ha caducado', ''],
    ];
    for (const [ticket, message, picture] of cases) {
      await scanLikeAScanner(page, ticket);
      await page.waitForFunction((m) => document.querySelector('[data-testid="refused-title"]')?.textContent === m && document.body.dataset.screen === 'refused', message, { timeout: 15_000 });
      if (picture) await shot(page, picture);
    }
  });

  it('goes back to idle by itself after a result', async () => {
    await waitScreen(page, 'idle');
    await scanLikeAScanner(page, DEMO_TICKETS.unknown);
    await waitScreen(page, 'refused');
    // --result-seconds 4: back well within the wait, with nobody touching it.
    await waitScreen(page, 'idle');
  });

  it('does not take a person typing slowly for a scan', async () => {
    await waitScreen(page, 'idle');
    await page.keyboard.type('JOSE', { delay: 1300 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1200);
    expect(await screen(page)).toBe('idle');
  });

  it('a keyboard-wedge scan on the PIN pad or in staff mode is set aside with a notice: no PIN attempt, no search, nobody checked in', async () => {
    await waitScreen(page, 'idle');
    await page.getByTestId('staff-button').click();
    await waitScreen(page, 'pin');
    // Typed for real into the focused PIN field, as a wedge scanner does: its Enter must not submit the code as a PIN.
    await page.keyboard.type(DEMO_TICKETS.jose, { delay: 3 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pin-scan-ignored').textContent()).toBe('Lectura ignorada mientras se pide el PIN: no se ha registrado nada. Pulse Cancelar y pida al invitado que vuelva a escanear.');
    expect(await page.getByTestId('pin-input').inputValue()).toBe('');
    expect(await page.getByTestId('pin-error').textContent()).toBe('');
    expect(await screen(page)).toBe('pin');

    await page.getByTestId('pin-input').fill(DEMO_PIN);
    await page.getByTestId('pin-submit').click();
    await waitScreen(page, 'staff');
    const search = page.getByTestId('staff-search');
    await search.fill('jose');
    const jose = page.locator('[data-guest="g_jose"]');
    await jose.waitFor({ timeout: 15_000 });
    await page.keyboard.type(DEMO_TICKETS.jose, { delay: 3 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('staff-scan-ignored').textContent()).toBe('Lectura ignorada en modo personal: no se ha registrado nada. Salga del modo personal y pida al invitado que vuelva a escanear.');
    // The scanner's keys are taken out of the search again, and José is still to check in.
    expect(await search.inputValue()).toBe('jose');
    await jose.getByRole('button', { name: 'Registrar' }).waitFor({ timeout: 15_000 });
    expect(await jose.locator('.done').count()).toBe(0);
    await page.getByRole('button', { name: 'Salir del modo personal' }).click();
    await waitScreen(page, 'idle');
  });

  it('staff mode behind the PIN finds "José" from "jose" and checks him in; at the door he is then "already checked in"', async () => {
    await waitScreen(page, 'idle');
    await page.getByTestId('staff-button').click();
    await waitScreen(page, 'pin');
    await shot(page, 'staff-pin');
    await page.getByTestId('pin-input').fill('0000');
    await page.getByTestId('pin-submit').click();
    await expect.poll(() => page.getByTestId('pin-error').textContent()).toBe('PIN incorrecto');
    await page.getByTestId('pin-input').fill(DEMO_PIN);
    await page.getByTestId('pin-submit').click();
    await waitScreen(page, 'staff');
    expect(await page.getByTestId('staff-role').textContent()).toBe('Sesión de: Acomodador/a');
    await page.getByTestId('staff-search').fill('jose');
    const jose = page.locator('[data-guest="g_jose"]');
    await jose.waitFor({ timeout: 15_000 });
    expect(await jose.locator('strong').textContent()).toBe('José Pérez');
    expect(await page.locator('[data-guest="g_josefa"] strong').textContent()).toBe('Josefa Ruiz');
    await jose.getByRole('button', { name: 'Registrar' }).click();
    await expect.poll(() => page.getByTestId('staff-toast').textContent()).toBe('José Pérez registrado/a — Mesa 12');
    await expect.poll(() => jose.locator('.done').textContent()).toMatch(/^Registrado\/a a las \d\d:\d\d$/);
    expect(await page.locator('[data-status="outbox"]').textContent()).toMatch(/^\d+$/);
    // This kiosk runs alone: the seating panel says where counts and tablet pairing come from, and offers neither.
    await expect.poll(() => page.getByTestId('seating-note').textContent()).toMatch(/^Este quiosco no tiene hub del local/);
    expect(await page.getByTestId('pair-tablet').isVisible()).toBe(false);
    // Nor the venue desk: walk-ins, moves and undo are the hub's to decide.
    expect(await page.getByTestId('walk-in').isVisible()).toBe(false);
    expect(await jose.locator('.desk-actions').isVisible()).toBe(false);
    await shot(page, 'staff-mode');

    await page.getByRole('button', { name: 'Salir del modo personal' }).click();
    await waitScreen(page, 'idle');
    await scanLikeAScanner(page, DEMO_TICKETS.jose);
    await waitScreen(page, 'already');
    expect(await page.getByTestId('already-name').textContent()).toBe('José Pérez');
  });

  it('the supervisor PIN opens staff mode as a supervisor; the steward PIN as a steward', async () => {
    await waitScreen(page, 'idle');
    await page.getByTestId('staff-button').click();
    await waitScreen(page, 'pin');
    await page.getByTestId('pin-input').fill(DEMO_SUPERVISOR_PIN);
    await page.getByTestId('pin-submit').click();
    await waitScreen(page, 'staff');
    expect(await page.getByTestId('staff-role').textContent()).toBe('Sesión de: Supervisor/a');
    expect(await page.getByTestId('staff-role').getAttribute('data-role')).toBe('supervisor');
    await page.getByRole('button', { name: 'Salir del modo personal' }).click();
    await waitScreen(page, 'idle');
    await page.getByTestId('staff-button').click();
    await waitScreen(page, 'pin');
    await page.getByTestId('pin-input').fill(DEMO_PIN);
    await page.getByTestId('pin-submit').click();
    await waitScreen(page, 'staff');
    expect(await page.getByTestId('staff-role').getAttribute('data-role')).toBe('steward');
    await page.getByRole('button', { name: 'Salir del modo personal' }).click();
    await waitScreen(page, 'idle');
  });
});

describe('kiosk UI in Chromium (English venue)', () => {
  it('speaks English when the venue chooses it', async () => {
    const kiosk = await startKiosk(['--demo', '--language', 'en', '--scanner-gap-ms', SCANNER_GAP_MS]);
    // Chromium that cannot start must not leave the kiosk process running.
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      browser = await launchChromium();
      await browser.page.goto(kiosk.url);
      await waitScreen(browser.page, 'idle');
      await scanLikeAScanner(browser.page, DEMO_TICKETS.ana);
      await waitScreen(browser.page, 'welcome');
      expect(await browser.page.getByTestId('guest-name').textContent()).toBe('Welcome, Ana García');
      expect(await browser.page.getByTestId('table-label').textContent()).toBe('Table 47');
      await browser.page.waitForTimeout(300);
      await shot(browser.page, 'welcome-en');
      // Staff mode names the role of the PIN entered: here the supervisor's.
      await browser.page.getByTestId('staff-button').click();
      await waitScreen(browser.page, 'pin');
      await browser.page.getByTestId('pin-input').fill(DEMO_SUPERVISOR_PIN);
      await browser.page.getByTestId('pin-submit').click();
      await waitScreen(browser.page, 'staff');
      expect(await browser.page.getByTestId('staff-role').textContent()).toBe('Signed in as: Supervisor');
    } finally {
      await browser?.close();
      await kiosk.stop();
    }
  });
});
