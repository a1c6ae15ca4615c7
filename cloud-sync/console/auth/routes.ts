// Console API: sign-in, sign-out, the session, set-password links, the account's sessions and (owners) the tenant's
// accounts. Sign-in and links run as the database owner (no tenant is known yet, and the console's role may not read
// password hashes); everything behind a session runs scoped to its tenant (scope.ts).
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import {
  AccountPatchSchema, AccountRowSchema, InviteRequestSchema, LoginRequestSchema, PasswordLinkInfoSchema, PasswordLinkInspectSchema,
  PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PasswordLinkSchema, SessionInfoSchema, SessionListSchema, SetPasswordRequestSchema, passwordProblem,
  type AccountPatch, type InviteRequest, type LoginRequest, type SessionInfo, type SessionRow, type SetPasswordRequest,
} from '../../../core/console/auth';
import type { ConsoleRole } from '../../../core/console/roles';
import { Type } from '@sinclair/typebox';
import type { ConsoleContext } from '../plugin';
import { ConsoleError } from '../errors';
import { scoped } from '../scope';
import { actorOf, createSession, guard, sessionOf, setSessionCookie, type ConsoleSession } from '../session';
import { changeAccount, freshLink, inviteAccount, listAccounts } from './accounts';
import { checkLink, inspectLink, useLink } from './links';
import { hashPassword, verifyPassword } from './passwords';
import { accountKey, clearKey, lockedFor, recordFailure, sourceKey } from './throttle';

/** Bad bodies in words a person understands (fastify's own name JSON paths and patterns). */
function friendlyErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  const field = (first?.instancePath ?? '').replace(/^\//, '') || (first?.params as { missingProperty?: string } | undefined)?.missingProperty || '';
  const says = (message: string) => new ConsoleError('bad_request', message);
  if (first?.keyword === 'required') return says(`${field} is missing`);
  if (field === 'password' && (first?.keyword === 'minLength' || first?.keyword === 'maxLength')) {
    return says(first.keyword === 'minLength' ? `choose a password of at least ${PASSWORD_MIN_LENGTH} characters` : `choose a password of at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (field === 'email') return says('enter an e-mail address, like name@example.com');
  if (field === 'role') return says('the role must be owner, planner or viewer');
  if (field === 'token') return says('this link is not valid; ask for a fresh one');
  if (first?.keyword === 'minProperties') return says('say what to change: role or disabled');
  return says(`${dataVar}${first?.instancePath ?? ''} ${first?.message ?? 'is not valid'}`);
}

const loginErrors = () => new ConsoleError('bad_request', 'enter your e-mail and your password');

const sessionInfo = (s: Pick<ConsoleSession, 'accountId' | 'email' | 'role' | 'tenantId' | 'tenantName' | 'csrfToken' | 'expiresAt'>): SessionInfo => ({
  account: { id: s.accountId, email: s.email, role: s.role, tenant_id: s.tenantId, tenant_name: s.tenantName },
  csrf_token: s.csrfToken,
  expires_at: s.expiresAt.toISOString(),
});

const badCredentials = () => new ConsoleError('bad_credentials', 'that e-mail and password do not match an account');
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

interface LoginAccount {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  role: ConsoleRole;
  password_hash: string | null;
  disabled: boolean;
}

export function registerAuthRoutes(api: FastifyInstance, ctx: ConsoleContext): void {
  const { db } = ctx;
  const read = guard(db, 'read', ctx.now);
  const owner = guard(db, 'manage_accounts', ctx.now);
  const meta = (request: FastifyRequest) => ({ now: ctx.now(), userAgent: request.headers['user-agent'], source: request.ip });
  const linkOptions = () => ({ publicUrl: ctx.publicUrl, now: ctx.now() });

  api.post<{ Body: LoginRequest }>('/login', {
    schema: { body: LoginRequestSchema, response: { 200: SessionInfoSchema } }, schemaErrorFormatter: loginErrors,
  }, async (request, reply) => {
    const now = ctx.now();
    const email = request.body.email.trim().toLowerCase();
    const keys = [accountKey(email), sourceKey(request.ip)];
    // Locked: refused before the password is even looked at, the right one included.
    const wait = await lockedFor(db, keys, now);
    if (wait) throw new ConsoleError('login_locked', `too many failed sign-ins; try again in ${wait} s`, { retry_after_s: wait });
    const [account] = await db.query<LoginAccount>(
      `SELECT a.id, a.tenant_id, t.name AS tenant_name, a.email, a.role, a.password_hash, a.disabled
         FROM console.accounts a JOIN seatpilot.tenants t ON t.id = a.tenant_id WHERE a.email = $1`, [email]);
    // One hash whatever the account's state: unknown, no password yet, disabled or wrong all take the same time and words.
    const matches = await verifyPassword(request.body.password, account?.password_hash);
    if (!account || !matches || account.disabled) {
      await recordFailure(db, keys, now);
      throw badCredentials();
    }
    await clearKey(db, accountKey(email));
    const m = meta(request);
    const session = await createSession(db, account, { now: m.now, userAgent: m.userAgent, source: m.source });
    setSessionCookie(reply, request, session);
    return sessionInfo({
      accountId: account.id, email: account.email, role: account.role, tenantId: account.tenant_id, tenantName: account.tenant_name,
      csrfToken: session.csrfToken, expiresAt: session.expiresAt,
    });
  });

  api.get('/session', { onRequest: read, schema: { response: { 200: SessionInfoSchema } } }, async (request) => sessionInfo(sessionOf(request)));

  api.post('/logout', { onRequest: read }, async (request, reply) => {
    const s = sessionOf(request);
    await scoped(db, s, (q) => q.query('UPDATE console.sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [s.sessionId, ctx.now()]));
    setSessionCookie(reply, request, null);
    return reply.code(204).send();
  });

  api.post('/logout-everywhere', { onRequest: read }, async (request, reply) => {
    const s = sessionOf(request);
    await scoped(db, s, (q) => q.query('UPDATE console.sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL', [s.accountId, ctx.now()]));
    setSessionCookie(reply, request, null);
    return reply.code(204).send();
  });

  api.post<{ Body: { token: string } }>('/password-link', {
    schema: { body: PasswordLinkInspectSchema, response: { 200: PasswordLinkInfoSchema } }, schemaErrorFormatter: friendlyErrors,
  }, async (request) => inspectLink(db, request.body.token, ctx.now()));

  api.post<{ Body: SetPasswordRequest }>('/set-password', {
    schema: { body: SetPasswordRequestSchema, response: { 200: SessionInfoSchema } }, schemaErrorFormatter: friendlyErrors,
  }, async (request, reply) => {
    const problem = passwordProblem(request.body.password);
    if (problem) throw new ConsoleError('bad_request', problem);
    // A dead link is refused before a hash is spent on it; the transaction checks again under the row lock.
    await checkLink(db, request.body.token, ctx.now());
    const hash = await hashPassword(request.body.password);
    const used = await useLink(db, request.body.token, hash, meta(request));
    setSessionCookie(reply, request, used.session);
    return sessionInfo({
      accountId: used.account.id, email: used.account.email, role: used.account.role as ConsoleRole, tenantId: used.account.tenant_id,
      tenantName: used.account.tenant_name, csrfToken: used.session.csrfToken, expiresAt: used.session.expiresAt,
    });
  });

  api.get('/sessions', { onRequest: read, schema: { response: { 200: SessionListSchema } } }, async (request) => {
    const s = sessionOf(request);
    const rows = await scoped(db, s, (q) => q.query<{ id: string; created_at: Date; last_seen_at: Date; expires_at: Date; user_agent: string | null; source: string | null }>(
      `SELECT id, created_at, last_seen_at, expires_at, user_agent, source FROM console.sessions
        WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id`, [s.accountId, ctx.now()]));
    const sessions: SessionRow[] = rows.map((r) => ({
      id: r.id, created_at: new Date(r.created_at).toISOString(), last_seen_at: new Date(r.last_seen_at).toISOString(),
      expires_at: new Date(r.expires_at).toISOString(), user_agent: r.user_agent, source: r.source, current: r.id === s.sessionId,
    }));
    return { sessions };
  });

  api.delete<{ Params: { id: string } }>('/sessions/:id', { onRequest: read, schema: { params: IdParams } }, async (request, reply) => {
    const s = sessionOf(request);
    const gone = await scoped(db, s, (q) => q.query<{ id: string }>(
      'UPDATE console.sessions SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING id', [request.params.id, s.accountId, ctx.now()]));
    // Another account's session, or another tenant's: the same 404 as one that never was.
    if (!gone.length) throw new ConsoleError('not_found', 'that session was not found');
    if (request.params.id === s.sessionId) setSessionCookie(reply, request, null);
    return reply.code(204).send();
  });

  api.get('/accounts', { onRequest: owner, schema: { response: { 200: Type.Object({ accounts: Type.Array(AccountRowSchema) }) } } }, async (request) => {
    const s = sessionOf(request);
    return { accounts: await scoped(db, s, (q) => listAccounts(q, s.tenantId)) };
  });

  api.post<{ Body: InviteRequest }>('/accounts', {
    onRequest: owner, schema: { body: InviteRequestSchema, response: { 200: PasswordLinkSchema } }, schemaErrorFormatter: friendlyErrors,
  }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, (q) => inviteAccount(q, actorOf(s), { tenantId: s.tenantId, email: request.body.email, role: request.body.role }, linkOptions()));
  });

  api.patch<{ Params: { id: string }; Body: AccountPatch }>('/accounts/:id', {
    onRequest: owner, schema: { params: IdParams, body: AccountPatchSchema, response: { 200: AccountRowSchema } }, schemaErrorFormatter: friendlyErrors,
  }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, (q) => changeAccount(q, actorOf(s), { tenantId: s.tenantId, id: request.params.id }, request.body, ctx.now()));
  });

  api.post<{ Params: { id: string } }>('/accounts/:id/link', {
    onRequest: owner, schema: { params: IdParams, response: { 200: PasswordLinkSchema } },
  }, async (request) => {
    const s = sessionOf(request);
    return scoped(db, s, (q) => freshLink(q, actorOf(s), { tenantId: s.tenantId, id: request.params.id }, linkOptions()));
  });
}
