// Undone check-ins (checkin.reverted) as the double-admission detector sees them. Pure: which movements a set of
// reverts takes out, and which flagged pairs they clear. A revert counts only for a check-in of its own guest (the
// caller keeps tenant and venue apart); the earliest such revert of a check-in (by time, then id) is the one named, so a
// revert naming another guest's check-in never hides the guest's own (as the KPI views of sql 0019 join on the guest).
import type { Admission, AdmissionPair } from './double-admission';

export interface Revert {
  /** The revert's own event id. */
  event_id: string;
  guest_id: string;
  reverted_event_id: string;
  /** RFC 3339. */
  occurred_at: string;
}

const earlier = (a: Revert, b: Revert): boolean => {
  const ta = Date.parse(a.occurred_at);
  const tb = Date.parse(b.occurred_at);
  return ta < tb || (ta === tb && a.event_id.toLowerCase() < b.event_id.toLowerCase());
};

/** The key of `revertsByEvent`: a check-in's id (lower case) and its guest. */
export const revertKey = (eventId: string, guestId: string): string => `${eventId.toLowerCase()}\u0000${guestId}`;

/** Each reverted check-in (by revertKey: its id and the revert's guest) with the earliest revert that names it. */
export function revertsByEvent(reverts: readonly Revert[]): Map<string, Revert> {
  const out = new Map<string, Revert>();
  for (const r of reverts) {
    const k = revertKey(r.reverted_event_id, r.guest_id);
    const had = out.get(k);
    if (!had || earlier(r, had)) out.set(k, r);
  }
  return out;
}

/** The revert that undoes this movement, if any. */
export function revertOf(a: Admission, byEvent: ReadonlyMap<string, Revert>): Revert | undefined {
  return byEvent.get(revertKey(a.event_id, a.guest_id));
}

/** The movements that still stand, and those the reverts take out (each with its revert). */
export function applyReverts<A extends Admission>(
  admissions: readonly A[],
  byEvent: ReadonlyMap<string, Revert>,
): { standing: A[]; reverted: { admission: A; by: Revert }[] } {
  const standing: A[] = [];
  const reverted: { admission: A; by: Revert }[] = [];
  for (const a of admissions) {
    const by = revertOf(a, byEvent);
    if (by) reverted.push({ admission: a, by });
    else standing.push(a);
  }
  return { standing, reverted };
}

/** Flagged pairs one of whose admissions is reverted, each with the revert that clears it (the first one's first). */
export function clearedPairs<P extends AdmissionPair>(pairs: readonly P[], byEvent: ReadonlyMap<string, Revert>): { pair: P; by: Revert }[] {
  const out: { pair: P; by: Revert }[] = [];
  for (const pair of pairs) {
    const by = revertOf(pair.first, byEvent) ?? revertOf(pair.second, byEvent);
    if (by) out.push({ pair, by });
  }
  return out;
}
