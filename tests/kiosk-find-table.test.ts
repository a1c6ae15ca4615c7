// Find my table in Chromium, end to end: the real `seatpilot kiosk --browser --demo` (SQLite) and a guest without a ticket
// who types three letters of the surname, picks "Ana G.", sees the table and the route, and is checked in by nobody.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIOSK_SESSION_HEADER, KIOSK_SESSION_META } from '../kiosk/browser/session-names';
import { DEMO_TICKETS } from '../kiosk/demo-venue';
import { launchChromium, scanLikeAScanner, startKiosk, type KioskProcess } from './kiosk-browser';

const waitScreen = (page: Page, name: string) => page.waitForSelector(`body[data-screen="${name}"]`, { timeout: 15_000 });

/** The kiosk's own status over its channel map, as the page's session may ask it. */
const outboxDepth = (page: Page) =>
  page.evaluate(
    async ([meta, header]) => {
      const session = document.querySelector<HTMLMetaElement>(`meta[name="${meta}"]`)?.content ?? '';
      const res = await fetch('/ipc/kiosk.status', { method: 'POST', headers: { 'content-type': 'application/json', [header]: session }, body: '{}' });
      const r = (await res.json()) as { ok: boolean; value: { outbox_depth: number } };
      return r.value.outbox_depth;
    },
    [KIOSK_SESSION_META, KIOSK_SESSION_HEADER] as const,
  );

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
});
