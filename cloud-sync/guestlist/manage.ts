// Guest-list writes besides the guest import: occasions, tables (CSV), the floor plan (JSON), revoking and deleting guests.
import { ReentryPolicySchema, SyncFloorPlanSchema, SyncTableSchema, type ReentryPolicy, type SyncFloorPlan, type SyncOccasion, type SyncTable } from '../../core/contract/contract';
import { ajv, describeErrors } from '../../core/contract/validate';
import { AdminError, newId } from '../admin';
import type { Queryable } from '../db';
import { cell, ID_PATTERN, ImportError, isTimeZone, lockVenue, parseTimestamp, readCsvTable, type ImportProblem } from './common';

const REENTRY = ReentryPolicySchema.anyOf.map((s) => s.const) as ReentryPolicy[];

export interface OccasionInput {
  venueId: string;
  name: string;
  startsAt: string;
  endsAt: string;
  timezone?: string;
  reentry?: string;
}

export interface OccasionFields {
  name: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  reentry_policy: ReentryPolicy;
}

/** How each field is called where it came from: the CLI's options (default), or the console API's JSON fields. */
export interface OccasionFieldNames {
  name: string;
  starts: string;
  ends: string;
  timezone: string;
  reentry: string;
}
export const CLI_OCCASION_NAMES: OccasionFieldNames = { name: '--name', starts: '--starts', ends: '--ends', timezone: '--timezone', reentry: '--reentry' };
export const API_OCCASION_NAMES: OccasionFieldNames = { name: 'name', starts: 'starts_at', ends: 'ends_at', timezone: 'timezone', reentry: 'reentry_policy' };

/** The one check of an occasion's fields (CLI `occasion add`, console POST and PATCH): normalised fields, or AdminError. */
export function checkOccasionFields(
  input: { name: string; startsAt: string; endsAt: string; timezone?: string | undefined; reentry?: string | undefined },
  names: OccasionFieldNames = CLI_OCCASION_NAMES,
): OccasionFields {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new AdminError(`${names.name} must be 1–200 characters`);
  const starts = parseTimestamp(input.startsAt);
  if (!starts) throw new AdminError(`${names.starts} "${input.startsAt}" is not an RFC 3339 date-time with an offset, e.g. 2026-12-31T18:00:00Z`);
  const ends = parseTimestamp(input.endsAt);
  if (!ends) throw new AdminError(`${names.ends} "${input.endsAt}" is not an RFC 3339 date-time with an offset, e.g. 2027-01-01T02:00:00Z`);
  if (ends <= starts) throw new AdminError(`${names.ends} must be after ${names.starts}`);
  const timezone = input.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw new AdminError(`${names.timezone} "${timezone}" is not an IANA time zone, e.g. Europe/Lisbon`);
  const reentry = (input.reentry ?? 'single') as ReentryPolicy;
  if (!REENTRY.includes(reentry)) throw new AdminError(`${names.reentry} must be one of ${REENTRY.join(', ')}; got "${input.reentry}"`);
  return { name, starts_at: starts, ends_at: ends, timezone, reentry_policy: reentry };
}

export type StoredOccasion = SyncOccasion & { venue_id: string };

export async function addOccasion(q: Queryable, input: OccasionInput, names: OccasionFieldNames = CLI_OCCASION_NAMES): Promise<StoredOccasion> {
  const f = checkOccasionFields(input, names);
  return q.tx(async (t) => {
    const { tenantId } = await lockVenue(t, input.venueId);
    const id = newId('occ');
    await t.query(
      `INSERT INTO guestlist.occasions (id, tenant_id, venue_id, name, starts_at, ends_at, timezone, reentry_policy, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
      [id, tenantId, input.venueId, f.name, f.starts_at, f.ends_at, f.timezone, f.reentry_policy],
    );
    return { id, venue_id: input.venueId, ...f };
  });
}

/** The occasion as stored, or null (none, or deleted). */
export async function getOccasion(q: Queryable, occasionId: string): Promise<StoredOccasion | null> {
  const [r] = await q.query<{ id: string; venue_id: string; name: string; starts_at: Date; ends_at: Date; timezone: string; reentry_policy: ReentryPolicy }>(
    'SELECT id, venue_id, name, starts_at, ends_at, timezone, reentry_policy FROM guestlist.occasions WHERE id = $1 AND NOT deleted',
    [occasionId],
  );
  return r ? { ...r, starts_at: new Date(r.starts_at).toISOString(), ends_at: new Date(r.ends_at).toISOString() } : null;
}

/**
 * Changes some fields of an occasion, checked as a whole with checkOccasionFields (so a new start is checked against
 * the stored end). The row's version bump (trigger) sends it to the venue's hub. AdminError `no occasion "…"`.
 */
export async function updateOccasion(
  q: Queryable,
  occasionId: string,
  patch: Partial<{ name: string; starts_at: string; ends_at: string; timezone: string; reentry_policy: string }>,
  names: OccasionFieldNames = CLI_OCCASION_NAMES,
): Promise<{ before: StoredOccasion; after: StoredOccasion }> {
  return q.tx(async (t) => {
    const before = await getOccasion(t, occasionId);
    if (!before) throw new AdminError(`no occasion "${occasionId}"`);
    const f = checkOccasionFields({
      name: patch.name ?? before.name, startsAt: patch.starts_at ?? before.starts_at, endsAt: patch.ends_at ?? before.ends_at,
      timezone: patch.timezone ?? before.timezone, reentry: patch.reentry_policy ?? before.reentry_policy,
    }, names);
    const after = { ...before, ...f };
    // Nothing changed: no write, so nothing syncs.
    if ((Object.keys(f) as (keyof OccasionFields)[]).every((k) => f[k] === before[k])) return { before, after };
    await lockVenue(t, before.venue_id);
    await t.query(
      'UPDATE guestlist.occasions SET name = $2, starts_at = $3, ends_at = $4, timezone = $5, reentry_policy = $6 WHERE id = $1',
      [occasionId, f.name, f.starts_at, f.ends_at, f.timezone, f.reentry_policy],
    );
    return { before, after };
  });
}

/**
 * Seating tables from CSV: `seatpilot cloud tables import --venue V FILE.csv`. Columns (header line, any order):
 * `label` (required, 1–64 characters, unique in the venue: the upsert key), `id` (optional, used when the table is
 * new), `capacity` (required, 0–1000), `shape` (`round` default, or `rect`), `x`, `y`, `w`, `h` (metres from the
 * floor plan's top-left corner; default 0), `tags` (`|`-separated, what the seating engine matches against a guest's
 * `needs`; stored apart, not synced). All rows are checked first; one bad row refuses the file.
 */
export const TABLE_COLUMNS = ['id', 'label', 'capacity', 'shape', 'x', 'y', 'w', 'h', 'tags'] as const;
const validateTable = ajv.compile(SyncTableSchema);

export async function importTables(db: Queryable, venueId: string, csv: string): Promise<{ venue_id: string; rows: number; created: number; updated: number; unchanged: number }> {
  const what = 'table import';
  const t = readCsvTable(what, csv, TABLE_COLUMNS, ['label', 'capacity']);
  return db.tx(async (q) => {
    const { tenantId } = await lockVenue(q, venueId);
    const existing = new Map(
      (await q.query<SyncTable>('SELECT id, label, capacity, shape, x, y, w, h FROM guestlist.seating_tables WHERE venue_id = $1 AND NOT deleted', [venueId])).map((r) => [r.label, r]),
    );
    const givenIds = t.rows.map((r) => cell(t, r, 'id')).filter(Boolean);
    const taken = new Map(
      givenIds.length ? (await q.query<{ id: string; label: string; venue_id: string; deleted: boolean }>('SELECT id, label, venue_id, deleted FROM guestlist.seating_tables WHERE id = ANY($1::text[])', [givenIds])).map((r) => [r.id, r]) : [],
    );
    const problems: ImportProblem[] = [];
    const planned: { table: SyncTable; state: 'created' | 'updated' | 'unchanged' }[] = [];
    const tagsOf = new Map<string, string[]>();
    const lineOfLabel = new Map<string, number>();
    const lineOfId = new Map<string, number>();
    for (const row of t.rows) {
      const bad = (reason: string) => problems.push({ line: row.line, reason });
      const before = problems.length;
      const label = cell(t, row, 'label');
      if (!label) bad('label is empty');
      else if (lineOfLabel.has(label)) bad(`label "${label}" is also on line ${lineOfLabel.get(label)}`);
      else lineOfLabel.set(label, row.line);
      const num = (col: string, fallback: number | null): number => {
        const text = cell(t, row, col);
        if (!text) {
          if (fallback === null) bad(`${col} is empty`);
          return fallback ?? 0;
        }
        const v = Number(text);
        if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) || !Number.isFinite(v)) bad(`${col} "${text}" is not a number`);
        return v;
      };
      const capacityText = cell(t, row, 'capacity');
      const capacity = num('capacity', null);
      if (capacityText && !/^\d{1,4}$/.test(capacityText)) bad(`capacity "${capacityText}" must be a whole number from 0 to 1000`);
      const shape = cell(t, row, 'shape').toLowerCase() || 'round';
      if (shape !== 'round' && shape !== 'rect') bad(`shape "${cell(t, row, 'shape')}" must be round or rect`);
      const geometry = { x: num('x', 0), y: num('y', 0), w: num('w', 0), h: num('h', 0) };
      const current = existing.get(label);
      const givenId = cell(t, row, 'id');
      if (givenId) {
        const other = taken.get(givenId);
        if (!ID_PATTERN.test(givenId)) bad(`id "${givenId}" must be 1–128 of A-Z a-z 0-9 _ . : @ -, starting with a letter or digit`);
        else if (current && current.id !== givenId) bad(`table "${label}" already exists with id ${current.id}, not ${givenId}`);
        else if (!current && other) bad(other.venue_id === venueId ? `id "${givenId}" is already used by table "${other.label}"${other.deleted ? ' (deleted)' : ''}` : `id "${givenId}" belongs to a table of another venue`);
        else if (lineOfId.has(givenId)) bad(`id "${givenId}" is also on line ${lineOfId.get(givenId)}`);
        else lineOfId.set(givenId, row.line);
      }
      const tags = [...new Set(cell(t, row, 'tags').split('|').map((v) => v.trim()).filter(Boolean))];
      if (tags.some((tag) => tag.length > 64)) bad('a tag is longer than 64 characters');
      if (tags.length > 64) bad(`lists ${tags.length} tags; at most 64`);
      if (problems.length > before) continue;
      const table: SyncTable = { id: current?.id ?? (givenId || newId('tbl')), label, capacity, shape: shape as SyncTable['shape'], ...geometry };
      if (!validateTable(table)) {
        bad(describeErrors(validateTable).replace(/^\//, ''));
        continue;
      }
      const same = current && (Object.keys(table) as (keyof SyncTable)[]).every((k) => table[k] === current[k]);
      planned.push({ table, state: !current ? 'created' : same ? 'unchanged' : 'updated' });
      tagsOf.set(table.id, tags);
    }
    if (problems.length) throw new ImportError(what, problems);
    const writes = planned.filter((p) => p.state !== 'unchanged').map((p) => p.table);
    if (writes.length) {
      await q.query(
        `INSERT INTO guestlist.seating_tables (id, tenant_id, venue_id, label, capacity, shape, x, y, w, h, version)
         SELECT r.id, $2, $3, r.label, r.capacity, r.shape, r.x, r.y, r.w, r.h, 0
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, label text, capacity integer, shape text, x float8, y float8, w float8, h float8)
         ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, capacity = EXCLUDED.capacity, shape = EXCLUDED.shape,
           x = EXCLUDED.x, y = EXCLUDED.y, w = EXCLUDED.w, h = EXCLUDED.h`,
        [JSON.stringify(writes), tenantId, venueId],
      );
    }
    if (t.columns.has('tags') && tagsOf.size) {
      await q.query(
        `INSERT INTO guestlist.seating_table_tags (table_id, tenant_id, venue_id, tags)
         SELECT r.id, $2, $3, ARRAY(SELECT jsonb_array_elements_text(r.tags)) FROM jsonb_to_recordset($1::jsonb) AS r(id text, tags jsonb)
         ON CONFLICT (table_id) DO UPDATE SET tags = EXCLUDED.tags`,
        [JSON.stringify([...tagsOf].map(([id, tags]) => ({ id, tags }))), tenantId, venueId],
      );
    }
    const count = (s: string) => planned.filter((p) => p.state === s).length;
    return { venue_id: venueId, rows: t.rows.length, created: count('created'), updated: count('updated'), unchanged: count('unchanged') };
  });
}

const validateFloorPlan = ajv.compile(SyncFloorPlanSchema);

/** The venue's floor plan from JSON text, checked against the contract's SyncFloorPlanSchema. */
export async function setFloorPlan(db: Queryable, venueId: string, json: string): Promise<{ venue_id: string; version: number }> {
  let plan: unknown;
  try {
    plan = JSON.parse(json);
  } catch (e) {
    throw new AdminError(`the floor plan is not valid JSON: ${(e as Error).message}`);
  }
  if (!validateFloorPlan(plan)) throw new AdminError(`the floor plan does not match the contract: ${describeErrors(validateFloorPlan)}`);
  return db.tx(async (q) => {
    const { tenantId } = await lockVenue(q, venueId);
    const rows = await q.query<{ version: number }>(
      `INSERT INTO guestlist.floor_plans (venue_id, tenant_id, plan, version) VALUES ($1, $2, $3::jsonb, 0)
       ON CONFLICT (venue_id) DO UPDATE SET plan = EXCLUDED.plan RETURNING version`,
      [venueId, tenantId, JSON.stringify(plan as SyncFloorPlan)],
    );
    return { venue_id: venueId, version: Number(rows[0]?.version) };
  });
}

/** Revokes a guest: kiosks keep the guest and answer "revoked" at the door instead of "unknown". */
export async function revokeGuest(db: Queryable, guestId: string): Promise<{ guest_id: string; status: 'revoked'; version: number }> {
  return db.tx(async (q) => {
    const g = await q.query<{ venue_id: string; deleted: boolean; status: string; version: number }>('SELECT venue_id, deleted, status, version FROM guestlist.guests WHERE id = $1', [guestId]);
    if (!g[0] || g[0].deleted) throw new AdminError(`no guest "${guestId}"`);
    await lockVenue(q, g[0].venue_id);
    // Revoking twice changes nothing, so it syncs nothing.
    const rows = await q.query<{ version: number }>(`UPDATE guestlist.guests SET status = 'revoked' WHERE id = $1 AND status <> 'revoked' RETURNING version`, [guestId]);
    return { guest_id: guestId, status: 'revoked', version: Number(rows[0]?.version ?? g[0].version) };
  });
}

/** Deletes a guest: kiosks drop the guest (a tombstone) and its credentials become free to issue again. */
export async function deleteGuest(db: Queryable, guestId: string): Promise<{ guest_id: string; deleted: true; version: number }> {
  return db.tx(async (q) => {
    const g = await q.query<{ venue_id: string; deleted: boolean }>('SELECT venue_id, deleted FROM guestlist.guests WHERE id = $1', [guestId]);
    if (!g[0] || g[0].deleted) throw new AdminError(`no guest "${guestId}"`);
    await lockVenue(q, g[0].venue_id);
    await q.query('DELETE FROM guestlist.credentials WHERE venue_id = $1 AND guest_id = $2', [g[0].venue_id, guestId]);
    const rows = await q.query<{ version: number }>('UPDATE guestlist.guests SET deleted = true WHERE id = $1 RETURNING version', [guestId]);
    return { guest_id: guestId, deleted: true, version: Number(rows[0]?.version) };
  });
}
