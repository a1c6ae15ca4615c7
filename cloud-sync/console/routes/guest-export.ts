// `GET /console/api/occasions/:id/guests.csv?…`: the guests the page's current filter shows (the same filterGuests),
// as a CSV in the import's own columns, so the file can be edited in a spreadsheet and imported back. A cell that a
// spreadsheet would run as a formula (= + - @ first) gets a leading ' (the import takes it off again).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { filterGuests, type GuestFilter } from '../../../core/console/guest-filter';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { guard, sessionOf } from '../session';
import { loadExportRows, type ExportGuestRow } from './guest-data';
import { tenantOccasion } from './venues';

const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
export const GuestFilterQuerySchema = Type.Object(
  {
    q: Text(200),
    table: Text(128),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked')])),
    checked_in: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no')])),
    group: Text(128),
    need: Text(64),
  },
  { additionalProperties: false },
);
type GuestFilterQuery = Static<typeof GuestFilterQuerySchema>;

export const EXPORT_COLUMNS = ['guest_id', 'name', 'party_size', 'table', 'barcode', 'nfc', 'valid_from', 'valid_to', 'status', 'group', 'together_with', 'apart_from', 'needs', 'seat_locked', 'meal', 'notes', 'tags'] as const;

/** Against formula injection (CSV injection): = + - @ and the tab/CR some spreadsheets also start formulas with. */
export function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(text: string): string {
  const safe = neutralised(text);
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function exportLine(g: ExportGuestRow): string {
  const values = (kind: 'barcode' | 'nfc') => g.credentials.filter((c) => c.kind === kind).map((c) => c.value).join('|');
  const cells: Record<(typeof EXPORT_COLUMNS)[number], string> = {
    guest_id: g.id, name: g.name, party_size: String(g.party_size), table: g.table_label ?? '', barcode: values('barcode'), nfc: values('nfc'),
    valid_from: g.valid_from ?? '', valid_to: g.valid_to ?? '', status: g.status, group: g.group ?? '',
    together_with: g.together_with.join('|'), apart_from: g.apart_from.join('|'), needs: g.needs.join('|'), seat_locked: g.seat_locked ? 'true' : 'false',
    // `notes` is the staff's (desk_notes, synced to the venue); the planner's own notes stay out of the file.
    meal: g.meal ?? '', notes: g.desk_notes ?? '', tags: g.tags.join('|'),
  };
  return EXPORT_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

export function guestsCsv(rows: readonly ExportGuestRow[]): string {
  return `\uFEFF${[EXPORT_COLUMNS.join(','), ...rows.map(exportLine)].join('\r\n')}\r\n`;
}

export function registerGuestExportRoute(api: FastifyInstance, ctx: ConsoleContext): void {
  api.get<{ Params: { id: string }; Querystring: GuestFilterQuery }>(
    '/occasions/:id/guests.csv',
    { onRequest: guard(ctx.db, 'read', ctx.now), schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }), querystring: GuestFilterQuerySchema } },
    async (request, reply) => {
      const s = sessionOf(request);
      const { occasion, rows } = await scoped(ctx.db, s, async (q) => {
        const occasion = await tenantOccasion(q, s.tenantId, request.params.id);
        return { occasion, rows: await loadExportRows(q, s.tenantId, occasion.venue_id, occasion.id) };
      });
      const filter: GuestFilter = Object.fromEntries(Object.entries(request.query).filter(([, v]) => v !== undefined && v !== ''));
      const name = `guests-${occasion.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || occasion.id}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(guestsCsv(filterGuests(rows, filter)));
    },
  );
}
