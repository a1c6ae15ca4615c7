// The venue desk's guest fields in the console (issue 20): the CSV columns meal, notes (the staff's, desk_notes) and
// tags imported and exported round trip, a re-import changing only them bumps the guest so it syncs to the hub, the
// planner's own notes stay apart and out of the file, and the guest edit of the three is checked and audited. Through
// the real app on PGlite and on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestDetail } from '../../../core/console/guests';
import type { IssuedKey } from '../../admin';
import type { CloudApp } from '../../app';
import { importTables } from '../../guestlist/manage';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, syncAs, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';

const HEADER = 'guest_id,name,party_size,table,barcode,meal,notes,tags';
const CSV = [
  HEADER,
  'ana,Ana Núñez,2,T1,BC-ana,vegetarian,"Wheelchair; keep the aisle free.\nAllergic to nuts",VIP|press',
  'ben,Ben Ortiz,1,T1,BC-ben,gluten-free,,',
  'cai,Cai Lee,1,,BC-cai,,=not a formula,',
].join('\n');

describe.each(backends())('desk guest fields in the console on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  let agent: IssuedKey;
  const app = () => cloud.app;
  const importCsv = (who: TestSession, csv: string) =>
    asUser(app(), who, { method: 'POST', url: `/console/api/occasions/${A.occasionId}/guests/import`, headers: { 'content-type': 'text/csv' }, payload: csv });
  const exportCsv = async () => {
    const res = await asUser(app(), A.viewer, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/guests.csv` });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const detail = async (id: string) => (await asUser(app(), A.viewer, { method: 'GET', url: `/console/api/guests/${id}` })).json() as GuestDetail;
  const patch = (who: TestSession, id: string, body: Record<string, unknown>) => asUser(app(), who, { method: 'PATCH', url: `/console/api/guests/${id}`, payload: body });
  const stored = async (id: string) =>
    (await t.db.query<{ meal: string | null; desk_notes: string | null; tags: string[]; version: string }>('SELECT meal, desk_notes, tags, version FROM guestlist.guests WHERE id = $1', [id]))[0]!;

  beforeAll(async () => {
    ({ t, A, B, agent, cloud } = await consoleWorld(backend, async ({ t, A }) => {
      await importTables(t.db, A.venueId, 'label,capacity\nT1,10\n');
    }));
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('imports meal, staff notes and tags, exports them in the same columns, and the export imports back unchanged', async () => {
    const res = await importCsv(A.planner, CSV);
    expect(res.statusCode, res.body).toBe(200);
    expect(await stored('ana')).toMatchObject({ meal: 'vegetarian', desk_notes: 'Wheelchair; keep the aisle free.\nAllergic to nuts', tags: ['vip', 'press'] });
    expect(await stored('ben')).toMatchObject({ meal: 'gluten-free', desk_notes: null, tags: [] });
    expect(await stored('cai')).toMatchObject({ meal: null, desk_notes: '=not a formula', tags: [] });

    const file = await exportCsv();
    const lines = file.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]!.split(',').slice(-3)).toEqual(['meal', 'notes', 'tags']);
    expect(file).toContain('vegetarian,"Wheelchair; keep the aisle free.\nAllergic to nuts",vip|press');
    // Neutralised against spreadsheet formulas on the way out, taken back on the way in.
    expect(file).toContain(",'=not a formula,");

    const again = await importCsv(A.planner, file);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
    expect(await exportCsv()).toBe(file);
  });

  it('a re-import changing only the meal, the notes or the tags updates those guests and sends them to the hub', async () => {
    const { cursor } = await syncAs(t.db, agent);
    const before = await stored('ben');
    const changed = CSV.replace('ben,Ben Ortiz,1,T1,BC-ben,gluten-free,,', 'ben,Ben Ortiz,1,T1,BC-ben,vegan,Arrives late,vip');
    const res = await importCsv(A.planner, changed);
    expect(res.json()).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const after = await stored('ben');
    expect(after).toMatchObject({ meal: 'vegan', desk_notes: 'Arrives late', tags: ['vip'] });
    expect(BigInt(after.version)).toBeGreaterThan(BigInt(before.version));
    const { changes } = await syncAs(t.db, agent, cursor);
    expect(changes.map((c) => ('guest' in c ? c.guest.id : c.kind))).toEqual(['ben']);

    // A file without the desk columns leaves them as they are.
    const plain = await importCsv(A.planner, 'guest_id,name,party_size,table,barcode\nben,Ben Ortiz,1,T1,BC-ben');
    expect(plain.json()).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await stored('ben')).toMatchObject({ meal: 'vegan', tags: ['vip'] });
  });

  it('refuses a meal, notes or tag out of bounds with the line and a reason a planner understands, writing nothing', async () => {
    const bad = [HEADER, `ana,Ana Núñez,2,T1,BC-ana,${'x'.repeat(65)},,`, `ben,Ben Ortiz,1,T1,BC-ben,,"${'n'.repeat(2001)}",`, 'cai,Cai Lee,1,,BC-cai,,, vip|a|b'.replace(' vip', `${'t'.repeat(70)}`)].join('\n');
    const res = await importCsv(A.planner, bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().problems).toEqual([
      { line: 2, reason: 'meal is 65 characters long; at most 64 (e.g. vegetarian, gluten-free)' },
      { line: 3, reason: 'notes are 2001 characters long; at most 2000' },
      { line: 4, reason: `tags "${'t'.repeat(40)}" must be 1–64 characters` },
    ]);
    expect(await stored('ana')).toMatchObject({ meal: 'vegetarian' });
  });

  it('edits meal, staff notes and tags on the guest: stored, synced, audited, and apart from the planner\'s notes', async () => {
    const d = await detail('cai');
    expect(d).toMatchObject({ meal: null, desk_notes: '=not a formula', tags: [], notes: '' });
    const { cursor } = await syncAs(t.db, agent);
    const res = await patch(A.planner, 'cai', { version: d.version, meal: ' Vegan ', desk_notes: 'Birthday: bring the cake at 22:00', tags: ['VIP', 'vip', 'family'], notes: 'Planner only: owes us a call' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ meal: 'Vegan', desk_notes: 'Birthday: bring the cake at 22:00', tags: ['vip', 'family'], notes: 'Planner only: owes us a call' });
    expect((await syncAs(t.db, agent, cursor)).changes.map((c) => ('guest' in c ? c.guest.id : c.kind))).toEqual(['cai']);
    const [entry] = await t.db.query<{ actor: string; before: unknown; after: unknown }>(
      `SELECT actor, before, after FROM console.audit_log WHERE action = 'guest.update' AND entity_id = 'cai' ORDER BY id DESC LIMIT 1`);
    expect(entry).toEqual({
      actor: A.planner.account.email,
      before: { notes: '', meal: null, desk_notes: '=not a formula', tags: [] },
      after: { notes: 'Planner only: owes us a call', meal: 'Vegan', desk_notes: 'Birthday: bring the cake at 22:00', tags: ['vip', 'family'] },
    });
    // The planner's notes never go into the file; the staff's do.
    const file = await exportCsv();
    expect(file).toContain('Birthday: bring the cake at 22:00');
    expect(file).not.toContain('owes us a call');

    // Cleared: an empty meal and notes, no tags.
    const cleared = await patch(A.planner, 'cai', { version: (await detail('cai')).version, meal: '', desk_notes: '', tags: [] });
    expect(cleared.json()).toMatchObject({ meal: null, desk_notes: '', tags: [] });
    expect(await stored('cai')).toMatchObject({ meal: null, desk_notes: null, tags: [] });
  });

  it('refuses a bad tag or an over-long meal in words, a viewer\'s edit, and tenant B\'s', async () => {
    const d = await detail('ana');
    const pipe = await patch(A.planner, 'ana', { version: d.version, tags: ['vip|press'] });
    expect(pipe.statusCode).toBe(400);
    expect(pipe.json()).toMatchObject({ error: 'bad_request', message: 'tag "vip|press" must be 1–64 characters without |' });
    expect((await patch(A.planner, 'ana', { version: d.version, meal: 'm'.repeat(65) })).statusCode).toBe(400);
    expect((await patch(A.viewer, 'ana', { version: d.version, meal: 'fish' })).statusCode).toBe(403);
    expect((await patch(B.owner, 'ana', { version: d.version, meal: 'fish' })).statusCode).toBe(404);
    expect(await stored('ana')).toMatchObject({ meal: 'vegetarian', tags: ['vip', 'press'] });
  });
});
