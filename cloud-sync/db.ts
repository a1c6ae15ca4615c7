// One small Postgres client interface over node-postgres (any Postgres or Supabase) and embedded PGlite.
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { PgMigrationTarget } from '../sql/migrate';
import { ensurePrivateDir, privateTree } from '../node-kit/private-files';
import { SecretBox, SECRET_KEY_FILE_ENV, secretKeyFileBeside } from '../node-kit/secret-box';

export interface Queryable extends PgMigrationTarget {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  exec(sql: string): Promise<void>;
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Seals and opens device secrets (cloud-sync/device-secrets.ts). Without it (a library caller that named no key)
   * secrets are written as they are, and the service seals them at its next start.
   */
  readonly secrets?: SecretBox | undefined;
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
  /**
   * How long to wait for a connection, new or from a full pool, before giving up with DatabaseUnavailableError (the
   * routes answer 503 with Retry-After). Default DEFAULT_CONNECT_TIMEOUT_MS.
   */
  connectTimeoutMs?: number;
  /** Server-side statement_timeout of every connection; 0 for none. Default DEFAULT_STATEMENT_TIMEOUT_MS. */
  statementTimeoutMs?: number;
  secrets?: SecretBox;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * The database gave no connection in time (unreachable, refusing, or every pooled connection busy): nothing was done,
 * and a retry shortly may succeed. `code` is what protocol/errors.ts maps to 503 with Retry-After.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  readonly code = 'DB_UNAVAILABLE';
}

function unavailable(e: unknown): DatabaseUnavailableError {
  const err = new DatabaseUnavailableError(`database unavailable: ${(e as Error).message}`);
  err.cause = e;
  return err;
}

/** DATABASE_CONNECT_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS; a bad value stops the start with its name. */
export function postgresOptionsFromEnv(env: Record<string, string | undefined> = process.env): PostgresOptions {
  const ms = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > 3_600_000) throw new Error(`${name} must be a whole number of milliseconds from ${min} to 3600000, got "${raw.slice(0, 40)}"`);
    return n;
  };
  const connect = ms('DATABASE_CONNECT_TIMEOUT_MS', 1);
  const statement = ms('DATABASE_STATEMENT_TIMEOUT_MS', 0);
  return { ...(connect !== undefined ? { connectTimeoutMs: connect } : {}), ...(statement !== undefined ? { statementTimeoutMs: statement } : {}) };
}

export function openPostgres(url: string, opts: PostgresOptions = {}): Db {
  const common = {
    connectionString: url,
    // Bounds both a new connection and the wait for a free one in a full pool (pg-pool).
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  };
  const pool = new pg.Pool({ ...common, max: opts.max ?? 10, application_name: opts.applicationName ?? 'seatpilot' });
  // An idle client that loses its connection must not take the process down.
  pool.on('error', () => undefined);
  const lookupPool = new pg.Pool({ ...common, max: opts.lookupMax ?? 4, application_name: `${opts.applicationName ?? 'seatpilot'}-lookups` });
  lookupPool.on('error', () => undefined);
  // Failing to get a connection is told apart from a failing statement: only the first is "try again shortly".
  const connect = async (p: pg.Pool): Promise<pg.PoolClient> => {
    try {
      return await p.connect();
    } catch (e) {
      throw unavailable(e);
    }
  };
  const queryOn = async <R>(p: pg.Pool, sql: string, params?: unknown[]): Promise<R[]> => {
    const client = await connect(p);
    let broken: Error | undefined;
    try {
      return (await client.query(sql, params as unknown[])).rows as R[];
    } catch (e) {
      // A connection that died under the statement is not given back to the pool.
      if (!(e instanceof pg.DatabaseError)) broken = e as Error;
      throw e;
    } finally {
      client.release(broken);
    }
  };
  const wrapClient = (client: pg.PoolClient): Queryable => {
    const q: Queryable = {
      secrets: opts.secrets,
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
    secrets: opts.secrets,
    lookups: {
      query: <R>(sql: string, params?: unknown[]) => queryOn<R>(lookupPool, sql, params),
    },
    query: <R>(sql: string, params?: unknown[]) => queryOn<R>(pool, sql, params),
    async exec(sql: string) {
      await queryOn(pool, sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await connect(pool);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out = await fn(wrapClient(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch((r: Error) => (broken = r));
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await Promise.all([pool.end(), lookupPool.end()]);
    },
  };
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrapPglite(conn: PgliteLike, txFn: <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>, secrets: SecretBox): Queryable {
  return {
    secrets,
    async query<R>(sql: string, params?: unknown[]) {
      return (await conn.query<R>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    tx: txFn,
  };
}

/**
 * Embedded PostgreSQL (WASM) in `dataDir`, or in memory when `dataDir` is undefined. A single connection. Device
 * secrets are sealed with `opts.secrets`, by default the key file the cloud service uses for this folder
 * (cloudSecretKeyFile), so a library caller and `seatpilot cloud --data DIR` agree.
 */
export async function openPglite(dataDir?: string, opts: { secrets?: SecretBox } = {}): Promise<Db> {
  const secrets = opts.secrets ?? (dataDir ? SecretBox.load(cloudSecretKeyFile(dataDir)) : SecretBox.ephemeral());
  if (dataDir) ensurePrivateDir(dataDir);
  const db = await PGlite.create(dataDir, {
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
  });
  // PGlite unpacks its cluster 0666/0755 whatever the umask; the files Postgres itself makes later are 0600.
  if (dataDir) {
    try {
      privateTree(dataDir);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
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
      }, secrets);
      return fn(inner);
    });
  const one = wrapPglite(db, txOf, secrets);
  return {
    backend: 'pglite',
    lookups: one,
    ...one,
    async close() {
      await db.close();
    },
  };
}

/**
 * The key file that seals the cloud's device secrets: SEATPILOT_SECRET_KEY_FILE, else `seatpilot-secrets.key` beside
 * the PGlite data folder (`data/seatpilot-secrets.key` for `--data data/cloud`), on Postgres as well.
 */
export function cloudSecretKeyFile(dataDir: string | undefined, env: Record<string, string | undefined> = process.env): string {
  const named = env[SECRET_KEY_FILE_ENV];
  return named ? named : secretKeyFileBeside(dataDir ?? 'data/cloud');
}

/** `DATABASE_URL` when given, else PGlite in `dataDir`; device secrets sealed with the key of cloudSecretKeyFile. */
export async function openDb(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined; postgres?: PostgresOptions }): Promise<Db> {
  const secrets = opts.postgres?.secrets ?? SecretBox.load(cloudSecretKeyFile(opts.dataDir));
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, { ...opts.postgres, secrets });
  return openPglite(opts.dataDir, { secrets });
}
