import { describe, expect, it } from 'vitest';
import type { SeatingProblem } from './problem';
import { checkPlan, relativeGap, scoreAssignments } from './score';

const problem: SeatingProblem = {
  tables: [{ id: 'T1', capacity: 4, tags: ['accessible'] }, { id: 'T2', capacity: 4 }],
  parties: [{ id: 'P1', size: 2, needs: ['accessible'] }, { id: 'P2', size: 2 }, { id: 'P3', size: 2, table: 'T2' }, { id: 'P4', size: 1 }],
  relations: [{ a: 'P1', b: 'P2', together: true }, { a: 'P1', b: 'P2', score: 5 }, { a: 'P3', b: 'P4', apart: true }, { a: 'P2', b: 'P4', score: -2 }],
};
const good = { assignments: [{ party: 'P1', table: 'T1' }, { party: 'P2', table: 'T1' }, { party: 'P3', table: 'T2' }, { party: 'P4', table: 'T2' }], unseated: [], score: 5 };

describe('checkPlan', () => {
  it('names a broken apart rule', () => {
    const r = checkPlan(problem, good);
    expect(r).toEqual({ ok: false, violations: ['P3 and P4 must sit apart, both at T2'] });
  });
  const valid = { ...good, assignments: good.assignments.slice(0, 3), unseated: [{ party: 'P4', reason: 'no_room' }] };
  it('accepts a valid partial plan', () => expect(checkPlan(problem, valid)).toEqual({ ok: true }));
  const cases: { name: string; plan: typeof valid; violation: RegExp }[] = [
    { name: 'a party twice', plan: { ...valid, assignments: [...valid.assignments, { party: 'P4', table: 'T2' }] }, violation: /P4 appears 2 times/ },
    { name: 'a party missing', plan: { ...valid, unseated: [] }, violation: /P4 appears 0 times/ },
    { name: 'over capacity', plan: { ...valid, assignments: [...valid.assignments.slice(0, 2), { party: 'P3', table: 'T1' }] }, violation: /T1 holds 6 guests, capacity 4/ },
    { name: 'a need not met', plan: { ...valid, assignments: [{ party: 'P1', table: 'T2' }, { party: 'P2', table: 'T1' }, { party: 'P3', table: 'T2' }] }, violation: /P1 needs accessible/ },
    { name: 'a lock broken', plan: { ...valid, assignments: [...valid.assignments.slice(0, 2), { party: 'P3', table: 'T1' }] }, violation: /locked to T2/ },
    { name: 'together broken', plan: { ...valid, assignments: [{ party: 'P1', table: 'T1' }, { party: 'P2', table: 'T2' }, { party: 'P3', table: 'T2' }] }, violation: /must sit together/ },
    { name: 'a wrong score', plan: { ...valid, score: 7 }, violation: /score is 7, recomputed 5/ },
    { name: 'an unknown table', plan: { ...valid, assignments: [...valid.assignments.slice(0, 2), { party: 'P3', table: 'T9' }] }, violation: /unknown table T9/ },
  ];
  for (const c of cases) it(`names ${c.name}`, () => {
    const r = checkPlan(problem, c.plan);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations.join('\n')).toMatch(c.violation);
  });
  it('checks the caller\'s locks', () => {
    expect(checkPlan(problem, valid, new Map([['P2', 'T2']]))).toMatchObject({ ok: false, violations: ['party P2 was locked at T2, now at T1'] });
  });
});

describe('score and gap', () => {
  it('sums the soft scores of pairs at one table only', () => {
    expect(scoreAssignments(problem, [{ party: 'P2', table: 'T1' }, { party: 'P4', table: 'T1' }, { party: 'P1', table: 'T2' }])).toBe(-2);
  });
  it('gap is (bound − score)/|bound|, points short for a bound of 0, null without a bound', () => {
    expect(relativeGap(90, 100)).toBeCloseTo(0.1);
    expect(relativeGap(-3, 0)).toBe(3);
    expect(relativeGap(0, 0)).toBe(0);
    expect(relativeGap(5, null)).toBeNull();
  });
});
