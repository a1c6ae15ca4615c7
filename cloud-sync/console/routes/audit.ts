// Console API: the audit, read only. `GET /audit` pages back through the tenant's entries by id, newest first;
// `GET /audit/chain` checks the tenant's hash chain (audit-verify.ts); `GET /audit/venues` checks each venue's hub chain
// as carried up (cloud-sync/desk/venue-audit-verify.ts, telemetry.venue_audit). No route changes or deletes an entry, and the
// database refuses it to everyone (the trigger of sql 0016).
import type { FastifyInstance } from 'fastify';
import { AuditChainStateSchema, AuditPageSchema, AuditQuerySchema, type AuditChainState, type AuditEntry, type AuditPage, type AuditQuery } from '../../../core/console/audit';
import { VenueAuditChainListSchema, type VenueAuditChainList } from '../../../core/console/desk';
import { verifyVenueAudit } from '../../desk/venue-audit-verify';
import { verifyAuditChain } from '../audit-verify';
import type { ConsoleContext } from '../plugin';
import { scoped } from '../scope';
import { guard, sessionOf } from '../session';

const DEFAULT_LIMIT = 100;

interface Row extends Omit<AuditEntry, 'at'> {
  at: Date;
}

export function registerAuditRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  api.get<{ Querystring: AuditQuery }>('/audit', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { querystring: AuditQuerySchema, response: { 200: AuditPageSchema } },
  }, async (request): Promise<AuditPage> => {
    const session = sessionOf(request);
    const query = request.query;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const params: unknown[] = [session.tenantId];
    const where = ['tenant_id = $1'];
    if (query.before !== undefined) where.push(`id < $${params.push(query.before)}`);
    for (const field of ['action', 'entity', 'entity_id', 'actor', 'channel'] as const) {
      const value = query[field];
      if (value === undefined) continue;
      // E-mails are stored lower-cased; a CLI operator keeps the case of their login name.
      where.push(field === 'actor' ? `lower(actor) = lower($${params.push(value.trim())})` : `${field} = $${params.push(value)}`);
    }
    // One row more than the page tells whether there is a next page, without a count over the whole log.
    const rows = await scoped(ctx.db, session, (q) => q.query<Row>(
      `SELECT id, at, channel, actor, action, entity, entity_id, venue_id, before, after FROM console.audit_log
        WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    ));
    const page = rows.slice(0, limit);
    return {
      entries: page.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() })),
      next_before: rows.length > limit ? Number(page[page.length - 1]?.id) : null,
    };
  });

  api.get('/audit/chain', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { response: { 200: AuditChainStateSchema } },
  }, async (request): Promise<AuditChainState> => {
    const session = sessionOf(request);
    return scoped(ctx.db, session, (q) => verifyAuditChain(q, session.tenantId));
  });

  // One line per venue of the tenant, each chain checked in the request's scoped transaction (RLS: the tenant's rows).
  api.get('/audit/venues', {
    onRequest: guard(ctx.db, 'read', ctx.now),
    schema: { response: { 200: VenueAuditChainListSchema } },
  }, async (request): Promise<VenueAuditChainList> => {
    const session = sessionOf(request);
    return scoped(ctx.db, session, async (q) => {
      const venues = await q.query<{ id: string; name: string }>('SELECT id, name FROM seatpilot.venues WHERE tenant_id = $1 ORDER BY name, id', [session.tenantId]);
      const out: VenueAuditChainList['venues'] = [];
      for (const v of venues) out.push({ venue_id: v.id, venue_name: v.name, ...(await verifyVenueAudit(q, session.tenantId, v.id)) });
      return { venues: out };
    });
  });
}
