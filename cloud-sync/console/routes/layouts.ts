// The Seat Designer's API: a venue's layout draft (autosaved under its revision, not audited), previewing and publishing
// it to the doors (layout-publish.ts), its published versions and restoring one, and the background images. Every
// route runs scoped to the session's tenant; another tenant's venue is a 404.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  IMAGE_MAX_BYTES, LayoutDraftSchema, LayoutImageSchema, LayoutSaveSchema, LayoutVersionListSchema, LayoutVersionSchema,
  PublishPreviewSchema, PublishRequestSchema, PublishResultSchema, RestoreRequestSchema,
  type LayoutSave, type PublishRequest, type RestoreRequest,
} from '../../../core/console/layout';
import { recordAudit } from '../audit';
import { ConsoleError } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';
import { previewPublish, publishLayout } from './layout-publish';
import { draftAnswer, getDraft, getVersion, listVersions, loadImage, restoreVersion, saveDraft, storeImage } from './layout-store';
import { tenantVenue } from './venues';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const VenueParams = Type.Object({ id: Id }, { additionalProperties: false });
const VersionParams = Type.Object({ id: Id, version: Type.String({ pattern: '^(latest|[1-9][0-9]{0,8})$' }) }, { additionalProperties: false });
const ImageParams = Type.Object({ id: Id, imageId: Id }, { additionalProperties: false });
const RevisionBody = Type.Object({ revision: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/** What the upload route takes as its body: the type is decided by the bytes, so any image/* (or none) is read. */
const IMAGE_TYPES = /^(?:image\/|application\/octet-stream)/i;

export function registerLayoutRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;
  const read = guard(db, 'read', ctx.now);
  const edit = guard(db, 'edit_layout', ctx.now);

  api.get<{ Params: { id: string } }>('/venues/:id/layout', { onRequest: read, schema: { params: VenueParams, response: { 200: LayoutDraftSchema } } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, async (q) => {
      const venue = await tenantVenue(q, s.tenantId, request.params.id);
      return getDraft(q, venue.id);
    });
  });

  api.put<{ Params: { id: string }; Body: LayoutSave }>(
    '/venues/:id/layout',
    { onRequest: edit, schema: { params: VenueParams, body: LayoutSaveSchema, response: { 200: LayoutDraftSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => {
        const venue = await tenantVenue(q, s.tenantId, request.params.id);
        const saved = await saveDraft(q, { tenantId: s.tenantId, venueId: venue.id }, request.body.revision, request.body.layout, s.email, ctx.now());
        return draftAnswer(q, venue.id, saved);
      });
    },
  );

  api.post<{ Params: { id: string }; Body: { revision: number } }>(
    '/venues/:id/layout/preview',
    { onRequest: edit, schema: { params: VenueParams, body: RevisionBody, response: { 200: PublishPreviewSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => {
        const venue = await tenantVenue(q, s.tenantId, request.params.id);
        return previewPublish(q, venue.id, request.body.revision, ctx.now());
      });
    },
  );

  api.post<{ Params: { id: string }; Body: PublishRequest }>(
    '/venues/:id/layout/publish',
    { onRequest: edit, schema: { params: VenueParams, body: PublishRequestSchema, response: { 200: PublishResultSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => {
        const venue = await tenantVenue(q, s.tenantId, request.params.id);
        return publishLayout(q, actorOf(s), venue.id, request.body, ctx.now());
      });
    },
  );

  api.get<{ Params: { id: string } }>('/venues/:id/layout/versions', { onRequest: read, schema: { params: VenueParams, response: { 200: LayoutVersionListSchema } } }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, async (q) => listVersions(q, (await tenantVenue(q, s.tenantId, request.params.id)).id));
  });

  api.get<{ Params: { id: string; version: string } }>(
    '/venues/:id/layout/versions/:version',
    { onRequest: read, schema: { params: VersionParams, response: { 200: LayoutVersionSchema } } },
    async (request) => {
      const s = sessionOf(request);
      const { version } = request.params;
      return scoped(db, s, async (q) => getVersion(q, (await tenantVenue(q, s.tenantId, request.params.id)).id, version === 'latest' ? 'latest' : Number(version)));
    },
  );

  api.post<{ Params: { id: string; version: string }; Body: RestoreRequest }>(
    '/venues/:id/layout/versions/:version/restore',
    {
      onRequest: edit,
      schema: { params: Type.Object({ id: Id, version: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }) }, { additionalProperties: false }), body: RestoreRequestSchema, response: { 200: LayoutDraftSchema } },
    },
    async (request) => {
      const s = sessionOf(request);
      const version = Number(request.params.version);
      return scoped(db, s, async (q) => {
        const venue = await tenantVenue(q, s.tenantId, request.params.id);
        const target = { tenantId: s.tenantId, venueId: venue.id };
        const restored = await restoreVersion(q, target, version, request.body.revision, s.email, ctx.now());
        await recordAudit(q, actorOf(s), { tenantId: s.tenantId, action: 'layout.restore', entity: 'layout', entityId: venue.id, venueId: venue.id, before: { revision: request.body.revision }, after: { version, revision: restored.revision } });
        return draftAnswer(q, venue.id, restored);
      });
    },
  );

  api.get<{ Params: { id: string; imageId: string } }>(
    '/venues/:id/layout/images/:imageId',
    { onRequest: read, schema: { params: ImageParams } },
    async (request, reply) => {
      const s = sessionOf(request);
      const image = await scoped(db, s, async (q) => loadImage(q, (await tenantVenue(q, s.tenantId, request.params.id)).id, request.params.imageId));
      // The id is the content's hash: the bytes under a URL never change.
      return reply
        .type(image.mime)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(image.bytes);
    },
  );

  // The upload takes raw bytes, in a scope of its own (no other console route does).
  void api.register(async (scope) => {
    scope.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: IMAGE_MAX_BYTES }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { id: string } }>(
      '/venues/:id/layout/images',
      { onRequest: edit, bodyLimit: IMAGE_MAX_BYTES, schema: { params: VenueParams, response: { 201: LayoutImageSchema } } },
      async (request, reply) => {
        const s = sessionOf(request);
        const body = request.body;
        if (!Buffer.isBuffer(body) || !body.length) throw new ConsoleError('bad_request', 'send the PNG or JPEG image as the body');
        const image = await scoped(db, s, async (q) => {
          const venue = await tenantVenue(q, s.tenantId, request.params.id);
          return storeImage(q, { tenantId: s.tenantId, venueId: venue.id }, body, ctx.now());
        });
        return reply.code(201).send(image);
      },
    );
  });
}
