import { describe, expect, it } from 'vitest';
import { KeystrokeBurstDetector } from './keystroke-burst';

/** Feed keys at the given times; return what the detector reported. */
function feed(d: KeystrokeBurstDetector, keys: Array<[string, number]>): string[] {
  const out: string[] = [];
  for (const [k, t] of keys) {
    const r = d.key(k, t);
    if (r !== null) out.push(r);
  }
  return out;
}

const typed = (text: string, start: number, step: number): Array<[string, number]> => [...text].map((c, i) => [c, start + i * step]);

describe('KeystrokeBurstDetector', () => {
  it('reports a scanner burst (keys 8 ms apart, Enter at the end)', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [...typed('TK-2026/#A7z', 1000, 8), ['Enter', 1000 + 12 * 8]])).toEqual(['TK-2026/#A7z']);
  });

  it('ignores a person typing the same text (120 ms apart) and pressing Enter', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [...typed('TK-2026', 1000, 120), ['Enter', 1000 + 7 * 120]])).toEqual([]);
  });

  it('treats 50 ms as too slow: the gap must be under 50 ms', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [...typed('ABCD', 0, 50), ['Enter', 200]])).toEqual([]);
    expect(feed(d, [...typed('ABCD', 1000, 49), ['Enter', 1000 + 4 * 49]])).toEqual(['ABCD']);
  });

  it('keeps only the burst when a person typed just before the scan', () => {
    const d = new KeystrokeBurstDetector();
    const keys: Array<[string, number]> = [...typed('hello', 0, 150), ...typed('12345678', 2000, 5), ['Enter', 2040]];
    expect(feed(d, keys)).toEqual(['12345678']);
  });

  it('does not let an Enter long after the burst complete it', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [...typed('12345678', 0, 5), ['Enter', 500]])).toEqual([]);
  });

  it('ignores short bursts (a person double-tapping) below the minimum length', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [['a', 0], ['b', 20], ['Enter', 40]])).toEqual([]);
  });

  it('lets Shift, AltGr and dead keys pass inside a burst, and breaks it on editing keys', () => {
    const d = new KeystrokeBurstDetector();
    const scan: Array<[string, number]> = [['Shift', 0], ['T', 3], ['AltGraph', 6], ['#', 9], ['1', 12], ['2', 15], ['Enter', 18]];
    expect(feed(d, scan)).toEqual(['T#12']);
    expect(feed(d, [['1', 100], ['2', 105], ['Backspace', 110], ['3', 115], ['4', 120], ['Enter', 125]])).toEqual([]);
  });

  it('refuses a burst whose clock went backwards', () => {
    const d = new KeystrokeBurstDetector();
    expect(feed(d, [['1', 100], ['2', 105], ['3', 110], ['4', 115], ['Enter', 90]])).toEqual([]);
  });
});
