import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  it('allows a burst, then asks to wait, then refills', () => {
    const rl = new RateLimiter({ perSecond: 2, burst: 3 });
    expect([rl.take('k', 0), rl.take('k', 0), rl.take('k', 0)]).toEqual([0, 0, 0]);
    expect(rl.take('k', 0)).toBe(1);
    expect(rl.take('other', 0)).toBe(0);
    expect(rl.take('k', 600)).toBe(0);
  });
});

describe('RateLimiter with a clock that steps back', () => {
  it('does not drain the bucket', () => {
    const rl = new RateLimiter({ perSecond: 1, burst: 2 });
    expect(rl.take('k', 1_000_000)).toBe(0);
    expect(rl.take('k', 0)).toBe(0);
  });
});
