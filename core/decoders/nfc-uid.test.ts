// Every form a reader may deliver must give the same canonical UID. Decimal values were computed by hand from the
// bytes (0x921F5AE3 = 2451528419, 0xE35A1F92 = 3814334354), not by this module.
import { describe, expect, it } from 'vitest';
import { canonicalNfcUid } from './nfc-uid';

const FOUR = 'E35A1F92'; // a MIFARE Classic 4-byte UID, card order E3 5A 1F 92
const SEVEN = '046F8A32B56C80'; // an NTAG 7-byte UID, NXP manufacturer byte 04 first

describe('canonicalNfcUid', () => {
  it.each([
    ['hex', 'E35A1F92', 'auto'],
    ['lower-case hex with colons', 'e3:5a:1f:92', 'auto'],
    ['hex with spaces and a trailing newline', 'E3 5A 1F 92\n', 'hex'],
    ['reversed hex', '921F5AE3', 'hex-reversed'],
    ['10-digit decimal, 32-bit little-endian', '2451528419', 'auto'],
    ['the same decimal, form given', '2451528419', 'decimal-le'],
    ['decimal big-endian', '3814334354', 'decimal-be'],
  ] as const)('maps a 4-byte UID typed as %s', (_name, input, form) => {
    expect(canonicalNfcUid(input, form)).toEqual({ ok: true, uid: FOUR });
  });

  it('maps raw bytes in card order and reversed raw bytes', () => {
    expect(canonicalNfcUid(Uint8Array.from([0xe3, 0x5a, 0x1f, 0x92]))).toEqual({ ok: true, uid: FOUR });
    expect(canonicalNfcUid(Uint8Array.from([0x92, 0x1f, 0x5a, 0xe3]), 'hex-reversed')).toEqual({ ok: true, uid: FOUR });
  });

  it.each([
    ['04:6F:8A:32:B5:6C:80', 'auto'],
    ['046f8a32b56c80', 'hex'],
    ['80 6C B5 32 8A 6F 04', 'hex-reversed'],
  ] as const)('maps a 7-byte UID typed as %s', (input, form) => {
    expect(canonicalNfcUid(input, form)).toEqual({ ok: true, uid: SEVEN });
  });

  it('keeps leading zero bytes of a small decimal', () => {
    // 0x0000AB12 = 43794; little-endian bytes 12 AB 00 00
    expect(canonicalNfcUid('0000043794')).toEqual({ ok: true, uid: '12AB0000' });
    expect(canonicalNfcUid('43794', 'decimal-le')).toEqual({ ok: true, uid: '12AB0000' });
  });

  it('reads 8 digits as a 4-byte hex UID in auto mode (the documented ambiguity)', () => {
    expect(canonicalNfcUid('12345678')).toEqual({ ok: true, uid: '12345678' });
  });

  it.each([
    ['', 'auto', 'empty UID'],
    ['E35A1F', 'auto', 'a card UID is 4, 7, 8 or 10 bytes, got 3'],
    ['E35A1F9', 'auto', 'not a hex UID: "E35A1F9" has an odd number of hex digits'],
    ['E35A1FZZ', 'auto', 'not a hex UID: "E35A1FZZ" is not hex'],
    ['4294967296', 'auto', '4294967296 is larger than a 4-byte UID can be (4294967295)'],
    ['046F8A32B56C80', 'decimal-le', 'a decimal UID is 1 to 10 digits 0-9'],
    ['00000000', 'auto', 'the UID is all zeros: the reader sent no card'],
  ] as const)('refuses %j (%s) with a reason', (input, form, reason) => {
    expect(canonicalNfcUid(input, form)).toEqual({ ok: false, reason });
  });

  it('refuses raw bytes of a length no UID has', () => {
    expect(canonicalNfcUid(Uint8Array.from([1, 2, 3, 4, 5]))).toEqual({ ok: false, reason: 'a card UID is 4, 7, 8 or 10 bytes, got 5' });
    expect(canonicalNfcUid(Uint8Array.from([1, 2, 3, 4]), 'decimal-le')).toEqual({ ok: false, reason: 'raw UID bytes cannot be in the decimal-le form' });
  });
});
