// Set-password links: single-use, expiring, only the SHA-256 of the token stored (console.password_links). The token
// travels in the URL's fragment (`/console/#/set-password/<token>`), which browsers never send, so no server log
// holds it. A fresh link for an account ends its earlier unused ones.
import { randomBytes } from 'node:crypto';
import type { PasswordLink, PasswordLinkInfo } from '../../../core/console/auth';
import { SettingError } from '../../../protocol/setting-error';
import type { Queryable } from '../../db';
import { recordAudit } from '../audit';
import { ConsoleError } from '../errors';
import { createSession, sha256Hex, type NewSession } from '../session';

export const DEFAULT_LINK_TTL_HOURS = 72;
export const MAX_LINK_TTL_HOURS = 24 * 30;

/** A console address (http or https, no query or fragment) without its trailing slashes, or null when it is not one. */
export function consoleUrlOf(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) return null;
  return raw.trim().replace(/\/+$/, '');
}

/** SEATPILOT_CONSOLE_URL, checked at start: a bad one stops the service naming it, not a link nobody can open. */
export function consoleUrlFromEnv(env: Record<string, string | undefined> = process.env): string | undefined {
  const raw = env.SEATPILOT_CONSOLE_URL;
  if (raw === undefined || raw === '') return undefined;
  const url = consoleUrlOf(raw);
  if (!url) throw new SettingError(`SEATPILOT_CONSOLE_URL must be the console's address, like https://console.example.com (http or https, no query); got "${raw.slice(0, 80)}"`);
  return url;
}

export const linkUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/console/#/set-password/${token}`;

/** Ends an account's unused links (they then answer link_expired). Needs only what the console's role may touch. */
export async function endUnusedLinks(q: Queryable, accountId: string, now: Date): Promise<void> {
  await q.query('UPDATE console.password_links SET expires_at = $2 WHERE account_id = $1 AND used_at IS NULL AND expires_at > $2', [accountId, now]);
}

/** A fresh link for the account, the earlier unused ones ended; in the caller's transaction (scoped or not). */
export async function issueLink(
  q: Queryable,
  account: { id: string; tenant_id: string; email: string },
  opts: { publicUrl: string; now: Date; ttlHours?: number },
): Promise<PasswordLink> {
  const ttlHours = opts.ttlHours ?? DEFAULT_LINK_TTL_HOURS;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(opts.now.getTime() + ttlHours * 3600_000);
  await endUnusedLinks(q, account.id, opts.now);
  await q.query(
    'INSERT INTO console.password_links (token_hash, account_id, tenant_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [sha256Hex(token), account.id, account.tenant_id, opts.now, expiresAt],
  );
  return { account_id: account.id, email: account.email, link: linkUrl(opts.publicUrl, token), expires_at: expiresAt.toISOString() };
}

interface LinkRow {
  account_id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  role: string;
  disabled: boolean;
  expires_at: Date | string;
  used_at: Date | string | null;
}

const LINK_SELECT = `SELECT l.account_id, l.tenant_id, t.name AS tenant_name, a.email, a.role, a.disabled, l.expires_at, l.used_at
  FROM console.password_links l JOIN console.accounts a ON a.id = l.account_id JOIN seatpilot.tenants t ON t.id = l.tenant_id
 WHERE l.token_hash = $1`;

/** The link's row if it can still be used, else the documented refusal. A disabled account's link is no link. */
function usable(row: LinkRow | undefined, now: Date): LinkRow {
  if (!row || row.disabled) throw new ConsoleError('not_found', 'this link is not valid; ask for a fresh one');
  if (row.used_at) throw new ConsoleError('link_used', 'this link was used already; sign in, or ask for a fresh link if you forgot the password');
  if (new Date(row.expires_at).getTime() <= now.getTime()) {
    throw new ConsoleError('link_expired', 'this link has expired or a newer one was sent; ask for a fresh link');
  }
  return row;
}

/** What a link is for, shown before a password is chosen (runs as the owner: the link names no tenant yet). */
export async function inspectLink(q: Queryable, token: string, now: Date): Promise<PasswordLinkInfo> {
  const [row] = await q.query<LinkRow>(LINK_SELECT, [sha256Hex(token)]);
  const link = usable(row, now);
  return { email: link.email, tenant_name: link.tenant_name, expires_at: new Date(link.expires_at).toISOString() };
}

/** Throws the refusal a link would get now, before the caller spends a hash on the new password. */
export async function checkLink(q: Queryable, token: string, now: Date): Promise<void> {
  const [row] = await q.query<LinkRow>(LINK_SELECT, [sha256Hex(token)]);
  usable(row, now);
}

export interface UsedLink {
  account: { id: string; tenant_id: string; tenant_name: string; email: string; role: string };
  session: NewSession;
}

/**
 * Uses a link once: under a row lock on the link, sets the password's hash, marks the link used, ends the account's
 * other links and sessions, records it in the audit and opens a new session, all in one transaction.
 */
export async function useLink(
  q: Queryable,
  token: string,
  passwordHash: string,
  opts: { now: Date; userAgent?: string | undefined; source?: string | undefined },
): Promise<UsedLink> {
  const { now } = opts;
  return q.tx(async (t) => {
    const hash = sha256Hex(token);
    // Locks the link and its account: a second use of the same link waits here, then sees used_at and is refused.
    const [row] = await t.query<LinkRow>(`${LINK_SELECT} FOR UPDATE OF l, a`, [hash]);
    const link = usable(row, now);
    await t.query('UPDATE console.accounts SET password_hash = $2, password_set_at = $3 WHERE id = $1', [link.account_id, passwordHash, now]);
    await t.query('UPDATE console.password_links SET used_at = $2 WHERE token_hash = $1', [hash, now]);
    await endUnusedLinks(t, link.account_id, now);
    await t.query('UPDATE console.sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL', [link.account_id, now]);
    await recordAudit(t, { channel: 'console', actorId: link.account_id, actor: link.email }, {
      tenantId: link.tenant_id, action: 'account.set_password', entity: 'account', entityId: link.account_id, after: { password_set: true },
    });
    const session = await createSession(t, { id: link.account_id, tenant_id: link.tenant_id }, opts);
    return { account: { id: link.account_id, tenant_id: link.tenant_id, tenant_name: link.tenant_name, email: link.email, role: link.role }, session };
  });
}
