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
 * | `group`, `together_with`, `apart_from`, `needs`, `seat_locked` | what the seating engine reads (README "Seating in the cloud"). |
 * | `meal`       | optional, 1–64 characters (e.g. `vegetarian`): the tablets count meals per table. |
 * | `notes`      | optional, at most 2000 characters: notes for the venue's staff, shown on the tablets (the console's own planner notes stay in the cloud). |
 * | `tags`       | optional, several separated by `\|`, each 1–64 characters, lower-cased: `vip` alerts the host tablets on arrival. |
 *
 * A row needs a `guest_id` or at least one credential, so that importing the same file again finds it again. A
 * credential (kind + value) belongs to one guest of the venue: the same one twice in the file, or one held by another
 * guest who is not in the file, is a bad row. A file without a `meal`, `notes` or `tags` column leaves that field of
 * its guests as it is; an empty cell clears it. Re-importing updates guests in place (their credentials become exactly
 * those of the row) and leaves unchanged guests untouched, so kiosks only sync what changed.
 *
 * Every row is checked before anything is written; one bad row refuses the whole file with every bad row's line number
 * and reason. The write is one transaction, in chunks, with progress reported per chunk.
 *
 * Three stages: guest-csv.ts reads the rows, guest-check.ts checks them against the venue, guest-write.ts writes.
 */
import type { Queryable } from '../db';
import { ImportError, lockVenue } from './common';
import { checkGuestRows, loadVenueGuests, type PlannedGuest } from './guest-check';
import { GUEST_IMPORT, readGuestCsv } from './guest-csv';
import { checkSeatingRefs, writeGuestSeating } from './guest-seating';
import { writeGuestPlan } from './guest-write';

export { GUEST_COLUMNS } from './guest-csv';

export interface GuestImportOptions {
  venueId: string;
  occasionId: string;
  csv: string;
  /** Rows written per statement batch. */
  chunkSize?: number;
  /** A file of more rows than this reads the whole venue at once instead of looking up the guests it touches. */
  wholeVenueAbove?: number;
  /** Rows written so far (the writing stage), after each chunk. */
  onProgress?: (done: number, total: number) => void;
  /** Each stage's progress: reading (characters of the file), checking (rows), writing (rows, as onProgress). */
  onStage?: (stage: GuestImportStage, done: number, total: number) => void;
}

export type GuestImportStage = 'reading' | 'checking' | 'writing';

export interface GuestImportReport {
  venue_id: string;
  occasion_id: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export async function importGuests(db: Queryable, opts: GuestImportOptions): Promise<GuestImportReport> {
  const stage = opts.onStage ?? (() => undefined);
  stage('reading', 0, opts.csv.length);
  const read = readGuestCsv(opts.csv);
  stage('reading', opts.csv.length, opts.csv.length);
  return db.tx(async (q) => {
    const { tenantId } = await lockVenue(q, opts.venueId);
    const total = read.rows.length;
    stage('checking', 0, total);
    const venue = await loadVenueGuests(q, opts.venueId, opts.occasionId, read.rows, opts.wholeVenueAbove);
    const checked = checkGuestRows(read.rows, new Set(read.problems.map((p) => p.line)), venue, opts.occasionId);
    const problems = [...read.problems, ...checked.problems, ...(await checkSeatingRefs(q, opts.venueId, opts.occasionId, read.rows))];
    stage('checking', total, total);
    if (problems.length) throw new ImportError(GUEST_IMPORT, problems);
    const onProgress = (done: number, all: number) => {
      opts.onProgress?.(done, all);
      stage('writing', done, all);
    };
    await writeGuestPlan(q, checked.plan, { tenantId, venueId: opts.venueId, chunkSize: opts.chunkSize ?? 5000, onProgress });
    await writeGuestSeating(q, tenantId, opts.venueId, read.rows, checked.plan);
    const count = (change: PlannedGuest['change']) => checked.plan.filter((p) => p.change === change).length;
    return { venue_id: opts.venueId, occasion_id: opts.occasionId, rows: read.rows.length, created: count('created'), updated: count('updated'), unchanged: count('unchanged') };
  });
}
