// `cloud seating assign` on PGlite and on the real PostgreSQL: a guest list with groups, hard pairs, needs, a locked
// seat and a relations CSV, seated by the engine; the dry run writes nothing, the run writes the changed tables (their
// sync versions bump), stores assign.completed for the tenant, and the cloud's /metrics shows the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant, addVenue } from '../admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { ImportError } from '../guestlist/common';
import { importGuests } from '../guestlist/import-guests';
import { addOccasion, importTables } from '../guestlist/manage';
import { buildApp } from '../app';
import { assignSeats, loadOccasion, summaryLine } from './assign';
import { importRelations } from './relations';
import { SEATING_GUESTS_CSV } from '../../tests/fixtures/seating-guests';

const TABLES = 'label,capacity,tags\nT1,4,\nT2,4,accessible\nT3,4,\n';
const GUESTS = SEATING_GUESTS_CSV;
const RELATIONS = 'a,b,score\ng-ana,g-fay,apart\ng-bo,g-cy,3\n';

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ImportError);
  return (e as ImportError).message;
}

describe.each(backends())('cloud seating assign on %s', (backend) => {
  let t: TestDatabase;
  let tenant: string;
  let venue: string;
  let occasion: string;
  const seats = async () => Object.fromEntries((await t.db.query<{ id: string; label: string | null }>(
    'SELECT g.id, s.label FROM guestlist.guests g LEFT JOIN guestlist.seating_tables s ON s.id = g.table_id WHERE g.venue_id = $1 ORDER BY g.id', [venue])).map((r) => [r.id, r.label]));
  const versions = async () => Object.fromEntries((await t.db.query<{ id: string; version: string }>('SELECT id, version::text FROM guestlist.guests WHERE venue_id = $1', [venue])).map((r) => [r.id, r.version]));

  beforeAll(async () => {
    t = await freshDatabase(backend);
    tenant = (await addTenant(t.db, 'Wedding Co')).id;
    venue = (await addVenue(t.db, tenant, 'Garden')).id;
    occasion = (await addOccasion(t.db, { venueId: venue, name: 'Wedding', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' })).id;
    await importTables(t.db, venue, TABLES);
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: GUESTS });
    await importRelations(t.db, occasion, RELATIONS);
  });
  afterAll(async () => t?.drop());

  it('refuses bad seating cells and relation rows with their lines, importing nothing', async () => {
    const bad = 'guest_id,name,barcode,together_with,apart_from,seat_locked\ng-x,X,B-X,g-nobody,,\ng-y,Y,B-Y,g-x,g-x,\ng-z,Z,B-Z,,,maybe\n';
    const msg = await refused(importGuests(t.db, { venueId: venue, occasionId: occasion, csv: bad }));
    expect(msg).toContain('line 2: together_with names "g-nobody", who is no guest of this occasion');
    expect(msg).toContain('line 3: guest g-x is in both together_with and apart_from');
    expect(msg).toContain('line 4: seat_locked "maybe" must be true or false');
    const rel = await refused(importRelations(t.db, occasion, 'a,b,score\ng-ana,g-bo,101\ng-ana,g-zed,2\ng-bo,g-bo,1\ng-bo,g-ana,together\n'));
    expect(rel).toContain('line 2: score "101" must be a whole number from -100 to 100, apart or together');
    expect(rel).toContain('line 3: b "g-zed" is no guest of this occasion');
    expect(rel).toContain('line 4: a and b are the same guest');
    expect((await t.db.query('SELECT 1 FROM guestlist.guests WHERE id = $1', ['g-x'])).length).toBe(0);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM guestlist.seating_relations WHERE occasion_id = $1', [occasion]))[0]!.n).toBe(2);
  });

  it("loads the occasion for its own tenant only, on a connection no row security filters", async () => {
    const data = await loadOccasion(t.db, occasion, tenant);
    expect(data).toMatchObject({ occasion_id: occasion, tenant_id: tenant, venue_id: venue });
    expect(data.guests.length).toBeGreaterThan(0);
    const other = (await addTenant(t.db, 'Other Co')).id;
    await expect(loadOccasion(t.db, occasion, other)).rejects.toThrow(`no occasion "${occasion}"`);
  });

  it('a dry run plans and writes nothing; the run writes the plan and the moved guests get new versions', async () => {
    const before = await seats();
    const v0 = await versions();
    const dry = await assignSeats(t.db, { occasionId: occasion, dryRun: true, timeLimitMs: 500 });
    expect(dry).toMatchObject({ dry_run: true, written: false, guests_to_seat: 7, guests_seated: 7, locked: 1, tables: 3, unseated: [] });
    expect(await seats()).toEqual(before);

    const run = await assignSeats(t.db, { occasionId: occasion, timeLimitMs: 500 });
    expect(run.written).toBe(true);
    expect(run.skipped).toEqual([]);
    expect(summaryLine(run)).toMatch(new RegExp(`; ${run.changes.length} guests moved$`));
    expect(summaryLine({ ...run, skipped: [run.changes[0]!.guest_id] })).toContain(`${run.changes.length - 1} guests moved, 1 left where they are (moved meanwhile)`);
    const after = await seats();
    expect(after['g-gus']).toBe('T3'); // seat_locked
    expect(after['g-cy']).toBe('T2'); // needs accessible
    expect(after['g-di']).toBe(after['g-eve']); // together_with
    expect(after['g-fay']).not.toBe(after['g-di']); // apart_from
    expect(after['g-ana']).not.toBe(after['g-fay']); // relations CSV: apart
    expect(after['g-ana']).toBe(after['g-bo']); // one group
    expect(Object.values(after).every((label) => label !== null)).toBe(true);
    const v1 = await versions();
    for (const c of run.changes) {
      expect(after[c.guest_id]).toBe(c.to);
      expect(BigInt(v1[c.guest_id]!)).toBeGreaterThan(BigInt(v0[c.guest_id]!));
    }
    expect(run.changes.length).toBeGreaterThan(0);
    expect(v1['g-gus']).toBe(v0['g-gus']);
    // Assigning again changes nothing: the plan is the one in place.
    const again = await assignSeats(t.db, { occasionId: occasion, timeLimitMs: 500 });
    expect(again.changes).toEqual([]);
  });

  it('each run is an assign.completed event of the tenant, metered, and the cloud /metrics shows the runs by channel', async () => {
    const events = await t.db.query<{ tenant_id: string; payload: { feasible: number; channel: string; guests: number; tables: number; optimal: boolean } }>(
      `SELECT tenant_id, payload FROM telemetry.events_raw WHERE type = 'assign.completed' AND venue_id = $1`, [venue]);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ tenant_id: tenant, payload: { feasible: 1, channel: 'cli', guests: 7, tables: 3 } });
    const [usage] = await t.db.query<{ events: number }>('SELECT events::int FROM billing.usage_monthly WHERE tenant_id = $1', [tenant]);
    expect(usage!.events).toBe(3);

    const cloud = await buildApp({ db: t.db, assignMetricsEverySec: 0, doubleAdmissionEverySec: 0 });
    try {
      expect(await cloud.assignMetrics.tick()).toBe(3);
      expect(await cloud.assignMetrics.tick()).toBe(0); // each event observed once
      const text = (await cloud.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain(`seatpilot_assign_duration_seconds_count{tenant="${tenant}",venue="${venue}",channel="cli"} 3`);
      expect(text).toMatch(new RegExp(`seatpilot_assign_duration_seconds_bucket\\{le="60",tenant="${tenant}",venue="${venue}",channel="cli"\\} 3`));
      expect(text).toContain(`seatpilot_assign_feasible_ratio{tenant="${tenant}",venue="${venue}",channel="cli"} 1`);
    } finally {
      await cloud.app.close();
    }
  });

  it('a guest file without seating columns leaves the seating as it was; a bad tag refuses the tables file', async () => {
    await importGuests(t.db, { venueId: venue, occasionId: occasion, csv: 'guest_id,name,barcode\ng-cy,Cy Renamed,B-CY\n' });
    const [cy] = await t.db.query<{ needs: string[] }>('SELECT needs FROM guestlist.guest_seating WHERE guest_id = $1', ['g-cy']);
    expect(cy!.needs).toEqual(['accessible']);
    await expect(importTables(t.db, venue, `label,capacity,tags\nT9,4,${'x'.repeat(65)}\n`)).rejects.toThrow('line 2: a tag is longer than 64 characters');
  });
});
