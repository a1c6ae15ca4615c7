// Numbered, forward-only SQL migrations: loading, planning and applying, for Postgres/PGlite and for SQLite.
//
// Expand, then contract: each migration says, in a `-- compatible-with: NNNN` line among the comments at its top, the
// oldest schema version whose build still runs correctly after it (an added nullable column or a new table leaves the
// previous build working; a rebuilt view, a trigger that refuses the old writers or a renamed column does not). Without
// the line a migration is compatible with itself only. The runner records the value beside the version, and a build
// refuses a database only when the database's oldest compatible build is newer than the build's own latest migration:
// so a release whose migrations all expand can be rolled back without a restore (docs/runbooks/deploy.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { ADVISORY_LOCKS } from './advisory-locks';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** The oldest schema version whose build keeps working once this migration is applied; absent: `version` itself. */
  compatibleWith?: number;
}

/** A migration as the database records it. */
export interface AppliedMigration {
  version: number;
  /** Null in rows written before the runner recorded it, for a version this build does not know: taken as `version`. */
  compatibleWith?: number | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const MIGRATIONS_TABLE = 'schema_migrations';
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const COMPATIBLE_WITH = /^--\s*compatible-with:\s*(\S*)\s*$/;

const pad = (v: number) => String(v).padStart(4, '0');

/** The `-- compatible-with: NNNN` line among the comment lines that open the file, checked; else the version itself. */
export function compatibleWithOf(file: string, version: number, sql: string): number {
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const m = COMPATIBLE_WITH.exec(trimmed);
    if (!m) continue;
    if (!/^\d{4}$/.test(m[1] as string)) throw new MigrationError(`${file}: "compatible-with" must be a four-digit schema version (like 0017), not "${m[1]}"`);
    const v = Number(m[1]);
    if (v < 1 || v > version) throw new MigrationError(`${file}: "compatible-with: ${m[1]}" must name a schema version from 0001 to ${pad(version)} (this migration's own)`);
    return v;
  }
  return version;
}

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
    const version = Number(m[1]);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: m[2] as string, sql, compatibleWith: compatibleWithOf(file, version, sql) };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations in ${dir} must be numbered 0001, 0002, … without gaps; found ${String(m.version).padStart(4, '0')} at position ${i + 1}`);
  });
  return migrations;
}

/**
 * What to apply, or a refusal when the database needs a newer build than this one: its oldest compatible build (the
 * highest `compatible-with` of the migrations applied) is newer than this build's latest migration. A database merely
 * newer than the build, by migrations that all keep this build working, is accepted: nothing to apply. Pure.
 */
export function planMigrations(known: Migration[], applied: Array<number | AppliedMigration>): Migration[] {
  const latestKnown = known.length ? (known[known.length - 1] as Migration).version : 0;
  const rows = applied.map((a) => (typeof a === 'number' ? { version: a, compatibleWith: null } : a));
  const latestApplied = rows.length ? Math.max(...rows.map((r) => r.version)) : 0;
  if (latestApplied > latestKnown) {
    // The migration that asks the most of a build decides, and the first such is named: the one that broke compatibility.
    let needs = 0;
    let by = 0;
    for (const r of rows) {
      const c = r.compatibleWith ?? r.version;
      if (c > needs || (c === needs && r.version < by)) [needs, by] = [c, r.version];
    }
    if (needs > latestKnown) {
      throw new MigrationError(`the database is at schema version ${latestApplied}, newer than this build knows (${latestKnown}), and needs a build of schema version ${needs} or newer (migration ${pad(by)} ${needs === by ? 'is not backward-compatible' : `is compatible back to ${pad(needs)} only`}); run a build of schema version ${needs} or newer, or restore the backup taken before the upgrade (docs/runbooks/deploy.md)`);
    }
  }
  const done = new Set(rows.map((r) => r.version));
  return known.filter((m) => !done.has(m.version));
}

/** What to record for rows an older runner wrote without it: the known files' judgement (their SQL is the same). */
function backfillOf(known: Migration[]): { versions: number[]; compatibleWith: number[] } {
  return { versions: known.map((m) => m.version), compatibleWith: known.map((m) => m.compatibleWith ?? m.version) };
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
async function prepareBookkeeping(q: PgMigrationTarget, known: Migration[]): Promise<void> {
  await q.exec('CREATE SCHEMA IF NOT EXISTS seatpilot; REVOKE ALL ON SCHEMA seatpilot FROM PUBLIC');
  const [where] = await q.query<{ current: boolean; old: boolean }>(
    `SELECT to_regclass('${PG_MIGRATIONS_TABLE}') IS NOT NULL AS current, to_regclass('public.${MIGRATIONS_TABLE}') IS NOT NULL AS old`);
  if (!where?.current && where?.old && (await isOurOldBookkeeping(q))) {
    await q.exec(`ALTER TABLE public.${MIGRATIONS_TABLE} SET SCHEMA seatpilot`);
  } else {
    await q.exec(`CREATE TABLE IF NOT EXISTS ${PG_MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), compatible_with integer)`);
  }
  // A table made or moved by an older runner gets the column in place, its rows null until filled from known files.
  const [has] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = '${PG_MIGRATIONS_TABLE}'::regclass AND attname = 'compatible_with' AND NOT attisdropped`);
  if (!has?.n) await q.exec(`ALTER TABLE ${PG_MIGRATIONS_TABLE} ADD COLUMN compatible_with integer`);
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
  const fill = backfillOf(known);
  if (fill.versions.length) {
    await q.query(`UPDATE ${PG_MIGRATIONS_TABLE} t SET compatible_with = k.c FROM unnest($1::int[], $2::int[]) AS k(v, c)
                    WHERE t.version = k.v AND t.compatible_with IS NULL`, [fill.versions, fill.compatibleWith]);
  }
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
  const readApplied = async (q: PgMigrationTarget): Promise<AppliedMigration[]> =>
    (await q.query<{ version: number; compatible_with: number | null }>(`SELECT version, compatible_with FROM ${PG_MIGRATIONS_TABLE}`))
      .map((r) => ({ version: Number(r.version), compatibleWith: r.compatible_with === null ? null : Number(r.compatible_with) }));
  // Replicas starting at once take turns, from the bookkeeping on: the move of an old table happens once.
  const lock = (q: PgMigrationTarget) => q.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
  await db.tx(async (q) => {
    await lock(q);
    await prepareBookkeeping(q, known);
  });
  const appliedNow: number[] = [];
  for (const m of planMigrations(known, await readApplied(db))) {
    await db.tx(async (q) => {
      // A migration may rewrite or index a big table: no statement timeout.
      await lock(q);
      await q.exec('SET LOCAL statement_timeout = 0');
      if ((await readApplied(q)).some((a) => a.version === m.version)) return; // another replica got there first
      await q.exec(m.sql);
      await q.query(`INSERT INTO ${PG_MIGRATIONS_TABLE} (version, name, compatible_with) VALUES ($1, $2, $3)`, [m.version, m.name, m.compatibleWith ?? m.version]);
      appliedNow.push(m.version);
    });
  }
  const all = await readApplied(db);
  planMigrations(known, all);
  return { applied: appliedNow, version: latestOf(all) };
}

const latestOf = (rows: AppliedMigration[]) => (rows.length ? Math.max(...rows.map((r) => r.version)) : 0);

export function migrateSqlite(db: SqliteDatabase, known: Migration[]): MigrateReport {
  db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), compatible_with INTEGER)`);
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${MIGRATIONS_TABLE}')`).pluck().all() as string[];
  if (!columns.includes('compatible_with')) db.exec(`ALTER TABLE ${MIGRATIONS_TABLE} ADD COLUMN compatible_with INTEGER`);
  const fill = backfillOf(known);
  const unfilled = new Set(db.prepare(`SELECT version FROM ${MIGRATIONS_TABLE} WHERE compatible_with IS NULL`).pluck().all() as number[]);
  const setCompat = db.prepare(`UPDATE ${MIGRATIONS_TABLE} SET compatible_with = ? WHERE version = ? AND compatible_with IS NULL`);
  // Written only when a row needs it: opening an up-to-date file writes nothing here.
  db.transaction(() => fill.versions.forEach((v, i) => unfilled.has(v) && setCompat.run(fill.compatibleWith[i], v)))();
  const readApplied = () => (db.prepare(`SELECT version, compatible_with AS compatibleWith FROM ${MIGRATIONS_TABLE}`).all() as AppliedMigration[]);
  const appliedNow: number[] = [];
  for (const m of planMigrations(known, readApplied())) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, compatible_with) VALUES (?, ?, ?)`).run(m.version, m.name, m.compatibleWith ?? m.version);
    })();
    appliedNow.push(m.version);
  }
  return { applied: appliedNow, version: latestOf(readApplied()) };
}
