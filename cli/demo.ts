// `seatpilot demo`: the whole system on one machine: the cloud on PGlite, a demo tenant, venue and occasion with a
// generated guest list and floor plan, the venue's edge agent, two door kiosks in browser mode and the tablet page.
// Data lives under ./data and is reused on the next start; Ctrl-C stops everything cleanly.
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { sampleFloor } from '../kiosk/sample-floor';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { setEntitlement, upsertPlan } from '../cloud-sync/billing/billing';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion, importTables, revokeGuest, setFloorPlan } from '../cloud-sync/guestlist/manage';
import { startCloudServer, type RunningCloud } from '../cloud-sync/server';
import { freshLink, inviteAccount } from '../cloud-sync/console/auth/accounts';
import { parseAgentConfig } from '../edge-agent/config';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { TabletStore } from '../edge-agent/tablet/store';
import { openKioskRuntime, type KioskRuntime } from '../kiosk/runtime';
import { startBrowserMode, type BrowserMode } from '../kiosk/browser/server';
import { CliError, parseOptions } from '../node-kit/cli';
import { readJsonFile } from '../node-kit/config-file';
import { ensurePrivateDir } from '../node-kit/private-files';
import { DEFAULT_SECRET_KEY_FILE_NAME } from '../node-kit/secret-box';

const USAGE = `usage: seatpilot demo [--data DIR] [--host 127.0.0.1] [--cloud-port 8080] [--agent-port 8600] [--kiosk-port 3300]

Starts the cloud (embedded PGlite), a demo venue with 2,000 guests at 150 tables, the venue's edge agent, two door
kiosks in browser mode (ports kiosk-port and kiosk-port+1) and the tablet page, and prints where to find them.`;

export const DEMO_GUESTS = 2_000;
export const DEMO_TABLE_COUNT = 150;
export const DEMO_STAFF_PIN = '2468';

/** What the demo made on its first start, reused on the next (secrets included: the file is mode 0600). */
export interface DemoState {
  version: 1;
  tenant_id: string;
  venue_id: string;
  occasion_id: string;
  occasion_ends_at: string;
  admin_token: string;
  /** SEATPILOT_METRICS_TOKEN of the demo's cloud; also in data/metrics-token, for Prometheus's credentials_file. Absent in a state from before it. */
  metrics_token?: string;
  agent: { device_id: string; key_id: string; secret: string };
  kiosks: { name: string; device_id: string; door_id: string; language: 'en' | 'es'; hub_key_id?: string; hub_secret?: string }[];
  tickets: { name: string; ticket: string; table: string }[];
  revoked_ticket: string;
  ports: { cloud: number; agent: number; kiosk: number };
  host: string;
}

/** The plan the demo tenant is on, so /admin/billing has a priced row (the operator's CLI: `seatpilot cloud plan set`). */
export const DEMO_PLAN = { id: 'demo', name: 'Demo (one venue)', priceCents: 4_900, eventsPerMonth: 100_000, devices: 5, venues: 1, overageCentsPer1000: 50 };

/** Puts the demo tenant on the demo plan unless it is on one already (data from before plans were seeded, or changed by hand). */
async function ensureDemoPlan(db: RunningCloud['db'], tenantId: string): Promise<void> {
  const [has] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM billing.entitlements WHERE tenant_id = $1', [tenantId]);
  if (has?.n) return;
  const [plan] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM billing.plans WHERE id = $1', [DEMO_PLAN.id]);
  if (!plan?.n) await upsertPlan(db, DEMO_PLAN);
  await setEntitlement(db, tenantId, DEMO_PLAN.id);
}

/** The demo tenant's console owner, made on the first start. */
export const DEMO_OWNER_EMAIL = 'owner@demo.seatpilot.test';

/**
 * Where to sign in to the console: until the demo owner has chosen a password, a fresh set-password link on every
 * start (the earlier unused ones stop working); then the console's plain address.
 */
async function demoConsoleSignIn(db: RunningCloud['db'], tenantId: string, publicUrl: string): Promise<{ url: string; link: boolean }> {
  const who = { channel: 'cli' as const, actorId: null, actor: 'cli:seatpilot-demo' };
  const now = new Date();
  const [owner] = await db.query<{ id: string; tenant_id: string; disabled: boolean; password_set_at: Date | null }>(
    'SELECT id, tenant_id, disabled, password_set_at FROM console.accounts WHERE email = $1', [DEMO_OWNER_EMAIL]);
  if (!owner) return { url: (await inviteAccount(db, who, { tenantId, email: DEMO_OWNER_EMAIL, role: 'owner' }, { publicUrl, now })).link, link: true };
  if (owner.password_set_at === null && !owner.disabled) {
    return { url: (await freshLink(db, who, { tenantId: owner.tenant_id, id: owner.id }, { publicUrl, now })).link, link: true };
  }
  return { url: `${publicUrl}/console/`, link: false };
}

export const ticketOf = (i: number) => `SP-${String(i + 1).padStart(5, '0')}`;

const FIRST = ['Ana', 'José', 'María', 'Pablo', 'Lucía', 'Javier', 'Carmen', 'Diego', 'Elena', 'Marc', 'Núria', 'Sofía', 'Hugo', 'Irene', 'Álvaro', 'Olivia', 'Noah', 'Emma', 'Liam', 'Zoë'];
const LAST = ['García', 'Núñez', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero', 'Smith', 'Johnson', 'Brown', 'Okafor', 'Rossi', 'Dubois'];

function guestCsv(): string {
  const rows = ['guest_id,name,party_size,table,barcode'];
  for (let i = 0; i < DEMO_GUESTS; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= 400 ? ` ${Math.floor(i / 400) + 1}` : ''}`;
    rows.push(`g${i + 1},"${name}",${1 + (i % 4)},${1 + (i % DEMO_TABLE_COUNT)},${ticketOf(i)}`);
  }
  return rows.join('\n');
}

async function seed(cloud: RunningCloud, dataDir: string, ports: DemoState['ports'], host: string): Promise<DemoState> {
  const db = cloud.db;
  const tenant = await addTenant(db, 'Demo Events S.L.');
  const venue = await addVenue(db, tenant.id, 'Finca La Alameda');
  const agent = await addDevice(db, venue.id, 'agent', 'demo hub');
  const kioskA = await addDevice(db, venue.id, 'kiosk', 'main entrance');
  const kioskB = await addDevice(db, venue.id, 'kiosk', 'garden door');
  const now = Date.now();
  const occasion = await addOccasion(db, {
    venueId: venue.id, name: 'Boda de Ana y Pablo', startsAt: new Date(now - 2 * 3600_000).toISOString(),
    endsAt: new Date(now + 7 * 24 * 3600_000).toISOString(), timezone: 'Europe/Madrid', reentry: 'after_exit',
  });
  const floor = sampleFloor(DEMO_TABLE_COUNT);
  const tableCsv = ['id,label,capacity,shape,x,y,w,h', ...floor.tables.map((t) => [t.id, t.label, t.capacity, t.shape, t.x, t.y, t.w, t.h].join(','))].join('\n');
  await importTables(db, venue.id, tableCsv);
  await setFloorPlan(db, venue.id, JSON.stringify(floor.plan));
  process.stderr.write(`seatpilot demo: importing ${DEMO_GUESTS} guests…`);
  await importGuests(db, { venueId: venue.id, occasionId: occasion.id, csv: guestCsv(), onProgress: (done, total) => process.stderr.write(`\rseatpilot demo: importing guests ${done}/${total}`) });
  process.stderr.write('\n');
  const revokedIndex = DEMO_GUESTS - 1;
  await revokeGuest(db, `g${revokedIndex + 1}`);
  const doors = floor.plan.doors;
  const state: DemoState = {
    version: 1,
    tenant_id: tenant.id,
    venue_id: venue.id,
    occasion_id: occasion.id,
    occasion_ends_at: occasion.ends_at,
    admin_token: randomBytes(24).toString('base64url'),
    agent: { device_id: agent.device_id, key_id: agent.key_id, secret: agent.secret },
    kiosks: [
      { name: 'kiosk-a', device_id: kioskA.device_id, door_id: doors[0]?.id ?? 'main', language: 'en' },
      { name: 'kiosk-b', device_id: kioskB.device_id, door_id: doors[1]?.id ?? doors[0]?.id ?? 'main', language: 'es' },
    ],
    tickets: [0, 1, 2, 3, 4].map((i) => ({ name: `guest g${i + 1}`, ticket: ticketOf(i), table: String(1 + (i % DEMO_TABLE_COUNT)) })),
    revoked_ticket: ticketOf(revokedIndex),
    ports,
    host,
  };
  saveState(dataDir, state);
  return state;
}

export function statePath(dataDir: string): string {
  return join(dataDir, 'demo.json');
}

function saveState(dataDir: string, state: DemoState): void {
  const file = statePath(dataDir);
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function loadState(dataDir: string): DemoState | null {
  const file = statePath(dataDir);
  if (!existsSync(file)) return null;
  return readJsonFile(file, 'demo state') as DemoState;
}

function port(value: string | undefined, name: string, fallback: number): number {
  const p = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new CliError(`--${name} must be a port number; got "${value}"`, 2);
  return p;
}

export interface RunningDemo {
  state: DemoState;
  urls: { cloud: string; agent: string; tablet: string; kiosks: string[] };
  tabletCode: string;
  /** The console's sign-in: a set-password link for the demo owner until a password is chosen, then the console's address. */
  console: { url: string; link: boolean };
  /** The cloud's metrics bearer token, alone in a 0600 file: `authorization.credentials_file` of build/observability/prometheus.yml. */
  metricsTokenFile: string;
  close(): Promise<void>;
}

export async function startDemo(opts: { dataDir: string; host: string; ports: DemoState['ports'] }): Promise<RunningDemo> {
  const { dataDir, host, ports } = opts;
  // Owner only: demo.json and the configs hold keys, the databases guests; the key file sealing the stored device
  // secrets (data/seatpilot-secrets.key) sits beside the cloud's and the hub's data folders, shared by both.
  ensurePrivateDir(dataDir);
  let state = loadState(dataDir);
  if (state && Date.parse(state.occasion_ends_at) < Date.now() + 3600_000) {
    process.stderr.write('seatpilot demo: the demo occasion has ended; starting over with fresh demo data\n');
    for (const sub of ['cloud', 'agent', 'kiosk-a', 'kiosk-b', 'demo.json']) rmSync(join(dataDir, sub), { recursive: true, force: true });
    state = null;
  }
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => process.stderr.write(`seatpilot demo: ${(e as Error).message}\n`));
  };
  try {
    process.env.SEATPILOT_ADMIN_TOKEN ??= state?.admin_token ?? randomBytes(24).toString('base64url');
    // The cloud serves /metrics only with a token (protocol/metrics-access.ts): the demo makes one, kept across starts.
    process.env.SEATPILOT_METRICS_TOKEN ??= state?.metrics_token ?? randomBytes(24).toString('base64url');
    const consolePublicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${ports.cloud}`;
    const cloud = await startCloudServer({ host, port: ports.cloud, dataDir: join(dataDir, 'cloud'), databaseUrl: undefined, log: false, consolePublicUrl });
    stops.push(() => cloud.close());
    if (!state) state = await seed(cloud, dataDir, ports, host);
    await ensureDemoPlan(cloud.db, state.tenant_id);
    const consoleSignIn = await demoConsoleSignIn(cloud.db, state.tenant_id, consolePublicUrl);
    if (state.admin_token !== process.env.SEATPILOT_ADMIN_TOKEN) {
      state.admin_token = process.env.SEATPILOT_ADMIN_TOKEN;
    }
    state.metrics_token = process.env.SEATPILOT_METRICS_TOKEN;
    const metricsTokenFile = join(dataDir, 'metrics-token');
    writeFileSync(metricsTokenFile, state.metrics_token, { mode: 0o600 });
    chmodSync(metricsTokenFile, 0o600);
    state.ports = ports;
    state.host = host;

    const agentDir = join(dataDir, 'agent');
    ensurePrivateDir(agentDir);
    const agentConfig = parseAgentConfig({
      venue_id: state.venue_id, device_id: state.agent.device_id, listen: { host, port: ports.agent }, database: 'agent.sqlite',
      secret_key_file: `../${DEFAULT_SECRET_KEY_FILE_NAME}`,
      cloud: { url: cloud.url, key_id: state.agent.key_id, secret: state.agent.secret }, push_interval_ms: 1000, pull_interval_ms: 1000,
    });
    writeFileSync(join(agentDir, 'agent.json'), `${JSON.stringify(agentConfig, null, 2)}\n`, { mode: 0o600 });
    chmodSync(join(agentDir, 'agent.json'), 0o600);
    // SEATPILOT_METRICS_TOKEN above is the cloud's; the hub's /metrics stays open on the LAN, as a venue's does by default.
    const agent: RunningAgent = await startAgent({ config: agentConfig, databaseFile: join(agentDir, 'agent.sqlite'), secretKeyFile: join(dataDir, DEFAULT_SECRET_KEY_FILE_NAME), metrics: { main: { kind: 'open' } } });
    stops.push(() => agent.close());

    const kioskUrls: string[] = [];
    for (const [i, k] of state.kiosks.entries()) {
      if (!k.hub_key_id || !k.hub_secret) {
        const key = agent.store.issueKey(k.device_id, 'kiosk');
        k.hub_key_id = key.key_id;
        k.hub_secret = key.secret;
      }
      const dir = join(dataDir, k.name);
      ensurePrivateDir(dir);
      const configFile = join(dir, 'kiosk.json');
      writeFileSync(configFile, `${JSON.stringify({
        database: 'kiosk.sqlite',
        kiosk: { venue_id: state.venue_id, device_id: k.device_id, door_id: k.door_id },
        ui: { venue_name: 'Finca La Alameda', language: k.language, staff_pin: DEMO_STAFF_PIN },
        hub: { base_url: agent.url, key_id: k.hub_key_id, secret: k.hub_secret },
      }, null, 2)}\n`, { mode: 0o600 });
      chmodSync(configFile, 0o600);
      const runtime: KioskRuntime = await openKioskRuntime(configFile);
      stops.push(() => runtime.close());
      const browser: BrowserMode = await startBrowserMode({ runtime, host, port: ports.kiosk + i });
      stops.push(() => browser.close());
      kioskUrls.push(browser.url);
    }
    saveState(dataDir, state);

    const tablets = new TabletStore(agent.store.db, agent.store.outbox, { venueId: state.venue_id, deviceId: state.agent.device_id, undoMs: 0 });
    const tabletCode = tablets.createPairingCode({ label: 'Demo tablet', createdBy: 'demo', ttlMs: 8 * 3600_000 }).code;
    return {
      state,
      urls: { cloud: cloud.url, agent: agent.url, tablet: `${agent.url}/tablet`, kiosks: kioskUrls },
      tabletCode,
      console: consoleSignIn,
      metricsTokenFile,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function demoCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, {
    data: { type: 'string', default: 'data' }, host: { type: 'string', default: '127.0.0.1' },
    'cloud-port': { type: 'string' }, 'agent-port': { type: 'string' }, 'kiosk-port': { type: 'string' },
  }, USAGE);
  const ports = { cloud: port(values['cloud-port'], 'cloud-port', 8080), agent: port(values['agent-port'], 'agent-port', 8600), kiosk: port(values['kiosk-port'], 'kiosk-port', 3300) };
  let demo: RunningDemo;
  try {
    demo = await startDemo({ dataDir: resolve(values.data), host: values.host, ports });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`a port is already in use (${(e as Error).message}); stop the other program or pick ports with --cloud-port, --agent-port and --kiosk-port`);
    throw e;
  }
  const { state, urls } = demo;
  console.log(`
SeatPilot demo is running. Data: ${resolve(values.data)} (reused on the next start; delete it to start over).

  Door kiosk A (English): ${urls.kiosks[0]}
  Door kiosk B (Spanish): ${urls.kiosks[1]}
  Staff mode PIN:         ${DEMO_STAFF_PIN}   (tap the corner of the kiosk screen)
  Table tablet:           ${urls.tablet}   pairing code ${demo.tabletCode}
  Edge agent:             ${urls.agent}/health   ${urls.agent}/metrics
  Console:                ${demo.console.url}
                          ${demo.console.link ? `sign in as ${DEMO_OWNER_EMAIL}: this link (single-use) lets you choose its password` : `sign in as ${DEMO_OWNER_EMAIL}`}
  Cloud:                  ${urls.cloud}/health   ${urls.cloud}/metrics   ${urls.cloud}/admin/fleet
  Admin token:            in ${statePath(resolve(values.data))} (Authorization: Bearer …)
  Metrics token (cloud):  in ${demo.metricsTokenFile} (Authorization: Bearer …; Prometheus: authorization.credentials_file)

Tickets to try (type the code on a kiosk page and press Enter, as a scanner does):
${state.tickets.map((t) => `  ${t.ticket}   table ${t.table}`).join('\n')}
  ${state.revoked_ticket}   (revoked)
  SP-99999   (unknown)

Ctrl-C stops everything.`);
  const stop = (signal: string) => {
    process.stderr.write(`seatpilot demo: ${signal}, stopping…\n`);
    demo.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
