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

describe('RateLimiter memory', () => {
  it('stays bounded under a flood of new sources without giving a busy source a fresh bucket', () => {
    const rl = new RateLimiter({ perSecond: 0.2, burst: 10 });
    for (let i = 0; i < 10; i++) expect(rl.take('busy', 0)).toBe(0);
    expect(rl.take('busy', 0)).toBeGreaterThan(0);
    // 250,000 one-off addresses, the busy source still knocking in between (as a brute-forcer would).
    for (let i = 0; i < 250_000; i++) {
      rl.take(`flood-${i}`, 0);
      if (i % 1000 === 0) {
        expect(rl.take('busy', 0), `after ${i} other sources`).toBeGreaterThan(0);
        expect(rl.size).toBeLessThanOrEqual(100_000);
      }
    }
    expect(rl.take('busy', 0)).toBeGreaterThan(0);
    // The oldest one-off sources were dropped; coming back, they start with a full bucket as any new source does.
    expect(rl.take('flood-0', 0)).toBe(0);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const rl = new RateLimiter({ perSecond: 1, burst: 1, maxKeys: 2 });
    expect(rl.take('a', 0)).toBe(0);
    expect(rl.take('b', 0)).toBe(0);
    expect(rl.take('a', 0)).toBe(1); // a is now the most recent
    expect(rl.take('c', 0)).toBe(0); // b goes
    expect(rl.size).toBe(2);
    expect(rl.take('a', 0)).toBe(1);
    expect(rl.take('b', 0)).toBe(0);
  });
});
