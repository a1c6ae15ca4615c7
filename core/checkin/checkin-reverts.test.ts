import { describe, expect, it } from 'vitest';
import { applyReverts, clearedPairs, revertKey, revertsByEvent, type Revert } from './checkin-reverts';
import { findDoubleAdmissions, type Admission } from './double-admission';

const time = (minute: number) => new Date(Date.UTC(2026, 10, 27, 20, minute)).toISOString();
const adm = (event_id: string, device_id: string, minute: number, guest_id = 'g'): Admission =>
  ({ guest_id, event_id, device_id, direction: 'entry', occurred_at: time(minute) });
const rev = (event_id: string, reverted_event_id: string, minute: number, guest_id = 'g'): Revert =>
  ({ event_id, guest_id, reverted_event_id, occurred_at: time(minute) });

/** What the detector does in one pass: reverts applied to what is known and what came in, then pairing. */
const pass = (known: Admission[], incoming: Admission[], reverts: Revert[]) => {
  const byEvent = revertsByEvent(reverts);
  return findDoubleAdmissions(applyReverts(known, byEvent).standing, applyReverts(incoming, byEvent).standing)
    .map((p) => [p.first.event_id, p.second.event_id]);
};

describe('reverts before pairing', () => {
  it.each([
    ['no revert: the pair', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [], [['a', 'b']]],
    ['the known admission reverted: no pair', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [rev('r', 'a', 1)], []],
    ['both admissions and the revert in one window', [], [adm('a', 'k1', 1), adm('b', 'k2', 2)], [rev('r', 'a', 1)], []],
    ['the incoming admission reverted (its revert came first)', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [rev('r', 'b', 3)], []],
    ['a third admission pairs with the one that stands only', [adm('a', 'k1', 1), adm('b', 'k2', 2)], [adm('c', 'k3', 3)], [rev('r', 'a', 1)], [['b', 'c']]],
    ["a revert naming another guest's check-in is ignored", [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [rev('r', 'a', 1, 'someone-else')], [['a', 'b']]],
    ["another guest's earlier revert of the check-in does not hide the guest's own", [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [rev('r0', 'a', 1, 'someone-else'), rev('r1', 'a', 2)], []],
    ['ids compared without case', [adm('AA', 'k1', 1)], [adm('b', 'k2', 2)], [rev('r', 'aa', 1)], []],
  ] as const)('%s', (_name, known, incoming, reverts, expected) => {
    expect(pass([...known], [...incoming], [...reverts])).toEqual(expected);
  });
});

describe('revertsByEvent', () => {
  it('names the earliest revert of a check-in, by time then id', () => {
    const m = revertsByEvent([rev('r2', 'a', 5), rev('r1', 'a', 4), rev('r0', 'a', 5), rev('rb', 'B', 1), rev('rx', 'a', 1, 'other')]);
    expect([...m.entries()].map(([k, r]) => [k, r.event_id])).toEqual([[revertKey('a', 'g'), 'r1'], [revertKey('b', 'g'), 'rb'], [revertKey('a', 'other'), 'rx']]);
  });
});

describe('applyReverts', () => {
  it('keeps the standing movements in order and names the revert of each one taken out', () => {
    const { standing, reverted } = applyReverts([adm('a', 'k1', 1), adm('b', 'k2', 2), adm('c', 'k1', 3)], revertsByEvent([rev('r', 'b', 4)]));
    expect(standing.map((a) => a.event_id)).toEqual(['a', 'c']);
    expect(reverted.map((x) => [x.admission.event_id, x.by.event_id])).toEqual([['b', 'r']]);
  });
});

describe('clearedPairs', () => {
  const pair = (first: Admission, second: Admission) => ({ guest_id: first.guest_id, first, second });
  it.each([
    ['the first admission reverted', [rev('r', 'a', 9)], ['r']],
    ['the second admission reverted', [rev('r', 'b', 9)], ['r']],
    ['both reverted: the first one\'s revert', [rev('rb', 'b', 8), rev('ra', 'a', 9)], ['ra']],
    ['another check-in reverted', [rev('r', 'z', 9)], []],
    ['a revert of another guest', [rev('r', 'a', 9, 'other')], []],
  ] as const)('%s', (_name, reverts, expected) => {
    const cleared = clearedPairs([pair(adm('a', 'k1', 1), adm('b', 'k2', 2))], revertsByEvent([...reverts]));
    expect(cleared.map((c) => c.by.event_id)).toEqual(expected);
  });
});
