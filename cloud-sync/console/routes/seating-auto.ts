// The seating chart's auto-assign: a run of the seating engine on the occasion's guest list, in a worker thread
// (cloud-sync/seating/solve-thread.ts, so ingest and the console's other requests keep being answered), followed by
// the page; and the apply of the plan's moves the planner accepted, which is the only write.
//
// A job lives in the memory of the replica that runs it, for JOB_TTL_MS after it ends: behind a load balancer
// without sticky sessions a GET on another replica answers 404 and the page offers to run it again. Apply is
// stateless (the moves come with the request and are checked against the chart as it is), so it works on any replica.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ApplyRequest, ApplyResult, AutoJob, AutoResult, AutoStage } from '../../../core/console/seating';
import type { Db, Queryable } from '../../db';
import { lockVenue } from '../../guestlist/common';
import { applyMoves, loadOccasion, storeAssignCompleted } from '../../seating/assign';
import { assignCompletedPayload, type OccasionPlan } from '../../seating/occasion-plan';
import { planInWorker, stopSpareSolveWorker } from '../../seating/solve-thread';
import { recordAudit, type AuditActor } from '../audit';
import { ConsoleError } from '../errors';
import { scoped } from '../scope';
import type { ConsoleSession } from '../session';
import { chartBreaks, loadChart } from './seating-data';
import type { OccasionRef } from './seating-edit';

/** The console's time limit when the page names none: a planner waits for it. */
export const DEFAULT_AUTO_LIMIT_MS = 1500;
/** A finished job is kept this long for the page to read (and to re-read after a reload). */
const JOB_TTL_MS = 30 * 60_000;

/** What one process holds at most; the oldest finished jobs go first when a bound is passed. */
export interface AutoJobLimits {
  /** Runs at once: each is a worker thread with the engine and HiGHS loaded (tens of MB), one per occasion. */
  running: number;
  /** Finished jobs kept. */
  finished: number;
  /** Plan moves kept across the finished jobs: a 3,000-guest plan holds up to 3,000 of them. */
  moves: number;
}
const LIMITS: AutoJobLimits = { running: 4, finished: 500, moves: 100_000 };
/** What a run refused for want of a slot tells the page to wait. */
const BUSY_RETRY_S = 5;

interface Job {
  id: string;
  tenantId: string;
  occasionId: string;
  stage: AutoStage;
  startedAt: number;
  endedAt: number | null;
  limitMs: number;
  result: AutoResult | null;
  error: string | null;
}

function autoResult(plan: OccasionPlan): AutoResult {
  return {
    score: plan.score, optimal: plan.optimal, gap: plan.gap, duration_ms: Math.max(0, Math.round(plan.duration_ms)),
    guests_to_seat: plan.guests_to_seat, guests_seated: plan.guests_seated, locked: plan.locked, unseated: plan.unseated, moves: plan.moves,
  };
}

export class AutoJobs {
  private readonly jobs = new Map<string, Job>();
  /** occasion id → its running job: one run per occasion at a time. */
  private readonly running = new Map<string, Job>();
  /** The runs under way, which close() waits for: none touches the database after the service closed it. */
  private readonly runs = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private readonly limits: AutoJobLimits;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    private readonly clock: () => number = () => performance.now(),
    limits: Partial<AutoJobLimits> = {},
  ) {
    this.limits = { ...LIMITS, ...limits };
  }

  /**
   * The occasion's running job if it has one (whatever limit this call names), else a new one; 503 unavailable when
   * this process already runs as many as it may.
   */
  start(session: Pick<ConsoleSession, 'tenantId' | 'accountId'>, occasion: OccasionRef, limitMs: number): AutoJob {
    this.sweep();
    const busy = this.running.get(occasion.id);
    if (busy) return this.view(busy);
    if (this.running.size >= this.limits.running) {
      throw new ConsoleError('unavailable', `the server is busy with other auto-assign runs; try again in ${BUSY_RETRY_S} seconds`, { retry_after_s: BUSY_RETRY_S });
    }
    const job: Job = { id: `auto_${randomUUID()}`, tenantId: session.tenantId, occasionId: occasion.id, stage: 'loading', startedAt: this.clock(), endedAt: null, limitMs, result: null, error: null };
    this.jobs.set(job.id, job);
    this.running.set(occasion.id, job);
    const run = this.run(job, session).finally(() => {
      this.running.delete(occasion.id);
      this.runs.delete(run);
    });
    this.runs.add(run);
    return this.view(job);
  }

  /** The job, if this tenant's and this occasion's; else null (404: nobody learns another tenant's job exists). */
  get(tenantId: string, occasionId: string, jobId: string): AutoJob | null {
    this.sweep();
    const job = this.jobs.get(jobId);
    return job && job.tenantId === tenantId && job.occasionId === occasionId ? this.view(job) : null;
  }

  /** Stops the running workers (the service is closing) and waits for their runs to end. */
  async close(): Promise<void> {
    this.stop.abort();
    stopSpareSolveWorker();
    await Promise.allSettled([...this.runs]);
  }

  private view(job: Job): AutoJob {
    return {
      job_id: job.id, occasion_id: job.occasionId, stage: job.stage,
      elapsed_ms: Math.max(0, Math.round((job.endedAt ?? this.clock()) - job.startedAt)), limit_ms: job.limitMs, result: job.result, error: job.error,
    };
  }

  private end(job: Job, stage: 'done' | 'failed', error: string | null = null): void {
    job.stage = stage;
    job.error = error;
    job.endedAt = this.clock();
  }

  private async run(job: Job, session: Pick<ConsoleSession, 'tenantId' | 'accountId'>): Promise<void> {
    try {
      const data = await scoped(this.db, session, (q) => loadOccasion(q, job.occasionId, job.tenantId));
      job.stage = 'solving';
      const outcome = await planInWorker(data, { timeLimitMs: job.limitMs, signal: this.stop.signal });
      if (!outcome.ok) {
        if ('detail' in outcome) this.log.error({ job: job.id, occasion: job.occasionId, detail: outcome.detail }, 'console auto-assign: the solve worker failed');
        this.end(job, 'failed', outcome.message);
        return;
      }
      job.result = autoResult(outcome.plan);
      try {
        await storeAssignCompleted(this.db, data.tenant_id, data.venue_id, assignCompletedPayload(outcome.plan, 'console'));
      } catch (e) {
        // The planner's plan stands; only the run's metric is missing.
        this.log.error({ err: e, job: job.id }, 'console auto-assign: storing assign.completed failed');
      }
      this.end(job, 'done');
    } catch (e) {
      this.log.error({ err: e, job: job.id, occasion: job.occasionId }, 'console auto-assign: the run failed');
      this.end(job, 'failed', 'auto-assign could not read the guest list; nothing was changed, try again');
    }
  }

  /** Drops finished jobs past their time, and the oldest beyond the count and moves kept (the newest always stays). */
  private sweep(): void {
    const now = this.clock();
    const finished = [...this.jobs.values()].filter((j) => j.endedAt !== null).sort((a, b) => b.endedAt! - a.endedAt!);
    let moves = 0;
    finished.forEach((j, i) => {
      moves += j.result?.moves.length ?? 0;
      if (now - j.endedAt! > JOB_TTL_MS || i >= this.limits.finished || (i > 0 && moves > this.limits.moves)) this.jobs.delete(j.id);
    });
  }
}

/**
 * Writes the plan's moves in one transaction under the venue lock, each only where the party still sits at `from`
 * and is not locked (else skipped: 'moved meanwhile', 'locked'). The chart that results must keep every table within its capacity and every
 * hard rule and need of the moved parties, or nothing is kept (409 with the reason). One audit entry lists the moves.
 */
export async function applyPlan(q: Queryable, tenantId: string, occasion: OccasionRef, req: ApplyRequest, who: AuditActor): Promise<ApplyResult> {
  await lockVenue(q, occasion.venue_id);
  const before = await loadChart(q, tenantId, occasion);
  const tables = new Set(before.tables.map((t) => t.id));
  const seen = new Set<string>();
  for (const m of req.moves) {
    if (m.to !== null && !tables.has(m.to)) throw new ConsoleError('bad_request', `no table "${m.to}" in this venue`);
    if (seen.has(m.guest_id)) throw new ConsoleError('bad_request', `guest "${m.guest_id}" is moved twice`);
    seen.add(m.guest_id);
  }
  // A party locked meanwhile stays: the plan was made without the lock.
  const locked = new Set(before.parties.filter((p) => p.locked).map((p) => p.guest_id));
  const writable = req.moves.filter((m) => !locked.has(m.guest_id));
  const applied = new Set(await applyMoves(q, { venueId: occasion.venue_id, occasionId: occasion.id }, writable));
  const live = new Set(before.parties.map((p) => p.guest_id));
  const skipped: ApplyResult['skipped'] = req.moves
    .filter((m) => !applied.has(m.guest_id) && m.from !== m.to)
    .map((m) => ({ guest_id: m.guest_id, reason: locked.has(m.guest_id) ? 'locked' : live.has(m.guest_id) ? 'moved meanwhile' : 'not on the guest list' }));
  if (applied.size) {
    const broken = chartBreaks(await loadChart(q, tenantId, occasion), applied);
    if (broken) throw new ConsoleError('conflict', `the plan no longer fits the chart (${broken}); nothing was applied, run auto-assign again`);
    await recordAudit(q, who, {
      tenantId, action: 'seating.auto_assign', entity: 'occasion', entityId: occasion.id, venueId: occasion.venue_id,
      after: { moves: req.moves.filter((m) => applied.has(m.guest_id)).map((m) => ({ guest: m.guest_id, from: m.from, to: m.to })), skipped: skipped.length },
    });
  }
  return { applied: applied.size, skipped };
}
