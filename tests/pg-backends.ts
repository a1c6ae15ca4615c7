// Test helper: the cloud's storage suites run on embedded PGlite and on the real PostgreSQL (TEST_DATABASE_URL), the same tests.
// Each Postgres suite gets a database of its own, so test files can run in parallel.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openPglite, openPostgres, type Db } from '../cloud-sync/db';
import { migratePostgres } from '../sql/migrate';

export type BackendName = 'pglite' | 'postgres';

export function backends(): BackendName[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the Postgres suites must run in CI, never be skipped');
  }
  return url ? ['pglite', 'postgres'] : ['pglite'];
}

export function postgresAvailable(): boolean {
  return backends().includes('postgres');
}

export interface TestDatabase {
  db: Db;
  /** Connection string of this suite's own database (postgres only). */
  url?: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, empty database for one suite (a new PGlite in memory, or a new database on the server). */
export async function freshDatabase(backend: BackendName, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let out: TestDatabase;
  if (backend === 'pglite') {
    const db = await openPglite();
    out = { db, drop: () => db.close() };
  } else {
    const admin = process.env.TEST_DATABASE_URL as string;
    const name = `sp_test_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    const url = withDatabase(admin, name);
    const db = openPostgres(url, { max: 20 });
    out = {
      db,
      url,
      async drop() {
        await db.close();
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        try {
          await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await d.end();
        }
      },
    };
  }
  if (opts.migrate !== false) await migratePostgres(out.db);
  return out;
}
