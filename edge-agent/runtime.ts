// Runs the edge agent: its SQLite store, the LAN server for kiosks, the push to and pull from the cloud, heartbeats.
import type { FastifyInstance } from 'fastify';
import { newEventId } from '../core/event-id';
import { openStore } from '../kiosk/store/open';
import { SignedHttp } from '../protocol/http-client';
import { PullClient } from '../protocol/pull-client';
import { PushClient } from '../protocol/push-client';
import type { SeatPilotEvent } from '../core/contract';
import { buildAgentApp } from './app';
import type { AgentConfig } from './config';
import { AgentPairing } from './pairing';
import { AgentStore } from './store';

export const APP_VERSION = '0.1.0';

export interface RunningAgent {
  app: FastifyInstance;
  store: AgentStore;
  url: string;
  push: PushClient | null;
  pull: PullClient | null;
  /** Appends the agent's own device.heartbeat to its outbox now. */
  heartbeat(): void;
  close(): Promise<void>;
}

export interface AgentRunOptions {
  config: AgentConfig;
  databaseFile: string;
  logger?: boolean;
  now?: () => number;
}

export async function startAgent(opts: AgentRunOptions): Promise<RunningAgent> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
  const { db } = openStore(opts.databaseFile);
  const store = new AgentStore(db, config.venue_id, now);
  let push: PushClient | null = null;
  let pull: PullClient | null = null;
  let http: SignedHttp | null = null;
  const lastCloudSync = () => {
    const t = Math.max(push?.status.lastSuccessAt ?? 0, pull?.status.lastSuccessAt ?? 0);
    return t || null;
  };
  const { app, agentMetrics } = await buildAgentApp({
    store,
    now,
    logger: opts.logger ? { level: process.env.LOG_LEVEL ?? 'info' } : false,
    lastCloudSync,
    onStored: () => push?.kick(),
    pairing: new AgentPairing(store, config.venue_id),
    tablet: {
      venueId: config.venue_id,
      deviceId: config.device_id,
      ...(config.tablet?.undo_seconds !== undefined ? { undoSeconds: config.tablet.undo_seconds } : {}),
      ...(config.tablet?.pairing_ttl_minutes !== undefined ? { pairingTtlMinutes: config.tablet.pairing_ttl_minutes } : {}),
      ...(config.tablet?.dwell ? { dwell: config.tablet.dwell } : {}),
    },
    health: (): Record<string, { ok: boolean; detail: string }> => {
      if (!config.cloud) return { cloud: { ok: true, detail: 'no cloud configured: running the venue alone' } };
      const err = push?.status.lastError ?? pull?.status.lastError;
      const depth = store.outbox.depth();
      return {
        cloud: err ? { ok: false, detail: `cloud unreachable or refusing: ${err}` } : { ok: true, detail: 'cloud reachable' },
        backlog: { ok: store.outbox.oldestUnsentSeconds() < 300, detail: `${depth} events waiting, oldest ${Math.round(store.outbox.oldestUnsentSeconds())} s` },
      };
    },
  });

  if (config.cloud) {
    http = new SignedHttp({ baseUrl: config.cloud.url, keyId: config.cloud.key_id, secret: config.cloud.secret }, { now });
    push = new PushClient(store.outbox, http, {
      intervalMs: config.push_interval_ms ?? 2_000,
      // A venue's backlog should move within seconds of the internet coming back.
      backoffMaxMs: 10_000,
      now,
      onError: () => agentMetrics.pushErrors.inc(),
      onBatch: (r) => r.dead.length && agentMetrics.pushDead.inc(r.dead.length),
    });
    pull = new PullClient(http, { cursor: () => store.cloudCursor(), apply: (page) => store.applyCloudPage(page) }, {
      intervalMs: config.pull_interval_ms ?? 2_000,
      now,
      onError: () => agentMetrics.pullErrors.inc(),
    });
  }

  const heartbeat = () => {
    const event: SeatPilotEvent = {
      event_id: newEventId(),
      type: 'device.heartbeat',
      occurred_at: new Date(now()).toISOString(),
      venue_id: config.venue_id,
      device_id: config.device_id,
      payload: {
        app_version: APP_VERSION,
        outbox_depth: store.outbox.depth(),
        oldest_unsent_s: store.outbox.oldestUnsentSeconds(now()),
        guest_list_version: store.guestListVersion(),
        scanner_ok: true,
        clock_skew_ms: http?.offsetMs ?? 0,
      },
    };
    store.outbox.append(event, now());
    push?.kick();
  };

  const host = config.listen?.host ?? '0.0.0.0';
  await app.listen({ host, port: config.listen?.port ?? 8600 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen?.port ?? 8600;
  heartbeat();
  const beat = setInterval(heartbeat, (config.heartbeat_interval_s ?? 60) * 1000);
  beat.unref();
  const sweep = setInterval(() => store.sweepNonces(now()), 60_000);
  sweep.unref();
  push?.start();
  pull?.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    push,
    pull,
    heartbeat,
    close() {
      closing ??= (async () => {
        clearInterval(beat);
        clearInterval(sweep);
        await push?.stop();
        await pull?.stop();
        await app.close();
        db.close();
      })();
      return closing;
    },
  };
}
