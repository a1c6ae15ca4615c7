import { describe, expect, it } from 'vitest';
import { doorToSeat } from './door-to-seat';

describe('doorToSeat', () => {
  it.each([
    ['2026-06-20T20:00:00.000Z', '2026-06-20T20:00:42.500Z', { seconds: 42.5, outlier: false }],
    ['2026-06-20T20:00:00.000Z', '2026-06-20T20:15:00.000Z', { seconds: 900, outlier: false }],
    ['2026-06-20T20:00:00.000Z', '2026-06-20T20:15:00.001Z', { seconds: 900.001, outlier: true }],
    ['2026-06-20T20:00:00.000Z', '2026-06-20T20:00:00.000Z', { seconds: 0, outlier: false }],
    // Arrival stamped before the check-in: the clocks disagree, so the trip is an outlier, never a 0 s walk.
    ['2026-06-20T20:00:10.000Z', '2026-06-20T20:00:00.000Z', { seconds: -10, outlier: true }],
    ['2026-06-20T20:00:00.001Z', '2026-06-20T20:00:00.000Z', { seconds: -0.001, outlier: true }],
  ])('%s → %s', (from, to, expected) => {
    expect(doorToSeat(from, to)).toEqual(expected);
  });
  it('refuses unreadable times', () => {
    expect(doorToSeat('yesterday', '2026-06-20T20:00:00Z')).toBeNull();
  });
});
