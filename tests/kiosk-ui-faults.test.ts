// What a guest and staff see at a door whose store is in trouble, in real Chromium against `seatpilot kiosk --browser`:
// a damaged kiosk file is set aside at start, and the door shows the out-of-order screen with what staff should do
// (in the venue's language) instead of refusing every guest from an empty list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from '../venue-store/open';
import { guestChange, occasionChange, page as syncPage } from './fixtures/sync-fixtures';
import { corruptTablePages } from './corrupt';
import { launchChromium, screensDir } from './kiosk-browser';
import { seatpilot, type Proc } from './procs';

describe('kiosk screens when its store is in trouble', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-kiosk-ui-faults-'));
  let kiosk: Proc;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    const file = join(dir, 'kiosk.sqlite');
    const { db } = openStore(file);
    const svc = new CheckinService(db, { venue_id: 'venue_ui', device_id: 'kiosk_ui', door_id: 'main' });
    svc.applySyncPage(syncPage([occasionChange(1), ...Array.from({ length: 1500 }, (_, i) => guestChange(2 + i, { id: `g${i}`, name: `Invitado ${i}` }))]));
    db.close();
    corruptTablePages(file, 'guest_name_tokens', 4);
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({
      database: file,
      kiosk: { venue_id: 'venue_ui', device_id: 'kiosk_ui', door_id: 'main' },
      ui: { venue_name: 'Finca La Alameda', language: 'es', staff_pin: '246810', result_seconds: 6 },
    }));
    kiosk = seatpilot(['kiosk', '--browser', '--port', '0', '--config', join(dir, 'kiosk.json')]);
    await kiosk.waitFor(/browser mode on/);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await kiosk?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a damaged file as out of order, with what staff do, in Spanish', async () => {
    const url = /browser mode on (http:\/\/\S+)/.exec(kiosk.out())![1]!;
    const page = browser.page;
    await page.goto(url);
    await page.waitForSelector('body[data-screen="out_of_order"]', { timeout: 30_000 });
    const reason = await page.getByTestId('out-of-order-reason').textContent();
    expect(reason).toMatch(/^Personal: la base de datos está dañada o se está recargando\. Envíe a los invitados a otra puerta; si sigue así, reinicie el punto: the kiosk's database file was damaged and set aside \(.*kiosk\.sqlite\.damaged-.*\); 0 unsent check-ins were kept; this kiosk has no hub to reload its guest list from: restore the file from a backup or pair the kiosk with the venue hub$/);
    expect(await page.locator('section[data-screen="out_of_order"] h1').textContent()).toBe('Este punto de acceso está fuera de servicio');
    expect(readdirSync(dir).some((f) => f.startsWith('kiosk.sqlite.damaged-'))).toBe(true);
    await page.screenshot({ path: join(screensDir(), 'out-of-order-damaged.png') });
  });
});
