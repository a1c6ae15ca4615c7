// POST /v1/events when the database cannot serve it: a Postgres that nothing listens for, one that accepts and never
// answers, a pool whose connections are all taken, and a batch whose transaction outlives the statement timeout.
// Each answers 503 with Retry-After within the timeout, stores nothing of the batch, and the real push client over a
// real SQLite outbox keeps the events pending and delivers them once the database serves again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, type IssuedKey } from './admin';
import { openPostgres, postgresOptionsFromEnv, type Db } from './db';
import { postgresAvailable, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { checkinEvent, batchOf, signedInject } from '../tests/signed';
import { freePort } from '../tests/procs';
import { openStore } from '../venue-store/open';
import { SqliteOutbox } from '../venue-store/outbox';
import { PushClient } from '../protocol/push-client';
import { SignedHttp } from '../protocol/http-client';

/** A TCP server on `port` that hands each connection to `onSocket`; closed with its connections. */
async function listenOn(port: number, onSocket: (s: Socket) => void): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe.runIf(postgresAvailable())('cloud ingest while the database cannot serve', () => {
  let t: TestDatabase;
  let agent: IssuedKey;
  const opened: { cloud: CloudApp; db: Db }[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  const stored = async (ids: string[]) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = ANY($1::uuid[])', [ids]))[0]?.n;
  const usage = async () =>
    (await t.db.query<{ n: number }>('SELECT coalesce(sum(events), 0)::int AS n FROM billing.usage_monthly WHERE tenant_id = $1', [agent.tenant_id]))[0]?.n;
  const urlOnPort = (port: number) => {
    const u = new URL(t.url as string);
    u.host = `127.0.0.1:${port}`;
    return u.toString();
  };

  /** A cloud service on 127.0.0.1 over `db`, and an agent's outbox with `n` check-ins that a real push client drains. */
  async function cloudAndAgent(db: Db, n: number) {
    const cloud = await buildApp({ db, doubleAdmissionEverySec: 0 });
    opened.push({ cloud, db });
    const base = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const { db: sqlite } = openStore(':memory:');
    cleanups.push(async () => sqlite.close());
    const outbox = new SqliteOutbox(sqlite);
    const events = Array.from({ length: n }, () => checkinEvent(agent));
    for (const e of events) outbox.append(e);
    const push = new PushClient(outbox, new SignedHttp({ baseUrl: base, keyId: agent.key_id, secret: agent.secret }), { backoffBaseMs: 10, backoffMaxMs: 20 });
    return { cloud, outbox, push, ids: events.map((e) => e.event_id) };
  }

  /** One signed POST straight at the service, timed. */
  async function postOnce(cloud: CloudApp) {
    const started = Date.now();
    const res = await signedInject(cloud.app, agent, 'POST', '/v1/events', batchOf([checkinEvent(agent)]));
    return { res, ms: Date.now() - started };
  }

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    const tenant = await addTenant(t.db, 'Outage Co');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agent = await addDevice(t.db, venue.id, 'agent');
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
    while (opened.length) {
      const o = opened.pop()!;
      await o.cloud.app.close();
      await o.db.close();
    }
  });
  afterAll(async () => t?.drop());

  it('a Postgres port nothing listens on: 503 with Retry-After, the batch stays in the outbox, and goes once the server is there', async () => {
    const port = await freePort();
    const { cloud, outbox, push, ids } = await cloudAndAgent(openPostgres(urlOnPort(port), { connectTimeoutMs: 500 }), 3);
    const { res, ms } = await postOnce(cloud);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: 'unavailable' });
    expect(ms).toBeLessThan(3_000);
    const failed = await push.drain();
    expect(failed).toMatchObject({ sent: 0, error: expect.stringMatching(/503/) });
    expect(outbox.depth()).toBe(3);
    expect(await stored(ids)).toBe(0);
    // The database comes back on that port (a relay to the real server).
    const target = new URL(t.url as string);
    const relay = await listenOn(port, (s) => {
      const up = createConnection(Number(target.port || 5432), target.hostname);
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
      s.on('close', () => up.destroy());
    });
    cleanups.push(() => relay.close());
    expect(await push.drain()).toMatchObject({ sent: 3 });
    expect(outbox.depth()).toBe(0);
    expect(await stored(ids)).toBe(3);
  });

  it('a server that accepts and never answers: 503 with Retry-After once the connect timeout passes, nothing lost', async () => {
    const port = await freePort();
    const silent = await listenOn(port, () => undefined);
    cleanups.push(() => silent.close());
    const { cloud, outbox, push, ids } = await cloudAndAgent(openPostgres(urlOnPort(port), { connectTimeoutMs: 500 }), 2);
    const { res, ms } = await postOnce(cloud);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(3_000);
    expect((await push.drain()).error).toMatch(/503/);
    expect(outbox.depth()).toBe(2);
    expect(await stored(ids)).toBe(0);
  });

  it('every pooled connection taken: 503 with Retry-After within the connect timeout; delivered once one is free', async () => {
    const db = openPostgres(t.url as string, { max: 1, connectTimeoutMs: 400 });
    const { cloud, outbox, push, ids } = await cloudAndAgent(db, 4);
    let free!: () => void;
    const holding = db.tx(() => new Promise<void>((resolve) => (free = resolve)));
    const usageBefore = await usage();
    const { res, ms } = await postOnce(cloud);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: 'unavailable' });
    expect(ms).toBeLessThan(3_000);
    expect((await push.drain()).error).toMatch(/503/);
    expect(outbox.depth()).toBe(4);
    expect(await stored(ids)).toBe(0);
    expect(await usage()).toBe(usageBefore);
    free();
    await holding;
    expect(await push.drain()).toMatchObject({ sent: 4 });
    expect(outbox.depth()).toBe(0);
    expect(await stored(ids)).toBe(4);
    expect(await usage()).toBe((usageBefore ?? 0) + 4);
  });

  it('a batch whose transaction outlives the statement timeout: 503, its events rolled back, delivered on the retry', async () => {
    const db = openPostgres(t.url as string, { statementTimeoutMs: 300 });
    const { cloud, outbox, push, ids } = await cloudAndAgent(db, 5);
    await postOnce(cloud); // the tenant's usage row exists from here on
    // Another connection holds the tenant's usage row: the batch stores its events, then its metering waits there.
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    expect((await holder.query('SELECT 1 FROM billing.usage_monthly WHERE tenant_id = $1 FOR UPDATE', [agent.tenant_id])).rowCount).toBe(1);
    const { res, ms } = await postOnce(cloud);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(ms).toBeLessThan(3_000);
    expect((await push.drain()).error).toMatch(/503/);
    expect(outbox.depth()).toBe(5);
    expect(await stored(ids)).toBe(0);
    await holder.query('ROLLBACK');
    expect(await push.drain()).toMatchObject({ sent: 5 });
    expect(await stored(ids)).toBe(5);
  });
});

describe('database timeouts from the environment', () => {
  it('reads whole milliseconds and stops the start naming a bad variable', () => {
    expect(postgresOptionsFromEnv({})).toEqual({});
    expect(postgresOptionsFromEnv({ DATABASE_CONNECT_TIMEOUT_MS: '2500', DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toEqual({ connectTimeoutMs: 2500, statementTimeoutMs: 0 });
    expect(() => postgresOptionsFromEnv({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 1/);
    expect(() => postgresOptionsFromEnv({ DATABASE_STATEMENT_TIMEOUT_MS: '5s' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS .* got "5s"/);
  });
});
