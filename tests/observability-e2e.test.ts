// The shipped Prometheus config and rules with a real Prometheus (2.x) on 127.0.0.1: against a cloud service with a
// silent device (device labels kept, SeatPilotDeviceSilent on that device only), and against a running `seatpilot
// demo` after the smoke test (every target up, every recording rule but the seating engine's has series, and
// seatpilot:assign_p95_5m a value once the hub reports two seating runs, the alerts load, a dead hub raises SeatPilotAgentDown with an absolute runbook link, /admin/billing shows the demo's usage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { heartbeat, insertEvents, seedTenant } from './fixtures/kpi-fixtures';
import { freshDatabase, type TestDatabase } from './pg-backends';
import { loadState, type DemoState } from '../cli/demo';
import { freePort, ROOT, runTs, seatpilot, type Proc } from './procs';
import { randomUUID } from 'node:crypto';
import { signRequest } from '../core/signing/signing';
import { batchOf } from './signed';
import { requireTool } from './tools';
import { waitFor } from './wait';

// Under CI=true a missing Prometheus fails this file, naming its Debian package (tests/tools.ts); elsewhere it skips.
const PROMETHEUS = requireTool('prometheus', 'prometheus');
const BUNDLE = join(ROOT, 'build', 'observability');
const run = PROMETHEUS ? describe : describe.skip;

run('Prometheus with the SeatPilot bundle, scraping the cloud service', () => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let prom: ChildProcess | undefined;
  let promLog = '';
  let promUrl = '';
  const dir = mkdtempSync(join(tmpdir(), 'sp-prom-'));

  beforeAll(async () => {
    t = await freshDatabase('pglite');
    cloud = await buildApp({ db: t.db });
    await seedTenant(t.db, 'acme', { hall: ['kiosk-silent', 'kiosk-alive'] });
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    await insertEvents(t.db, [
      { tenant: 'acme', venue: 'hall', device: 'kiosk-silent', type: 'device.heartbeat', occurredAt: ago(900), receivedAt: ago(900), payload: heartbeat() },
      { tenant: 'acme', venue: 'hall', device: 'kiosk-alive', type: 'device.heartbeat', occurredAt: ago(5), receivedAt: ago(5), payload: heartbeat() },
    ]);
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const cloudPort = (cloud.app.server.address() as { port: number }).port;

    // The shipped files, with only the addresses and intervals changed for a test that must not take minutes.
    const config = readFileSync(join(BUNDLE, 'prometheus.yml'), 'utf8')
      .replace("'127.0.0.1:8080'", `'127.0.0.1:${cloudPort}'`)
      .replaceAll('15s', '1s')
      .replace('- seatpilot.rules.yml', `- ${join(BUNDLE, 'seatpilot.rules.yml')}`)
      // No venue agents here: the example target is not on 127.0.0.1 and must not be contacted.
      .replace("'targets/agents/*.json'", `'${join(dir, 'agents')}/*.json'`);
    expect(config).toContain(`127.0.0.1:${cloudPort}`);
    // This cloud serves /metrics openly (no SEATPILOT_METRICS_TOKEN in buildApp): any token in the file will do.
    const credentials = /^\s*credentials_file:\s*(\S+)\s*$/m.exec(config)?.[1];
    if (credentials) writeFileSync(join(dir, credentials), 'not-needed-by-an-open-cloud', { mode: 0o600 });
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prom = spawn(PROMETHEUS as string, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout?.on('data', (d) => (promLog += d));
    prom.stderr?.on('data', (d) => (promLog += d));
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r));
      process.kill(prom.pid as number, 'SIGTERM');
      await exited;
    }
    await cloud?.app.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T>(path: string): Promise<T | undefined> => {
    try {
      const res = await fetch(`${promUrl}${path}`);
      return res.ok ? ((await res.json()) as { data: T }).data : undefined;
    } catch {
      return undefined; // not listening yet
    }
  };

  it('scrapes per-device gauges with their own tenant, venue and device labels', async () => {
    const series = await waitFor('the last-seen gauge in Prometheus', async () => {
      const r = await api<{ result: { metric: Record<string, string> }[] }>('/api/v1/query?query=seatpilot_device_last_seen_timestamp_seconds');
      return r && r.result.length === 2 ? r.result : undefined;
    }, 45_000, 250).catch(async (e: Error) => {
      const targets = await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets');
      throw new Error(`${e.message}\ntargets: ${JSON.stringify(targets?.activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}\n${promLog.slice(-2000)}`);
    });
    expect(series.map((s) => s.metric.device).sort()).toEqual(['kiosk-alive', 'kiosk-silent']);
    expect(series[0]?.metric).toMatchObject({ tenant: 'acme', venue: 'hall', job: 'seatpilot-cloud' });
  });

  it('puts SeatPilotDeviceSilent on the silent device only', async () => {
    const alerts = await waitFor('SeatPilotDeviceSilent in Prometheus', async () => {
      const r = await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts');
      const silent = r?.alerts.filter((a) => a.labels.alertname === 'SeatPilotDeviceSilent');
      return silent && silent.length ? silent : undefined;
    }, 45_000, 250);
    // pending at first (for: 1m); the rule itself is what this proves, not the minute.
    expect(alerts.map((a) => [a.labels.device, a.labels.severity])).toEqual([['kiosk-silent', 'ticket']]);
    expect(['pending', 'firing']).toContain(alerts[0]?.state);
  });
});

/** GET a Prometheus API path; undefined while it is not listening yet or answers an error. */
async function promApi<T>(promUrl: string, path: string): Promise<T | undefined> {
  try {
    const res = await fetch(`${promUrl}${path}`);
    return res.ok ? ((await res.json()) as { data: T }).data : undefined;
  } catch {
    return undefined;
  }
}

/** Stops a child by its PID and waits for it to exit. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid as number, 'SIGTERM');
  await exited;
}

run('Prometheus with the shipped bundle, scraping a running seatpilot demo after the smoke test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-prom-demo-'));
  const dataDir = join(dir, 'demo');
  const agentsDir = join(dir, 'agents');
  const RUNBOOK_BASE = 'https://runbooks.test.invalid/seatpilot/README.md';
  let demo: Proc | undefined;
  let prom: ChildProcess | undefined;
  let promLog = '';
  let promUrl = '';
  let state: DemoState;
  const rulesText = readFileSync(join(BUNDLE, 'seatpilot.rules.yml'), 'utf8');
  const recorded = [...rulesText.matchAll(/^\s*- record:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
  const alertNames = [...rulesText.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
  const notSeating = recorded.filter((r) => !/(^|:)(seatpilot_)?assign_/.test(r));
  // A seating run as the hub would report one (channel walk_in), signed with the demo hub's key: the cloud observes
  // stored assign.completed events into its assign metrics (cloud-sync/seating/assign-metrics.ts).
  const reportAssign = async (durationMs: number) => {
    const body = batchOf([{ event_id: randomUUID(), type: 'assign.completed', occurred_at: new Date().toISOString(), venue_id: state.venue_id, device_id: state.agent.device_id,
      payload: { duration_ms: durationMs, feasible: 1, channel: 'walk_in', guests: 4, tables: 2, optimal: true, gap: 0 } }]);
    const headers = await signRequest({ keyId: state.agent.key_id, secret: state.agent.secret, method: 'POST', pathWithQuery: '/v1/events', body });
    const r = await fetch(`http://127.0.0.1:${state.ports.cloud}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(await r.json()).toMatchObject({ accepted: 1 });
  };
  const api = <T>(path: string) => promApi<T>(promUrl, path);
  const withLog = (e: Error) => {
    throw new Error(`${e.message}\nprometheus:\n${promLog.slice(-2000)}\ndemo:\n${demo?.out().slice(-2000) ?? ''}`);
  };

  beforeAll(async () => {
    const [cloudPort, agentPort, kioskPort, promPort, deadPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    demo = seatpilot(['demo', '--data', dataDir, '--cloud-port', String(cloudPort), '--agent-port', String(agentPort), '--kiosk-port', String(kioskPort)]);
    await demo.waitFor(/Ctrl-C stops everything/, 240_000);
    state = loadState(dataDir) as DemoState;
    expect(state.tenant_id).toMatch(/^ten_/);

    // The shipped files; only addresses, paths and intervals change (a test must not take minutes).
    let config = readFileSync(join(BUNDLE, 'prometheus.yml'), 'utf8');
    const template: [string | RegExp, string][] = [
      ["'127.0.0.1:8080'", `'127.0.0.1:${cloudPort}'`],
      // Alertmanager is not part of this test: nothing listens there, Prometheus only logs that it cannot send.
      ["'127.0.0.1:9093'", `'127.0.0.1:${deadPort}'`],
      ["'127.0.0.1:9090'", `'127.0.0.1:${promPort}'`],
      [/^(\s*)scrape_interval: 15s$/gm, '$1scrape_interval: 1s'],
      [/^(\s*)evaluation_interval: 15s$/gm, '$1evaluation_interval: 1s'],
      [/^(\s*)refresh_interval: 1m$/m, '$1refresh_interval: 1s'],
      [/^(\s*)runbook_base: .*$/m, `$1runbook_base: '${RUNBOOK_BASE}'`],
      ['- seatpilot.rules.yml', `- ${join(dir, 'seatpilot.rules.yml')}`],
      ["'targets/agents/*.json'", `'${agentsDir}/*.json'`],
    ];
    for (const [from, to] of template) {
      const next = config.replace(from, to);
      expect(next, `prometheus.yml holds ${String(from)}`).not.toBe(config);
      config = next;
    }
    // The cloud's /metrics token (SEATPILOT_METRICS_TOKEN), which the shipped config reads from a file: the demo's.
    const credentials = /^(\s*credentials_file:\s*)(\S+)\s*$/m.exec(config);
    if (credentials) {
      const tokenFile = readdirSync(dataDir).find((f) => /metrics.*token/i.test(f));
      expect(tokenFile, `a metrics token file in ${dataDir} for credentials_file`).toBeDefined();
      config = config.replace(credentials[0], `${credentials[1]}${join(dataDir, tokenFile as string)}`);
      // Without it the cloud refuses: the token is what makes the cloud target up below.
      expect((await fetch(`http://127.0.0.1:${cloudPort}/metrics`)).status).toBe(401);
    }
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const rules = rulesText.replace(/^(\s*)interval: 30s$/m, '$1interval: 1s');
    expect(rules).not.toBe(rulesText);
    writeFileSync(join(dir, 'seatpilot.rules.yml'), rules);
    // The histogram's series exists from here on; the second run below raises it between two scrapes, which a rate needs.
    await reportAssign(400);
    // The demo's hub, as an operator lists a venue: its address and the venue's tenant and venue ids.
    mkdirSync(agentsDir);
    writeFileSync(join(agentsDir, 'demo.json'), JSON.stringify([{ targets: [`127.0.0.1:${agentPort}`], labels: { tenant: state.tenant_id, venue: state.venue_id } }]));

    promUrl = `http://127.0.0.1:${promPort}`;
    prom = spawn(PROMETHEUS as string, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout?.on('data', (d) => (promLog += d));
    prom.stderr?.on('data', (d) => (promLog += d));
    let targets = '';
    await waitFor('Prometheus to scrape every target', async () => {
      const r = await api<{ activeTargets: { health: string; scrapeUrl: string; lastError: string }[] }>('/api/v1/targets');
      targets = JSON.stringify(r?.activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]));
      return r && r.activeTargets.length === 3 && r.activeTargets.every((t) => t.health === 'up');
    }, 60_000, 250).catch((e: Error) => withLog(new Error(`${e.message}; targets: ${targets}`)));

    // The smoke test against the running demo, with Prometheus watching: a check-in, an arrival, a refusal.
    const smoke = runTs('cli/smoke.ts', ['--data', dataDir]);
    const code = await smoke.exited();
    expect(code, smoke.out()).toBe(0);
    expect(smoke.out()).toContain('smoke: all steps passed');
  }, 420_000);

  afterAll(async () => {
    await stopChild(prom);
    await demo?.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('scrapes every target of the shipped config: the cloud, the demo hub (with its labels) and itself', async () => {
    const r = await api<{ activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] }>('/api/v1/targets');
    expect(r?.activeTargets.map((t) => [t.labels.job, t.health, t.lastError]).sort()).toEqual([
      ['prometheus', 'up', ''], ['seatpilot-agents', 'up', ''], ['seatpilot-cloud', 'up', ''],
    ]);
    expect(r?.activeTargets.find((t) => t.labels.job === 'seatpilot-agents')?.labels).toMatchObject({ tenant: state.tenant_id, venue: state.venue_id });
  });

  it('has a series for every recording rule but the seating engine\'s, with the smoke test\'s figures in them', async () => {
    expect(notSeating.length).toBeGreaterThanOrEqual(6);
    const series = new Map<string, { metric: Record<string, string>; value: [number, string] }[]>();
    const of = (name: string) => series.get(name)?.find((s) => s.metric.tenant === state.tenant_id);
    // The smoke's check-in and arrival are inside the 5-minute windows: once scraped and evaluated (a second or two
    // after the smoke ends), these percentiles are real numbers, not the NaN of a window without observations.
    const measured = ['tenant_venue:seatpilot_checkin_latency_seconds:p95_5m', 'tenant_venue:seatpilot_door_to_seat_seconds:p95_5m'];
    await waitFor('a series for every recording rule, and the smoke test\'s check-in and arrival in the percentiles', async () => {
      for (const name of notSeating) {
        const r = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(name)}`);
        if (r?.result.length) series.set(name, r.result);
      }
      return series.size === notSeating.length && measured.every((name) => Number(of(name)?.value[1]) > 0);
    }, 90_000, 500).catch((e: Error) => withLog(new Error(`${e.message}; missing: ${notSeating.filter((n) => !series.has(n)).join(', ')}; measured: ${JSON.stringify(measured.map((n) => of(n)))}`)));
    for (const name of measured) expect(of(name)?.metric, name).toMatchObject({ tenant: state.tenant_id, venue: state.venue_id });
    // No event of the demo tenant was refused by the cloud: its reject ratio is 0, not missing.
    expect(Number(of('tenant:seatpilot_ingest_rejected_per_received:ratio_rate5m')?.value[1])).toBe(0);
  });

  it('gives seatpilot:assign_p95_5m a value once a second seating run is reported, and the feasible gauge its ratio', async () => {
    await reportAssign(800);
    let value = NaN;
    await waitFor('seatpilot:assign_p95_5m with a value', async () => {
      const r = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent('seatpilot:assign_p95_5m')}`);
      const s = r?.result.find((x) => x.metric.tenant === state.tenant_id && x.metric.channel === 'walk_in');
      value = Number(s?.value[1]);
      return Number.isFinite(value) && value > 0;
    }, 60_000, 500).catch(withLog);
    expect(value).toBeLessThanOrEqual(1);
    const g = await api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(`seatpilot_assign_feasible_ratio{tenant="${state.tenant_id}",venue="${state.venue_id}",channel="walk_in"}`)}`);
    expect(g?.result.map((x) => x.value[1])).toEqual(['1']);
  });

  it('labels the hub\'s outbox gauges with its device, tenant and venue', async () => {
    const r = await api<{ result: { metric: Record<string, string> }[] }>(`/api/v1/query?query=${encodeURIComponent('seatpilot_outbox_depth{job="seatpilot-agents"}')}`);
    expect(r?.result.map((s) => s.metric)).toEqual([expect.objectContaining({ device: state.agent.device_id, tenant: state.tenant_id, venue: state.venue_id })]);
  });

  it('loads every alert, and a hub that stops answering raises SeatPilotAgentDown with its absolute runbook link', async () => {
    const rules = await api<{ groups: { rules: { type: string; name: string; annotations?: Record<string, string> }[] }[] }>('/api/v1/rules');
    const loaded = rules?.groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting').map((r) => r.name) ?? [];
    expect([...loaded].sort()).toEqual([...alertNames].sort());
    expect(loaded).toEqual(expect.arrayContaining(['SeatPilotCloudDown', 'SeatPilotAgentDown', 'SeatPilotDoubleAdmission', 'SeatPilotPushDead']));

    const gonePort = await freePort();
    writeFileSync(join(agentsDir, 'gone.json'), JSON.stringify([{ targets: [`127.0.0.1:${gonePort}`], labels: { tenant: 'ten_gone', venue: 'ven_gone' } }]));
    const alert = await waitFor('SeatPilotAgentDown for the hub that does not answer', async () => {
      const r = await api<{ alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] }>('/api/v1/alerts');
      return r?.alerts.find((a) => a.labels.alertname === 'SeatPilotAgentDown');
    }, 60_000, 250).catch(withLog);
    expect(alert.labels).toMatchObject({ instance: `127.0.0.1:${gonePort}`, tenant: 'ten_gone', venue: 'ven_gone', severity: 'ticket' });
    expect(alert.state).toBe('pending'); // for: 5m; what this proves is the rule and its link, not the five minutes
    expect(alert.annotations.runbook_url).toBe(`${RUNBOOK_BASE}#seatpilotagentdown`);
    // Only the hub that is gone: the cloud and the demo hub stay up.
    const r = await api<{ alerts: { labels: Record<string, string> }[] }>('/api/v1/alerts');
    expect(r?.alerts.filter((a) => ['SeatPilotCloudDown', 'SeatPilotAgentDown'].includes(a.labels.alertname ?? '')).map((a) => a.labels.instance)).toEqual([`127.0.0.1:${gonePort}`]);
  });

  it('/admin/billing shows the demo tenant on its plan with the smoke test\'s events', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const res = await fetch(`http://127.0.0.1:${state.ports.cloud}/admin/billing.csv?month=${month}&tenant=${state.tenant_id}`, { headers: { authorization: `Bearer ${state.admin_token}` } });
    expect(res.status).toBe(200);
    const [head, row] = (await res.text()).trimEnd().split('\r\n').map((l) => l.split(','));
    const cells = Object.fromEntries((head ?? []).map((h, i) => [h, row?.[i]]));
    expect(cells).toMatchObject({ tenant_id: state.tenant_id, month, status: 'open', plan_id: 'demo', price_cents: '4900' });
    // The check-in, the arrival and the refusal of the smoke test, and the devices' heartbeats.
    expect(Number(cells.events)).toBeGreaterThanOrEqual(3);
    const html = await (await fetch(`http://127.0.0.1:${state.ports.cloud}/admin/billing?month=${month}`, { headers: { authorization: `Bearer ${state.admin_token}` } })).text();
    expect(html).toContain(`<td>${state.tenant_id}</td>`);
  });
});
