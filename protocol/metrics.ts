// The protocol server's Prometheus metrics (names are part of the contract: SYSTEM.md "Metrics").
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

export interface ServerMetrics {
  registry: Registry;
  ingestAccepted: Counter;
  ingestRejected: Counter<'reason'>;
  ingestDuplicates: Counter;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createServerMetrics(opts: { defaults?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    ingestAccepted: new Counter({ name: 'seatpilot_ingest_accepted_total', help: 'Events accepted and stored (first time seen).', registers: [registry] }),
    ingestRejected: new Counter({ name: 'seatpilot_ingest_rejected_total', help: 'Events rejected to the dead-letter table, by reason.', labelNames: ['reason'], registers: [registry] }),
    ingestDuplicates: new Counter({ name: 'seatpilot_ingest_duplicate_total', help: 'Events received again (same event_id) and not stored twice.', registers: [registry] }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** Times every request into http_request_duration_seconds and serves GET /metrics. */
export function registerMetricsRoutes(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
