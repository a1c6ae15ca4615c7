// The guest import's first stage: the CSV (format in import-guests.ts) read into typed rows, each field checked on its
// own. Nothing here knows the venue; what a row means against the venue's guests and tables is guest-check.ts's.
import type { GuestStatus, SyncCredential } from '../../core/contract/contract';
import { cell, ID_PATTERN, parseTimestamp, readCsvTable, type ImportProblem } from './common';

/** What the seating engine reads of a guest (cloud-sync/seating/); stored apart from the guest and never synced. */
export const SEATING_COLUMNS = ['group', 'together_with', 'apart_from', 'needs', 'seat_locked'] as const;
/**
 * What the venue's staff see of a guest (sql 0020): the meal, the staff's notes (guestlist.guests.desk_notes; not the
 * planner's private notes of the console, which never leave the cloud) and tags (`vip` raises an alert at the venue).
 * Synced to the hub with the guest, so a change of any of them bumps the guest's version.
 */
export const DESK_COLUMNS = ['meal', 'notes', 'tags'] as const;
export const GUEST_COLUMNS = ['guest_id', 'name', 'party_size', 'table', 'barcode', 'nfc', 'valid_from', 'valid_to', 'status', ...SEATING_COLUMNS, ...DESK_COLUMNS] as const;
/** As sql 0020 and SyncGuestSchema allow. */
export const MAX_MEAL = 64;
export const MAX_DESK_NOTES = 2000;
export const MAX_TAGS = 64;
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
  /** The seating columns of the row; null when the file has none of them (the guest's seating is left as it is). */
  seating: GuestSeatingFields | null;
  /** The desk columns the file has, each on its own: a column the file lacks leaves that field of the guest as it is. */
  desk: Partial<GuestDeskFields>;
}

export interface GuestDeskFields {
  /** null: no meal given. */
  meal: string | null;
  /** The staff's notes; null: none. */
  notes: string | null;
  /** Lower-cased, each once, in the file's order. */
  tags: string[];
}

export interface GuestSeatingFields {
  group: string | null;
  together_with: string[];
  apart_from: string[];
  needs: string[];
  seat_locked: boolean;
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

/** A cell of `|`-separated values (guest ids, tags), blanks skipped, each listed once. */
function listValues(text: string): string[] {
  return [...new Set(text.split('|').map((v) => v.trim()).filter((v) => v.length > 0))];
}

const TAG_PATTERN = /^[^|\s][^|]{0,63}$/;

function readSeating(get: (col: string) => string, guestId: string, bad: (reason: string) => void): GuestSeatingFields {
  const group = get('group') || null;
  if (group !== null && group.length > 128) bad(`group is ${group.length} characters long; at most 128`);
  const ids = (col: 'together_with' | 'apart_from') => {
    const list = listValues(get(col));
    for (const id of list) {
      if (!ID_PATTERN.test(id)) bad(`${col} "${id.slice(0, 40)}" is not a guest_id`);
      else if (id === guestId) bad(`${col} names the guest itself`);
    }
    if (list.length > 64) bad(`${col} lists ${list.length} guests; at most 64`);
    return list;
  };
  const together_with = ids('together_with');
  const apart_from = ids('apart_from');
  for (const id of together_with) if (apart_from.includes(id)) bad(`guest ${id} is in both together_with and apart_from`);
  const needs = listValues(get('needs'));
  for (const tag of needs) if (!TAG_PATTERN.test(tag)) bad(`needs "${tag.slice(0, 40)}" must be 1–64 characters`);
  if (needs.length > 64) bad(`needs lists ${needs.length} tags; at most 64`);
  const lockText = get('seat_locked').toLowerCase();
  if (lockText && !['true', 'false', 'yes', 'no', '1', '0'].includes(lockText)) bad(`seat_locked "${get('seat_locked')}" must be true or false`);
  return { group, together_with, apart_from, needs, seat_locked: ['true', 'yes', '1'].includes(lockText) };
}

/** A tag or a need: 1–64 characters, no `|` (the separator), not starting with a space. */
export function badTag(tag: string): boolean {
  return !TAG_PATTERN.test(tag);
}

/**
 * The desk cells of a row, each checked as sql 0020 stores it. Tags are lower-cased: the venue acts on `vip`, and a
 * planner who writes VIP means the same.
 */
function readDesk(get: (col: string) => string, has: (col: string) => boolean, bad: (reason: string) => void): Partial<GuestDeskFields> {
  const desk: Partial<GuestDeskFields> = {};
  if (has('meal')) {
    const meal = get('meal');
    if (meal.length > MAX_MEAL) bad(`meal is ${meal.length} characters long; at most ${MAX_MEAL} (e.g. vegetarian, gluten-free)`);
    desk.meal = meal || null;
  }
  if (has('notes')) {
    const notes = get('notes');
    if (notes.length > MAX_DESK_NOTES) bad(`notes are ${notes.length} characters long; at most ${MAX_DESK_NOTES}`);
    desk.notes = notes || null;
  }
  if (has('tags')) {
    const tags = [...new Set(listValues(get('tags')).map((tag) => tag.toLowerCase()))];
    for (const tag of tags) if (badTag(tag)) bad(`tags "${tag.slice(0, 40)}" must be 1–64 characters`);
    if (tags.length > MAX_TAGS) bad(`tags lists ${tags.length} tags; at most ${MAX_TAGS}`);
    desk.tags = tags;
  }
  return desk;
}

/**
 * A cell as it was before an export neutralised it against spreadsheet formulas (a `'` put before a leading = + - @,
 * console/routes/guest-export.ts), so an exported file imports back to the same guests.
 */
export function unneutralised(text: string): string {
  return /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}

/** Reads every row; throws ImportError only when the file is not CSV or its header is wrong. */
export function readGuestCsv(csv: string): GuestCsv {
  const t = readCsvTable(GUEST_IMPORT, csv, GUEST_COLUMNS, ['name']);
  const problems: ImportProblem[] = [];
  const hasSeating = SEATING_COLUMNS.some((c) => t.columns.has(c));
  const rows = t.rows.map((row): GuestCsvRow => {
    const bad = (reason: string) => problems.push({ line: row.line, reason });
    const get = (col: string) => unneutralised(cell(t, row, col));
    const name = get('name');
    if (!name) bad('name is empty');
    else if (name.length > 200) bad(`name is ${name.length} characters long; at most 200`);

    const partyText = get('party_size');
    let party_size = 1;
    if (partyText) {
      party_size = /^\d{1,4}$/.test(partyText) ? Number(partyText) : NaN;
      if (!(party_size >= 1 && party_size <= 1000)) bad(`party_size "${partyText}" must be a whole number from 1 to 1000`);
    }

    const statusText = get('status').toLowerCase() || 'active';
    if (statusText !== 'active' && statusText !== 'revoked') bad(`status "${get('status')}" must be active or revoked`);

    const times: Record<'valid_from' | 'valid_to', string | null> = { valid_from: null, valid_to: null };
    for (const col of ['valid_from', 'valid_to'] as const) {
      const text = get(col);
      if (!text) continue;
      times[col] = parseTimestamp(text);
      if (!times[col]) bad(`${col} "${text}" is not an RFC 3339 date-time with an offset, e.g. 2026-12-31T18:00:00Z`);
    }
    if (times.valid_from && times.valid_to && times.valid_to <= times.valid_from) bad('valid_to must be after valid_from');

    const credentials: SyncCredential[] = [];
    for (const kind of ['barcode', 'nfc'] as const) {
      for (const value of credentialValues(get(kind))) {
        if (value.length > 256) bad(`${kind} "${value.slice(0, 20)}…" is ${value.length} characters long; at most 256`);
        else credentials.push({ kind, value });
      }
    }
    if (credentials.length > MAX_CREDENTIALS) bad(`has ${credentials.length} credentials; at most ${MAX_CREDENTIALS}`);

    const givenId = get('guest_id');
    let guestId: string | null = null;
    if (!givenId) {
      if (!credentials.length) bad('needs a guest_id or at least one barcode or nfc, so that importing the file again finds this guest again');
    } else if (!ID_PATTERN.test(givenId)) {
      bad(`guest_id "${givenId}" must be 1–128 of A-Z a-z 0-9 _ . : @ -, starting with a letter or digit`);
    } else {
      guestId = givenId;
    }
    const seating = hasSeating ? readSeating(get, givenId, bad) : null;
    const desk = readDesk(get, (col) => t.columns.has(col), bad);
    if (seating && (seating.together_with.length || seating.apart_from.length) && !givenId) bad('together_with and apart_from need the row\'s own guest_id');
    return {
      line: row.line, guestId, matchByCredentials: !givenId && credentials.length > 0, name, party_size, table: get('table'),
      status: statusText as GuestStatus, valid_from: times.valid_from, valid_to: times.valid_to, credentials, seating, desk,
    };
  });
  return { rows, problems };
}
