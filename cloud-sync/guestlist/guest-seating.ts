// The seating columns of a guest import (group, together_with, apart_from, needs, seat_locked): checked against the
// occasion's guests and written to guestlist.guest_seating in the import's transaction. Apart from the guest row, so
// a change of group does not bump the guest's sync version (nothing a door shows changes).
import type { Queryable } from '../db';
import type { ImportProblem } from './common';
import type { PlannedGuest } from './guest-check';
import type { GuestCsvRow, GuestSeatingFields } from './guest-csv';

/** Each together_with / apart_from id names a guest of this file or a live guest of the occasion. */
export async function checkSeatingRefs(
  q: Queryable,
  venueId: string,
  occasionId: string,
  rows: readonly GuestCsvRow[],
): Promise<ImportProblem[]> {
  const inFile = new Set(rows.map((r) => r.guestId).filter((id): id is string => id !== null));
  const named = [...new Set(rows.flatMap((r) => (r.seating ? [...r.seating.together_with, ...r.seating.apart_from] : [])))].filter((id) => !inFile.has(id));
  const existing = new Set(
    named.length
      ? (await q.query<{ id: string }>('SELECT id FROM guestlist.guests WHERE venue_id = $1 AND occasion_id = $2 AND NOT deleted AND id = ANY($3::text[])', [venueId, occasionId, named])).map((r) => r.id)
      : [],
  );
  const problems: ImportProblem[] = [];
  for (const r of rows) {
    if (!r.seating) continue;
    for (const col of ['together_with', 'apart_from'] as const) {
      for (const id of r.seating[col]) {
        if (!inFile.has(id) && !existing.has(id)) problems.push({ line: r.line, reason: `${col} names "${id}", who is no guest of this occasion` });
      }
    }
  }
  return problems;
}

/** The seating of every planned row of a file that has seating columns (changed guests or not: the guest row may be unchanged). */
export async function writeGuestSeating(q: Queryable, tenantId: string, venueId: string, rows: readonly GuestCsvRow[], plan: readonly PlannedGuest[]): Promise<void> {
  const byLine = new Map(rows.map((r) => [r.line, r.seating]));
  const entries: (GuestSeatingFields & { guest_id: string })[] = [];
  for (const p of plan) {
    const seating = byLine.get(p.line);
    if (seating) entries.push({ guest_id: p.guest.id, ...seating });
  }
  if (!entries.length) return;
  await q.query(
    `INSERT INTO guestlist.guest_seating (guest_id, tenant_id, venue_id, grp, together_with, apart_from, needs, seat_locked)
     SELECT r.guest_id, $2, $3, r."group",
            ARRAY(SELECT jsonb_array_elements_text(r.together_with)), ARRAY(SELECT jsonb_array_elements_text(r.apart_from)),
            ARRAY(SELECT jsonb_array_elements_text(r.needs)), r.seat_locked
       FROM jsonb_to_recordset($1::jsonb) AS r(guest_id text, "group" text, together_with jsonb, apart_from jsonb, needs jsonb, seat_locked boolean)
     ON CONFLICT (guest_id) DO UPDATE SET grp = EXCLUDED.grp, together_with = EXCLUDED.together_with, apart_from = EXCLUDED.apart_from,
       needs = EXCLUDED.needs, seat_locked = EXCLUDED.seat_locked`,
    [JSON.stringify(entries), tenantId, venueId],
  );
}
