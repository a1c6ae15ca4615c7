// Test helper for the evening with the internet down (tests/desk-evening.test.ts): what the venue's state must be,
// computed by the test from the decisions it made (and the HLCs those calls returned), apart from the code under test.
//
// The rule it applies is the one written in core/desk/hlc.ts, restated here on purpose rather than imported: per guest
// and field (table, party size) the decision with the greatest HLC wins, HLCs ordered as plain strings (ms, counter,
// then origin, so the venue's `v` wins a tie over the cloud's `c`); a decision without an HLC (the guest list as
// imported) loses to any that has one. Two decisions about one field are concurrent when one side made it without
// having seen the other (here: the hub while the WAN was cut, and the console meanwhile); the loser of each such pair
// is what the planner must be shown.

export type SeatField = 'table' | 'party';
export type DecisionSide = 'import' | 'venue' | 'console';

export interface SeatDecision {
  guestId: string;
  field: SeatField;
  /** The table id (null: no table) or the party size. */
  value: string | number | null;
  hlc: string | null;
  side: DecisionSide;
  /** Made while the WAN was cut (so the other side could not know it). */
  offline: boolean;
}

export interface GuestSeat {
  table: string | null;
  party: number;
}

/** The HLC of the decision that won each field (null: the list as imported, or a decision made without one). */
export interface SeatHlcs {
  table: string | null;
  party: string | null;
}

export interface ExpectedConflict {
  guestId: string;
  field: SeatField;
  winner: { value: string | null; hlc: string | null; side: DecisionSide };
  loser: { value: string | null; hlc: string | null; side: DecisionSide };
}

/** Strictly later by the written rule: greater HLC string; any HLC beats none. */
export function laterThan(a: string | null, b: string | null): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return a > b;
}

const asText = (v: string | number | null) => (v === null ? null : String(v));

/**
 * Folds the decisions (in any order: the HLCs decide, not the order they are given in) into each guest's table and
 * party size, and lists the concurrent pairs the planner must see.
 */
export function foldSeats(decisions: readonly SeatDecision[]): { seats: Map<string, GuestSeat>; hlcs: Map<string, SeatHlcs>; conflicts: ExpectedConflict[] } {
  const best = new Map<string, SeatDecision>();
  const byKey = new Map<string, SeatDecision[]>();
  for (const d of decisions) {
    const key = `${d.guestId}\u0000${d.field}`;
    const cur = best.get(key);
    if (!cur || laterThan(d.hlc, cur.hlc) || (cur.hlc === null && d.hlc === null && d.side !== 'import')) best.set(key, d);
    byKey.set(key, [...(byKey.get(key) ?? []), d]);
  }
  const seats = new Map<string, GuestSeat>();
  const hlcs = new Map<string, SeatHlcs>();
  for (const d of best.values()) {
    const s = seats.get(d.guestId) ?? { table: null, party: 1 };
    const h = hlcs.get(d.guestId) ?? { table: null, party: null };
    if (d.field === 'table') s.table = d.value === null ? null : String(d.value);
    else s.party = Number(d.value);
    h[d.field] = d.hlc;
    seats.set(d.guestId, s);
    hlcs.set(d.guestId, h);
  }
  const conflicts: ExpectedConflict[] = [];
  for (const [key, list] of byKey) {
    const newest = (side: DecisionSide) => list.filter((d) => d.side === side && d.offline).reduce<SeatDecision | null>((a, d) => (!a || laterThan(d.hlc, a.hlc) ? d : a), null);
    const venue = newest('venue');
    const planner = newest('console');
    if (!venue || !planner) continue;
    const [winner, loser] = laterThan(venue.hlc, planner.hlc) ? [venue, planner] : [planner, venue];
    const [guestId, field] = key.split('\u0000') as [string, SeatField];
    conflicts.push({
      guestId, field,
      winner: { value: asText(winner.value), hlc: winner.hlc, side: winner.side },
      loser: { value: asText(loser.value), hlc: loser.hlc, side: loser.side },
    });
  }
  return { seats, hlcs, conflicts };
}

/** Who is checked in at the end: every admission, minus the ones reverted, plus the admissions made after a revert. */
export function foldCheckins(steps: readonly { guestId: string; kind: 'admitted' | 'reverted' }[]): Set<string> {
  const inside = new Set<string>();
  for (const s of steps) {
    if (s.kind === 'admitted') inside.add(s.guestId);
    else inside.delete(s.guestId);
  }
  return inside;
}
