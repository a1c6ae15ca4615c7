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
});
