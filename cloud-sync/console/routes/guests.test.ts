// The console's guest API through the real app (app.inject) on PGlite and on the real PostgreSQL: the list, the detail,
// edits with their version check and credential clash, revoke and delete, the CSV import (plain and streamed) and
// export, every change audited and synced to the hub, and tenant B never reaching tenant A's guests.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestListSchema, type GuestDetail, type GuestList, type ImportStreamLine } from '../../../core/console/guests';
import { ajv } from '../../../core/contract/validate';
import type { IssuedKey } from '../../admin';
import type { CloudApp } from '../../app';
import { addOccasion, importTables } from '../../guestlist/manage';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, syncAs, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { scoped } from '../scope';

const validateList = ajv.compile(GuestListSchema);
const HEADER = 'guest_id,name,party_size,table,barcode,nfc,group,needs';
const goodCsv = [HEADER, 'ana,Ana Núñez,2,T1,BC-ana,NFC-ana,Núñez,accessible', 'ben,Ben Ortiz,1,T2,BC-ben,,Ortiz,', 'cai,=Cai Formula,1,,BC-cai,,,', 'dee,Dee Lane,3,T1,BC-dee,,Núñez,'].join('\n');

describe.each(backends())('console guest API on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  let agent: IssuedKey;
  let tables: Record<string, string> = {};
  const app = () => cloud.app;
  const syncAll = (cursor?: string) => syncAs(t.db, agent, cursor);
  const importCsv = (who: TestSession, csv: string, occasionId = A.occasionId, accept?: string) =>
    asUser(app(), who, { method: 'POST', url: `/console/api/occasions/${occasionId}/guests/import`, headers: { 'content-type': 'text/csv', ...(accept ? { accept } : {}) }, payload: csv });
  const list = async (who: TestSession, occasionId = A.occasionId) => asUser(app(), who, { method: 'GET', url: `/console/api/occasions/${occasionId}/guests` });
  const detail = async (id: string, who: TestSession = A.viewer) => (await asUser(app(), who, { method: 'GET', url: `/console/api/guests/${id}` })).json() as GuestDetail;
  const patch = (who: TestSession, id: string, body: Record<string, unknown>) => asUser(app(), who, { method: 'PATCH', url: `/console/api/guests/${id}`, payload: body });
  const audits = (action: string, entityId?: string) =>
    t.db.query<{ actor: string; channel: string; before: unknown; after: unknown; venue_id: string }>(
      `SELECT actor, channel, before, after, venue_id FROM console.audit_log WHERE action = $1${entityId ? ' AND entity_id = $2' : ''} ORDER BY id`,
      entityId ? [action, entityId] : [action],
    );

  beforeAll(async () => {
    ({ t, A, B, agent, cloud } = await consoleWorld(backend, async ({ t, A, B }) => {
      await importTables(t.db, A.venueId, 'label,capacity\nT1,10\nT2,8\n');
      await importTables(t.db, B.venueId, 'label,capacity\nT1,6\n');
      tables = Object.fromEntries((await t.db.query<{ id: string; label: string }>('SELECT id, label FROM guestlist.seating_tables WHERE venue_id = $1', [A.venueId])).map((r) => [r.label, r.id]));
    }));
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('refuses a file with two bad rows naming both lines and imports nothing; the fixed file imports, audited with its report', async () => {
    const bad = [HEADER, 'ana,Ana,2,T1,BC-ana,,,', 'ben,,1,T2,BC-ben,,,', 'cai,Cai,1,T9,BC-cai,,,'].join('\n');
    const refused = await importCsv(A.planner, bad);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: 'import_refused', problems: [{ line: 3, reason: 'name is empty' }, { line: 4, reason: expect.stringContaining('no table labelled "T9"') }] });
    expect((await list(A.viewer)).json<GuestList>().guests).toEqual([]);
    expect(await audits('guests.import')).toEqual([]);

    const ok = await importCsv(A.planner, goodCsv);
    expect(ok.statusCode, ok.body).toBe(200);
    const report = { venue_id: A.venueId, occasion_id: A.occasionId, rows: 4, created: 4, updated: 0, unchanged: 0 };
    expect(ok.json()).toEqual(report);
    expect(await audits('guests.import')).toEqual([{ actor: A.planner.account.email, channel: 'console', before: null, after: report, venue_id: A.venueId }]);
  });

  it('lets a viewer read but not import, and gives tenant B a 404 for A\'s occasion whatever its role', async () => {
    expect((await importCsv(A.viewer, goodCsv)).statusCode).toBe(403);
    expect((await importCsv(B.planner, goodCsv)).statusCode).toBe(404);
    expect((await importCsv(B.owner, goodCsv, A.occasionId, 'application/x-ndjson')).statusCode).toBe(404);
    const notUtf8 = await asUser(app(), A.planner, { method: 'POST', url: `/console/api/occasions/${A.occasionId}/guests/import`, headers: { 'content-type': 'text/csv' }, payload: Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4a, 0xe3, 0x0a]) });
    expect(notUtf8.statusCode).toBe(400);
    expect(notUtf8.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('not UTF-8') });
    expect((await list(B.planner, B.occasionId)).json<GuestList>().guests).toEqual([]);
  });

  it('streams the import\'s progress as ndjson, stage by stage in order, then the result; a bad file ends in the refusal', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => `s${i},Streamed ${i},1,,BC-s${i},,,`);
    const occasion = (await addOccasion(t.db, { venueId: A.venueId, name: 'Streamed', startsAt: '2027-01-05T19:00:00Z', endsAt: '2027-01-06T01:00:00Z' })).id;
    const res = await importCsv(A.planner, [HEADER, ...rows].join('\n'), occasion, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as ImportStreamLine);
    const stages = lines.flatMap((l) => ('stage' in l ? [l.stage] : []));
    expect([...new Set(stages)]).toEqual(['reading', 'checking', 'writing']);
    expect(stages).toEqual([...stages].sort((a, b) => ['reading', 'checking', 'writing'].indexOf(a) - ['reading', 'checking', 'writing'].indexOf(b)));
    const writing = lines.filter((l): l is Extract<ImportStreamLine, { stage: string }> => 'stage' in l && l.stage === 'writing');
    expect(writing.length).toBeGreaterThanOrEqual(3);
    expect(writing.map((w) => w.done)).toEqual([...writing.map((w) => w.done)].sort((a, b) => a - b));
    expect(writing.at(-1)).toEqual({ stage: 'writing', done: 12_000, total: 12_000 });
    expect(lines.at(-1)).toEqual({ result: { venue_id: A.venueId, occasion_id: occasion, rows: 12_000, created: 12_000, updated: 0, unchanged: 0 } });

    const refused = await importCsv(A.planner, [HEADER, 'x1,,1,,BC-x1,,,', 'x2,X2,0,,BC-x2,,,'].join('\n'), occasion, 'application/x-ndjson');
    const last = JSON.parse(refused.body.trim().split('\n').at(-1) as string) as ImportStreamLine;
    expect(last).toMatchObject({ error: 'import_refused', problems: [{ line: 2 }, { line: 3 }] });
  }, 120_000);

  it('lists every guest with table label, group, needs, credentials, first admission and the venue\'s tables', async () => {
    await t.db.query(
      `INSERT INTO telemetry.admissions (tenant_id, venue_id, guest_id, event_id, device_id, direction, occurred_at) VALUES
       ($1, $2, 'ana', $3, 'dev_x', 'entry', '2026-12-31T20:05:00Z'), ($1, $2, 'ana', $4, 'dev_x', 'entry', '2026-12-31T19:55:00Z'),
       ($1, $2, 'ben', $5, 'dev_x', 'exit', '2026-12-31T20:00:00Z')`,
      [A.tenantId, A.venueId, randomUUID(), randomUUID(), randomUUID()],
    );
    for (const who of [A.owner, A.planner, A.viewer]) expect((await list(who)).statusCode).toBe(200);
    const body = (await list(A.viewer)).json<GuestList>();
    expect(validateList(body), JSON.stringify(validateList.errors)).toBe(true);
    expect(body.tables).toEqual([{ id: tables.T1, label: 'T1', capacity: 10 }, { id: tables.T2, label: 'T2', capacity: 8 }]);
    expect(body.guests.map((g) => g.id).sort()).toEqual(['ana', 'ben', 'cai', 'dee']);
    const byId = (id: string) => body.guests.find((g) => g.id === id);
    // Credentials come in no particular order (the list's aggregate skips a sort per guest; the detail sorts them).
    expect({ ...byId('ana'), credentials: [...byId('ana')!.credentials].sort((a, b) => a.kind.localeCompare(b.kind)) }).toEqual({
      id: 'ana', name: 'Ana Núñez', party_size: 2, table_id: tables.T1, table_label: 'T1', status: 'active', checked_in_at: '2026-12-31T19:55:00.000Z',
      group: 'Núñez', needs: ['accessible'], credentials: [{ kind: 'barcode', value: 'BC-ana' }, { kind: 'nfc', value: 'NFC-ana' }],
    });
    expect(byId('ben')).toMatchObject({ id: 'ben', checked_in_at: null, table_label: 'T2', needs: [] });
    expect(byId('cai')).toMatchObject({ id: 'cai', table_id: null, table_label: null, group: null });
    expect((await list(B.planner)).statusCode).toBe(404);
    expect(JSON.stringify((await list(B.owner, B.occasionId)).json())).not.toContain('Ana');
  });

  it('edits a guest: every field checked, one audit entry of what changed, 409 on a stale version or a clashing credential', async () => {
    const before = await detail('ana');
    expect(before).toMatchObject({ name: 'Ana Núñez', notes: '', group: 'Núñez', checked_in_at: '2026-12-31T19:55:00.000Z' });
    expect((await patch(A.viewer, 'ana', { version: before.version, name: 'X' })).statusCode).toBe(403);
    expect((await patch(B.planner, 'ana', { version: before.version, name: 'X' })).statusCode).toBe(404);
    expect((await asUser(app(), B.owner, { method: 'GET', url: '/console/api/guests/ana' })).statusCode).toBe(404);
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ table_id: 'tbl_elsewhere' }, 400, 'no table "tbl_elsewhere" in this venue'],
      [{ valid_from: '2026-12-31T20:00:00Z', valid_to: '2026-12-31T19:00:00Z' }, 400, 'valid_to must be after valid_from'],
      [{ valid_from: '2026-12-31 20:00' }, 400, 'is not an RFC 3339 date-time with an offset'],
      [{ name: '   ' }, 400, 'name is empty'],
      [{ party_size: 1001 }, 400, 'party_size'],
      [{ credentials: [{ kind: 'barcode', value: 'BC-ben' }] }, 409, 'barcode "BC-ben" already belongs to Ben Ortiz (ben)'],
      [{ credentials: [{ kind: 'nfc', value: 'N1' }, { kind: 'nfc', value: 'N1' }] }, 400, 'given twice'],
    ];
    for (const [body, status, message] of refusals) {
      const res = await patch(A.planner, 'ana', { version: before.version, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().message, JSON.stringify(body)).toContain(message);
    }
    expect(await detail('ana')).toEqual(before);

    const res = await patch(A.planner, 'ana', {
      version: before.version, table_id: tables.T2, credentials: [{ kind: 'barcode', value: 'BC-ana-2' }], notes: 'Allergic to nuts', needs: ['accessible', 'quiet'],
      valid_from: '2026-12-31T18:00:00+01:00', party_size: 2,
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as GuestDetail;
    expect(after).toMatchObject({ table_id: tables.T2, credentials: [{ kind: 'barcode', value: 'BC-ana-2' }], notes: 'Allergic to nuts', needs: ['accessible', 'quiet'], group: 'Núñez', valid_from: '2026-12-31T17:00:00.000Z' });
    expect(after.version).toBeGreaterThan(before.version);
    expect(await detail('ana')).toEqual(after);
    const [entry, ...more] = await audits('guest.update', 'ana');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor: A.planner.account.email, channel: 'console', venue_id: A.venueId });
    expect(entry!.before).toEqual({ table_id: tables.T1, valid_from: null, credentials: [{ kind: 'barcode', value: 'BC-ana' }, { kind: 'nfc', value: 'NFC-ana' }], needs: ['accessible'], notes: '' });
    expect(entry!.after).toEqual({ table_id: tables.T2, valid_from: '2026-12-31T17:00:00.000Z', credentials: [{ kind: 'barcode', value: 'BC-ana-2' }], needs: ['accessible', 'quiet'], notes: 'Allergic to nuts' });

    // The page that read `before` is now stale, even for a notes-only edit.
    const stale = await patch(A.planner, 'ana', { version: before.version, notes: 'mine' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining('changed meanwhile') });
    // The old NFC is free again: another guest may take it.
    const ben = await detail('ben');
    expect((await patch(A.owner, 'ben', { version: ben.version, credentials: [{ kind: 'barcode', value: 'BC-ben' }, { kind: 'nfc', value: 'NFC-ana' }] })).statusCode).toBe(200);
  });

  it('sends an edit to the hub through GET /v1/sync: the changed table and credentials, nothing of the notes', async () => {
    const { cursor } = await syncAll();
    const dee = await detail('dee');
    expect((await patch(A.planner, 'dee', { version: dee.version, table_id: null, status: 'revoked', credentials: [{ kind: 'nfc', value: 'NFC-dee' }], notes: 'late' })).statusCode).toBe(200);
    const { changes } = await syncAll(cursor);
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'guest', guest: expect.objectContaining({ id: 'dee', table_id: null, status: 'revoked', credentials: [{ kind: 'nfc', value: 'NFC-dee' }] }) }),
    ]);
    expect(JSON.stringify(changes)).not.toContain('late');
  });

  it('revokes and deletes, each audited; a deleted guest syncs as a tombstone and frees its credentials', async () => {
    const { cursor } = await syncAll();
    expect((await asUser(app(), A.viewer, { method: 'POST', url: '/console/api/guests/cai/revoke' })).statusCode).toBe(403);
    expect((await asUser(app(), B.planner, { method: 'POST', url: '/console/api/guests/cai/revoke' })).statusCode).toBe(404);
    expect((await asUser(app(), B.planner, { method: 'DELETE', url: '/console/api/guests/cai' })).statusCode).toBe(404);
    const revoked = await asUser(app(), A.planner, { method: 'POST', url: '/console/api/guests/cai/revoke' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ guest_id: 'cai', status: 'revoked' });
    expect(await audits('guest.revoke', 'cai')).toEqual([expect.objectContaining({ before: { status: 'active' }, after: { status: 'revoked' } })]);
    const revokedSync = await syncAll(cursor);
    expect(revokedSync.changes).toEqual([expect.objectContaining({ kind: 'guest', guest: expect.objectContaining({ id: 'cai', status: 'revoked' }) })]);
    const deleted = await asUser(app(), A.planner, { method: 'DELETE', url: '/console/api/guests/cai' });
    expect(deleted.statusCode).toBe(200);
    expect(await audits('guest.delete', 'cai')).toEqual([expect.objectContaining({ before: expect.objectContaining({ name: '=Cai Formula', credentials: [{ kind: 'barcode', value: 'BC-cai' }] }), after: null })]);
    expect((await asUser(app(), A.viewer, { method: 'GET', url: '/console/api/guests/cai' })).statusCode).toBe(404);
    const { changes } = await syncAll(revokedSync.cursor);
    expect(changes).toEqual([{ kind: 'tombstone', version: expect.any(Number), entity: 'guest', id: 'cai' }]);
    const ben = await detail('ben');
    expect((await patch(A.planner, 'ben', { version: ben.version, credentials: [{ kind: 'barcode', value: 'BC-cai' }] })).statusCode).toBe(200);
  });

  it('exports the filtered guests as CSV in the import\'s columns, formulas neutralised, and the file imports back unchanged', async () => {
    const name = await detail('ben');
    expect((await patch(A.planner, 'ben', { version: name.version, name: '@Ben, "the" Ortiz', group: '+Ortiz' })).statusCode).toBe(200);
    const all = await asUser(app(), A.viewer, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/guests.csv` });
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(all.headers['content-disposition']).toMatch(/^attachment; filename="guests-A-gala\.csv"$/);
    const lines = all.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('guest_id,name,party_size,table,barcode,nfc,valid_from,valid_to,status,group,together_with,apart_from,needs,seat_locked,meal,notes,tags');
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('ben,'))).toBe(`ben,"'@Ben, ""the"" Ortiz",1,T2,BC-cai,,,,active,'+Ortiz,,,,false,,,`);
    const t1 = await asUser(app(), A.viewer, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/guests.csv?table=${tables.T2}&q=nunez` });
    expect(t1.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(',')[0])).toEqual(['guest_id', 'ana']);
    expect((await asUser(app(), B.viewer, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/guests.csv` })).statusCode).toBe(404);
    expect((await asUser(app(), A.viewer, { method: 'GET', url: `/console/api/occasions/${A.occasionId}/guests.csv?status=gone` })).statusCode).toBe(400);

    const back = await importCsv(A.planner, all.body);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
    expect((await detail('ben')).name).toBe('@Ben, "the" Ortiz');
    expect((await detail('ben')).group).toBe('+Ortiz');
  });

  it('keeps tenant B out even where a query forgets its tenant: row-level security inside scoped()', async () => {
    const seen = await scoped(t.db, { tenantId: B.tenantId, accountId: B.planner.account.id }, async (q) => {
      const [count] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM guestlist.guests WHERE venue_id = $1`, [A.venueId]);
      const [all] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.guests');
      const updated = await q.query(`UPDATE guestlist.guests SET name = 'taken' WHERE venue_id = $1 RETURNING id`, [A.venueId]);
      return { a: count!.n, all: all!.n, updated: updated.length };
    });
    expect(seen).toEqual({ a: 0, all: 0, updated: 0 });
    expect((await detail('ana')).name).toBe('Ana Núñez');
  });

  it('answers the guest list of a 20,000-guest occasion in one go, quickly', async () => {
    const occ = await asUser(app(), A.planner, { method: 'POST', url: '/console/api/occasions', payload: { venue_id: A.venueId, name: 'Big night', starts_at: '2027-02-01T19:00:00Z', ends_at: '2027-02-02T03:00:00Z', timezone: 'UTC', reentry_policy: 'single' } });
    expect(occ.statusCode, occ.body).toBe(201);
    const big = occ.json().id as string;
    const rows = Array.from({ length: 20_000 }, (_, i) => `big${i},Guest ${i},${(i % 4) + 1},${i % 3 ? 'T1' : ''},BC-big${i},${i % 2 ? `NFC-big${i}` : ''},G${i % 500},${i % 7 ? '' : 'accessible'}`);
    const imp = await importCsv(A.planner, [HEADER, ...rows].join('\n'), big);
    expect(imp.statusCode).toBe(200);
    const times: number[] = [];
    let body: GuestList | undefined;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await list(A.viewer, big);
      times.push(performance.now() - started);
      expect(res.statusCode).toBe(200);
      body = res.json<GuestList>();
    }
    expect(body!.guests).toHaveLength(20_000);
    expect(body!.guests.find((g) => g.id === 'big7')).toMatchObject({ table_label: 'T1', needs: ['accessible'], group: 'G7', credentials: expect.arrayContaining([{ kind: 'barcode', value: 'BC-big7' }, { kind: 'nfc', value: 'NFC-big7' }]) });
    console.log(JSON.stringify({ backend, guests: 20_000, list_ms: times.map((ms) => Math.round(ms)) }));
    // A loose bound (shared, loaded build box); the figures are printed above.
    expect(Math.min(...times)).toBeLessThan(5_000);
  }, 180_000);
});
