import { describe, expect, it } from 'vitest';
import { canonicalNfcUid, canonicalStoredCredential, normalizeCredential } from './credential';

describe('normalizeCredential: barcodes', () => {
  it.each([
    ['TICKET-0042', {}, 'TICKET-0042'],
    ['  TICKET-0042\r\n', {}, 'TICKET-0042'],
    ['\tTICKET-0042\u0000', {}, 'TICKET-0042'],
    ['\ufeffTICKET-0042', {}, 'TICKET-0042'],
    [']Q1TICKET-0042\r', { prefixes: [']Q1', ']C0'] }, 'TICKET-0042'],
    ['@TICKET-0042#\n', { prefixes: ['@'], suffixes: ['#'] }, 'TICKET-0042'],
    ['TICKET-0042', { prefixes: ['@'], suffixes: ['#'] }, 'TICKET-0042'],
    ['ticket-0042', {}, 'ticket-0042'], // case kept: codes are case-sensitive
    ['01\u001d2345', {}, '01\u001d2345'], // GS1 separators inside are kept
    ['Jose\u0301', {}, 'José'], // NFC form, so a decomposed é matches a composed one
  ])('%j → %j', (raw, opts, want) => {
    expect(normalizeCredential(raw, 'barcode', opts)).toEqual({ ok: true, kind: 'barcode', value: want });
  });

  it('refuses an empty scan and an oversized one with a code', () => {
    expect(normalizeCredential(' \r\n', 'barcode')).toMatchObject({ ok: false, error: 'empty' });
    expect(normalizeCredential(']Q1', 'barcode', { prefixes: [']Q1'] })).toMatchObject({ ok: false, error: 'empty' });
    expect(normalizeCredential('x'.repeat(257), 'barcode')).toMatchObject({ ok: false, error: 'too_long' });
  });
});

describe('canonicalNfcUid', () => {
  // UID 04 A2 2B 1A, as the card sends it; little-endian as a 32-bit number it is 0x1A2BA204 = 439067140.
  it.each([
    ['04A22B1A', {}, '04A22B1A'],
    ['04a22b1a', {}, '04A22B1A'],
    ['04:A2:2B:1A', {}, '04A22B1A'],
    ['04-a2-2b-1a', {}, '04A22B1A'],
    ['04 A2 2B 1A', {}, '04A22B1A'],
    ['0x04A22B1A', {}, '04A22B1A'],
    ['  04:a2:2b:1a \n', {}, '04A22B1A'],
    ['1A2BA204', { nfcByteOrder: 'reversed' as const }, '04A22B1A'],
    ['1A:2B:A2:04', { nfcByteOrder: 'reversed' as const }, '04A22B1A'],
    ['0439067140', {}, '04A22B1A'],
    ['0077736730', { nfcDecimalByteOrder: 'card' as const }, '04A22B1A'], // 0x04A22B1A = 77736730
    ['04:5A:3B:92:C1:80:00', {}, '045A3B92C18000'], // 7-byte UID
    ['045a3b92c18000', {}, '045A3B92C18000'],
    ['00112233445566778899', {}, '00112233445566778899'], // 10-byte UID
  ])('%j %j → %s', (text, opts, want) => {
    expect(canonicalNfcUid(text, opts)).toBe(want);
  });

  it.each([
    ['04A22B'], // 3 bytes
    ['04A22B1A2B'], // 5 bytes
    ['04A22B1'], // odd digits
    ['04:A22B:1A'], // separators not between bytes
    ['04:A2-2B:1G'],
    ['9999999999'], // 10 digits above 2^32
    ['hello'],
    [''],
  ])('%j is not a UID', (text) => {
    expect(canonicalNfcUid(text)).toBeNull();
  });
});

describe('normalizeCredential: nfc', () => {
  it('combines scanner affixes with the UID forms', () => {
    expect(normalizeCredential('UID:04-a2-2b-1a\r\n', 'nfc', { prefixes: ['UID:'] })).toEqual({ ok: true, kind: 'nfc', value: '04A22B1A' });
    expect(normalizeCredential('0439067140\n', 'nfc')).toEqual({ ok: true, kind: 'nfc', value: '04A22B1A' });
  });
  it('explains text that is not a UID', () => {
    const r = normalizeCredential('TICKET-1', 'nfc');
    expect(r).toMatchObject({ ok: false, error: 'invalid_nfc_uid' });
    if (!r.ok) expect(r.message).toMatch(/not an NFC UID/);
  });
});

describe('canonicalStoredCredential', () => {
  it('stores upstream values in the same form a scan produces', () => {
    expect(canonicalStoredCredential('nfc', '04:a2:2b:1a')).toBe('04A22B1A');
    expect(canonicalStoredCredential('nfc', 'weird-uid')).toBe('WEIRD-UID');
    expect(canonicalStoredCredential('barcode', ' T-1 ')).toBe('T-1');
  });
});
