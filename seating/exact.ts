// The exact side of the seating engine: HiGHS in a worker thread with a time limit, and the plan that combines the
// engine's heuristic plan with HiGHS's bound. A crash, a timeout or running out of memory is a missing bound, never a
// failed plan.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { solveSeating, type SolveOptions } from '../core/seating/engine';
import { buildSeatingMip, DEFAULT_MAX_MIP_COLUMNS } from '../core/seating/mip';
import type { SeatingPlan, SeatingProblem } from '../core/seating/problem';
import { checkPlan, relativeGap, scoreAssignments } from '../core/seating/score';

const WORKER = new URL('./highs-worker.mjs', import.meta.url);
/** Loading HiGHS's WebAssembly and answering take time beyond the solver's own limit before the worker is killed. */
const GRACE_MS = 1500;

export type ExactStatus = 'optimal' | 'time_limit' | 'infeasible' | 'crashed' | 'timeout' | 'model_too_large' | 'empty' | string;

export interface ExactResult {
  /** An upper bound on the score of plans that seat every party who can sit somewhere; null when none is known. */
  bound: number | null;
  /** HiGHS proved `objective` optimal. */
  optimal: boolean;
  /** The score of HiGHS's best plan, and that plan. */
  objective: number | null;
  assignments: { party: string; table: string }[] | null;
  status: ExactStatus;
  /** Why there is no bound, when there is none. */
  reason: string | null;
  ms: number;
}

export interface ExactRun {
  /** HiGHS's proven optimum as soon as the worker has one (readable while this thread is busy), else null. */
  provenOptimum(): number | null;
  result: Promise<ExactResult>;
  stop(): void;
}

function missing(status: ExactStatus, reason: string, ms = 0): ExactResult {
  return { bound: null, optimal: false, objective: null, assignments: null, status, reason, ms };
}

/** Starts HiGHS on the problem's MIP in a worker; the whole run (loading included) ends within timeLimitMs + grace. */
export function startExact(problem: SeatingProblem, opts: { timeLimitMs: number; maxColumns?: number; graceMs?: number; resourceLimits?: ResourceLimits }): ExactRun {
  const built = buildSeatingMip(problem, opts.maxColumns ?? DEFAULT_MAX_MIP_COLUMNS);
  if (!built.ok) return { provenOptimum: () => null, result: Promise.resolve(missing('model_too_large', built.reason)), stop: () => {} };
  const mip = built.mip;
  if (mip.xColumns.length === 0) {
    const r: ExactResult = { bound: mip.offset, optimal: true, objective: mip.offset, assignments: [], status: 'empty', reason: null, ms: 0 };
    return { provenOptimum: () => mip.offset, result: Promise.resolve(r), stop: () => {} };
  }
  const shared = new SharedArrayBuffer(16);
  const flag = new Int32Array(shared, 0, 1);
  const value = new Float64Array(shared, 8, 1);
  const t0 = performance.now();
  const worker = new Worker(WORKER, { workerData: { lp: mip.lp, xNames: mip.xColumns.map((c) => c.name), timeLimitMs: opts.timeLimitMs, shared }, resourceLimits: opts.resourceLimits });
  const killAfter = opts.timeLimitMs + (opts.graceMs ?? GRACE_MS);
  let settle: (r: ExactResult) => void = () => {};
  const result = new Promise<ExactResult>((resolve) => (settle = resolve));
  let done = false;
  const finish = (r: ExactResult) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    void worker.terminate();
    settle(r);
  };
  const timer = setTimeout(() => finish(missing('timeout', `HiGHS did not answer within ${killAfter} ms`, performance.now() - t0)), killAfter);
  worker.once('message', (msg: { status: string; bound: number | null; objective: number | null; values: Float64Array | null; ms: number }) => {
    const ms = performance.now() - t0;
    if (msg.status === 'infeasible') return finish(missing('infeasible', 'no plan seats every party that has a table it may sit at', ms));
    // The objective is integral, so a fractional bound rounds down.
    const bound = msg.bound === null ? null : Math.floor(msg.bound + mip.offset + 1e-6);
    let assignments: ExactResult['assignments'] = null;
    if (msg.values) {
      assignments = [];
      msg.values.forEach((v, i) => {
        if (v > 0.5) assignments!.push({ party: problem.parties[mip.xColumns[i]!.party]!.id, table: problem.tables[mip.xColumns[i]!.table]!.id });
      });
    }
    const objective = msg.objective === null ? null : Math.round(msg.objective + mip.offset);
    finish({ bound, optimal: msg.status === 'optimal', objective, assignments, status: msg.status, reason: bound === null ? `HiGHS ended with ${msg.status} and no bound` : null, ms });
  });
  worker.once('error', (e: Error) => {
    const oom = /memory|ERR_WORKER_OUT_OF_MEMORY/i.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`);
    finish(missing(oom ? 'out_of_memory' : 'crashed', `HiGHS ${oom ? 'ran out of memory' : 'crashed'}: ${e.message}`, performance.now() - t0));
  });
  worker.once('exit', (code) => finish(missing('crashed', `HiGHS worker exited with code ${code} before answering`, performance.now() - t0)));
  return {
    provenOptimum: () => (Atomics.load(flag, 0) === 1 ? Math.floor(value[0]! + mip.offset + 1e-6) : null),
    result,
    stop: () => finish(missing('stopped', 'not needed: the plan was proven optimal without it', performance.now() - t0)),
  };
}

const UNSEATABLE = /^(party_larger_than_any_table|together_group_larger_than_any_table|no_table_with_tags|tables_with_tags_too_small)\b/;

export interface SolveWithBoundOptions extends Omit<SolveOptions, 'externalBound' | 'timeBudgetMs' | 'now'> {
  /** Wall time for the whole solve: the engine's search and HiGHS run side by side within it. */
  timeLimitMs: number;
  now?: () => number;
  /** false: the engine alone (its own bound only). */
  exact?: boolean;
  maxColumns?: number;
  /** Caps the HiGHS worker's memory; beyond it the worker dies and the plan has no exact bound. */
  resourceLimits?: ResourceLimits;
}

export interface SolveWithBoundResult {
  plan: SeatingPlan;
  exact: ExactResult | null;
  /** The engine's own plan's score, before a better plan HiGHS found replaced it. */
  engineScore: number;
  source: 'engine' | 'highs';
}

/**
 * The engine's plan with HiGHS's bound. `optimal` is true only when a bound equal to the plan's score is proven (by
 * HiGHS, or by the engine's own bound); `gap` uses the tighter bound. A HiGHS plan scoring more replaces the engine's,
 * after it passes every check. HiGHS's bound counts only when the plan seats everyone who can sit somewhere.
 */
export async function solveWithBound(problem: SeatingProblem, opts: SolveWithBoundOptions): Promise<SolveWithBoundResult> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  // Re-seating keeps people where they are; an unconstrained optimum is no yardstick for it.
  const useExact = opts.exact !== false && !opts.current;
  const run = useExact ? startExact(problem, { timeLimitMs: opts.timeLimitMs, maxColumns: opts.maxColumns, resourceLimits: opts.resourceLimits }) : null;
  const engine = solveSeating(problem, { ...opts, timeBudgetMs: opts.timeLimitMs, now, externalBound: run ? run.provenOptimum : undefined });
  const { stats: _stats, ...enginePlan } = engine;
  let plan: SeatingPlan = enginePlan;
  let exact: ExactResult | null = null;
  let source: SolveWithBoundResult['source'] = 'engine';
  if (run) {
    if (engine.optimal && run.provenOptimum() === null) run.stop();
    exact = await run.result;
    const complete = plan.unseated.every((u) => UNSEATABLE.test(u.reason));
    if (complete && exact.objective !== null && exact.assignments && exact.objective > plan.score) {
      const seated = new Set(exact.assignments.map((a) => a.party));
      const candidate = { assignments: exact.assignments, unseated: plan.unseated.filter((u) => !seated.has(u.party)), score: scoreAssignments(problem, exact.assignments) };
      if (checkPlan(problem, candidate).ok && candidate.score > plan.score) {
        plan = { ...plan, ...candidate };
        source = 'highs';
      }
    }
    if (complete && exact.bound !== null) {
      const bound = Math.min(engine.stats.bound, exact.bound);
      plan = { ...plan, optimal: plan.score >= bound, gap: relativeGap(plan.score, bound) };
    }
  }
  plan.duration_ms = Math.round(Math.max(0, now() - t0));
  return { plan, exact, engineScore: engine.score, source };
}
