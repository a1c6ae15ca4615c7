// `seatpilot pair`: on the box, exchanges a pairing code with the cloud (agent or kiosk) or with the venue hub (a door's
// kiosk) for the box's device id and key, and writes them into its config file in the config folder, mode 0600.
import { accessSync, chownSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrors } from '../core/contract/validate';
import { ConfigFileError, readJsonFile } from '../node-kit/config-file';
import type { PairRequest, PairResponse } from '../core/contract/pairing';
import { validatePairResponse } from '../protocol/pairing';

export const DEFAULT_CONFIG_DIR = '/etc/seatpilot';
/** Shipped templates (build/config/) that a first pairing starts from: listen address, database path, intervals. */
export const DEFAULT_DEFAULTS_DIR = '/usr/share/seatpilot/defaults';

export class PairingFailed extends Error {
  override name = 'PairingFailed';
}

export type BoxConfigFile = 'agent.json' | 'kiosk.json' | 'gateway.json';

export function configFileFor(kind: PairResponse['kind']): BoxConfigFile {
  switch (kind) {
    case 'agent':
      return 'agent.json';
    case 'kiosk':
      return 'kiosk.json';
    case 'gateway':
      return 'gateway.json';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

type Json = Record<string, unknown>;

function readJson(file: string): Json | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = readJsonFile(file);
  } catch (e) {
    if (e instanceof ConfigFileError) throw new PairingFailed(`${e.message}; fix or remove it, then pair again`);
    throw e;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PairingFailed(`${file} must hold a JSON object; fix or remove it, then pair again`);
  return raw as Json;
}

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** The venue this box is already set up for, from its existing config files, so a code for another venue is refused. */
export function configuredVenue(configDir: string): string | undefined {
  const agent = readJson(join(configDir, 'agent.json'));
  if (typeof agent?.venue_id === 'string') return agent.venue_id;
  const kiosk = readJson(join(configDir, 'kiosk.json'));
  const kv = obj(kiosk?.kiosk).venue_id;
  if (typeof kv === 'string') return kv;
  const gw = readJson(join(configDir, 'gateway.json'));
  return typeof gw?.venue_id === 'string' ? gw.venue_id : undefined;
}

/** The config file's new content: what was there (or the shipped template), with the identity and key from pairing. */
export function mergePairing(base: Json, paired: PairResponse, upstreamUrl: string): Json {
  const key = { key_id: paired.key_id, secret: paired.secret };
  switch (paired.kind) {
    case 'agent':
      return { ...base, venue_id: paired.venue_id, device_id: paired.device_id, cloud: { url: upstreamUrl, ...key } };
    case 'kiosk':
      // The kiosk app config (kiosk/app-config.ts): its hub is the agent, or the cloud itself.
      return { ...base, kiosk: { ...obj(base.kiosk), venue_id: paired.venue_id, device_id: paired.device_id }, hub: { base_url: upstreamUrl, ...key } };
    case 'gateway':
      return { ...base, venue_id: paired.venue_id, device_id: paired.device_id, hub: { base_url: upstreamUrl, ...key } };
    default: {
      const never: never = paired.kind;
      return never;
    }
  }
}

/**
 * Replaces `file` atomically with `text`, readable by its owner only: created 0600 (never briefly world-readable), synced,
 * renamed over the old file. Run as root, the file goes to the config folder's owner (the service user, see postinst).
 */
export function writeSecretFile(file: string, text: string): void {
  const dir = join(file, '..');
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  if (process.getuid?.() === 0) {
    const owner = statSync(dir);
    if (owner.uid !== 0) chownSync(tmp, owner.uid, owner.gid);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

export interface PairOptions {
  /** The cloud's or the hub's base URL. */
  url: string;
  /** Which side issued the code: the cloud (kiosk or agent) or the venue hub (a door's kiosk or gateway). */
  issuer: 'cloud' | 'agent';
  code: string;
  configDir: string;
  defaultsDir?: string;
  timeoutMs?: number;
}

export interface PairOutcome {
  file: string;
  kind: PairResponse['kind'];
  device_id: string;
  venue_id: string;
  key_id: string;
}

/** fetch hides the reason (ECONNREFUSED, ENOTFOUND, a timeout) in its cause. */
export function failureCause(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'no answer in time';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}

function refusalText(status: number, body: unknown): string {
  const b = obj(body);
  const message = typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : `HTTP ${status}`;
  return `pairing refused: ${message}`;
}

export async function pairBox(opts: PairOptions): Promise<PairOutcome> {
  if (!/^https?:\/\/[^/]/.test(opts.url)) throw new PairingFailed(`--${opts.issuer} must be a URL such as http://10.0.0.2:8600; got "${opts.url}"`);
  const base = opts.url.replace(/\/+$/, '');
  // Everything that can fail locally fails before the code is spent: a used code whose key was never written is lost.
  try {
    mkdirSync(opts.configDir, { recursive: true, mode: 0o750 });
    accessSync(opts.configDir, constants.W_OK);
  } catch (e) {
    throw new PairingFailed(`cannot write to ${opts.configDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run it as root: sudo seatpilot pair …`);
  }
  const venue = configuredVenue(opts.configDir);
  const templates = new Map((['agent.json', 'kiosk.json', 'gateway.json'] as const).map((n) => [n, readJson(join(opts.configDir, n)) ?? readJson(join(opts.defaultsDir ?? DEFAULT_DEFAULTS_DIR, n)) ?? {}]));
  const request: PairRequest = { code: opts.code, ...(venue ? { venue_id: venue } : {}) };
  let res: Response;
  try {
    res = await fetch(`${base}/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const cause = failureCause(e);
    throw new PairingFailed(`cannot reach ${base} (${cause}); check the address and the network, then try again`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a proxy's HTML error page: reported by status below
  }
  if (res.status !== 200) throw new PairingFailed(refusalText(res.status, body));
  if (!validatePairResponse(body)) throw new PairingFailed(`${base} answered, but not with a pairing: ${describeErrors(validatePairResponse)}; is it a SeatPilot ${opts.issuer}?`);
  const paired = body as PairResponse;
  if (opts.issuer === 'cloud' && paired.kind === 'gateway') throw new PairingFailed('this code pairs a beacon gateway; pair gateways to the venue hub (--agent)');

  const name = configFileFor(paired.kind);
  const file = join(opts.configDir, name);
  try {
    writeSecretFile(file, `${JSON.stringify(mergePairing(templates.get(name) ?? {}, paired, base), null, 2)}\n`);
  } catch (e) {
    throw new PairingFailed(`paired as ${paired.device_id}, but ${file} could not be written (${(e as Error).message}); ask for a new code and pair again`);
  }
  return { file, kind: paired.kind, device_id: paired.device_id, venue_id: paired.venue_id, key_id: paired.key_id };
}
