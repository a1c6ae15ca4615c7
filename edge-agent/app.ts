// The edge agent as a fastify instance: the same `/v1/*` routes as the cloud over the agent's SQLite store.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installErrorHandling } from '../protocol/errors';
import { withSafeRequestLogs } from '../protocol/log-redact';
import { createServerMetrics, registerMetricsRoutes, type ServerMetrics } from '../protocol/metrics';
import { registerProtocolRoutes } from '../protocol/routes';
import { installServerTime } from '../protocol/server-time';
import { registerPairRoute, type PairExchange } from '../protocol/pairing';
import type { Outbox } from '../core/contract/outbox';
import type { AgentStore } from './store';
import { createAgentMetrics, type AgentMetrics } from './metrics';
import { registerTabletRoutes, type TabletOptions, type TabletRoutes } from './tablet/plugin';
import type { TabletStore } from './tablet/store';
import { fastifyTrustProxy, type TrustProxy } from '../protocol/trust-proxy';
import type { MetricsAccess } from '../protocol/metrics-access';
import { syncScopeOf } from '../protocol/sync-scope';
import { registerDeskRoutes } from './desk/desk-routes';
import type { VenueDesk } from './desk/venue-desk';

export interface AgentHealth {
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; detail: string }>;
}

export interface AgentAppDeps {
  store: AgentStore;
  /** The hub's own device id (agent.json device_id): the label of its outbox gauges. */
  deviceId?: string;
  /** What the push to the cloud drains (edge-agent/hub-outbox.ts, audit entries included), for the gauges; default the store's outbox. */
  outbox?: Outbox;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** Time of the last successful exchange with the cloud (ms), for the metric and health. */
  lastCloudSync?: () => number | null;
  /** Extra health checks from the runtime (cloud reachability, push backlog). */
  health?: () => AgentHealth['checks'];
  /** After a batch from a door is stored: the runtime pushes right away. */
  onStored?: () => void;
  /** Serves `POST /pair` for the doors' kiosks (edge-agent/pairing.ts). */
  pairing?: PairExchange;
  /** Table tablets and beacon gateways (edge-agent/tablet): served when given. */
  tablet?: TabletOptions;
  /** A request failed on the hub's own disk (full, failing): answered 503, and the store's health hears it. */
  onStorageFault?: (err: Error) => void;
  /** SEATPILOT_TRUST_PROXY: the reverse-proxy hops whose X-Forwarded-For is believed; absent, the header is ignored. */
  trustProxy?: TrustProxy | undefined;
  /** Who may read /metrics (default open: one venue's figures, on the venue LAN); startAgent sets it from the environment. */
  metricsAccess?: MetricsAccess;
  /** The venue desk (walk-ins, moves, reverts): its signed `/v1/desk/*` routes for kiosks, and the tablets' desk. */
  desk?: VenueDesk;
  /** Faults of the app's background loops (the tablets' pulse), counted by kind: startAgent passes its own sink. */
  faults?: (kind: string, message: string) => void;
  /** The registry /metrics serves; startAgent makes it first, so the loop faults it counts start with the store. */
  metrics?: ServerMetrics;
}

export interface AgentApp {
  app: FastifyInstance;
  metrics: ServerMetrics;
  agentMetrics: AgentMetrics;
  tablets: TabletStore | null;
}

export async function buildAgentApp(deps: AgentAppDeps): Promise<AgentApp> {
  const metrics = deps.metrics ?? createServerMetrics();
  const agentMetrics = createAgentMetrics(metrics, deps.outbox ?? deps.store.outbox, deps.lastCloudSync ?? (() => null), deps.deviceId);
  deps.store.onNewEvent = (e) => agentMetrics.observeEvent(e);
  // Query strings are logged without token-like values (a tablet link, a pairing code).
  const app = Fastify({ logger: withSafeRequestLogs(deps.logger), bodyLimit: 1024 * 1024, ...fastifyTrustProxy(deps.trustProxy) });
  installServerTime(app, deps.now);
  installErrorHandling(app, deps.onStorageFault ? { onStorageFault: deps.onStorageFault } : {});
  registerMetricsRoutes(app, metrics, deps.metricsAccess);
  let tabletRoutes: TabletRoutes | null = null;
  registerProtocolRoutes(app, {
    store: deps.store,
    sync: deps.store,
    syncScope: (kind) => syncScopeOf('agent', kind),
    metrics,
    // A relay: events of types added to the contract after this build are kept and forwarded; the cloud checks them.
    unknownTypes: 'relay',
    ...(deps.now ? { now: deps.now } : {}),
    onStored: () => {
      deps.onStored?.();
      tabletRoutes?.wake();
    },
  });
  if (deps.pairing) registerPairRoute(app, { pairing: deps.pairing, ...(deps.now ? { now: deps.now } : {}) });

  tabletRoutes = deps.tablet
    ? await registerTabletRoutes(app, {
        store: deps.store,
        metrics,
        options: deps.tablet,
        now: deps.now ?? Date.now,
        ...(deps.onStored ? { onCommitted: deps.onStored } : {}),
        ...(deps.desk ? { desk: deps.desk } : {}),
        ...(deps.faults ? { faults: deps.faults } : {}),
        ...(deps.onStorageFault ? { onStorageFault: deps.onStorageFault } : {}),
      })
    : null;
  if (deps.desk) {
    registerDeskRoutes(app, {
      agentStore: deps.store,
      desk: deps.desk,
      now: deps.now ?? Date.now,
      onCommitted: () => {
        deps.onStored?.();
        tabletRoutes?.wake();
      },
    });
  }
  const tablets = tabletRoutes?.store ?? null;

  app.get('/health', async (_request, reply) => {
    const checks: AgentHealth['checks'] = {};
    try {
      await deps.store.ping();
      checks.database = { ok: true, detail: 'SQLite answers' };
    } catch (e) {
      checks.database = { ok: false, detail: `SQLite does not answer: ${(e as Error).message}` };
    }
    Object.assign(checks, deps.health?.() ?? {});
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.code(checks.database.ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks } satisfies AgentHealth);
  });
  return { app, metrics, agentMetrics, tablets };
}
