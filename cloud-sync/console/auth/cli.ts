// `seatpilot cloud user …`: the console's accounts from the shell, as the database owner. Each change is audited with
// channel cli and the operator's OS user. The set-password link is printed once; only its hash is stored.
import { userInfo } from 'node:os';
import { CliError, parseOptions, printJson, requireOption } from '../../../node-kit/cli';
import type { Db } from '../../db';
import type { AuditActor } from '../audit';
import { ConsoleError } from '../errors';
import { accountByEmail, changeAccount, freshLink, inviteAccount, listAccounts, roleOf } from './accounts';
import { DEFAULT_LINK_TTL_HOURS, MAX_LINK_TTL_HOURS, consoleUrlFromEnv, consoleUrlOf } from './links';

export const USER_USAGE = `       seatpilot cloud user add --tenant T --email E --role owner|planner|viewer [--base-url URL] [--ttl-hours 72] [--data DIR]
       seatpilot cloud user link --email E [--base-url URL] [--ttl-hours 72]   [--data DIR]
       seatpilot cloud user list --tenant T                                    [--data DIR]
       seatpilot cloud user role --email E --role owner|planner|viewer         [--data DIR]
       seatpilot cloud user disable|enable --email E                           [--data DIR]`;

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;
const DATA = { data: { type: 'string' as const } };
const LINK = { 'base-url': { type: 'string' as const }, 'ttl-hours': { type: 'string' as const } };

function operator(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username || name;
  } catch {
    // No passwd entry for this uid (some containers): the audit still says it came from the CLI.
  }
  return { channel: 'cli', actorId: null, actor: `cli:${name}`.slice(0, 254) };
}

/** --base-url, else SEATPILOT_CONSOLE_URL, else the cloud's default address: where people open the console. */
function baseUrl(raw: string | undefined): string {
  if (raw === undefined) {
    try {
      return consoleUrlFromEnv() ?? 'http://127.0.0.1:8080';
    } catch (e) {
      throw new CliError((e as Error).message, 2);
    }
  }
  const url = consoleUrlOf(raw);
  if (!url) throw new CliError(`--base-url must be the console's address, like https://console.example.com (http or https, no query); got "${raw.slice(0, 80)}"`, 2);
  return url;
}

function ttlHours(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LINK_TTL_HOURS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LINK_TTL_HOURS) throw new CliError(`--ttl-hours must be a whole number of hours from 1 to ${MAX_LINK_TTL_HOURS}; got "${raw.slice(0, 40)}"`, 2);
  return n;
}

async function run<T>(withDb: WithDb, dataDir: string | undefined, fn: (db: Db) => Promise<T>): Promise<void> {
  try {
    printJson(await withDb(dataDir, fn));
  } catch (e) {
    if (e instanceof ConsoleError) throw new CliError(e.message, e.code === 'bad_request' ? 2 : 1);
    throw e;
  }
}

/** Runs a user command; false when `sub` is not `user`. */
export async function userCommand(sub: string, verb: string | undefined, rest: string[], withDb: WithDb, usage: string): Promise<boolean> {
  if (sub !== 'user') return false;
  const who = operator();
  switch (verb) {
    case 'add': {
      const { values } = parseOptions(rest, { ...DATA, ...LINK, tenant: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } }, usage);
      const tenant = requireOption(values.tenant, 'tenant', usage);
      const email = requireOption(values.email, 'email', usage);
      const role = requireOption(values.role, 'role', usage);
      const link = { publicUrl: baseUrl(values['base-url']), ttlHours: ttlHours(values['ttl-hours']) };
      await run(withDb, values.data, (db) => inviteAccount(db, who, { tenantId: tenant, email, role }, { ...link, now: new Date() }));
      return true;
    }
    case 'link': {
      const { values } = parseOptions(rest, { ...DATA, ...LINK, email: { type: 'string' } }, usage);
      const email = requireOption(values.email, 'email', usage);
      const link = { publicUrl: baseUrl(values['base-url']), ttlHours: ttlHours(values['ttl-hours']) };
      await run(withDb, values.data, async (db) => {
        const account = await accountByEmail(db, email);
        return freshLink(db, who, { tenantId: account.tenant_id, id: account.id }, { ...link, now: new Date() });
      });
      return true;
    }
    case 'list': {
      const { values } = parseOptions(rest, { ...DATA, tenant: { type: 'string' } }, usage);
      const tenant = requireOption(values.tenant, 'tenant', usage);
      await run(withDb, values.data, async (db) => {
        if (!(await db.query('SELECT 1 FROM seatpilot.tenants WHERE id = $1', [tenant])).length) throw new ConsoleError('not_found', `no tenant "${tenant.slice(0, 80)}"`);
        return listAccounts(db, tenant);
      });
      return true;
    }
    case 'role':
    case 'disable':
    case 'enable': {
      const { values } = parseOptions(rest, { ...DATA, email: { type: 'string' }, ...(verb === 'role' ? { role: { type: 'string' as const } } : {}) }, usage);
      const email = requireOption(values.email, 'email', usage);
      const patch = verb === 'role'
        ? { role: roleOfOption(requireOption((values as { role?: string }).role, 'role', usage)) }
        : { disabled: verb === 'disable' };
      await run(withDb, values.data, async (db) => {
        const account = await accountByEmail(db, email);
        return { ...(await changeAccount(db, who, { tenantId: account.tenant_id, id: account.id }, patch, new Date())), tenant_id: account.tenant_id };
      });
      return true;
    }
    default:
      throw new CliError(`unknown command "cloud user${verb ? ` ${verb}` : ''}"\n${usage}`, 2);
  }
}

function roleOfOption(raw: string) {
  try {
    return roleOf(raw);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}
