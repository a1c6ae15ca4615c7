// `seatpilot cloud member add|remove|list`: which Supabase Auth user belongs to which tenant. The Custom Access Token
// Hook (sql 0014) copies the tenant into the user's JWT, which is all that tenant isolation reads (docs/supabase.md).
import { CliError, parseOptions, printJson, requireOption } from '../node-kit/cli';
import { AdminError } from './admin';
import type { Db, Queryable } from './db';

export const MEMBER_USAGE = `       seatpilot cloud member add --tenant T --user UUID  [--data DIR]
       seatpilot cloud member remove --user UUID         [--data DIR]
       seatpilot cloud member list [--tenant T]          [--data DIR]`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Member {
  user_id: string;
  tenant_id: string;
  created_at: string;
}

function userId(raw: string): string {
  if (!UUID.test(raw)) throw new AdminError(`--user must be a Supabase Auth user id (a UUID); got "${raw.slice(0, 60)}"`);
  return raw.toLowerCase();
}

const row = (r: { user_id: string; tenant_id: string; created_at: Date | string }): Member => ({
  user_id: r.user_id, tenant_id: r.tenant_id, created_at: new Date(r.created_at).toISOString(),
});

/** A user belongs to one tenant (the claim holds one): moving one means removing it first, said so, never silently. */
export async function addMember(q: Queryable, tenantId: string, rawUser: string): Promise<Member & { added: boolean }> {
  const user = userId(rawUser);
  if (!(await q.query('SELECT 1 FROM seatpilot.tenants WHERE id = $1', [tenantId])).length) throw new AdminError(`no tenant "${tenantId}"`);
  const inserted = await q.query<{ user_id: string; tenant_id: string; created_at: Date }>(
    'INSERT INTO seatpilot.tenant_members (user_id, tenant_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING user_id::text, tenant_id, created_at', [user, tenantId]);
  if (inserted[0]) return { ...row(inserted[0]), added: true };
  const [existing] = await q.query<{ user_id: string; tenant_id: string; created_at: Date }>(
    'SELECT user_id::text, tenant_id, created_at FROM seatpilot.tenant_members WHERE user_id = $1', [user]);
  if (!existing) throw new AdminError(`user ${user} was removed while being added; try again`);
  if (existing.tenant_id !== tenantId) {
    throw new AdminError(`user ${user} belongs to tenant "${existing.tenant_id}"; remove it there first (member remove --user ${user})`);
  }
  return { ...row(existing), added: false };
}

/** The user's tokens keep their tenant_id until they expire (Supabase: an hour by default); refreshed ones lose it. */
export async function removeMember(q: Queryable, rawUser: string): Promise<{ user_id: string; removed: boolean; tenant_id: string | null }> {
  const user = userId(rawUser);
  const [gone] = await q.query<{ tenant_id: string }>('DELETE FROM seatpilot.tenant_members WHERE user_id = $1 RETURNING tenant_id', [user]);
  return { user_id: user, removed: gone !== undefined, tenant_id: gone?.tenant_id ?? null };
}

export async function listMembers(q: Queryable, tenantId?: string): Promise<Member[]> {
  const rows = await q.query<{ user_id: string; tenant_id: string; created_at: Date }>(
    `SELECT user_id::text, tenant_id, created_at FROM seatpilot.tenant_members WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY tenant_id, created_at, user_id`,
    [tenantId ?? null]);
  return rows.map(row);
}

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;
const DATA = { data: { type: 'string' as const } };

/** Runs a member command; false when `sub` is not `member`. */
export async function memberCommand(sub: string, verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  if (sub !== 'member') return false;
  switch (verb) {
    case 'add': {
      const { values } = parseOptions(rest, { ...DATA, tenant: { type: 'string' }, user: { type: 'string' } }, usage);
      const tenant = requireOption(values.tenant, 'tenant', usage);
      const user = requireOption(values.user, 'user', usage);
      printJson(await withDb(values.data, (db) => addMember(db, tenant, user)));
      return true;
    }
    case 'remove': {
      const { values } = parseOptions(rest, { ...DATA, user: { type: 'string' } }, usage);
      const user = requireOption(values.user, 'user', usage);
      printJson(await withDb(values.data, (db) => removeMember(db, user)));
      return true;
    }
    case 'list': {
      const { values } = parseOptions(rest, { ...DATA, tenant: { type: 'string' } }, usage);
      printJson(await withDb(values.data, (db) => listMembers(db, values.tenant)));
      return true;
    }
    default:
      throw new CliError(`unknown command "cloud member${verb ? ` ${verb}` : ''}"\n${usage}`, 2);
  }
}
