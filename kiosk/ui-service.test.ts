import { afterEach, describe, expect, it } from 'vitest';
import { parseKioskAppConfig } from './app-config';
import { CheckinService } from './checkin-service';
import { DEMO_DOOR, DEMO_TABLES, DEMO_TICKETS, demoSyncPage } from './demo-venue';
import { openStore } from '../venue-store/open';
import { KioskUiService, staffHub, type ScannerReport } from './ui-service';
import { HubUnavailableError } from './ipc/handlers';
import { SignedHttp } from '../protocol/http-client';
import type { SyncChange, SyncResponse } from '../core/contract/contract';

const NOW = Date.parse('2026-06-20T20:00:00.000Z');
const open: { close(): void }[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A real kiosk store (SQLite in memory, migrations applied) seeded with the demo venue through the check-in core. */
function kiosk(scanners: ScannerReport = { state: 'ok', devices: [{ device: 'keyboard', state: 'ok', detail: null }] }) {
  const { db } = openStore(':memory:');
  open.push(db);
  let t = NOW;
  const clock = () => t;
  const core = new CheckinService(db, { venue_id: 'v1', device_id: 'k1', door_id: DEMO_DOOR }, { clock });
  core.applySyncPage(demoSyncPage(NOW));
  let recorded = 0;
  const ui = new KioskUiService(db, core, { venueName: 'Finca', language: 'es', staffPin: '2468', resultMs: 5000, scanners: () => scanners, clock, afterRecord: () => recorded++ });
  return { db, ui, core, advance: (ms: number) => (t += ms), recorded: () => recorded };
}

describe('KioskUiService over the real check-in core', () => {
  it('admits a ticket, then tells "already checked in" with when and at which door', async () => {
    const k = kiosk();
    const first = await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.ana });
    expect(first).toEqual({
      outcome: 'admitted',
      guest: { id: 'g_ana', name: 'Ana García', party_size: 2, table_id: 't47', table_label: '47' },
      checked_in_at: new Date(NOW).toISOString(),
      door_id: 'main',
    });
    k.advance(60_000);
    const again = await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.ana });
    expect(again).toMatchObject({ outcome: 'rejected', reason: 'already_checked_in', guest: { name: 'Ana García' }, previous: { checked_in_at: new Date(NOW).toISOString(), door_id: 'main', door_label: 'Main entrance' } });
    expect(k.recorded()).toBe(2); // the admission and the rejection both went to the outbox
  });

  it('refuses unknown, revoked, not-yet-valid and expired tickets with their reason', async () => {
    const k = kiosk();
    expect(await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.unknown })).toEqual({ outcome: 'rejected', reason: 'unknown_credential', guest: null, previous: null });
    expect(await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.revoked })).toMatchObject({ reason: 'revoked' });
    expect(await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.notYetValid })).toMatchObject({ reason: 'not_yet_valid' });
    expect(await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.expired })).toMatchObject({ reason: 'expired' });
  });

  it('finds guests by name without accents and checks one in by hand', async () => {
    const k = kiosk();
    const hits = await k.ui.search('jose');
    expect(hits.map((h) => h.name).sort()).toEqual(['Josefa Ruiz', 'José Pérez']); // code-unit order: 'f' < 'é'
    expect(hits.find((h) => h.id === 'g_jose')).toMatchObject({ table_label: '12', party_size: 4, checked_in_at: null, status: 'active' });
    expect(await k.ui.manualCheckin('g_nobody')).toBeNull();
    expect(await k.ui.manualCheckin('g_jose')).toMatchObject({ outcome: 'admitted', guest: { name: 'José Pérez' } });
    expect((await k.ui.search('jose')).find((h) => h.id === 'g_jose')?.checked_in_at).toBe(new Date(NOW).toISOString());
  });

  it('gives the renderer the synced floor plan and this kiosk door', async () => {
    const s = await kiosk().ui.setup();
    expect(s).toMatchObject({ venue_name: 'Finca', language: 'es', door_id: 'main', result_ms: 5000, scanner_max_gap_ms: 50 });
    expect(s.floor.tables).toHaveLength(DEMO_TABLES + 1); // the hall and the closed room's VIP table
    expect(s.floor.plan?.doors.map((d) => d.id)).toContain('main');
  });

  it('names the floor\'s version in setup and status: a moved or deleted table or a new plan changes it, a guest does not', async () => {
    const k = kiosk();
    const first = (await k.ui.setup()).floor_version;
    expect((await k.ui.status()).floor_version).toBe(first);
    const table = (await k.ui.setup()).floor.tables[0]!;
    const page = (changes: SyncChange[]): SyncResponse => ({ cursor: 'c', has_more: false, changes });
    let v = 1_000_000;
    k.core.applySyncPage(page([{ kind: 'guest', version: ++v, guest: { id: 'g_new', occasion_id: 'o1', name: 'New Guest', party_size: 1, table_id: null, status: 'active', valid_from: null, valid_to: null, credentials: [] } }]));
    expect((await k.ui.status()).floor_version).toBe(first);
    k.core.applySyncPage(page([{ kind: 'table', version: ++v, table: { ...table, x: table.x + 3 } }]));
    const moved = (await k.ui.status()).floor_version;
    expect(moved).not.toBe(first);
    expect((await k.ui.setup()).floor.tables.find((x) => x.id === table.id)?.x).toBe(table.x + 3);
    expect((await k.ui.setup()).floor_version).toBe(moved);
    k.core.applySyncPage(page([{ kind: 'tombstone', version: ++v, entity: 'table', id: table.id }]));
    expect((await k.ui.status()).floor_version).not.toBe(moved);
  });

  it('reports status, and out of order when the scanner is missing or the database fails', async () => {
    const k = kiosk();
    await k.ui.scan({ kind: 'barcode', value: DEMO_TICKETS.ana });
    const ok = await k.ui.status();
    expect(ok).toMatchObject({ database: { ok: true }, outbox_depth: 1, out_of_order: null, scanner: { state: 'ok' } });
    expect(ok.guest_list_version).toBeGreaterThan(0);
    const noScanner = kiosk({ state: 'missing', devices: [{ device: 'hid:0c2e:0b61', state: 'missing', detail: 'unplugged' }] });
    expect((await noScanner.ui.status()).out_of_order).toEqual({ reason: 'no_scanner', detail: 'hid:0c2e:0b61: unplugged' });
    k.db.close();
    const broken = await k.ui.status();
    expect(broken.database.ok).toBe(false);
    expect(broken.out_of_order?.reason).toBe('database');
  });

  it('without a hub, says seating counts and tablet pairing need one; with a hub that does not answer, says so', async () => {
    const { ui } = kiosk();
    await expect(ui.seatingCounts()).rejects.toMatchObject({ code: 'no_hub', message: expect.stringMatching(/no venue hub configured/) });
    const { db, core } = kiosk();
    // A real signed call to a port where nothing listens on this machine.
    const http = new SignedHttp({ baseUrl: 'http://127.0.0.1:9', keyId: 'kiosk-key', secret: 's'.repeat(32) }, { timeoutMs: 2_000 });
    const hubless = new KioskUiService(db, core, {
      venueName: 'Finca', language: 'es', staffPin: '2468', resultMs: 5000, scanners: () => ({ state: 'ok', devices: [] }),
      hub: staffHub(http),
    });
    const err = await hubless.pairTablet('Table 1', 'steward').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err).toMatchObject({ code: 'hub_unreachable', message: expect.stringMatching(/^The venue hub did not answer \(.+\); check the hub and the network/) });
    expect((err as Error).message).not.toContain('s'.repeat(32));
  });

  it('checks the staff PIN', () => {
    const { ui } = kiosk();
    expect(ui.staffRoleForPin('2468')).toBe('steward');
    expect(ui.staffRoleForPin('2469')).toBe(null);
    expect(ui.staffRoleForPin('')).toBe(null);
    expect(ui.hasSupervisorPin()).toBe(false);
  });

  it('tells the steward PIN from the supervisor PIN', () => {
    const { db, core } = kiosk();
    const ui = new KioskUiService(db, core, { venueName: 'Finca', language: 'es', staffPin: '2468', supervisorPin: '97531086', resultMs: 5000, scanners: () => ({ state: 'ok', devices: [] }) });
    expect(ui.staffRoleForPin('2468')).toBe('steward');
    expect(ui.staffRoleForPin('97531086')).toBe('supervisor');
    for (const wrong of ['9753108', '975310860', '2469', '']) expect(ui.staffRoleForPin(wrong)).toBe(null);
    expect(ui.hasSupervisorPin()).toBe(true);
  });
});

describe('kiosk app config', () => {
  const good = { database: 'kiosk.sqlite', kiosk: { venue_id: 'v', device_id: 'd', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'es', staff_pin: '2468' } };
  it('accepts a complete config', () => {
    expect(parseKioskAppConfig(good, 'kiosk.json').ui.language).toBe('es');
  });
  it('names the bad field and never echoes the PIN', () => {
    expect(() => parseKioskAppConfig({ ...good, ui: { ...good.ui, language: 'fr' } }, 'kiosk.json')).toThrow(/^kiosk\.json: config\/ui\/language/);
    let message = '';
    try {
      parseKioskAppConfig({ ...good, ui: { ...good.ui, staff_pin: '12ab99' } }, 'kiosk.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/config\/ui\/staff_pin/);
    expect(message).not.toContain('12ab99');
    expect(() => parseKioskAppConfig({ ...good, kiosk: { venue_id: 'v' } }, 'kiosk.json')).toThrow(/config\/kiosk is missing required field "device_id"/);
  });
});
