// What the console reads of an occasion's guests: the whole list in one set-based statement (credentials and first
// admission as aggregates, joined once each, never a query per guest), the export's rows, and one guest's detail.
import type { GuestDetail, GuestRow } from '../../../core/console/guests';
import type { Queryable } from '../../db';
import { notFound } from '../errors';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A list row plus what the CSV export writes besides (the import's columns). */
export interface ExportGuestRow extends GuestRow {
  valid_from: string | null;
  valid_to: string | null;
  together_with: string[];
  apart_from: string[];
  seat_locked: boolean;
  meal: string | null;
  desk_notes: string | null;
  tags: string[];
}

// $1 tenant, $2 venue, $3 occasion. The tenant filter is the first layer; row-level security (scope.ts) the second.
const LIST_SQL = (extra: string) => `
  SELECT g.id, g.name, g.party_size, g.table_id, t.label AS table_label, g.status, a.first_at AS checked_in_at,
         s.grp AS "group", coalesce(s.needs, '{}') AS needs, coalesce(c.creds, '[]') AS credentials${extra}
    FROM guestlist.guests g
    LEFT JOIN guestlist.seating_tables t ON t.venue_id = g.venue_id AND t.id = g.table_id
    LEFT JOIN guestlist.guest_seating s ON s.guest_id = g.id
    LEFT JOIN (SELECT guest_id, json_agg(json_build_object('kind', kind, 'value', value) ORDER BY kind, value) AS creds
                 FROM guestlist.credentials WHERE tenant_id = $1 AND venue_id = $2 GROUP BY guest_id) c ON c.guest_id = g.id
    LEFT JOIN (SELECT guest_id, min(occurred_at) AS first_at
                 FROM telemetry.admissions WHERE tenant_id = $1 AND venue_id = $2 AND direction = 'entry' AND reverted_at IS NULL GROUP BY guest_id) a ON a.guest_id = g.id
   WHERE g.tenant_id = $1 AND g.venue_id = $2 AND g.occasion_id = $3 AND NOT g.deleted
   ORDER BY g.name, g.id`;

type Raw<T> = Omit<T, 'checked_in_at' | 'credentials' | 'needs'> & { checked_in_at: Date | null; credentials: unknown; needs: string[] };
/** json_agg comes back parsed from node-postgres and as text from some drivers: accept both. */
const creds = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as GuestRow['credentials'];

/**
 * Runs a whole-occasion read with nested loops off (for this transaction's statement only). The console's role cannot
 * ANALYZE, and PGlite has no autovacuum: after a big import the statistics may still say guest_seating is empty, and
 * a nested loop over 20,000 × 20,000 rows takes minutes where a hash join takes milliseconds.
 */
async function hashJoins<T>(q: Queryable, fn: () => Promise<T>): Promise<T> {
  await q.query(`SELECT set_config('enable_nestloop', 'off', true)`);
  try {
    return await fn();
  } finally {
    await q.query(`SELECT set_config('enable_nestloop', 'on', true)`);
  }
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The occasion's GuestList as JSON text, built by the database in one statement. 20,000 guests as rows would cost
 * PGlite ~0.6 s just to hand over (a JS object per row); as one text value they cost a fraction of that. A guest's
 * credentials come in no particular order (sorting them per guest costs more than the rest of the list).
 */
export async function guestListJson(q: Queryable, tenantId: string, venueId: string, occasionId: string): Promise<string> {
  const [row] = await hashJoins(q, () => q.query<{ body: string }>(
    `WITH creds AS (
       SELECT guest_id, json_agg(json_build_object('kind', kind, 'value', value)) AS list
         FROM guestlist.credentials WHERE tenant_id = $1 AND venue_id = $2 GROUP BY guest_id
     ), admitted AS (
       SELECT guest_id, min(occurred_at) AS first_at
         FROM telemetry.admissions WHERE tenant_id = $1 AND venue_id = $2 AND direction = 'entry' AND reverted_at IS NULL GROUP BY guest_id
     )
     SELECT json_build_object(
       'occasion_id', $3::text, 'venue_id', $2::text,
       'guests', coalesce((
         SELECT json_agg(json_build_object(
                  'id', g.id, 'name', g.name, 'party_size', g.party_size, 'table_id', g.table_id, 'table_label', t.label, 'status', g.status,
                  'checked_in_at', ${ISO('a.first_at')}, 'group', s.grp, 'needs', coalesce(s.needs, '{}'), 'credentials', coalesce(c.list, '[]'))
                ORDER BY g.name, g.id)
           FROM guestlist.guests g
           LEFT JOIN guestlist.seating_tables t ON t.venue_id = g.venue_id AND t.id = g.table_id
           LEFT JOIN guestlist.guest_seating s ON s.guest_id = g.id
           LEFT JOIN creds c ON c.guest_id = g.id
           LEFT JOIN admitted a ON a.guest_id = g.id
          WHERE g.tenant_id = $1 AND g.venue_id = $2 AND g.occasion_id = $3 AND NOT g.deleted), '[]'),
       'tables', coalesce((
         SELECT json_agg(json_build_object('id', id, 'label', label, 'capacity', capacity) ORDER BY label, id)
           FROM guestlist.seating_tables WHERE tenant_id = $1 AND venue_id = $2 AND NOT deleted), '[]')
     )::text AS body`,
    [tenantId, venueId, occasionId],
  ));
  return (row as { body: string }).body;
}

export async function loadExportRows(q: Queryable, tenantId: string, venueId: string, occasionId: string): Promise<ExportGuestRow[]> {
  const rows = await hashJoins(q, () => q.query<Raw<ExportGuestRow> & { valid_from: Date | null; valid_to: Date | null }>(
    LIST_SQL(`, g.valid_from, g.valid_to, coalesce(s.together_with, '{}') AS together_with, coalesce(s.apart_from, '{}') AS apart_from, coalesce(s.seat_locked, false) AS seat_locked, g.meal, g.desk_notes, g.tags`),
    [tenantId, venueId, occasionId],
  ));
  return rows.map((r) => ({ ...r, checked_in_at: iso(r.checked_in_at), credentials: creds(r.credentials), valid_from: iso(r.valid_from), valid_to: iso(r.valid_to) }));
}

/** One guest of the tenant (not deleted), everything the detail shows; 404 otherwise. */
export async function loadGuestDetail(q: Queryable, tenantId: string, guestId: string, lock = false): Promise<GuestDetail> {
  const [g] = await q.query<{ id: string; venue_id: string; occasion_id: string; name: string; party_size: number; table_id: string | null; status: GuestDetail['status']; valid_from: Date | null; valid_to: Date | null; version: number; meal: string | null; desk_notes: string | null; tags: string[] }>(
    `SELECT id, venue_id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, version, meal, desk_notes, tags
       FROM guestlist.guests WHERE id = $1 AND tenant_id = $2 AND NOT deleted${lock ? ' FOR UPDATE' : ''}`,
    [guestId, tenantId],
  );
  if (!g) throw notFound('that guest');
  const [credentials, seating, notes, admitted] = [
    await q.query<GuestDetail['credentials'][number]>('SELECT kind, value FROM guestlist.credentials WHERE venue_id = $1 AND guest_id = $2 ORDER BY kind, value', [g.venue_id, g.id]),
    await q.query<{ grp: string | null; needs: string[] }>('SELECT grp, needs FROM guestlist.guest_seating WHERE guest_id = $1', [g.id]),
    await q.query<{ notes: string }>('SELECT notes FROM guestlist.guest_notes WHERE guest_id = $1', [g.id]),
    await q.query<{ first_at: Date | null }>(`SELECT min(occurred_at) AS first_at FROM telemetry.admissions WHERE tenant_id = $1 AND venue_id = $2 AND guest_id = $3 AND direction = 'entry' AND reverted_at IS NULL`, [tenantId, g.venue_id, g.id]),
  ];
  return {
    id: g.id, venue_id: g.venue_id, occasion_id: g.occasion_id, name: g.name, party_size: g.party_size, table_id: g.table_id, status: g.status,
    valid_from: iso(g.valid_from), valid_to: iso(g.valid_to), credentials, group: seating[0]?.grp ?? null, needs: seating[0]?.needs ?? [],
    notes: notes[0]?.notes ?? '', meal: g.meal, desk_notes: g.desk_notes ?? '', tags: g.tags ?? [], checked_in_at: iso(admitted[0]?.first_at ?? null), version: Number(g.version),
  };
}
