// Console sessions: the cookie's value is a random token whose SHA-256 is the only thing stored; each session has its
// own CSRF token, which every write must carry in x-csrf-token (compared in constant time).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE } from '../../core/console/errors';
import { may, type ConsolePermission, type ConsoleRole } from '../../core/console/roles';
import type { Queryable } from '../db';
import { newId } from '../admin';
import { ConsoleError } from './errors';

export interface ConsoleSession {
  sessionId: string;
  accountId: string;
  tenantId: string;
  tenantName: string;
  email: string;
  role: ConsoleRole;
  csrfToken: string;
  expiresAt: Date;
}

/** A session lasts 12 hours from sign-in (an evening), whatever its use. */
export const SESSION_TTL_MS = 12 * 3600_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface NewSession {
  /** The cookie's value: shown to the browser once, never stored. */
  token: string;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  q: Queryable,
  account: { id: string; tenant_id: string },
  opts: { now?: Date; userAgent?: string | undefined; source?: string | undefined } = {},
): Promise<NewSession> {
  const now = opts.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const sessionId = newId('ses');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await q.query(
    `INSERT INTO console.sessions (id, id_hash, account_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, source)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)`,
    [sessionId, sha256Hex(token), account.id, account.tenant_id, csrfToken, now, expiresAt, opts.userAgent?.slice(0, 300) ?? null, opts.source?.slice(0, 64) ?? null],
  );
  return { token, sessionId, csrfToken, expiresAt };
}

interface SessionRow {
  id: string;
  account_id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  role: ConsoleRole;
  csrf_token: string;
  expires_at: Date | string;
  last_seen_at: Date | string;
}

/** The live session a cookie value opens (not revoked, not expired, its account enabled), or null. */
export async function findSession(q: Queryable, token: string, now = new Date()): Promise<ConsoleSession | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await q.query<SessionRow>(
    `SELECT s.id, s.account_id, s.tenant_id, t.name AS tenant_name, a.email, a.role, s.csrf_token, s.expires_at, s.last_seen_at
       FROM console.sessions s JOIN console.accounts a ON a.id = s.account_id JOIN seatpilot.tenants t ON t.id = s.tenant_id
      WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT a.disabled`,
    [sha256Hex(token), now],
  );
  if (!row) return null;
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await q.query('UPDATE console.sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now]);
  }
  return {
    sessionId: row.id, accountId: row.account_id, tenantId: row.tenant_id, tenantName: row.tenant_name, email: row.email,
    role: row.role, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at),
  };
}

/** The cookie value a request carries, or undefined. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Loopback requests (the demo, tests) get no Secure flag: browsers refuse Secure cookies over plain http except on
 * localhost, and a console behind TLS is reached by a name, never by 127.0.0.1.
 */
export function isLoopback(request: FastifyRequest): boolean {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') && request.protocol === 'http';
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, session: { token: string; expiresAt: Date } | null): void {
  const secure = isLoopback(request) ? '' : '; Secure';
  const value = session
    ? `${SESSION_COOKIE}=${session.token}; Path=/console; HttpOnly; SameSite=Strict${secure}; Expires=${session.expiresAt.toUTCString()}`
    : `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict${secure}; Max-Age=0`;
  reply.header('set-cookie', value);
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The onRequest hook of every console API route but sign-in (before the body is read or validated, so a stranger
 * learns nothing of a route's schema and sends no 32 MiB file for nothing): 401 without a live session, 403 for a write without the
 * session's CSRF token, 403 when the role lacks the permission. Sets request.consoleSession.
 */
export function guard(db: Queryable, permission: ConsolePermission, now: () => Date = () => new Date()) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = sessionToken(request);
    const session = token ? await findSession(db, token, now()) : null;
    if (!session) throw new ConsoleError('no_session', 'sign in to continue');
    if (WRITES.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sent) throw new ConsoleError('csrf_missing', 'this page is out of date; reload it and try again');
      if (!sameSecret(sent, session.csrfToken)) throw new ConsoleError('csrf_mismatch', 'this page is out of date; reload it and try again');
    }
    if (!may(session.role, permission)) throw new ConsoleError('forbidden', `a ${session.role} cannot do this; ask the account's owner`);
    request.consoleSession = session;
  };
}

/** The session the guard set (routes behind a guard only). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  const s = request.consoleSession;
  if (!s) throw new ConsoleError('no_session', 'sign in to continue');
  return s;
}

export function actorOf(s: ConsoleSession) {
  return { channel: 'console' as const, actorId: s.accountId, actor: s.email };
}
