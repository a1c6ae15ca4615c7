// An occasion's guest list, as loaded, seated by the engine: problem → check → solve → the plan's summary and the
// moves it makes. No database: the CLI (assign.ts) runs it in its own thread, the console (solve-worker.ts) in a
// worker thread, and both write a plan's moves through assign.ts applyMoves.
import type { AssignCompletedPayload } from '../../core/contract/contract';
import { checkSeatingProblem } from '../../core/seating/problem';
import { solveWithBound } from '../../seating/exact';
import { buildOccasionProblem, type OccasionGuest, type OccasionRelation, type OccasionTable } from './occasion-problem';

/** What the engine needs of an occasion (assign.ts loadOccasion). Structured-cloneable: it crosses to a worker. */
export interface OccasionData {
  occasion_id: string;
  tenant_id: string;
  venue_id: string;
  tables: OccasionTable[];
  guests: OccasionGuest[];
  relations: OccasionRelation[];
}

/** A party whose table the plan changes; from/to are table ids, null: no table. */
export interface OccasionMove {
  guest_id: string;
  name: string;
  party_size: number;
  from: string | null;
  to: string | null;
}

export interface OccasionPlan {
  /** Guests (heads) the engine had to place: every guest but those kept at their table. */
  guests_to_seat: number;
  guests_seated: number;
  locked: number;
  tables: number;
  unseated: { guest_id: string; name: string; party_size: number; reason: string }[];
  score: number;
  optimal: boolean;
  gap: number | null;
  duration_ms: number;
  moves: OccasionMove[];
}

export type PlanOutcome = { ok: true; plan: OccasionPlan } | { ok: false; message: string };

export async function planOccasion(data: OccasionData, opts: { timeLimitMs: number; seed?: number }): Promise<PlanOutcome> {
  const built = buildOccasionProblem(data.tables, data.guests, data.relations);
  const checked = checkSeatingProblem(built.problem);
  // The problem's field names are the engine's (parties[3] is a guest, relations[…] a pair of guests).
  if (!checked.ok) return { ok: false, message: `the occasion's guest list cannot be seated as it is: ${checked.errors.map((e) => `${e.field} ${e.message}`).join('; ')}` };
  const { plan } = await solveWithBound(checked.problem, { timeLimitMs: opts.timeLimitMs, seed: opts.seed ?? 1 });

  const guestById = new Map(data.guests.map((g) => [g.id, g]));
  const newTable = new Map(plan.assignments.map((a) => [a.party, a.table]));
  const toSeat = checked.problem.parties.filter((p) => !built.locked.has(p.id));
  const heads = (ids: Iterable<string>) => [...ids].reduce((n, id) => n + (guestById.get(id)?.party_size ?? 0), 0);
  const moves: OccasionMove[] = [];
  for (const p of toSeat) {
    const g = guestById.get(p.id)!;
    const to = newTable.get(p.id) ?? null;
    if (to !== g.table_id) moves.push({ guest_id: g.id, name: g.name, party_size: g.party_size, from: g.table_id, to });
  }
  return {
    ok: true,
    plan: {
      guests_to_seat: heads(toSeat.map((p) => p.id)),
      guests_seated: heads(toSeat.filter((p) => newTable.has(p.id)).map((p) => p.id)),
      locked: built.locked.size,
      tables: checked.problem.tables.length,
      unseated: plan.unseated.map((u) => {
        const g = guestById.get(u.party)!;
        return { guest_id: g.id, name: g.name, party_size: g.party_size, reason: u.reason };
      }),
      score: plan.score, optimal: plan.optimal, gap: plan.gap, duration_ms: plan.duration_ms, moves,
    },
  };
}

/** The assign.completed event a run stores (assign.ts storeAssignCompleted): the cloud's assign metrics. */
export function assignCompletedPayload(plan: OccasionPlan, channel: AssignCompletedPayload['channel']): AssignCompletedPayload {
  return {
    duration_ms: plan.duration_ms,
    feasible: plan.guests_to_seat === 0 ? 1 : plan.guests_seated / plan.guests_to_seat,
    channel,
    guests: plan.guests_to_seat,
    tables: plan.tables,
    optimal: plan.optimal,
    gap: plan.gap === null ? null : Math.min(1, Math.max(0, plan.gap)),
  };
}
