// Credential normalisation: whatever a scanner or reader typed, one canonical value to look up. Pure.
//
// Canonical forms (what the `credentials.value` column holds and what lookups compare against):
// - barcode: the scanned text with surrounding whitespace and control characters (the CR/LF/TAB a keyboard-wedge scanner
//   appends) removed and the configured scanner prefix/suffix stripped. Case and inner characters are kept: ticket codes
//   are case-sensitive and GS1 codes carry meaningful separators.
// - nfc: the UID as UPPERCASE HEX, TWO DIGITS PER BYTE, NO SEPARATORS, BYTES IN THE ORDER THE CARD SENDS THEM
//   (ISO/IEC 14443-3 anticollision order: UID0 first, the manufacturer byte for 7-byte UIDs; this is what PC/SC readers
//   return for `FF CA 00 00 00` and what phone apps print as "Serial number"). UIDs are 4, 7, 8 or 10 bytes long.
//   Accepted spellings:
//     "04:A2:2B:1A", "04-a2-2b-1a", "04 A2 2B 1A", "04a22b1a", "0x04A22B1A"      → "04A22B1A"
//     reversed byte order (readers that send the least significant byte first): set `nfcByteOrder: 'reversed'`
//       for that reader, "1A2BA204" → "04A22B1A"
//     exactly 10 decimal digits, as keyboard-emulating readers type a 4-byte UID: "0439067140" → "04A22B1A".
//       Most such readers print the UID read as a little-endian 32-bit number, so by default the decimal's bytes are
//       reversed (`nfcDecimalByteOrder: 'reversed'`); set 'card' for readers that print it big-endian.
//   Ten digits are never hex: no UID has 5 bytes, so the two readings cannot collide.
import type { CredentialKind } from '../contract/contract';
import { canonicalNfcUid as parseNfcUid, type NfcUidForm } from '../decoders/nfc-uid';

export type ScannedKind = Exclude<CredentialKind, 'manual'>;
export type ByteOrder = 'card' | 'reversed';

export interface NormalizeOptions {
  /** Text a scanner adds before every code (e.g. an AIM symbology id like "]Q1" or a configured "@"); the first one that matches is removed. */
  prefixes?: readonly string[];
  /** Text a scanner adds after every code; the first one that matches is removed. */
  suffixes?: readonly string[];
  /** Byte order of hex UIDs this reader reports. Default 'card'. */
  nfcByteOrder?: ByteOrder;
  /** Byte order of the 10-digit decimal form. Default 'reversed' (little-endian, the common keyboard-reader output). */
  nfcDecimalByteOrder?: ByteOrder;
}

export type NormalizeErrorCode = 'empty' | 'too_long' | 'invalid_nfc_uid';

export type NormalizeResult =
  | { ok: true; kind: ScannedKind; value: string }
  | { ok: false; error: NormalizeErrorCode; message: string };

/** The contract's limit for a credential value (SyncCredentialSchema). */
export const MAX_CREDENTIAL_LENGTH = 256;

// Whitespace, C0/C1 controls and BOM/zero-width characters some wedges and copy-pastes add at either end.
// eslint-disable-next-line no-control-regex
const EDGE_JUNK = /^[\s\u0000-\u001f\u007f-\u009f\u200b-\u200d\ufeff]+|[\s\u0000-\u001f\u007f-\u009f\u200b-\u200d\ufeff]+$/g;

function trimJunk(text: string): string {
  return text.replace(EDGE_JUNK, '');
}

function stripAffixes(text: string, opts: NormalizeOptions): string {
  let out = text;
  const prefix = opts.prefixes?.find((p) => p.length > 0 && out.startsWith(p));
  if (prefix !== undefined) out = out.slice(prefix.length);
  const suffix = opts.suffixes?.find((s) => s.length > 0 && out.endsWith(s));
  if (suffix !== undefined) out = out.slice(0, out.length - suffix.length);
  return trimJunk(out);
}

/**
 * One NFC UID spelling → the canonical form (see the top of this file), or null when the text is not a UID.
 * `text` should already be trimmed of scanner affixes; surrounding whitespace is tolerated. The parsing itself is the
 * hardware adapters' (core/decoders/nfc-uid.ts), so a UID typed by a wedge reader and one read from raw HID bytes agree.
 */
export function canonicalNfcUid(text: string, opts: Pick<NormalizeOptions, 'nfcByteOrder' | 'nfcDecimalByteOrder'> = {}): string | null {
  const t = trimJunk(text).replace(/^0x/i, '');
  // Separators only between whole bytes: "04:A2:2B:1A", "04-A2-2B-1A", "04 A2 2B 1A"; or none at all.
  if (/[:\- ]/.test(t) && !/^[0-9a-f]{2}([:\- ][0-9a-f]{2})+$/i.test(t)) return null;
  const form: NfcUidForm = /^\d{10}$/.test(t)
    ? (opts.nfcDecimalByteOrder ?? 'reversed') === 'reversed' ? 'decimal-le' : 'decimal-be'
    : (opts.nfcByteOrder ?? 'card') === 'reversed' ? 'hex-reversed' : 'hex';
  const r = parseNfcUid(t, form);
  return r.ok ? r.uid : null;
}

/** What a scanner or reader produced (`raw`) → the canonical credential value for `kind`, or a coded error. */
export function normalizeCredential(raw: string, kind: ScannedKind, opts: NormalizeOptions = {}): NormalizeResult {
  const text = stripAffixes(trimJunk(raw), opts);
  if (text.length === 0) return { ok: false, error: 'empty', message: 'the scan was empty' };
  switch (kind) {
    case 'barcode': {
      const value = text.normalize('NFC');
      if (value.length > MAX_CREDENTIAL_LENGTH) {
        return { ok: false, error: 'too_long', message: `a ticket code is at most ${MAX_CREDENTIAL_LENGTH} characters, this one has ${value.length}` };
      }
      return { ok: true, kind, value };
    }
    case 'nfc': {
      const value = canonicalNfcUid(text, opts);
      if (value === null) {
        return { ok: false, error: 'invalid_nfc_uid', message: `"${text.slice(0, 40)}" is not an NFC UID (4, 7 or 10 bytes in hex, or 10 decimal digits)` };
      }
      return { ok: true, kind, value };
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown credential kind ${String(never)}`);
    }
  }
}

/**
 * The canonical value of a credential that arrives from upstream (sync), where no scanner affixes apply.
 * An NFC value that is not a recognisable UID is kept upper-cased, so it still matches an identical scan.
 */
export function canonicalStoredCredential(kind: ScannedKind, value: string): string {
  const r = normalizeCredential(value, kind);
  if (r.ok) return r.value;
  return kind === 'nfc' ? trimJunk(value).toUpperCase() : trimJunk(value);
}
