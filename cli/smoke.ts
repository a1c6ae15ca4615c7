// `npm run smoke [-- --data DIR] [--start]`: against a running `seatpilot demo` (or one it starts), a check-in through
// a kiosk's API, an arrival through the tablet API and one controlled rejection; then it waits for the push and checks
// the events in the cloud database and the counts on the agent's and the cloud's /metrics. Prints each step; exits
// non-zero on the first failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signRequest } from '../core/signing/signing';
import { sessionFromPage } from '../kiosk/browser/session';
import { loadState, ticketOf, DEMO_GUESTS, type DemoState } from './demo';

class StepFailed extends Error {}

const started = Date.now();
function step(text: string): void {
  console.log(`✓ ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StepFailed(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
}

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new StepFailed(`${res.url} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function startDemoProcess(dataDir: string): Promise<ChildProcess> {
  const [cloud, agent, kiosk] = [await freePort(), await freePort(), await freePort()];
  // kiosk+1 must be free too; a collision is reported by the demo itself.
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'seatpilot.mjs'), 'demo', '--data', dataDir, '--cloud-port', String(cloud), '--agent-port', String(agent), '--kiosk-port', String(kiosk)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitUntil('the demo to start', async () => {
    if (child.exitCode !== null) throw new StepFailed(`the demo exited with ${child.exitCode}: ${out.slice(-2000)}`);
    return out.includes('Ctrl-C stops everything');
  }, 240_000).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  step(`started seatpilot demo (pid ${child.pid}) in ${dataDir}`);
  return child;
}

async function run(state: DemoState): Promise<void> {
  const base = (p: number) => `http://${state.host}:${p}`;
  const kioskA = base(state.ports.kiosk);
  const agentUrl = base(state.ports.agent);
  const cloudUrl = base(state.ports.cloud);
  const kiosk = state.kiosks[0]!;
  const admin = { authorization: `Bearer ${state.admin_token}` };
  const ipc = async (channel: string, body: unknown) => {
    // The channels want the session of the page this kiosk boot serves (kiosk/browser/session.ts): read it as the screen does.
    const session = sessionFromPage(await (await fetch(`${kioskA}/`)).text()) ?? '';
    const res = await fetch(`${kioskA}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: kioskA, 'x-kiosk-session': session }, body: JSON.stringify(body) });
    return json(res);
  };
  const since = new Date(Date.now() - 5_000).toISOString();
  const billedBefore = (await billingRow(cloudUrl, admin, state.tenant_id))?.events ?? 0;

  // 0. The kiosk has the guest list from the hub.
  await waitUntil('kiosk A to hold the guest list', async () => {
    const s = (await ipc('kiosk.status', {})) as { ok: boolean; value?: { guest_list_version: number; hub: { online: boolean } } };
    return s.ok && s.value!.guest_list_version > 0 && s.value!.hub.online;
  });
  step('kiosk A is online with the guest list');

  // 1. A check-in through the kiosk's API: a guest not yet in (earlier smoke runs used some).
  let ticket = '';
  let guestId = '';
  for (let attempt = 0; attempt < 50 && !guestId; attempt++) {
    const i = 5 + Math.floor(Math.random() * (DEMO_GUESTS - 10));
    const r = (await ipc('checkin.scan', { kind: 'barcode', value: ticketOf(i) })) as { ok: boolean; value?: { outcome: string; reason?: string; guest?: { id: string; name: string; table_label: string | null } }; error?: unknown };
    if (!r.ok) throw new StepFailed(`checkin.scan failed: ${JSON.stringify(r.error)}`);
    if (r.value!.outcome === 'admitted') {
      ticket = ticketOf(i);
      guestId = r.value!.guest!.id;
      step(`check-in at kiosk A: ${ticket} → welcome ${r.value!.guest!.name}, table ${r.value!.guest!.table_label}`);
    } else if (r.value!.reason !== 'already_checked_in') {
      throw new StepFailed(`scanning ${ticketOf(i)} gave ${JSON.stringify(r.value)}`);
    }
  }
  if (!guestId) throw new StepFailed('found no guest left to check in');

  // 2. The same guest arrives at the table: a tablet paired through the hub, one tap.
  const codeBody = JSON.stringify({ label: 'smoke' });
  const signed = await signRequest({ keyId: kiosk.hub_key_id!, secret: kiosk.hub_secret!, method: 'POST', pathWithQuery: '/v1/tablets/pairing-codes', body: codeBody });
  const codeRes = await fetch(`${agentUrl}/v1/tablets/pairing-codes`, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body: codeBody });
  const code = (await json(codeRes)).code as string | undefined;
  if (codeRes.status !== 201 || !code) throw new StepFailed(`the hub refused a pairing code: ${codeRes.status}`);
  const pair = await json(await fetch(`${agentUrl}/tablet/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, label: 'smoke tablet' }) }));
  const token = pair.token as string | undefined;
  if (!token) throw new StepFailed(`pairing the tablet failed: ${JSON.stringify(pair)}`);
  step('tablet paired with a one-time code');
  const tapKey = randomUUID();
  const tap = await waitUntil('the hub to know the guest is checked in', async () => {
    const res = await fetch(`${agentUrl}/tablet/api/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ key: tapKey, guest_id: guestId }) });
    return res.status === 201 || res.status === 200 ? json(res) : null;
  }, 30_000);
  step(`arrival tapped on the tablet (${String(tap.status)})`);

  // 3. One controlled rejection.
  const bad = (await ipc('checkin.scan', { kind: 'barcode', value: 'SP-99999' })) as { ok: boolean; value?: { outcome: string; reason?: string } };
  if (!bad.ok || bad.value!.outcome !== 'rejected' || bad.value!.reason !== 'unknown_credential') throw new StepFailed(`an unknown ticket was not refused: ${JSON.stringify(bad)}`);
  step('unknown ticket SP-99999 refused (unknown_credential)');

  // 4. The events reach the cloud database.
  const events = async (q: string) => ((await json(await fetch(`${cloudUrl}/admin/events?${q}`, { headers: admin }))).events ?? []) as { event_id: string; type: string }[];
  await waitUntil('the check-in in the cloud', async () => (await events(`type=checkin.succeeded&guest=${guestId}`)).length === 1);
  step('cloud database holds the check-in');
  await waitUntil('the rejection in the cloud', async () => (await events(`type=checkin.rejected&device=${kiosk.device_id}&since=${encodeURIComponent(since)}`)).length >= 1);
  step('cloud database holds the rejection');
  const arrived = await waitUntil('seat.arrived in the cloud (after the tablet undo window)', async () => {
    const rows = await events(`type=seat.arrived&guest=${guestId}`);
    return rows.length === 1 ? rows[0] : null;
  }, 90_000);
  if (arrived.event_id !== tapKey) throw new StepFailed(`seat.arrived carries ${arrived.event_id}, not the tap's key ${tapKey}`);
  step('cloud database holds seat.arrived, once, with the tap key as event_id');

  // 5. Both /metrics count what happened.
  const metric = (text: string, name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const agentMetrics = await (await fetch(`${agentUrl}/metrics`)).text();
  for (const name of ['seatpilot_checkin_latency_seconds_count', 'seatpilot_door_to_seat_seconds_count']) {
    if (!(metric(agentMetrics, name) >= 1)) throw new StepFailed(`agent /metrics: ${name} is ${metric(agentMetrics, name)}`);
  }
  step('agent /metrics counts check-in latency and door-to-seat');
  if (!state.metrics_token) throw new StepFailed('demo.json has no metrics_token: start the demo again with this version');
  const unauthorised = await fetch(`${cloudUrl}/metrics`);
  if (unauthorised.status !== 401) throw new StepFailed(`cloud /metrics answered ${unauthorised.status} without the metrics token, not 401`);
  const cloudMetrics = await (await fetch(`${cloudUrl}/metrics`, { headers: { authorization: `Bearer ${state.metrics_token}` } })).text();
  // The cloud labels its ingest counters with the sender's tenant.
  const accepted = Number(new RegExp(`^seatpilot_ingest_accepted_total\\{tenant="${state.tenant_id}"\\} (\\S+)$`, 'm').exec(cloudMetrics)?.[1]);
  if (!(accepted >= 3)) throw new StepFailed(`cloud /metrics: seatpilot_ingest_accepted_total{tenant="${state.tenant_id}"} is ${accepted}`);
  step('cloud /metrics counts accepted events for the demo tenant');

  // 6. Billing meters them: the demo tenant's row of this month on /admin/billing, on its plan, counts them.
  const billed = await waitUntil('the demo tenant\'s usage on /admin/billing', async () => {
    const row = await billingRow(cloudUrl, admin, state.tenant_id);
    return row && row.events >= billedBefore + 3 ? row : null;
  }, 30_000);
  step(`/admin/billing: tenant ${state.tenant_id}, plan ${billed.plan_id || '(none)'}, ${billed.events} events this month (${billed.events - billedBefore} since the smoke began)`);
}

/** The tenant's row of the current month (UTC) on the /admin/billing page, its cells named by the page's header. */
async function billingRow(cloudUrl: string, admin: Record<string, string>, tenantId: string): Promise<{ plan_id: string; events: number; status: string } | null> {
  const month = new Date().toISOString().slice(0, 7);
  const res = await fetch(`${cloudUrl}/admin/billing?month=${month}&tenant=${encodeURIComponent(tenantId)}`, { headers: admin });
  if (res.status !== 200) throw new StepFailed(`/admin/billing answered ${res.status}`);
  const html = await res.text();
  const cells = (row: string, tag: 'th' | 'td') => [...row.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] as string);
  const head = cells(/<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '', 'th');
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  for (const tr of body.split('</tr>')) {
    const row = Object.fromEntries(cells(tr, 'td').map((v, i) => [head[i], v]));
    if (row.tenant_id === tenantId && row.month === month) return { plan_id: row.plan_id ?? '', events: Number(row.events), status: row.status ?? '' };
  }
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string', default: 'data' }, start: { type: 'boolean', default: false } } });
  const dataDir = resolve(values.data);
  let child: ChildProcess | null = null;
  try {
    if (values.start) child = await startDemoProcess(dataDir);
    const state = loadState(dataDir);
    if (!state) throw new StepFailed(`no demo in ${dataDir}: start one with "npm start" (or run the smoke test with --start)`);
    await run(state);
    if (child) {
      const exited = new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
      child.kill('SIGINT');
      const code = await exited;
      if (code !== 0) throw new StepFailed(`the demo did not stop cleanly on Ctrl-C (exit ${code})`);
      step('demo stopped cleanly on SIGINT');
    }
    console.log('smoke: all steps passed');
  } catch (e) {
    child?.kill('SIGKILL');
    console.error(`✗ ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

await main();
