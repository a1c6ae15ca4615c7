// The check-in decision: admit, or deny with a code. Pure: the caller looks the guest and their history up and passes
// them in, so the same rules run on the kiosk, in the agent and in tests, with no I/O and no clock of their own.
import type { CredentialKind, Direction, GuestStatus, ReentryPolicy, RejectReason } from '../contract/contract';

export type DecisionStatus = 'ok' | RejectReason;

/** The occasion this kiosk is checking in (times in epoch milliseconds). */
export interface OccasionRule {
  id: string;
  reentry_policy: ReentryPolicy;
  starts_ms: number;
  ends_ms: number;
}

/** The holder of the scanned credential, as stored. */
export interface GuestRecord {
  id: string;
  occasion_id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  status: GuestStatus;
  /** Null: no limit on that side. */
  valid_from_ms: number | null;
  valid_to_ms: number | null;
}

/** One admitted entry or exit of the guest, made at this door or (through sync) at any other. */
export interface Movement {
  direction: Direction;
  at_ms: number;
  door_id: string;
}

export interface GuestHistory {
  /** Whether the guest has been admitted through an entry at any door, ever. */
  entered: boolean;
  /** The latest admitted movement, or null. */
  last: Movement | null;
}

/** Generic in the guest type, so a caller's richer record (with a table label, say) comes back in the decision. */
export interface DecisionState<G extends GuestRecord = GuestRecord> {
  occasion: OccasionRule | null;
  /** The guest the credential belongs to; null when no guest holds it. */
  guest: G | null;
  history: GuestHistory;
  door_id: string;
  direction: Direction;
  /** A second scan of the same guest at the same door within this window is "already checked in just now". */
  double_scan_window_ms: number;
}

export interface ScannedCredential {
  kind: CredentialKind;
}

export type Decision<G extends GuestRecord = GuestRecord> =
  | { outcome: 'admit'; status: 'ok'; guest: G; party_size: number }
  | {
      outcome: 'deny';
      status: RejectReason;
      guest: G | null;
      /**
       * True for the repeated scan of a guest admitted at this door moments ago: the door shows "already checked in just
       * now" and nothing is recorded, neither a second check-in nor a rejection.
       */
      just_now: boolean;
    };

function deny<G extends GuestRecord>(status: RejectReason, guest: G | null, just_now = false): Decision<G> {
  return { outcome: 'deny', status, guest, just_now };
}

function isDoubleScan(state: DecisionState<GuestRecord>, now: number): boolean {
  const last = state.history.last;
  return (
    last !== null &&
    last.door_id === state.door_id &&
    last.direction === state.direction &&
    now - last.at_ms >= 0 &&
    now - last.at_ms <= state.double_scan_window_ms
  );
}

function reentryAllows(policy: ReentryPolicy, history: GuestHistory): boolean {
  switch (policy) {
    case 'single':
      return !history.entered;
    case 'after_exit':
      return history.last === null || history.last.direction === 'exit';
    case 'unlimited':
      return true;
    default: {
      const never: never = policy;
      throw new Error(`unknown re-entry policy ${String(never)}`);
    }
  }
}

/**
 * Order of the checks, most fundamental first: who is it (unknown), for this occasion (wrong_occasion), still invited
 * (revoked), the same person tapping twice (already_checked_in, just now), inside their validity (not_yet_valid,
 * expired), then the occasion's re-entry policy (already_checked_in).
 * An exit is recorded for any known guest of the occasion: a person leaving is never stopped at the door.
 * One credential admits the whole party: `party_size` is the guest's.
 */
export function decide<G extends GuestRecord>(state: DecisionState<G>, credential: ScannedCredential, now: number): Decision<G> {
  void credential.kind; // every kind follows the same rules; the caller records the kind with the outcome
  const { guest, occasion } = state;
  if (guest === null) return deny<G>('unknown_credential', null);
  if (occasion === null || guest.occasion_id !== occasion.id) return deny('wrong_occasion', guest);
  if (state.direction === 'exit') {
    if (isDoubleScan(state, now)) return deny('already_checked_in', guest, true);
    return { outcome: 'admit', status: 'ok', guest, party_size: guest.party_size };
  }
  if (guest.status === 'revoked') return deny('revoked', guest);
  if (isDoubleScan(state, now)) return deny('already_checked_in', guest, true);
  if (guest.valid_from_ms !== null && now < guest.valid_from_ms) return deny('not_yet_valid', guest);
  if (guest.valid_to_ms !== null && now > guest.valid_to_ms) return deny('expired', guest);
  if (!reentryAllows(occasion.reentry_policy, state.history)) return deny('already_checked_in', guest);
  return { outcome: 'admit', status: 'ok', guest, party_size: guest.party_size };
}

/** How many hours around an occasion's start and end a kiosk without a configured occasion still picks it. */
export const OCCASION_PICK_MARGIN_MS = 6 * 3600_000;

/**
 * The occasion a kiosk checks in: the configured one; else the only one; else the one whose time (with a margin for
 * early doors and late guests) contains `now`, the nearest start first. Null when none fits: every scan is then
 * `wrong_occasion`, which tells staff the kiosk is not set up for today.
 */
export function pickOccasion(occasions: readonly OccasionRule[], now: number, configuredId: string | null): OccasionRule | null {
  if (configuredId !== null) return occasions.find((o) => o.id === configuredId) ?? null;
  if (occasions.length === 1) return occasions[0] ?? null;
  const open = occasions.filter((o) => now >= o.starts_ms - OCCASION_PICK_MARGIN_MS && now <= o.ends_ms + OCCASION_PICK_MARGIN_MS);
  open.sort((a, b) => Math.abs(a.starts_ms - now) - Math.abs(b.starts_ms - now));
  return open[0] ?? null;
}
