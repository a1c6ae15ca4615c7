// Drain: 100,000 events queued at an edge agent (offline backlog) pushed to the cloud service on real PostgreSQL once
// it is back, by the same push client the agent runs. Baseline in the same run: the same rows inserted straight
// through the driver, one statement per 500-event batch, one batch at a time. Prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { INSERT_EVENTS_SQL } from '../cloud-sync/pg-store';
import { openPostgres } from '../cloud-sync/db';
import { migratePostgres } from '../sql/migrate';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { openStore } from '../venue-store/open';
import { AgentStore } from '../edge-agent/store';
import { SignedHttp } from '../protocol/http-client';
import { PushClient } from '../protocol/push-client';
import { checkinEvent } from '../tests/signed';
import { newEventId } from '../core/contract/event-id';

const N = Number(process.env.BENCH_DRAIN_EVENTS ?? 100_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const names = [`sp_drain_${randomUUID().slice(0, 8)}`, `sp_drain_${randomUUID().slice(0, 8)}`];
const urlOf = (n: string) => Object.assign(new URL(adminUrl), { pathname: `/${n}` }).toString();
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
const dir = mkdtempSync(join(tmpdir(), 'sp-drain-'));
try {
  const db = openPostgres(urlOf(names[0] as string));
  await migratePostgres(db);
  const tenant = await addTenant(db, 'Drain');
  const venue = await addVenue(db, tenant.id, 'Hall');
  const agentKey = await addDevice(db, venue.id, 'agent');
  const kiosks = [await addDevice(db, venue.id, 'kiosk'), await addDevice(db, venue.id, 'kiosk')];
  await db.close();

  // The backlog: N check-ins from two doors, queued while the internet was down.
  const { db: sqlite } = openStore(join(dir, 'agent.sqlite'));
  const store = new AgentStore(sqlite, venue.id);
  // Ids as the kiosks make them (UUIDv7, core/contract/event-id.ts).
  const events = Array.from({ length: N }, (_, i) => checkinEvent(kiosks[i % 2]!, { event_id: newEventId() }));
  sqlite.transaction(() => {
    for (const e of events) store.outbox.append(e);
  })();

  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'seatpilot.mjs'), 'cloud', '--port', '0'], { env: { ...process.env, DATABASE_URL: urlOf(names[0] as string), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const on = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (c) => reject(new Error(`cloud exited ${c}: ${out}`)));
  });
  const push = new PushClient(store.outbox, new SignedHttp({ baseUrl: base, keyId: agentKey.key_id, secret: agentKey.secret }));
  const t0 = performance.now();
  const report = await push.drain();
  const seconds = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (report.error || store.outbox.depth() !== 0 || report.sent !== N) throw new Error(`drain incomplete: ${JSON.stringify(report)}, depth ${store.outbox.depth()}`);
  sqlite.close();

  const check = openPostgres(urlOf(names[0] as string));
  const stored = (await check.query<{ n: number }>("SELECT count(*)::int AS n FROM telemetry.events_raw WHERE type = 'checkin.succeeded'"))[0]!.n;
  await check.close();

  // Baseline: the same inserts straight through the driver, in order, one batch at a time.
  const bdb = openPostgres(urlOf(names[1] as string), { max: 1 });
  await migratePostgres(bdb);
  const b0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    await bdb.query(
      INSERT_EVENTS_SQL,
      [tenant.id, venue.id, agentKey.device_id, randomUUID(), JSON.stringify(events.slice(i, i + 500))],
    );
  }
  const baselineSeconds = (performance.now() - b0) / 1000;
  await bdb.close();
  console.log(JSON.stringify({
    bench: 'drain', backend: 'postgres', events: N, stored, batches: report.batches,
    seconds: +seconds.toFixed(2), events_per_s: Math.round(N / seconds), goal_seconds: 30,
    baseline: { what: 'direct insert, one statement per 500 events, sequential', seconds: +baselineSeconds.toFixed(2), events_per_s: Math.round(N / baselineSeconds) },
    ratio_to_baseline: +((N / seconds) / (N / baselineSeconds)).toFixed(3),
  }));
} finally {
  for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
