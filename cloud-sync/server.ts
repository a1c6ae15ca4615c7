// Runs the cloud service: opens the database (DATABASE_URL or PGlite), migrates, listens, shuts down gracefully.
import type { FastifyInstance } from 'fastify';
import { migratePostgres } from '../sql/migrate';
import { buildApp } from './app';
import { openDb, postgresOptionsFromEnv, type Db } from './db';
import { backgroundFromEnv, opsConfigFromEnv, type Background } from './ops/config';
import { sealStoredSecrets } from './device-secrets';
import { trustProxyFromEnv } from '../protocol/trust-proxy';
import { metricsSettingsFromEnv } from '../protocol/metrics-access';
import { startMetricsListener } from '../protocol/metrics';
import { consoleUrlFromEnv } from './console/auth/links';

export interface CloudServerOptions {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string | undefined;
  log?: boolean;
  /** The console's address as people reach it, for its set-password links; default SEATPILOT_CONSOLE_URL, else http://127.0.0.1:8080. */
  consolePublicUrl?: string | undefined;
}

export interface RunningCloud {
  app: FastifyInstance;
  db: Db;
  url: string;
  /** /metrics on a listener of its own (SEATPILOT_METRICS_LISTEN), else null. */
  metricsUrl: string | null;
  /** SEATPILOT_BACKGROUND: whether this replica runs the background passes. */
  background: Background;
  close(): Promise<void>;
}

export async function startCloudServer(opts: CloudServerOptions): Promise<RunningCloud> {
  const ops = opsConfigFromEnv(); // before the database opens: a bad setting stops the start with its name
  const background = backgroundFromEnv(); // likewise; off, opsConfigFromEnv already left the refresher and billing out
  const postgres = postgresOptionsFromEnv(); // likewise
  const trustProxy = trustProxyFromEnv(); // likewise
  const metricsSettings = metricsSettingsFromEnv('cloud'); // likewise
  const consoleUrl = consoleUrlFromEnv(); // likewise
  const db = await openDb({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, postgres });
  await migratePostgres(db);
  // A wrong key file stops the start here, naming it, rather than failing every device's requests later.
  await sealStoredSecrets(db).catch(async (e: unknown) => {
    await db.close();
    throw e;
  });
  const { app, store, metrics } = await buildApp({ db, logger: opts.log === false ? false : { level: process.env.LOG_LEVEL ?? 'info' }, ops, trustProxy, metricsAccess: metricsSettings.main,
    console: { publicUrl: opts.consolePublicUrl ?? consoleUrl },
    // 0 starts no loop (commit-order-pass.ts); unset, buildApp's defaults run them.
    ...(background === 'off' ? { doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 } : {}) });
  const sweep = setInterval(() => void store.sweepNonces(new Date()).catch(() => undefined), 60_000);
  sweep.unref();
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const metricsListener = metricsSettings.listen
    ? await startMetricsListener(metrics.registry, metricsSettings.listen).catch(async (e: unknown) => {
        await app.close();
        await db.close();
        throw e;
      })
    : null;
  let closing: Promise<void> | undefined;
  return {
    app,
    db,
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    metricsUrl: metricsListener?.url ?? null,
    background,
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        await metricsListener?.close();
        await app.close();
        await db.close();
      })();
      return closing;
    },
  };
}

/** Closes the server on SIGINT/SIGTERM, finishing requests in flight. */
