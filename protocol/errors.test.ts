// The one error mapping, driven by real storage faults: a Postgres nobody listens for, a Postgres pool with every
// connection taken, a SQLite file another connection is writing. Each is a 503 with Retry-After; anything else a 500
// that shows nothing of the internals.
import { afterAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installErrorHandling } from './errors';
import { openPostgres, type Db } from '../cloud-sync/db';
import { freePort } from '../tests/procs';
import { postgresAvailable } from '../tests/pg-backends';

function appWith(route: () => Promise<unknown>): FastifyInstance {
  const app = Fastify();
  installErrorHandling(app);
  app.get('/x', route);
  return app;
}

describe('installErrorHandling', () => {
  const dbs: Db[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  it('a Postgres that nothing listens for: 503 unavailable with Retry-After', async () => {
    const db = openPostgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`, { connectTimeoutMs: 500 });
    dbs.push(db);
    const res = await appWith(() => db.query('SELECT 1')).inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: 'unavailable', message: 'storage is busy or unreachable; retry shortly' });
  });

  it.runIf(postgresAvailable())('a Postgres pool with every connection taken: 503 with Retry-After once the connect timeout passes', async () => {
    const db = openPostgres(process.env.TEST_DATABASE_URL as string, { max: 1, connectTimeoutMs: 300 });
    dbs.push(db);
    let free!: () => void;
    const holding = db.tx(() => new Promise<void>((resolve) => (free = resolve)));
    const started = Date.now();
    const res = await appWith(() => db.query('SELECT 1')).inject({ method: 'GET', url: '/x' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    free();
    await holding;
    expect((await appWith(() => db.query('SELECT 1 AS one')).inject({ method: 'GET', url: '/x' })).json()).toEqual([{ one: 1 }]);
  });

  it('a SQLite file another connection is writing: 503 with Retry-After 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sp-errors-')), 'busy.sqlite');
    const writer = new Database(file);
    const reader = new Database(file);
    try {
      writer.exec('CREATE TABLE t (x)');
      reader.pragma('busy_timeout = 0');
      writer.exec('BEGIN IMMEDIATE');
      const res = await appWith(async () => reader.prepare('INSERT INTO t VALUES (1)').run()).inject({ method: 'GET', url: '/x' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      writer.exec('ROLLBACK');
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('anything else is a 500 that hides its internals', async () => {
    const res = await appWith(async () => {
      throw new Error('secret internals: password=hunter2');
    }).inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toEqual({ error: 'internal_error' });
  });
});
