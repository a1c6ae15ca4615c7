// Seating problems generated as in the Wedding Seating Problem literature (Lewis & Carroll): parties of 1–8 guests,
// tables of 10, pair scores −5…5 with about a third of the pairs liking and a third disliking each other, a few pairs
// definitely apart. Deterministic for a seed.
import { seededRandom } from '../core/seating/engine';
import type { SeatingProblem, SeatingRelation } from '../core/seating/problem';
import { scoreAssignments } from '../core/seating/score';

export interface GenerateOptions {
  parties: number;
  seed: number;
  /** Seats beyond the guests, as a fraction (0.15: 15 % more seats than guests). */
  slack?: number;
  /**
   * Every pair scored (small problems, as in the literature), or each party scoring about this many others, mostly
   * within its circle of nearby parties on the list (large problems: no planner scores 3 million pairs).
   */
  knows?: number;
  /** Fraction of parties with one `apart` partner. */
  apartShare?: number;
  accessible?: boolean;
}

function binsNeeded(sizes: number[], capacity: number): number {
  const free: number[] = [];
  for (const s of [...sizes].sort((a, b) => b - a)) {
    const i = free.findIndex((f) => f >= s);
    if (i >= 0) free[i]! -= s;
    else free.push(capacity - s);
  }
  return free.length;
}

function pairScore(rnd: () => number): number {
  const r = rnd();
  if (r < 1 / 3) return 1 + Math.floor(rnd() * 5);
  if (r < 2 / 3) return -1 - Math.floor(rnd() * 5);
  return 0;
}

export function generateSeating(o: GenerateOptions): SeatingProblem {
  const rnd = seededRandom(o.seed);
  const parties: SeatingProblem['parties'] = [];
  let guests = 0;
  for (let i = 0; i < o.parties; i++) {
    const size = 1 + Math.floor(rnd() * 8);
    guests += size;
    parties.push({ id: `P${i + 1}`, size });
  }
  // Seats beyond the guests, and never fewer tables than first-fit decreasing needs to seat everyone: parties of 6 and
  // more each need a table of their own, which a seat count alone does not see.
  const tableCount = Math.max(1, Math.ceil((guests * (1 + (o.slack ?? 0.15))) / 10), binsNeeded(parties.map((p) => p.size), 10) + 1);
  const tables: SeatingProblem['tables'] = Array.from({ length: tableCount }, (_, i) => ({ id: `T${i + 1}`, capacity: 10 }));
  if (o.accessible) {
    // One table in 20 is accessible; about one party in 60 needs it (never more than those tables seat).
    const acc = Math.max(1, Math.floor(tableCount / 20));
    for (let i = 0; i < acc; i++) tables[i * 20]!.tags = ['accessible'];
    let seats = acc * 10 * 0.6;
    for (let i = 0; i < o.parties && seats > 0; i += 60) {
      parties[i]!.needs = ['accessible'];
      seats -= parties[i]!.size;
    }
  }
  const relations: SeatingRelation[] = [];
  const seen = new Set<number>();
  const add = (a: number, b: number) => {
    if (a === b) return;
    const key = Math.min(a, b) * o.parties + Math.max(a, b);
    if (seen.has(key)) return;
    seen.add(key);
    const score = pairScore(rnd);
    if (score !== 0) relations.push({ a: parties[a]!.id, b: parties[b]!.id, score });
  };
  if (o.knows === undefined) {
    for (let a = 0; a < o.parties; a++) for (let b = a + 1; b < o.parties; b++) add(a, b);
  } else {
    const circle = 40;
    for (let a = 0; a < o.parties; a++) {
      for (let k = 0; k < o.knows / 2; k++) {
        const near = rnd() < 0.8;
        const b = near ? Math.min(o.parties - 1, Math.max(0, a + Math.floor((rnd() - 0.5) * circle))) : Math.floor(rnd() * o.parties);
        add(a, b);
      }
    }
  }
  const apartPairs = Math.max(1, Math.round(o.parties * (o.apartShare ?? 0.02) / 2));
  for (let i = 0; i < apartPairs; i++) {
    const a = Math.floor(rnd() * o.parties);
    const b = Math.floor(rnd() * o.parties);
    if (a !== b) relations.push({ a: parties[a]!.id, b: parties[b]!.id, apart: true });
  }
  return { tables, parties, relations };
}

/**
 * The baseline: first-fit decreasing by party size, keeping every hard rule (needs, capacity, apart, locks; this
 * generator writes no `together`), blind to scores. Unseated parties are left out.
 */
export function firstFitDecreasing(problem: SeatingProblem): { assignments: { party: string; table: string }[]; score: number; unseated: number } {
  const load = new Map<string, number>();
  const at = new Map<string, string>();
  const apart = new Map<string, string[]>();
  for (const r of problem.relations ?? []) {
    if (r.apart !== true) continue;
    apart.set(r.a, [...(apart.get(r.a) ?? []), r.b]);
    apart.set(r.b, [...(apart.get(r.b) ?? []), r.a]);
  }
  const order = problem.parties.map((p, i) => ({ p, i })).sort((x, y) => y.p.size - x.p.size || x.i - y.i);
  let unseated = 0;
  for (const { p } of order) {
    const table = problem.tables.find((t) =>
      (p.table === undefined || p.table === t.id) &&
      (p.needs ?? []).every((n) => (t.tags ?? []).includes(n)) &&
      (load.get(t.id) ?? 0) + p.size <= t.capacity &&
      !(apart.get(p.id) ?? []).some((q) => at.get(q) === t.id));
    if (!table) {
      unseated++;
      continue;
    }
    at.set(p.id, table.id);
    load.set(table.id, (load.get(table.id) ?? 0) + p.size);
  }
  const assignments = problem.parties.filter((p) => at.has(p.id)).map((p) => ({ party: p.id, table: at.get(p.id)! }));
  return { assignments, score: scoreAssignments(problem, assignments), unseated };
}
