// The walk-in proposal (issue 20, part 2): where the hub would seat a party that just walked in, ranked over the hub's
// own tables and the load the occasion under way already puts on them. Pure: the caller reads tables and load (one
// grouped query at the hub) and passes them in, with the clock it measures by.
//
// Hard rules, as the seating engine's: a table must carry every tag the party needs, and have at least the party's
// size in free seats (capacity − the party sizes of the active guests seated there, arrived or expected).
// Soft, lexicographic so the second can never outweigh one seat of the first:
//   1. best fit: the fewest seats left over, so a big gap stays for a big party arriving later;
//   2. the seating engine's own secondary (core/seating/engine.ts, DEFAULT_SEATING_WEIGHTS): the change in
//      `evenness` × (free seats)² + `tableInUse` over the tables in use. Among equal fits it prefers joining a table
//      already in use to opening an empty one, as the engine does with capacity to spare.
import type { WalkInOption, WalkInProposal } from '../contract/desk';
import { DEFAULT_SEATING_WEIGHTS, type SeatingWeights } from '../../core/seating/engine';

export interface WalkInTable {
  id: string;
  label: string;
  capacity: number;
  tags: readonly string[];
}

/** What the occasion under way already seats at a table: the sum of party sizes, and the number of parties. */
export interface TableLoad {
  seated: number;
  parties: number;
}

export interface WalkInInput {
  tables: readonly WalkInTable[];
  /** Per table id; a table absent here seats nobody yet. */
  load: ReadonlyMap<string, TableLoad>;
  party_size: number;
  needs?: readonly string[];
  /** The guests of the occasion looked at (reported in the proposal and its assign.completed). */
  guests?: number;
  weights?: SeatingWeights;
  /** The caller's clock and when its work began (the read included), for `duration_ms`; absent, 0. */
  clock?: () => number;
  startedMs?: number;
}

/** The engine's secondary cost of one table at a load (engine.ts `pen`): an empty table costs nothing. */
function tableCost(capacity: number, load: number, w: SeatingWeights): number {
  if (load === 0) return 0;
  const free = capacity - load;
  return w.evenness * free * free + w.tableInUse;
}

export function rankWalkIn(input: WalkInInput): WalkInProposal {
  const w = input.weights ?? DEFAULT_SEATING_WEIGHTS;
  const size = input.party_size;
  const needs = input.needs ?? [];
  const maxCap = input.tables.reduce((m, t) => Math.max(m, t.capacity), 0);
  // |cost change| ≤ evenness·cap² + |tableInUse|: scaled into (−½, ½) so it only ever breaks ties of the fit.
  const scale = 2 * (Math.abs(w.evenness) * maxCap * maxCap + Math.abs(w.tableInUse)) + 1;
  let withNeeds = 0;
  const ranked: { option: WalkInOption; leftover: number; tie: number }[] = [];
  for (const t of input.tables) {
    if (!needs.every((n) => t.tags.includes(n))) continue;
    withNeeds++;
    const load = input.load.get(t.id) ?? { seated: 0, parties: 0 };
    const free = t.capacity - load.seated;
    if (free < size) continue;
    const leftover = free - size;
    const tie = (tableCost(t.capacity, load.seated + size, w) - tableCost(t.capacity, load.seated, w)) / scale;
    ranked.push({
      option: { table_id: t.id, label: t.label, capacity: t.capacity, free_seats: free, parties: load.parties, score: -(leftover + tie) },
      leftover,
      tie,
    });
  }
  ranked.sort((a, b) => a.leftover - b.leftover || a.tie - b.tie || a.option.label.localeCompare(b.option.label) || (a.option.table_id < b.option.table_id ? -1 : 1));
  const options = ranked.map((r) => r.option);
  const reason: WalkInProposal['reason'] = options.length ? null : input.tables.length === 0 ? 'no_tables' : withNeeds === 0 ? 'needs_unmet' : 'no_table_with_room';
  const duration = input.clock && input.startedMs !== undefined ? Math.max(0, input.clock() - input.startedMs) : 0;
  return { options, reason, duration_ms: duration, guests: input.guests ?? 0, tables: input.tables.length };
}
