// The shipped Prometheus config and rules against a real cloud service: a real Prometheus (2.x) scrapes the service on
// 127.0.0.1, keeps the device labels, and evaluates SeatPilotDeviceSilent on a device whose heartbeats stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { heartbeat, insertEvents, seedTenant } from '../cloud-sync/kpi/test-fixtures';
import { freshDatabase, type TestDatabase } from './pg-backends';
import { freePort, ROOT } from './procs';
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
    }, 45_000, 250).catch((e: Error) => { throw new Error(`${e.message}\n${promLog.slice(-2000)}`); });
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
