import { describe, expect, it } from 'vitest';
import { buildSeatingMip } from './mip';
import type { SeatingProblem } from './problem';

const problem: SeatingProblem = {
  tables: [{ id: 'T1', capacity: 6 }, { id: 'T2', capacity: 6 }, { id: 'A', capacity: 6, tags: ['accessible'] }],
  parties: [{ id: 'P1', size: 4, needs: ['accessible'] }, { id: 'P2', size: 3 }, { id: 'P3', size: 3, table: 'T2' }, { id: 'P4', size: 2 }, { id: 'P5', size: 9 }],
  relations: [{ a: 'P2', b: 'P4', score: 3 }, { a: 'P2', b: 'P3', apart: true }, { a: 'P1', b: 'P4', together: true }, { a: 'P1', b: 'P4', score: 2 }, { a: 'P3', b: 'P4', score: -1 }],
};

describe('buildSeatingMip', () => {
  const r = buildSeatingMip(problem);
  if (!r.ok) throw new Error(r.reason);
  const { lp, xColumns, offset } = r.mip;
  const xs = xColumns.map((c) => `${problem.parties[c.party]!.id}@${problem.tables[c.table]!.id}`);

  it('has x only where a party may sit: needs (for the whole together group), locks, size', () => {
    // P1 and P4 are together and P1 needs accessible: both only at A. P3 is locked to T2. P5 fits nowhere.
    expect(xs).toContain('P1@A');
    expect(xs).toContain('P4@A');
    expect(xs.filter((x) => x.startsWith('P1@') || x.startsWith('P4@'))).toEqual(['P1@A', 'P4@A']);
    expect(xs.filter((x) => x.startsWith('P3@'))).toEqual(['P3@T2']);
    expect(xs.some((x) => x.startsWith('P5@'))).toBe(false);
  });

  it('drops the symmetric copy of two identical tables for the first party that may use them', () => {
    // T1 and T2 differ (a party is locked to T2), so P2 keeps both.
    expect(xs.filter((x) => x.startsWith('P2@'))).toEqual(['P2@T1', 'P2@T2', 'P2@A']);
  });

  it('writes together, apart, assignment and the scores inside a together group as a constant', () => {
    expect(offset).toBe(2);
    expect(lp).toMatch(/^ g\d+_2: x_3_2 - x_0_2 = 0$/m);
    expect(lp).toMatch(/^ s0_1: x_1_1 \+ x_2_1 <= 1$/m);
    expect(lp).toMatch(/^ a1: \+ x_1_0 \+ x_1_1 \+ x_1_2 = 1$/m);
    // P3 and P4 can never share a table (T2 against A): their −1 needs no y at all.
    expect(lp).toMatch(/^Maximize\n obj: \+ 3 y_0_2\nSubject To$/m);
  });

  it('refuses a model beyond the column limit', () => {
    expect(buildSeatingMip(problem, 3)).toEqual({ ok: false, reason: expect.stringMatching(/^model_too_large/) });
  });
});
