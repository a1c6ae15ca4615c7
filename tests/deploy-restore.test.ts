// The restore of docs/runbooks/deploy.md, done as written on the real PostgreSQL: a pg_dump taken before an upgrade
// (schema 0019) is restored with pg_restore --exit-on-error into a new database of the cluster after the upgrade ran;
// the previous build's runner accepts it as its own (nothing to apply), a device paired before the backup signs again
// with its secret (sealed in the dump, opened with the same key file), and `seatpilot smoke --cloud` passes against a
// cloud started on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { openPostgres, type Db } from '../cloud-sync/db';
import { SecretBox } from '../node-kit/secret-box';
import { signRequest } from '../core/signing/signing';
import { loadMigrations, migratePostgres, migrationsDir } from '../sql/migrate';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { exited, runCli, startCli } from './cli-run';
import { requireTool } from './tools';

const onPostgres = backends().includes('postgres');
const pgDump = requireTool('pg_dump', 'postgresql-client');
const pgRestore = requireTool('pg_restore', 'postgresql-client');

describe.skipIf(!onPostgres || !pgDump || !pgRestore)('restoring the backup taken before an upgrade', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-restore-'));
  const keyFile = join(dir, 'seatpilot-secrets.key');
  const dump = join(dir, 'before-upgrade.dump');
  const shipped = loadMigrations(migrationsDir('postgres'));
  const before = shipped.length - 1;
  let live: TestDatabase;
  let restoredUrl: string;
  let restored: Db;
  let cloud: ChildProcess | undefined;
  let door: IssuedKey;

  beforeAll(async () => {
    live = await freshDatabase('postgres', { migrate: false });
    const db = openPostgres(live.url!, { secrets: SecretBox.load(keyFile) });
    try {
      await migratePostgres(db, shipped.slice(0, before));
      const tenant = await addTenant(db, 'Before');
      door = await addDevice(db, (await addVenue(db, tenant.id, 'Hall')).id, 'kiosk');
      const made = spawnSync(pgDump!, ['--format=custom', `--file=${dump}`, live.url!], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      // The upgrade, then the decision to go back by restoring.
      await migratePostgres(db);
    } finally {
      await db.close();
    }
    restoredUrl = live.url!.replace(/\/(sp_test_\w+)$/, '/$1_restored');
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${new URL(restoredUrl).pathname.slice(1)}`);
    } finally {
      await admin.end();
    }
    const r = spawnSync(pgRestore!, ['--exit-on-error', `--dbname=${restoredUrl}`, dump], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    restored = openPostgres(restoredUrl, { secrets: SecretBox.load(keyFile, { create: false }) });
  }, 180_000);

  afterAll(async () => {
    if (cloud?.pid && cloud.exitCode === null) {
      cloud.kill('SIGTERM');
      await exited(cloud);
    }
    await restored?.close();
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      if (restoredUrl) await admin.query(`DROP DATABASE IF EXISTS ${new URL(restoredUrl).pathname.slice(1)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await live?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the previous build\'s database again: its runner applies nothing; this build\'s upgrades it', async () => {
    expect(await restored.query('SELECT max(version) AS v FROM seatpilot.schema_migrations')).toEqual([{ v: before }]);
    expect(await migratePostgres(restored, shipped.slice(0, before))).toEqual({ applied: [], version: before });
    expect(await restored.query("SELECT name FROM seatpilot.tenants WHERE name = 'Before'")).toEqual([{ name: 'Before' }]);
  });

  it('serves the devices paired before the backup, and passes the smoke', async () => {
    const started = await startCli(['cloud', 'serve', '--port', '0', '--data', join(dir, 'data')], /background passes (on|off)/, {
      DATABASE_URL: restoredUrl, SEATPILOT_SECRET_KEY_FILE: keyFile, SEATPILOT_BACKGROUND: 'off', LOG_LEVEL: 'warn', NOTIFY_SOCKET: undefined,
    });
    cloud = started.child;
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]!;
    const headers = await signRequest({ keyId: door.key_id, secret: door.secret, method: 'GET', pathWithQuery: '/v1/sync?limit=1' });
    const page = await fetch(`${base}/v1/sync?limit=1`, { headers: { ...headers } });
    expect(page.status, await page.clone().text()).toBe(200);
    writeFileSync(join(dir, 'cloud.env'), `DATABASE_URL=${restoredUrl}\n`);
    const smoke = await runCli(['smoke', '--cloud', base, '--env-file', join(dir, 'cloud.env')], { DATABASE_URL: undefined }, 90_000);
    expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
    expect(smoke.stdout).toMatch(new RegExp(`schema version ${shipped.length} `));
  }, 120_000);
});
