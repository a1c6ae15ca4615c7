// One guest edited in the console (`PATCH /console/api/guests/:id`), checked as the CSV import checks a row where the
// same rule applies, written in the request's scoped transaction under the venue lock. Any change bumps the guest's
// sync version: a synced field (table, credentials, status …) reaches the hub through GET /v1/sync, and the version
// in the detail then refuses an edit made from a stale page (409), notes and seating included. The desk fields (meal,
// the staff's notes, tags: sql 0020) sit on the guest row and sync to the hub; the planner's notes never leave the cloud.
import { SyncGuestSchema, type SyncGuest } from '../../../core/contract/contract';
import { ajv, describeErrors } from '../../../core/contract/validate';
import type { GuestDetail, GuestPatch } from '../../../core/console/guests';
import type { Queryable } from '../../db';
import { lockVenue, parseTimestamp } from '../../guestlist/common';
import { badTag, MAX_CREDENTIALS, MAX_DESK_NOTES, MAX_MEAL, MAX_TAGS } from '../../guestlist/guest-csv';
import type { AuditActor } from '../audit';
import { recordAudit } from '../audit';
import { ConsoleError, notFound } from '../errors';
import { loadGuestDetail } from './guest-data';

const validateGuest = ajv.compile(SyncGuestSchema);
const TAG_PATTERN = /^[^|\s][^|]{0,63}$/;
const bad = (message: string) => new ConsoleError('bad_request', message);

/** The patch applied to the guest as it is: the fields it would have, or a bad_request / conflict naming the field. */
async function nextGuest(q: Queryable, tenantId: string, current: GuestDetail, patch: GuestPatch): Promise<GuestDetail> {
  const next: GuestDetail = { ...current };
  if (patch.name !== undefined) {
    next.name = patch.name.trim();
    if (!next.name) throw bad('name is empty');
  }
  if (patch.party_size !== undefined) next.party_size = patch.party_size;
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.table_id !== undefined) {
    if (patch.table_id !== null) {
      const t = await q.query('SELECT 1 FROM guestlist.seating_tables WHERE tenant_id = $1 AND venue_id = $2 AND id = $3 AND NOT deleted', [tenantId, current.venue_id, patch.table_id]);
      if (!t.length) throw bad(`no table "${patch.table_id}" in this venue`);
    }
    next.table_id = patch.table_id;
  }
  for (const col of ['valid_from', 'valid_to'] as const) {
    const text = patch[col];
    if (text === undefined) continue;
    if (text === null || text === '') next[col] = null;
    else {
      const parsed = parseTimestamp(text.trim());
      if (!parsed) throw bad(`${col} "${text}" is not an RFC 3339 date-time with an offset, e.g. 2026-12-31T18:00:00Z`);
      next[col] = parsed;
    }
  }
  if (next.valid_from && next.valid_to && next.valid_to <= next.valid_from) throw bad('valid_to must be after valid_from');
  if (patch.credentials !== undefined) {
    const seen = new Set<string>();
    next.credentials = [];
    for (const c of patch.credentials) {
      const value = c.value.trim();
      if (!value) throw bad(`a ${c.kind} is empty`);
      if (value.includes('|')) throw bad(`${c.kind} "${value}" contains |, which the guest CSV uses between values`);
      const key = `${c.kind}\u0000${value}`;
      if (seen.has(key)) throw bad(`${c.kind} "${value}" is given twice`);
      seen.add(key);
      next.credentials.push({ kind: c.kind, value });
    }
    if (next.credentials.length > MAX_CREDENTIALS) throw bad(`has ${next.credentials.length} credentials; at most ${MAX_CREDENTIALS}`);
    next.credentials.sort((a, b) => (a.kind === b.kind ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.kind < b.kind ? -1 : 1));
    if (next.credentials.length) {
      const [clash] = await q.query<{ kind: string; value: string; guest_id: string; name: string }>(
        `SELECT c.kind, c.value, c.guest_id, g.name FROM guestlist.credentials c
           JOIN unnest($3::text[], $4::text[]) AS f(kind, value) ON c.kind = f.kind AND c.value = f.value
           JOIN guestlist.guests g ON g.id = c.guest_id
          WHERE c.tenant_id = $1 AND c.venue_id = $2 AND c.guest_id <> $5
          ORDER BY c.kind, c.value LIMIT 1`,
        [tenantId, current.venue_id, next.credentials.map((c) => c.kind), next.credentials.map((c) => c.value), current.id],
      );
      if (clash) throw new ConsoleError('conflict', `${clash.kind} "${clash.value}" already belongs to ${clash.name} (${clash.guest_id}) in this venue`);
    }
  }
  if (patch.group !== undefined) next.group = patch.group === null ? null : patch.group.trim() || null;
  if (patch.needs !== undefined) {
    next.needs = [...new Set(patch.needs.map((n) => n.trim()).filter(Boolean))];
    for (const tag of next.needs) if (!TAG_PATTERN.test(tag)) throw bad(`need "${tag.slice(0, 40)}" must be 1–64 characters without |`);
  }
  if (patch.notes !== undefined) next.notes = patch.notes;
  // The desk fields, as the CSV import reads its meal/notes/tags columns (guest-csv.ts).
  if (patch.meal !== undefined) {
    next.meal = patch.meal?.trim() || null;
    if (next.meal && next.meal.length > MAX_MEAL) throw bad(`meal is ${next.meal.length} characters long; at most ${MAX_MEAL}`);
  }
  if (patch.desk_notes !== undefined) {
    next.desk_notes = patch.desk_notes.trim();
    if (next.desk_notes.length > MAX_DESK_NOTES) throw bad(`the staff notes are ${next.desk_notes.length} characters long; at most ${MAX_DESK_NOTES}`);
  }
  if (patch.tags !== undefined) {
    next.tags = [...new Set(patch.tags.map((x) => x.trim().toLowerCase()).filter(Boolean))];
    for (const tag of next.tags) if (badTag(tag)) throw bad(`tag "${tag.slice(0, 40)}" must be 1–64 characters without |`);
    if (next.tags.length > MAX_TAGS) throw bad(`${next.tags.length} tags; at most ${MAX_TAGS}`);
  }
  const synced: SyncGuest = {
    id: next.id, occasion_id: next.occasion_id, name: next.name, party_size: next.party_size, table_id: next.table_id, status: next.status,
    valid_from: next.valid_from, valid_to: next.valid_to, credentials: next.credentials,
  };
  if (!validateGuest(synced)) throw bad(describeErrors(validateGuest));
  return next;
}

const FIELDS = ['name', 'party_size', 'table_id', 'status', 'valid_from', 'valid_to', 'credentials', 'group', 'needs', 'notes', 'meal', 'desk_notes', 'tags'] as const;
type Field = (typeof FIELDS)[number];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies the patch: 409 when the guest's version is not the one the page read, else the fields written (guest row,
 * credentials exactly as given, seating group/needs, notes) and one audit entry with what changed.
 */
export async function patchGuest(q: Queryable, tenantId: string, guestId: string, patch: GuestPatch, who: AuditActor): Promise<GuestDetail> {
  const seen = await loadGuestDetail(q, tenantId, guestId);
  // The venue lock first, then the row: the order every guest-list writer takes them in (no deadlock with an import).
  await lockVenue(q, seen.venue_id);
  const current = await loadGuestDetail(q, tenantId, guestId, true);
  if (current.version !== patch.version) throw new ConsoleError('conflict', 'this guest was changed meanwhile; reload to see the change, then edit again');
  const next = await nextGuest(q, tenantId, current, patch);
  const changed = FIELDS.filter((f: Field) => !same(current[f], next[f]));
  if (!changed.length) return current;

  const rows = await q.query<{ id: string }>(
    `UPDATE guestlist.guests SET name = $3, party_size = $4, table_id = $5, status = $6, valid_from = $7, valid_to = $8,
            meal = $9, desk_notes = $10, tags = $11::text[]
      WHERE id = $1 AND tenant_id = $2 AND NOT deleted RETURNING id`,
    [guestId, tenantId, next.name, next.party_size, next.table_id, next.status, next.valid_from, next.valid_to, next.meal, next.desk_notes || null, next.tags],
  );
  if (!rows.length) throw notFound('that guest');
  if (changed.includes('credentials')) {
    await q.query('DELETE FROM guestlist.credentials WHERE venue_id = $1 AND guest_id = $2', [current.venue_id, guestId]);
    if (next.credentials.length) {
      await q.query(
        `INSERT INTO guestlist.credentials (tenant_id, venue_id, kind, value, guest_id)
         SELECT $1, $2, f.kind, f.value, $3 FROM unnest($4::text[], $5::text[]) AS f(kind, value)`,
        [tenantId, current.venue_id, guestId, next.credentials.map((c) => c.kind), next.credentials.map((c) => c.value)],
      );
    }
  }
  if (changed.includes('group') || changed.includes('needs')) {
    await q.query(
      `INSERT INTO guestlist.guest_seating (guest_id, tenant_id, venue_id, grp, needs) VALUES ($1, $2, $3, $4, $5::text[])
       ON CONFLICT (guest_id) DO UPDATE SET grp = EXCLUDED.grp, needs = EXCLUDED.needs`,
      [guestId, tenantId, current.venue_id, next.group, next.needs],
    );
  }
  if (changed.includes('notes')) {
    if (next.notes) {
      await q.query(
        `INSERT INTO guestlist.guest_notes (guest_id, tenant_id, venue_id, notes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (guest_id) DO UPDATE SET notes = EXCLUDED.notes`,
        [guestId, tenantId, current.venue_id, next.notes],
      );
    } else {
      await q.query('DELETE FROM guestlist.guest_notes WHERE guest_id = $1', [guestId]);
    }
  }
  await recordAudit(q, who, {
    tenantId, action: 'guest.update', entity: 'guest', entityId: guestId, venueId: current.venue_id,
    before: Object.fromEntries(changed.map((f) => [f, current[f]])), after: Object.fromEntries(changed.map((f) => [f, next[f]])),
  });
  return loadGuestDetail(q, tenantId, guestId);
}
