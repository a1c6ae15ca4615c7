import { describe, expect, it } from 'vitest';
import { firstFitDecreasing, generateSeating } from '../bench/seating-generate';
import { solveSeating } from '../core/seating/engine';
import { checkPlan } from '../core/seating/score';
import { solveWithBound, startExact } from './exact';

describe('engine against HiGHS', () => {
  // Small Wedding-Seating-style problems HiGHS proves in well under a few seconds each.
  const problems = [[8, 1], [8, 2], [10, 1], [10, 2]] as const;
  for (const [parties, seed] of problems) {
    it(`${parties} parties (seed ${seed}): the engine's score equals HiGHS's proven optimum`, async () => {
      const problem = generateSeating({ parties, seed });
      const exact = await startExact(problem, { timeLimitMs: 20_000 }).result;
      expect(exact.status).toBe('optimal');
      expect(exact.optimal).toBe(true);
      // HiGHS's own plan keeps every rule and scores what it says.
      expect(checkPlan(problem, { assignments: exact.assignments!, unseated: [], score: exact.objective! })).toEqual({ ok: true });
      const plan = solveSeating(problem, { timeBudgetMs: 500, seed: 1, now: () => performance.now() });
      expect(checkPlan(problem, plan)).toEqual({ ok: true });
      expect(plan.score).toBe(exact.objective);
      // A score-blind first fit does worse on these problems: the comparison has teeth.
      expect(firstFitDecreasing(problem).score).toBeLessThan(exact.objective!);
    });
  }

  it('solveWithBound reports optimal with a zero gap once HiGHS proves the plan\'s score', async () => {
    const problem = generateSeating({ parties: 9, seed: 5 });
    const { plan, exact } = await solveWithBound(problem, { timeLimitMs: 20_000, seed: 1 });
    expect(exact?.status).toBe('optimal');
    expect(plan).toMatchObject({ optimal: true, gap: 0 });
    expect(checkPlan(problem, plan)).toEqual({ ok: true });
  });
});

describe('a failing exact solver is a missing bound, never a failed plan', () => {
  const problem = generateSeating({ parties: 10, seed: 1 });

  it('HiGHS out of memory: bound null with the reason, the plan still comes', async () => {
    const { plan, exact } = await solveWithBound(problem, { timeLimitMs: 300, seed: 1, resourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } });
    expect(exact).toMatchObject({ bound: null, status: 'out_of_memory', reason: expect.stringMatching(/memory/) });
    expect(checkPlan(problem, plan)).toEqual({ ok: true });
    expect(plan.unseated).toEqual([]);
    // The engine's own bound still gives a gap; nothing is claimed optimal without a proof.
    expect(plan.gap).not.toBeNull();
    if (plan.optimal) expect(plan.gap).toBe(0);
  });

  it('a worker that does not answer in time is killed: status timeout, bound null', async () => {
    const t0 = performance.now();
    const r = await startExact(problem, { timeLimitMs: 1, graceMs: 0 }).result;
    expect(r).toMatchObject({ bound: null, status: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a model too large for the exact check is skipped with its reason', async () => {
    const big = generateSeating({ parties: 60, seed: 1 });
    const { plan, exact } = await solveWithBound(big, { timeLimitMs: 200, seed: 1, maxColumns: 100 });
    expect(exact).toMatchObject({ bound: null, status: 'model_too_large' });
    expect(checkPlan(big, plan)).toEqual({ ok: true });
  });
});
