// Codes people type (pairing codes): characters drawn uniformly from an alphabet, from the OS's CSPRNG.
import { randomBytes } from 'node:crypto';

/**
 * `length` characters of `alphabet`, each equally likely. A byte taken modulo an alphabet that does not divide 256
 * favours the first letters (with 31 letters, `b % 31` gives the first 8 a 9/256 chance against 8/256), so bytes from
 * the top of the range that would cause it are drawn again (rejection sampling).
 */
export function randomCode(alphabet: string, length: number): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError('the alphabet needs 2 to 256 characters');
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length - out.length + 8)) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Bits of guessing a code of `length` characters drawn by randomCode carries. */
export function codeBits(alphabet: string, length: number): number {
  return length * Math.log2(alphabet.length);
}
