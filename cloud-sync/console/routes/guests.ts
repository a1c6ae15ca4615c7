// Console API: an occasion's guest list (all of it, one answer), one guest's detail and edits, revoking and deleting,
// and the CSV import and export (guest-import.ts, guest-export.ts). Writes go through the CLI's own guest-list code
// where it has one, so a guest changed here syncs to the venue's hub exactly as one changed by the CLI.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { GuestDetailSchema, GuestPatchSchema, type GuestPatch } from '../../../core/console/guests';
import { deleteGuest, revokeGuest } from '../../guestlist/manage';
import { recordAudit } from '../audit';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';
import { guestListJson, loadGuestDetail } from './guest-data';
import { patchGuest } from './guest-edit';
import { registerGuestExportRoute } from './guest-export';
import { registerGuestImportRoute } from './guest-import';
import { tenantOccasion } from './venues';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export function registerGuestRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;
  const read = guard(db, 'read', ctx.now);
  const edit = guard(db, 'edit_guests', ctx.now);

  // GuestListSchema, built as JSON text by the database (guest-data.ts) and sent as it is: no per-row objects at all.
  api.get<{ Params: { id: string } }>('/occasions/:id/guests', { onRequest: read, schema: { params: IdParams } }, async (request, reply) => {
    const s = sessionOf(request);
    const body = await scoped(db, s, async (q) => {
      const occasion = await tenantOccasion(q, s.tenantId, request.params.id);
      return guestListJson(q, s.tenantId, occasion.venue_id, occasion.id);
    });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  api.get<{ Params: { id: string } }>('/guests/:id', { onRequest: read, schema: { params: IdParams, response: { 200: GuestDetailSchema } } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, (q) => loadGuestDetail(q, s.tenantId, request.params.id));
  });

  api.patch<{ Params: { id: string }; Body: GuestPatch }>(
    '/guests/:id',
    { onRequest: edit, schema: { params: IdParams, body: GuestPatchSchema, response: { 200: GuestDetailSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, (q) => patchGuest(q, s.tenantId, request.params.id, request.body, actorOf(s)));
    },
  );

  api.post<{ Params: { id: string } }>('/guests/:id/revoke', { onRequest: edit, schema: { params: IdParams } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, async (q) => {
      const before = await loadGuestDetail(q, s.tenantId, request.params.id);
      const done = await revokeGuest(q, before.id);
      if (before.status !== 'revoked') {
        await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'guest.revoke', entity: 'guest', entityId: before.id, venueId: before.venue_id, before: { status: before.status }, after: { status: 'revoked' } });
      }
      return done;
    });
  });

  api.delete<{ Params: { id: string } }>('/guests/:id', { onRequest: edit, schema: { params: IdParams } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, async (q) => {
      const before = await loadGuestDetail(q, s.tenantId, request.params.id);
      const done = await deleteGuest(q, before.id);
      const { version: _v, checked_in_at: _c, ...kept } = before;
      await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'guest.delete', entity: 'guest', entityId: before.id, venueId: before.venue_id, before: kept });
      return done;
    });
  });

  registerGuestImportRoute(api, ctx);
  registerGuestExportRoute(api, ctx);
}
