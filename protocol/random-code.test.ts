import { describe, expect, it } from 'vitest';
import { codeBits, randomCode } from './random-code';
import { CODE_ALPHABET, CODE_LENGTH, newPairingCode, normalizePairingCode } from './pairing';
import { newTabletPairingCode, normalizePairingCode as normalizeTabletCode, TABLET_CODE_ALPHABET, TABLET_CODE_LENGTH } from '../edge-agent/tablet/tablet-tokens';

/** Pearson's chi-square of the letter counts in `codes` against a uniform draw over `alphabet`. */
function chiSquare(codes: string[], alphabet: string): number {
  const counts = new Map([...alphabet].map((c) => [c, 0]));
  let total = 0;
  const strays = new Set<string>();
  for (const code of codes) {
    for (const c of code) {
      const n = counts.get(c);
      if (n === undefined) strays.add(c);
      else counts.set(c, n + 1);
      total++;
    }
  }
  expect([...strays], 'letters outside the alphabet').toEqual([]);
  const expected = total / alphabet.length;
  return [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
}

// 30 degrees of freedom (31 letters): a uniform draw exceeds 82.0 once in a million runs. The old `byte % 31` draw
// (the first 8 letters at 9/256, the rest at 8/256) lands near 1,100 on this many letters.
const CHI2_30_ONE_IN_A_MILLION = 82.0;

describe('pairing codes', () => {
  it('tablet codes: every letter equally likely, about 40 bits', () => {
    const codes = Array.from({ length: 40_000 }, () => normalizeTabletCode(newTabletPairingCode()));
    expect(codes[0]).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(TABLET_CODE_ALPHABET).toHaveLength(31);
    expect(chiSquare(codes, TABLET_CODE_ALPHABET)).toBeLessThan(CHI2_30_ONE_IN_A_MILLION);
    expect(codeBits(TABLET_CODE_ALPHABET, TABLET_CODE_LENGTH)).toBeGreaterThan(39.5);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('box pairing codes: every letter equally likely, about 59 bits', () => {
    const codes = Array.from({ length: 30_000 }, () => normalizePairingCode(newPairingCode()));
    expect(newPairingCode()).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(chiSquare(codes, CODE_ALPHABET)).toBeLessThan(CHI2_30_ONE_IN_A_MILLION);
    expect(codeBits(CODE_ALPHABET, CODE_LENGTH)).toBeGreaterThan(59);
  });

  it('the test itself tells a modulo-biased draw from a uniform one', () => {
    const biased = Array.from({ length: 40_000 }, () => {
      let s = '';
      for (let i = 0; i < 8; i++) s += TABLET_CODE_ALPHABET[Math.floor(Math.random() * 256) % 31];
      return s;
    });
    expect(chiSquare(biased, TABLET_CODE_ALPHABET)).toBeGreaterThan(CHI2_30_ONE_IN_A_MILLION * 5);
    expect(chiSquare([randomCode(TABLET_CODE_ALPHABET, 320_000)], TABLET_CODE_ALPHABET)).toBeLessThan(CHI2_30_ONE_IN_A_MILLION);
  });
});
