// The guest import's first stage: the CSV (format in import-guests.ts) read into typed rows, each field checked on its
// own. Nothing here knows the venue; what a row means against the venue's guests and tables is guest-check.ts's.
import type { GuestStatus, SyncCredential } from '../../core/contract/contract';
import { cell, ID_PATTERN, parseTimestamp, readCsvTable, type ImportProblem } from './common';

export const GUEST_COLUMNS = ['guest_id', 'name', 'party_size', 'table', 'barcode', 'nfc', 'valid_from', 'valid_to', 'status'] as const;
export const GUEST_IMPORT = 'guest import';
/** As SyncGuestSchema allows; said here so a row with more is told how many, not given a schema path. */
export const MAX_CREDENTIALS = 32;

export interface GuestCsvRow {
  line: number;
  /** The row's own guest_id, when it gives a well-formed one. */
  guestId: string | null;
  /** No guest_id given, but credentials: the row is the existing guest holding them, if any. */
  matchByCredentials: boolean;
  name: string;
  party_size: number;
  /** A table label, '' for unseated. */
  table: string;
  status: GuestStatus;
  valid_from: string | null;
  valid_to: string | null;
  credentials: SyncCredential[];
}

export interface GuestCsv {
  rows: GuestCsvRow[];
  /** Bad fields, by line. A row with a problem here is still read, so that later rows can be told they repeat it. */
  problems: ImportProblem[];
}

/** A cell of barcodes or NFC values: `|`-separated, blanks skipped. */
function credentialValues(text: string): string[] {
  return text.split('|').map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Reads every row; throws ImportError only when the file is not CSV or its header is wrong. */
export function readGuestCsv(csv: string): GuestCsv {
  const t = readCsvTable(GUEST_IMPORT, csv, GUEST_COLUMNS, ['name']);
  const problems: ImportProblem[] = [];
  const rows = t.rows.map((row): GuestCsvRow => {
    const bad = (reason: string) => problems.push({ line: row.line, reason });
    const name = cell(t, row, 'name');
    if (!name) bad('name is empty');
    else if (name.length > 200) bad(`name is ${name.length} characters long; at most 200`);

    const partyText = cell(t, row, 'party_size');
    let party_size = 1;
    if (partyText) {
      party_size = /^\d{1,4}$/.test(partyText) ? Number(partyText) : NaN;
      if (!(party_size >= 1 && party_size <= 1000)) bad(`party_size "${partyText}" must be a whole number from 1 to 1000`);
    }

    const statusText = cell(t, row, 'status').toLowerCase() || 'active';
    if (statusText !== 'active' && statusText !== 'revoked') bad(`status "${cell(t, row, 'status')}" must be active or revoked`);

    const times: Record<'valid_from' | 'valid_to', string | null> = { valid_from: null, valid_to: null };
    for (const col of ['valid_from', 'valid_to'] as const) {
      const text = cell(t, row, col);
      if (!text) continue;
      times[col] = parseTimestamp(text);
      if (!times[col]) bad(`${col} "${text}" is not an RFC 3339 date-time with an offset, e.g. 2026-12-31T18:00:00Z`);
    }
    if (times.valid_from && times.valid_to && times.valid_to <= times.valid_from) bad('valid_to must be after valid_from');

    const credentials: SyncCredential[] = [];
    for (const kind of ['barcode', 'nfc'] as const) {
      for (const value of credentialValues(cell(t, row, kind))) {
        if (value.length > 256) bad(`${kind} "${value.slice(0, 20)}…" is ${value.length} characters long; at most 256`);
        else credentials.push({ kind, value });
      }
    }
    if (credentials.length > MAX_CREDENTIALS) bad(`has ${credentials.length} credentials; at most ${MAX_CREDENTIALS}`);

    const givenId = cell(t, row, 'guest_id');
    let guestId: string | null = null;
    if (!givenId) {
      if (!credentials.length) bad('needs a guest_id or at least one barcode or nfc, so that importing the file again finds this guest again');
    } else if (!ID_PATTERN.test(givenId)) {
      bad(`guest_id "${givenId}" must be 1–128 of A-Z a-z 0-9 _ . : @ -, starting with a letter or digit`);
    } else {
      guestId = givenId;
    }
    return {
      line: row.line, guestId, matchByCredentials: !givenId && credentials.length > 0, name, party_size, table: cell(t, row, 'table'),
      status: statusText as GuestStatus, valid_from: times.valid_from, valid_to: times.valid_to, credentials,
    };
  });
  return { rows, problems };
}
