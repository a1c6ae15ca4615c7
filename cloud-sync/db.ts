// One small Postgres client interface over node-postgres (any Postgres or Supabase) and embedded PGlite.
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { PgMigrationTarget } from '../sql/migrate';

export interface Queryable extends PgMigrationTarget {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  exec(sql: string): Promise<void>;
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
}

export interface Db extends Queryable {
  readonly backend: 'postgres' | 'pglite';
  /**
   * Connections kept for the short lookups on a request's path (key, nonce, device checks), apart from those that run
   * batch writes. Measured on PostgreSQL 15 with 4 writers: a backend that runs another table statement between two
   * 500-row batch inserts spends about 5 ms more CPU on the next insert, ~25 % of the insert's own cost. PGlite: the
   * one connection.
   */
  readonly lookups: Pick<Queryable, 'query'>;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;

// Counts and sums come back as numbers on both backends (our values stay far below 2^53).
pg.types.setTypeParser(INT8, (v: string) => Number(v));
pg.types.setTypeParser(NUMERIC, (v: string) => Number(v));

export interface PostgresOptions {
  max?: number;
  /** Size of the separate pool behind `lookups` (default 4). */
  lookupMax?: number;
  applicationName?: string;
}

export function openPostgres(url: string, opts: PostgresOptions = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, application_name: opts.applicationName ?? 'seatpilot' });
  // An idle client that loses its connection must not take the process down.
  pool.on('error', () => undefined);
  const lookupPool = new pg.Pool({ connectionString: url, max: opts.lookupMax ?? 4, application_name: `${opts.applicationName ?? 'seatpilot'}-lookups` });
  lookupPool.on('error', () => undefined);
  const wrapClient = (client: pg.PoolClient): Queryable => {
    const q: Queryable = {
      async query<R>(sql: string, params?: unknown[]) {
        return (await client.query(sql, params as unknown[])).rows as R[];
      },
      async exec(sql: string) {
        await client.query(sql);
      },
      // Nested transactions become savepoints.
      async tx<T>(fn: (inner: Queryable) => Promise<T>): Promise<T> {
        await client.query('SAVEPOINT sp_nested');
        try {
          const out = await fn(q);
          await client.query('RELEASE SAVEPOINT sp_nested');
          return out;
        } catch (e) {
          await client.query('ROLLBACK TO SAVEPOINT sp_nested');
          throw e;
        }
      },
    };
    return q;
  };
  return {
    backend: 'postgres',
    lookups: {
      async query<R>(sql: string, params?: unknown[]) {
        return (await lookupPool.query(sql, params as unknown[])).rows as R[];
      },
    },
    async query<R>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params as unknown[])).rows as R[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrapClient(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([pool.end(), lookupPool.end()]);
    },
  };
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrapPglite(conn: PgliteLike, txFn: <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>): Queryable {
  return {
    async query<R>(sql: string, params?: unknown[]) {
      return (await conn.query<R>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    tx: txFn,
  };
}

/** Embedded PostgreSQL (WASM) in `dataDir`, or in memory when `dataDir` is undefined. A single connection. */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, {
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
  });
  const txOf = <T>(fn: (q: Queryable) => Promise<T>): Promise<T> =>
    db.transaction(async (t) => {
      let savepoint = 0;
      const inner: Queryable = wrapPglite(t, async <U>(nested: (q: Queryable) => Promise<U>): Promise<U> => {
        const name = `sp_${++savepoint}`;
        await t.exec(`SAVEPOINT ${name}`);
        try {
          const out = await nested(inner);
          await t.exec(`RELEASE SAVEPOINT ${name}`);
          return out;
        } catch (e) {
          await t.exec(`ROLLBACK TO SAVEPOINT ${name}`);
          throw e;
        }
      });
      return fn(inner);
    });
  const one = wrapPglite(db, txOf);
  return {
    backend: 'pglite',
    lookups: one,
    ...one,
    async close() {
      await db.close();
    },
  };
}

/** `DATABASE_URL` when given, else PGlite in `dataDir`. */
export async function openDb(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(opts.dataDir);
}
