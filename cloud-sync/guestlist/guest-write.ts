// The guest import's last stage: a checked plan written inside the import's transaction, in chunks, changed guests only.
import type { SyncGuest } from '../../core/contract/contract';
import type { Queryable } from '../db';
import type { PlannedGuest } from './guest-check';

/** Imports writing this many guests refresh the planner's statistics after their first chunk (see upsertGuests). */
const ANALYZE_FROM_ROWS = 1000;

export interface GuestWriteOptions {
  tenantId: string;
  venueId: string;
  /** Plan entries (changed or not) per chunk; progress is reported after each. */
  chunkSize: number;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export async function writeGuestPlan(q: Queryable, plan: readonly PlannedGuest[], opts: GuestWriteOptions): Promise<void> {
  const { tenantId, venueId, chunkSize } = opts;
  const total = plan.length;
  const changed = plan.filter((p) => p.change !== 'unchanged');
  // Release the changed guests' old credentials first, so a credential moving between two guests never collides.
  const releasing = changed.filter((p) => p.hadCredentials).map((p) => p.guest.id);
  if (releasing.length) await q.query('DELETE FROM guestlist.credentials WHERE venue_id = $1 AND guest_id = ANY($2::text[])', [venueId, releasing]);

  let analyzed = false;
  for (let from = 0; from < total; from += chunkSize) {
    const chunk = plan.slice(from, from + chunkSize).filter((p) => p.change !== 'unchanged');
    if (chunk.length) {
      await upsertGuests(q, tenantId, venueId, chunk, !analyzed && changed.length >= ANALYZE_FROM_ROWS);
      analyzed = true;
    }
    opts.onProgress?.(Math.min(from + chunkSize, total), total);
    // One turn of the event loop per chunk: embedded PGlite runs its statements on this thread, and without a turn
    // nothing else happens until the whole import is done (the console's progress lines reach the page only at the
    // end, other requests wait). A turn costs microseconds; a chunk is thousands of rows.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!total) opts.onProgress?.(0, 0);
}

async function upsertGuests(q: Queryable, tenantId: string, venueId: string, plan: readonly PlannedGuest[], analyze: boolean): Promise<void> {
  // The version column is filled by the trigger (under the venue lock); 0 only satisfies NOT NULL until then. The
  // desk fields (meal, staff notes, tags) are the plan's, already merged with what the guest had.
  await q.query(
    `INSERT INTO guestlist.guests (id, tenant_id, venue_id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, deleted, version, meal, desk_notes, tags)
     SELECT r.id, $2, $3, r.occasion_id, r.name, r.party_size, r.table_id, r.status, r.valid_from, r.valid_to, false, 0,
            r.meal, r.desk_notes, ARRAY(SELECT jsonb_array_elements_text(r.tags))
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, occasion_id text, name text, party_size integer, table_id text, status text, valid_from timestamptz, valid_to timestamptz,
                                               meal text, desk_notes text, tags jsonb)
     ON CONFLICT (id) DO UPDATE SET occasion_id = EXCLUDED.occasion_id, name = EXCLUDED.name, party_size = EXCLUDED.party_size,
       table_id = EXCLUDED.table_id, status = EXCLUDED.status, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to, deleted = false,
       meal = EXCLUDED.meal, desk_notes = EXCLUDED.desk_notes, tags = EXCLUDED.tags`,
    [JSON.stringify(plan.map(({ guest: { credentials: _c, ...g }, desk }) => ({ ...g, meal: desk.meal, desk_notes: desk.notes, tags: desk.tags }))), tenantId, venueId],
  );
  // Each credential's foreign-key check looks its guest up with a query planned for the guests table as the statistics
  // describe it. Planned for a table of a few rows, that is a sequential scan per credential: a 100,000-row import into
  // a young database turns quadratic (minutes instead of seconds). Statistics taken after the first chunk's guests are
  // in (ANALYZE sees this transaction's own rows) make every later check an index lookup.
  if (analyze) await q.query('SELECT guestlist.analyze_guests()');
  const creds = plan.map((p): SyncGuest => p.guest).flatMap((g) => g.credentials.map((c) => ({ guest_id: g.id, kind: c.kind, value: c.value })));
  if (creds.length) {
    await q.query(
      `INSERT INTO guestlist.credentials (tenant_id, venue_id, kind, value, guest_id)
       SELECT $2, $3, r.kind, r.value, r.guest_id FROM jsonb_to_recordset($1::jsonb) AS r(kind text, value text, guest_id text)`,
      [JSON.stringify(creds), tenantId, venueId],
    );
  }
}
