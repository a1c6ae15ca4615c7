// The guest import's second stage: the rows read from the CSV checked against the venue as it is (its tables, the
// guests and credentials the file can touch), deciding for each row which guest it is and whether it changes anything.
// loadVenueGuests reads the venue; checkGuestRows is pure, so its rules are tested without a database.
import { SyncGuestSchema, type SyncCredential, type SyncGuest } from '../../core/contract/contract';
import { ajv, describeErrors } from '../../core/contract/validate';
import { AdminError, newId } from '../admin';
import type { Queryable } from '../db';
import type { ImportProblem } from './common';
import type { GuestCsvRow, GuestDeskFields } from './guest-csv';

/** What of the venue an import is checked against. */
export interface VenueGuests {
  /** Label → id of the venue's live tables. */
  tables: ReadonlyMap<string, string>;
  /** The venue's guests the file can touch (deleted ones too), each with all its credentials. */
  guests: ReadonlyMap<string, ExistingGuest>;
  /** credKey → the guest holding that credential, for every credential of `guests` and of the file. */
  owners: ReadonlyMap<string, string>;
  /** The file's guest_ids that belong to guests of other venues. */
  elsewhere: ReadonlySet<string>;
}

export interface ExistingGuest {
  guest: SyncGuest;
  deleted: boolean;
  /** Its meal, staff notes and tags as stored. */
  desk: GuestDeskFields;
}

export interface PlannedGuest {
  /** The file's line of the row. */
  line: number;
  guest: SyncGuest;
  change: 'created' | 'updated' | 'unchanged';
  /** The guest's meal, staff notes and tags after the import: the row's desk columns over what the guest had. */
  desk: GuestDeskFields;
  /** The guest held credentials before: they are released before the row's are written. */
  hadCredentials: boolean;
}

export const credKey = (c: SyncCredential) => `${c.kind}\u0000${c.value}`;

/** Above this many rows an import reads the whole venue at once: cheaper than looking up each of its guests. */
export const WHOLE_VENUE_ABOVE_ROWS = 2000;

/**
 * The venue as the file's rows can see it. A file of up to `wholeVenueAbove` rows loads only the guests it names by
 * guest_id and those holding one of its credentials, so adding one late guest to a venue of 100,000 takes a few
 * lookups, not a read of the whole venue. AdminError when the occasion is not the venue's.
 */
export async function loadVenueGuests(
  q: Queryable,
  venueId: string,
  occasionId: string,
  rows: readonly GuestCsvRow[],
  wholeVenueAbove = WHOLE_VENUE_ABOVE_ROWS,
): Promise<VenueGuests> {
  const occ = await q.query<{ deleted: boolean }>('SELECT deleted FROM guestlist.occasions WHERE venue_id = $1 AND id = $2', [venueId, occasionId]);
  if (!occ[0] || occ[0].deleted) throw new AdminError(`no occasion "${occasionId}" in venue "${venueId}"`);
  const tables = new Map(
    (await q.query<{ id: string; label: string }>('SELECT id, label FROM guestlist.seating_tables WHERE venue_id = $1 AND NOT deleted', [venueId])).map((r) => [r.label, r.id]),
  );
  const namedIds = [...new Set(rows.map((r) => r.guestId).filter((id): id is string => id !== null))];
  const { guests, owners } =
    rows.length > wholeVenueAbove ? await loadGuests(q, venueId, null) : await loadTouchedGuests(q, venueId, namedIds, rows.flatMap((r) => r.credentials));
  const unknown = namedIds.filter((id) => !guests.has(id));
  const elsewhere = new Set(
    unknown.length ? (await q.query<{ id: string }>('SELECT id FROM guestlist.guests WHERE id = ANY($1::text[])', [unknown])).map((r) => r.id) : [],
  );
  return { tables, guests, owners, elsewhere };
}

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
  const guests = new Map<string, ExistingGuest>();
  const owners = new Map<string, string>();
  if (ids !== null && !ids.length) return { guests, owners };
  const only = ids === null ? '' : ' AND id = ANY($2::text[])';
  const params = ids === null ? [venueId] : [venueId, ids];
  const rows = await q.query<Omit<SyncGuest, 'valid_from' | 'valid_to' | 'credentials' | 'meal' | 'notes' | 'tags'> & { valid_from: Date | null; valid_to: Date | null; deleted: boolean } & GuestDeskFields>(
    `SELECT id, occasion_id, name, party_size, table_id, status, valid_from, valid_to, deleted, meal, desk_notes AS notes, tags
       FROM guestlist.guests WHERE venue_id = $1${only}`,
    params,
  );
  for (const r of rows) {
    guests.set(r.id, {
      deleted: r.deleted,
      desk: { meal: r.meal, notes: r.notes, tags: r.tags ?? [] },
      guest: {
        id: r.id, occasion_id: r.occasion_id, name: r.name, party_size: r.party_size, table_id: r.table_id, status: r.status,
        valid_from: r.valid_from ? r.valid_from.toISOString() : null, valid_to: r.valid_to ? r.valid_to.toISOString() : null, credentials: [],
      },
    });
  }
  const creds = await q.query<SyncCredential & { guest_id: string }>(
    `SELECT kind, value, guest_id FROM guestlist.credentials WHERE venue_id = $1${ids === null ? '' : ' AND guest_id = ANY($2::text[])'}`,
    params,
  );
  for (const c of creds) {
    owners.set(credKey(c), c.guest_id);
    guests.get(c.guest_id)?.guest.credentials.push({ kind: c.kind, value: c.value });
  }
  return { guests, owners };
}

const validateGuest = ajv.compile(SyncGuestSchema);

function sameGuest(a: SyncGuest, b: SyncGuest): boolean {
  const creds = (g: SyncGuest) => g.credentials.map(credKey).sort().join('\u0001');
  return a.occasion_id === b.occasion_id && a.name === b.name && a.party_size === b.party_size && a.table_id === b.table_id &&
    a.status === b.status && a.valid_from === b.valid_from && a.valid_to === b.valid_to && creds(a) === creds(b);
}

function sameDesk(a: GuestDeskFields, b: GuestDeskFields): boolean {
  return a.meal === b.meal && a.notes === b.notes && a.tags.join('|') === b.tags.join('|');
}

/**
 * Each row's guest and change, in file order, or the problems that refuse the file: unknown tables, guest_ids of
 * other venues, a row whose credentials name two guests, the same guest or credential twice in the file, and a
 * credential held by a guest who is not in the file. `badLines` are rows the read already refused: they are checked
 * too (so every problem is reported at once, and a later row repeating one of them is told so) but never planned.
 */
export function checkGuestRows(
  rows: readonly GuestCsvRow[],
  badLines: ReadonlySet<number>,
  venue: VenueGuests,
  occasionId: string,
): { plan: PlannedGuest[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const planned: { line: number; guest: SyncGuest; desk: Partial<GuestDeskFields>; existing: ExistingGuest | undefined }[] = [];
  const lineOfGuest = new Map<string, number>();
  const lineOfCred = new Map<string, number>();
  for (const row of rows) {
    const bad = (reason: string) => problems.push({ line: row.line, reason });
    const before = problems.length;
    let table_id: string | null = null;
    if (row.table) {
      table_id = venue.tables.get(row.table) ?? null;
      if (!table_id) bad(`no table labelled "${row.table}" in this venue (import the tables first)`);
    }

    // Which guest this row is: its guest_id, else the existing guest holding one of its credentials.
    let id: string | null = null;
    if (row.guestId !== null) {
      if (venue.elsewhere.has(row.guestId)) bad(`guest_id "${row.guestId}" belongs to a guest of another venue`);
      else id = row.guestId;
    } else if (row.matchByCredentials) {
      const matched = [...new Set(row.credentials.map((c) => venue.owners.get(credKey(c))).filter((g): g is string => g !== undefined))];
      if (matched.length > 1) bad(`its credentials belong to ${matched.length} different guests (${matched.join(', ')}); give a guest_id`);
      else id = matched[0] ?? null;
    }
    if (id !== null) {
      const first = lineOfGuest.get(id);
      if (first !== undefined) bad(`is the same guest (${id}) as line ${first}`);
      else lineOfGuest.set(id, row.line);
    }
    for (const c of row.credentials) {
      const first = lineOfCred.get(credKey(c));
      if (first !== undefined) bad(`${c.kind} "${c.value}" is also on line ${first}`);
      else lineOfCred.set(credKey(c), row.line);
    }
    if (problems.length > before || badLines.has(row.line)) continue;

    const guest: SyncGuest = {
      id: id ?? newId('gst'), occasion_id: occasionId, name: row.name, party_size: row.party_size, table_id, status: row.status,
      valid_from: row.valid_from, valid_to: row.valid_to, credentials: row.credentials,
    };
    if (!validateGuest(guest)) {
      bad(describeErrors(validateGuest));
      continue;
    }
    planned.push({ line: row.line, guest, desk: row.desk, existing: id ? venue.guests.get(id) : undefined });
  }

  // A credential held by a guest outside this file stays theirs; one held by a guest in the file is released by it.
  const inFile = new Set(planned.map((p) => p.guest.id));
  for (const p of planned) {
    for (const c of p.guest.credentials) {
      const owner = venue.owners.get(credKey(c));
      if (owner !== undefined && owner !== p.guest.id && !inFile.has(owner)) {
        problems.push({ line: p.line, reason: `${c.kind} "${c.value}" already belongs to guest ${owner}, who is not in this file` });
      }
    }
  }
  const plan = planned.map(({ line, guest, desk: given, existing }): PlannedGuest => {
    const before: GuestDeskFields = existing?.desk ?? { meal: null, notes: null, tags: [] };
    const desk: GuestDeskFields = { ...before, ...given };
    return {
      line,
      guest,
      desk,
      change: !existing ? 'created' : existing.deleted || !sameGuest(existing.guest, guest) || !sameDesk(before, desk) ? 'updated' : 'unchanged',
      hadCredentials: (existing?.guest.credentials.length ?? 0) > 0,
    };
  });
  return { plan, problems };
}
