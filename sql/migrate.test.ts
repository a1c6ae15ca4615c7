import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migratePostgres, migrateSqlite, MigrationError, planMigrations, type Migration } from './migrate';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';

const m = (version: number): Migration => ({ version, name: `m${version}`, sql: '' });

describe('planMigrations', () => {
  it('returns what is pending, in order', () => {
    expect(planMigrations([m(1), m(2), m(3)], [1]).map((x) => x.version)).toEqual([2, 3]);
    expect(planMigrations([m(1), m(2)], [1, 2])).toEqual([]);
  });
  it('refuses a database newer than the build', () => {
    expect(() => planMigrations([m(1), m(2)], [1, 2, 3])).toThrow(/schema version 3, newer than this build knows \(2\)/);
  });
});

describe('loadMigrations', () => {
  it('refuses gaps and badly named files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-mig-'));
    writeFileSync(join(dir, '0001_a.sql'), 'select 1');
    writeFileSync(join(dir, '0003_c.sql'), 'select 1');
    expect(() => loadMigrations(dir)).toThrow(MigrationError);
    const dir2 = mkdtempSync(join(tmpdir(), 'sp-mig-'));
    writeFileSync(join(dir2, '1_a.sql'), 'select 1');
    expect(() => loadMigrations(dir2)).toThrow(/NNNN_name\.sql/);
  });
  it('loads the shipped postgres migrations', () => {
    const all = loadMigrations(join(import.meta.dirname, 'postgres'));
    expect(all[0]).toMatchObject({ version: 1, name: 'foundation' });
  });
});

describe('migrateSqlite', () => {
  it('applies in order, records versions, keeps rows across an upgrade, and refuses a newer database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-mig-'));
    mkdirSync(join(dir, 'v1'));
    const v1: Migration[] = [{ version: 1, name: 'people', sql: 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);' }];
    const v2: Migration[] = [...v1, { version: 2, name: 'people_email', sql: "ALTER TABLE people ADD COLUMN email TEXT NOT NULL DEFAULT '';" }];
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    expect(migrateSqlite(db, v1)).toEqual({ applied: [1], version: 1 });
    db.prepare('INSERT INTO people (name) VALUES (?)').run('Ana');
    expect(migrateSqlite(db, v2)).toEqual({ applied: [2], version: 2 });
    expect(db.prepare('SELECT name, email FROM people').all()).toEqual([{ name: 'Ana', email: '' }]);
    expect(() => migrateSqlite(db, v1)).toThrow(/newer than this build/);
    db.close();
  });
  it('rolls back a failing migration whole', () => {
    const db = new Database(':memory:');
    const bad: Migration[] = [{ version: 1, name: 'bad', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (x INTEGER);' }];
    expect(() => migrateSqlite(db, bad)).toThrow();
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
  });
});

describe.each(backends())('migratePostgres on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('applies the shipped migrations once, then is a no-op', async () => {
    const first = await migratePostgres(t.db);
    expect(first.applied[0]).toBe(1);
    expect((await migratePostgres(t.db)).applied).toEqual([]);
    const tables = await t.db.query<{ t: string }>("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('seatpilot', 'telemetry') ORDER BY 1");
    expect(tables.map((r) => r.t)).toEqual(expect.arrayContaining(['seatpilot.device_keys', 'telemetry.events_raw', 'telemetry.events_dlq', 'telemetry.nonces']));
  });

  it('keeps rows through a later migration and refuses a newer database', async () => {
    const shipped = (await import('./migrate')).loadMigrations(join(import.meta.dirname, 'postgres'));
    await t.db.query("INSERT INTO seatpilot.tenants (id, name) VALUES ('ten_keep', 'Keep me')");
    const next = shipped.length + 1;
    const extra: Migration = { version: next, name: 'extra', sql: "ALTER TABLE seatpilot.tenants ADD COLUMN plan text NOT NULL DEFAULT 'free';" };
    expect((await migratePostgres(t.db, [...shipped, extra])).applied).toEqual([next]);
    expect(await t.db.query("SELECT name, plan FROM seatpilot.tenants WHERE id = 'ten_keep'")).toEqual([{ name: 'Keep me', plan: 'free' }]);
    await expect(migratePostgres(t.db, shipped)).rejects.toThrow(/newer than this build/);
  });
});

describe.each(backends())('the migration bookkeeping on %s', (backend) => {
  const shipped = loadMigrations(join(import.meta.dirname, 'postgres'));
  const dbs: TestDatabase[] = [];
  const fresh = async () => {
    const t = await freshDatabase(backend, { migrate: false });
    dbs.push(t);
    return t.db;
  };
  afterAll(async () => {
    for (const t of dbs) await t.drop();
  });

  it('moves an older build\'s public.schema_migrations, rows and all, into seatpilot and carries on from it', async () => {
    const db = await fresh();
    await db.exec('CREATE TABLE public.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of shipped.slice(0, 4)) {
      await db.exec(m.sql);
      await db.query(`INSERT INTO public.schema_migrations (version, name, applied_at) VALUES ($1, $2, '2025-03-01T00:00:00Z')`, [m.version, m.name]);
    }
    await db.query("INSERT INTO seatpilot.tenants (id, name) VALUES ('ten_old', 'From before')");
    const report = await migratePostgres(db);
    expect(report.applied).toEqual(shipped.slice(4).map((m) => m.version));
    expect(await db.query(`SELECT to_regclass('public.schema_migrations') AS t`)).toEqual([{ t: null }]);
    const rows = await db.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM seatpilot.schema_migrations WHERE version <= 4 ORDER BY version');
    expect(rows.map((r) => [r.version, new Date(r.applied_at).toISOString()])).toEqual([1, 2, 3, 4].map((v) => [v, '2025-03-01T00:00:00.000Z']));
    expect(await db.query("SELECT name FROM seatpilot.tenants WHERE id = 'ten_old'")).toEqual([{ name: 'From before' }]);
  });

  it('leaves another tool\'s public.schema_migrations alone', async () => {
    const db = await fresh();
    await db.exec("CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO public.schema_migrations VALUES (20240101, false)");
    expect((await migratePostgres(db)).version).toBe(shipped.length);
    expect(await db.query('SELECT version, dirty FROM public.schema_migrations')).toEqual([{ version: 20240101, dirty: false }]);
    expect(await db.query('SELECT count(*)::int AS n FROM seatpilot.schema_migrations')).toEqual([{ n: shipped.length }]);
  });
});
