// `seatpilot cloud member …` as cloud ops run it, and what it changes in a user's token: the claims the Custom Access
// Token Hook hands Supabase Auth. Real child processes on PGlite and on Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../tests/cli-run';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { openPglite, type Db } from './db';

describe.each(backends())('seatpilot cloud member on %s', (backend) => {
  let t: TestDatabase | undefined;
  let dataDir: string | undefined;
  let args: string[] = [];
  let env: Record<string, string | undefined> = {};

  beforeAll(async () => {
    if (backend === 'postgres') {
      t = await freshDatabase('postgres', { migrate: false });
      env = { DATABASE_URL: t.url };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'sp-members-'));
      args = ['--data', dataDir];
      env = { DATABASE_URL: undefined };
    }
  });
  afterAll(async () => t?.drop());

  const cli = (cmd: string[]) => runCli(['cloud', ...cmd, ...args], env);
  const json = async <T = Record<string, unknown>>(cmd: string[]): Promise<T> => {
    const r = await cli(cmd);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  // The database between commands (PGlite: the folder, once the command has let go of it).
  const withDatabase = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    if (t) return fn(t.db);
    const db = await openPglite(dataDir);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  const tokenClaims = (user: string) => withDatabase(async (db) => {
    const [r] = await db.query<{ claims: Record<string, unknown> }>(`SELECT seatpilot.custom_access_token_hook($1::jsonb) -> 'claims' AS claims`, [
      JSON.stringify({ user_id: user, claims: { sub: user, role: 'authenticated' } }),
    ]);
    return r!.claims;
  });

  it('maps a user to one tenant, which the next token carries at its top level, and takes it away again', async () => {
    const a = await json<{ id: string }>(['tenant', 'add', '--name', 'Gala Co']);
    const b = await json<{ id: string }>(['tenant', 'add', '--name', 'Other Co']);
    const user = randomUUID();
    expect(await tokenClaims(user)).toEqual({ sub: user, role: 'authenticated' });

    expect(await json(['member', 'add', '--tenant', a.id, '--user', user.toUpperCase()])).toMatchObject({ user_id: user, tenant_id: a.id, added: true });
    expect(await json(['member', 'add', '--tenant', a.id, '--user', user])).toMatchObject({ tenant_id: a.id, added: false });
    expect(await tokenClaims(user)).toEqual({ sub: user, role: 'authenticated', tenant_id: a.id });

    const moved = await cli(['member', 'add', '--tenant', b.id, '--user', user]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(`belongs to tenant "${a.id}"; remove it there first`);
    const badUser = await cli(['member', 'add', '--tenant', a.id, '--user', 'alice@example.com']);
    expect(badUser.code).toBe(1);
    expect(badUser.stderr).toContain('--user must be a Supabase Auth user id (a UUID)');
    const noTenant = await cli(['member', 'add', '--tenant', 'ten_nope', '--user', randomUUID()]);
    expect(noTenant.stderr).toContain('no tenant "ten_nope"');

    expect((await json<{ user_id: string }[]>(['member', 'list', '--tenant', a.id])).map((m) => m.user_id)).toEqual([user]);
    expect(await json(['member', 'remove', '--user', user])).toEqual({ user_id: user, removed: true, tenant_id: a.id });
    expect(await tokenClaims(user)).toEqual({ sub: user, role: 'authenticated' });
    expect(await json(['member', 'remove', '--user', user])).toEqual({ user_id: user, removed: false, tenant_id: null });
  }, 180_000); // a dozen commands, each opening the database anew (PGlite: a few seconds each)
});
