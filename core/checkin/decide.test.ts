import { describe, expect, it } from 'vitest';
import { decide, pickOccasion, OCCASION_PICK_MARGIN_MS, type DecisionState, type GuestRecord, type GuestHistory, type OccasionRule } from './decide';
import type { ReentryPolicy } from '../contract/contract';

const T = Date.parse('2026-06-20T18:00:00.000Z');
const MIN = 60_000;

const occasion = (policy: ReentryPolicy = 'single', id = 'occ_gala'): OccasionRule => ({ id, reentry_policy: policy, starts_ms: T, ends_ms: T + 6 * 3600_000 });
const ana: GuestRecord = {
  id: 'g_ana', occasion_id: 'occ_gala', name: 'Ana Pérez', party_size: 3, table_id: 't12', status: 'active', valid_from_ms: null, valid_to_ms: null,
};
const none: GuestHistory = { entered: false, last: null };
const enteredAt = (door: string, at: number): GuestHistory => ({ entered: true, last: { direction: 'entry', door_id: door, at_ms: at } });
const exitedAt = (door: string, at: number): GuestHistory => ({ entered: true, last: { direction: 'exit', door_id: door, at_ms: at } });

function state(over: Partial<DecisionState> = {}): DecisionState {
  return { occasion: occasion(), guest: ana, history: none, door_id: 'door_a', direction: 'entry', double_scan_window_ms: 10_000, ...over };
}

type Row = [name: string, s: DecisionState, now: number, status: string, justNow?: boolean];

const rows: Row[] = [
  ['admits a valid guest on first entry', state(), T, 'ok'],
  ['unknown credential', state({ guest: null }), T, 'unknown_credential'],
  ['guest of another occasion', state({ guest: { ...ana, occasion_id: 'occ_wedding' } }), T, 'wrong_occasion'],
  ['no occasion is being checked in', state({ occasion: null }), T, 'wrong_occasion'],
  ['revoked guest', state({ guest: { ...ana, status: 'revoked' } }), T, 'revoked'],
  ['before valid_from', state({ guest: { ...ana, valid_from_ms: T + 30 * MIN } }), T, 'not_yet_valid'],
  ['at valid_from exactly', state({ guest: { ...ana, valid_from_ms: T } }), T, 'ok'],
  ['after valid_to', state({ guest: { ...ana, valid_to_ms: T - 1 } }), T, 'expired'],
  ['at valid_to exactly', state({ guest: { ...ana, valid_to_ms: T } }), T, 'ok'],
  // re-entry: single
  ['single: second entry at another door', state({ history: enteredAt('door_b', T - 5 * MIN) }), T, 'already_checked_in', false],
  ['single: re-entry after an exit is still refused', state({ history: exitedAt('door_a', T - 5 * MIN) }), T, 'already_checked_in', false],
  // re-entry: after_exit
  ['after_exit: entry again without exit', state({ occasion: occasion('after_exit'), history: enteredAt('door_b', T - 5 * MIN) }), T, 'already_checked_in', false],
  ['after_exit: entry after an exit', state({ occasion: occasion('after_exit'), history: exitedAt('door_b', T - 5 * MIN) }), T, 'ok'],
  ['after_exit: first entry', state({ occasion: occasion('after_exit') }), T, 'ok'],
  // re-entry: unlimited
  ['unlimited: entry after entry', state({ occasion: occasion('unlimited'), history: enteredAt('door_b', T - 5 * MIN) }), T, 'ok'],
  // double scan window
  ['same door within the window: just now', state({ history: enteredAt('door_a', T - 3000) }), T, 'already_checked_in', true],
  ['same door at the window edge: just now', state({ history: enteredAt('door_a', T - 10_000) }), T, 'already_checked_in', true],
  ['same door after the window: policy applies', state({ history: enteredAt('door_a', T - 10_001) }), T, 'already_checked_in', false],
  ['other door within the window: not "just now"', state({ history: enteredAt('door_b', T - 3000) }), T, 'already_checked_in', false],
  ['unlimited, same door within the window: still no second record', state({ occasion: occasion('unlimited'), history: enteredAt('door_a', T - 3000) }), T, 'already_checked_in', true],
  ['unlimited, same door after the window: admitted', state({ occasion: occasion('unlimited'), history: enteredAt('door_a', T - 60_000) }), T, 'ok'],
  ['window 0 disables the double-scan rule', state({ occasion: occasion('unlimited'), double_scan_window_ms: 0, history: enteredAt('door_a', T - 1) }), T, 'ok'],
  ['a revoked guest is told revoked even right after a scan', state({ guest: { ...ana, status: 'revoked' }, history: enteredAt('door_a', T - 1000) }), T, 'revoked'],
  // exits
  ['exit is recorded for a checked-in guest', state({ direction: 'exit', history: enteredAt('door_a', T - 30 * MIN) }), T, 'ok'],
  ['exit of a revoked or expired guest is not stopped', state({ direction: 'exit', guest: { ...ana, status: 'revoked', valid_to_ms: T - MIN } }), T, 'ok'],
  ['exit scanned twice at the same door: just now', state({ direction: 'exit', history: exitedAt('door_a', T - 2000) }), T, 'already_checked_in', true],
  ['exit with an unknown credential', state({ direction: 'exit', guest: null }), T, 'unknown_credential'],
  ['exit of a guest of another occasion', state({ direction: 'exit', guest: { ...ana, occasion_id: 'x' } }), T, 'wrong_occasion'],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, s, now, status, justNow) => {
    const d = decide(s, { kind: 'barcode' }, now);
    expect(d.status).toBe(status);
    expect(d.outcome).toBe(status === 'ok' ? 'admit' : 'deny');
    if (justNow !== undefined && d.outcome === 'deny') expect(d.just_now).toBe(justNow);
  });

  it('admits the whole party with one credential', () => {
    const d = decide(state(), { kind: 'nfc' }, T);
    expect(d).toMatchObject({ outcome: 'admit', party_size: 3, guest: { id: 'g_ana', table_id: 't12' } });
  });

  it('decides the same for every credential kind', () => {
    for (const kind of ['barcode', 'nfc', 'manual'] as const) {
      expect(decide(state({ history: enteredAt('door_b', T - MIN) }), { kind }, T).status).toBe('already_checked_in');
    }
  });
});

describe('pickOccasion', () => {
  const gala = occasion('single', 'gala');
  const brunch: OccasionRule = { id: 'brunch', reentry_policy: 'unlimited', starts_ms: T + 24 * 3600_000, ends_ms: T + 28 * 3600_000 };
  it('prefers the configured occasion, and is null when it is not in the store', () => {
    expect(pickOccasion([gala, brunch], T, 'brunch')?.id).toBe('brunch');
    expect(pickOccasion([gala], T, 'nope')).toBeNull();
  });
  it('takes the only occasion whatever the time', () => {
    expect(pickOccasion([gala], T + 100 * 24 * 3600_000, null)?.id).toBe('gala');
  });
  it('picks by time among several, and none outside every window', () => {
    expect(pickOccasion([gala, brunch], T - MIN, null)?.id).toBe('gala');
    expect(pickOccasion([gala, brunch], T + 23 * 3600_000, null)?.id).toBe('brunch');
    expect(pickOccasion([gala, brunch], T - OCCASION_PICK_MARGIN_MS - MIN, null)).toBeNull();
  });
});
