// The cloud's billing pass, run by the service on a timer: every active tenant gets its usage row for the current
// month (so a month with no events is still billed its plan price and shows on /admin/billing), and every month that
// has ended is closed by the first pass after its end. One pass at a time across replicas; a close is idempotent, so a
// pass that runs again, or late after a replica was down for days, closes each month once.
import { ADVISORY_LOCKS } from '../../sql/advisory-locks';
import type { Queryable } from '../db';
import type { OpsLogger } from '../kpi/refresher';
import { closeMonth, type Month } from './billing';

export const DEFAULT_BILLING_EVERY_SEC = 3600;

/** BILLING_EVERY_SEC from the environment: whole seconds from 1 to 86400 (0: no pass in this replica, handled by the caller). */
export function billingEverySecFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.BILLING_EVERY_SEC;
  if (raw === undefined || raw === '') return DEFAULT_BILLING_EVERY_SEC;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 86_400) throw new Error(`BILLING_EVERY_SEC must be a whole number of seconds from 1 to 86400 (0 for none), got "${raw.slice(0, 40)}"`);
  return n;
}

export interface BillingPassResult {
  /** The month (UTC) of the pass's clock. */
  month: Month;
  /** Active tenants that had no usage row for that month and got one. */
  usageRowsAdded: number;
  /** Months closed by this pass, with the tenants closed in each. */
  closed: { month: Month; closed: number }[];
}

const monthOf = (d: Date): Month => d.toISOString().slice(0, 7);

/**
 * One billing pass as of `now`. A tenant is active when it is on a plan or has a device whose key is not revoked.
 * Months close only once both `now` and the database clock are past them (the close refuses a month the database
 * thinks is still running). Another replica's pass in progress makes this one skip.
 */
export async function billingPass(db: Queryable, now: Date): Promise<BillingPassResult | 'skipped_locked'> {
  return db.tx(async (q) => {
    const [lock] = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ADVISORY_LOCKS.billingPass]);
    if (!lock?.ok) return 'skipped_locked';
    const month = monthOf(now);
    const added = await q.query(
      `INSERT INTO billing.usage_monthly (tenant_id, month)
       SELECT t.id, $1::date FROM seatpilot.tenants t
        WHERE EXISTS (SELECT 1 FROM billing.entitlements e WHERE e.tenant_id = t.id)
           OR EXISTS (SELECT 1 FROM seatpilot.devices d JOIN seatpilot.device_keys k ON k.device_id = d.id
                       WHERE d.tenant_id = t.id AND k.status <> 'revoked')
       ON CONFLICT DO NOTHING RETURNING tenant_id`,
      [`${month}-01`],
    );
    const open = await q.query<{ month: Month }>(
      `SELECT DISTINCT to_char(u.month, 'YYYY-MM') AS month FROM billing.v_usage_priced u
        WHERE u.month < $1::date AND u.month < date_trunc('month', now() AT TIME ZONE 'UTC')::date
          AND NOT EXISTS (SELECT 1 FROM billing.month_closes c WHERE c.tenant_id = u.tenant_id AND c.month = u.month)
        ORDER BY 1`,
      [`${month}-01`],
    );
    const closed: BillingPassResult['closed'] = [];
    for (const o of open) closed.push(await closeMonth(q, o.month));
    return { month, usageRowsAdded: added.length, closed };
  });
}

export interface BillingPassesOptions {
  db: Queryable;
  everyMs: number;
  log: OpsLogger;
  /** The pass's clock; tests inject one to cross a month's end. */
  now?: () => Date;
  /** Also told of every failed pass, as `billing pass failed`: the service's counted sink (countedFaults, which never throws). */
  fault?: (kind: 'billing pass failed', message: string) => void;
}

/** Runs billingPass at start and every `everyMs`; a failed pass is logged and the next tick tries again. */
export class BillingPasses {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<BillingPassResult | 'skipped_locked' | 'failed'> | undefined;

  constructor(private readonly opts: BillingPassesOptions) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.opts.everyMs);
    this.timer.unref();
  }

  /** One pass; while one is still running, this tick waits for it instead of starting another. */
  async runOnce(): Promise<BillingPassResult | 'skipped_locked' | 'failed'> {
    if (this.running) return this.running;
    const pass = this.pass().finally(() => {
      if (this.running === pass) this.running = undefined;
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<BillingPassResult | 'skipped_locked' | 'failed'> {
    try {
      const r = await billingPass(this.opts.db, (this.opts.now ?? (() => new Date()))());
      if (r !== 'skipped_locked' && (r.usageRowsAdded || r.closed.length)) this.opts.log.info(r, 'billing pass');
      return r;
    } catch (e) {
      // The database is unreachable or a close failed: say so; the next tick tries again.
      this.opts.log.error({ error: (e as Error).message }, 'billing pass failed');
      this.opts.fault?.('billing pass failed', (e as Error).message);
      return 'failed';
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
