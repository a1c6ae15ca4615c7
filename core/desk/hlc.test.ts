import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, hlcWins, nextHlc, parseHlc } from './hlc';

const T = Date.parse('2026-12-01T20:00:00.000Z');

describe('HLCs of seat decisions', () => {
  it('tick past the clock and past every decision seen, whatever the clocks say', () => {
    expect(nextHlc(T, 'venue')).toBe(`${T}.0000.v`);
    // The decision replaced was made at the same ms: the counter moves on.
    expect(nextHlc(T, 'cloud', `${T}.0003.v`)).toBe(`${T}.0004.c`);
    // It was made "later" by a clock that runs ahead: the new one is later still.
    expect(nextHlc(T, 'cloud', `${T + 5000}.0000.v`)).toBe(`${T + 5000}.0001.c`);
    // An older decision only: the clock decides.
    expect(nextHlc(T, 'venue', `${T - 1}.0042.c`)).toBe(`${T}.0000.v`);
    // Several seen: the latest counts; unreadable or absent ones are ignored.
    expect(nextHlc(T, 'venue', null, undefined, 'garbage', `${T}.0001.c`, `${T}.0007.v`)).toBe(`${T}.0008.v`);
    // The counter never overflows its four digits: the ms moves on.
    expect(nextHlc(T, 'venue', `${T}.9999.c`)).toBe(`${T + 1}.0000.v`);
  });

  it('order by time, then counter, and the venue wins an exact tie', () => {
    const cases: Array<[string | null, string | null, boolean]> = [
      [`${T + 1}.0000.c`, `${T}.0009.v`, true],
      [`${T}.0002.c`, `${T}.0001.v`, true],
      [`${T}.0001.v`, `${T}.0001.c`, true],
      [`${T}.0001.c`, `${T}.0001.v`, false],
      [`${T}.0001.v`, `${T}.0001.v`, false],
      [`${T}.0000.c`, null, true],
      [null, `${T}.0000.c`, false],
      [null, null, false],
    ];
    for (const [a, b, wins] of cases) expect(hlcWins(a, b), `${a} over ${b}`).toBe(wins);
    expect(compareHlc(`${T}.0001.c`, `${T}.0001.c`)).toBe(0);
  });

  it('a decision made after seeing another always wins over it, from either side', () => {
    let last: string | null = null;
    for (let i = 0; i < 200; i++) {
      // Two deciders whose clocks disagree by a minute, taking turns, each seeing the other's last decision.
      const next = nextHlc(i % 2 ? T - 60_000 : T, i % 2 ? 'cloud' : 'venue', last);
      expect(hlcWins(next, last)).toBe(true);
      last = next;
    }
  });

  it('parse and format are inverse, and refuse what is not one', () => {
    const p = parseHlc(`${T}.0012.v`);
    expect(p).toEqual({ ms: T, counter: 12, origin: 'venue' });
    expect(formatHlc(p!)).toBe(`${T}.0012.v`);
    for (const bad of ['', `${T}.12.v`, `${T}.0012.x`, `${T}0.0012.v`, `${T}.0012.v `]) expect(parseHlc(bad)).toBeNull();
  });
});
