// The seating chart's API: the chart, moves checked against capacity and the hard rules, locks, relations, and
// auto-assign on the server with its progress, then the apply of its plan (seating-data.ts, seating-edit.ts,
// seating-auto.ts). Every write runs in the request's scoped transaction and is audited.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  ApplyRequestSchema, ApplyResultSchema, AutoJobSchema, AutoRequestSchema, ChartRelationSchema, LockRequestSchema, MoveRequestSchema, MoveResultSchema,
  PartyRelationsSchema, SeatingChartSchema, type ApplyRequest, type AutoRequest, type LockRequest, type MoveRequest, type PartyRelations,
} from '../../../core/console/seating';
import { ajv } from '../../../core/contract/validate';
import { may } from '../../../core/console/roles';
import { warmSolveWorker } from '../../seating/solve-thread';
import { notFound } from '../errors';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { actorOf, guard, sessionOf } from '../session';
import { applyPlan, AutoJobs, DEFAULT_AUTO_LIMIT_MS } from './seating-auto';
import { loadChart } from './seating-data';
import { lockParty, moveParty, setPartyRelations } from './seating-edit';
import { tenantOccasion } from './venues';

const Id = Type.String({ minLength: 1, maxLength: 128 });
/**
 * Bodies checked as sent, by the contract's Ajv (no coercion): fastify's default coerces a null `score` of a
 * nullable integer to 0, and "score 0 and rule apart" is then a pair with both.
 */
const asSent = { validatorCompiler: ({ schema }: { schema: object }) => ajv.compile(schema) };
const IdParams = Type.Object({ id: Id });

export function registerSeatingRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;
  const read = guard(db, 'read', ctx.now);
  const edit = guard(db, 'edit_layout', ctx.now);
  const jobs = new AutoJobs(db, api.log);
  api.addHook('onClose', async () => jobs.close());

  api.get<{ Params: { id: string } }>('/occasions/:id/seating', { onRequest: read, schema: { params: IdParams, response: { 200: SeatingChartSchema } } }, async (request) => {
    const s = sessionOf(request);
    const chart = await scoped(db, s, async (q) => loadChart(q, s.tenantId, await tenantOccasion(q, s.tenantId, request.params.id)));
    // Someone who may auto-assign opened the chart: the solve worker loads now, not after the click.
    if (may(s.role, 'edit_layout')) warmSolveWorker();
    return chart;
  });

  api.post<{ Params: { id: string }; Body: MoveRequest }>(
    '/occasions/:id/seating/move',
    { ...asSent, onRequest: edit, schema: { params: IdParams, body: MoveRequestSchema, response: { 200: MoveResultSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => moveParty(q, s.tenantId, await tenantOccasion(q, s.tenantId, request.params.id), request.body, actorOf(s)));
    },
  );

  api.post<{ Params: { id: string }; Body: LockRequest }>(
    '/occasions/:id/seating/lock',
    { ...asSent, onRequest: edit, schema: { params: IdParams, body: LockRequestSchema, response: { 200: MoveResultSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => lockParty(q, s.tenantId, await tenantOccasion(q, s.tenantId, request.params.id), request.body, actorOf(s)));
    },
  );

  api.put<{ Params: { id: string; guestId: string }; Body: PartyRelations }>(
    '/occasions/:id/seating/relations/:guestId',
    { ...asSent, onRequest: edit, schema: { params: Type.Object({ id: Id, guestId: Id }), body: PartyRelationsSchema, response: { 200: Type.Array(ChartRelationSchema) } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => setPartyRelations(q, s.tenantId, await tenantOccasion(q, s.tenantId, request.params.id), request.params.guestId, request.body, actorOf(s)));
    },
  );

  api.post<{ Params: { id: string }; Body: AutoRequest }>(
    '/occasions/:id/seating/auto',
    { ...asSent, onRequest: edit, schema: { params: IdParams, body: AutoRequestSchema, response: { 202: AutoJobSchema } } },
    async (request, reply) => {
      const s = sessionOf(request);
      const occasion = await scoped(db, s, (q) => tenantOccasion(q, s.tenantId, request.params.id));
      return reply.code(202).send(jobs.start(s, occasion, request.body.time_limit_ms ?? DEFAULT_AUTO_LIMIT_MS));
    },
  );

  api.get<{ Params: { id: string; job: string } }>(
    '/occasions/:id/seating/auto/:job',
    { onRequest: read, schema: { params: Type.Object({ id: Id, job: Id }), response: { 200: AutoJobSchema } } },
    async (request) => {
      const s = sessionOf(request);
      const job = jobs.get(s.tenantId, request.params.id, request.params.job);
      if (!job) throw notFound('that auto-assign run');
      return job;
    },
  );

  api.post<{ Params: { id: string }; Body: ApplyRequest }>(
    '/occasions/:id/seating/apply',
    // 20,000 moves of ~90 bytes: above fastify's 1 MiB default.
    { ...asSent, onRequest: edit, bodyLimit: 4 * 1024 * 1024, schema: { params: IdParams, body: ApplyRequestSchema, response: { 200: ApplyResultSchema } } },
    async (request) => {
      const s = sessionOf(request);
      return scoped(db, s, async (q) => applyPlan(q, s.tenantId, await tenantOccasion(q, s.tenantId, request.params.id), request.body, actorOf(s)));
    },
  );
}
