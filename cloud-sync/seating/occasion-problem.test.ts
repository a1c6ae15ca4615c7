// The occasion → seating problem rules, without a database: group scores, hard pairs from either side, the relations
// CSV over a group's score, locks, and tables nobody can sit at.
import { describe, expect, it } from 'vitest';
import { checkSeatingProblem } from '../../core/seating/problem';
import { buildOccasionProblem, GROUP_SCORE, type OccasionGuest } from './occasion-problem';

const guest = (id: string, over: Partial<OccasionGuest> = {}): OccasionGuest => ({
  id, name: id, party_size: 1, table_id: null, group: null, together_with: [], apart_from: [], needs: [], seat_locked: false, ...over,
});
const tables = [{ id: 't1', label: 'T1', capacity: 4, tags: ['accessible'] }, { id: 't0', label: 'T0', capacity: 0, tags: [] }];

describe('buildOccasionProblem', () => {
  it('scores every pair of one group, and a relations score replaces the group score of its pair', () => {
    const { problem } = buildOccasionProblem(tables, [guest('a', { group: 'silva' }), guest('b', { group: 'silva' }), guest('c', { group: 'silva' }), guest('d')],
      [{ a: 'a', b: 'c', score: -20, rule: null }]);
    expect(problem.relations).toEqual([{ a: 'a', b: 'b', score: GROUP_SCORE }, { a: 'a', b: 'c', score: -20 }, { a: 'b', b: 'c', score: GROUP_SCORE }]);
  });

  it('makes one hard rule of a pair named from either side or in the relations CSV, and drops pairs with a guest not in the problem', () => {
    const { problem } = buildOccasionProblem(tables, [guest('a', { together_with: ['b'] }), guest('b', { together_with: ['a'], apart_from: ['gone'] }), guest('c', { apart_from: ['a'] })],
      [{ a: 'b', b: 'c', score: null, rule: 'apart' }]);
    expect(problem.relations).toEqual([{ a: 'b', b: 'c', apart: true }, { a: 'a', b: 'b', together: true }, { a: 'a', b: 'c', apart: true }]);
    expect(checkSeatingProblem(problem).ok).toBe(true);
  });

  it('locks a seated seat_locked guest to its table, places the rest freely, and leaves out tables of capacity 0 and guests locked there', () => {
    const built = buildOccasionProblem(tables, [
      guest('kept', { table_id: 't1', seat_locked: true }), guest('moved', { table_id: 't1' }), guest('lockedNowhere', { seat_locked: true }),
      guest('atZero', { table_id: 't0', seat_locked: true }), guest('needy', { needs: ['accessible'], party_size: 3 }),
    ], []);
    expect(built.problem.tables).toEqual([{ id: 't1', capacity: 4, tags: ['accessible'] }]);
    expect(built.problem.parties).toEqual([
      { id: 'kept', size: 1, table: 't1' }, { id: 'moved', size: 1 }, { id: 'lockedNowhere', size: 1 }, { id: 'needy', size: 3, needs: ['accessible'] },
    ]);
    expect([...built.locked]).toEqual(['kept']);
    expect(built.leftOut).toEqual(['atZero']);
  });
});
