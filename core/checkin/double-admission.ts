// Double admissions: the same guest admitted (entry) at two different devices when the occasion's re-entry policy would
// have refused the second (kiosks deciding while cut off from the venue hub). Pure: the cloud's store feeds it a guest's
// known movements and the policy of the guest's occasion.
import type { Direction, ReentryPolicy } from '../contract/contract';

export interface Admission {
  guest_id: string;
  event_id: string;
  device_id: string;
  direction: Direction;
  /** RFC 3339. */
  occurred_at: string;
}

export interface AdmissionPair {
  guest_id: string;
  /** The earlier admission (by time, then event_id), so each pair has one spelling. */
  first: Admission;
  second: Admission;
}

const before = (a: Admission, b: Admission): boolean => {
  const ta = Date.parse(a.occurred_at);
  const tb = Date.parse(b.occurred_at);
  return ta < tb || (ta === tb && a.event_id < b.event_id);
};

/** Without a known occasion, the rule most venues use: in again only after going out. */
export const DEFAULT_REENTRY: ReentryPolicy = 'after_exit';

/**
 * Pairs that involve at least one `incoming` entry, given the guests' `known` movements (which may include them).
 * `single`: any second entry at another device is a double admission, an exit between or not; `after_exit`: one with no
 * exit between; `unlimited`: none.
 */
export function findDoubleAdmissions(
  known: readonly Admission[],
  incoming: readonly Admission[],
  policyOf: (guestId: string) => ReentryPolicy = () => DEFAULT_REENTRY,
): AdmissionPair[] {
  const byGuest = new Map<string, Map<string, Admission>>();
  for (const a of [...known, ...incoming]) {
    let m = byGuest.get(a.guest_id);
    if (!m) byGuest.set(a.guest_id, (m = new Map()));
    m.set(a.event_id.toLowerCase(), a);
  }
  const pairs = new Map<string, AdmissionPair>();
  for (const b of incoming) {
    if (b.direction !== 'entry') continue;
    const policy = policyOf(b.guest_id);
    if (policy === 'unlimited') continue;
    const moves = [...(byGuest.get(b.guest_id)?.values() ?? [])];
    for (const a of moves) {
      if (a.direction !== 'entry' || a.device_id === b.device_id || a.event_id.toLowerCase() === b.event_id.toLowerCase()) continue;
      const [first, second] = before(a, b) ? [a, b] : [b, a];
      const t1 = Date.parse(first.occurred_at);
      const t2 = Date.parse(second.occurred_at);
      const exitBetween = moves.some((x) => x.direction === 'exit' && Date.parse(x.occurred_at) > t1 && Date.parse(x.occurred_at) < t2);
      if (exitBetween && policy === 'after_exit') continue;
      pairs.set(`${first.event_id.toLowerCase()}|${second.event_id.toLowerCase()}`, { guest_id: b.guest_id, first, second });
    }
  }
  return [...pairs.values()];
}
