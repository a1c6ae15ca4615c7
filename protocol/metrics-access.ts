// Who may read /metrics. The cloud's lists every tenant's, venue's and device's ids, so it is served only with a bearer
// token (SEATPILOT_METRICS_TOKEN) or on a listen address of its own (SEATPILOT_METRICS_LISTEN, e.g. a private
// interface); the agent's holds one venue's figures and is open on the LAN unless a token is set.
import { SettingError } from './setting-error';

export type MetricsAccess =
  | { kind: 'open' }
  | { kind: 'token'; token: string }
  /** Not on this listener (served on SEATPILOT_METRICS_LISTEN, or nowhere): 404 with what to set. */
  | { kind: 'off'; reason: string };

export interface MetricsSettings {
  /** The main listener's /metrics. */
  main: MetricsAccess;
  /** A listener of its own for /metrics (SEATPILOT_METRICS_LISTEN), with the same token rule. */
  listen?: { host: string; port: number; access: MetricsAccess };
}

export const METRICS_TOKEN_VARIABLE = 'SEATPILOT_METRICS_TOKEN';
export const METRICS_LISTEN_VARIABLE = 'SEATPILOT_METRICS_LISTEN';
export const MIN_METRICS_TOKEN_LENGTH = 16;

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new SettingError(`${METRICS_LISTEN_VARIABLE} must be HOST:PORT, such as 10.0.0.5:9464 or [fd00::5]:9464; got "${value}"`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/**
 * `tier` decides the default: the cloud serves /metrics publicly only with a token; the agent, on the venue LAN, serves
 * it openly unless a token is set.
 */
export function metricsSettingsFromEnv(tier: 'cloud' | 'agent', env: Record<string, string | undefined> = process.env): MetricsSettings {
  const token = env[METRICS_TOKEN_VARIABLE] || undefined;
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN_LENGTH || /\s/.test(token))) {
    throw new SettingError(`${METRICS_TOKEN_VARIABLE} must be at least ${MIN_METRICS_TOKEN_LENGTH} characters without spaces`);
  }
  const withToken: MetricsAccess = token ? { kind: 'token', token } : { kind: 'open' };
  const listenValue = env[METRICS_LISTEN_VARIABLE] || undefined;
  if (listenValue !== undefined) {
    return { main: { kind: 'off', reason: `served on ${listenValue} only (${METRICS_LISTEN_VARIABLE})` }, listen: { ...parseListen(listenValue), access: withToken } };
  }
  if (token || tier === 'agent') return { main: withToken };
  return { main: { kind: 'off', reason: `set ${METRICS_TOKEN_VARIABLE} (then scrape with Authorization: Bearer) or ${METRICS_LISTEN_VARIABLE}` } };
}

export { checkBearer } from './bearer';
