import { describe, expect, it } from 'vitest';
import { findDoubleAdmissions, type Admission } from './double-admission';

const adm = (event_id: string, device_id: string, minute: number, direction: 'entry' | 'exit' = 'entry', guest_id = 'g'): Admission =>
  ({ guest_id, event_id, device_id, direction, occurred_at: new Date(Date.UTC(2026, 10, 27, 20, minute)).toISOString() });

describe('findDoubleAdmissions', () => {
  it.each([
    ['two entries at two devices', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [['a', 'b']]],
    ['the earlier one arriving later', [adm('b', 'k2', 2)], [adm('a', 'k1', 1)], [['a', 'b']]],
    ['both in one batch', [], [adm('a', 'k1', 1), adm('b', 'k2', 2)], [['a', 'b']]],
    ['an exit between', [adm('a', 'k1', 1), adm('x', 'k1', 2, 'exit')], [adm('b', 'k2', 3)], []],
    ['an exit outside the pair', [adm('x', 'k1', 0, 'exit'), adm('a', 'k1', 1)], [adm('b', 'k2', 3)], [['a', 'b']]],
    ['the same device twice', [adm('a', 'k1', 1)], [adm('b', 'k1', 2)], []],
    ['another guest', [adm('a', 'k1', 1, 'entry', 'other')], [adm('b', 'k2', 2)], []],
    ['an incoming exit', [adm('a', 'k1', 1)], [adm('b', 'k2', 2, 'exit')], []],
    ['the incoming event already known', [adm('a', 'k1', 1), adm('b', 'k2', 2)], [adm('b', 'k2', 2)], [['a', 'b']]],
  ] as const)('%s', (_name, known, incoming, expected) => {
    const pairs = findDoubleAdmissions(known, incoming).map((p) => [p.first.event_id, p.second.event_id]);
    expect(pairs).toEqual(expected);
  });

  // The occasion's re-entry policy decides what a second entry is.
  it.each([
    ['single: two entries', 'single', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [['a', 'b']]],
    ['single: an exit between does not allow a second entry', 'single', [adm('a', 'k1', 1), adm('x', 'k1', 2, 'exit')], [adm('b', 'k2', 3)], [['a', 'b']]],
    ['after_exit: an exit between allows it', 'after_exit', [adm('a', 'k1', 1), adm('x', 'k1', 2, 'exit')], [adm('b', 'k2', 3)], []],
    ['after_exit: no exit between', 'after_exit', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], [['a', 'b']]],
    ['unlimited: never', 'unlimited', [adm('a', 'k1', 1)], [adm('b', 'k2', 2)], []],
  ] as const)('%s', (_name, policy, known, incoming, expected) => {
    const pairs = findDoubleAdmissions(known, incoming, () => policy).map((p) => [p.first.event_id, p.second.event_id]);
    expect(pairs).toEqual(expected);
  });

  it('applies each guest its own occasion\'s policy', () => {
    const policies: Record<string, 'single' | 'unlimited'> = { vip: 'unlimited', staff: 'single' };
    const pairs = findDoubleAdmissions(
      [adm('a', 'k1', 1, 'entry', 'vip'), adm('c', 'k1', 1, 'entry', 'staff'), adm('x', 'k1', 2, 'exit', 'staff')],
      [adm('b', 'k2', 3, 'entry', 'vip'), adm('d', 'k2', 3, 'entry', 'staff')],
      (g) => policies[g] ?? 'after_exit',
    );
    expect(pairs.map((p) => [p.guest_id, p.first.event_id, p.second.event_id])).toEqual([['staff', 'c', 'd']]);
  });
});
