// `seatpilot doctor`: what venue IT runs when something is off. Each check gives one line: what it found and, when it
// fails, what to do. It only reads: the database is opened read-only, and the one signed request it sends is an empty
// batch the receiver refuses after checking the key.
import Database from 'better-sqlite3';
import { existsSync, lstatSync, readdirSync, statfsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseAgentConfig, type AgentConfig } from '../edge-agent/config';
import { parseKioskAppConfig, pinAdvice, type KioskAppConfig } from '../kiosk/app-config';
import { loadHardwareConfig } from '../hardware/config';
import type { HidBackend } from '../hardware/hid-backend';
import { ScannerSet } from '../hardware/scanner-set';
import { SignedHttp, errorCodeOf, skewFromAnswer, type Upstream } from '../protocol/http-client';
import { CLOCK_CORRECT_ABOVE_MS } from '../kiosk/checkin-service';
import { loadVenueMigrations } from '../venue-store/migrations';
import { planMigrations, type AppliedMigration } from '../sql/migrate';
import { DEFAULT_CONFIG_DIR, failureCause } from './pair';
import { ConfigFileError, readJsonFile } from '../node-kit/config-file';
import { SHARED_BITS } from '../node-kit/private-files';
import { DEFAULT_SECRET_KEY_FILE_NAME } from '../node-kit/secret-box';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** e.g. `agent config`, `kiosk clock`, `kiosk scanner Front door`. */
  check: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

export interface DoctorOptions {
  /** One config file (agent.json or kiosk.json); without it, every one found in `configDir`. */
  config?: string | undefined;
  configDir?: string;
  /** The HID bus; default node-hid. */
  hid?: () => Promise<HidBackend>;
  now?: () => number;
  timeoutMs?: number;
}

/** Limits behind the verdicts; the backlog one matches the agent's own /health. */
export const THRESHOLDS = {
  skewWarnMs: 5_000,
  skewFailMs: 60_000,
  backlogFailS: 300,
  guestListWarnS: 15 * 60,
  guestListFailS: 24 * 3600,
  diskFailBytes: 200 * 1024 * 1024,
  diskWarnBytes: 1024 * 1024 * 1024,
} as const;

const SYSTEMD_UNIT = 'seatpilot-agent';

type Role = 'agent' | 'kiosk';


interface BoxSetup {
  role: Role;
  file: string;
  databaseFile: string;
  /** The sync feed this box pulls its guest list on (venue-store/sync-apply.ts). */
  feed: string;
  upstream: (Upstream & { label: 'cloud' | 'hub' }) | null;
  /** Agent boxes: where the running agent answers on this machine. */
  localUrl?: string;
  /** Agent boxes: the key that seals the doors' secrets in the database. */
  secretKeyFile?: string;
}

function bytes(n: number): string {
  const gib = n / 1024 ** 3;
  return gib >= 10 ? `${Math.round(gib)} GiB` : gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

function localAgentUrl(config: AgentConfig): string {
  const host = config.listen?.host;
  const local = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${local}:${config.listen?.port ?? 8600}`;
}

/** Whether the agent service runs and answers here: the one thing a hub box is for. */
async function checkLocalAgent(setup: BoxSetup, opts: DoctorOptions, out: CheckResult[]): Promise<void> {
  if (!setup.localUrl) return;
  const logs = `journalctl -u ${SYSTEMD_UNIT} -n 50 says why`;
  try {
    const res = await fetch(`${setup.localUrl}/health`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    if (res.status === 200) {
      out.push({ check: 'agent service', status: 'ok', detail: `answering on ${setup.localUrl} (${body.status ?? 'ok'})` });
      return;
    }
    out.push({ check: 'agent service', status: 'fail', detail: `${setup.localUrl}/health answered ${res.status}`, fix: `its database does not answer: systemctl restart ${SYSTEMD_UNIT}; ${logs}` });
  } catch (e) {
    out.push({ check: 'agent service', status: 'fail', detail: `not answering on ${setup.localUrl} (${failureCause(e)})`, fix: `start it: systemctl start ${SYSTEMD_UNIT}; ${logs}` });
  }
}

function human(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

function readConfig(file: string, out: CheckResult[]): BoxSetup | null {
  let raw: unknown;
  try {
    raw = readJsonFile(file);
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    const code = e.code;
    out.push({
      check: 'config',
      status: 'fail',
      detail: code ? `cannot read ${file} (${code})` : e.message,
      fix: code === 'ENOENT' ? 'pair this box: seatpilot pair --cloud URL --code CODE (or --agent URL for a door kiosk)' : code === 'EACCES' ? 'run the doctor as root (sudo seatpilot doctor)' : `fix the JSON in ${file}`,
    });
    return null;
  }
  const base = dirname(resolve(file));
  const role: Role = raw && typeof raw === 'object' && 'kiosk' in raw ? 'kiosk' : 'agent';
  if (role === 'agent') {
    let config: AgentConfig;
    try {
      config = parseAgentConfig(raw);
    } catch (e) {
      out.push({ check: 'agent config', status: 'fail', detail: `${file}: ${(e as Error).message.replace(/^agent config: /, '')}`, fix: 'fix that field, or pair again (seatpilot pair --cloud URL --code CODE) to rewrite the identity and key' });
      return null;
    }
    out.push({ check: 'agent config', status: 'ok', detail: `${file}: venue ${config.venue_id}, device ${config.device_id}${config.cloud ? '' : ', no cloud (the venue runs alone)'}` });
    return {
      role,
      file,
      databaseFile: resolve(base, config.database ?? 'agent.sqlite'),
      feed: 'cloud',
      localUrl: localAgentUrl(config),
      secretKeyFile: resolve(base, config.secret_key_file ?? DEFAULT_SECRET_KEY_FILE_NAME),
      upstream: config.cloud ? { label: 'cloud', baseUrl: config.cloud.url, keyId: config.cloud.key_id, secret: config.cloud.secret } : null,
    };
  }
  let k: KioskAppConfig;
  try {
    // The kiosk app's own check (kiosk/app-config.ts): the same verdict the app gives at start, field named.
    k = parseKioskAppConfig(raw, file);
  } catch (e) {
    out.push({ check: 'kiosk config', status: 'fail', detail: (e as Error).message, fix: 'fix that field (the staff PIN and venue name are set by hand), or pair again (seatpilot pair --agent URL --code CODE) for the identity and key' });
    return null;
  }
  const venue = k.kiosk.venue_id;
  out.push({ check: 'kiosk config', status: 'ok', detail: `${file}: venue ${venue}${k.hub ? `, hub ${k.hub.base_url}` : ', no hub (the kiosk runs alone)'}` });
  for (const { field, advice } of pinAdvice(k.ui)) {
    const check = field === 'staff_pin' ? 'kiosk staff PIN' : 'kiosk supervisor PIN';
    out.push({ check, status: 'warn', detail: advice, fix: `set ui.${field} in ${file} to 6–12 digits and restart the kiosk app` });
  }
  return {
    role,
    file,
    databaseFile: isAbsolute(k.database) ? k.database : join(base, k.database),
    feed: 'upstream',
    upstream: k.hub ? { label: 'hub', baseUrl: k.hub.base_url, keyId: k.hub.key_id, secret: k.hub.secret } : null,
  };
}

/** Integrity and schema version; true when the backlog and guest list can be read from it. */
function checkDatabase(setup: BoxSetup, out: CheckResult[]): boolean {
  const name = `${setup.role} database`;
  const file = setup.databaseFile;
  const restart = setup.role === 'agent' ? `systemctl restart ${SYSTEMD_UNIT}` : 'restart the kiosk app';
  if (!existsSync(file)) {
    out.push({ check: name, status: 'warn', detail: `${file} does not exist yet`, fix: `it is created on first start: ${setup.role === 'agent' ? `systemctl start ${SYSTEMD_UNIT}` : 'start the kiosk app'}` });
    return false;
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    out.push({ check: name, status: 'fail', detail: `cannot open ${file}: ${(e as Error).message}`, fix: 'run the doctor as root, or check the file\'s owner (the seatpilot user)' });
    return false;
  }
  try {
    db.pragma('busy_timeout = 2000');
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
      if (problems.length) throw new Error(problems.slice(0, 3).join('; '));
    } catch (e) {
      out.push({
        check: name,
        status: 'fail',
        detail: `${file} is damaged: ${(e as Error).message}`,
        fix: `stop the ${setup.role}, move the file aside (mv ${file} ${file}.broken) and start it again: the guest list syncs again from upstream; keep the moved file, it holds any events not yet sent`,
      });
      return false;
    }
    const migrations = loadVenueMigrations();
    const known = migrations.length;
    let version = 0;
    let applied: AppliedMigration[] = [];
    try {
      version = (db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
      const columns = db.prepare(`SELECT name FROM pragma_table_info('schema_migrations')`).pluck().all() as string[];
      applied = columns.includes('compatible_with')
        ? (db.prepare('SELECT version, compatible_with AS compatibleWith FROM schema_migrations').all() as AppliedMigration[])
        : (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]).map((v) => ({ version: v, compatibleWith: null }));
    } catch {
      version = 0;
    }
    if (version < known) {
      out.push({ check: name, status: 'fail', detail: `${file}: integrity ok, schema version ${version} of ${known}`, fix: `the ${setup.role} migrates at start: ${restart}` });
      return version > 0;
    }
    if (version > known) {
      // Newer, but by migrations that keep this build working (expand-then-contract, sql/migrate.ts): this build runs on it.
      try {
        planMigrations(migrations, applied);
        out.push({ check: name, status: 'ok', detail: `${file}: integrity ok, schema version ${version}, newer than this build (${known}) and compatible with it` });
        checkSetAside(setup, out);
      } catch (e) {
        out.push({ check: name, status: 'fail', detail: `${file}: ${(e as Error).message}`, fix: 'upgrade SeatPilot to the version that wrote this database' });
      }
      return true;
    }
    out.push({ check: name, status: 'ok', detail: `${file}: integrity ok, schema version ${version} (current)` });
    checkSetAside(setup, out);
    return true;
  } finally {
    db.close();
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * Guest names, credentials and the doors' keys: the data folder, the database with its -wal/-shm and the damaged copies
 * beside it must be the owner's alone, and so must the agent's secret key file, which must exist once keys are sealed.
 */
function checkFileModes(setup: BoxSetup, out: CheckResult[]): void {
  const name = `${setup.role} files`;
  const dir = dirname(setup.databaseFile);
  const restart = setup.role === 'agent' ? `systemctl restart ${SYSTEMD_UNIT}` : 'restart the kiosk app';
  const shared: string[] = [];
  const look = (path: string) => {
    try {
      const mode = lstatSync(path).mode & 0o777;
      if (mode & SHARED_BITS) shared.push(`${path} (${octal(mode)})`);
    } catch {
      // not there: nothing to protect
    }
  };
  // A sticky folder (/tmp) is shared by design; the agent and kiosk leave it so too (protocol/private-files.ts).
  if (existsSync(setup.databaseFile) && !(lstatSync(dir).mode & 0o1000)) look(dir);
  const prefix = basename(setup.databaseFile);
  try {
    for (const f of readdirSync(dir)) if (f === prefix || f.startsWith(`${prefix}-`) || f.startsWith(`${prefix}.damaged-`)) look(join(dir, f));
  } catch {
    // no data folder yet: the database check says so
  }
  if (setup.secretKeyFile) look(setup.secretKeyFile);
  if (shared.length) {
    out.push({
      check: name,
      status: 'fail',
      detail: `readable by other users: ${shared.slice(0, 4).join(', ')}${shared.length > 4 ? `, and ${shared.length - 4} more` : ''}`,
      fix: `${restart} (it makes its files 0600 and its folder 0700 at every start), or chmod 700 ${dir} && chmod 600 ${join(dir, `${prefix}*`)}`,
    });
    return;
  }
  if (setup.secretKeyFile && !existsSync(setup.secretKeyFile) && sealedKeys(setup.databaseFile) > 0) {
    out.push({
      check: name,
      status: 'fail',
      detail: `the secret key file ${setup.secretKeyFile} is missing, and the doors' keys in ${setup.databaseFile} are sealed with it`,
      fix: `restore it from the backup; if it is lost: seatpilot agent key revoke-unreadable --config ${setup.file}, then pair the doors again`,
    });
    return;
  }
  out.push({ check: name, status: 'ok', detail: `${dir}: readable by its owner only${setup.secretKeyFile ? `; secret key in ${setup.secretKeyFile}` : ''}` });
}

function sealedKeys(databaseFile: string): number {
  try {
    const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM device_keys WHERE secret LIKE 'sk1.%'").pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Damaged files a kiosk set aside at start (venue-store/runtime-store.ts): kept for support, never deleted by us. */
function checkSetAside(setup: BoxSetup, out: CheckResult[]): void {
  const dir = dirname(setup.databaseFile);
  const prefix = `${basename(setup.databaseFile)}.damaged-`;
  let found: string[] = [];
  try {
    found = readdirSync(dir).filter((f) => f.startsWith(prefix) && !f.endsWith('-wal') && !f.endsWith('-shm')).sort();
  } catch {
    return;
  }
  if (!found.length) return;
  const when = (found[found.length - 1] as string).slice(prefix.length);
  out.push({
    check: `${setup.role} damaged file`,
    status: 'warn',
    detail: `${found.length} damaged database file${found.length === 1 ? '' : 's'} set aside in ${dir} (latest ${when}); the ${setup.role} started on a fresh file, reloaded its guest list and sent on the unsent events it could read`,
    fix: `keep ${join(dir, found[found.length - 1] as string)} for support until the evening is over, then delete it; if this repeats, the disk may be failing (check it)`,
  });
}

function checkQueues(setup: BoxSetup, nowMs: number, out: CheckResult[]): void {
  const db = new Database(setup.databaseFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    checkBacklog(setup, db, nowMs, out);
    checkGuestList(setup, db, nowMs, out);
  } catch (e) {
    out.push({ check: `${setup.role} backlog`, status: 'fail', detail: `cannot read the outbox: ${(e as Error).message}`, fix: `the database may be from another version: restart the ${setup.role}` });
  } finally {
    db.close();
  }
}

/** The hub's audit entries not yet carried up (venue migration 0011's audit_carry); none on an older file. */
function auditBacklog(db: Database.Database): { n: number; oldest: number | null } {
  const has = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_head', 'audit_carry')").pluck().get() as number;
  if (has < 2) return { n: 0, oldest: null };
  const row = db.prepare(`SELECT h.seq - c.seq AS n, (SELECT at FROM audit_log WHERE seq = c.seq + 1) AS first_at
                            FROM audit_head h, audit_carry c WHERE h.id = 1 AND c.id = 1`).get() as { n: number; first_at: string | null } | undefined;
  if (!row || row.n <= 0) return { n: 0, oldest: null };
  return { n: row.n, oldest: row.first_at ? Date.parse(row.first_at) : null };
}

function checkBacklog(setup: BoxSetup, db: Database.Database, nowMs: number, out: CheckResult[]): void {
  const r = db.prepare("SELECT count(*) AS n, min(created_ms) AS oldest FROM outbox_events WHERE state = 'pending'").get() as { n: number; oldest: number | null };
  if (setup.role === 'agent') {
    // The hub's push also carries its audit entries above the carried mark (edge-agent/hub-outbox.ts): they wait too.
    const audit = auditBacklog(db);
    r.n += audit.n;
    if (audit.oldest !== null) r.oldest = r.oldest === null ? audit.oldest : Math.min(r.oldest, audit.oldest);
  }
  const dead = db.prepare("SELECT count(*) FROM outbox_events WHERE state = 'dead'").pluck().get() as number;
  const oldestS = r.oldest === null ? 0 : Math.max(0, (nowMs - r.oldest) / 1000);
  const to = setup.role === 'agent' ? 'the cloud' : 'the hub';
  if (!setup.upstream) {
    // Nowhere to send them: they wait for the day this box is paired upstream, which is not a fault.
    out.push({ check: `${setup.role} backlog`, status: 'ok', detail: `${events(r.n)} kept locally (no ${setup.role === 'agent' ? 'cloud' : 'hub'} configured)` });
    return;
  }
  const deadNote = dead ? `; ${dead} refused by ${to} (kept as dead letters)` : '';
  // The push client keeps the reason of its last failed try on the waiting events.
  const lastError = r.n ? (db.prepare("SELECT last_error FROM outbox_events WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY created_ms DESC LIMIT 1").pluck().get() as string | undefined) : undefined;
  if (lastError?.startsWith('unexpected_response')) {
    out.push({
      check: `${setup.role} backlog`,
      status: 'fail',
      detail: `${events(r.n)} waiting for ${to}, oldest ${human(oldestS)}; the last try got an answer that is not SeatPilot's (${lastError})${deadNote}`,
      fix: `a captive portal or proxy answers in ${to}'s place: let this box through it; nothing is lost, the events go out once ${to} answers`,
    });
    return;
  }
  const lastTry = lastError ? `; last try: ${lastError}` : '';
  if (r.n > 0 && oldestS > THRESHOLDS.backlogFailS) {
    out.push({ check: `${setup.role} backlog`, status: 'fail', detail: `${events(r.n)} waiting for ${to}, oldest ${human(oldestS)}${lastTry}${deadNote}`, fix: `${to} is unreachable or refusing: see the ${setup.upstream?.label ?? 'upstream'} line above; nothing is lost, the events go out once it answers` });
    return;
  }
  out.push({ check: `${setup.role} backlog`, status: dead ? 'warn' : 'ok', detail: `${events(r.n)} waiting${r.n ? `, oldest ${human(oldestS)}` : ''}${lastTry}${deadNote}`, ...(dead ? { fix: `look at the dead letters' reasons (outbox.dead_reason); they usually mean a device or venue mismatch` } : {}) });
}

function checkGuestList(setup: BoxSetup, db: Database.Database, nowMs: number, out: CheckResult[]): void {
  const name = `${setup.role} guest list`;
  const from = setup.role === 'agent' ? 'the cloud' : 'the hub';
  if (!setup.upstream) {
    out.push({ check: name, status: 'ok', detail: `no ${setup.role === 'agent' ? 'cloud' : 'hub'} configured: the guest list is whatever was loaded locally` });
    return;
  }
  const row = db.prepare('SELECT version, updated_at FROM sync_state WHERE feed = ?').get(setup.feed) as { version: number; updated_at: string } | undefined;
  if (!row) {
    out.push({ check: name, status: 'warn', detail: `no guest list received from ${from} yet`, fix: `check the ${setup.upstream.label} line; the first sync runs within seconds of the ${setup.role} starting` });
    return;
  }
  const ageS = Math.max(0, (nowMs - Date.parse(row.updated_at)) / 1000);
  const status: CheckStatus = ageS > THRESHOLDS.guestListFailS ? 'fail' : ageS > THRESHOLDS.guestListWarnS ? 'warn' : 'ok';
  out.push({
    check: name,
    status,
    detail: `version ${row.version}, last synced from ${from} ${human(ageS)} ago`,
    ...(status !== 'ok' ? { fix: `changes made since (new guests, revoked tickets) have not reached this box: see the ${setup.upstream.label} line` } : {}),
  });
}

async function checkUpstream(setup: BoxSetup, opts: DoctorOptions, out: CheckResult[]): Promise<void> {
  const up = setup.upstream;
  if (!up) return;
  const now = opts.now ?? Date.now;
  const name = `${setup.role} ${up.label}`;
  const base = up.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const offline = setup.role === 'agent' ? 'the venue keeps working offline and the backlog goes out once it is back' : 'the kiosk keeps admitting from its own data meanwhile';
  let res: Response;
  const sent = now();
  try {
    res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
  } catch (e) {
    const cause = (e as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : failureCause(e);
    out.push({ check: name, status: 'fail', detail: `cannot reach ${base} (${cause})`, fix: `check the network cable, DNS and firewall towards ${base}; ${offline}` });
    return;
  }
  const received = now();
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (res.status === 200 && type !== 'application/json') {
    out.push({
      check: name,
      status: 'fail',
      detail: `${base}/health answered 200 with ${type || 'no content type'}, not SeatPilot's JSON: something on the network answers in the ${up.label}'s place (a hotel or venue captive portal, a proxy's page)`,
      fix: `let this box through the portal or proxy (or give it a direct line to ${base}); ${offline}`,
    });
    return;
  }
  if (res.status !== 200) {
    out.push({ check: name, status: 'fail', detail: `${base}/health answered ${res.status}`, fix: `the ${up.label} is up but unwell (its database?): ${up.label === 'cloud' ? 'tell cloud ops' : 'check the hub: sudo seatpilot doctor on it'}` });
    return;
  }

  // Clock: this box minus the receiver, from its x-server-time-ms (or Date) against the middle of the round trip.
  const measured = skewFromAnswer(res.headers, sent, received);
  const skewMs = measured?.skewMs ?? 0;
  const clock: CheckResult[] = [];
  if (measured === null) {
    clock.push({ check: `${setup.role} clock`, status: 'warn', detail: `${base} sent no time header: cannot compare clocks` });
  } else {
    const abs = Math.abs(skewMs);
    const s = Math.round(abs / 1000);
    const side = skewMs > 0 ? 'ahead of' : 'behind';
    // Tenths of a second from x-server-time-ms; a Date header has whole seconds.
    const precise = measured.source === 'server-time';
    const status: CheckStatus = abs > THRESHOLDS.skewFailMs ? 'fail' : abs > THRESHOLDS.skewWarnMs ? 'warn' : 'ok';
    // A kiosk off by more than 2 s runs its check-ins on the hub's time (kiosk/checkin-service.ts): say so.
    const corrected = setup.role === 'kiosk' && precise && abs > CLOCK_CORRECT_ABOVE_MS;
    const off = `this box's clock is ${precise && abs < 10_000 ? (abs / 1000).toFixed(1) : s} s ${side} the ${up.label}`;
    const correction = '; the kiosk stamps check-ins and decides ticket validity on the hub\'s time (its clock corrected by the measured offset) and keeps its own time in each event';
    clock.push({
      check: `${setup.role} clock`,
      status,
      detail: corrected ? `${off}${correction}` : status === 'ok' ? `within ${Math.max(1, s)} s of the ${up.label}` : off,
      ...(status !== 'ok'
        ? { fix: corrected ? 'turn on time sync (timedatectl set-ntp true) or set the time: until the kiosk reaches the hub after a restart, it runs on this clock' : 'turn on time sync (timedatectl set-ntp true) or set the time: check-in times and ticket validity use this clock' }
        : {}),
    });
  }

  try {
    await checkKey(setup, up, skewMs, opts, out);
  } finally {
    out.push(...clock);
  }
}

/** The key: an empty signed batch is refused as bad_envelope only after the signature was accepted. */
async function checkKey(setup: BoxSetup, up: NonNullable<BoxSetup['upstream']>, skewMs: number, opts: DoctorOptions, out: CheckResult[]): Promise<void> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const name = `${setup.role} ${up.label}`;
  const base = up.baseUrl.replace(/\/+$/, '');
  const http = new SignedHttp(up, { now, timeoutMs });
  http.offsetMs = Math.abs(skewMs) > THRESHOLDS.skewWarnMs ? -Math.round(skewMs) : 0;
  let status = 0;
  let code: string | undefined;
  try {
    const r = await http.request('POST', '/v1/events', '{}');
    status = r.status;
    code = errorCodeOf(r.body);
  } catch (e) {
    out.push({ check: name, status: 'fail', detail: `${base} answered /health but not a signed request (${(e as Error).message})`, fix: 'check that the URL points at SeatPilot and not at a proxy page' });
    return;
  }
  if (status === 400 && code === 'bad_envelope') {
    out.push({ check: name, status: 'ok', detail: `${base} reachable, key ${up.keyId} accepted` });
    return;
  }
  const pairAgain = `pair this box again (seatpilot pair --${up.label === 'cloud' ? 'cloud' : 'agent'} ${base} --code CODE)`;
  switch (code) {
    case 'unknown_key':
    case 'revoked_key':
      out.push({ check: name, status: 'fail', detail: `${base} refuses key ${up.keyId} (${code})`, fix: pairAgain });
      return;
    case 'bad_signature':
      out.push({ check: name, status: 'fail', detail: `${base} knows key ${up.keyId} but the secret in ${setup.file} does not match`, fix: pairAgain });
      return;
    case 'stale_timestamp':
      out.push({ check: name, status: 'fail', detail: `${base} refuses this box's time`, fix: 'set the clock (timedatectl set-ntp true)' });
      return;
    default:
      out.push({ check: name, status: status === 429 ? 'warn' : 'fail', detail: `${base} answered a signed request with ${status}${code ? ` ${code}` : ''}`, fix: status === 429 ? 'busy: run the doctor again in a minute' : `the ${up.label} may be a different SeatPilot version` });
  }
}

async function checkScanners(setup: BoxSetup, opts: DoctorOptions, out: CheckResult[]): Promise<void> {
  const file = join(dirname(resolve(setup.file)), 'hardware.json');
  if (!existsSync(file)) {
    out.push({ check: 'kiosk scanners', status: 'ok', detail: `no ${file}: keyboard-wedge scanners only, which type into the kiosk page (not visible from here)` });
    return;
  }
  const loaded = loadHardwareConfig(file);
  if (!loaded.ok) {
    out.push({ check: 'kiosk scanners', status: 'fail', detail: loaded.reason, fix: 'fix that field; seatpilot hw list shows the devices and their ids' });
    return;
  }
  if (loaded.config.devices.length === 0) {
    out.push({ check: 'kiosk scanners', status: 'warn', detail: `${file} lists no devices`, fix: 'add the scanner: seatpilot hw list shows its vendor and product id' });
    return;
  }
  let backend: HidBackend;
  try {
    backend = opts.hid ? await opts.hid() : (await import('../hardware/hid-backend')).nodeHidBackend();
  } catch (e) {
    out.push({ check: 'kiosk scanners', status: 'fail', detail: (e as Error).message, fix: 'install libusb-1.0-0 (apt install libusb-1.0-0)' });
    return;
  }
  const set = ScannerSet.fromConfig(loaded.config, backend);
  try {
    await set.start();
    for (const s of set.statuses()) {
      if (s.connected) out.push({ check: `kiosk scanner ${s.device}`, status: 'ok', detail: 'connected' });
      else {
        const perm = (s.lastError ?? '').startsWith('cannot open');
        out.push({
          check: `kiosk scanner ${s.device}`,
          status: 'fail',
          detail: s.lastError ?? 'not connected',
          fix: perm
            ? 'the kiosk user may not open it: check /etc/udev/rules.d/70-seatpilot-hid.rules, then udevadm control --reload && udevadm trigger, or replug it'
            : 'plug it in (or try another USB port); seatpilot hw list shows what is connected',
        });
      }
    }
  } finally {
    await set.stop();
  }
}

function checkDisk(setup: BoxSetup, out: CheckResult[]): void {
  let dir = dirname(setup.databaseFile);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let free: number;
  let total: number;
  try {
    const s = statfsSync(dir);
    free = s.bavail * s.bsize;
    total = s.blocks * s.bsize;
  } catch (e) {
    out.push({ check: `${setup.role} disk`, status: 'warn', detail: `cannot read free space of ${dir}: ${(e as Error).message}` });
    return;
  }
  const status: CheckStatus = free < THRESHOLDS.diskFailBytes ? 'fail' : free < THRESHOLDS.diskWarnBytes ? 'warn' : 'ok';
  out.push({
    check: `${setup.role} disk`,
    status,
    detail: `${bytes(free)} free of ${bytes(total)} at ${dir}`,
    ...(status !== 'ok' ? { fix: 'free space (journalctl --vacuum-size=100M, old files); a full disk stops check-ins from being stored' } : {}),
  });
}

/** The config files to check: the one named, or those present in the config folder. */
function configFiles(opts: DoctorOptions, out: CheckResult[]): string[] {
  if (opts.config) return [opts.config];
  const dir = opts.configDir ?? DEFAULT_CONFIG_DIR;
  const found = ['agent.json', 'kiosk.json'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (!found.length) {
    out.push({ check: 'config', status: 'fail', detail: `no agent.json or kiosk.json in ${dir}`, fix: 'pair this box: seatpilot pair --cloud URL --code CODE (or --agent URL for a door kiosk), or name the file with --config' });
  }
  return found;
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const now = opts.now ?? Date.now;
  const checks: CheckResult[] = [];
  for (const file of configFiles(opts, checks)) {
    const setup = readConfig(file, checks);
    if (!setup) continue;
    await checkLocalAgent(setup, opts, checks);
    const readable = checkDatabase(setup, checks);
    checkFileModes(setup, checks);
    await checkUpstream(setup, opts, checks);
    if (readable) checkQueues(setup, now(), checks);
    if (setup.role === 'kiosk') await checkScanners(setup, opts, checks);
    checkDisk(setup, checks);
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

const LABEL: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check: `FAIL agent cloud: cannot reach … → check the network …`. */
export function formatReport(report: DoctorReport): string {
  const lines = report.checks.map((c) => `${LABEL[c.status]} ${c.check}: ${c.detail}${c.fix && c.status !== 'ok' ? ` → ${c.fix}` : ''}`);
  lines.push(report.ok ? 'All checks passed.' : `${report.checks.filter((c) => c.status === 'fail').length} check(s) failed.`);
  return lines.join('\n');
}
