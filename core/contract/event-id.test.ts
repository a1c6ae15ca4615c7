import { describe, expect, it } from 'vitest';
import { eventIdGenerator, newEventId, uuidv7 } from './event-id';
import { UUID_TEXT } from './validate';

const bytesFrom = (hex: string) => (b: Uint8Array) => b.set(Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))).subarray(0, b.length));
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuidv7', () => {
  it('matches the RFC 9562 appendix A.6 example', () => {
    // 2022-02-22T19:22:22Z, rand_a 0xCC3, rand_b from 0x18C4DC0C0C07398F with the variant bits set.
    expect(uuidv7(0x017f22e279b0, 0xcc3, bytesFrom('18c4dc0c0c07398f'))).toBe('017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
  });
  it('has the version 7 and variant 10 bits, and the contract accepts it', () => {
    const id = newEventId();
    expect(id).toMatch(UUID_TEXT);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(Math.abs(msOf(id) - Date.now())).toBeLessThan(5_000);
  });
  it('refuses timestamps and counters out of range', () => {
    expect(() => uuidv7(-1, 0)).toThrow(RangeError);
    expect(() => uuidv7(2 ** 48, 0)).toThrow(RangeError);
    expect(() => uuidv7(0, 0x1000)).toThrow(RangeError);
  });
});

describe('eventIdGenerator', () => {
  it('makes strictly increasing ids in one millisecond, past the counter, and when the clock steps back', () => {
    let now = 1_781_982_000_000;
    const next = eventIdGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) ids.push(next()); // more than the 12-bit counter holds in one ms
    now -= 60_000; // the clock is corrected backwards
    for (let i = 0; i < 10; i++) ids.push(next());
    now += 120_000;
    ids.push(next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(msOf(ids[0]!)).toBe(1_781_982_000_000);
    expect(msOf(ids[ids.length - 1]!)).toBe(now);
  });
  it('puts the clock time in the first 48 bits', () => {
    let now = Date.UTC(2026, 10, 27, 20, 15, 3, 123);
    const next = eventIdGenerator(() => now);
    expect(msOf(next())).toBe(now);
    now += 1;
    expect(msOf(next())).toBe(now);
  });
  it('draws fresh random bits for every id from the shared pool, across its refills', () => {
    // 4,000 ids take 40,000 random bytes: nine refills of the 4 KiB pool. No id may reuse another's random tail.
    let now = Date.UTC(2026, 10, 27, 20, 0, 0, 0);
    const next = eventIdGenerator(() => (now += 1));
    const tails = Array.from({ length: 4000 }, () => next().replace(/-/g, '').slice(16));
    expect(new Set(tails).size).toBe(tails.length);
    expect(new Set(tails.map((t) => t.slice(1, 4))).size).toBeGreaterThan(1000);
  });
});
