// Cloud ops settings from the environment, validated at start: a bad value stops the service with the variable's name.
import { MIN_ADMIN_TOKEN_LENGTH } from './admin-auth';
import { refreshEverySecFromEnv } from '../kpi/refresher';
import { billingEverySecFromEnv } from '../billing/passes';

export interface OpsConfig {
  /** SEATPILOT_ADMIN_TOKEN: without it the /admin routes are off. */
  adminToken?: string | undefined;
  /** REFRESH_EVERY_SEC (default 60); REFRESH_EVERY_SEC=0 runs no refresher in the service (use `seatpilot cloud kpi-refresher`). */
  refreshEverySec?: number | undefined;
  /** BILLING_EVERY_SEC (default 3600): usage rows and month close (cloud-sync/billing/passes.ts); 0 runs none in this replica. */
  billingEverySec?: number | undefined;
}

/**
 * SEATPILOT_BACKGROUND=on|off (default on): whether this replica runs the background passes (KPI refresher with its
 * partition maintenance, billing, double-admission detector, assign metrics). Behind a load balancer one replica runs
 * them and the others say off (build/system/seatpilot-cloud@.service). Two replicas left on by mistake are still safe:
 * each pass takes its Postgres advisory lock (sql/advisory-locks.ts), so a second replica skips or waits its turn.
 */
export type Background = 'on' | 'off';

export const BACKGROUND_VARIABLE = 'SEATPILOT_BACKGROUND';

export function backgroundFromEnv(env: Record<string, string | undefined> = process.env): Background {
  const raw = env[BACKGROUND_VARIABLE]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'on') return 'on';
  if (raw === 'off') return 'off';
  throw new Error(`${BACKGROUND_VARIABLE} must be on or off, got "${(env[BACKGROUND_VARIABLE] ?? '').slice(0, 40)}"`);
}

export function opsConfigFromEnv(env: Record<string, string | undefined> = process.env): OpsConfig {
  const token = env.SEATPILOT_ADMIN_TOKEN;
  if (token !== undefined && token !== '' && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(`SEATPILOT_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  // Each setting is checked even with the passes off here, so a typo shows on every replica, not only the one that runs them.
  const background = backgroundFromEnv(env) === 'on';
  const refreshEverySec = env.REFRESH_EVERY_SEC === '0' ? undefined : refreshEverySecFromEnv(env);
  const billingEverySec = env.BILLING_EVERY_SEC === '0' ? undefined : billingEverySecFromEnv(env);
  if (!background) return { adminToken: token || undefined, refreshEverySec: undefined, billingEverySec: undefined };
  return { adminToken: token || undefined, refreshEverySec, billingEverySec };
}
