// The cloud service as a fastify instance: `buildApp(deps)` for tests (app.inject) and for server.ts, which only listens.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installErrorHandling } from '../protocol/errors';
import { withSafeRequestLogs } from '../protocol/log-redact';
import { countedFaults, createServerMetrics, registerMetricsRoutes, type ServerMetrics } from '../protocol/metrics';
import { registerProtocolRoutes } from '../protocol/routes';
import { installServerTime } from '../protocol/server-time';
import type { RateLimitOptions } from '../protocol/rate-limit';
import type { SyncStore } from '../protocol/store';
import { fastifyTrustProxy, type TrustProxy } from '../protocol/trust-proxy';
import type { MetricsAccess } from '../protocol/metrics-access';
import { syncScopeOf } from '../protocol/sync-scope';
import type { Db } from './db';
import { PgStore, chainBatchHooks, type BatchHook } from './pg-store';
import { venueDecisionsHook } from './desk/venue-decisions';
import { FaultLog } from '../node-kit/fault-log';
import { DoubleAdmissionDetector } from './double-admission-detector';
import { meterBatch } from './billing/billing';
import { opsPlugin, type OpsConfig } from './ops/plugin';
import { registerPairRoute } from '../protocol/pairing';
import { CloudPairing } from './pairing';
import { PgSyncStore } from './guestlist/sync-store';
import { AssignMetrics } from './seating/assign-metrics';
import { consolePlugin, type ConsoleOptions } from './console/plugin';

export interface CloudDeps {
  db: Db;
  metrics?: ServerMetrics;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  rateLimit?: RateLimitOptions;
  /** Serves GET /v1/sync; the venue guest lists in this database (PgSyncStore) unless another is given. */
  sync?: SyncStore;
  /**
   * Default: metering (billing usage counters, in the batch's transaction). The venue's decisions (cloud-sync/desk:
   * walk-ins, moves, audit entries) are applied before it in the same transaction either way (lock order: event ids,
   * venue lock, usage).
   */
  afterBatch?: BatchHook;
  /** Admin token and in-service KPI refresher (cloud-sync/ops); absent: admin routes off, no refresher. */
  ops?: OpsConfig;
  /** `POST /pair` attempts per client address (default protocol/pairing.ts). */
  pairRateLimit?: RateLimitOptions;
  /** Seconds between double-admission passes (default 5; 0: none in this process, e.g. on all replicas but one). */
  doubleAdmissionEverySec?: number;
  /** Seconds between passes feeding the assign metrics from stored assign.completed events (default 5; 0: none). */
  assignMetricsEverySec?: number;
  /** SEATPILOT_TRUST_PROXY: the load balancer hops whose X-Forwarded-For is believed; absent, the header is ignored. */
  trustProxy?: TrustProxy | undefined;
  /** Who may read /metrics here; default open, for tests. startCloudServer sets it from the environment (protocol/metrics-access.ts). */
  metricsAccess?: MetricsAccess;
  /** The organiser's console at /console (cloud-sync/console): its public address for links, the live view's pace. */
  console?: Omit<ConsoleOptions, 'db' | 'now'>;
}

export interface CloudApp {
  app: FastifyInstance;
  store: PgStore;
  metrics: ServerMetrics;
  doubleAdmissions: DoubleAdmissionDetector;
  assignMetrics: AssignMetrics;
}

export async function buildApp(deps: CloudDeps): Promise<CloudApp> {
  const metrics = deps.metrics ?? createServerMetrics({ perTenant: true });
  // A venue decision that changed nothing (a move of a guest the cloud does not have, say) is told in the log only:
  // the event is stored all the same and the batch is not refused for it. `app` exists by the time a batch comes.
  const decisions = venueDecisionsHook((caller, r) => {
    if (r.skipped.length || r.conflicts) app.log.info({ venue: caller.venueId, conflicts: r.conflicts, skipped: r.skipped }, 'venue decisions');
    // Another chain at seqs already held (a restored or replaced hub): its entries are not kept, the chain shows it.
    if (r.audit_forked) app.log.warn({ venue: caller.venueId, audit_forked: r.audit_forked }, 'venue audit entries at seqs already held with another hash');
  });
  // The decisions first: they wait for the venue's guest-list lock (a console import holds it for minutes), and a batch
  // waiting there must not hold the tenant's usage row, which every other venue of the tenant meters into.
  const store = new PgStore(deps.db, { afterBatch: chainBatchHooks(decisions, deps.afterBatch ?? meterBatch) });
  const app = Fastify({
    // Request logs carry method, URL and status only: never headers, and the URL without token-like query values
    // (protocol/log-redact.ts), so no signature or token reaches a log line.
    logger: withSafeRequestLogs(deps.logger),
    bodyLimit: 1024 * 1024,
    ...fastifyTrustProxy(deps.trustProxy),
  });
  installServerTime(app, deps.now);
  installErrorHandling(app);
  registerMetricsRoutes(app, metrics, deps.metricsAccess);

  app.get('/health', async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok', database: deps.db.backend };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.backend, error: 'database_unreachable' });
    }
  });

  registerProtocolRoutes(app, { store, metrics, unknownTypes: 'reject', sync: deps.sync ?? new PgSyncStore(deps.db), syncScope: (kind) => syncScopeOf('cloud', kind), ...(deps.now ? { now: deps.now } : {}), ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}) });
  registerPairRoute(app, { pairing: new CloudPairing(deps.db), ...(deps.now ? { now: deps.now } : {}), ...(deps.pairRateLimit ? { rateLimit: deps.pairRateLimit } : {}) });
  // Logged at most once a minute: with the database down a pass fails every few seconds. Each one is counted on
  // /metrics (seatpilot_loop_faults_total).
  const faultLog = new FaultLog({ write: (line) => app.log.error(line) });
  const fault = countedFaults(metrics, (kind, message) => faultLog.report(kind, message));
  // The KPI refresher (with its partition maker) and the billing passes, in the ops plugin, report to the same sink.
  await app.register(opsPlugin, { db: deps.db, registry: metrics.registry, ...deps.ops, fault });
  await app.register(consolePlugin, { db: deps.db, ...(deps.now ? { now: deps.now } : {}), ...deps.console });
  const doubleAdmissions = new DoubleAdmissionDetector(deps.db, metrics.registry);
  doubleAdmissions.start(deps.doubleAdmissionEverySec ?? 5, (e) => fault('double-admission pass failed', e.message));
  const assignMetrics = new AssignMetrics(deps.db, metrics.registry);
  assignMetrics.start(deps.assignMetricsEverySec ?? 5, (e) => fault('assign metrics pass failed', e.message));
  app.addHook('onClose', async () => {
    await doubleAdmissions.stop();
    await assignMetrics.stop();
  });
  return { app, store, metrics, doubleAdmissions, assignMetrics };
}
