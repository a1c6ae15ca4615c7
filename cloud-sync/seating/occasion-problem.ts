// An occasion's guest list as a seating problem (SYSTEM.md "Seating problem and plan"): pure, so its rules are tested
// without a database. A party is a guest with its party_size; the party's id is the guest id.
import type { SeatingProblem, SeatingRelation } from '../../core/seating/problem';

/**
 * The soft score between two parties of one `group` (household, family, company): enough that they sit together when
 * nothing weighs against it, small beside the ±100 a planner can give a pair in the relations CSV, which replaces it.
 */
export const GROUP_SCORE = 5;

export interface OccasionTable {
  id: string;
  label: string;
  capacity: number;
  tags: string[];
}

export interface OccasionGuest {
  id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  group: string | null;
  together_with: string[];
  apart_from: string[];
  needs: string[];
  seat_locked: boolean;
}

export interface OccasionRelation {
  a: string;
  b: string;
  score: number | null;
  rule: 'apart' | 'together' | null;
}

export interface OccasionProblem {
  problem: SeatingProblem;
  /** Guests kept at their table (seat_locked and seated): parties of the problem with `table` set. */
  locked: Set<string>;
  /** Locked guests left out: their table seats nobody (capacity 0); their table is left as it is. */
  leftOut: string[];
}

/**
 * Tables of capacity 0 are left out (nobody can sit there). A guest with `seat_locked` and a table keeps it; every
 * other guest is placed by the engine. Pair rules: together_with / apart_from (hard, from either side), the relations
 * CSV (hard or a score), and a group's GROUP_SCORE where the CSV gives the pair no score.
 */
export function buildOccasionProblem(tables: readonly OccasionTable[], guests: readonly OccasionGuest[], relations: readonly OccasionRelation[], groupScore = GROUP_SCORE): OccasionProblem {
  const usable = tables.filter((t) => t.capacity > 0);
  const tableIds = new Set(usable.map((t) => t.id));
  const locked = new Set<string>();
  const leftOut: string[] = [];
  const parties: SeatingProblem['parties'] = [];
  for (const g of guests) {
    const lockedHere = g.seat_locked && g.table_id !== null;
    if (lockedHere && !tableIds.has(g.table_id!)) {
      leftOut.push(g.id);
      continue;
    }
    if (lockedHere) locked.add(g.id);
    parties.push({ id: g.id, size: g.party_size, ...(g.needs.length ? { needs: g.needs } : {}), ...(lockedHere ? { table: g.table_id! } : {}) });
  }
  const inProblem = new Set(parties.map((p) => p.id));
  const pairs = new Map<string, SeatingRelation>();
  const pair = (x: string, y: string): SeatingRelation | null => {
    if (x === y || !inProblem.has(x) || !inProblem.has(y)) return null;
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}\u0000${b}`;
    return pairs.get(key) ?? pairs.set(key, { a, b }).get(key)!;
  };
  const byGroup = new Map<string, string[]>();
  for (const g of guests) if (g.group !== null && inProblem.has(g.id)) (byGroup.get(g.group) ?? byGroup.set(g.group, []).get(g.group)!).push(g.id);
  for (const members of byGroup.values()) {
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) pair(members[i]!, members[j]!)!.score = groupScore;
  }
  for (const r of relations) {
    const rel = pair(r.a, r.b);
    if (!rel) continue;
    if (r.score !== null) rel.score = r.score;
    if (r.rule === 'apart') rel.apart = true;
    if (r.rule === 'together') rel.together = true;
  }
  for (const g of guests) {
    for (const other of g.together_with) {
      const rel = pair(g.id, other);
      if (rel) rel.together = true;
    }
    for (const other of g.apart_from) {
      const rel = pair(g.id, other);
      if (rel) rel.apart = true;
    }
  }
  const relationList = [...pairs.values()].filter((r) => r.apart || r.together || (r.score !== undefined && r.score !== 0));
  return {
    problem: { tables: usable.map((t) => ({ id: t.id, capacity: t.capacity, ...(t.tags.length ? { tags: t.tags } : {}) })), parties, relations: relationList },
    locked,
    leftOut,
  };
}
