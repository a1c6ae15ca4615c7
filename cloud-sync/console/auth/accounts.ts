// A tenant's console accounts: invite, change role, disable/enable, a fresh set-password link. One code path for the
// CLI (as the database owner) and the console (scoped as seatpilot_console: only the columns sql 0016 grants it),
// each change audited in its own transaction. A tenant always keeps one enabled owner.
import type { AccountPatch, AccountRow, PasswordLink } from '../../../core/console/auth';
import { normalizeEmail } from '../../../core/console/auth';
import { CONSOLE_ROLES, type ConsoleRole } from '../../../core/console/roles';
import { newId } from '../../admin';
import type { Queryable } from '../../db';
import { recordAudit, type AuditActor } from '../audit';
import { ConsoleError } from '../errors';
import { endUnusedLinks, issueLink } from './links';

interface Row {
  id: string;
  tenant_id: string;
  email: string;
  role: ConsoleRole;
  disabled: boolean;
  created_at: Date | string;
  password_set_at: Date | string | null;
}

const COLUMNS = 'id, tenant_id, email, role, disabled, created_at, password_set_at';

const rowOf = (r: Row): AccountRow => ({
  id: r.id, email: r.email, role: r.role, disabled: r.disabled, password_set: r.password_set_at !== null, created_at: new Date(r.created_at).toISOString(),
});

export interface LinkOptions {
  publicUrl: string;
  now: Date;
  ttlHours?: number;
}

export function emailOf(raw: string): string {
  const email = normalizeEmail(raw);
  if (!email) throw new ConsoleError('bad_request', `"${raw.trim().slice(0, 80)}" is not an e-mail address (like name@example.com)`);
  return email;
}

export function roleOf(raw: string): ConsoleRole {
  if (!(CONSOLE_ROLES as readonly string[]).includes(raw)) throw new ConsoleError('bad_request', `the role must be owner, planner or viewer; got "${raw.slice(0, 40)}"`);
  return raw as ConsoleRole;
}

const noAccount = () => new ConsoleError('not_found', 'that account was not found');

export async function listAccounts(q: Queryable, tenantId: string): Promise<AccountRow[]> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM console.accounts WHERE tenant_id = $1 ORDER BY created_at, email`, [tenantId]);
  return rows.map(rowOf);
}

/** The account by e-mail in any tenant (the CLI, as the owner), or not_found. */
export async function accountByEmail(q: Queryable, rawEmail: string): Promise<AccountRow & { tenant_id: string }> {
  const [row] = await q.query<Row>(`SELECT ${COLUMNS} FROM console.accounts WHERE email = $1`, [emailOf(rawEmail)]);
  if (!row) throw new ConsoleError('not_found', `no account with the e-mail "${rawEmail.trim().toLowerCase().slice(0, 80)}"`);
  return { ...rowOf(row), tenant_id: row.tenant_id };
}

/** Creates the account (no password yet) and its first set-password link. */
export async function inviteAccount(
  q: Queryable,
  who: AuditActor,
  invite: { tenantId: string; email: string; role: string },
  link: LinkOptions,
): Promise<PasswordLink> {
  const email = emailOf(invite.email);
  const role = roleOf(invite.role);
  return q.tx(async (t) => {
    if (!(await t.query('SELECT 1 FROM seatpilot.tenants WHERE id = $1', [invite.tenantId])).length) {
      throw new ConsoleError('not_found', `no tenant "${invite.tenantId.slice(0, 80)}"`);
    }
    const id = newId('acc');
    try {
      // A savepoint: a refused insert leaves the caller's transaction usable (Postgres aborts it otherwise).
      await t.tx((s) => s.query('INSERT INTO console.accounts (id, tenant_id, email, role) VALUES ($1, $2, $3, $4)', [id, invite.tenantId, email, role]));
    } catch (e) {
      // E-mail is unique across tenants (signing in names none): said without naming the other tenant.
      if ((e as { code?: string }).code === '23505') throw new ConsoleError('conflict', `an account with the e-mail "${email}" exists already`);
      throw e;
    }
    const out = await issueLink(t, { id, tenant_id: invite.tenantId, email }, link);
    await recordAudit(t, who, { tenantId: invite.tenantId, action: 'account.invite', entity: 'account', entityId: id, after: { email, role } });
    return out;
  });
}

async function lockedAccount(q: Queryable, tenantId: string, id: string): Promise<Row> {
  // Every enabled owner of the tenant first, in id order: two owners demoting each other at once take turns, and the
  // second sees the first's change.
  await q.query(`SELECT id FROM console.accounts WHERE tenant_id = $1 AND role = 'owner' AND NOT disabled ORDER BY id FOR UPDATE`, [tenantId]);
  const [row] = await q.query<Row>(`SELECT ${COLUMNS} FROM console.accounts WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
  if (!row) throw noAccount();
  return row;
}

/** Changes role and/or disabled. Disabling ends the account's sessions and unused links at once. */
export async function changeAccount(q: Queryable, who: AuditActor, target: { tenantId: string; id: string }, patch: AccountPatch, now: Date): Promise<AccountRow> {
  const role = patch.role === undefined ? undefined : roleOf(patch.role);
  return q.tx(async (t) => {
    const before = await lockedAccount(t, target.tenantId, target.id);
    const after = { role: role ?? before.role, disabled: patch.disabled ?? before.disabled };
    const losesOwner = before.role === 'owner' && !before.disabled && (after.role !== 'owner' || after.disabled);
    if (losesOwner) {
      const [other] = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM console.accounts WHERE tenant_id = $1 AND role = 'owner' AND NOT disabled AND id <> $2`, [target.tenantId, target.id]);
      if (!other?.n) {
        throw new ConsoleError('conflict', `${before.email} is the tenant's last owner: make another account owner first, then change this one`);
      }
    }
    if (after.role === before.role && after.disabled === before.disabled) return rowOf(before);
    await t.query('UPDATE console.accounts SET role = $3, disabled = $4 WHERE tenant_id = $1 AND id = $2', [target.tenantId, target.id, after.role, after.disabled]);
    if (after.disabled && !before.disabled) {
      await t.query('UPDATE console.sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL', [target.id, now]);
      await endUnusedLinks(t, target.id, now);
    }
    const audit = (action: string, from: unknown, to: unknown) =>
      recordAudit(t, who, { tenantId: target.tenantId, action, entity: 'account', entityId: target.id, before: from, after: to });
    if (after.role !== before.role) await audit('account.role', { email: before.email, role: before.role }, { email: before.email, role: after.role });
    if (after.disabled !== before.disabled) {
      await audit(after.disabled ? 'account.disable' : 'account.enable', { email: before.email, disabled: before.disabled }, { email: before.email, disabled: after.disabled });
    }
    return rowOf({ ...before, ...after });
  });
}

/** A fresh set-password link (a forgotten password, an expired invitation); the account's earlier unused links end. */
export async function freshLink(q: Queryable, who: AuditActor, target: { tenantId: string; id: string }, link: LinkOptions): Promise<PasswordLink> {
  return q.tx(async (t) => {
    const [row] = await t.query<Row>(`SELECT ${COLUMNS} FROM console.accounts WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [target.tenantId, target.id]);
    if (!row) throw noAccount();
    if (row.disabled) throw new ConsoleError('conflict', `${row.email} is disabled: enable the account first`);
    const out = await issueLink(t, { id: row.id, tenant_id: row.tenant_id, email: row.email }, link);
    await recordAudit(t, who, { tenantId: target.tenantId, action: 'account.link', entity: 'account', entityId: row.id, after: { email: row.email, expires_at: out.expires_at } });
    return out;
  });
}
