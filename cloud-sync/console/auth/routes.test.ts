// The console's sign-in, links, sessions and accounts through the real API (buildApp + app.inject), on PGlite and on
// the real PostgreSQL: what a person signing in, an attacker guessing passwords and an owner managing accounts see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app';
import { newId } from '../../admin';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { SESSION_COOKIE } from '../../../core/console/errors';
import type { ConsoleRole } from '../../../core/console/roles';
import { inviteAccount } from './accounts';
import { sha256Hex } from '../session';

const CLI = { channel: 'cli' as const, actorId: null, actor: 'cli:tester' };
const PUBLIC_URL = 'https://console.example.com';
const PASSWORD = 'correct horse battery';

describe.each(backends())('console accounts and sign-in on %s', (backend) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let clock = Date.now();
  let a: ConsoleTenant;
  let b: ConsoleTenant;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    ({ app } = await buildApp({ db: t.db, now: () => clock, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0, console: { publicUrl: PUBLIC_URL } }));
    a = await consoleTenant(t.db, 'Alpha Events');
    b = await consoleTenant(t.db, 'Beta Events');
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const api = (path: string) => `/console/api${path}`;
  const tokenOf = (link: string) => link.split('/set-password/')[1] as string;
  const email = (tag: string) => `${tag.toLowerCase()}.${newId('u', 6)}@example.test`;
  const cookieOf = (r: LightMyRequestResponse) => String(r.headers['set-cookie'] ?? '');

  /** What `seatpilot cloud user add` does, in-process: the account and its first link. */
  const cliInvite = (tenantId: string, address: string, role: ConsoleRole, ttlHours = 72) =>
    inviteAccount(t.db, CLI, { tenantId, email: address, role }, { publicUrl: PUBLIC_URL, now: new Date(clock), ttlHours });

  const setPassword = (token: string, password = PASSWORD, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: api('/set-password'), payload: { token, password }, headers });

  const login = (address: string, password: string, ip = '127.0.0.1', headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: api('/login'), payload: { email: address, password }, remoteAddress: ip, headers });

  /** The session a successful sign-in answered, as the fixtures' asUser sends it. */
  const sessionFrom = async (r: LightMyRequestResponse, role: ConsoleRole = 'owner'): Promise<TestSession> => {
    expect(r.statusCode, r.body).toBe(200);
    const token = /sp_console=([^;]+)/.exec(cookieOf(r))?.[1] as string;
    const body = r.json<{ csrf_token: string; account: { id: string; email: string; tenant_id: string } }>();
    const [row] = await t.db.query<{ id: string }>('SELECT id FROM console.sessions WHERE id_hash = $1', [sha256Hex(token)]);
    return {
      cookie: `${SESSION_COOKIE}=${token}`, csrf: body.csrf_token, sessionId: row?.id as string,
      account: { id: body.account.id, email: body.account.email, role, tenantId: body.account.tenant_id },
    };
  };

  /** An account of tenant A with its password chosen through its link. */
  const withPassword = async (role: ConsoleRole = 'planner', tenant = () => a) => {
    const address = email(role);
    const link = await cliInvite(tenant().tenantId, address, role);
    expect((await setPassword(tokenOf(link.link))).statusCode).toBe(200);
    return { address, id: link.account_id };
  };

  it('a CLI-made link shows its e-mail, sets the password once and signs in; the password then signs in', async () => {
    const address = email('Ana');
    const link = await cliInvite(a.tenantId, `  ${address.toUpperCase()} `, 'planner');
    expect(link.email).toBe(address);
    expect(link.link).toMatch(new RegExp(`^${PUBLIC_URL}/console/#/set-password/[A-Za-z0-9_-]{43}$`));
    const token = tokenOf(link.link);
    // Only the token's hash is stored.
    const stored = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM console.password_links WHERE account_id = $1', [link.account_id]);
    expect(stored.map((s) => s.token_hash).join()).not.toContain(token);

    const info = await app.inject({ method: 'POST', url: api('/password-link'), payload: { token } });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ email: address, tenant_name: 'Alpha Events' });

    // No password yet: sign-in is refused in the same words as a wrong password.
    const early = await login(address, PASSWORD, '10.1.0.1');
    expect(early.statusCode).toBe(401);
    expect(early.json()).toMatchObject({ error: 'bad_credentials' });

    const short = await setPassword(token, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toEqual({ error: 'bad_request', message: 'choose a password of at least 10 characters' });

    const set = await setPassword(token);
    const s = await sessionFrom(set, 'planner');
    expect(set.json()).toMatchObject({ account: { email: address, role: 'planner', tenant_id: a.tenantId, tenant_name: 'Alpha Events' } });
    const me = await asUser(app, s, { method: 'GET', url: api('/session') });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ account: { id: link.account_id }, csrf_token: s.csrf });
    const [row] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM console.accounts WHERE id = $1', [link.account_id]);
    expect(row?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);

    const replay = await setPassword(token, 'another password 2');
    expect(replay.statusCode).toBe(410);
    expect(replay.json()).toMatchObject({ error: 'link_used' });
    expect((await app.inject({ method: 'POST', url: api('/password-link'), payload: { token } })).json()).toMatchObject({ error: 'link_used' });

    expect((await login(address, 'another password 2', '10.1.0.1')).statusCode).toBe(401);
    const ok = await login(` ${address.toUpperCase()}`, PASSWORD, '10.1.0.1');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ account: { id: link.account_id, role: 'planner' } });
  });

  it('lets one of two simultaneous uses of a link through and refuses the other as used', async () => {
    const link = await cliInvite(a.tenantId, email('twice'), 'viewer');
    const answers = await Promise.all([setPassword(tokenOf(link.link), 'first password 1'), setPassword(tokenOf(link.link), 'second password 2')]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 410]);
    expect(answers.find((r) => r.statusCode === 410)?.json()).toMatchObject({ error: 'link_used' });
    const winner = answers[0]?.statusCode === 200 ? 'first password 1' : 'second password 2';
    const loser = winner === 'first password 1' ? 'second password 2' : 'first password 1';
    expect((await login(link.email, loser, '10.1.1.1')).statusCode).toBe(401);
    expect((await login(link.email, winner, '10.1.1.1')).statusCode).toBe(200);
    const [sessions] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console.sessions WHERE account_id = $1', [link.account_id]);
    expect(sessions?.n).toBe(2);
  });

  it('refuses an expired link, a link replaced by a fresher one, and an unknown one, each in its own words', async () => {
    const expiring = await cliInvite(a.tenantId, email('late'), 'viewer', 1);
    clock += 3600_000 + 1000;
    const late = await setPassword(tokenOf(expiring.link));
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ error: 'link_expired' });

    const first = await cliInvite(a.tenantId, email('again'), 'viewer');
    const fresh = await asUser(app, a.owner, { method: 'POST', url: api(`/accounts/${first.account_id}/link`) });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().link).not.toBe(first.link);
    expect((await setPassword(tokenOf(first.link))).json()).toMatchObject({ error: 'link_expired' });
    expect((await setPassword(tokenOf(fresh.json().link))).statusCode).toBe(200);

    const unknown = await setPassword('x'.repeat(43));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not_found' });
    expect((await app.inject({ method: 'POST', url: api('/password-link'), payload: { token: 'short' } })).statusCode).toBe(400);
  });

  it('locks a guessed account with an escalating delay, refuses even the right password while locked, and lets it in after', async () => {
    const { address } = await withPassword();
    const ip = '10.2.0.1';
    for (let i = 1; i <= 5; i++) {
      const r = await login(address, `wrong guess ${i}`, ip);
      expect(r.statusCode, `failure ${i}`).toBe(401);
      expect(r.json()).toEqual({ error: 'bad_credentials', message: 'that e-mail and password do not match an account' });
    }
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const locked = await login(address, PASSWORD, ip);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ error: 'login_locked' });
      expect(locked.headers['retry-after']).toBe(String(locked.json().retry_after_s));
      waits.push(locked.json().retry_after_s as number);
      clock += (locked.json().retry_after_s as number) * 1000;
      if (round < 2) expect((await login(address, 'wrong again', ip)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4]);
    // The lock was the account's: from another address it holds too.
    expect((await login(address, 'wrong again', '10.2.0.2')).statusCode).toBe(401);
    const other = await login(address, PASSWORD, '10.2.0.3');
    expect(other.statusCode).toBe(429);
    expect(other.json().retry_after_s).toBe(8);
    clock += 8000;
    expect((await login(address, PASSWORD, '10.2.0.3')).statusCode).toBe(200);
    // Success clears the account's key: the next wrong password is one of four free ones again.
    expect((await login(address, 'wrong once more', '10.2.0.4')).statusCode).toBe(401);
    expect((await login(address, PASSWORD, '10.2.0.4')).statusCode).toBe(200);
  });

  it('locks an address that guesses across accounts, for every account, and forgets failures after an hour', async () => {
    const { address } = await withPassword();
    const ip = '10.3.0.1';
    for (let i = 0; i < 5; i++) expect((await login(email('nobody'), 'some guess', ip)).statusCode).toBe(401);
    const locked = await login(address, PASSWORD, ip);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    expect((await login(address, PASSWORD, '10.3.0.2')).statusCode).toBe(200);

    // Four failures, an hour of quiet, four more: never five in a row, so never locked.
    const quiet = await withPassword();
    for (let i = 0; i < 4; i++) expect((await login(quiet.address, 'guess', '10.3.1.1')).statusCode).toBe(401);
    clock += 3600_000 + 1000;
    for (let i = 0; i < 4; i++) expect((await login(quiet.address, 'guess', '10.3.1.1')).statusCode).toBe(401);
    expect((await login(quiet.address, PASSWORD, '10.3.1.1')).statusCode).toBe(200);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, Path=/console with an expiry, Secure except on loopback', async () => {
    const { address } = await withPassword();
    const tls = await login(address, PASSWORD, '10.4.0.1', { host: 'console.example.com' });
    const cookie = cookieOf(tls);
    expect(cookie).toMatch(/^sp_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/console');
    expect(cookie).toContain('; Secure');
    expect(Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '') - clock).toBeGreaterThan(11 * 3600_000);
    const loopback = cookieOf(await login(address, PASSWORD, '10.4.0.1', { host: '127.0.0.1:8080' }));
    expect(loopback).toContain('HttpOnly');
    expect(loopback).not.toContain('Secure');
  });

  it('signs out one session, or every session of the account', async () => {
    const { address } = await withPassword();
    const one = await sessionFrom(await login(address, PASSWORD, '10.5.0.1'));
    const two = await sessionFrom(await login(address, PASSWORD, '10.5.0.1'));
    const three = await sessionFrom(await login(address, PASSWORD, '10.5.0.1'));

    const out = await asUser(app, one, { method: 'POST', url: api('/logout') });
    expect(out.statusCode).toBe(204);
    expect(cookieOf(out)).toMatch(/^sp_console=; .*Max-Age=0/);
    expect((await asUser(app, one, { method: 'GET', url: api('/session') })).statusCode).toBe(401);
    expect((await asUser(app, two, { method: 'GET', url: api('/session') })).statusCode).toBe(200);

    const everywhere = await asUser(app, two, { method: 'POST', url: api('/logout-everywhere') });
    expect(everywhere.statusCode).toBe(204);
    const gone = await asUser(app, three, { method: 'GET', url: api('/session') });
    expect(gone.statusCode).toBe(401);
    expect(gone.json()).toMatchObject({ error: 'no_session' });
    expect((await asUser(app, two, { method: 'GET', url: api('/session') })).statusCode).toBe(401);
    // Other accounts keep theirs.
    expect((await asUser(app, a.viewer, { method: 'GET', url: api('/session') })).statusCode).toBe(200);
  });

  it('lists the account\'s live sessions with the current one flagged, and revokes only its own', async () => {
    const { address } = await withPassword();
    const here = await sessionFrom(await login(address, PASSWORD, '10.6.0.1', { 'user-agent': 'Firefox on the office PC' }));
    const there = await sessionFrom(await login(address, PASSWORD, '10.6.0.2', { 'user-agent': 'Safari on a phone' }));
    const list = await asUser(app, here, { method: 'GET', url: api('/sessions') });
    expect(list.statusCode).toBe(200);
    const sessions = list.json().sessions as { id: string; current: boolean; user_agent: string; source: string }[];
    // These two, and the one that choosing the password opened.
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current).map((s) => s.user_agent)).toEqual(['Firefox on the office PC']);
    const phone = sessions.find((s) => s.user_agent === 'Safari on a phone');
    expect(phone).toMatchObject({ user_agent: 'Safari on a phone', source: '10.6.0.2' });

    // Somebody else's session (the planner's own, of the same tenant; tenant B's owner's): 404, and it lives on.
    for (const id of [a.planner.sessionId, b.owner.sessionId]) {
      expect((await asUser(app, here, { method: 'DELETE', url: api(`/sessions/${id}`) })).statusCode).toBe(404);
    }
    expect((await asUser(app, a.planner, { method: 'GET', url: api('/session') })).statusCode).toBe(200);
    expect((await asUser(app, b.owner, { method: 'GET', url: api('/session') })).statusCode).toBe(200);

    expect((await asUser(app, here, { method: 'DELETE', url: api(`/sessions/${phone?.id}`) })).statusCode).toBe(204);
    expect((await asUser(app, there, { method: 'GET', url: api('/session') })).statusCode).toBe(401);
    expect((await asUser(app, here, { method: 'DELETE', url: api(`/sessions/${phone?.id}`) })).statusCode).toBe(404);
    expect((await asUser(app, here, { method: 'GET', url: api('/sessions') })).json().sessions.map((x: { id: string }) => x.id)).not.toContain(phone?.id);
    expect((await asUser(app, here, { method: 'GET', url: api('/sessions') })).json().sessions).toHaveLength(2);
  });

  it('refuses a write without the CSRF token or with a wrong one', async () => {
    const missing = await asUser(app, a.viewer, { method: 'POST', url: api('/logout'), csrf: false });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ error: 'csrf_missing' });
    const wrong = await asUser(app, a.viewer, { method: 'POST', url: api('/logout'), csrf: false, headers: { 'x-csrf-token': 'not-the-token' } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: 'csrf_mismatch' });
    expect((await asUser(app, a.viewer, { method: 'GET', url: api('/session') })).statusCode).toBe(200);
  });

  it('keeps accounts to owners: a viewer and a planner get 403, tenant B\'s owner 404 for A\'s accounts', async () => {
    for (const who of [a.viewer, a.planner]) {
      for (const req of [{ method: 'GET' as const, url: api('/accounts') }, { method: 'POST' as const, url: api('/accounts'), payload: { email: email('x'), role: 'viewer' } }]) {
        const r = await asUser(app, who, req);
        expect(r.statusCode).toBe(403);
        expect(r.json()).toMatchObject({ error: 'forbidden' });
      }
    }
    const list = await asUser(app, b.owner, { method: 'GET', url: api('/accounts') });
    expect(list.json().accounts.map((x: { id: string }) => x.id)).not.toContain(a.planner.account.id);
    const patch = await asUser(app, b.owner, { method: 'PATCH', url: api(`/accounts/${a.planner.account.id}`), payload: { role: 'viewer' } });
    expect(patch.statusCode).toBe(404);
    const never = await asUser(app, b.owner, { method: 'PATCH', url: api('/accounts/acc_never'), payload: { role: 'viewer' } });
    expect(never.json()).toEqual(patch.json());
    expect((await asUser(app, b.owner, { method: 'POST', url: api(`/accounts/${a.planner.account.id}/link`) })).statusCode).toBe(404);
    const [row] = await t.db.query<{ role: string }>('SELECT role FROM console.accounts WHERE id = $1', [a.planner.account.id]);
    expect(row?.role).toBe('planner');
  });

  it('an owner invites, changes roles and disables; a disabled account cannot sign in and its sessions end', async () => {
    const address = email('Invitee');
    const invite = await asUser(app, a.owner, { method: 'POST', url: api('/accounts'), payload: { email: address.toUpperCase(), role: 'viewer' } });
    expect(invite.statusCode, invite.body).toBe(200);
    expect(invite.json()).toMatchObject({ email: address, link: expect.stringMatching(/^https:\/\/console\.example\.com\/console\/#\/set-password\//) });
    const dup = await asUser(app, b.owner, { method: 'POST', url: api('/accounts'), payload: { email: address, role: 'viewer' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().message).toContain('exists already');
    const bad = await asUser(app, a.owner, { method: 'POST', url: api('/accounts'), payload: { email: 'not an address', role: 'viewer' } });
    expect(bad.json()).toEqual({ error: 'bad_request', message: 'enter an e-mail address, like name@example.com' });
    expect((await asUser(app, a.owner, { method: 'POST', url: api('/accounts'), payload: { email: email('y'), role: 'boss' } })).json())
      .toEqual({ error: 'bad_request', message: 'the role must be owner, planner or viewer' });

    const accountId = invite.json().account_id as string;
    expect((await asUser(app, a.owner, { method: 'PATCH', url: api(`/accounts/${accountId}`), payload: {} })).json())
      .toEqual({ error: 'bad_request', message: 'say what to change: role or disabled' });
    expect((await asUser(app, a.owner, { method: 'GET', url: api('/accounts') })).json().accounts.find((x: { id: string }) => x.id === accountId))
      .toMatchObject({ role: 'viewer', disabled: false, password_set: false });
    const person = await sessionFrom(await setPassword(tokenOf(invite.json().link)), 'viewer');
    const promoted = await asUser(app, a.owner, { method: 'PATCH', url: api(`/accounts/${accountId}`), payload: { role: 'planner' } });
    expect(promoted.json()).toMatchObject({ id: accountId, role: 'planner', disabled: false, password_set: true });
    expect((await asUser(app, person, { method: 'GET', url: api('/session') })).json()).toMatchObject({ account: { role: 'planner' } });

    const disabled = await asUser(app, a.owner, { method: 'PATCH', url: api(`/accounts/${accountId}`), payload: { disabled: true } });
    expect(disabled.json()).toMatchObject({ disabled: true });
    expect((await asUser(app, person, { method: 'GET', url: api('/session') })).statusCode).toBe(401);
    const refused = await login(address, PASSWORD, '10.7.0.1');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: 'bad_credentials' });
    expect((await asUser(app, a.owner, { method: 'POST', url: api(`/accounts/${accountId}/link`) })).statusCode).toBe(409);

    expect((await asUser(app, a.owner, { method: 'PATCH', url: api(`/accounts/${accountId}`), payload: { disabled: false } })).json()).toMatchObject({ disabled: false });
    // Enabling lets the password in again; the sessions it had stay ended.
    expect((await asUser(app, person, { method: 'GET', url: api('/session') })).statusCode).toBe(401);
    expect((await login(address, PASSWORD, '10.7.0.1')).statusCode).toBe(200);
    const listed = (await asUser(app, a.owner, { method: 'GET', url: api('/accounts') })).json().accounts as { id: string; email: string }[];
    expect(listed.find((x) => x.id === accountId)).toMatchObject({ email: address, role: 'planner' });
  });

  it('keeps the last owner: not demoted, not disabled, until another owner exists', async () => {
    const c = await consoleTenant(t.db, 'Gamma Events');
    const demote = await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${c.owner.account.id}`), payload: { role: 'viewer' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().message).toContain("last owner: make another account owner first");
    expect((await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${c.owner.account.id}`), payload: { disabled: true } })).statusCode).toBe(409);
    expect((await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${c.planner.account.id}`), payload: { role: 'owner' } })).statusCode).toBe(200);
    const now = await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${c.owner.account.id}`), payload: { role: 'viewer' } });
    expect(now.json()).toMatchObject({ role: 'viewer' });
    expect((await asUser(app, c.owner, { method: 'GET', url: api('/accounts') })).statusCode).toBe(403);
  });

  it('audits account changes from the CLI and from the console, in the change\'s own transaction', async () => {
    const c = await consoleTenant(t.db, 'Delta Events');
    const address = email('audited');
    const cli = await cliInvite(c.tenantId, address, 'viewer');
    await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${cli.account_id}`), payload: { role: 'planner' } });
    await asUser(app, c.owner, { method: 'POST', url: api(`/accounts/${cli.account_id}/link`) });
    await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${cli.account_id}`), payload: { disabled: true } });
    // A refused change leaves no entry.
    await asUser(app, c.owner, { method: 'PATCH', url: api(`/accounts/${c.owner.account.id}`), payload: { disabled: true } });
    const rows = await t.db.query<{ channel: string; actor: string; actor_id: string | null; action: string; entity_id: string; before: unknown; after: unknown }>(
      'SELECT channel, actor, actor_id, action, entity_id, before, after FROM console.audit_log WHERE tenant_id = $1 ORDER BY id', [c.tenantId]);
    expect(rows.map((r) => [r.channel, r.actor, r.action])).toEqual([
      ['cli', 'cli:tester', 'account.invite'],
      ['console', c.owner.account.email, 'account.role'],
      ['console', c.owner.account.email, 'account.link'],
      ['console', c.owner.account.email, 'account.disable'],
    ]);
    expect(rows[0]).toMatchObject({ actor_id: null, entity_id: cli.account_id, after: { email: address, role: 'viewer' } });
    expect(rows[1]).toMatchObject({ actor_id: c.owner.account.id, before: { role: 'viewer' }, after: { role: 'planner' } });
    expect(JSON.stringify(rows)).not.toContain(tokenOf(cli.link));
  });
});
