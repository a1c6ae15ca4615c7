import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migratePostgres, migrateSqlite, MigrationError, planMigrations, type Migration } from './migrate';
import { loadVenueMigrations } from '../venue-store/migrations';
import { backends, freshDatabase, type BackendName, type TestDatabase } from '../tests/pg-backends';

const m = (version: number): Migration => ({ version, name: `m${version}`, sql: '' });

describe('planMigrations', () => {
  it('returns what is pending, in order', () => {
    expect(planMigrations([m(1), m(2), m(3)], [1]).map((x) => x.version)).toEqual([2, 3]);
    expect(planMigrations([m(1), m(2)], [1, 2])).toEqual([]);
  });
  it('refuses a database newer than the build', () => {
    expect(() => planMigrations([m(1), m(2)], [1, 2, 3])).toThrow(/schema version 3, newer than this build knows \(2\)/);
  });
  it('accepts a newer database whose migrations keep this build working, and names the one that does not', () => {
    const rows = [{ version: 1 }, { version: 2 }, { version: 3, compatibleWith: 1 }, { version: 4, compatibleWith: 2 }];
    expect(planMigrations([m(1), m(2)], rows)).toEqual([]);
    expect(planMigrations([m(1), m(2), m(3)], rows)).toEqual([]);
    expect(() => planMigrations([m(1)], rows)).toThrow(/knows \(1\), and needs a build of schema version 2 or newer \(migration 0002 is not backward-compatible\)/);
    const compatBack = [{ version: 1 }, { version: 2, compatibleWith: 1 }, { version: 3, compatibleWith: 2 }];
    expect(() => planMigrations([m(1)], compatBack)).toThrow(/at schema version 3, newer than this build knows \(1\), and needs a build of schema version 2 or newer \(migration 0003 is compatible back to 0002 only\)/);
    // An unknown row without a recorded compatibility (an older runner's) is taken as not backward-compatible.
    expect(() => planMigrations([m(1), m(2)], [{ version: 1 }, { version: 2 }, { version: 3, compatibleWith: null }])).toThrow(/needs a build of schema version 3/);
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
  it('reads "-- compatible-with: NNNN" from the comments at the top, and refuses a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-mig-'));
    writeFileSync(join(dir, '0001_a.sql'), 'select 1');
    writeFileSync(join(dir, '0002_b.sql'), '-- b: a new table\n-- compatible-with: 0001\nselect 1');
    writeFileSync(join(dir, '0003_c.sql'), 'select 1;\n-- compatible-with: 0001\n');
    expect(loadMigrations(dir).map((x) => x.compatibleWith)).toEqual([1, 1, 3]);
    writeFileSync(join(dir, '0004_d.sql'), '-- compatible-with: 0005\nselect 1');
    expect(() => loadMigrations(dir)).toThrow(/0004_d\.sql: "compatible-with: 0005" must name a schema version from 0001 to 0004/);
    writeFileSync(join(dir, '0004_d.sql'), '-- compatible-with: 17\nselect 1');
    expect(() => loadMigrations(dir)).toThrow(/four-digit schema version/);
  });
  it('marks the shipped migrations as reviewed: expanding ones compatible with the previous build, the others not', () => {
    const of = (all: Migration[], from: number) => Object.fromEntries(all.filter((x) => x.version >= from).map((x) => [x.version, x.compatibleWith]));
    // 0017 new tables; 0018 a trigger refusing the old build's unchained audit inserts; 0019 rebuilt KPI views and a
    // detector backfill that an old build's reverts would miss; 0020 only adds, but the 0019 build refuses the desk's events.
    expect(of(loadMigrations(join(import.meta.dirname, 'postgres')), 17)).toEqual({ 17: 16, 18: 18, 19: 19, 20: 20 });
    // 0009 new tables; 0010 a nullable column; 0011 added columns (null or defaulted) and new tables; 0012 a trigger
    // that lets the audit head move by a batch, which the 0011 build's one-at-a-time moves still keep to.
    expect(of(loadVenueMigrations(), 9)).toEqual({ 9: 8, 10: 9, 11: 10, 12: 11 });
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
  it('a file migrated by this build accepts the previous build where the last migration allows it, refuses the one before', () => {
    const shipped = loadVenueMigrations();
    const latest = shipped.length;
    const db = new Database(':memory:');
    expect(migrateSqlite(db, shipped).version).toBe(latest);
    // The previous build (its migrations are this build's but the last) opens it: nothing to apply.
    expect(migrateSqlite(db, shipped.slice(0, latest - 1))).toEqual({ applied: [], version: latest });
    expect(() => migrateSqlite(db, shipped.slice(0, latest - 2))).toThrow(new RegExp(`at schema version ${latest}, newer than this build knows \\(${latest - 2}\\), and needs a build of schema version ${latest - 1} or newer`));
    // Rolled forward again, the newer build carries on as if nothing happened.
    expect(migrateSqlite(db, shipped)).toEqual({ applied: [], version: latest });
    db.close();
  });
  it('upgrades an older runner\'s bookkeeping in place, filling in what it knows', () => {
    const shipped = loadVenueMigrations();
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))`);
    for (const x of shipped) {
      db.exec(x.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(x.version, x.name, '2026-01-01T00:00:00.000Z');
    }
    expect(migrateSqlite(db, shipped)).toEqual({ applied: [], version: shipped.length });
    const rows = db.prepare('SELECT version, compatible_with AS c, applied_at FROM schema_migrations WHERE version >= 9 ORDER BY version').all();
    expect(rows).toEqual([9, 10, 11, 12].map((v) => ({ version: v, c: v - 1, applied_at: '2026-01-01T00:00:00.000Z' })));
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations WHERE compatible_with IS NULL').get()).toEqual({ n: 0 });
    expect(migrateSqlite(db, shipped.slice(0, -1)).applied).toEqual([]);
    expect(db.prepare('SELECT seq FROM audit_head').get()).toEqual({ seq: 0 });
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

/** Empty databases (no migration run), one per call; all dropped after the describe block that asked for them. */
function unmigratedDatabases(backend: BackendName): () => Promise<TestDatabase['db']> {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const t of dbs) await t.drop();
  });
  return async () => {
    const t = await freshDatabase(backend, { migrate: false });
    dbs.push(t);
    return t.db;
  };
}

describe.each(backends())('rolling back a build on %s', (backend) => {
  const shipped = loadMigrations(join(import.meta.dirname, 'postgres'));
  const latest = shipped.length;
  const fresh = unmigratedDatabases(backend);
  const build = (version: number) => shipped.slice(0, version);

  it('a database migrated by this build refuses the previous build (0020 says it may not), naming both, and keeps its rows', async () => {
    const db = await fresh();
    expect((await migratePostgres(db)).version).toBe(latest);
    await db.query("INSERT INTO seatpilot.tenants (id, name) VALUES ('ten_rb', 'Rolled back')");
    await expect(migratePostgres(db, build(latest - 1))).rejects.toThrow(
      new RegExp(`at schema version ${latest}, newer than this build knows \\(${latest - 1}\\), and needs a build of schema version ${latest} or newer \\(migration ${String(latest).padStart(4, '0')} is not backward-compatible\\)`));
    expect(await migratePostgres(db)).toEqual({ applied: [], version: latest });
    expect(await db.query("SELECT name FROM seatpilot.tenants WHERE id = 'ten_rb'")).toEqual([{ name: 'Rolled back' }]);
  });

  it('at 0017 the 0016 build is accepted; at 0018 the 0017 build is refused', async () => {
    const db = await fresh();
    await migratePostgres(db, build(17));
    expect((await migratePostgres(db, build(16))).applied).toEqual([]);
    await migratePostgres(db, build(18));
    await expect(migratePostgres(db, build(17))).rejects.toThrow(/at schema version 18, newer than this build knows \(17\), and needs a build of schema version 18 or newer \(migration 0018 is not backward-compatible\)/);
  });

  it('adds the column to an older runner\'s table in place and fills it from the files it knows', async () => {
    const db = await fresh();
    await migratePostgres(db);
    await db.exec('ALTER TABLE seatpilot.schema_migrations DROP COLUMN compatible_with');
    // Until a build that knows the files has run, 0020 cannot vouch for the previous build.
    await expect(migratePostgres(db, build(latest - 1))).rejects.toThrow(/needs a build of schema version 20 or newer/);
    await migratePostgres(db);
    const rows = await db.query<{ version: number; c: number | null }>('SELECT version, compatible_with AS c FROM seatpilot.schema_migrations WHERE version >= 16 ORDER BY version');
    expect(rows).toEqual([{ version: 16, c: 16 }, { version: 17, c: 16 }, { version: 18, c: 18 }, { version: 19, c: 19 }, { version: 20, c: 20 }]);
    // Filled from the files: the 0017 build is then accepted on a database at 0017 (shown above) and 0020 refuses 0019.
    await expect(migratePostgres(db, build(latest - 1))).rejects.toThrow(/migration 0020 is not backward-compatible/);
  });
});

describe.each(backends())('the migration bookkeeping on %s', (backend) => {
  const shipped = loadMigrations(join(import.meta.dirname, 'postgres'));
  const fresh = unmigratedDatabases(backend);

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
