// `seatpilot smoke --cloud https://HOST`: after a deploy, checks the cloud end to end from outside, through its TLS
// front, with a device made for the purpose: TLS, /health, a pairing code (written in the cloud's database) exchanged on
// POST /pair, a signed event batch stored once (and found a duplicate when sent again), read back from the database and
// the fleet view, a signed sync page; then the key is revoked, even when a step failed, and seen refused.
//
// Credentials: the cloud's database (DATABASE_URL, the replicas' own; the smoke runs where the migrate unit runs), from
// the environment or from the service's environment file (--env-file /etc/seatpilot/cloud.env): never on the command
// line, where `ps` would show it. The admin token (SEATPILOT_ADMIN_TOKEN, same sources) is used only with --admin URL, a
// replica's own address, since the front keeps /admin closed. No migration is run: a smoke never changes the schema.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { CliError, parseOptions } from '../node-kit/cli';
import { openPostgres, type Db, type Queryable } from '../cloud-sync/db';
import { addTenant, addVenue, revokeKey } from '../cloud-sync/admin';
import { issuePairCode } from '../cloud-sync/pairing';
import { fleetStatus } from '../cloud-sync/fleet/fleet';
import { audited, tenantOf } from '../cloud-sync/guestlist/cli-audit';
import { pairingCodeHash } from '../protocol/pairing';
import { signRequest } from '../core/signing/signing';
import { MIGRATIONS_TABLE } from '../sql/migrate';

export const SMOKE_CLOUD_USAGE = `usage: seatpilot smoke --cloud https://HOST [--ca FILE] [--env-file FILE] [--venue V] [--admin URL]
  --cloud URL      the cloud as devices reach it (its TLS front)
  --ca FILE        trust this certificate (PEM) for the front, e.g. a self-signed one; default: the system's roots
  --env-file FILE  read DATABASE_URL (and SEATPILOT_ADMIN_TOKEN) from this file, e.g. /etc/seatpilot/cloud.env;
                   default: the environment. Never give them as options: ps shows a command line to every user
  --venue V        the venue the smoke device joins; default: the venue "smoke" of the tenant "SeatPilot smoke",
                   made on the first run (its events and devices are kept apart from every customer's)
  --admin URL      also read the device on /admin/fleet at this address (a replica's, e.g. http://127.0.0.1:8081)
Prints one line per step; exits 1 naming the step that failed (the device's key is revoked all the same).
The smoke of the appliance demo is \`npm run smoke\`.`;

export const SMOKE_TENANT_NAME = 'SeatPilot smoke';
export const SMOKE_VENUE_NAME = 'smoke';
/** A certificate expiring sooner fails the smoke: renewal has stopped working and devices will stop in days. */
export const MIN_CERT_DAYS = 7;

export type SmokeStep = 'tls' | 'health' | 'database' | 'pair' | 'ingest' | 'duplicate' | 'stored' | 'fleet' | 'sync' | 'revoke' | 'revoked';

const MAIN_STEPS: readonly SmokeStep[] = ['tls', 'health', 'database', 'pair', 'ingest', 'duplicate', 'stored', 'fleet', 'sync'];

class StepFailed extends Error {}

interface Answer {
  status: number;
  body: string;
}

/** Reads KEY=VALUE lines as systemd's EnvironmentFile= does for the simple cases (comments, blank lines, quotes). */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --env-file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2] as string;
    if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) v = v.slice(1, -1);
    out[m[1] as string] = v;
  }
  return out;
}

function call(url: URL, method: string, o: { headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers: o.headers, ...(o.ca && url.protocol === 'https:' ? { ca: o.ca } : {}), timeout: 20_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 20 s`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

function parsed(a: Answer, what: string): Record<string, unknown> {
  try {
    return JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    throw new StepFailed(`${what} answered ${a.status} with non-JSON: ${a.body.slice(0, 160)}`);
  }
}

/** The handshake as a device's would go: the certificate checked against the roots (or --ca), protocol and ALPN seen. */
function checkTls(url: URL, ca: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({ host, port: Number(url.port || 443), ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}), ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false, timeout: 20_000 });
    socket.once('timeout', () => socket.destroy(new Error('no TLS handshake within 20 s')));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      const alpn = socket.alpnProtocol;
      const authorized = socket.authorized;
      const error = socket.authorizationError;
      socket.end();
      if (!authorized) return reject(new StepFailed(`the certificate is not trusted (${String(error)})${ca ? '' : '; for a self-signed front, pass --ca FILE'}`));
      const days = Math.floor((new Date(cert.valid_to).getTime() - Date.now()) / 86_400_000);
      if (days < MIN_CERT_DAYS) return reject(new StepFailed(`the certificate expires in ${days} day(s) (${cert.valid_to}): renew it`));
      resolve(`${protocol}, ALPN ${alpn || 'none'}, certificate of ${cert.subject?.CN ?? '?'} valid ${days} more days`);
    });
  });
}

/** The smoke venue: the one named, or the smoke tenant's own, made the first time (audited as the CLI's changes are). */
async function smokeVenue(db: Db, named: string | undefined): Promise<{ id: string; made: boolean }> {
  if (named) {
    const rows = await db.query('SELECT 1 FROM seatpilot.venues WHERE id = $1', [named]);
    if (!rows.length) throw new StepFailed(`no venue "${named}" in this database`);
    return { id: named, made: false };
  }
  const found = await db.query<{ id: string }>(
    `SELECT v.id FROM seatpilot.venues v JOIN seatpilot.tenants t ON t.id = v.tenant_id
      WHERE t.name = $1 AND v.name = $2 ORDER BY v.id LIMIT 1`, [SMOKE_TENANT_NAME, SMOKE_VENUE_NAME]);
  if (found[0]) return { id: found[0].id, made: false };
  const [tenant] = await db.query<{ id: string }>('SELECT id FROM seatpilot.tenants WHERE name = $1 ORDER BY id LIMIT 1', [SMOKE_TENANT_NAME]);
  const tenantId = tenant?.id ?? (await audited(db, (q) => addTenant(q, SMOKE_TENANT_NAME), async (t) => ({ tenantId: t.id, action: 'tenant.add', entity: 'tenant', entityId: t.id, after: { name: t.name } }))).id;
  const venue = await audited(db, (q) => addVenue(q, tenantId, SMOKE_VENUE_NAME), async (v) => ({ tenantId: v.tenant_id, action: 'venue.add', entity: 'venue', entityId: v.id, venueId: v.id, after: { name: v.name } }));
  return { id: venue.id, made: true };
}

export interface SmokeCloudOptions {
  cloud: string;
  ca?: string | undefined;
  databaseUrl: string;
  venue?: string | undefined;
  admin?: { url: string; token: string } | undefined;
  /** One line per step (stdout by default). */
  print?: (line: string) => void;
}

export interface SmokeCloudResult {
  ok: boolean;
  failed: SmokeStep | null;
  steps: { step: SmokeStep; ok: boolean; detail: string }[];
  device_id: string | null;
  key_id: string | null;
}

export async function smokeCloud(o: SmokeCloudOptions): Promise<SmokeCloudResult> {
  const print = o.print ?? ((l: string) => console.log(l));
  const base = new URL(o.cloud);
  const at = (path: string) => new URL(path, base);
  const started = Date.now();
  const steps: SmokeCloudResult['steps'] = [];
  let failed: SmokeStep | null = null;
  const run = async (step: SmokeStep, fn: () => Promise<string>): Promise<boolean> => {
    try {
      const detail = await fn();
      steps.push({ step, ok: true, detail });
      print(`✓ ${step}: ${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return true;
    } catch (e) {
      const detail = (e as Error).message;
      steps.push({ step, ok: false, detail });
      print(`✗ ${step}: ${detail}`);
      failed ??= step;
      return false;
    }
  };

  const db = openPostgres(o.databaseUrl, { max: 2, applicationName: 'seatpilot-smoke', connectTimeoutMs: 10_000 });
  let code: string | null = null;
  let key: { key_id: string; secret: string; device_id: string; venue_id: string } | null = null;
  const eventId = randomUUID();
  const signedCall = async (method: string, pathWithQuery: string, body?: string) => {
    const headers: Record<string, string> = { ...(await signRequest({ keyId: key!.key_id, secret: key!.secret, method, pathWithQuery, body: body ?? null })) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return call(at(pathWithQuery), method, { headers, ...(body !== undefined ? { body } : {}), ca: o.ca });
  };
  const batch = () => JSON.stringify({
    batch_id: randomUUID(), sent_at: new Date().toISOString(),
    events: [{ event_id: eventId, type: 'device.heartbeat', occurred_at: new Date().toISOString(), venue_id: key!.venue_id, device_id: key!.device_id,
      payload: { app_version: 'smoke', outbox_depth: 0, oldest_unsent_s: 0, guest_list_version: 0, scanner_ok: null, clock_skew_ms: 0 } }],
  });

  try {
    const steady =
      (base.protocol === 'https:' ? await run('tls', () => checkTls(base, o.ca)) : (print(`- tls: skipped, ${base.origin} is not https`), true))
      && await run('health', async () => {
        const a = await call(at('/health'), 'GET', { ca: o.ca });
        const b = parsed(a, 'GET /health');
        if (a.status !== 200 || b.status !== 'ok') throw new StepFailed(`GET /health answered ${a.status} ${a.body.slice(0, 160)}`);
        return `200, database ${String(b.database)}`;
      })
      && await run('database', async () => {
        const [v] = await db.query<{ version: number | null; compatible: number | null }>(
          `SELECT max(version) AS version, max(coalesce(compatible_with, version)) AS compatible FROM seatpilot.${MIGRATIONS_TABLE}`);
        const venue = await smokeVenue(db, o.venue);
        const issued = await audited(db, (q) => issuePairCode(q, venue.id, 'agent', { ttlMinutes: 5, name: 'seatpilot smoke' }), async (c) => ({
          tenantId: c.tenant_id, action: 'pair_code.issue', entity: 'venue', entityId: c.venue_id, venueId: c.venue_id, after: { kind: c.kind, name: 'seatpilot smoke', expires_at: c.expires_at },
        }));
        code = issued.code;
        return `schema version ${v?.version ?? '?'} (runs builds of version ${v?.compatible ?? '?'} and newer); pairing code for ${venue.made ? 'new ' : ''}venue ${venue.id}, 5 minutes`;
      })
      && await run('pair', async () => {
        const a = await call(at('/pair'), 'POST', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }), ca: o.ca });
        const b = parsed(a, 'POST /pair');
        if (a.status !== 200 && a.status !== 201) throw new StepFailed(`POST /pair answered ${a.status} ${String(b.error ?? '')}: ${String(b.message ?? a.body.slice(0, 160))}`);
        key = { key_id: String(b.key_id), secret: String(b.secret), device_id: String(b.device_id), venue_id: String(b.venue_id) };
        return `device ${key.device_id}, key ${key.key_id}`;
      })
      && await run('ingest', async () => {
        const a = await signedCall('POST', '/v1/events', batch());
        const b = parsed(a, 'POST /v1/events');
        if (a.status !== 200 || b.accepted !== 1) throw new StepFailed(`POST /v1/events answered ${a.status} ${a.body.slice(0, 200)}`);
        return `signed batch of 1 device.heartbeat accepted (event ${eventId})`;
      })
      && await run('duplicate', async () => {
        const a = await signedCall('POST', '/v1/events', batch());
        const b = parsed(a, 'POST /v1/events');
        if (a.status !== 200 || b.duplicates !== 1 || b.accepted !== 0) throw new StepFailed(`the same event sent again answered ${a.status} ${a.body.slice(0, 200)}, not one duplicate`);
        return 'the same event sent again: 1 duplicate, nothing stored twice';
      })
      && await run('stored', async () => {
        const rows = await db.query<{ n: number; received_at: Date }>('SELECT count(*)::int AS n, max(received_at) AS received_at FROM telemetry.events_raw WHERE event_id = $1', [eventId]);
        if (rows[0]?.n !== 1) throw new StepFailed(`telemetry.events_raw holds the event ${rows[0]?.n ?? 0} times, not once`);
        return `telemetry.events_raw holds it once, received ${new Date(rows[0].received_at).toISOString()}`;
      })
      && await run('fleet', async () => {
        const me = (await fleetStatus(db)).find((d) => d.device === key!.device_id);
        if (!me?.lastSeen) throw new StepFailed(`the fleet view does not show device ${key!.device_id} seen (${JSON.stringify(me ?? null)})`);
        let extra = '';
        if (o.admin) {
          const a = await call(new URL('/admin/fleet', o.admin.url), 'GET', { headers: { authorization: `Bearer ${o.admin.token}` } });
          if (a.status !== 200 || !a.body.includes(key!.device_id)) throw new StepFailed(`${o.admin.url}/admin/fleet answered ${a.status}${a.status === 200 ? ' without the device' : ''}`);
          extra = ', and on /admin/fleet';
        }
        return `device ${key!.device_id} seen at ${me.lastSeen.toISOString()}, ${me.state}${extra}`;
      })
      && await run('sync', async () => {
        const a = await signedCall('GET', '/v1/sync?limit=1');
        const b = parsed(a, 'GET /v1/sync');
        if (a.status !== 200 || typeof b.cursor !== 'string' || !Array.isArray(b.changes)) throw new StepFailed(`GET /v1/sync answered ${a.status} ${a.body.slice(0, 200)}`);
        return `signed sync page: ${b.changes.length} change(s), has_more ${String(b.has_more)}`;
      });
    // The steps after a failure are not tried (each needs the one before): said, so no line is missing.
    if (!steady) for (const s of MAIN_STEPS) if (!steps.some((x) => x.step === s) && (s !== 'tls' || base.protocol === 'https:')) print(`- ${s}: not run`);
  } finally {
    // Always: a key made for the smoke never outlives it, nor does an unused code.
    if (key) {
      const k = key as { key_id: string };
      const revoked = await run('revoke', async () => {
        await audited(db, (q) => revokeKey(q, k.key_id), async (r, q: Queryable) => ({ ...(await tenantOf(q, 'key', k.key_id)), action: 'key.revoke', entity: 'key', entityId: r.key_id, after: { status: r.status } }));
        return `key ${k.key_id} revoked`;
      });
      if (revoked) await run('revoked', async () => {
        const a = await signedCall('GET', '/v1/sync?limit=1');
        const error = (/"error"\s*:\s*"(\w+)"/.exec(a.body) ?? [])[1];
        if (a.status !== 401 || error !== 'revoked_key') throw new StepFailed(`after the revocation the key still gets ${a.status} ${a.body.slice(0, 160)}`);
        return 'the revoked key is refused (401 revoked_key)';
      });
    } else if (code) {
      const c = code as string;
      await run('revoke', async () => {
        // The answer may have been lost after the cloud paired: the device the code made loses its keys too.
        const [row] = await db.query<{ device_id: string | null }>(
          'UPDATE seatpilot.pairing_codes SET expires_at = least(expires_at, now()) WHERE code_hash = $1 RETURNING device_id', [pairingCodeHash(c)]);
        if (row?.device_id) {
          await db.query(`UPDATE seatpilot.device_keys SET status = 'revoked', revoked_at = now() WHERE device_id = $1 AND status <> 'revoked'`, [row.device_id]);
          return `the code was used by device ${row.device_id} though no key reached the smoke: its keys are revoked`;
        }
        return 'no key was issued; the unused pairing code is expired';
      });
    }
    await db.close();
  }
  print(failed ? `smoke --cloud: failed at step "${failed}"` : `smoke --cloud: all ${steps.length} steps passed against ${base.origin}`);
  return { ok: failed === null, failed, steps, device_id: key ? (key as { device_id: string }).device_id : null, key_id: key ? (key as { key_id: string }).key_id : null };
}

/** `seatpilot smoke …` */
export async function smokeCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { cloud: { type: 'string' }, ca: { type: 'string' }, 'env-file': { type: 'string' }, venue: { type: 'string' }, admin: { type: 'string' }, help: { type: 'boolean' } }, SMOKE_CLOUD_USAGE);
  if (values.help) {
    console.log(SMOKE_CLOUD_USAGE);
    return;
  }
  if (!values.cloud) throw new CliError(`--cloud URL is required\n${SMOKE_CLOUD_USAGE}`, 2);
  let cloud: URL;
  try {
    cloud = new URL(values.cloud);
  } catch {
    throw new CliError(`--cloud must be a URL like https://cloud.example.com; got "${values.cloud}"`, 2);
  }
  if (cloud.protocol !== 'https:' && cloud.protocol !== 'http:') throw new CliError(`--cloud must be an https:// URL; got "${values.cloud}"`, 2);
  const env = { ...process.env, ...(values['env-file'] ? readEnvFile(values['env-file']) : {}) };
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new CliError(`DATABASE_URL is not set: run the smoke where the cloud's migrate unit runs, with --env-file /etc/seatpilot/cloud.env (or DATABASE_URL in the environment)`, 2);
  let ca: string | undefined;
  if (values.ca) {
    try {
      ca = readFileSync(values.ca, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --ca ${values.ca} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 2);
    }
  }
  let admin: SmokeCloudOptions['admin'];
  if (values.admin) {
    if (!env.SEATPILOT_ADMIN_TOKEN) throw new CliError('--admin needs SEATPILOT_ADMIN_TOKEN in the environment or the --env-file', 2);
    admin = { url: values.admin, token: env.SEATPILOT_ADMIN_TOKEN };
  }
  const result = await smokeCloud({ cloud: cloud.toString(), ca, databaseUrl, venue: values.venue, admin });
  // The failed step is named in the last line already.
  if (!result.ok) process.exitCode = 1;
}
