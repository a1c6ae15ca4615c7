/**
 * Guest-list import from CSV into one occasion of a venue: `seatpilot cloud guests import --venue V --occasion O FILE.csv`.
 *
 * The file is RFC 4180 CSV (UTF-8, optional BOM, CRLF or LF, quoted fields may hold commas, quotes and line breaks).
 * The first line names the columns, in any order; column names are case-insensitive; only `name` is required:
 *
 * | column       | meaning |
 * | ------------ | ------- |
 * | `guest_id`   | optional. Your id for the guest (1–128 of `A-Z a-z 0-9 _ . : @ -`, starting with a letter or digit): the upsert key. Without it a row is matched to an existing guest of the venue by any of its credentials, else it is a new guest. |
 * | `name`       | required, 1–200 characters. |
 * | `party_size` | whole number 1–1000; empty means 1. |
 * | `table`      | the label of one of the venue's tables (import tables first); empty means unseated. |
 * | `barcode`    | the guest's barcode/QR values, several separated by `\|`. |
 * | `nfc`        | the guest's NFC card/wristband UIDs, several separated by `\|`. |
 * | `valid_from` | optional RFC 3339 date-time with offset, e.g. `2026-12-31T18:00:00+01:00`. |
 * | `valid_to`   | optional, the same; must be after `valid_from`. |
 * | `status`     | `active` (default) or `revoked`. |
 *
 * A row needs a `guest_id` or at least one credential, so that importing the same file again finds it again. A
 * credential (kind + value) belongs to one guest of the venue: the same one twice in the file, or one held by another
 * guest who is not in the file, is a bad row. Re-importing updates guests in place (their credentials become exactly
 * those of the row) and leaves unchanged guests untouched, so kiosks only sync what changed.
 *
 * Every row is checked before anything is written; one bad row refuses the whole file with every bad row's line number
 * and reason. The write is one transaction, in chunks, with progress reported per chunk.
 */
import { SyncGuestSchema, type GuestStatus, type SyncCredential } from '../../core/contract/contract';
import { ajv, describeErrors } from '../../core/contract/validate';
import { AdminError, newId } from '../admin';
import type { Db, Queryable } from '../db';
import { cell, ID_PATTERN, ImportError, lockVenue, parseTimestamp, readCsvTable, type ImportProblem } from './common';

export const GUEST_COLUMNS = ['guest_id', 'name', 'party_size', 'table', 'barcode', 'nfc', 'valid_from', 'valid_to', 'status'] as const;

export interface GuestImportOptions {
  venueId: string;
  occasionId: string;
  csv: string;
  /** Rows written per statement batch. */
  chunkSize?: number;
  /** A file of more rows than this reads the whole venue at once instead of looking up the guests it touches. */
  wholeVenueAbove?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GuestImportReport {
  venue_id: string;
  occasion_id: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

interface GuestRow {
  id: string;
  occasion_id: string;
  name: string;
  party_size: number;
  table_id: string | null;
  status: GuestStatus;
  valid_from: string | null;
  valid_to: string | null;
  credentials: SyncCredential[];
}

interface Planned {
  line: number;
  guest: GuestRow;
  existing: GuestRow | null;
  existingDeleted: boolean;
}

const validateGuest = ajv.compile(SyncGuestSchema);
const MAX_CREDENTIALS = 32;
/** Imports writing this many guests refresh the planner's statistics after their first chunk (see writeGuests). */
const ANALYZE_FROM_ROWS = 1000;
const credKey = (c: SyncCredential) => `${c.kind}\u0000${c.value}`;

function sameGuest(a: GuestRow, b: GuestRow): boolean {
  const creds = (g: GuestRow) => g.credentials.map(credKey).sort().join('\u0001');
  return a.occasion_id === b.occasion_id && a.name === b.name && a.party_size === b.party_size && a.table_id === b.table_id &&
    a.status === b.status && a.valid_from === b.valid_from && a.valid_to === b.valid_to && creds(a) === creds(b);
}

/** Above this many rows an import reads the whole venue at once: cheaper than looking up each of its guests. */
const WHOLE_VENUE_ABOVE_ROWS = 2000;

/**
 * The venue's guests an import can touch: those the file names by guest_id and those holding one of the file's
 * credentials, each with all its credentials (to tell a changed guest from an unchanged one). A small file loads only
 * these, so adding one late guest to a venue of 100,000 takes a few lookups, not a read of the whole venue.
 */
async function loadTouchedGuests(q: Queryable, venueId: string, fileIds: readonly string[], fileCreds: readonly SyncCredential[]) {
  const held = fileCreds.length
    ? await q.query<{ guest_id: string }>(
        `SELECT DISTINCT c.guest_id FROM guestlist.credentials c
           JOIN unnest($2::text[], $3::text[]) AS f(kind, value) ON c.kind = f.kind AND c.value = f.value
          WHERE c.venue_id = $1`,
        [venueId, fileCreds.map((c) => c.kind), fileCreds.map((c) => c.value)],
      )
    : [];
  return loadGuests(q, venueId, [...new Set([...fileIds, ...held.map((r) => r.guest_id)])]);
}

/** Guests of the venue with their credentials: those listed, or all when `ids` is null. */
async function loadGuests(q: Queryable, venueId: string, ids: readonly string[] | null) {
  const guests = new Map<string, { row: GuestRow; deleted: boolean }>();
  const owners = new Map<string, string>();
  if (ids !== null && !ids.length) return { guests, owners };
  const only = ids === null ? '' : ' AND id = ANY($2::text[])';
  const params = ids === null ? [venueId] : [venueId, ids];
  const rows = await q.query<{ id: string; occasion_id: string; name: string; party_size: number; table_id: string | null; status: GuestStatus; valid_from: Date | null; valid_to: Date | null; deleted: boolean }>(
    `SELECT id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, deleted FROM guestlist.guests WHERE venue_id = $1${only}`,
    params,
  );
  for (const r of rows) {
    guests.set(r.id, {
      deleted: r.deleted,
      row: {
        id: r.id, occasion_id: r.occasion_id, name: r.name, party_size: r.party_size, table_id: r.table_id, status: r.status,
        valid_from: r.valid_from ? r.valid_from.toISOString() : null, valid_to: r.valid_to ? r.valid_to.toISOString() : null, credentials: [],
      },
    });
  }
  const creds = await q.query<{ kind: 'barcode' | 'nfc'; value: string; guest_id: string }>(
    `SELECT kind, value, guest_id FROM guestlist.credentials WHERE venue_id = $1${ids === null ? '' : ' AND guest_id = ANY($2::text[])'}`,
    params,
  );
  for (const c of creds) {
    owners.set(credKey(c), c.guest_id);
    guests.get(c.guest_id)?.row.credentials.push({ kind: c.kind, value: c.value });
  }
  return { guests, owners };
}

/** A cell of barcodes or NFC values: `|`-separated, blanks skipped. */
function credentialValues(text: string): string[] {
  return text.split('|').map((v) => v.trim()).filter((v) => v.length > 0);
}

export async function importGuests(db: Db, opts: GuestImportOptions): Promise<GuestImportReport> {
  const what = 'guest import';
  const t = readCsvTable(what, opts.csv, GUEST_COLUMNS, ['name']);
  const total = t.rows.length;
  const chunkSize = opts.chunkSize ?? 5000;

  return db.tx(async (q) => {
    const { tenantId } = await lockVenue(q, opts.venueId);
    const occ = await q.query<{ deleted: boolean }>('SELECT deleted FROM guestlist.occasions WHERE venue_id = $1 AND id = $2', [opts.venueId, opts.occasionId]);
    if (!occ[0] || occ[0].deleted) throw new AdminError(`no occasion "${opts.occasionId}" in venue "${opts.venueId}"`);
    const tableIds = new Map(
      (await q.query<{ id: string; label: string }>('SELECT id, label FROM guestlist.seating_tables WHERE venue_id = $1 AND NOT deleted', [opts.venueId])).map((r) => [r.label, r.id]),
    );
    const namedIds = [...new Set(t.rows.map((r) => cell(t, r, 'guest_id')).filter((id) => id && ID_PATTERN.test(id)))];
    const fileCreds = () =>
      t.rows.flatMap((r) => (['barcode', 'nfc'] as const).flatMap((kind) => credentialValues(cell(t, r, kind)).map((value) => ({ kind, value }))));
    const { guests, owners } =
      total > (opts.wholeVenueAbove ?? WHOLE_VENUE_ABOVE_ROWS)
        ? await loadGuests(q, opts.venueId, null)
        : await loadTouchedGuests(q, opts.venueId, namedIds, fileCreds());
    const fileIds = namedIds.filter((id) => !guests.has(id));
    const elsewhere = new Set(
      fileIds.length ? (await q.query<{ id: string }>('SELECT id FROM guestlist.guests WHERE id = ANY($1::text[])', [fileIds])).map((r) => r.id) : [],
    );

    const problems: ImportProblem[] = [];
    const planned: Planned[] = [];
    const lineOfGuest = new Map<string, number>();
    const lineOfCred = new Map<string, number>();
    for (const row of t.rows) {
      const bad = (reason: string) => problems.push({ line: row.line, reason });
      const before = problems.length;
      const name = cell(t, row, 'name');
      if (!name) bad('name is empty');
      else if (name.length > 200) bad(`name is ${name.length} characters long; at most 200`);

      const partyText = cell(t, row, 'party_size');
      let party_size = 1;
      if (partyText) {
        party_size = /^\d{1,4}$/.test(partyText) ? Number(partyText) : NaN;
        if (!(party_size >= 1 && party_size <= 1000)) bad(`party_size "${partyText}" must be a whole number from 1 to 1000`);
      }

      const label = cell(t, row, 'table');
      let table_id: string | null = null;
      if (label) {
        table_id = tableIds.get(label) ?? null;
        if (!table_id) bad(`no table labelled "${label}" in this venue (import the tables first)`);
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

      // Which guest this row is: its guest_id, else the existing guest holding one of its credentials.
      const givenId = cell(t, row, 'guest_id');
      let id: string | null = null;
      if (givenId) {
        if (!ID_PATTERN.test(givenId)) bad(`guest_id "${givenId}" must be 1–128 of A-Z a-z 0-9 _ . : @ -, starting with a letter or digit`);
        else if (elsewhere.has(givenId)) bad(`guest_id "${givenId}" belongs to a guest of another venue`);
        else id = givenId;
      } else if (!credentials.length) {
        bad('needs a guest_id or at least one barcode or nfc, so that importing the file again finds this guest again');
      } else {
        const matched = [...new Set(credentials.map((c) => owners.get(credKey(c))).filter((g): g is string => g !== undefined))];
        if (matched.length > 1) bad(`its credentials belong to ${matched.length} different guests (${matched.join(', ')}); give a guest_id`);
        else id = matched[0] ?? null;
      }
      if (id !== null) {
        const first = lineOfGuest.get(id);
        if (first !== undefined) bad(`is the same guest (${id}) as line ${first}`);
        else lineOfGuest.set(id, row.line);
      }
      for (const c of credentials) {
        const first = lineOfCred.get(credKey(c));
        if (first !== undefined) bad(`${c.kind} "${c.value}" is also on line ${first}`);
        else lineOfCred.set(credKey(c), row.line);
      }
      if (problems.length > before) continue;

      const existing = id ? guests.get(id) : undefined;
      const guest: GuestRow = {
        id: id ?? newId('gst'), occasion_id: opts.occasionId, name, party_size, table_id, status: statusText as GuestStatus,
        valid_from: times.valid_from, valid_to: times.valid_to, credentials,
      };
      if (!validateGuest(guest)) {
        bad(describeErrors(validateGuest));
        continue;
      }
      planned.push({ line: row.line, guest, existing: existing?.row ?? null, existingDeleted: existing?.deleted ?? false });
    }

    // A credential held by a guest outside this file stays theirs; one held by a guest in the file is released by it.
    const inFile = new Set(planned.map((p) => p.guest.id));
    for (const p of planned) {
      for (const c of p.guest.credentials) {
        const owner = owners.get(credKey(c));
        if (owner !== undefined && owner !== p.guest.id && !inFile.has(owner)) {
          problems.push({ line: p.line, reason: `${c.kind} "${c.value}" already belongs to guest ${owner}, who is not in this file` });
        }
      }
    }
    if (problems.length) throw new ImportError(what, problems);

    const changed = planned.filter((p) => !p.existing || p.existingDeleted || !sameGuest(p.existing, p.guest));
    const changedIds = new Set(changed.map((p) => p.guest.id));
    // Release the changed guests' old credentials first, so a credential moving between two guests never collides.
    const releasing = changed.filter((p) => p.existing && p.existing.credentials.length).map((p) => p.guest.id);
    if (releasing.length) await q.query('DELETE FROM guestlist.credentials WHERE venue_id = $1 AND guest_id = ANY($2::text[])', [opts.venueId, releasing]);

    let created = 0;
    let analyzed = false;
    for (let from = 0; from < planned.length; from += chunkSize) {
      const chunk = planned.slice(from, from + chunkSize).filter((p) => changedIds.has(p.guest.id));
      created += chunk.filter((p) => !p.existing).length;
      if (chunk.length) {
        await writeGuests(q, tenantId, opts.venueId, chunk.map((p) => p.guest), !analyzed && changed.length >= ANALYZE_FROM_ROWS);
        analyzed = true;
      }
      opts.onProgress?.(Math.min(from + chunkSize, total), total);
    }
    if (!planned.length) opts.onProgress?.(0, 0);
    return { venue_id: opts.venueId, occasion_id: opts.occasionId, rows: total, created, updated: changed.length - created, unchanged: planned.length - changed.length };
  });
}

async function writeGuests(q: Queryable, tenantId: string, venueId: string, rows: GuestRow[], analyze: boolean): Promise<void> {
  // The version column is filled by the trigger (under the venue lock); 0 only satisfies NOT NULL until then.
  await q.query(
    `INSERT INTO guestlist.guests (id, tenant_id, venue_id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, deleted, version)
     SELECT r.id, $2, $3, r.occasion_id, r.name, r.party_size, r.table_id, r.status, r.valid_from, r.valid_to, false, 0
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, occasion_id text, name text, party_size integer, table_id text, status text, valid_from timestamptz, valid_to timestamptz)
     ON CONFLICT (id) DO UPDATE SET occasion_id = EXCLUDED.occasion_id, name = EXCLUDED.name, party_size = EXCLUDED.party_size,
       table_id = EXCLUDED.table_id, status = EXCLUDED.status, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to, deleted = false`,
    [JSON.stringify(rows.map(({ credentials: _c, ...g }) => g)), tenantId, venueId],
  );
  // Each credential's foreign-key check looks its guest up with a query planned for the guests table as the statistics
  // describe it. Planned for a table of a few rows, that is a sequential scan per credential: a 100,000-row import into
  // a young database turns quadratic (minutes instead of seconds). Statistics taken after the first chunk's guests are
  // in (ANALYZE sees this transaction's own rows) make every later check an index lookup.
  if (analyze) await q.exec('ANALYZE guestlist.guests');
  const creds = rows.flatMap((g) => g.credentials.map((c) => ({ guest_id: g.id, kind: c.kind, value: c.value })));
  if (creds.length) {
    await q.query(
      `INSERT INTO guestlist.credentials (tenant_id, venue_id, kind, value, guest_id)
       SELECT $2, $3, r.kind, r.value, r.guest_id FROM jsonb_to_recordset($1::jsonb) AS r(kind text, value text, guest_id text)`,
      [JSON.stringify(creds), tenantId, venueId],
    );
  }
}
