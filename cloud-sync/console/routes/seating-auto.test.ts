// The auto-assign job store's bounds, on PGlite and the real PostgreSQL with real solve workers: a process runs only
// so many at once (the next is 503 unavailable with a retry time, and starts once a slot is free), keeps only so many
// plan moves once the runs are over (the oldest job goes, the newest stays), and closing waits for the runs under way,
// which end failed rather than stay 'solving'.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutoJob } from '../../../core/console/seating';
import { addOccasion, importTables } from '../../guestlist/manage';
import { importGuests } from '../../guestlist/import-guests';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { consoleTenant, type ConsoleTenant } from '../../../tests/fixtures/console';
import { ConsoleError } from '../errors';
import { AutoJobs } from './seating-auto';

const GUESTS = 'guest_id,name,party_size,barcode\nana,Ana,2,B-ANA\nbo,Bo,1,B-BO\ncy,Cy,3,B-CY\n';

describe.each(backends())('console auto-assign jobs on %s', (backend) => {
  let t: TestDatabase;
  let A: ConsoleTenant;
  let second: { id: string; venue_id: string };
  // fastify's own logger with logging off: what the plugin hands the store.
  const log = Fastify({ logger: false }).log;
  const session = () => ({ tenantId: A.tenantId, accountId: A.planner.account.id });
  const first = () => ({ id: A.occasionId, venue_id: A.venueId });
  const ended = async (jobs: AutoJobs, job: AutoJob): Promise<AutoJob> => {
    for (let i = 0; i < 600; i++) {
      const now = jobs.get(A.tenantId, job.occasion_id, job.job_id);
      if (!now) throw new Error(`job ${job.job_id} is gone`);
      if (now.stage === 'done' || now.stage === 'failed') return now;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the auto-assign job did not end');
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    A = await consoleTenant(t.db, 'A');
    const occ = await addOccasion(t.db, { venueId: A.venueId, name: 'A lunch', startsAt: '2027-01-02T12:00:00Z', endsAt: '2027-01-02T16:00:00Z', timezone: 'Europe/Madrid' });
    second = { id: occ.id, venue_id: A.venueId };
    await importTables(t.db, A.venueId, 'id,label,capacity\nt1,T1,4\nt2,T2,4\n');
    await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: GUESTS });
    await importGuests(t.db, { venueId: A.venueId, occasionId: second.id, csv: GUESTS.replace(/(ana|bo|cy),/g, 'l-$1,').replace(/B-/g, 'L-') });
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('runs one at a time when allowed one: the next occasion is refused as unavailable, then starts once it ended', async () => {
    const jobs = new AutoJobs(t.db, log, undefined, { running: 1 });
    try {
      const a = jobs.start(session(), first(), 300);
      // The same occasion again is the same run, not a refusal.
      expect(jobs.start(session(), first(), 300).job_id).toBe(a.job_id);
      let refused: unknown;
      try {
        jobs.start(session(), second, 300);
      } catch (e) {
        refused = e;
      }
      expect(refused).toBeInstanceOf(ConsoleError);
      expect(refused).toMatchObject({ code: 'unavailable', status: 503, extra: { retry_after_s: 5 } });
      expect((await ended(jobs, a)).stage).toBe('done');
      const b = await ended(jobs, jobs.start(session(), second, 300));
      expect(b).toMatchObject({ stage: 'done', occasion_id: second.id });
      expect(b.result!.moves.map((m) => m.guest_id).sort()).toEqual(['l-ana', 'l-bo', 'l-cy']);
    } finally {
      await jobs.close();
    }
  }, 120_000);

  it('keeps at most the moves it may once runs are over: the older job goes, the newest stays', async () => {
    // Each plan seats the three parties: three moves, so a budget of four keeps one job's plan.
    const jobs = new AutoJobs(t.db, log, undefined, { moves: 4 });
    try {
      const a = await ended(jobs, jobs.start(session(), first(), 300));
      expect(a.result!.moves).toHaveLength(3);
      const b = await ended(jobs, jobs.start(session(), second, 300));
      expect(b.result!.moves).toHaveLength(3);
      expect(jobs.get(A.tenantId, a.occasion_id, a.job_id)).toBeNull();
      expect(jobs.get(A.tenantId, b.occasion_id, b.job_id)).toMatchObject({ stage: 'done' });
    } finally {
      await jobs.close();
    }
  }, 120_000);

  it('closing waits for the run under way, which ends failed and nothing else', async () => {
    const jobs = new AutoJobs(t.db, log);
    const job = jobs.start(session(), first(), 10_000);
    await jobs.close();
    const after = jobs.get(A.tenantId, job.occasion_id, job.job_id);
    expect(after).toMatchObject({ stage: 'failed', result: null });
    expect(after!.error).toMatch(/shutting down/);
  }, 120_000);
});
