// The seating engine on Wedding-Seating-style problems (bench/seating-generate.ts). Prints one JSON line:
// (a) 5 problems of 12–18 parties: the engine's score in ≤ 1 s against HiGHS's proven optimum, same run;
// (b) 2,000 and 10,000 guests: time to the plan and its score against first-fit decreasing (score-blind, hard rules
//     kept) and a score-aware greedy (best construction, no search), both computed in the same run; RSS.
import { loadavg } from 'node:os';
import { solveSeating } from '../core/seating/engine';
import { checkPlan } from '../core/seating/score';
import { startExact } from '../seating/exact';
import { firstFitDecreasing, generateSeating } from './seating-generate';

const now = () => performance.now();
const round = (x: number, d = 1) => Number(x.toFixed(d));

const small = [];
for (const [parties, seed] of [[12, 101], [14, 102], [15, 103], [16, 104], [18, 105]] as const) {
  const problem = generateSeating({ parties, seed });
  const t0 = now();
  const plan = solveSeating(problem, { timeBudgetMs: 1000, seed: 1, now, externalBound: undefined });
  const engineMs = now() - t0;
  const exact = await startExact(problem, { timeLimitMs: 120_000 }).result;
  small.push({
    parties,
    tables: problem.tables.length,
    engine_score: plan.score,
    engine_ms: Math.round(engineMs),
    engine_proved: plan.optimal,
    highs_status: exact.status,
    highs_optimum: exact.optimal ? exact.objective : null,
    highs_bound: exact.bound,
    highs_ms: Math.round(exact.ms),
    valid: checkPlan(problem, plan).ok,
    within_1pct: exact.bound !== null && plan.score >= exact.bound - Math.abs(exact.bound) * 0.01,
  });
}

const large = [];
for (const [guests, parties, budget, goalMs] of [[2000, 445, 1500, 2000], [10_000, 2222, 8000, 10_000]] as const) {
  const problem = generateSeating({ parties, seed: guests, knows: 24, accessible: true });
  const actualGuests = problem.parties.reduce((n, p) => n + p.size, 0);
  const g0 = now();
  const ffd = firstFitDecreasing(problem);
  const ffdMs = now() - g0;
  const i0 = now();
  const construction = solveSeating(problem, { timeBudgetMs: 0, seed: 1, now, maxIterations: 0 });
  const constructionMs = now() - i0;
  const t0 = now();
  const plan = solveSeating(problem, { timeBudgetMs: budget, seed: 1, now });
  const ms = now() - t0;
  const check = checkPlan(problem, plan);
  large.push({
    guests: actualGuests,
    parties,
    tables: problem.tables.length,
    relations: problem.relations!.length,
    ms: Math.round(ms),
    score: plan.score,
    unseated: plan.unseated.length,
    bound: plan.stats.bound,
    iterations: plan.stats.iterations,
    hard_rules_kept: check.ok,
    ffd_score: ffd.score,
    ffd_unseated: ffd.unseated,
    ffd_ms: Math.round(ffdMs),
    vs_ffd: ffd.score > 0 ? round(plan.score / ffd.score, 2) : null,
    construction_score: construction.score,
    construction_ms: Math.round(constructionMs),
    vs_construction: construction.score > 0 ? round(plan.score / construction.score, 2) : null,
    goal_ms: goalMs,
    pass_time: ms <= goalMs,
    // 1.2× a baseline whose score is ≤ 0 is no goal at all: then the plan must at least score above it and be positive.
    pass_score: ffd.score > 0 ? plan.score >= 1.2 * ffd.score : plan.score > Math.max(0, ffd.score),
  });
}

console.log(JSON.stringify({
  bench: 'seating',
  small,
  large,
  pass_small: small.every((s) => s.valid && s.within_1pct && s.engine_ms <= 1100),
  pass_large: large.every((l) => l.pass_time && l.pass_score && l.hard_rules_kept && l.unseated <= l.ffd_unseated),
  rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  load_avg_1m: round(loadavg()[0]!, 2),
}));
