// `seatpilot cloud …`: the cloud service and its admin commands. Every command works on PGlite (--data) or DATABASE_URL.
import { resolve } from 'node:path';
import { openDb, postgresOptionsFromEnv, type Db } from './db';
import { migratePostgres } from '../sql/migrate';
import { CliError, parseOptions, printJson, requireOption } from '../node-kit/cli';
import { AdminError, addDevice, addTenant, addVenue, revokeKey, rotateKey } from './admin';
import { issuePairCode } from './pairing';
import { revokeUnreadableKeys, sealStoredSecrets } from './device-secrets';
import { closeOnSignals } from '../node-kit/signals';
import { SdNotify } from '../node-kit/sd-notify';
import { startCloudServer, type RunningCloud } from './server';
import { SettingError } from '../protocol/setting-error';
import { isOpsCommand, opsCommand, OPS_USAGE, tenantPlanCommand } from './ops/cli';
import { GUESTLIST_USAGE, guestListCommand } from './guestlist/cli';
import { SEATING_USAGE, seatingCloudCommand } from './seating/cli';
import { MEMBER_USAGE, memberCommand } from './members';
import { USER_USAGE, userCommand } from './console/auth/cli';
import { LAYOUT_USAGE, layoutCommand } from './console/layout-cli';
import { AUDIT_USAGE, auditCommand } from './console/audit-verify';
import { audited, auditAfter, tenantOf } from './guestlist/cli-audit';

const USAGE = `usage: seatpilot cloud [serve] [--host 127.0.0.1] [--port 8080] [--data DIR]
       seatpilot cloud migrate                          [--data DIR]
       seatpilot cloud tenant add --name NAME           [--data DIR]
       seatpilot cloud tenant plan --tenant T --plan P [--events-per-month N] [--devices N] [--venues N] [--data DIR]
       seatpilot cloud venue add --tenant T --name NAME [--data DIR]
       seatpilot cloud device add --venue V --kind kiosk|agent|gateway [--name NAME] [--data DIR]
       seatpilot cloud device pair-code --venue V --kind kiosk|agent [--name NAME] [--ttl-minutes 60] [--data DIR]
       seatpilot cloud key rotate --device D            [--data DIR]
       seatpilot cloud key revoke --key K               [--data DIR]
       seatpilot cloud key revoke-unreadable            [--data DIR]
${GUESTLIST_USAGE}
${SEATING_USAGE}
${MEMBER_USAGE}
${USER_USAGE}
${LAYOUT_USAGE}
${AUDIT_USAGE}
${OPS_USAGE}

Runs on embedded PGlite in DIR (default ./data/cloud) unless DATABASE_URL is set. Admin commands print JSON.
Device secrets are stored sealed with the key in SEATPILOT_SECRET_KEY_FILE (default: seatpilot-secrets.key beside
the data folder, made on first start); back that file up apart from the database. After losing it,
key revoke-unreadable revokes the keys it sealed: pair those devices again.
A device's secret is printed once, when it is issued: store it on the device. A pairing code is single-use and
expires; on the box, \`seatpilot pair --cloud URL --code CODE\` exchanges it for the device and its key.`;

const DATA = { data: { type: 'string' as const } };

export async function openCloudDb(dataDir: string | undefined): Promise<Db> {
  // An operator's command (a 100,000-guest import, a month close) may run long: no statement timeout unless set.
  return openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: resolve(dataDir ?? 'data/cloud'), postgres: { statementTimeoutMs: 0, ...postgresOptionsFromEnv() } });
}

type WithDb = <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>;

/**
 * Each admin command opens the database (--data / DATABASE_URL), migrates it and closes it after; given `shared` (an
 * in-process caller such as tests/fixtures/cli-inprocess.ts), it uses that one, already open, and leaves it open.
 */
function withDbOf(shared: Db | undefined): WithDb {
  return async (dataDir, fn) => {
    const db = shared ?? (await openCloudDb(dataDir));
    try {
      await migratePostgres(db);
      return await fn(db);
    } catch (e) {
      if (e instanceof AdminError) throw new CliError(e.message);
      throw e;
    } finally {
      if (!shared) await db.close();
    }
  };
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { ...DATA, host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' } }, USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number; got "${values.port}"`, 2);
  let running: RunningCloud;
  try {
    running = await startCloudServer({ host: values.host, port, dataDir: resolve(values.data ?? 'data/cloud'), databaseUrl: process.env.DATABASE_URL });
  } catch (e) {
    if (e instanceof SettingError) throw new CliError(e.message);
    throw e;
  }
  console.error(`seatpilot cloud: listening on ${running.url} (${running.db.backend}${running.db.backend === 'pglite' ? ` in ${resolve(values.data ?? 'data/cloud')}` : ''})`);
  if (running.metricsUrl) console.error(`seatpilot cloud: metrics on ${running.metricsUrl}`);
  console.error(`seatpilot cloud: background passes ${running.background} (SEATPILOT_BACKGROUND)`);
  // Under systemd (seatpilot-cloud@.service, Type=notify): ready once listening, so the load balancer's replicas come up
  // one by one; with WatchdogSec= the watchdog is fed while the database answers.
  const sd = new SdNotify();
  await sd.ready(`listening on ${running.url}, background passes ${running.background}`);
  sd.startWatchdog(async () => {
    await running.db.query('SELECT 1');
    return true;
  });
  closeOnSignals({ close: async () => (await sd.stopping(), running.close()) }, 'seatpilot cloud');
}

/** `tenant plan`'s --tenant, read again here for its audit entry (ops/cli.ts parses and checks the options). */
function planTenant(args: string[]): string | undefined {
  const i = args.indexOf('--tenant');
  const inline = args.find((a) => a.startsWith('--tenant='));
  return inline ? inline.slice('--tenant='.length) : i >= 0 ? args[i + 1] : undefined;
}

function planOptions(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['plan', 'events-per-month', 'devices', 'venues']) {
    const i = args.indexOf(`--${name}`);
    if (i >= 0 && args[i + 1] !== undefined) out[name] = args[i + 1] as string;
  }
  return out;
}

/** `shared`: the database the admin commands use instead of opening their own (never the service's: serve opens its own). */
export async function cloudCommand(args: string[], shared?: Db): Promise<void> {
  const withDb = withDbOf(shared);
  const [sub, verb, ...rest] = args;
  const both = verb === undefined ? [] : [verb, ...rest];
  switch (sub) {
    case undefined:
    case 'serve':
      return serve(both);
    case 'migrate': {
      const { values } = parseOptions(both, DATA, USAGE);
      const db = shared ?? (await openCloudDb(values.data));
      try {
        const report = await migratePostgres(db);
        await sealStoredSecrets(db);
        printJson(report);
      } finally {
        if (!shared) await db.close();
      }
      return;
    }
    case 'tenant': {
      if (verb === 'plan') {
        // ops/cli.ts writes the plan with its own statements; the audit entry follows right after.
        const tenant = planTenant(rest);
        return tenantPlanCommand(rest, (dir, fn) => withDb(dir, async (db) => {
          const out = await fn(db);
          return tenant ? auditAfter(db, out, async () => ({ tenantId: tenant, action: 'tenant.plan', entity: 'tenant', entityId: tenant, after: planOptions(rest) })) : out;
        }));
      }
      if (verb !== 'add') break;
      const { values } = parseOptions(rest, { ...DATA, name: { type: 'string' } }, USAGE);
      const name = requireOption(values.name, 'name', USAGE);
      printJson(await withDb(values.data, (db) => audited(db, (q) => addTenant(q, name), async (t) => ({ tenantId: t.id, action: 'tenant.add', entity: 'tenant', entityId: t.id, after: { name: t.name } }))));
      return;
    }
    case 'venue': {
      if (verb !== 'add') break;
      const { values } = parseOptions(rest, { ...DATA, tenant: { type: 'string' }, name: { type: 'string' } }, USAGE);
      const tenant = requireOption(values.tenant, 'tenant', USAGE);
      const name = requireOption(values.name, 'name', USAGE);
      printJson(await withDb(values.data, (db) => audited(db, (q) => addVenue(q, tenant, name), async (v) => ({ tenantId: v.tenant_id, action: 'venue.add', entity: 'venue', entityId: v.id, venueId: v.id, after: { name: v.name } }))));
      return;
    }
    case 'device': {
      if (verb === 'pair-code') {
        const { values } = parseOptions(rest, { ...DATA, venue: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, 'ttl-minutes': { type: 'string' } }, USAGE);
        const venue = requireOption(values.venue, 'venue', USAGE);
        const kind = requireOption(values.kind, 'kind', USAGE);
        if (kind !== 'kiosk' && kind !== 'agent') throw new CliError(`--kind must be kiosk or agent; got "${kind}"`, 2);
        const ttl = values['ttl-minutes'] === undefined ? undefined : Number(values['ttl-minutes']);
        // The audit keeps what the code is for and until when, never the code.
        printJson(await withDb(values.data, (db) => audited(db, (q) => issuePairCode(q, venue, kind, { ...(ttl !== undefined ? { ttlMinutes: ttl } : {}), name: values.name }), async (c) => ({
          tenantId: c.tenant_id, action: 'pair_code.issue', entity: 'venue', entityId: c.venue_id, venueId: c.venue_id, after: { kind: c.kind, name: values.name ?? null, expires_at: c.expires_at },
        }))));
        return;
      }
      if (verb !== 'add') break;
      const { values } = parseOptions(rest, { ...DATA, venue: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } }, USAGE);
      const venue = requireOption(values.venue, 'venue', USAGE);
      const kind = requireOption(values.kind, 'kind', USAGE);
      printJson(await withDb(values.data, (db) => audited(db, (q) => addDevice(q, venue, kind, values.name), async (d) => ({
        tenantId: d.tenant_id, action: 'device.add', entity: 'device', entityId: d.device_id, venueId: d.venue_id, after: { kind: d.kind, name: values.name ?? null, key_id: d.key_id },
      }))));
      return;
    }
    case 'key': {
      if (verb === 'rotate') {
        const { values } = parseOptions(rest, { ...DATA, device: { type: 'string' } }, USAGE);
        const device = requireOption(values.device, 'device', USAGE);
        printJson(await withDb(values.data, (db) => audited(db, (q) => rotateKey(q, device), async (k) => ({
          tenantId: k.tenant_id, action: 'key.rotate', entity: 'device', entityId: k.device_id, venueId: k.venue_id, after: { key_id: k.key_id, previous_keys_expire_at: k.previous_keys_expire_at },
        }))));
        return;
      }
      if (verb === 'revoke-unreadable') {
        const { values } = parseOptions(rest, DATA, USAGE);
        printJson(await withDb(values.data, (db) => revokeUnreadableKeys(db)));
        return;
      }
      if (verb === 'revoke') {
        const { values } = parseOptions(rest, { ...DATA, key: { type: 'string' } }, USAGE);
        const key = requireOption(values.key, 'key', USAGE);
        printJson(await withDb(values.data, (db) => audited(db, (q) => revokeKey(q, key), async (r, q) => ({ ...(await tenantOf(q, 'key', key)), action: 'key.revoke', entity: 'key', entityId: r.key_id, after: { status: r.status } }))));
        return;
      }
      break;
    }
    default:
      if (isOpsCommand(sub)) return opsCommand(sub, both, withDb);
      if (sub.startsWith('--')) return serve(args);
      if (await guestListCommand(sub, verb, rest, withDb, USAGE)) return;
      if (sub === 'seating' && (await seatingCloudCommand(verb, rest, withDb, USAGE))) return;
      if (await memberCommand(sub, verb, rest, withDb, USAGE)) return;
      if (await userCommand(sub, verb, rest, withDb, USAGE)) return;
      if (sub === 'layout' && (await layoutCommand(verb, rest, withDb, USAGE))) return;
      if (await auditCommand(sub, verb, rest, withDb, USAGE)) return;
      break;
  }
  throw new CliError(`unknown command "cloud ${[sub, verb].filter(Boolean).join(' ')}"\n${USAGE}`, 2);
}
