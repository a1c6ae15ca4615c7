// One canonical form for an NFC card's UID, whichever way the reader delivered it, so a card enrolled at one door
// matches at every other door and reader model.
//
// Canonical form: upper-case hex, no separators, bytes in the order the card sends its UID in anticollision
// (ISO/IEC 14443-3: UID0 first, e.g. 04 for NXP 7-byte UIDs), which is how NFC tools and most readers print it.
//
// Forms readers use, and how this module tells them apart (`form` is the reader's setting from the device config):
// - 'hex': the UID as hex in card order, any case, with or without `:`/`-`/space between bytes.
// - 'hex-reversed': the same bytes last-to-first (readers that print the UID as a little-endian number). The text
//   alone cannot show it is reversed, so this form is never guessed: it must be configured for the reader.
// - 'decimal-le': the 4 UID bytes read as a 32-bit little-endian unsigned number, typed in decimal, usually padded to
//   10 digits ("W34"/"10-digit" readers). A 32-bit number holds only a 4-byte (single-size) UID, so 7- and
//   10-byte UIDs are refused in decimal forms; a number above 4294967295 is refused, never truncated.
// - 'decimal-be': the same number read big-endian (UID0 most significant); rarer, never guessed.
// - 'auto' (default): exactly 10 decimal digits are 'decimal-le' (10 hex digits would be 5 bytes, which no UID has,
//   so this cannot collide with hex); anything else is 'hex'. An 8-digit all-numeric string is therefore hex (a
//   4-byte UID), never a short decimal: configure 'decimal-le' for readers that drop leading zeros.
// Raw bytes (readers that report the UID in a HID report) are in card order unless the form says 'hex-reversed'.
// UIDs are 4, 7 or 10 bytes (ISO/IEC 14443-3 single, double, triple size) or 8 bytes (ISO/IEC 15693 / NFC-V).

import { parseHex, toHex } from '../signing/hex';

export const NFC_UID_FORMS = ['auto', 'hex', 'hex-reversed', 'decimal-le', 'decimal-be'] as const;
export type NfcUidForm = (typeof NFC_UID_FORMS)[number];

export function isNfcUidForm(v: string): v is NfcUidForm {
  return (NFC_UID_FORMS as readonly string[]).includes(v);
}

export type NfcUidResult = { ok: true; uid: string } | { ok: false; reason: string };

const UID_LENGTHS = [4, 7, 8, 10];

function fromBytes(bytes: ArrayLike<number>, reversed: boolean): NfcUidResult {
  const list = Array.from(bytes);
  if (!UID_LENGTHS.includes(list.length)) {
    return { ok: false, reason: `a card UID is 4, 7, 8 or 10 bytes, got ${list.length}` };
  }
  if (list.every((b) => b === 0)) return { ok: false, reason: 'the UID is all zeros: the reader sent no card' };
  return { ok: true, uid: toHex(reversed ? list.reverse() : list) };
}

function fromDecimal(digits: string, littleEndian: boolean): NfcUidResult {
  if (!/^[0-9]{1,10}$/.test(digits)) return { ok: false, reason: 'a decimal UID is 1 to 10 digits 0-9' };
  const n = Number(digits);
  if (n > 0xffffffff) return { ok: false, reason: `${digits} is larger than a 4-byte UID can be (4294967295)` };
  const le = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  return fromBytes(littleEndian ? le : le.reverse(), false);
}

export function canonicalNfcUid(input: string | Uint8Array, form: NfcUidForm = 'auto'): NfcUidResult {
  if (typeof input !== 'string') {
    switch (form) {
      case 'auto':
      case 'hex':
        return fromBytes(input, false);
      case 'hex-reversed':
        return fromBytes(input, true);
      case 'decimal-le':
      case 'decimal-be':
        return { ok: false, reason: `raw UID bytes cannot be in the ${form} form` };
      default: {
        const never: never = form;
        return { ok: false, reason: `unknown UID form ${String(never)}` };
      }
    }
  }
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'empty UID' };
  let chosen: Exclude<NfcUidForm, 'auto'>;
  if (form === 'auto') chosen = /^[0-9]{10}$/.test(text) ? 'decimal-le' : 'hex';
  else chosen = form;
  switch (chosen) {
    case 'decimal-le':
      return fromDecimal(text, true);
    case 'decimal-be':
      return fromDecimal(text, false);
    case 'hex':
    case 'hex-reversed': {
      const parsed = parseHex(text);
      if (!parsed.ok) return { ok: false, reason: `not a hex UID: ${parsed.reason}` };
      return fromBytes(parsed.bytes, chosen === 'hex-reversed');
    }
    default: {
      const never: never = chosen;
      return { ok: false, reason: `unknown UID form ${String(never)}` };
    }
  }
}
