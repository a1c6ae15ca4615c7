import { afterEach, describe, expect, it } from 'vitest';
import type { SyncChange } from '../core/contract/contract';
import { parseKioskAppConfig } from './app-config';
import { CheckinService } from './checkin-service';
import { DEMO_DOOR, demoSyncPage } from './demo-venue';
import { TokenBucket } from './find-table';
import { createHandlers } from './ipc/handlers';
import { KioskUiService, type UiServiceOptions } from './ui-service';
import { openStore } from '../venue-store/open';

const NOW = Date.parse('2026-06-20T20:00:00.000Z');
const open: { close(): void }[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A real kiosk store (SQLite, migrations applied) with the demo venue and a few more guests, behind the real handlers. */
function kiosk(opts: Partial<UiServiceOptions> = {}, extra: [id: string, name: string, status?: 'active' | 'revoked', occasion?: string][] = []) {
  const { db } = openStore(':memory:');
  open.push(db);
  let t = NOW;
  const clock = () => t;
  const core = new CheckinService(db, { venue_id: 'v1', device_id: 'k1', door_id: DEMO_DOOR }, { clock });
  const page = demoSyncPage(NOW);
  let v = 10_000;
  // Last night's occasion at the same venue, over before this one began.
  const yesterday: SyncChange = {
    kind: 'occasion', version: ++v,
    occasion: { id: 'occ_yesterday', name: 'Cena de empresa', starts_at: new Date(NOW - 28 * 3_600_000).toISOString(), ends_at: new Date(NOW - 20 * 3_600_000).toISOString(), timezone: 'Europe/Madrid', reentry_policy: 'single' },
  };
  const more = extra.map(([id, name, status, occasion]): SyncChange => ({
    kind: 'guest',
    version: ++v,
    guest: { id, occasion_id: occasion ?? 'occ_demo', name, party_size: 3, table_id: 't20', status: status ?? 'active', valid_from: null, valid_to: null, credentials: [{ kind: 'barcode', value: `TKT-${id}` }] },
  }));
  core.applySyncPage({ ...page, changes: [...page.changes, yesterday, ...more] });
  const ui = new KioskUiService(db, core, { venueName: 'Finca', language: 'es', staffPin: '2468', resultMs: 5000, scanners: () => ({ state: 'ok', devices: [] }), clock, ...opts });
  const h = createHandlers({ service: ui });
  const checkins = () => (db.prepare('SELECT count(*) FROM checkins').pluck().get() as number);
  return { db, ui, core, find: (surname_prefix: string) => h['guest.findTable']({ surname_prefix }), advance: (ms: number) => (t += ms), checkins };
}

describe('find my table', () => {
  it('matches the surname only, from 3 letters, accent- and case-insensitive, active guests only', async () => {
    const k = kiosk({}, [['g_nunez', 'Carla NÚÑEZ'], ['g_gone', 'Gonzalo Garrido', 'revoked'], ['g_garces', 'Marisa Garcés']]);
    const gar = await k.find('GAR');
    expect(gar.ok && gar.value.matches.map((m) => `${m.first_name} ${m.surname_initial}.`).sort()).toEqual(['Ana G.', 'Marisa G.']); // not the revoked Garrido
    expect(await k.find('  garci ')).toMatchObject({ ok: true, value: { matches: [{ first_name: 'Ana', surname_initial: 'G', table_label: '47', table_id: 't47' }], more: false } });
    // "Núñez" from "nun" and from "NÚÑ"; two guests named Núñez (Marta in the demo, Carla above).
    for (const q of ['nun', 'NÚÑ']) {
      const r = await k.find(q);
      expect(r.ok && r.value.matches.map((m) => m.first_name).sort()).toEqual(['Carla', 'Marta']);
    }
    // A hyphenated surname by either part, shown by its first letter.
    const k2 = kiosk({}, [['g_gl', 'Lucía García-López']]);
    for (const [q, names] of [['lop', ['Lucía G.']], ['garc', ['Ana G.', 'Lucía G.']]] as const) {
      const r = await k2.find(q);
      expect(r.ok && r.value.matches.map((m) => `${m.first_name} ${m.surname_initial}.`).sort()).toEqual(names);
    }
    // Two surnames, as Spanish guests have: found by either, shown by the initial of the one typed.
    const k3 = kiosk({}, [['g_two', 'Lucía Quintana Iglesias']]);
    for (const [q, shownAs] of [['quin', 'Lucía Q.'], ['igle', 'Lucía I.']] as const) {
      const r = await k3.find(q);
      expect(r.ok && r.value.matches.map((m) => `${m.first_name} ${m.surname_initial}.`)).toEqual([shownAs]);
    }
    expect(await k3.find('luc')).toEqual({ ok: true, value: { matches: [], more: false } });
    // A list written surname first: the first name after the comma is shown, never the surname.
    const k4 = kiosk({}, [['g_comma', 'Quintero Ibarra, Beatriz']]);
    for (const [q, shownAs] of [['quint', 'Beatriz Q.'], ['ibar', 'Beatriz I.']] as const) {
      const r = await k4.find(q);
      expect(r.ok && r.value.matches.map((m) => `${m.first_name} ${m.surname_initial}.`)).toEqual([shownAs]);
    }
    expect(await k4.find('beat')).toEqual({ ok: true, value: { matches: [], more: false } });
    // A first name is no surname: "Jos" (José, Josefa) finds nobody.
    expect(await k.find('jos')).toEqual({ ok: true, value: { matches: [], more: false } });
  });

  it("finds the guests of the occasion under way only: not last night's, and nobody between occasions", async () => {
    const k = kiosk({}, [['g_tonight', 'Irene Zubiri'], ['g_last_night', 'Olga Zubizarreta', 'active', 'occ_yesterday']]);
    expect(await k.find('zubi')).toMatchObject({ ok: true, value: { matches: [{ first_name: 'Irene', surname_initial: 'Z' }], more: false } });
    expect(await k.find('zubiz')).toEqual({ ok: true, value: { matches: [], more: false } });
    k.advance(17 * 3_600_000); // tonight's occasion ended 7 h ago, past the door's margin: no occasion under way
    expect(await k.find('zubi')).toEqual({ ok: true, value: { matches: [], more: false } });
  });

  it('refuses fewer than 3 letters with a sentence a guest understands', async () => {
    const k = kiosk();
    for (const q of ['ga', '  ga  ', 'g-a', '12', '']) {
      expect(await k.find(q)).toEqual({ ok: false, error: { code: 'bad_request', message: 'Please type at least 3 letters of your surname.' } });
    }
  });

  it('answers no surname, party, credential, check-in state or guest id, and checks nobody in', async () => {
    const k = kiosk();
    await k.ui.scan({ kind: 'barcode', value: 'SP-JOSE-2026' }); // one real check-in, so "unchanged" means something
    const depth = k.core.outbox.depth();
    const rows = k.checkins();
    expect(depth).toBe(1);
    const r = await k.find('garc');
    if (!r.ok) throw new Error(r.error.message);
    const [ana] = r.value.matches;
    expect(Object.keys(ana!).sort()).toEqual(['first_name', 'id', 'surname_initial', 'table_id', 'table_label']);
    const text = JSON.stringify(r.value);
    for (const secret of ['García', 'Garcia', 'g_ana', 'SP-ANA-2026', 'party', 'checked']) expect(text).not.toContain(secret);
    expect(ana!.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The same guest gets the same handle within this boot, another kiosk (boot) another one.
    const again = await k.find('garci');
    expect(again.ok && again.value.matches[0]!.id).toBe(ana!.id);
    const other = await kiosk().find('garci');
    expect(other.ok && other.value.matches[0]!.id).not.toBe(ana!.id);
    expect(k.core.outbox.depth()).toBe(depth);
    expect(k.checkins()).toBe(rows);
    // Ana was only looked up: her ticket still welcomes her.
    expect(await k.ui.scan({ kind: 'barcode', value: 'SP-ANA-2026' })).toMatchObject({ outcome: 'admitted' });
  });

  it('shows at most 8 matches and says when there are more', async () => {
    const many = Array.from({ length: 11 }, (_, i): [string, string] => [`g_m${i}`, `Invitada${i} Martínez`]);
    const k = kiosk({}, many);
    const r = await k.find('mart');
    expect(r.ok && r.value.matches.length).toBe(8);
    expect(r.ok && r.value.more).toBe(true);
    const few = await kiosk({}, many.slice(0, 8)).find('mart');
    expect(few.ok && [few.value.matches.length, few.value.more]).toEqual([8, false]);
  });

  it('is rate-limited per kiosk: 10 searches, then "please wait N s" until the bucket refills', async () => {
    const k = kiosk();
    for (let i = 0; i < 10; i++) expect((await k.find('gar')).ok).toBe(true);
    expect(await k.find('gar')).toEqual({ ok: false, error: { code: 'rate_limited', message: 'Too many searches at this kiosk: please wait 6 s.', retry_after_s: 6 } });
    k.advance(2_000);
    expect(await k.find('gar')).toMatchObject({ ok: false, error: { code: 'rate_limited', retry_after_s: 4 } });
    // Too short costs nothing and is still told as too short.
    expect(await k.find('ga')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    k.advance(4_000);
    expect((await k.find('gar')).ok).toBe(true);
    expect((await k.find('gar')).ok).toBe(false);
    k.advance(60_000);
    for (let i = 0; i < 10; i++) expect((await k.find('gar')).ok).toBe(true);
    expect((await k.find('gar')).ok).toBe(false);
  });

  it('a token bucket gives back one token per refill period and never more than its capacity', () => {
    let t = 0;
    const b = new TokenBucket({ capacity: 2, refillMs: 1000, clock: () => t });
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 1000]);
    t += 250;
    expect(b.take()).toBe(750);
    t += 100_000;
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 1000]);
  });

  it('switched off: the setup says so (no button) and the channel refuses clearly', async () => {
    const k = kiosk({ findMyTable: false });
    expect((await k.ui.setup()).find_my_table).toBe(false);
    expect(await k.find('garcia')).toEqual({ ok: false, error: { code: 'disabled', message: 'Find my table is switched off at this kiosk: please ask our staff.' } });
    expect((await kiosk().ui.setup()).find_my_table).toBe(true);
  });

  it('ui.find_my_table in the kiosk config is a boolean, and a bad value names the field', () => {
    const config = (ui: Record<string, unknown>) => ({ database: 'k.sqlite', kiosk: { venue_id: 'v', device_id: 'd', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'es', staff_pin: '246813', ...ui } });
    expect(parseKioskAppConfig(config({ find_my_table: false }), 'kiosk.json').ui.find_my_table).toBe(false);
    expect(parseKioskAppConfig(config({}), 'kiosk.json').ui.find_my_table).toBeUndefined();
    expect(() => parseKioskAppConfig(config({ find_my_table: 'no' }), 'kiosk.json')).toThrow(/^kiosk\.json: config\/ui\/find_my_table/);
  });
});
