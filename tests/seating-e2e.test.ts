// The seating engine where planners use it, with real processes on 127.0.0.1: the cloud (`seatpilot cloud`, PGlite),
// the hub (`seatpilot agent`) and a door (`seatpilot kiosk --browser`). A guest list with groups, hard pairs, needs,
// a locked seat and a relations CSV is imported with the CLI, `seatpilot cloud seating assign` seats it, the new
// tables reach the door through the sync, a scan at the door shows the guest's new table, and the cloud's /metrics
// shows the run. PGlite serves one process at a time, so the cloud is stopped while the CLI writes its data folder
// (with DATABASE_URL both would run at once), and the hub keeps retrying meanwhile.
import { afterAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AgentStore } from '../edge-agent/store';
import { sessionFromPage } from '../kiosk/browser/session';
import { openStore } from '../venue-store/open';
import { runCli } from './cli-run';
import { freePort, seatpilot, type Proc } from './procs';
import { waitFor } from './wait';
import { SEATING_GUESTS_CSV } from './fixtures/seating-guests';

const dir = mkdtempSync(join(tmpdir(), 'sp-seating-e2e-'));
const cloudData = join(dir, 'cloud');
const METRICS_TOKEN = 'seating-e2e-metrics-token-0123456789';
const env = { DATABASE_URL: undefined, SEATPILOT_METRICS_TOKEN: METRICS_TOKEN };
const procs: Proc[] = [];

afterAll(async () => {
  for (const p of procs.reverse()) await p.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function cloudCli<T>(args: string[], file?: [string, string]): Promise<T> {
  const extra: string[] = [];
  if (file) {
    writeFileSync(join(dir, file[0]), file[1]);
    extra.push(join(dir, file[0]));
  }
  const r = await runCli(['cloud', ...args, '--data', cloudData, ...extra], env, 120_000);
  expect(r.code, `cloud ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const GUESTS = SEATING_GUESTS_CSV;

it('imports a guest list with groups and relations, assigns seats with the CLI, and the door shows the new table', async () => {
  const tenant = await cloudCli<{ id: string }>(['tenant', 'add', '--name', 'Wedding Co']);
  const venue = await cloudCli<{ id: string }>(['venue', 'add', '--tenant', tenant.id, '--name', 'Garden']);
  const agentKey = await cloudCli<{ device_id: string; key_id: string; secret: string }>(['device', 'add', '--venue', venue.id, '--kind', 'agent']);
  const kioskDevice = await cloudCli<{ device_id: string }>(['device', 'add', '--venue', venue.id, '--kind', 'kiosk']);
  const now = Date.now();
  const occasion = await cloudCli<{ id: string }>(['occasion', 'add', '--venue', venue.id, '--name', 'Wedding', '--starts', new Date(now - 3600_000).toISOString(), '--ends', new Date(now + 6 * 3600_000).toISOString()]);
  await cloudCli(['tables', 'import', '--venue', venue.id], ['tables.csv', 'label,capacity,tags\nT1,4,\nT2,4,accessible\nT3,4,\n']);
  expect(await cloudCli(['guests', 'import', '--venue', venue.id, '--occasion', occasion.id], ['guests.csv', GUESTS])).toMatchObject({ created: 7 });
  expect(await cloudCli(['seating', 'relations', 'import', '--occasion', occasion.id], ['relations.csv', 'a,b,score\ng-ana,g-fay,apart\ng-bo,g-cy,3\n'])).toMatchObject({ rows: 2, apart: 1, scores: 1 });

  const cloudPort = await freePort();
  const agentPort = await freePort();
  const kioskPort = await freePort();
  const cloudUrl = `http://127.0.0.1:${cloudPort}`;
  const startCloud = async () => {
    const p = seatpilot(['cloud', '--port', String(cloudPort), '--data', cloudData], env);
    procs.push(p);
    await p.waitFor(/listening on/, 120_000);
    return p;
  };
  let cloud = await startCloud();
  const agentDbFile = join(dir, 'agent.sqlite');
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({
    venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: agentPort }, database: agentDbFile,
    cloud: { url: cloudUrl, key_id: agentKey.key_id, secret: agentKey.secret }, push_interval_ms: 200, pull_interval_ms: 300, heartbeat_interval_s: 3600,
  }));
  const { db: agentDb } = openStore(agentDbFile);
  const issued = new AgentStore(agentDb, venue.id).issueKey(kioskDevice.device_id, 'kiosk');
  agentDb.close();
  const kioskDbFile = join(dir, 'kiosk.sqlite');
  writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({
    database: kioskDbFile,
    kiosk: { venue_id: venue.id, device_id: kioskDevice.device_id, door_id: 'main' },
    ui: { venue_name: 'Garden', language: 'en', staff_pin: '2468', result_seconds: 6 },
    hub: { base_url: `http://127.0.0.1:${agentPort}`, key_id: issued.key_id, secret: issued.secret },
  }));
  const agent = seatpilot(['agent', '--config', join(dir, 'agent.json')]);
  procs.push(agent);
  await agent.waitFor(/listening on/);
  const kiosk = seatpilot(['kiosk', '--browser', '--port', String(kioskPort), '--config', join(dir, 'kiosk.json')]);
  procs.push(kiosk);
  await kiosk.waitFor(/browser mode on/);

  // What the door holds, read from its SQLite file as it runs (WAL: a reader never blocks the kiosk).
  const doorTable = (guestId: string): { table_id: string | null } | undefined => {
    const db = new Database(kioskDbFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT table_id FROM guests WHERE id = ?').get(guestId) as { table_id: string | null } | undefined;
    } finally {
      db.close();
    }
  };
  await waitFor('the guest list at the door', async () => doorTable('g-eve') !== undefined, 60_000, 200);
  expect(doorTable('g-eve')!.table_id).toBeNull();

  // The planner's run: the cloud steps aside for the CLI on its PGlite folder, then comes back.
  await cloud.kill();
  const unknown = await runCli(['cloud', 'seating', 'assign', '--occasion', 'occ_nope', '--data', cloudData], env, 120_000);
  expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no occasion "occ_nope"')]);
  const badLimit = await runCli(['cloud', 'seating', 'assign', '--occasion', occasion.id, '--time-limit-ms', 'soon', '--data', cloudData], env);
  expect([badLimit.code, badLimit.stderr]).toEqual([2, expect.stringContaining('--time-limit-ms must be a whole number from 10 to 600000')]);
  const assign = await runCli(['cloud', 'seating', 'assign', '--occasion', occasion.id, '--time-limit-ms', '1000', '--data', cloudData], env, 120_000);
  expect(assign.code, assign.stderr).toBe(0);
  const summary = JSON.parse(assign.stdout) as { guests_to_seat: number; guests_seated: number; unseated: unknown[]; optimal: boolean; written: boolean; changes: { guest_id: string; from: string | null; to: string | null }[] };
  expect(summary).toMatchObject({ guests_to_seat: 7, guests_seated: 7, unseated: [], written: true });
  expect(assign.stderr).toMatch(/seated 7\/7 guests \(1 kept at their table\).*guests moved/);
  const label: Record<string, string | null> = { 'g-ana': null, 'g-bo': null, 'g-cy': null, 'g-di': 'T1', 'g-eve': null, 'g-fay': null, 'g-gus': 'T3' };
  for (const c of summary.changes) label[c.guest_id] = c.to;
  expect(label['g-gus']).toBe('T3');
  expect(label['g-cy']).toBe('T2');
  expect(label['g-eve']).not.toBeNull();
  expect(label['g-eve']).toBe(label['g-di']); // together_with
  expect(label['g-fay']).not.toBe(label['g-di']); // apart_from
  expect(label['g-ana']).not.toBe(label['g-fay']); // relations CSV: apart
  cloud = await startCloud();

  // The hub pulls the moved guests, the door pulls them from the hub; a scan then shows the new table.
  await waitFor('the new table at the door', async () => (doorTable('g-eve')?.table_id ?? null) !== null, 60_000, 200);
  const session = sessionFromPage(await (await fetch(`http://127.0.0.1:${kioskPort}/`)).text()) ?? '';
  const scan = await fetch(`http://127.0.0.1:${kioskPort}/ipc/checkin.scan`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kiosk-session': session }, body: JSON.stringify({ kind: 'barcode', value: 'B-EVE' }) });
  const screen = (await scan.json()) as { ok: boolean; value: { outcome: string; guest: { id: string; table_label: string | null } } };
  expect(screen).toMatchObject({ ok: true, value: { outcome: 'admitted', guest: { id: 'g-eve', table_label: label['g-eve'] } } });

  // The run, as the cloud service measures it from the stored assign.completed.
  let metrics = '';
  await waitFor('the assign metrics on the cloud /metrics', async () => {
    metrics = await (await fetch(`${cloudUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return /^seatpilot_assign_duration_seconds_count\{[^}]*channel="cli"[^}]*\} 1$/m.test(metrics);
  }, 30_000, 250);
  expect(metrics).toMatch(new RegExp(`^seatpilot_assign_feasible_ratio\\{tenant="${tenant.id}",venue="${venue.id}",channel="cli"\\} 1$`, 'm'));
}, 600_000);
