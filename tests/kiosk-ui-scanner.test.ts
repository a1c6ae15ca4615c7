// Scans read in main (a scanner through the hardware layer's Scanner interface) reach the page as pushed events, and an
// unplugged scanner puts the door out of order: the kiosk runtime and browser mode in this process, the page in Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScannerSet } from '../hardware/scanner-set';
import { ScriptedScanner } from '../hardware/simulated';
import { startBrowserMode, type BrowserMode } from '../kiosk/browser/server';
import { DEMO_DOOR, DEMO_TICKETS, demoSyncPage } from '../kiosk/demo-venue';
import { openRuntimeFromConfig, type KioskRuntime } from '../kiosk/runtime';
import { launchChromium, screensDir } from './kiosk-browser';

const SCREENS = screensDir();
const waitScreen = (page: Page, name: string) => page.waitForSelector(`body[data-screen="${name}"]`, { timeout: 15_000 });

describe('kiosk UI with a scanner read in main', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seatpilot-kiosk-scanner-'));
  const scanner = new ScriptedScanner('door-scanner');
  let runtime: KioskRuntime;
  let server: BrowserMode;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    runtime = await openRuntimeFromConfig(
      {
        database: 'kiosk.sqlite',
        kiosk: { venue_id: 'venue_demo', device_id: 'kiosk_1', door_id: DEMO_DOOR },
        ui: { venue_name: 'Finca La Alameda', language: 'en', staff_pin: '2468', result_seconds: 1 },
      },
      dir,
      { scanners: new ScannerSet([scanner]), statusEveryMs: 200 },
    );
    runtime.checkinService.applySyncPage(demoSyncPage(Date.now()));
    server = await startBrowserMode({ runtime, host: '127.0.0.1', port: 0, rendererDir: join(dir, 'renderer') });
    browser = await launchChromium();
    await browser.page.goto(server.url);
    await waitScreen(browser.page, 'idle');
    await browser.page.waitForSelector('html[data-push="open"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the welcome screen for a scan pushed from the scanner', async () => {
    const page = browser.page;
    expect(scanner.scan('barcode', DEMO_TICKETS.ana)).toBe(true);
    await waitScreen(page, 'welcome');
    expect(await page.getByTestId('guest-name').textContent()).toBe('Welcome, Ana García');
    await waitScreen(page, 'idle');
  });

  it('ignores the keyboard when main reads the scanner (no second check-in from the same keys)', async () => {
    const page = browser.page;
    await page.keyboard.type(DEMO_TICKETS.jose, { delay: 3 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    expect(await page.locator('body').getAttribute('data-screen')).toBe('idle');
    expect((await runtime.service.search('jose')).find((g) => g.id === 'g_jose')?.checked_in_at).toBeNull();
  });

  it('sets a scan aside while the PIN pad or staff mode is open, says so on that screen, and records nothing', async () => {
    const page = browser.page;
    const joseCheckedInAt = async () => (await runtime.service.search('jose')).find((g) => g.id === 'g_jose')?.checked_in_at;
    await waitScreen(page, 'idle');
    await page.getByTestId('staff-button').click();
    await waitScreen(page, 'pin');
    expect(scanner.scan('barcode', DEMO_TICKETS.jose)).toBe(true);
    await expect.poll(() => page.getByTestId('pin-scan-ignored').textContent()).toBe('Scan ignored while the PIN pad is open: nothing was recorded. Cancel and have the guest scan again.');
    await page.getByTestId('pin-input').fill('2468');
    await page.getByTestId('pin-submit').click();
    await waitScreen(page, 'staff');
    expect(await page.getByTestId('staff-scan-ignored').textContent()).toBe('');
    expect(scanner.scan('barcode', DEMO_TICKETS.jose)).toBe(true);
    const notice = page.getByTestId('staff-scan-ignored');
    await expect.poll(() => notice.textContent()).toBe('Scan ignored in staff mode: nothing was recorded. Exit staff mode and have the guest scan again.');
    expect(await notice.isVisible()).toBe(true);
    expect(await page.locator('body').getAttribute('data-screen')).toBe('staff');
    // The page showed the notice instead of asking main to decide: José is still expected, at both scans.
    expect(await joseCheckedInAt()).toBeNull();
    await page.screenshot({ path: join(SCREENS, 'staff-scan-ignored.png') });

    await page.getByRole('button', { name: 'Exit staff mode' }).click();
    await waitScreen(page, 'idle');
    expect(scanner.scan('barcode', DEMO_TICKETS.jose)).toBe(true);
    await waitScreen(page, 'welcome');
    expect(await page.getByTestId('guest-name').textContent()).toBe('Welcome, José Pérez');
    expect(await joseCheckedInAt()).not.toBeNull();
    await waitScreen(page, 'idle');
  });

  it('goes out of order when the scanner is unplugged, with the reason for staff, and back when it returns', async () => {
    const page = browser.page;
    scanner.setPlugged(false);
    await waitScreen(page, 'out_of_order');
    expect(await page.getByTestId('out-of-order-reason').textContent()).toBe('No scanner connected: door-scanner: device unplugged');
    await page.screenshot({ path: join(SCREENS, 'out-of-order.png') });
    scanner.setPlugged(true);
    await waitScreen(page, 'idle');
  });
});
