// `seatpilot cloud user …` as an operator runs it, on PGlite and on Postgres; the link it prints then sets a password and
// signs in through the console's API on the same database. The first `user add` is a real child process on
// realProcessBackend() (bin, tsx, parsing, the link on stdout); the other commands run in-process on the same database
// (tests/fixtures/cli-inprocess.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../../tests/cli-run';
import { inProcessCli, realProcessBackend, type InProcessCli } from '../../../tests/fixtures/cli-inprocess';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { buildApp } from '../../app';

describe.each(backends())('seatpilot cloud user on %s', (backend) => {
  let t: TestDatabase | undefined;
  let dataDir: string | undefined;
  let args: string[] = [];
  let env: Record<string, string | undefined> = {};
  let inProcess: InProcessCli;
  const real = backend === realProcessBackend();

  beforeAll(async () => {
    if (backend === 'postgres') {
      t = await freshDatabase('postgres', { migrate: false });
      env = { DATABASE_URL: t.url, SEATPILOT_CONSOLE_URL: 'https://console.example.com' };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'sp-cloud-user-'));
      args = ['--data', dataDir];
      env = { DATABASE_URL: undefined, SEATPILOT_CONSOLE_URL: 'https://console.example.com' };
    }
    inProcess = inProcessCli({ dataDir, env });
  });
  afterAll(async () => {
    await inProcess.close();
    await t?.drop();
  });

  /** In-process; `spawned` runs the real `seatpilot` child process. */
  const cli = (cmd: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> => inProcess.run(['cloud', ...cmd, ...args], extra);
  const spawned = (cmd: string[]): Promise<CliResult> => runCli(['cloud', ...cmd, ...args], env);
  const json = async (cmd: string[], extra: Record<string, string | undefined> = {}, runner = cli) => {
    const r = await runner(cmd, extra);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it('adds accounts with a link, lists them, keeps the last owner, replaces links, and the link signs in', async () => {
    const tenant = (await json(['tenant', 'add', '--name', 'CLI Events'])) as { id: string };
    if (real) await inProcess.close(); // one process at a time on a PGlite folder: the child's now
    const owner = await json(['user', 'add', '--tenant', tenant.id, '--email', ' Boss@CLI.example ', '--role', 'owner'], {}, real ? spawned : cli);
    expect(owner).toMatchObject({ email: 'boss@cli.example', link: expect.stringMatching(/^https:\/\/console\.example\.com\/console\/#\/set-password\/[A-Za-z0-9_-]{43}$/) });
    expect(Date.parse(owner.expires_at as string) - Date.now()).toBeGreaterThan(71 * 3600_000);
    const planner = await json(['user', 'add', '--tenant', tenant.id, '--email', 'plan@cli.example', '--role', 'planner', '--base-url', 'http://10.0.0.5:8080/', '--ttl-hours', '2']);
    expect(planner.link).toMatch(/^http:\/\/10\.0\.0\.5:8080\/console\/#\/set-password\//);
    expect(Date.parse(planner.expires_at as string) - Date.now()).toBeLessThan(2 * 3600_000 + 60_000);

    const list = (await json(['user', 'list', '--tenant', tenant.id])) as unknown as { email: string; role: string; password_set: boolean }[];
    expect(list.map((a) => [a.email, a.role, a.password_set])).toEqual([['boss@cli.example', 'owner', false], ['plan@cli.example', 'planner', false]]);

    const last = await cli(['user', 'role', '--email', 'boss@cli.example', '--role', 'viewer']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("boss@cli.example is the tenant's last owner: make another account owner first");
    const dup = await cli(['user', 'add', '--tenant', tenant.id, '--email', 'BOSS@cli.example', '--role', 'viewer']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('an account with the e-mail "boss@cli.example" exists already');
    const badRole = await cli(['user', 'add', '--tenant', tenant.id, '--email', 'x@cli.example', '--role', 'admin']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('the role must be owner, planner or viewer');
    const badEmail = await cli(['user', 'add', '--tenant', tenant.id, '--email', 'not-an-address', '--role', 'viewer']);
    expect(badEmail.stderr).toContain('"not-an-address" is not an e-mail address');
    expect((await cli(['user', 'add', '--tenant', tenant.id, '--email', 'z@cli.example', '--role', 'viewer'], { SEATPILOT_CONSOLE_URL: 'ftp://x' })).stderr).toContain('SEATPILOT_CONSOLE_URL must be');

    expect(await json(['user', 'role', '--email', 'plan@cli.example', '--role', 'owner'])).toMatchObject({ role: 'owner', tenant_id: tenant.id });
    expect(await json(['user', 'disable', '--email', 'plan@cli.example'])).toMatchObject({ disabled: true });
    expect(await json(['user', 'enable', '--email', 'plan@cli.example'])).toMatchObject({ disabled: false });
    const fresh = await json(['user', 'link', '--email', 'boss@cli.example']);
    expect(fresh.link).not.toBe(owner.link);

    // The same database, served: the replaced link is refused, the fresh one sets the password and signs in.
    const db = await inProcess.db();
    const { app } = await buildApp({ db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    try {
      const set = (link: unknown) => app.inject({ method: 'POST', url: '/console/api/set-password', payload: { token: String(link).split('/set-password/')[1], password: 'owner password 1' } });
      expect((await set(owner.link)).json()).toMatchObject({ error: 'link_expired' });
      const ok = await set(fresh.link);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ account: { email: 'boss@cli.example', role: 'owner', tenant_id: tenant.id, tenant_name: 'CLI Events' } });
      const login = await app.inject({ method: 'POST', url: '/console/api/login', payload: { email: 'boss@cli.example', password: 'owner password 1' } });
      expect(login.statusCode).toBe(200);
      const audit = await db.query<{ channel: string; actor: string; action: string }>(
        'SELECT channel, actor, action FROM console.audit_log WHERE tenant_id = $1 ORDER BY id', [tenant.id]);
      // The tenant add before them is audited too (tenant.create); these are the user commands'.
      expect(audit.filter((r) => r.channel === 'cli' && r.action.startsWith('account.')).map((r) => r.action)).toEqual(['account.invite', 'account.invite', 'account.role', 'account.disable', 'account.enable', 'account.link']);
      expect(audit.filter((r) => r.channel === 'cli').every((r) => /^cli:.+/.test(r.actor))).toBe(true);
    } finally {
      await app.close();
    }
  }, 300_000);
});
