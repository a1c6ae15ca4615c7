// Cloud ops as one fastify plugin: KPI lag and fleet gauges on the registry, the in-service KPI refresher, and the
// /admin pages (fleet, billing) behind SEATPILOT_ADMIN_TOKEN. Without a token the admin routes are not registered.
import type { FastifyInstance, FastifyPluginAsync, FastifySchemaValidationError } from 'fastify';
import type { Registry } from 'prom-client';
import { ajv } from '../../core/contract/validate';
import type { Queryable } from '../db';
import { billingCsv, billingReport, BillingInputError, parseMonth } from '../billing/billing';
import { fleetStatus } from '../fleet/fleet';
import { KpiRefresher, type OpsLogger } from '../kpi/refresher';
import { BillingPasses } from '../billing/passes';
import { adminAuthHook, MIN_ADMIN_TOKEN_LENGTH } from './admin-auth';
import type { OpsConfig } from './config';
import { billingPage, fleetPage } from './html';
import { registerOpsMetrics } from './metrics';

export type { OpsConfig } from './config';

export interface OpsPluginOptions extends OpsConfig {
  /** The cloud's counted loop-fault sink (protocol/metrics.ts countedFaults): the refresher's and billing's caught errors. */
  fault?: (kind: string, message: string) => void;
  db: Queryable;
  registry: Registry;
}

interface BillingQuery {
  month?: string;
  tenant?: string;
}

// Text that reaches a Postgres text parameter: NUL is the one character it refuses (a 500 once, for `device=%00`).
const NO_NUL = '^[^\\u0000]*$';
const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: NO_NUL }) as const;

const billingQuerySchema = {
  type: 'object',
  properties: { month: { type: 'string', maxLength: 7 }, tenant: text(128, 1) },
  additionalProperties: false,
} as const;

interface EventsQuery {
  type?: string;
  device?: string;
  guest?: string;
  since?: string;
}

const eventsQuerySchema = {
  type: 'object',
  properties: {
    type: text(64),
    device: text(128),
    guest: text(128),
    // The project's date-time (core/contract/validate.ts): only what timestamptz stores (no year 0000, offsets to ±15:59).
    since: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
} as const;

/** One line a person can act on, for the first thing wrong in a query string. */
function describeQueryError(v: FastifySchemaValidationError): string {
  const field = v.instancePath.replace(/^\//, '') || 'the query';
  if (v.keyword === 'pattern' && v.params.pattern === NO_NUL) return `${field} must not contain a NUL character`;
  if (v.keyword === 'format' && v.params.format === 'date-time') {
    return `${field} must be an RFC 3339 date-time from year 0001 with a UTC offset up to ±15:59, e.g. 2026-11-27T20:00:00Z`;
  }
  if (v.keyword === 'additionalProperties') return `unknown query parameter "${String(v.params.additionalProperty)}"`;
  return `${field} ${v.message ?? 'is invalid'}`;
}

async function adminRoutes(app: FastifyInstance, opts: { db: Queryable; token: string }): Promise<void> {
  app.addHook('onRequest', adminAuthHook(opts.token));
  // The project's one Ajv (core/contract/validate.ts), so query strings are checked by the same formats as events.
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  // A bad month or query is the caller's mistake: 400 with the reason, never a 500.
  app.setErrorHandler(async (raw, _request, reply) => {
    const error = raw as Error & { statusCode?: number; validation?: FastifySchemaValidationError[] };
    if (error instanceof BillingInputError) return reply.code(400).send({ error: 'bad_request', message: error.message });
    const first = error.validation?.[0];
    if (first) return reply.code(400).send({ error: 'bad_request', message: describeQueryError(first) });
    const status = error.statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: 'bad_request', message: error.message });
    app.log.error({ err: error }, 'admin route failed');
    return reply.code(500).send({ error: 'internal_error' });
  });

  app.get('/admin/fleet', async (_request, reply) => {
    const now = new Date();
    return reply.type('text/html; charset=utf-8').send(fleetPage(await fleetStatus(opts.db, now), now));
  });

  // Recent events as stored, for the smoke test and for ops looking for one device's or one guest's traffic.
  app.get<{ Querystring: EventsQuery }>('/admin/events', { schema: { querystring: eventsQuerySchema } }, async (request) => {
    const q = request.query;
    const rows = await opts.db.query(
      `SELECT event_id::text, type, tenant_id, venue_id, device_id, via_device_id, occurred_at, received_at, payload
         FROM telemetry.events_raw
        WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR device_id = $2) AND ($3::text IS NULL OR payload->>'guest_id' = $3)
          AND received_at >= coalesce($4::timestamptz, now() - interval '1 day')
        ORDER BY received_at DESC LIMIT 100`,
      [q.type ?? null, q.device ?? null, q.guest ?? null, q.since ?? null],
    );
    return { events: rows };
  });

  const report = (q: BillingQuery) =>
    billingReport(opts.db, { ...(q.month !== undefined ? { month: parseMonth(q.month) } : {}), ...(q.tenant !== undefined ? { tenantId: q.tenant } : {}) });

  app.get<{ Querystring: BillingQuery }>('/admin/billing', { schema: { querystring: billingQuerySchema } }, async (request, reply) => {
    return reply.type('text/html; charset=utf-8').send(billingPage(await report(request.query), request.query.month));
  });

  app.get<{ Querystring: BillingQuery }>('/admin/billing.csv', { schema: { querystring: billingQuerySchema } }, async (request, reply) => {
    const name = `seatpilot-billing${request.query.month ? `-${parseMonth(request.query.month)}` : ''}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(billingCsv(await report(request.query)));
  });
}

export const opsPlugin: FastifyPluginAsync<OpsPluginOptions> = async (app, opts) => {
  const log: OpsLogger = app.log;
  registerOpsMetrics(opts.registry, opts.db, log);

  const token = opts.adminToken ?? '';
  if (!token) {
    app.log.warn('admin routes are off: SEATPILOT_ADMIN_TOKEN is not set');
  } else if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(`SEATPILOT_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  } else {
    await app.register(adminRoutes, { db: opts.db, token });
  }

  if (opts.refreshEverySec !== undefined) {
    const refresher = new KpiRefresher({ db: opts.db, everySec: opts.refreshEverySec, log, ...(opts.fault ? { fault: opts.fault } : {}) });
    app.addHook('onReady', async () => refresher.start());
    app.addHook('onClose', async () => refresher.stop());
  }

  if (opts.billingEverySec !== undefined) {
    const billing = new BillingPasses({ db: opts.db, everyMs: opts.billingEverySec * 1000, log, ...(opts.fault ? { fault: opts.fault } : {}) });
    app.addHook('onReady', async () => billing.start());
    app.addHook('onClose', async () => billing.stop());
  }
};
