// A plan's score and a check of every invariant SYSTEM.md promises for a plan, recomputed from the problem alone.
import type { SeatingPlan, SeatingProblem } from './problem';

/** Sum of the soft scores of the pairs seated at one table (SYSTEM.md). Assignments naming unknown ids count nothing. */
export function scoreAssignments(problem: SeatingProblem, assignments: readonly { party: string; table: string }[]): number {
  const tableOf = new Map<string, string>();
  for (const a of assignments) tableOf.set(a.party, a.table);
  let score = 0;
  for (const r of problem.relations ?? []) {
    if (r.score === undefined || r.a === r.b) continue;
    const ta = tableOf.get(r.a);
    if (ta !== undefined && ta === tableOf.get(r.b)) score += r.score;
  }
  return score;
}

/** An upper bound on any plan's score: every liking pair together, every disliking pair apart. */
export function trivialUpperBound(problem: SeatingProblem): number {
  let bound = 0;
  for (const r of problem.relations ?? []) if (r.score !== undefined && r.score > 0 && r.apart !== true) bound += r.score;
  return bound;
}

/** (bound − score) / |bound|; a bound of 0 divides by 1, so the gap is then the points still missing. */
export function relativeGap(score: number, bound: number | null): number | null {
  if (bound === null) return null;
  return (bound - score) / Math.max(1, Math.abs(bound));
}

export type PlanCheck = { ok: true } | { ok: false; violations: string[] };

/**
 * Every invariant of a plan: each party exactly once (seated or unseated), known ids, capacity, needs, locks (the
 * problem's and the caller's `locked` map), together, apart, and the score as recomputed. Tests and the exact path use
 * it on every plan; a violation is a bug of ours, never a planner's problem.
 */
export function checkPlan(problem: SeatingProblem, plan: Pick<SeatingPlan, 'assignments' | 'unseated' | 'score'>, locked?: ReadonlyMap<string, string>): PlanCheck {
  const v: string[] = [];
  const tables = new Map(problem.tables.map((t) => [t.id, t]));
  const parties = new Map(problem.parties.map((p) => [p.id, p]));
  const seen = new Map<string, number>();
  const tableOf = new Map<string, string>();
  for (const a of plan.assignments) {
    seen.set(a.party, (seen.get(a.party) ?? 0) + 1);
    if (!parties.has(a.party)) v.push(`assignment of unknown party ${a.party}`);
    if (!tables.has(a.table)) v.push(`party ${a.party} at unknown table ${a.table}`);
    tableOf.set(a.party, a.table);
  }
  for (const u of plan.unseated) {
    seen.set(u.party, (seen.get(u.party) ?? 0) + 1);
    if (!parties.has(u.party)) v.push(`unseated unknown party ${u.party}`);
    if (!u.reason) v.push(`party ${u.party} unseated without a reason`);
  }
  for (const p of problem.parties) {
    const n = seen.get(p.id) ?? 0;
    if (n !== 1) v.push(`party ${p.id} appears ${n} times`);
  }
  const load = new Map<string, number>();
  for (const [pid, tid] of tableOf) {
    const p = parties.get(pid);
    const t = tables.get(tid);
    if (!p || !t) continue;
    load.set(tid, (load.get(tid) ?? 0) + p.size);
    const tags = new Set(t.tags ?? []);
    for (const need of p.needs ?? []) if (!tags.has(need)) v.push(`party ${pid} needs ${need}, table ${tid} lacks it`);
    if (p.table !== undefined && p.table !== tid) v.push(`party ${pid} is locked to ${p.table}, seated at ${tid}`);
  }
  for (const p of problem.parties) {
    if (p.table !== undefined && !tableOf.has(p.id)) v.push(`locked party ${p.id} is not seated`);
  }
  for (const [pid, tid] of locked ?? []) {
    if (tableOf.get(pid) !== tid) v.push(`party ${pid} was locked at ${tid}, now at ${tableOf.get(pid) ?? 'no table'}`);
  }
  for (const [tid, n] of load) {
    const cap = tables.get(tid)!.capacity;
    if (n > cap) v.push(`table ${tid} holds ${n} guests, capacity ${cap}`);
  }
  for (const r of problem.relations ?? []) {
    const ta = tableOf.get(r.a);
    const tb = tableOf.get(r.b);
    if (r.together === true && ta !== tb) v.push(`${r.a} and ${r.b} must sit together, are at ${ta ?? 'no table'} and ${tb ?? 'no table'}`);
    if (r.apart === true && ta !== undefined && ta === tb) v.push(`${r.a} and ${r.b} must sit apart, both at ${ta}`);
  }
  const score = scoreAssignments(problem, plan.assignments);
  if (score !== plan.score) v.push(`score is ${plan.score}, recomputed ${score}`);
  return v.length ? { ok: false, violations: v } : { ok: true };
}
