// Pieces shared by the guest-list writers: the error that carries bad rows, CSV header checks, small field parsers.
import { AdminError } from '../admin';
import type { Queryable } from '../db';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv';

export interface ImportProblem {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  reason: string;
}

const SHOWN_PROBLEMS = 50;

/** A refused import: every bad row found, with its line; nothing was written. */
export class ImportError extends AdminError {
  override name = 'ImportError';
  constructor(
    readonly what: string,
    readonly problems: ImportProblem[],
  ) {
    const sorted = [...problems].sort((a, b) => a.line - b.line);
    const shown = sorted.slice(0, SHOWN_PROBLEMS).map((p) => `  line ${p.line}: ${p.reason}`);
    if (sorted.length > SHOWN_PROBLEMS) shown.push(`  … and ${sorted.length - SHOWN_PROBLEMS} more`);
    super(`${what}: nothing was imported; ${sorted.length} bad row${sorted.length === 1 ? '' : 's'}:\n${shown.join('\n')}`);
    this.problems = sorted;
  }
}

export interface CsvTable {
  /** Column name → index in each record. */
  columns: Map<string, number>;
  rows: CsvRecord[];
}

/** Parses the CSV and checks its header against the known columns; throws ImportError naming line 1 when it is wrong. */
export function readCsvTable(what: string, text: string, known: readonly string[], required: readonly string[]): CsvTable {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ImportError(what, [{ line: e.line, reason: e.message.replace(/^line \d+: /, '') }]);
    throw e;
  }
  const header = records.shift();
  if (!header) throw new ImportError(what, [{ line: 1, reason: `the file is empty; the first line must name the columns (${known.join(', ')})` }]);
  const problems: ImportProblem[] = [];
  const columns = new Map<string, number>();
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!known.includes(name)) problems.push({ line: header.line, reason: `unknown column "${raw}"; the columns are ${known.join(', ')}` });
    else if (columns.has(name)) problems.push({ line: header.line, reason: `column "${name}" appears twice` });
    else columns.set(name, i);
  });
  for (const r of required) if (!columns.has(r)) problems.push({ line: header.line, reason: `the required column "${r}" is missing` });
  for (const row of records) {
    if (row.fields.length !== header.fields.length) {
      problems.push({ line: row.line, reason: `has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, the header has ${header.fields.length}` });
    }
  }
  if (problems.length) throw new ImportError(what, problems);
  return { columns, rows: records };
}

/** The trimmed value of `column` in `row`, '' when the column is absent. */
export function cell(t: CsvTable, row: CsvRecord, column: string): string {
  const i = t.columns.get(column);
  return i === undefined ? '' : (row.fields[i] ?? '').trim();
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 date-time with its offset, normalised to ISO in UTC; null when it is not one. */
export function parseTimestamp(text: string): string | null {
  if (!RFC3339.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Ids the CLI accepts from people: 1–128 characters, starting with a letter or digit, no spaces. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/** Takes the venue's write lock (see sql/postgres/0009_guest_lists.sql) and returns its tenant; AdminError if none. */
export async function lockVenue(q: Queryable, venueId: string): Promise<{ tenantId: string }> {
  const v = await q.query<{ tenant_id: string }>('SELECT tenant_id FROM seatpilot.venues WHERE id = $1', [venueId]);
  if (!v[0]) throw new AdminError(`no venue "${venueId}"`);
  await q.query('SELECT guestlist.lock_venue($1)', [venueId]);
  return { tenantId: v[0].tenant_id };
}
