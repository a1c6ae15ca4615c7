// Sorts one batch's events into accepted, duplicate-in-batch and rejected, each on its own (SYSTEM.md POST /v1/events).
import type { RelayedEvent, SeatPilotEvent } from '../core/contract/contract';
import { checkEvent } from '../core/contract/validate';
import type { Caller, RejectedEvent } from './store';

/**
 * What a receiver does with an event whose envelope is valid but whose type it does not know: a relay (the hub) keeps
 * and forwards it, so an older hub carries types added to the contract after it was built; the final receiver (the
 * cloud) rejects it as `unknown_type`.
 */
export type UnknownTypes = 'relay' | 'reject';

export interface ClassifiedBatch {
  accepted: SeatPilotEvent[];
  /** With `unknownTypes: 'relay'`: events of types this build does not know, every other check passed, as they came. */
  relayed: RelayedEvent[];
  rejected: RejectedEvent[];
  /** Events repeating an event_id seen earlier in the same batch: counted as duplicates, stored once. */
  duplicatesInBatch: number;
}

function eventIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'event_id' in raw) {
    const id = (raw as { event_id: unknown }).event_id;
    return typeof id === 'string' ? id.slice(0, 128) : null;
  }
  return null;
}

export const AUDIT_ENTRY_REFUSED = 'audit entries are made by the venue hub';
export const VENUE_DECISION_REFUSED = 'walk-ins and moves are decided by the venue hub';

/**
 * The event types only the hub makes, each refused with its own detail from any other key: a door or a gateway (kiosk
 * → hub, or straight to the cloud) could otherwise write entries into the venue's trail, or add guests and move them
 * past the hub's desk (VenueDesk makes walk-ins and moves; kiosks and tablets ask the hub, they never send these).
 */
const HUB_ONLY: Readonly<Record<string, string>> = {
  'audit.entry': AUDIT_ENTRY_REFUSED,
  'guest.added': VENUE_DECISION_REFUSED,
  'seat.changed': VENUE_DECISION_REFUSED,
};

/**
 * An event of a HUB_ONLY type is the hub's own (its audit chain, its desk's decisions): only the hub's key (kind
 * 'agent') sends it, for its own device id; one relayed for another device is not the hub's.
 */
export function hubMade(caller: Caller, deviceId: string): boolean {
  return caller.deviceKind === 'agent' && deviceId === caller.deviceId;
}

/**
 * `relayable` holds the device ids (other than the caller's own) that the caller may relay for: for an agent, the
 * kiosks of its venue; for any other device, nothing.
 */
export function classifyBatch(caller: Caller, events: unknown[], relayable: ReadonlySet<string>, unknownTypes: UnknownTypes): ClassifiedBatch {
  const accepted: SeatPilotEvent[] = [];
  const relayed: RelayedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const seen = new Set<string>();
  let duplicatesInBatch = 0;
  events.forEach((raw, index) => {
    const check = checkEvent(raw);
    let sorted: { known: true; e: SeatPilotEvent } | { known: false; e: RelayedEvent };
    if (check.ok) {
      sorted = { known: true, e: check.event };
    } else if (check.reason === 'unknown_type' && unknownTypes === 'relay') {
      // checkEvent names the type only after the depth, size, storable-text and envelope checks passed: the envelope is valid.
      const r = raw as RelayedEvent;
      sorted = { known: false, e: /[A-F]/.test(r.event_id) ? { ...r, event_id: r.event_id.toLowerCase() } : r };
    } else {
      rejected.push({ index, eventId: eventIdOf(raw), reason: check.reason, detail: check.detail, raw });
      return;
    }
    const { e } = sorted;
    if (e.venue_id !== caller.venueId) {
      rejected.push({ index, eventId: e.event_id, reason: 'venue_mismatch', detail: `venue_id "${e.venue_id}" is not this key's venue`, raw });
      return;
    }
    if (e.device_id !== caller.deviceId && !relayable.has(e.device_id)) {
      const detail = caller.deviceKind === 'agent'
        ? `device "${e.device_id}" is not registered to this venue`
        : `device_id "${e.device_id}" is not this key's device`;
      rejected.push({ index, eventId: e.event_id, reason: 'device_mismatch', detail, raw });
      return;
    }
    const hubOnly = Object.hasOwn(HUB_ONLY, e.type) ? HUB_ONLY[e.type] : undefined;
    if (hubOnly !== undefined && !hubMade(caller, e.device_id)) {
      rejected.push({ index, eventId: e.event_id, reason: 'invalid_event', detail: hubOnly, raw });
      return;
    }
    const id = e.event_id.toLowerCase();
    if (seen.has(id)) {
      duplicatesInBatch++;
      return;
    }
    seen.add(id);
    if (sorted.known) accepted.push(sorted.e);
    else relayed.push(sorted.e);
  });
  return { accepted, relayed, rejected, duplicatesInBatch };
}

/** Device ids in the batch other than the caller's, which an agent would be relaying. */
export function foreignDeviceIds(caller: Caller, events: unknown[]): string[] {
  if (caller.deviceKind !== 'agent') return [];
  const ids = new Set<string>();
  for (const raw of events) {
    if (raw && typeof raw === 'object') {
      const d = (raw as { device_id?: unknown }).device_id;
      if (typeof d === 'string' && d !== caller.deviceId && d.length <= 128) ids.add(d);
    }
  }
  return [...ids];
}
