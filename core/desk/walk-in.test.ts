import { describe, expect, it } from 'vitest';
import { rankWalkIn, type TableLoad, type WalkInTable } from './walk-in';

const table = (id: string, capacity: number, tags: string[] = []): WalkInTable => ({ id, label: `Table ${id}`, capacity, tags });
const loads = (entries: Record<string, [number, number]>) => new Map<string, TableLoad>(Object.entries(entries).map(([id, [seated, parties]]) => [id, { seated, parties }]));

describe('rankWalkIn', () => {
  const cases: {
    name: string;
    tables: WalkInTable[];
    load: Record<string, [number, number]>;
    party: number;
    needs?: string[];
    order: string[];
    reason?: 'no_table_with_room' | 'needs_unmet' | 'no_tables' | null;
  }[] = [
    { name: 'best fit: the table its size fills exactly, before one with a bigger gap', tables: [table('1', 10), table('2', 10)], load: { '1': [4, 2], '2': [8, 3] }, party: 2, order: ['2', '1'] },
    { name: 'full tables and tables with too few seats are left out', tables: [table('1', 8), table('2', 8), table('3', 8)], load: { '1': [8, 4], '2': [6, 2], '3': [3, 1] }, party: 3, order: ['3'] },
    { name: 'needs: only tables carrying every tag asked for', tables: [table('1', 10, ['accessible']), table('2', 10), table('3', 10, ['accessible', 'quiet'])], load: {}, party: 2, needs: ['accessible', 'quiet'], order: ['3'] },
    { name: 'a table with the tags but no room', tables: [table('1', 4, ['accessible']), table('2', 10)], load: { '1': [3, 1] }, party: 2, needs: ['accessible'], order: [], reason: 'no_table_with_room' },
    { name: 'no table carries the needs', tables: [table('1', 10), table('2', 10, ['vip'])], load: {}, party: 2, needs: ['accessible'], order: [], reason: 'needs_unmet' },
    { name: 'no tables at all', tables: [], load: {}, party: 1, order: [], reason: 'no_tables' },
    { name: 'equal fit: the engine joins a table in use rather than open an empty one', tables: [table('empty', 4), table('used', 8)], load: { used: [4, 2] }, party: 2, order: ['used', 'empty'] },
    { name: 'a party larger than any gap', tables: [table('1', 10), table('2', 6)], load: { '1': [5, 2] }, party: 7, order: [], reason: 'no_table_with_room' },
    { name: 'a table of capacity 0 never takes anyone', tables: [table('0', 0), table('1', 2)], load: {}, party: 1, order: ['1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = rankWalkIn({ tables: c.tables, load: loads(c.load), party_size: c.party, ...(c.needs ? { needs: c.needs } : {}) });
      expect(p.options.map((o) => o.table_id)).toEqual(c.order);
      expect(p.reason).toBe(c.reason ?? null);
      expect(p.tables).toBe(c.tables.length);
      // Scores agree with the order: best first.
      for (let i = 1; i < p.options.length; i++) expect(p.options[i - 1]!.score).toBeGreaterThanOrEqual(p.options[i]!.score);
    });
  }

  it('reports free seats and parties already there', () => {
    const p = rankWalkIn({ tables: [table('1', 10)], load: loads({ '1': [7, 3] }), party_size: 2, guests: 3 });
    expect(p.options).toEqual([{ table_id: '1', label: 'Table 1', capacity: 10, free_seats: 3, parties: 3, score: expect.any(Number) }]);
    expect(p.guests).toBe(3);
  });

  it('measures with the clock it is given', () => {
    let t = 100;
    const p = rankWalkIn({ tables: [table('1', 10)], load: new Map(), party_size: 2, clock: () => (t += 7), startedMs: 100 });
    expect(p.duration_ms).toBe(7);
  });

  it('ranks 200 tables: the exact fits first', () => {
    const tables = Array.from({ length: 200 }, (_, i) => table(`t${i}`, 10, i % 10 === 0 ? ['accessible'] : []));
    const load = new Map(tables.map((t, i) => [t.id, { seated: i % 11, parties: i % 4 }]));
    const p = rankWalkIn({ tables, load, party_size: 3 });
    expect(p.options.length).toBeGreaterThan(0);
    // Tables with exactly 3 free seats (load 7 of 10) come first.
    expect(p.options[0]!.free_seats).toBe(3);
    expect(p.options.every((o) => o.free_seats >= 3)).toBe(true);
  });
});
