// `seatpilot cloud kpi-refresher | partitions | billing … | plan …` and `tenant plan`: the cloud ops commands. Each runs on PGlite (--data) or DATABASE_URL.
import { CliError, parseOptions, printJson, requireOption } from '../../node-kit/cli';
import type { Db } from '../db';
import { billingCsv, billingReport, BillingInputError, closeMonth, listPlans, parseMonth, setEntitlement, upsertPlan } from '../billing/billing';
import { maintainEventPartitions, setPartitionSettings } from '../kpi/partitions';
import { KpiRefresher, refreshEverySecFromEnv, type OpsLogger } from '../kpi/refresher';

export const OPS_USAGE = `       seatpilot cloud kpi-refresher [--once] [--data DIR]     refresh KPI views every REFRESH_EVERY_SEC (default 60)
       seatpilot cloud partitions [--retention-days N] [--premake-days N] [--data DIR]
       seatpilot cloud billing close --month YYYY-MM [--data DIR]
       seatpilot cloud billing report [--month YYYY-MM] [--tenant ID] [--csv] [--data DIR]
       seatpilot cloud plan set --id ID --name NAME --price-cents N --monthly-events N --devices N --venues N [--overage-cents-per-1000 N] [--data DIR]
       seatpilot cloud plan list [--data DIR]`;

export const OPS_COMMANDS = ['kpi-refresher', 'partitions', 'billing', 'plan'] as const;
export type OpsCommand = (typeof OPS_COMMANDS)[number];

export function isOpsCommand(sub: string | undefined): sub is OpsCommand {
  return (OPS_COMMANDS as readonly string[]).includes(sub ?? '');
}

/** One JSON object per line on stderr, like the service's logs. */
const jsonLog: OpsLogger = {
  info: (o, msg) => console.error(JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...o })),
  warn: (o, msg) => console.error(JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg, ...o })),
  error: (o, msg) => console.error(JSON.stringify({ level: 'error', time: new Date().toISOString(), msg, ...o })),
};

function wholeNumber(v: string | undefined, name: string, usage: string): number {
  const n = Number(requireOption(v, name, usage));
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number ≥ 0, got "${v}"`, 2);
  return n;
}

/** `seatpilot cloud tenant plan`: puts a tenant on a plan, with optional allowances of its own. */
export async function tenantPlanCommand(args: string[], withDb: <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>): Promise<void> {
  const usage = 'usage: seatpilot cloud tenant plan --tenant T --plan P [--events-per-month N] [--devices N] [--venues N] [--data DIR]';
  const { values } = parseOptions(args, {
    data: { type: 'string' }, tenant: { type: 'string' }, plan: { type: 'string' },
    'events-per-month': { type: 'string' }, devices: { type: 'string' }, venues: { type: 'string' },
  }, usage);
  const tenant = requireOption(values.tenant, 'tenant', usage);
  const plan = requireOption(values.plan, 'plan', usage);
  const override = (name: 'events-per-month' | 'devices' | 'venues') => (values[name] === undefined ? undefined : wholeNumber(values[name], name, usage));
  const overrides = { eventsPerMonth: override('events-per-month'), devices: override('devices'), venues: override('venues') };
  try {
    await withDb(values.data, async (db) => {
      await setEntitlement(db, tenant, plan, Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
      printJson({ tenant_id: tenant, plan_id: plan, overrides: Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) });
    });
  } catch (e) {
    if (e instanceof BillingInputError) throw new CliError(e.message, 2);
    throw e;
  }
}

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number ≥ 1, got "${v}"`, 2);
  return n;
}

/** Runs one ops command; `withDb` opens the cloud database (migrated) and closes it after. */
export async function opsCommand(sub: OpsCommand, args: string[], withDb: <T>(dataDir: string | undefined, fn: (db: Db) => Promise<T>) => Promise<T>): Promise<void> {
  switch (sub) {
    case 'kpi-refresher': {
      const { values } = parseOptions(args, { data: { type: 'string' }, once: { type: 'boolean' } }, OPS_USAGE);
      let everySec: number;
      try {
        everySec = refreshEverySecFromEnv();
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      await withDb(values.data, async (db) => {
        const refresher = new KpiRefresher({ db, everySec, log: jsonLog, keepAlive: true });
        if (values.once) {
          const results = await refresher.runOnce();
          printJson(results);
          if (results !== 'busy' && results.some((r) => r.outcome === 'failed')) process.exitCode = 1;
          return;
        }
        refresher.start();
        await new Promise<void>((resolveStop) => {
          const stop = () => void refresher.stop().then(() => resolveStop());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
      return;
    }
    case 'partitions': {
      const { values } = parseOptions(args, { data: { type: 'string' }, 'retention-days': { type: 'string' }, 'premake-days': { type: 'string' } }, OPS_USAGE);
      const retentionDays = positiveInt(values['retention-days'], 'retention-days');
      const premakeDays = positiveInt(values['premake-days'], 'premake-days');
      await withDb(values.data, async (db) => {
        if (retentionDays !== undefined || premakeDays !== undefined) {
          await setPartitionSettings(db, { ...(retentionDays !== undefined ? { retentionDays } : {}), ...(premakeDays !== undefined ? { premakeDays } : {}) });
        }
        printJson(await maintainEventPartitions(db));
      });
      return;
    }
    case 'billing': {
      const [action, ...rest] = args;
      // The action first, so that a misspelt one is named as such (and not as a bad option).
      if (action !== 'close' && action !== 'report') throw new CliError(`unknown billing action "${action ?? ''}"\n${OPS_USAGE}`, 2);
      const { values } = parseOptions(rest, { data: { type: 'string' }, month: { type: 'string' }, tenant: { type: 'string' }, csv: { type: 'boolean' } }, OPS_USAGE);
      try {
        if (action === 'close') {
          const month = parseMonth(requireOption(values.month, 'month', OPS_USAGE));
          await withDb(values.data, async (db) => printJson(await closeMonth(db, month)));
        } else {
          const filter = { ...(values.month !== undefined ? { month: parseMonth(values.month) } : {}), ...(values.tenant !== undefined ? { tenantId: values.tenant } : {}) };
          await withDb(values.data, async (db) => {
            const rows = await billingReport(db, filter);
            if (values.csv) process.stdout.write(billingCsv(rows));
            else printJson(rows);
          });
        }
      } catch (e) {
        if (e instanceof BillingInputError) throw new CliError(e.message, 2);
        throw e;
      }
      return;
    }
    case 'plan': {
      const [action, ...rest] = args;
      if (action === 'list') {
        const { values } = parseOptions(rest, { data: { type: 'string' } }, OPS_USAGE);
        await withDb(values.data, async (db) => printJson(await listPlans(db)));
        return;
      }
      if (action !== 'set') throw new CliError(`unknown plan action "${action ?? ''}"\n${OPS_USAGE}`, 2);
      const { values } = parseOptions(rest, {
        data: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, 'price-cents': { type: 'string' }, 'monthly-events': { type: 'string' },
        devices: { type: 'string' }, venues: { type: 'string' }, 'overage-cents-per-1000': { type: 'string' },
      }, OPS_USAGE);
      const plan = {
        id: requireOption(values.id, 'id', OPS_USAGE),
        name: requireOption(values.name, 'name', OPS_USAGE),
        priceCents: wholeNumber(values['price-cents'], 'price-cents', OPS_USAGE),
        eventsPerMonth: wholeNumber(values['monthly-events'], 'monthly-events', OPS_USAGE),
        devices: wholeNumber(values.devices, 'devices', OPS_USAGE),
        venues: wholeNumber(values.venues, 'venues', OPS_USAGE),
        overageCentsPer1000: values['overage-cents-per-1000'] === undefined ? 0 : wholeNumber(values['overage-cents-per-1000'], 'overage-cents-per-1000', OPS_USAGE),
      };
      try {
        await withDb(values.data, async (db) => {
          await upsertPlan(db, plan);
          printJson(plan);
        });
      } catch (e) {
        if (e instanceof BillingInputError) throw new CliError(e.message, 2);
        throw e;
      }
      return;
    }
    default: {
      const never: never = sub;
      throw new CliError(`unknown ops command ${String(never)}`, 2);
    }
  }
}
