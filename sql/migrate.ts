// Numbered, forward-only SQL migrations: loading, planning and applying, for Postgres/PGlite and for SQLite.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { ADVISORY_LOCKS } from './advisory-locks';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const MIGRATIONS_TABLE = 'schema_migrations';
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The cloud's migrations (sql/postgres/). The venue's SQLite ones live with their store: venue-store/migrations.ts. */
export function migrationsDir(kind: 'postgres'): string {
  return join(import.meta.dirname, kind);
}

/** Reads `NNNN_name.sql` files in order; versions must run 1, 2, 3… without gaps or repeats. */
export function loadMigrations(dir: string): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const migrations = files.map((file) => {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new MigrationError(`migration file "${file}" must be named NNNN_name.sql`);
    return { version: Number(m[1]), name: m[2] as string, sql: readFileSync(join(dir, file), 'utf8') };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations in ${dir} must be numbered 0001, 0002, … without gaps; found ${String(m.version).padStart(4, '0')} at position ${i + 1}`);
  });
  return migrations;
}

/** What to apply, or a refusal when the database is newer than this build. Pure. */
export function planMigrations(known: Migration[], applied: number[]): Migration[] {
  const latestKnown = known.length ? (known[known.length - 1] as Migration).version : 0;
  const latestApplied = applied.length ? Math.max(...applied) : 0;
  if (latestApplied > latestKnown) {
    throw new MigrationError(`the database is at schema version ${latestApplied}, newer than this build knows (${latestKnown}); upgrade SeatPilot instead of downgrading the database`);
  }
  const done = new Set(applied);
  return known.filter((m) => !done.has(m.version));
}

export interface MigrateReport {
  applied: number[];
  version: number;
}

/** The part of a Postgres client that migrations need (pg Pool and PGlite both fit through cloud-sync/db.ts). */
export interface PgMigrationTarget {
  exec(sql: string): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  tx<T>(fn: (q: PgMigrationTarget) => Promise<T>): Promise<T>;
}

/**
 * Where Postgres records applied migrations: in the control-plane schema, which only the database owner may use.
 * Never in `public`: on Supabase every table the owner makes there is open to anon and authenticated (the project's
 * default privileges), and a client that deleted the rows would make every later migrate, and so every start, fail.
 */
export const PG_MIGRATIONS_TABLE = `seatpilot.${MIGRATIONS_TABLE}`;

/**
 * Creates the bookkeeping table, or moves an older build's `public.schema_migrations` into place with its rows, and
 * takes every privilege on it from everyone but the owner (a moved table keeps the grants Supabase gave it in
 * `public`). A `public.schema_migrations` of another tool (not our columns, or a first row that is not our
 * foundation) is left alone. Runs inside the caller's transaction, under the migrations lock.
 */
async function prepareBookkeeping(q: PgMigrationTarget): Promise<void> {
  await q.exec('CREATE SCHEMA IF NOT EXISTS seatpilot; REVOKE ALL ON SCHEMA seatpilot FROM PUBLIC');
  const [where] = await q.query<{ current: boolean; old: boolean }>(
    `SELECT to_regclass('${PG_MIGRATIONS_TABLE}') IS NOT NULL AS current, to_regclass('public.${MIGRATIONS_TABLE}') IS NOT NULL AS old`);
  if (!where?.current && where?.old && (await isOurOldBookkeeping(q))) {
    await q.exec(`ALTER TABLE public.${MIGRATIONS_TABLE} SET SCHEMA seatpilot`);
  } else {
    await q.exec(`CREATE TABLE IF NOT EXISTS ${PG_MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  }
  await q.exec(`DO $$
DECLARE g oid;
BEGIN
  FOR g IN SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = '${PG_MIGRATIONS_TABLE}'::regclass AND a.grantee <> c.relowner LOOP
    IF g = 0 THEN
      EXECUTE 'REVOKE ALL ON ${PG_MIGRATIONS_TABLE} FROM PUBLIC';
    ELSE
      EXECUTE format('REVOKE ALL ON ${PG_MIGRATIONS_TABLE} FROM %I', pg_get_userbyid(g));
    END IF;
  END LOOP;
END $$`);
}

async function isOurOldBookkeeping(q: PgMigrationTarget): Promise<boolean> {
  const cols = await q.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = 'public.${MIGRATIONS_TABLE}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
  const shape = cols.map((c) => `${c.name} ${c.type}`).join(', ');
  if (shape !== 'version integer, name text, applied_at timestamp with time zone') return false;
  const first = await q.query<{ name: string }>(`SELECT name FROM public.${MIGRATIONS_TABLE} ORDER BY version LIMIT 1`);
  // Empty: an older build made it and failed before its first migration; nothing of ours depends on it, so move it.
  return first.length === 0 || first[0]?.name === 'foundation';
}

export async function migratePostgres(db: PgMigrationTarget, known: Migration[] = loadMigrations(migrationsDir('postgres'))): Promise<MigrateReport> {
  const readApplied = async (q: PgMigrationTarget) => (await q.query<{ version: number }>(`SELECT version FROM ${PG_MIGRATIONS_TABLE}`)).map((r) => Number(r.version));
  // Replicas starting at once take turns, from the bookkeeping on: the move of an old table happens once.
  const lock = (q: PgMigrationTarget) => q.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
  await db.tx(async (q) => {
    await lock(q);
    await prepareBookkeeping(q);
  });
  const appliedNow: number[] = [];
  for (const m of planMigrations(known, await readApplied(db))) {
    await db.tx(async (q) => {
      // A migration may rewrite or index a big table: no statement timeout.
      await lock(q);
      await q.exec('SET LOCAL statement_timeout = 0');
      if ((await readApplied(q)).includes(m.version)) return; // another replica got there first
      await q.exec(m.sql);
      await q.query(`INSERT INTO ${PG_MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      appliedNow.push(m.version);
    });
  }
  const all = await readApplied(db);
  planMigrations(known, all);
  return { applied: appliedNow, version: all.length ? Math.max(...all) : 0 };
}

export function migrateSqlite(db: SqliteDatabase, known: Migration[]): MigrateReport {
  db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))`);
  const readApplied = () => (db.prepare(`SELECT version FROM ${MIGRATIONS_TABLE}`).all() as { version: number }[]).map((r) => r.version);
  const appliedNow: number[] = [];
  for (const m of planMigrations(known, readApplied())) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES (?, ?)`).run(m.version, m.name);
    })();
    appliedNow.push(m.version);
  }
  const all = readApplied();
  return { applied: appliedNow, version: all.length ? Math.max(...all) : 0 };
}
