// SEATPILOT_TRUST_PROXY: which X-Forwarded-For hops the agent and the cloud believe, so that behind a load balancer
// `request.ip` (the pairing routes' rate-limit key) is each client's own address, not the balancer's.
import { isIP } from 'node:net';
import { SettingError } from './setting-error';

/** A hop count, or the proxies' addresses and CIDR ranges; fastify's `trustProxy` takes both as they are. */
export type TrustProxy = number | string[];

export const TRUST_PROXY_VARIABLE = 'SEATPILOT_TRUST_PROXY';
const MAX_HOPS = 10;

function isCidr(entry: string): boolean {
  const [addr, prefix, extra] = entry.split('/');
  if (extra !== undefined || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Unset or empty: no proxy is trusted and X-Forwarded-For is ignored (a client cannot pick its own bucket). `true`
 * (trust every hop) is refused for the same reason: anyone could then claim any address.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  const v = value?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops < 1 || hops > MAX_HOPS) throw new SettingError(`${TRUST_PROXY_VARIABLE} must be a hop count from 1 to ${MAX_HOPS}, or a comma-separated list of proxy addresses or CIDR ranges such as 10.0.0.0/8; got "${v}"`);
    return hops;
  }
  const entries = v.split(',').map((s) => s.trim());
  const bad = entries.filter((e) => !isCidr(e));
  if (bad.length) {
    throw new SettingError(`${TRUST_PROXY_VARIABLE} must be a hop count from 1 to ${MAX_HOPS}, or a comma-separated list of proxy addresses or CIDR ranges such as 10.0.0.0/8; "${bad[0]}" is neither`);
  }
  return entries;
}

export function trustProxyFromEnv(env: Record<string, string | undefined> = process.env): TrustProxy | undefined {
  return parseTrustProxy(env[TRUST_PROXY_VARIABLE]);
}

/** fastify's `trustProxy` option; a hop count as the function fastify itself makes of one (its types omit numbers). */
export function fastifyTrustProxy(tp: TrustProxy | undefined): { trustProxy?: string[] | ((address: string, hop: number) => boolean) } {
  if (tp === undefined) return {};
  if (typeof tp === 'number') return { trustProxy: (_address: string, hop: number) => hop < tp };
  return { trustProxy: tp };
}
