// The seating chart's API through the real app (app.inject) on PGlite and on the real PostgreSQL: the chart, moves
// refused with their reason (capacity, apart, lock) or written (a together pair as one, synced to the hub, audited),
// stale versions, one party's relations replaced, and auto-assign run in a worker whose plan is written only by its
// apply — all or nothing, once audited. Tenant B never reaches tenant A's chart or jobs; a viewer only reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoJobSchema, SeatingChartSchema, type AutoJob, type ChartParty, type SeatingChart } from '../../../core/console/seating';
import { ajv } from '../../../core/contract/validate';
import type { IssuedKey } from '../../admin';
import type { CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { importTables, revokeGuest } from '../../guestlist/manage';
import { importRelations } from '../../seating/relations';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, syncAs, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';

const validateChart = ajv.compile(SeatingChartSchema);
const validateJob = ajv.compile(AutoJobSchema);

// T1 (6 seats): Ana's household of 3; T2 (4, accessible): Di, who must sit with Eve and apart from Fay; T10 (2): Gus,
// locked there. Cy needs an accessible table; Hal (2) and Eve have no table; Ivy is revoked (Di must sit apart from her,
// and they have a score: neither is on the chart).
const TABLES = 'id,label,capacity,tags\nta10,T10,2,\nta2,T2,4,accessible\nta1,T1,6,\n';
const GUESTS = [
  'guest_id,name,party_size,table,barcode,group,together_with,apart_from,needs,seat_locked',
  'ana,Ana,2,T1,B-ANA,silva,,,,',
  'bo,Bo,1,T1,B-BO,silva,,,,',
  'cy,Cy,1,,B-CY,,,,accessible,',
  'di,Di,1,T2,B-DI,,eve,ivy,,',
  'eve,Eve,1,,B-EVE,,,,,',
  'fay,Fay,1,,B-FAY,,,di,,',
  'gus,Gus,1,T10,B-GUS,,,,,true',
  'hal,Hal,2,,B-HAL,,,,,',
  'ivy,Ivy,1,,B-IVY,,,,,',
].join('\n');

describe.each(backends())('console seating chart API on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  let agent: IssuedKey;
  const app = () => cloud.app;
  const base = (occasionId = A.occasionId) => `/console/api/occasions/${occasionId}/seating`;
  const chart = async (who: TestSession = A.viewer, occasionId = A.occasionId) => {
    const res = await asUser(app(), who, { method: 'GET', url: base(occasionId) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SeatingChart>();
  };
  const party = async (id: string) => (await chart()).parties.find((p) => p.guest_id === id) as ChartParty;
  const post = (who: TestSession, path: string, payload: unknown) => asUser(app(), who, { method: 'POST', url: `${base()}${path}`, payload: payload as Record<string, unknown> });
  const move = async (who: TestSession, guestId: string, tableId: string | null, version?: number) =>
    post(who, '/move', { guest_id: guestId, table_id: tableId, version: version ?? (await party(guestId)).version });
  const seats = async () => Object.fromEntries((await t.db.query<{ id: string; table_id: string | null }>('SELECT id, table_id FROM guestlist.guests WHERE venue_id = $1 ORDER BY id', [A.venueId])).map((r) => [r.id, r.table_id]));
  const audits = (action: string) =>
    t.db.query<{ entity_id: string; actor: string; before: unknown; after: unknown }>('SELECT entity_id, actor, before, after FROM console.audit_log WHERE action = $1 ORDER BY id', [action]);
  const syncedGuests = async (cursor?: string) => {
    const synced = await syncAs(t.db, agent, cursor);
    return { guests: synced.changes.flatMap((c) => (c.kind === 'guest' ? [c.guest] : [])), cursor: synced.cursor };
  };
  const finished = async (who: TestSession, jobId: string): Promise<AutoJob> => {
    for (let i = 0; i < 600; i++) {
      const res = await asUser(app(), who, { method: 'GET', url: `${base()}/auto/${jobId}` });
      expect(res.statusCode, res.body).toBe(200);
      const job = res.json<AutoJob>();
      expect(validateJob(job), JSON.stringify(validateJob.errors)).toBe(true);
      if (job.stage === 'done' || job.stage === 'failed') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the auto-assign job did not finish');
  };

  beforeAll(async () => {
    ({ t, A, B, agent, cloud } = await consoleWorld(backend, async ({ t, A, B }) => {
      await importTables(t.db, A.venueId, TABLES);
      await importTables(t.db, B.venueId, 'id,label,capacity\ntb1,T1,6\n');
      await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: GUESTS });
      await importGuests(t.db, { venueId: B.venueId, occasionId: B.occasionId, csv: 'guest_id,name,barcode\nb-zoe,Zoe,B-ZOE\n' });
      await importRelations(t.db, A.occasionId, 'a,b,score\nana,hal,-20\ndi,ivy,-50\n');
      await revokeGuest(t.db, 'ivy');
    }));
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('the chart: live tables in label order, active guests as parties, every relation as a pair a < b', async () => {
    const c = await chart();
    expect(validateChart(c), JSON.stringify(validateChart.errors)).toBe(true);
    expect(c).toMatchObject({ occasion_id: A.occasionId, venue_id: A.venueId, layout_version: null });
    expect(c.tables).toEqual([
      { id: 'ta1', label: 'T1', capacity: 6, tags: [] },
      { id: 'ta2', label: 'T2', capacity: 4, tags: ['accessible'] },
      { id: 'ta10', label: 'T10', capacity: 2, tags: [] },
    ]);
    expect(c.parties.map((p) => p.guest_id)).toEqual(['ana', 'bo', 'cy', 'di', 'eve', 'fay', 'gus', 'hal']); // not Ivy (revoked)
    const [ana] = await t.db.query<{ version: number }>('SELECT version FROM guestlist.guests WHERE id = $1', ['ana']);
    expect(c.parties[0]).toEqual({ guest_id: 'ana', name: 'Ana', party_size: 2, table_id: 'ta1', locked: false, needs: [], group: 'silva', version: Number(ana!.version) });
    expect(c.parties.find((p) => p.guest_id === 'gus')).toMatchObject({ table_id: 'ta10', locked: true });
    expect(c.parties.find((p) => p.guest_id === 'cy')).toMatchObject({ table_id: null, needs: ['accessible'] });
    expect(c.relations).toEqual([
      { a: 'ana', b: 'hal', score: -20, rule: null },
      { a: 'di', b: 'eve', score: null, rule: 'together' },
      { a: 'di', b: 'fay', score: null, rule: 'apart' },
    ]);
    // Another tenant's occasion is not found, for a reader and a writer alike.
    expect((await asUser(app(), B.owner, { method: 'GET', url: base() })).statusCode).toBe(404);
    expect((await asUser(app(), B.owner, { method: 'POST', url: `${base()}/move`, payload: { guest_id: 'hal', table_id: 'ta2', version: c.parties[7]!.version } })).statusCode).toBe(404);
    expect((await chart(B.viewer, B.occasionId)).parties.map((p) => p.guest_id)).toEqual(['b-zoe']);
  });

  it("the chart names the venue's newest published layout", async () => {
    for (const v of [1, 2]) {
      await t.db.query(`INSERT INTO guestlist.layout_versions (tenant_id, venue_id, version, layout) VALUES ($1, $2, $3, '{}'::jsonb)`, [A.tenantId, A.venueId, v]);
    }
    expect((await chart()).layout_version).toBe(2);
    expect((await chart(B.viewer, B.occasionId)).layout_version).toBeNull();
  });

  it('a move within capacity writes the table, bumps the sync version the hub pulls, and is audited', async () => {
    const { cursor } = await syncedGuests();
    const hal = await party('hal');
    const res = await move(A.planner, 'hal', 'ta2', hal.version);
    expect(res.statusCode, res.body).toBe(200);
    const [moved] = res.json<{ moved: ChartParty[] }>().moved;
    expect(moved).toMatchObject({ guest_id: 'hal', table_id: 'ta2' });
    expect(moved!.version).toBeGreaterThan(hal.version);
    expect((await seats())['hal']).toBe('ta2');
    const synced = await syncedGuests(cursor);
    expect(synced.guests.map((g) => [g.id, g.table_id])).toEqual([['hal', 'ta2']]);
    expect(await audits('seat.move')).toEqual([{ entity_id: 'hal', actor: A.planner.account.email, before: { table_id: null }, after: { table_id: 'ta2' } }]);
  });

  it('an over-full table and an apart rule are refused with their reason; nothing is written', async () => {
    const before = await seats();
    const full = await move(A.planner, 'ana', 'ta10');
    expect(full.statusCode, full.body).toBe(422);
    expect(full.json()).toMatchObject({ error: 'seat_refused', refusal: { code: 'over_capacity', params: { table: 'T10', free: 1, needed: 2, name: 'Ana' } } });
    const apart = await move(A.planner, 'fay', 'ta2');
    expect(apart.statusCode, apart.body).toBe(422);
    expect(apart.json()).toMatchObject({ error: 'seat_refused', refusal: { code: 'apart', params: { other: 'Di', table: 'T2' } } });
    expect(await seats()).toEqual(before);
    expect(await audits('seat.move')).toHaveLength(1);
  });

  it('a together pair moves as one: both written, both audited, both answered', async () => {
    const res = await move(A.planner, 'eve', 'ta1');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ moved: ChartParty[] }>().moved.map((p) => [p.guest_id, p.table_id])).toEqual([['di', 'ta1'], ['eve', 'ta1']]);
    expect((await seats())).toMatchObject({ di: 'ta1', eve: 'ta1' });
    expect((await audits('seat.move')).slice(1).map((a) => [a.entity_id, a.before, a.after])).toEqual([
      ['eve', { table_id: null }, { table_id: 'ta1' }],
      ['di', { table_id: 'ta2' }, { table_id: 'ta1', with: 'eve' }],
    ]);
  });

  it('a locked party is refused until unlocked; a stale version is a conflict', async () => {
    const locked = await move(A.planner, 'gus', 'ta2');
    expect(locked.statusCode).toBe(422);
    expect(locked.json()).toMatchObject({ refusal: { code: 'locked', params: { name: 'Gus' } } });

    const gus = await party('gus');
    const stale = await post(A.planner, '/lock', { guest_id: 'gus', locked: false, version: gus.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'conflict' });
    const unlock = await post(A.planner, '/lock', { guest_id: 'gus', locked: false, version: gus.version });
    expect(unlock.statusCode, unlock.body).toBe(200);
    // The lock is the console's own: it bumps no synced version.
    expect(unlock.json()).toEqual({ moved: [{ ...gus, locked: false }] });
    const moved = await move(A.planner, 'gus', 'ta2', gus.version);
    expect(moved.statusCode, moved.body).toBe(200);
    const relock = await post(A.planner, '/lock', { guest_id: 'gus', locked: true, version: moved.json<{ moved: ChartParty[] }>().moved[0]!.version });
    expect(relock.statusCode).toBe(200);
    expect((await party('gus'))).toMatchObject({ table_id: 'ta2', locked: true });
    expect((await audits('seat.unlock')).map((a) => a.after)).toEqual([{ locked: false, table_id: 'ta10' }]);
    expect((await audits('seat.lock')).map((a) => a.after)).toEqual([{ locked: true, table_id: 'ta2' }]);

    // A move made from a chart read before another change: refused, nothing written.
    const hal = await party('hal');
    expect((await move(A.planner, 'hal', 'ta1', hal.version + 1)).statusCode).toBe(409);
    expect((await seats())['hal']).toBe('ta2');
  });

  it("replaces one party's relations (the guest file's rules included) and refuses a bad pair by name", async () => {
    const put = (who: TestSession, guestId: string, relations: unknown[]) =>
      asUser(app(), who, { method: 'PUT', url: `${base()}/relations/${guestId}`, payload: { relations } });
    const res = await put(A.planner, 'di', [{ other: 'fay', score: null, rule: 'apart' }, { other: 'bo', score: 10, rule: null }]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual([{ a: 'bo', b: 'di', score: 10, rule: null }, { a: 'di', b: 'fay', score: null, rule: 'apart' }]);
    // Di and Eve's together rule (from the guest file) is gone; Ana and Hal's pair is untouched.
    expect((await chart()).relations).toEqual([
      { a: 'ana', b: 'hal', score: -20, rule: null },
      { a: 'bo', b: 'di', score: 10, rule: null },
      { a: 'di', b: 'fay', score: null, rule: 'apart' },
    ]);
    expect(await audits('seat.relations')).toEqual([{
      entity_id: 'di', actor: A.planner.account.email,
      before: [{ a: 'di', b: 'eve', score: null, rule: 'together' }, { a: 'di', b: 'fay', score: null, rule: 'apart' }],
      after: [{ a: 'bo', b: 'di', score: 10, rule: null }, { a: 'di', b: 'fay', score: null, rule: 'apart' }],
    }]);
    // Di's pairs with Ivy, revoked and not on the chart, are kept for when she is let back in.
    expect(await t.db.query('SELECT a, b, score FROM guestlist.seating_relations WHERE occasion_id = $1 AND (a = $2 OR b = $2) ORDER BY a, b', [A.occasionId, 'di']))
      .toEqual([{ a: 'bo', b: 'di', score: 10 }, { a: 'di', b: 'fay', score: null }, { a: 'di', b: 'ivy', score: -50 }]);
    expect(await t.db.query('SELECT together_with, apart_from FROM guestlist.guest_seating WHERE guest_id = $1', ['di'])).toEqual([{ together_with: [], apart_from: ['ivy'] }]);
    // Eve no longer moves with Di.
    expect((await move(A.planner, 'eve', null)).json<{ moved: ChartParty[] }>().moved.map((p) => p.guest_id)).toEqual(['eve']);

    const both = await put(A.planner, 'di', [{ other: 'fay', score: 5, rule: 'apart' }]);
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toBe('the relation between Di (di) and Fay (fay) needs either a score or a rule, not both');
    expect((await put(A.planner, 'di', [{ other: 'fay', score: null, rule: null }])).json().message).toContain('Di (di) and Fay (fay) needs either a score or a rule, not neither');
    expect((await put(A.planner, 'di', [{ other: 'ivy', score: 1, rule: null }])).json()).toMatchObject({ error: 'bad_request', message: '"ivy" is no active guest of this occasion' });
    expect((await put(A.planner, 'di', [{ other: 'b-zoe', score: 1, rule: null }])).statusCode).toBe(400);
    expect((await put(A.planner, 'di', [{ other: 'di', score: 1, rule: null }])).json().message).toContain('cannot have a relation with itself');
    expect((await put(A.planner, 'nobody', [])).statusCode).toBe(404);
    expect((await chart()).relations).toHaveLength(3);
    expect(await audits('seat.relations')).toHaveLength(1);
  });

  let plan: AutoJob['result'] = null;
  it('auto-assign runs as a job to done with its moves and writes nothing; another tenant cannot see the job', async () => {
    const before = await seats();
    const started = await post(A.planner, '/auto', { time_limit_ms: 300 });
    expect(started.statusCode, started.body).toBe(202);
    const job = started.json<AutoJob>();
    expect(job).toMatchObject({ occasion_id: A.occasionId, limit_ms: 300, result: null, error: null });
    expect(['loading', 'solving']).toContain(job.stage);
    // A second start while it runs answers the same run.
    expect((await post(A.owner, '/auto', {})).json<AutoJob>().job_id).toBe(job.job_id);
    expect((await asUser(app(), B.owner, { method: 'GET', url: `${base()}/auto/${job.job_id}` })).statusCode).toBe(404);
    expect((await asUser(app(), B.owner, { method: 'GET', url: `${base(B.occasionId)}/auto/${job.job_id}` })).statusCode).toBe(404);

    const done = await finished(A.viewer, job.job_id);
    expect(done.stage, done.error ?? '').toBe('done');
    expect(done.elapsed_ms).toBeGreaterThan(0);
    plan = done.result!;
    expect(plan).toMatchObject({ guests_to_seat: 9, guests_seated: 9, locked: 1, unseated: [] });
    const to = Object.fromEntries(plan.moves.map((m) => [m.guest_id, m]));
    expect(to['cy']).toEqual({ guest_id: 'cy', name: 'Cy', party_size: 1, from: null, to: 'ta2' });
    expect(to['eve']).toMatchObject({ from: null, to: expect.any(String) });
    expect(to['gus']).toBeUndefined(); // locked
    expect(await seats()).toEqual(before);
    const events = await t.db.query<{ payload: { channel: string; guests: number } }>(`SELECT payload FROM telemetry.events_raw WHERE type = 'assign.completed' AND venue_id = $1`, [A.venueId]);
    expect(events.map((e) => e.payload)).toMatchObject([{ channel: 'console', guests: 9 }]);
    // The finished job is still there to read.
    expect((await finished(A.planner, job.job_id)).result).toEqual(plan);
  });

  it('apply writes the plan in one transaction with one audit entry; a party moved meanwhile is skipped', async () => {
    expect(plan).not.toBeNull();
    const moves = plan!.moves.map((m) => ({ guest_id: m.guest_id, from: m.from, to: m.to }));
    // Hal is unseated by hand before the plan is applied: the plan's move of Hal no longer starts where Hal is.
    const hal = await party('hal');
    expect((await move(A.planner, 'hal', null, hal.version)).statusCode).toBe(200);
    const withHal = moves.some((m) => m.guest_id === 'hal') ? moves : [...moves, { guest_id: 'hal', from: hal.table_id, to: 'ta10' }];

    const res = await post(A.planner, '/apply', { moves: withHal });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ applied: withHal.length - 1, skipped: [{ guest_id: 'hal', reason: 'moved meanwhile' }] });
    const after = await seats();
    for (const m of withHal) if (m.guest_id !== 'hal') expect(after[m.guest_id]).toBe(m.to);
    expect(after['hal']).toBeNull();
    const entries = await audits('seating.auto_assign');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entity_id: A.occasionId, actor: A.planner.account.email, after: { moves: withHal.filter((m) => m.guest_id !== 'hal').map((m) => ({ guest: m.guest_id, from: m.from, to: m.to })), skipped: 1 } });
  });

  it('an apply that would overfill a table or break a rule keeps nothing; an unknown table is a bad request', async () => {
    const c = await chart();
    const before = await seats();
    // Everyone not locked to T10 (2 seats): the first moves fit, the rest do not.
    const overfill = c.parties.filter((p) => !p.locked && p.table_id !== 'ta10').map((p) => ({ guest_id: p.guest_id, from: p.table_id, to: 'ta10' }));
    const res = await post(A.planner, '/apply', { moves: overfill });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().message).toMatch(/T10 would seat \d+ guests but has 2 seats.*nothing was applied/);
    expect(await seats()).toEqual(before);

    // Di and Fay (apart) both at a table with the seats for them: only the rule breaks.
    const di = c.parties.find((p) => p.guest_id === 'di')!;
    const fay = c.parties.find((p) => p.guest_id === 'fay')!;
    const free = (id: string) => c.tables.find((x) => x.id === id)!.capacity - c.parties.reduce((n, p) => n + (p.table_id === id ? p.party_size : 0), 0);
    const target = c.tables.find((x) => free(x.id) >= [di, fay].filter((p) => p.table_id !== x.id).length)!.id;
    const together = [di, fay].filter((p) => p.table_id !== target).map((p) => ({ guest_id: p.guest_id, from: p.table_id, to: target }));
    const apart = await post(A.planner, '/apply', { moves: together });
    expect(apart.statusCode, apart.body).toBe(409);
    expect(apart.json().message).toContain("Di's and Fay's parties must sit apart");
    expect(await seats()).toEqual(before);

    const unknown = await post(A.planner, '/apply', { moves: [{ guest_id: 'bo', from: before['bo'], to: 'tb1' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe('no table "tb1" in this venue');
    const locked = await post(A.planner, '/apply', { moves: [{ guest_id: 'gus', from: 'ta2', to: 'ta1' }] });
    expect(locked.json()).toEqual({ applied: 0, skipped: [{ guest_id: 'gus', reason: 'locked' }] });
    expect(await seats()).toEqual(before);
    expect(await audits('seating.auto_assign')).toHaveLength(1);
  });

  it('a viewer reads the chart but every write is forbidden', async () => {
    const hal = await party('hal');
    const writes = [
      { method: 'POST', url: `${base()}/move`, payload: { guest_id: 'hal', table_id: null, version: hal.version } },
      { method: 'POST', url: `${base()}/lock`, payload: { guest_id: 'hal', locked: true, version: hal.version } },
      { method: 'PUT', url: `${base()}/relations/hal`, payload: { relations: [] } },
      { method: 'POST', url: `${base()}/auto`, payload: {} },
      { method: 'POST', url: `${base()}/apply`, payload: { moves: [] } },
    ] as const;
    for (const w of writes) {
      const res = await asUser(app(), A.viewer, { method: w.method, url: w.url, payload: w.payload });
      expect(res.statusCode, `${w.method} ${w.url}`).toBe(403);
    }
    expect(await party('hal')).toEqual(hal);
  });
});
