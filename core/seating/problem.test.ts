import { describe, expect, it } from 'vitest';
import { checkSeatingProblem, type SeatingProblem } from './problem';

const base = (): SeatingProblem => ({
  tables: [{ id: 'T1', capacity: 4, tags: ['accessible'] }, { id: 'T2', capacity: 6 }],
  parties: [{ id: 'P1', size: 2 }, { id: 'P2', size: 2 }, { id: 'P3', size: 3 }],
  relations: [{ a: 'P1', b: 'P2', score: 3 }],
});

describe('checkSeatingProblem', () => {
  it('accepts SYSTEM.md\'s example shape', () => {
    const example = {
      tables: [{ id: 'T1', capacity: 10, tags: ['accessible', 'vip'] }],
      parties: [{ id: 'P1', size: 3, needs: ['accessible'], table: 'T1' }, { id: 'P2', size: 1 }, { id: 'P3', size: 1 }, { id: 'P4', size: 1 }],
      relations: [{ a: 'P1', b: 'P2', score: 4 }, { a: 'P1', b: 'P3', apart: true }, { a: 'P2', b: 'P4', together: true }],
    };
    expect(checkSeatingProblem(example)).toEqual({ ok: true, problem: example });
  });

  const cases: { name: string; edit: (p: SeatingProblem) => unknown; field: string; message: RegExp }[] = [
    { name: 'a missing field', edit: (p) => ({ tables: p.tables }), field: 'parties', message: /required/ },
    { name: 'an unknown field', edit: (p) => ({ ...p, parties: [{ ...p.parties[0], name: 'Ana' }] }), field: 'parties[0].name', message: /not a field/ },
    { name: 'size 0', edit: (p) => ((p.parties[1]!.size = 0), p), field: 'parties[1].size', message: />= 1/ },
    { name: 'a score above 100', edit: (p) => ((p.relations![0]!.score = 101), p), field: 'relations[0].score', message: /<= 100/ },
    { name: 'a fractional score', edit: (p) => ((p.relations![0]!.score = 1.5), p), field: 'relations[0].score', message: /integer/ },
    { name: 'a duplicate table id', edit: (p) => ((p.tables[1]!.id = 'T1'), p), field: 'tables[1].id', message: /repeats the id of tables\[0\]/ },
    { name: 'a duplicate party id', edit: (p) => ((p.parties[2]!.id = 'P1'), p), field: 'parties[2].id', message: /repeats/ },
    { name: 'a lock to an unknown table', edit: (p) => ((p.parties[0]!.table = 'T9'), p), field: 'parties[0].table', message: /no table/ },
    { name: 'a relation naming an unknown party', edit: (p) => ((p.relations![0]!.b = 'P9'), p), field: 'relations[0].b', message: /no party/ },
    { name: 'a party related to itself', edit: (p) => ((p.relations![0]!.b = 'P1'), p), field: 'relations[0].b', message: /same party/ },
    { name: 'both apart and together', edit: (p) => ((p.relations = [{ a: 'P1', b: 'P2', apart: true, together: true }]), p), field: 'relations[0]', message: /both apart and together/ },
    { name: 'apart inside a together group', edit: (p) => ((p.relations = [{ a: 'P1', b: 'P2', together: true }, { a: 'P2', b: 'P3', together: true }, { a: 'P3', b: 'P1', apart: true }]), p), field: 'relations[2]', message: /put together/ },
    { name: 'a relation with no rule', edit: (p) => ((p.relations = [{ a: 'P1', b: 'P2' }]), p), field: 'relations[0]', message: /none of/ },
    { name: 'two scores for one pair', edit: (p) => ((p.relations = [{ a: 'P1', b: 'P2', score: 1 }, { a: 'P2', b: 'P1', score: 2 }]), p), field: 'relations[1].score', message: /relations\[0\]/ },
    { name: 'locks beyond a table\'s capacity', edit: (p) => ((p.parties[0]!.table = 'T1'), (p.parties[2]!.table = 'T1'), p), field: 'tables[0].capacity', message: /5 guests/ },
    { name: 'a lock to a table without a needed tag', edit: (p) => ((p.parties[0]!.table = 'T2'), (p.parties[0]!.needs = ['accessible']), p), field: 'parties[0].table', message: /tag/ },
    { name: 'a together group locked to two tables', edit: (p) => ((p.parties[0]!.table = 'T1'), (p.parties[1]!.table = 'T2'), (p.relations = [{ a: 'P1', b: 'P2', together: true }]), p), field: 'parties[1].table', message: /differs/ },
    { name: 'a together group beyond its locked table', edit: (p) => ((p.parties[0]!.table = 'T1'), (p.relations = [{ a: 'P1', b: 'P3', together: true }]), p), field: 'tables[0].capacity', message: /5 guests/ },
    { name: 'apart parties locked to one table', edit: (p) => ((p.parties[0]!.table = 'T2'), (p.parties[1]!.table = 'T2'), (p.relations = [{ a: 'P1', b: 'P2', apart: true }]), p), field: 'relations[0]', message: /locked to one table/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, naming ${c.field}`, () => {
      const r = checkSeatingProblem(c.edit(base()));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors[0]!.field).toBe(c.field);
      expect(r.errors[0]!.message).toMatch(c.message);
    });
  }

  it('never repeats a value of the file in a message', () => {
    const r = checkSeatingProblem({ tables: [{ id: 'T1', capacity: 'SECRET-VALUE' }], parties: [] });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('SECRET-VALUE');
  });
});
