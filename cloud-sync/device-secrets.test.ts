// Device secrets in the cloud's database are sealed with a key file kept apart from it: a copy of the database alone
// cannot sign requests, a service started without the right key file stops naming it, rows stored before sealing are
// sealed at start. The same suite on PGlite (a data folder on disk) and on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from './app';
import { addDevice, addTenant, addVenue, rotateKey, type IssuedKey } from './admin';
import { openPglite, openPostgres, type Db } from './db';
import { revokeUnreadableKeys, sealStoredSecrets } from './device-secrets';
import { SecretBox, SecretKeyError } from '../node-kit/secret-box';
import { migratePostgres } from '../sql/migrate';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';
import { runCli } from '../tests/cli-run';

describe.each(backends())('device secrets at rest on %s', (backend) => {
  const root = mkdtempSync(join(tmpdir(), 'sp-device-secrets-'));
  const dataDir = join(root, 'cloud');
  /** The key file the service runs with: beside the data folder, as `seatpilot cloud --data DIR` finds it. */
  const keyFile = join(root, 'seatpilot-secrets.key');
  let pg: TestDatabase | undefined;
  let venueId: string;

  const open = async (file = keyFile, dir = dataDir): Promise<Db> => {
    const secrets = SecretBox.load(file);
    const db = backend === 'pglite' ? await openPglite(dir, { secrets }) : openPostgres(pg!.url!, { secrets });
    await migratePostgres(db);
    return db;
  };
  const withDb = async <T>(fn: (db: Db) => Promise<T>, file?: string, dir?: string): Promise<T> => {
    const db = await open(file, dir);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  const post = async (db: Db, key: TestKey, secret = key.secret) => {
    const { app } = await buildApp({ db });
    try {
      return await signedInject(app, key, 'POST', '/v1/events', batchOf([checkinEvent(key)]), { secret });
    } finally {
      await app.close();
    }
  };
  const storedSecret = async (db: Db, keyId: string) => (await db.query<{ secret: string }>('SELECT secret FROM seatpilot.device_keys WHERE key_id = $1', [keyId]))[0]!.secret;
  const cloudEnv = () => (backend === 'postgres' ? { DATABASE_URL: pg!.url } : { DATABASE_URL: undefined });

  beforeAll(async () => {
    if (backend === 'postgres') pg = await freshDatabase('postgres', { migrate: false });
    venueId = await withDb(async (db) => (await addVenue(db, (await addTenant(db, 'Sealed Co')).id, 'Hall')).id);
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it('stores a value that is not the secret: signing with what the database holds is refused, the device itself is accepted', async () => {
    await withDb(async (db) => {
      const kiosk = await addDevice(db, venueId, 'kiosk');
      const stored = await storedSecret(db, kiosk.key_id);
      expect(stored).toMatch(/^sk1\./);
      expect(stored).not.toContain(kiosk.secret);
      expect(stored).not.toContain(kiosk.secret.slice(4, 20));
      expect((await post(db, kiosk)).statusCode).toBe(200);
      const forged = await post(db, kiosk, stored);
      expect([forged.statusCode, forged.json().error]).toEqual([401, 'bad_signature']);
    });
  });

  it('a copy of the database without its key file cannot be started: the service stops naming the key file, no secret printed', async () => {
    const kiosk = await withDb((db) => addDevice(db, venueId, 'kiosk'));
    // PGlite: the data folder copied elsewhere, so the key file beside it is not there. Postgres: another key file.
    const copyRoot = mkdtempSync(join(tmpdir(), 'sp-device-secrets-copy-'));
    const copyDir = join(copyRoot, 'cloud');
    if (backend === 'pglite') cpSync(dataDir, copyDir, { recursive: true });
    const otherKeyFile = join(copyRoot, 'seatpilot-secrets.key');
    const err = await withDb((db) => sealStoredSecrets(db), otherKeyFile, copyDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretKeyError);
    expect((err as Error).message).toMatch(new RegExp(`device keys? in use \\(key_\\w+.*\\) do(es)? not open with the secret key file ${otherKeyFile} \\(it holds key \\w{12}; sealed with ${SecretBox.load(keyFile).fingerprint}\\)`));

    const env = { ...cloudEnv(), SEATPILOT_SECRET_KEY_FILE: otherKeyFile };
    const r = await runCli(['cloud', '--port', '0', '--data', copyDir], env);
    expect(r.code, r.stdout + r.stderr).toBe(78);
    expect(r.stderr.trim()).toMatch(new RegExp(`^seatpilot cloud: \\d+ device keys? in use .* ${otherKeyFile} .*seatpilot cloud key revoke-unreadable\` revokes those keys, then pair the devices again$`));
    expect(r.stderr).not.toContain(kiosk.secret);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('seals a secret stored before sealing at the next start, and the device keeps working throughout', async () => {
    let kiosk!: IssuedKey;
    await withDb(async (db) => {
      kiosk = await addDevice(db, venueId, 'kiosk');
      // As an older release left it.
      await db.query('UPDATE seatpilot.device_keys SET secret = $2 WHERE key_id = $1', [kiosk.key_id, kiosk.secret]);
      expect((await post(db, kiosk)).statusCode).toBe(200);
    });
    const r = await runCli(['cloud', 'migrate', '--data', dataDir], { ...cloudEnv(), SEATPILOT_SECRET_KEY_FILE: keyFile });
    expect(r.code, r.stderr).toBe(0);
    await withDb(async (db) => {
      const stored = await storedSecret(db, kiosk.key_id);
      expect(stored).toMatch(/^sk1\./);
      expect(stored).not.toContain(kiosk.secret);
      expect((await post(db, kiosk)).statusCode).toBe(200);
      expect(await sealStoredSecrets(db)).toEqual({ sealed: 0 });
    });
  });

  it('keeps rotation as it was: both keys sign for 24 h, and each is sealed', async () => {
    await withDb(async (db) => {
      const kiosk = await addDevice(db, venueId, 'kiosk');
      const next = await rotateKey(db, kiosk.device_id);
      expect(await storedSecret(db, next.key_id)).toMatch(/^sk1\./);
      expect((await post(db, kiosk)).statusCode).toBe(200);
      expect((await post(db, { ...kiosk, key_id: next.key_id, secret: next.secret })).statusCode).toBe(200);
    });
  });

  it('after a lost key file, revoke-unreadable lets the service start again and devices pair again', async () => {
    const before = await withDb((db) => addDevice(db, venueId, 'kiosk'));
    const lostRoot = mkdtempSync(join(tmpdir(), 'sp-device-secrets-lost-'));
    const newKeyFile = join(lostRoot, 'seatpilot-secrets.key');
    const lostDir = join(lostRoot, 'cloud');
    if (backend === 'pglite') cpSync(dataDir, lostDir, { recursive: true });
    const old = await withDb(async (db) => (await db.query<{ key_id: string }>(`SELECT key_id FROM seatpilot.device_keys WHERE status <> 'revoked' ORDER BY key_id`)).map((r) => r.key_id));
    await withDb(async (db) => {
      await expect(sealStoredSecrets(db)).rejects.toThrow(SecretKeyError);
      expect(old).toContain(before.key_id);
      expect((await revokeUnreadableKeys(db)).revoked.sort()).toEqual(old);
      const refused = await post(db, before);
      expect([refused.statusCode, refused.json().error]).toEqual([401, 'revoked_key']);
      expect(await sealStoredSecrets(db)).toEqual({ sealed: 0 });
      const paired = await addDevice(db, venueId, 'kiosk');
      expect((await post(db, paired)).statusCode).toBe(200);
    }, newKeyFile, lostDir);
  });
});
