// The protocol server's Prometheus metrics (names are part of the contract: SYSTEM.md "Metrics").
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkBearer, type MetricsAccess, type MetricsSettings } from './metrics-access';

export interface ServerMetrics {
  registry: Registry;
  /**
   * Whether the ingest counters carry the caller's `tenant` (the cloud, which serves many: the per-tenant reject SLO
   * is measured from them). One series per tenant (and reason), so the count stays bounded by the tenants. An agent
   * serves one venue and its scrape target carries tenant and venue, so its counters carry none.
   */
  perTenant: boolean;
  ingestAccepted: Counter<'tenant'>;
  ingestRejected: Counter<'tenant' | 'reason'>;
  ingestDuplicates: Counter<'tenant'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Errors the background loops caught and will retry, by the kind they report them under (countedFaults). */
  loopFaults: Counter<'kind'>;
}

export function createServerMetrics(opts: { defaults?: boolean; perTenant?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  const perTenant = opts.perTenant ?? false;
  const tenant = perTenant ? (['tenant'] as const) : ([] as const);
  return {
    registry,
    perTenant,
    ingestAccepted: new Counter({ name: 'seatpilot_ingest_accepted_total', help: 'Events accepted and stored (first time seen).', labelNames: [...tenant], registers: [registry] }),
    ingestRejected: new Counter({ name: 'seatpilot_ingest_rejected_total', help: 'Events rejected to the dead-letter table, by reason.', labelNames: [...tenant, 'reason'], registers: [registry] }),
    ingestDuplicates: new Counter({ name: 'seatpilot_ingest_duplicate_total', help: 'Events received again (same event_id) and not stored twice.', labelNames: [...tenant], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    loopFaults: new Counter({
      name: 'seatpilot_loop_faults_total',
      help: 'Errors caught in a background loop (push, pull, heartbeat, checkpoint, tablet pulse, cloud passes) and retried, by fault kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}

/**
 * The sink of a process's loop faults, counted into seatpilot_loop_faults_total first: the log shows a kind at most
 * once a minute, the counter every fault. `kind` is the loop's fixed kind string (a bounded set), never the message.
 * It never throws, so a loop reporting a caught error from its catch cannot fail there (its round stays caught).
 */
export function countedFaults(metrics: ServerMetrics, sink: (kind: string, message: string) => void): (kind: string, message: string) => void {
  return (kind, message) => {
    metrics.loopFaults.inc({ kind });
    try {
      sink(kind, message);
    } catch {
      // The fault is counted; a sink that cannot write its line is no reason to end the loop.
    }
  };
}

/** Times every request into http_request_duration_seconds and serves GET /metrics as `access` says. */
export function registerMetricsRoutes(app: FastifyInstance, metrics: ServerMetrics, access: MetricsAccess = { kind: 'open' }): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  serveMetrics(app, metrics.registry, access);
}

/** GET /metrics alone: for the main listener, or for a listener of its own (SEATPILOT_METRICS_LISTEN). */
export function serveMetrics(app: FastifyInstance, registry: Registry, access: MetricsAccess): void {
  app.get('/metrics', async (request, reply) => {
    switch (access.kind) {
      case 'open':
        break;
      case 'token': {
        const error = checkBearer(request.headers.authorization, access.token);
        if (error) {
          const message = error === 'missing_auth' ? 'send Authorization: Bearer <SEATPILOT_METRICS_TOKEN>' : 'the metrics token is wrong';
          return reply.code(401).header('www-authenticate', 'Bearer realm="seatpilot-metrics"').send({ error, message });
        }
        break;
      }
      case 'off':
        return reply.code(404).send({ error: 'not_found', message: `metrics are not served here: ${access.reason}` });
      default: {
        const never: never = access;
        return never;
      }
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}

/** A listener of its own for /metrics (SEATPILOT_METRICS_LISTEN): nothing else is served there. */
export async function startMetricsListener(registry: Registry, listen: NonNullable<MetricsSettings['listen']>): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  serveMetrics(app, registry, listen.access);
  await app.listen({ host: listen.host, port: listen.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  return { url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}/metrics`, close: () => app.close() };
}
