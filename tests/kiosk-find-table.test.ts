// Find my table in Chromium, end to end: the real `seatpilot kiosk --browser --demo` (SQLite) and a guest without a ticket
// who types three letters of the surname, picks "Ana G.", sees the table and the route, and is checked in by nobody.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIOSK_SESSION_HEADER, KIOSK_SESSION_META } from '../kiosk/browser/session-names';
import { DEMO_TICKETS } from '../kiosk/demo-venue';
import { launchChromium, scanLikeAScanner, screensDir, startKiosk, type KioskProcess } from './kiosk-browser';

const SCREENS = screensDir();

const waitScreen = (page: Page, name: string) => page.waitForSelector(`body[data-screen="${name}"]`, { timeout: 15_000 });

/** A call on the kiosk's channel map with the page's own session, as the renderer makes it. */
const ipc = (page: Page, channel: string, request: unknown) =>
  page.evaluate(
    async ([meta, header, ch, body]) => {
      const session = document.querySelector<HTMLMetaElement>(`meta[name="${meta}"]`)?.content ?? '';
      const res = await fetch(`/ipc/${ch}`, { method: 'POST', headers: { 'content-type': 'application/json', [header]: session }, body });
      return (await res.json()) as { ok: boolean; value?: { outbox_depth: number }; error?: { code: string; message: string } };
    },
    [KIOSK_SESSION_META, KIOSK_SESSION_HEADER, channel, JSON.stringify(request)] as const,
  );
const outboxDepth = async (page: Page) => (await ipc(page, 'kiosk.status', {})).value!.outbox_depth;

describe('find my table in Chromium (Spanish venue)', () => {
  let kiosk: KioskProcess;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    kiosk = await startKiosk(['--demo', '--language', 'es', '--result-seconds', '3', '--scanner-gap-ms', '1000']);
    browser = await launchChromium();
    page = browser.page;
    await page.goto(kiosk.url);
    await waitScreen(page, 'idle');
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  it('"gar" shows "Ana G." (never "García"); her table and route follow; back to idle by itself; nobody checked in', async () => {
    expect(await outboxDepth(page)).toBe(0);
    await page.getByRole('button', { name: 'Buscar mi mesa' }).click();
    await waitScreen(page, 'find');
    const input = page.getByLabel('Escriba al menos 3 letras de su apellido');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    // A person at the kiosk's keyboard; two letters search nothing yet.
    await page.keyboard.type('ga', { delay: 120 });
    await page.waitForTimeout(700);
    expect(await page.getByTestId('find-match').count()).toBe(0);
    await page.keyboard.type('r', { delay: 120 });
    const ana = page.getByRole('button', { name: 'Ana G.' });
    await ana.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('find-match').allTextContents()).toEqual(['Ana G.']);
    expect(await page.getByTestId('find-note').textContent()).toBe('Elija su nombre');
    const shown = await page.locator('section[data-screen="find"]').innerText();
    expect(shown).not.toContain('García');
    expect(await ana.getAttribute('data-match')).not.toContain('g_ana');
    await page.screenshot({ path: join(SCREENS, 'find-my-table.png') });

    // Keyboard operable: Tab from the field reaches the match, Enter chooses it.
    await page.keyboard.press('Tab');
    await expect.poll(() => ana.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await waitScreen(page, 'found');
    expect(await page.getByTestId('found-name').textContent()).toBe('Ana G.');
    expect(await page.getByTestId('found-table').textContent()).toBe('Mesa 47');
    const map = page.locator('section[data-screen="found"] [data-testid="route-map"]');
    expect(await map.getAttribute('data-route')).toBe('ok');
    expect(await page.locator('section[data-screen="found"] [data-table="t47"]').getAttribute('class')).toContain('target');
    const points = (await page.locator('section[data-screen="found"] [data-testid="route-path"]').getAttribute('points'))!.trim().split(' ');
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('announce').textContent()).toContain('Ana G.. Mesa 47');
    await page.waitForTimeout(300); // the route's first frames, for the picture
    await page.screenshot({ path: join(SCREENS, 'find-my-table-found.png') });

    await waitScreen(page, 'idle'); // --result-seconds 3, nobody touching it
    expect(await outboxDepth(page)).toBe(0);
    // Only looked up: her ticket still welcomes her (not "already checked in"), with the route drawn on the welcome screen.
    await scanLikeAScanner(page, DEMO_TICKETS.ana);
    await waitScreen(page, 'welcome');
    expect(await page.getByTestId('guest-name').textContent()).toBe('Bienvenido/a, Ana García');
    expect(await page.locator('section[data-screen="welcome"] [data-testid="route-map"]').getAttribute('data-route')).toBe('ok');
    await expect.poll(() => outboxDepth(page)).toBe(1);
  });

  it('a first name is no surname, and "Volver" goes back to idle', async () => {
    await waitScreen(page, 'idle');
    await page.getByTestId('find-button').click();
    await waitScreen(page, 'find');
    await page.getByTestId('find-input').fill('jos');
    await expect.poll(() => page.getByTestId('find-note').textContent(), { timeout: 15_000 }).toBe('No encontramos ningún invitado con ese apellido. Por favor, diríjase a nuestro personal.');
    expect(await page.getByTestId('find-match').count()).toBe(0);
    await page.getByRole('button', { name: 'Volver' }).click();
    await waitScreen(page, 'idle');
  });

  it('a ticket scanned on the find screen is checked in as at idle (the guest found it after all)', async () => {
    await waitScreen(page, 'idle');
    await page.getByTestId('find-button').click();
    await waitScreen(page, 'find');
    await scanLikeAScanner(page, DEMO_TICKETS.jose);
    await waitScreen(page, 'welcome');
    expect(await page.getByTestId('guest-name').textContent()).toBe('Bienvenido/a, José Pérez');
    await waitScreen(page, 'idle');
  });
});

describe('find my table switched off in the kiosk config', () => {
  it('the idle screen has no button and the channel refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatpilot-find-off-'));
    const config = join(dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ database: 'kiosk.sqlite', kiosk: { venue_id: 'v', device_id: 'k', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'en', staff_pin: '246813', find_my_table: false } }));
    const kiosk = await startKiosk(['--config', config]);
    // Chromium that cannot start must not leave the kiosk process running.
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      browser = await launchChromium();
      await browser.page.goto(kiosk.url);
      await waitScreen(browser.page, 'idle');
      expect(await browser.page.locator('section[data-screen="idle"] .hint').textContent()).toBe('Scan your ticket or tap your card');
      expect(await browser.page.getByTestId('find-button').count()).toBe(0);
      expect(await ipc(browser.page, 'guest.findTable', { surname_prefix: 'garcia' })).toEqual({ ok: false, error: { code: 'disabled', message: 'Find my table is switched off at this kiosk: please ask our staff.' } });
    } finally {
      await browser?.close();
      await kiosk.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
