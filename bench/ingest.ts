// Ingest throughput: signed 500-event batches over HTTP from a concurrent client into the cloud service (a child
// process), on real PostgreSQL and on PGlite, against a baseline in the same run: the same rows inserted straight
// through the driver with the service's one statement per batch. Prints one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { newEventId } from '../core/contract/event-id';
import { signRequest } from '../core/signing/signing';
import { openPglite, openPostgres, type Db } from '../cloud-sync/db';
import { INSERT_EVENTS_SQL } from '../cloud-sync/pg-store';
import { migratePostgres } from '../sql/migrate';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { batchOf, checkinEvent } from '../tests/signed';

const BIN = join(import.meta.dirname, '..', 'bin', 'seatpilot.mjs');
const BATCH = 500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Event ids as the kiosks make them: UUIDv7, time-ordered (core/contract/event-id.ts), which keep the id indexes appending. */
function makeBodies(key: IssuedKey, batches: number): string[] {
  return Array.from({ length: batches }, () => batchOf(Array.from({ length: BATCH }, () => checkinEvent(key, { event_id: newEventId() }))));
}

interface Run {
  events: number;
  seconds: number;
  events_per_s: number;
  batch_p50_ms: number;
  batch_p99_ms: number;
}

/** Runs `send` over the bodies with CONCURRENCY in flight. */
async function drive(bodies: string[], send: (body: string) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const t0 = performance.now();
        await send(body);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const events = bodies.length * BATCH;
  return { events, seconds: +seconds.toFixed(3), events_per_s: Math.round(events / seconds), batch_p50_ms: +percentile(latencies, 50).toFixed(2), batch_p99_ms: +percentile(latencies, 99).toFixed(2) };
}

async function setupKey(db: Db): Promise<IssuedKey> {
  await migratePostgres(db);
  const tenant = await addTenant(db, 'Bench');
  const venue = await addVenue(db, tenant.id, 'Bench hall');
  return addDevice(db, venue.id, 'kiosk');
}

function startService(args: string[], env: Record<string, string | undefined>): Promise<{ child: ChildProcess; base: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), BIN, 'cloud', '--port', '0', ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, base: m[1] as string });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`cloud service exited with ${code}: ${out}`)));
  });
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

/**
 * The load generator: node:http with keep-alive sockets, one per request in flight. (fetch/undici spent about 1.5 ms
 * more CPU per 200 KB request here, and this client shares the machine's two cores with the service and Postgres.)
 * Every request is signed on its own (fresh nonce and timestamp), over the bytes it sends.
 */
function httpSender(base: string, key: IssuedKey) {
  const url = new URL(`${base}/v1/events`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return async (body: string) => {
    const bytes = Buffer.from(body, 'utf8');
    const headers = await signRequest({ keyId: key.key_id, secret: key.secret, method: 'POST', pathWithQuery: '/v1/events', body: bytes });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': bytes.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(bytes);
    });
    const out = JSON.parse(text) as { accepted?: number };
    if (status !== 200 || out.accepted !== BATCH) throw new Error(`batch not fully accepted: ${status} ${text.slice(0, 300)}`);
  };
}

/** The service's insert, straight through the driver: the ceiling ingest is measured against. */
function directSender(db: Db, key: IssuedKey) {
  return async (body: string) => {
    const batch = JSON.parse(body) as { batch_id: string; events: unknown[] };
    const rows = await db.query(
      INSERT_EVENTS_SQL,
      [key.tenant_id, key.venue_id, key.device_id, batch.batch_id, JSON.stringify(batch.events)],
    );
    if (rows.length !== BATCH) throw new Error('baseline insert lost rows');
  };
}

async function benchPostgres(adminUrl: string, batches: number) {
  const names = [`sp_bench_${randomUUID().slice(0, 8)}`, `sp_bench_${randomUUID().slice(0, 8)}`];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
  const urlOf = (n: string) => Object.assign(new URL(adminUrl), { pathname: `/${n}` }).toString();
  try {
    // Service run.
    const db = openPostgres(urlOf(names[0] as string));
    const key = await setupKey(db);
    await db.close();
    const { child, base } = await startService([], { DATABASE_URL: urlOf(names[0] as string) });
    let service: Run;
    try {
      await httpSender(base, key)(makeBodies(key, 1)[0] as string); // warm-up
      service = await drive(makeBodies(key, batches), httpSender(base, key));
    } finally {
      await stopService(child);
    }
    // Baseline run on its own fresh database, same concurrency.
    const bdb = openPostgres(urlOf(names[1] as string), { max: CONCURRENCY });
    const bkey = await setupKey(bdb);
    await directSender(bdb, bkey)(makeBodies(bkey, 1)[0] as string);
    const baseline = await drive(makeBodies(bkey, batches), directSender(bdb, bkey));
    await bdb.close();
    return { backend: 'postgres', ...service, baseline, ratio_to_baseline: +(service.events_per_s / baseline.events_per_s).toFixed(3) };
  } finally {
    for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.end();
  }
}

async function benchPglite(batches: number) {
  const dirs = [mkdtempSync(join(tmpdir(), 'sp-bench-')), mkdtempSync(join(tmpdir(), 'sp-bench-'))];
  try {
    const db = await openPglite(dirs[0]);
    const key = await setupKey(db);
    await db.close();
    const { child, base } = await startService(['--data', dirs[0] as string], { DATABASE_URL: undefined });
    let service: Run;
    try {
      await httpSender(base, key)(makeBodies(key, 1)[0] as string);
      service = await drive(makeBodies(key, batches), httpSender(base, key));
    } finally {
      await stopService(child);
    }
    const bdb = await openPglite(dirs[1]);
    const bkey = await setupKey(bdb);
    await directSender(bdb, bkey)(makeBodies(bkey, 1)[0] as string);
    const baseline = await drive(makeBodies(bkey, batches), directSender(bdb, bkey));
    await bdb.close();
    return { backend: 'pglite', ...service, baseline, ratio_to_baseline: +(service.events_per_s / baseline.events_per_s).toFixed(3) };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const results = [];
results.push(await benchPostgres(pgUrl, Number(process.env.BENCH_PG_BATCHES ?? 200)));
results.push(await benchPglite(Number(process.env.BENCH_PGLITE_BATCHES ?? 40)));
console.log(JSON.stringify({ bench: 'ingest', batch_size: BATCH, concurrency: CONCURRENCY, cores: (await import('node:os')).cpus().length, results }));
