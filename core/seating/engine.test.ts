import { describe, expect, it } from 'vitest';
import { solveSeating, type SolveOptions } from './engine';
import type { SeatingProblem } from './problem';
import { checkPlan } from './score';

/** A clock that advances 1 ms per reading: runs stop at the same iteration on any machine. */
function countingClock(): () => number {
  let t = 0;
  return () => t++;
}
const solve = (problem: SeatingProblem, o: Partial<SolveOptions> = {}) => {
  const plan = solveSeating(problem, { timeBudgetMs: 150, seed: 1, now: () => performance.now(), ...o });
  const check = checkPlan(problem, plan);
  expect(check, JSON.stringify(check)).toEqual({ ok: true });
  return plan;
};
const tableOf = (plan: { assignments: { party: string; table: string }[] }) => Object.fromEntries(plan.assignments.map((a) => [a.party, a.table]));
const tables = (n: number, capacity = 10, tags?: string[]) => Array.from({ length: n }, (_, i) => ({ id: `T${i + 1}`, capacity, ...(tags ? { tags } : {}) }));
const parties = (sizes: number[]) => sizes.map((size, i) => ({ id: `P${i + 1}`, size }));

describe('hard rules and reasons', () => {
  const cases: { name: string; problem: SeatingProblem; expect: (plan: ReturnType<typeof solve>) => void }[] = [
    {
      name: 'together: seated at one table although their scores pull them apart',
      problem: { tables: tables(2, 6), parties: parties([3, 3, 2]), relations: [{ a: 'P1', b: 'P2', together: true }, { a: 'P1', b: 'P2', score: -50 }, { a: 'P2', b: 'P3', score: 9 }] },
      expect: (plan) => {
        expect(tableOf(plan).P1).toBe(tableOf(plan).P2);
        expect(plan.score).toBe(-50);
      },
    },
    {
      name: 'apart: at different tables although their score pulls them together',
      problem: { tables: tables(2), parties: parties([2, 2]), relations: [{ a: 'P1', b: 'P2', apart: true }, { a: 'P1', b: 'P2', score: 100 }] },
      expect: (plan) => {
        expect(tableOf(plan).P1).not.toBe(tableOf(plan).P2);
        expect(plan.score).toBe(0);
      },
    },
    {
      name: 'capacity: a liking pair that does not fit one table sits apart',
      problem: { tables: tables(2, 5), parties: parties([3, 3]), relations: [{ a: 'P1', b: 'P2', score: 10 }] },
      expect: (plan) => {
        expect(plan.unseated).toEqual([]);
        expect(tableOf(plan).P1).not.toBe(tableOf(plan).P2);
      },
    },
    {
      name: 'a locked party stays at its table, its friends come to it',
      problem: { tables: tables(3), parties: [{ id: 'P1', size: 2, table: 'T3' }, ...parties([0, 4, 4]).slice(1)], relations: [{ a: 'P1', b: 'P2', score: 5 }, { a: 'P1', b: 'P3', score: 5 }] },
      expect: (plan) => {
        expect(tableOf(plan)).toMatchObject({ P1: 'T3', P2: 'T3', P3: 'T3' });
        expect(plan).toMatchObject({ score: 10, optimal: true, gap: 0 });
      },
    },
    {
      name: 'needs: a party needing accessible sits at the accessible table, even against its score',
      problem: { tables: [...tables(2), { id: 'A1', capacity: 4, tags: ['accessible', 'vip'] }], parties: [{ id: 'P1', size: 2, needs: ['accessible'] }, { id: 'P2', size: 6 }], relations: [{ a: 'P1', b: 'P2', score: 5 }] },
      expect: (plan) => {
        expect(tableOf(plan).P1).toBe('A1');
        expect(plan.score).toBe(0);
      },
    },
    {
      name: 'a party larger than any table is unseated, the rest seated',
      problem: { tables: tables(2, 8), parties: parties([9, 3]) },
      expect: (plan) => {
        expect(plan.unseated).toEqual([{ party: 'P1', reason: 'party_larger_than_any_table' }]);
        expect(plan.assignments.map((a) => a.party)).toEqual(['P2']);
      },
    },
    {
      name: 'three mutually-apart parties and two tables: one unseated, naming the other two',
      problem: { tables: tables(2), parties: parties([2, 2, 2]), relations: [{ a: 'P1', b: 'P2', apart: true }, { a: 'P1', b: 'P3', apart: true }, { a: 'P2', b: 'P3', apart: true }] },
      expect: (plan) => {
        expect(plan.assignments).toHaveLength(2);
        const [u] = plan.unseated;
        const others = ['P1', 'P2', 'P3'].filter((p) => p !== u!.party);
        expect(u!.reason).toBe(`conflicts_with: ${others.join(', ')}`);
      },
    },
    {
      name: 'no table carries the needed tag',
      problem: { tables: tables(1, 10, ['vip']), parties: [{ id: 'P1', size: 2, needs: ['accessible', 'vip'] }] },
      expect: (plan) => expect(plan.unseated).toEqual([{ party: 'P1', reason: 'no_table_with_tags: accessible, vip' }]),
    },
    {
      name: 'the tables with the needed tag are too small',
      problem: { tables: [...tables(1, 10), { id: 'A1', capacity: 2, tags: ['accessible'] }], parties: [{ id: 'P1', size: 3, needs: ['accessible'] }] },
      expect: (plan) => expect(plan.unseated).toEqual([{ party: 'P1', reason: 'tables_with_tags_too_small: accessible' }]),
    },
    {
      name: 'a together group larger than any table: each member says so',
      problem: { tables: tables(2, 6), parties: parties([4, 4, 1]), relations: [{ a: 'P1', b: 'P2', together: true }] },
      expect: (plan) => {
        expect(plan.unseated).toEqual([
          { party: 'P1', reason: 'together_group_larger_than_any_table: P1, P2' },
          { party: 'P2', reason: 'together_group_larger_than_any_table: P1, P2' },
        ]);
        expect(tableOf(plan).P3).toBeDefined();
      },
    },
    {
      name: 'no room: more guests than seats, the most guests seated',
      problem: { tables: tables(2, 5), parties: parties([5, 5, 3]) },
      expect: (plan) => expect(plan.unseated).toEqual([{ party: 'P3', reason: 'no_room' }]),
    },
    {
      name: 'repair: a party that fits nowhere takes a table whose occupant moves',
      // First-fit decreasing puts 4 and 3 at T1 (7 of 8) and 4 at T2; the 5 fits only if a 3 moves.
      problem: { tables: tables(2, 8), parties: parties([4, 4, 3, 5]), relations: [{ a: 'P1', b: 'P2', score: 1 }] },
      expect: (plan) => expect(plan.unseated).toEqual([]),
    },
    {
      name: 'an empty problem',
      problem: { tables: [], parties: [] },
      expect: (plan) => expect(plan).toMatchObject({ assignments: [], unseated: [], score: 0, optimal: true, gap: 0 }),
    },
  ];
  for (const c of cases) it(c.name, () => c.expect(solve(c.problem)));
});

describe('objective', () => {
  it('finds the best score on a small hand-made problem and proves it', () => {
    // Two cliques of friends who fit a table each; a rival pair across them.
    const problem: SeatingProblem = {
      tables: tables(3, 6),
      parties: parties([2, 2, 2, 3, 3]),
      relations: [
        { a: 'P1', b: 'P2', score: 3 }, { a: 'P2', b: 'P3', score: 3 }, { a: 'P1', b: 'P3', score: 3 },
        { a: 'P4', b: 'P5', score: 4 }, { a: 'P1', b: 'P4', score: -5 },
      ],
    };
    const plan = solve(problem);
    expect(plan).toMatchObject({ score: 13, optimal: true, gap: 0 });
  });

  it('the secondary spreads guests evenly over the tables in use: 8 + 8 + 8, not 10 + 10 + 4', () => {
    const plan = solve({ tables: tables(3), parties: parties(Array(12).fill(2)) });
    const load: Record<string, number> = {};
    for (const a of plan.assignments) load[a.table] = (load[a.table] ?? 0) + 2;
    expect(Object.values(load).sort()).toEqual([8, 8, 8]);
  });

  it('the secondary leaves a table empty rather than three half-empty: 10 + 10 + 0', () => {
    const plan = solve({ tables: tables(3), parties: parties([5, 5, 5, 5]) });
    expect(new Set(plan.assignments.map((a) => a.table)).size).toBe(2);
  });

  it('the secondary never outweighs one point of score', () => {
    // Seating P1 with P3 (+1) leaves tables at 2, 9, 9 (secondary 66); P1 with P2 and P3 with P4 would be 0, 0 free.
    const problem: SeatingProblem = { tables: tables(3), parties: parties([1, 9, 1, 9]), relations: [{ a: 'P1', b: 'P3', score: 1 }] };
    const plan = solve(problem);
    expect(plan.score).toBe(1);
    expect(tableOf(plan).P1).toBe(tableOf(plan).P3);
  });

  it('is deterministic for a seed (with the same clock readings)', () => {
    const rel = [];
    for (let a = 1; a <= 30; a++) for (let b = a + 1; b <= 30; b += 3) rel.push({ a: `P${a}`, b: `P${b}`, score: ((a * 7 + b * 13) % 11) - 5 });
    const problem: SeatingProblem = { tables: tables(12, 8), parties: parties(Array.from({ length: 30 }, (_, i) => 1 + (i % 5))), relations: rel };
    const run = (seed: number, maxIterations?: number) => solveSeating(problem, { timeBudgetMs: 300, seed, now: countingClock(), maxIterations });
    const a = run(42);
    expect(run(42).assignments).toEqual(a.assignments);
    expect(a.stats.iterations).toBeGreaterThan(1000);
    // Mid-search, where ties and kicks still decide: equal for one seed, and the seed does decide (so equality above is no accident).
    const early = run(42, 30);
    expect(run(42, 30).assignments).toEqual(early.assignments);
    expect([43, 44, 45, 46].some((seed) => JSON.stringify(run(seed, 30).assignments) !== JSON.stringify(early.assignments))).toBe(true);
  });
});

describe('re-seat', () => {
  const base: SeatingProblem = {
    tables: tables(3, 6),
    parties: parties([3, 3, 2, 2, 4]),
    relations: [{ a: 'P1', b: 'P2', score: 2 }, { a: 'P3', b: 'P4', score: 2 }, { a: 'P5', b: 'P1', score: -3 }],
  };
  const first = solveSeating(base, { timeBudgetMs: 100, seed: 1, now: () => performance.now() });

  it('a walk-in is seated and nobody else moves', () => {
    const problem = { ...base, parties: [...base.parties, { id: 'W1', size: 1 }], relations: [...base.relations!, { a: 'W1', b: 'P1', score: 5 }] };
    const plan = solveSeating(problem, { timeBudgetMs: 100, seed: 1, now: () => performance.now(), current: first });
    expect(checkPlan(problem, plan)).toEqual({ ok: true });
    const before = tableOf(first);
    const after = tableOf(plan);
    for (const p of Object.keys(before)) expect(after[p], p).toBe(before[p]);
    expect(after.W1).toBeDefined();
    expect(plan.stats.moved).toBe(0);
  });

  it('a no-show leaves, everyone else stays', () => {
    const problem = { ...base, parties: base.parties.filter((p) => p.id !== 'P3'), relations: base.relations!.filter((r) => r.a !== 'P3' && r.b !== 'P3') };
    const plan = solveSeating(problem, { timeBudgetMs: 100, seed: 9, now: () => performance.now(), current: first });
    const before = tableOf(first);
    delete before.P3;
    expect(tableOf(plan)).toEqual(before);
  });

  it('moves only the one party it must to seat a walk-in, and never a locked one', () => {
    // T1: A(4), 2 free; T2: B(2) C(2), 2 free. A walk-in of 4 fits only if B or C moves to T1; C is locked, so B moves.
    const problem: SeatingProblem = { tables: tables(2, 6), parties: [{ id: 'A', size: 4 }, { id: 'B', size: 2 }, { id: 'C', size: 2 }, { id: 'W', size: 4 }] };
    const current = { assignments: [{ party: 'A', table: 'T1' }, { party: 'B', table: 'T2' }, { party: 'C', table: 'T2' }] };
    const plan = solveSeating(problem, { timeBudgetMs: 100, seed: 1, now: () => performance.now(), current, locked: ['C'] });
    expect(checkPlan(problem, plan, new Map([['C', 'T2']]))).toEqual({ ok: true });
    expect(tableOf(plan)).toEqual({ A: 'T1', B: 'T1', C: 'T2', W: 'T2' });
    expect(plan.stats.moved).toBe(1);
    // With B locked too, nothing can make room: the walk-in is unseated and nobody moved.
    const stuck = solveSeating(problem, { timeBudgetMs: 100, seed: 1, now: () => performance.now(), current, locked: ['B', 'C'] });
    expect(stuck.unseated).toEqual([{ party: 'W', reason: 'no_room' }]);
    expect(tableOf(stuck)).toMatchObject({ A: 'T1', B: 'T2', C: 'T2' });
  });

  it('refuses a locked party that has no table in the current plan', () => {
    expect(() => solveSeating(base, { timeBudgetMs: 10, seed: 1, now: () => performance.now(), current: { assignments: [] }, locked: ['P1'] })).toThrow(/P1 has no table/);
  });
});
