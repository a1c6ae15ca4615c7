// Runs the edge agent: its SQLite store, the LAN server for kiosks, the push to and pull from the cloud, heartbeats.
import { buildHeartbeat } from '../node-kit/heartbeat';
import type { FastifyInstance } from 'fastify';
import { openRuntimeStore, type RuntimeStore } from '../venue-store/runtime-store';
import { dirname, resolve } from 'node:path';
import { processFaults } from '../node-kit/fault-log';
import { SecretBox, secretKeyFileBeside } from '../node-kit/secret-box';
import { SignedHttp } from '../protocol/http-client';
import { PullClient } from '../protocol/pull-client';
import { PushClient } from '../protocol/push-client';
import { trustProxyFromEnv, type TrustProxy } from '../protocol/trust-proxy';
import { metricsSettingsFromEnv, type MetricsSettings } from '../protocol/metrics-access';
import { countedFaults, createServerMetrics, startMetricsListener } from '../protocol/metrics';
import { buildAgentApp } from './app';
import type { AgentConfig } from './config';
import { AgentPairing } from './pairing';
import { AgentStore } from './store';
import { HubOutbox } from './hub-outbox';
import type { Outbox } from '../core/contract/outbox';
import { VenueDesk } from './desk/venue-desk';


export interface RunningAgent {
  app: FastifyInstance;
  store: AgentStore;
  /** The SQLite file as opened: its health (a full disk), checkpointer and start-up integrity check. */
  runtimeStore: RuntimeStore;
  /** Where this box reaches the agent: the bound address, or 127.0.0.1 (::1) when it listens on every interface. */
  url: string;
  /** The address and port really bound, as the OS reports it (`0.0.0.0:8600` on every IPv4 interface). */
  listenAddress: string;
  /** /metrics on a listener of its own (SEATPILOT_METRICS_LISTEN), else null. */
  metricsUrl: string | null;
  push: PushClient | null;
  /** What the push drains: with a cloud the HubOutbox (the store's outbox and the audit entries not yet carried). */
  outbox: Outbox;
  pull: PullClient | null;
  /** The venue desk the kiosks' `/v1/desk/*` routes and the tablets' desk routes share. */
  desk: VenueDesk;
  /** Appends the agent's own device.heartbeat to its outbox now. */
  heartbeat(): void;
  close(): Promise<void>;
}

export interface AgentRunOptions {
  config: AgentConfig;
  databaseFile: string;
  logger?: boolean;
  now?: () => number;
  /** Loop faults, counted and logged at most once a minute per kind (default: the process's, on stderr). */
  faults?: (kind: string, message: string) => void;
  /**
   * Seals the doors' secrets in the database: `secret_key_file` of agent.json as loadAgentConfig resolves it; default
   * `seatpilot-secrets.key` beside the database's folder (a temporary key for `:memory:`).
   */
  secretKeyFile?: string;
  /** Default: SEATPILOT_TRUST_PROXY from the environment (a bad value stops the start, naming the variable). */
  trustProxy?: TrustProxy;
  /** Default: SEATPILOT_METRICS_TOKEN and SEATPILOT_METRICS_LISTEN from the environment (protocol/metrics-access.ts). */
  metrics?: MetricsSettings;
}

export async function startAgent(opts: AgentRunOptions): Promise<RunningAgent> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
  // Every loop fault, into the injected sink or the process's, is counted on /metrics as seatpilot_loop_faults_total.
  const serverMetrics = createServerMetrics();
  const fault = countedFaults(serverMetrics, opts.faults ?? ((kind: string, message: string) => processFaults.report(kind, message)));
  const trustProxy = opts.trustProxy ?? trustProxyFromEnv(); // before the store opens: a bad setting stops the start
  const metricsSettings = opts.metrics ?? metricsSettingsFromEnv('agent'); // likewise
  const secrets = opts.databaseFile === ':memory:' && !opts.secretKeyFile ? SecretBox.ephemeral() : SecretBox.load(opts.secretKeyFile ?? secretKeyFileBeside(dirname(resolve(opts.databaseFile))));
  // The hub holds the venue's truth: a damaged file is reported (health, doctor), never set aside by itself.
  const runtimeStore = await openRuntimeStore(opts.databaseFile, { now, onFault: fault });
  const { db } = runtimeStore;
  const store = new AgentStore(db, config.venue_id, now, secrets);
  // With a cloud, the push drains the outbox and the audit chain, whose entries go up as audit.entry from audit_log
  // itself; the backlog the hub reports (health, heartbeat, gauges) is that push's. Without one, nothing goes up.
  const outbox: Outbox = config.cloud ? new HubOutbox(db, store.outbox, { venueId: config.venue_id, deviceId: config.device_id, clock: now }) : store.outbox;
  try {
    store.sealStoredSecrets();
  } catch (e) {
    await runtimeStore.close();
    throw e;
  }
  const desk = new VenueDesk(store, {
    deviceId: config.device_id,
    venueId: config.venue_id,
    clock: now,
    ...(config.desk?.steward_walk_in_max !== undefined ? { stewardWalkInMax: config.desk.steward_walk_in_max } : {}),
  });
  let push: PushClient | null = null;
  let pull: PullClient | null = null;
  let http: SignedHttp | null = null;
  const lastCloudSync = () => {
    const t = Math.max(push?.status.lastSuccessAt ?? 0, pull?.status.lastSuccessAt ?? 0);
    return t || null;
  };
  const { app, agentMetrics, metrics } = await buildAgentApp({
    store,
    deviceId: config.device_id,
    outbox,
    now,
    logger: opts.logger ? { level: process.env.LOG_LEVEL ?? 'info' } : false,
    lastCloudSync,
    onStored: () => push?.kick(),
    pairing: new AgentPairing(store, config.venue_id),
    trustProxy,
    metricsAccess: metricsSettings.main,
    desk,
    tablet: {
      venueId: config.venue_id,
      deviceId: config.device_id,
      ...(config.tablet?.undo_seconds !== undefined ? { undoSeconds: config.tablet.undo_seconds } : {}),
      ...(config.tablet?.pairing_ttl_minutes !== undefined ? { pairingTtlMinutes: config.tablet.pairing_ttl_minutes } : {}),
      ...(config.tablet?.dwell ? { dwell: config.tablet.dwell } : {}),
    },
    health: (): Record<string, { ok: boolean; detail: string }> => {
      const f = runtimeStore.health.current();
      const storage = f ? { ok: false, detail: `${f.detail} (${f.error})` } : { ok: true, detail: 'the database takes writes' };
      if (!config.cloud) return { storage, cloud: { ok: true, detail: 'no cloud configured: running the venue alone' } };
      const err = push?.status.lastError ?? pull?.status.lastError;
      let depth = 0;
      let oldest = 0;
      try {
        depth = outbox.depth();
        oldest = outbox.oldestUnsentSeconds();
      } catch (e) {
        runtimeStore.health.report(e);
      }
      return {
        storage,
        cloud: err ? { ok: false, detail: `cloud unreachable or refusing: ${err}` } : { ok: true, detail: 'cloud reachable' },
        backlog: { ok: oldest < 300, detail: `${depth} events waiting, oldest ${Math.round(oldest)} s` },
      };
    },
    onStorageFault: (e) => runtimeStore.health.report(e),
    faults: fault,
    metrics: serverMetrics,
  });

  if (config.cloud) {
    http = new SignedHttp({ baseUrl: config.cloud.url, keyId: config.cloud.key_id, secret: config.cloud.secret }, { now });
    push = new PushClient(outbox, http, {
      intervalMs: config.push_interval_ms ?? 2_000,
      // A venue's backlog should move within seconds of the internet coming back.
      backoffMaxMs: 10_000,
      now,
      onError: (message, kind) => {
        agentMetrics.pushErrors.inc({ kind });
        if (kind === 'local_store') runtimeStore.health.report(new Error(message));
        fault(`push ${kind}`, message);
      },
      onBatch: (r) => r.dead.length && agentMetrics.pushDead.inc(r.dead.length),
    });
    pull = new PullClient(http, { cursor: () => store.cloudCursor(), apply: (page) => store.applyCloudPage(page) }, {
      intervalMs: config.pull_interval_ms ?? 2_000,
      backoffMaxMs: 10_000,
      now,
      // Reverts made elsewhere, and the desk's fields (HLCs, tags, meal, notes; table tags) for the merge and the
      // proposal: the hub keeps them and never passes them on to its doors.
      features: ['checkin_reverts', 'guest_desk'],
      onError: (message, kind, error) => {
        agentMetrics.pullErrors.inc({ kind });
        if (kind === 'local_store') runtimeStore.health.report(error ?? new Error(message));
        fault(`pull ${kind}`, message);
      },
    });
  }

  const heartbeat = () => {
    const event = buildHeartbeat({
      venueId: config.venue_id,
      deviceId: config.device_id,
      nowMs: now(),
      outbox,
      guestListVersion: store.guestListVersion(),
      // The hub has no scanner of its own.
      scannerOk: null,
      // Measured against the cloud; null before its first answer (or with no cloud at all).
      clockSkewMs: http?.skewMs ?? null,
      upstreamError: push?.status.lastError ?? pull?.status.lastError ?? null,
    });
    store.outbox.append(event, now());
    push?.kick();
  };

  const host = config.listen?.host ?? '0.0.0.0';
  await app.listen({ host, port: config.listen?.port ?? 8600 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen?.port ?? 8600;
  const bound = typeof addr === 'object' && addr ? addr.address : host;
  const hostPart = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const local = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
  const metricsListener = metricsSettings.listen
    ? await startMetricsListener(metrics.registry, metricsSettings.listen).catch(async (e: unknown) => {
        await app.close();
        await runtimeStore.close();
        throw e;
      })
    : null;
  // Timer rounds never throw out of their callback: a full disk is reported and the next round tries again.
  const safely = (kind: string, round: () => void) => () => {
    try {
      round();
    } catch (e) {
      runtimeStore.health.report(e);
      fault(kind, (e as Error).message);
    }
  };
  // With a cloud, the first heartbeat waits for its first answer, so it carries a measured skew.
  let closed = false;
  if (http) void http.skewMeasured().then(() => closed || safely('heartbeat', heartbeat)());
  else safely('heartbeat', heartbeat)();
  const beat = setInterval(safely('heartbeat', heartbeat), (config.heartbeat_interval_s ?? 60) * 1000);
  beat.unref();
  const sweep = setInterval(safely('nonce sweep', () => store.sweepNonces(now())), 60_000);
  sweep.unref();
  push?.start();
  pull?.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    runtimeStore,
    url: `http://${hostPart(local)}:${port}`,
    listenAddress: `${hostPart(bound)}:${port}`,
    metricsUrl: metricsListener?.url ?? null,
    push,
    outbox,
    pull,
    desk,
    heartbeat,
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(beat);
        clearInterval(sweep);
        await push?.stop();
        await pull?.stop();
        await metricsListener?.close();
        await app.close();
        await runtimeStore.close();
      })();
      return closing;
    },
  };
}
