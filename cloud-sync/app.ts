// The cloud service as a fastify instance: `buildApp(deps)` for tests (app.inject) and for server.ts, which only listens.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installErrorHandling } from '../protocol/errors';
import { createServerMetrics, registerMetricsRoutes, type ServerMetrics } from '../protocol/metrics';
import { registerProtocolRoutes } from '../protocol/routes';
import type { RateLimitOptions } from '../protocol/rate-limit';
import type { SyncStore } from '../protocol/store';
import type { Db } from './db';
import { PgStore, type BatchHook } from './pg-store';

export interface CloudDeps {
  db: Db;
  metrics?: ServerMetrics;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  rateLimit?: RateLimitOptions;
  sync?: SyncStore;
  afterBatch?: BatchHook;
}

export interface CloudApp {
  app: FastifyInstance;
  store: PgStore;
  metrics: ServerMetrics;
}

export async function buildApp(deps: CloudDeps): Promise<CloudApp> {
  const metrics = deps.metrics ?? createServerMetrics();
  const store = new PgStore(deps.db, deps.afterBatch ? { afterBatch: deps.afterBatch } : {});
  const app = Fastify({
    // Request logs carry method, URL and status only: never headers, so no signature or token reaches a log line.
    logger: deps.logger ?? false,
    bodyLimit: 1024 * 1024,
  });
  installErrorHandling(app);
  registerMetricsRoutes(app, metrics);

  app.get('/health', async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok', database: deps.db.backend };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.backend, error: 'database_unreachable' });
    }
  });

  registerProtocolRoutes(app, { store, metrics, ...(deps.sync ? { sync: deps.sync } : {}), ...(deps.now ? { now: deps.now } : {}), ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}) });
  return { app, store, metrics };
}
