// The seat conflicts a planner reviews in the console (issue 20), through the real app on PGlite and on the real
// PostgreSQL: a venue's conflicts (unacknowledged first, each side with its table label, source, actor and HLC time)
// and dismissing one (audited, once). Conflict rows are written as the owner, as the cloud's ingest would; tenant B
// sees none of A's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatConflictList } from '../../../core/console/desk';
import { ajv } from '../../../core/contract/validate';
import { SeatConflictListSchema } from '../../../core/console/desk';
import type { CloudApp } from '../../app';
import { importTables } from '../../guestlist/manage';
import { importGuests } from '../../guestlist/import-guests';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, type ConsoleTenant } from '../../../tests/fixtures/console';
import { insertConflict } from '../../../tests/fixtures/desk-console';

const HLC_CONSOLE = '1796148000000.0000.c'; // 2026-12-01T18:00:00.000Z
const HLC_HUB = '1796148060000.0003.v'; // 2026-12-01T18:01:00.000Z

const validList = ajv.compile(SeatConflictListSchema);

describe.each(backends())('seat conflicts in the console on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  let tables: Record<string, string> = {};
  const ids = { old: 0, table: 0, acked: 0 };
  const app = () => cloud.app;
  const list = (who = A.viewer, venue = A.venueId) => asUser(app(), who, { method: 'GET', url: `/console/api/venues/${venue}/seat-conflicts` });
  const dismiss = (who: typeof A.planner, id: number | string, venue = A.venueId) => asUser(app(), who, { method: 'POST', url: `/console/api/venues/${venue}/seat-conflicts/${id}/acknowledge` });

  beforeAll(async () => {
    ({ t, A, B, cloud } = await consoleWorld(backend, async ({ t, A }) => {
      await importTables(t.db, A.venueId, 'label,capacity\nTable 7,10\nTable 9,8\n');
      await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: 'guest_id,name,party_size\nana,Ana Núñez,2\nben,Ben Ortiz,1\n' });
    }));
    tables = Object.fromEntries((await t.db.query<{ id: string; label: string }>('SELECT id, label FROM guestlist.seating_tables WHERE venue_id = $1', [A.venueId])).map((r) => [r.label, r.id]));
    ids.old = await insertConflict(t.db, A.tenantId, A.venueId, {
      guestId: 'ben', field: 'party', winner: ['3', HLC_HUB, 'hub', 'dev-hub/supervisor'], loser: ['2', HLC_CONSOLE, 'console', 'planner@example.test'], detectedAt: '2026-12-01T19:00:00Z',
    });
    ids.table = await insertConflict(t.db, A.tenantId, A.venueId, {
      guestId: 'ana', field: 'table', winner: [tables['Table 9']!, HLC_HUB, 'hub', 'dev-hub/supervisor'], loser: [tables['Table 7']!, HLC_CONSOLE, 'console', 'planner@example.test'], detectedAt: '2026-12-01T19:05:00Z',
    });
    ids.acked = await insertConflict(t.db, A.tenantId, A.venueId, {
      guestId: 'ana', field: 'party', winner: ['2', null, 'console', null], loser: ['4', null, 'hub', 'dev-hub/steward'], detectedAt: '2026-12-01T19:10:00Z',
    });
    await t.db.query(`UPDATE guestlist.seat_conflicts SET acknowledged_at = '2026-12-01T19:11:00Z', acknowledged_by = 'someone@example.test' WHERE id = $1`, [ids.acked]);
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('lists the venue\'s conflicts unacknowledged first, newest first, with names, table labels, sources, actors and HLC times', async () => {
    const res = await list();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<SeatConflictList>();
    expect(validList(body)).toBe(true);
    expect(body.unacknowledged).toBe(2);
    expect(body.conflicts.map((c) => c.id)).toEqual([ids.table, ids.old, ids.acked]);
    expect(body.conflicts[0]).toEqual({
      id: ids.table, guest_id: 'ana', guest_name: 'Ana Núñez', field: 'table',
      winner: { value: tables['Table 9'], table_label: 'Table 9', source: 'hub', actor: 'dev-hub/supervisor', hlc: HLC_HUB, hlc_at: '2026-12-01T18:01:00.000Z' },
      loser: { value: tables['Table 7'], table_label: 'Table 7', source: 'console', actor: 'planner@example.test', hlc: HLC_CONSOLE, hlc_at: '2026-12-01T18:00:00.000Z' },
      detected_at: '2026-12-01T19:05:00.000Z', acknowledged_at: null, acknowledged_by: null,
    });
    expect(body.conflicts[1]).toMatchObject({ field: 'party', winner: { value: '3', table_label: null }, loser: { value: '2' } });
    expect(body.conflicts[2]).toMatchObject({ acknowledged_by: 'someone@example.test', winner: { hlc: null, hlc_at: null } });
  });

  it('dismisses a conflict for a planner, audited once; a viewer may not; again it answers as it is', async () => {
    expect((await dismiss(A.viewer, ids.old)).statusCode).toBe(403);
    const res = await dismiss(A.planner, ids.old);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: ids.old, acknowledged_by: A.planner.account.email, acknowledged_at: expect.any(String) });
    const again = await dismiss(A.planner, ids.old);
    expect(again.statusCode).toBe(200);
    expect(again.json().acknowledged_at).toBe(res.json().acknowledged_at);
    const audits = await t.db.query<{ actor: string; entity_id: string; venue_id: string; after: Record<string, unknown> }>(
      `SELECT actor, entity_id, venue_id, after FROM console.audit_log WHERE action = 'seat_conflict.acknowledge'`);
    expect(audits).toEqual([{ actor: A.planner.account.email, entity_id: String(ids.old), venue_id: A.venueId, after: expect.objectContaining({ guest_id: 'ben', field: 'party', kept: '3', lost: '2' }) }]);
    const after = (await list()).json<SeatConflictList>();
    expect(after.unacknowledged).toBe(1);
    expect(after.conflicts.map((c) => c.id)).toEqual([ids.table, ids.acked, ids.old]);
  });

  it('gives another tenant a 404 for the venue and its conflicts, and an unknown or malformed id its 4xx', async () => {
    expect((await list(B.owner)).statusCode).toBe(404);
    expect((await dismiss(B.owner, ids.table)).statusCode).toBe(404);
    // B's own venue has none, and A's id is no conflict of B's venue.
    const own = await list(B.owner, B.venueId);
    expect(own.json()).toEqual({ venue_id: B.venueId, unacknowledged: 0, conflicts: [] });
    expect((await dismiss(B.owner, ids.table, B.venueId)).statusCode).toBe(404);
    expect((await dismiss(A.planner, 999_999)).statusCode).toBe(404);
    expect((await dismiss(A.planner, 'x1')).statusCode).toBe(400);
    const [row] = await t.db.query<{ acknowledged_at: Date | null }>('SELECT acknowledged_at FROM guestlist.seat_conflicts WHERE id = $1', [ids.table]);
    expect(row!.acknowledged_at).toBeNull();
  });
});
