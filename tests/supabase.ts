// Test helper: a database set up the way a Supabase project is (tests/fixtures/supabase-*.sql) on the real PostgreSQL,
// owned by a role that is not a superuser, and sessions as Supabase's PostgREST and Auth open them.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgres, type Db, type Queryable } from '../cloud-sync/db';

const FIXTURES = join(import.meta.dirname, 'fixtures');

export type ApiRole = 'anon' | 'authenticated' | 'service_role';

export interface SupabaseDatabase {
  /** The owner's login (Supabase's `postgres`): CREATEROLE, not a superuser. Migrations run as this. */
  owner: Db;
  ownerRole: string;
  ownerUrl: string;
  /**
   * Runs `fn` as PostgREST runs a request: logged in as `authenticator`, `SET LOCAL ROLE` to the JWT's role and the
   * claims in `request.jwt.claims`, in one transaction that is rolled back whatever `fn` did.
   */
  asApi<T>(role: ApiRole, claims: Record<string, unknown> | null, fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` logged in as `supabase_auth_admin`, the role Supabase Auth calls hook functions as (rolled back). */
  asAuthAdmin<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

function withUserAndDatabase(url: string, user: string, database: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  u.pathname = `/${database}`;
  return u.toString();
}

async function rolledBack<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  const rollback = new Error('rollback');
  let out: T | undefined;
  try {
    await db.tx(async (q) => {
      out = await fn(q);
      throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return out as T;
}

/** A fresh database on the server of TEST_DATABASE_URL with Supabase's roles and default privileges, not migrated. */
export async function supabaseDatabase(): Promise<SupabaseDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('supabaseDatabase needs TEST_DATABASE_URL (a superuser on the real PostgreSQL)');
  const suffix = randomBytes(6).toString('hex');
  const ownerRole = `sp_owner_${suffix}`;
  const name = `sp_supa_${suffix}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(readFileSync(join(FIXTURES, 'supabase-roles.sql'), 'utf8'));
    await c.query(`CREATE ROLE ${ownerRole} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS`);
    await c.query(`CREATE DATABASE ${name} OWNER ${ownerRole}`);
  } finally {
    await c.end();
  }
  const ownerUrl = withUserAndDatabase(admin, ownerRole, name);
  const owner = openPostgres(ownerUrl, { max: 4, lookupMax: 1 });
  await owner.exec(readFileSync(join(FIXTURES, 'supabase-database.sql'), 'utf8'));
  const api = openPostgres(withUserAndDatabase(admin, 'authenticator', name), { max: 2, lookupMax: 1 });
  const auth = openPostgres(withUserAndDatabase(admin, 'supabase_auth_admin', name), { max: 1, lookupMax: 1 });
  return {
    owner,
    ownerRole,
    ownerUrl,
    asApi: (role, claims, fn) => rolledBack(api, async (q) => {
      await q.query(`SELECT set_config('role', $1, true)`, [role]);
      if (claims) await q.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
      return fn(q);
    }),
    asAuthAdmin: (fn) => rolledBack(auth, fn),
    async drop() {
      await Promise.all([owner.close(), api.close(), auth.close()]);
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await d.query(`DROP ROLE IF EXISTS ${ownerRole}`);
      } finally {
        await d.end();
      }
    },
  };
}
