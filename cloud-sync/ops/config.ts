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

export function opsConfigFromEnv(env: Record<string, string | undefined> = process.env): OpsConfig {
  const token = env.SEATPILOT_ADMIN_TOKEN;
  if (token !== undefined && token !== '' && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(`SEATPILOT_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const refreshEverySec = env.REFRESH_EVERY_SEC === '0' ? undefined : refreshEverySecFromEnv(env);
  const billingEverySec = env.BILLING_EVERY_SEC === '0' ? undefined : billingEverySecFromEnv(env);
  return { adminToken: token || undefined, refreshEverySec, billingEverySec };
}
