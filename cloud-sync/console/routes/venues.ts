// Console API: the tenant's venues (owner writes) and their occasions (planner writes). Occasion fields are checked by
// the CLI's own checkOccasionFields, with the API's field names in its messages; an edit bumps the occasion's sync
// version (trigger), so the venue's hub pulls it.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  OccasionInputSchema, OccasionListSchema, OccasionPatchSchema, OccasionSchema, VenueInputSchema, VenueListSchema, VenueSchema,
  type Occasion, type OccasionInput, type OccasionPatch, type Venue, type VenueInput,
} from '../../../core/console/guests';
import { addVenue } from '../../admin';
import type { Queryable } from '../../db';
import { addOccasion, API_OCCASION_NAMES, updateOccasion, type StoredOccasion } from '../../guestlist/manage';
import { recordAudit } from '../audit';
import { ConsoleError, notFound } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const iso = (d: Date | string) => new Date(d).toISOString();

/** The venue if it is the tenant's, else 404 (another tenant's id reads as unknown). */
export async function tenantVenue(q: Queryable, tenantId: string, venueId: string): Promise<Venue> {
  const [v] = await q.query<{ id: string; name: string; created_at: Date }>('SELECT id, name, created_at FROM seatpilot.venues WHERE id = $1 AND tenant_id = $2', [venueId, tenantId]);
  if (!v) throw notFound('that venue');
  return { id: v.id, name: v.name, created_at: iso(v.created_at) };
}

const OCCASION_SQL = `
  SELECT o.id, o.venue_id, o.name, o.starts_at, o.ends_at, o.timezone, o.reentry_policy,
         (SELECT count(*) FROM guestlist.guests g WHERE g.venue_id = o.venue_id AND g.occasion_id = o.id AND NOT g.deleted)::int AS guests
    FROM guestlist.occasions o
   WHERE o.tenant_id = $1 AND NOT o.deleted`;

type OccasionRow = Omit<Occasion, 'starts_at' | 'ends_at'> & { starts_at: Date; ends_at: Date };
const occasionOf = (r: OccasionRow): Occasion => ({ ...r, starts_at: iso(r.starts_at), ends_at: iso(r.ends_at) });

/** The occasion (with its live guest count) if it is the tenant's, else 404. */
export async function tenantOccasion(q: Queryable, tenantId: string, occasionId: string): Promise<Occasion> {
  const [r] = await q.query<OccasionRow>(`${OCCASION_SQL} AND o.id = $2`, [tenantId, occasionId]);
  if (!r) throw notFound('that occasion');
  return occasionOf(r);
}

/** What an edit changed, field by field (the audit's before/after). */
function changed(before: StoredOccasion, after: StoredOccasion) {
  const keys = (['name', 'starts_at', 'ends_at', 'timezone', 'reentry_policy'] as const).filter((k) => before[k] !== after[k]);
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])), keys };
}

export function registerVenueRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;
  const read = guard(db, 'read', ctx.now);
  const manage = guard(db, 'manage_venue', ctx.now);
  const edit = guard(db, 'edit_guests', ctx.now);

  api.get('/venues', { onRequest: read, schema: { response: { 200: VenueListSchema } } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, async (q) => {
      const rows = await q.query<{ id: string; name: string; created_at: Date }>('SELECT id, name, created_at FROM seatpilot.venues WHERE tenant_id = $1 ORDER BY name, id', [s.tenantId]);
      return { venues: rows.map((v) => ({ id: v.id, name: v.name, created_at: iso(v.created_at) })) };
    });
  });

  api.post<{ Body: VenueInput }>('/venues', { onRequest: manage, schema: { body: VenueInputSchema, response: { 201: VenueSchema } } }, async (request, reply) => {
    const s = sessionOf(request);
    const venue = await scoped(db, s, async (q) => {
      const added = await addVenue(q, s.tenantId, request.body.name);
      await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'venue.add', entity: 'venue', entityId: added.id, venueId: added.id, after: { name: added.name } });
      return tenantVenue(q, s.tenantId, added.id);
    });
    return reply.code(201).send(venue);
  });

  api.patch<{ Params: { id: string }; Body: VenueInput }>(
    '/venues/:id',
    { onRequest: manage, schema: { params: IdParams, body: VenueInputSchema, response: { 200: VenueSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => {
        const before = await tenantVenue(q, s.tenantId, request.params.id);
        const name = request.body.name.trim();
        if (!name) throw new ConsoleError('bad_request', 'name must be 1–200 characters');
        if (name !== before.name) {
          await q.query('UPDATE seatpilot.venues SET name = $3 WHERE id = $1 AND tenant_id = $2', [before.id, s.tenantId, name]);
          await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'venue.update', entity: 'venue', entityId: before.id, venueId: before.id, before: { name: before.name }, after: { name } });
        }
        return { ...before, name };
      });
    },
  );

  api.get<{ Querystring: { venue_id?: string } }>(
    '/occasions',
    { onRequest: read, schema: { querystring: Type.Object({ venue_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, { additionalProperties: false }), response: { 200: OccasionListSchema } } },
    async (request) => {
      const s = sessionOf(request);
      const venueId = request.query.venue_id;
      return scoped(db, s, async (q) => {
        if (venueId) await tenantVenue(q, s.tenantId, venueId);
        const rows = await q.query<OccasionRow>(`${OCCASION_SQL}${venueId ? ' AND o.venue_id = $2' : ''} ORDER BY o.starts_at, o.id`, venueId ? [s.tenantId, venueId] : [s.tenantId]);
        return { occasions: rows.map(occasionOf) };
      });
    },
  );

  api.get<{ Params: { id: string } }>('/occasions/:id', { onRequest: read, schema: { params: IdParams, response: { 200: OccasionSchema } } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, (q) => tenantOccasion(q, s.tenantId, request.params.id));
  });

  api.post<{ Body: OccasionInput }>('/occasions', { onRequest: edit, schema: { body: OccasionInputSchema, response: { 201: OccasionSchema } } }, async (request, reply) => {
    const s = sessionOf(request);
    const b = request.body;
    const occasion = await scoped(db, s, async (q) => {
      await tenantVenue(q, s.tenantId, b.venue_id);
      const added = await addOccasion(q, { venueId: b.venue_id, name: b.name, startsAt: b.starts_at, endsAt: b.ends_at, timezone: b.timezone, reentry: b.reentry_policy }, API_OCCASION_NAMES);
      const { id: _id, venue_id: _venue, ...fields } = added;
      await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'occasion.add', entity: 'occasion', entityId: added.id, venueId: added.venue_id, after: fields });
      return tenantOccasion(q, s.tenantId, added.id);
    });
    return reply.code(201).send(occasion);
  });

  api.patch<{ Params: { id: string }; Body: OccasionPatch }>(
    '/occasions/:id',
    { onRequest: edit, schema: { params: IdParams, body: OccasionPatchSchema, response: { 200: OccasionSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => {
        await tenantOccasion(q, s.tenantId, request.params.id);
        const { before, after } = await updateOccasion(q, request.params.id, request.body, API_OCCASION_NAMES);
        const diff = changed(before, after);
        if (diff.keys.length) {
          await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'occasion.update', entity: 'occasion', entityId: before.id, venueId: before.venue_id, before: diff.before, after: diff.after });
        }
        return tenantOccasion(q, s.tenantId, request.params.id);
      });
    },
  );
}
