// Kiosk → agent → cloud over real HTTP on 127.0.0.1, real SQLite files, the real cloud on PGlite and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from '../venue-store/open';
import { KioskSync } from '../kiosk/sync-runtime';
import { FIXTURE_OCCASION, guestChange, occasionChange, page } from '../tests/fixtures/sync-fixtures';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { waitFor } from '../tests/wait';
import { startAgent, type RunningAgent } from './runtime';
import { parseAgentConfig } from './config';

const DURING = Date.parse(FIXTURE_OCCASION.starts_at) + 3600_000;

describe.each(backends())('kiosk → agent → cloud on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let cloudPort = 0;
  let agent: RunningAgent;
  let agentKey: IssuedKey;
  const kiosks: { service: CheckinService; sync: KioskSync; close(): void }[] = [];
  let kioskA: (typeof kiosks)[number];
  let kioskB: (typeof kiosks)[number];
  let kioskUnregistered: (typeof kiosks)[number];
  const clock = DURING;
  const dir = mkdtempSync(join(tmpdir(), 'sp-agent-'));

  const startCloud = async () => {
    cloud = await buildApp({ db: t.db });
    await cloud.app.listen({ host: '127.0.0.1', port: cloudPort });
    cloudPort = (cloud.app.server.address() as { port: number }).port;
  };
  const cloudEvent = async (eventId: string) =>
    (await t.db.query<{ device_id: string; via_device_id: string; type: string }>('SELECT device_id, via_device_id, type FROM telemetry.events_raw WHERE event_id = $1', [eventId]))[0];

  const startKiosk = (name: string, deviceId: string, door: string) => {
    const { db } = openStore(join(dir, `${name}.sqlite`));
    const service = new CheckinService(db, { venue_id: agentKey.venue_id, device_id: deviceId, door_id: door }, { clock: () => clock });
    const key = agent.store.issueKey(deviceId, 'kiosk');
    const sync = new KioskSync(service, { agent: { baseUrl: agent.url, keyId: key.key_id, secret: key.secret }, pushIntervalMs: 100, pullIntervalMs: 100 });
    sync.start();
    const k = { service, sync, close: () => db.close() };
    kiosks.push(k);
    return k;
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    const tenant = await addTenant(t.db, 'Tenant');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    agentKey = await addDevice(t.db, venue.id, 'agent');
    const devA = await addDevice(t.db, venue.id, 'kiosk');
    const devB = await addDevice(t.db, venue.id, 'kiosk');
    await startCloud();
    agent = await startAgent({
      config: parseAgentConfig({
        venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: 0 },
        cloud: { url: `http://127.0.0.1:${cloudPort}`, key_id: agentKey.key_id, secret: agentKey.secret },
        push_interval_ms: 200, pull_interval_ms: 200,
      }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    // The guest list as the agent would have pulled it from the cloud.
    agent.store.applyCloudPage(page([
      occasionChange(1),
      ...Array.from({ length: 20 }, (_, i) => guestChange(10 + i, { id: `g${i}`, name: `Guest ${i}`, credentials: [{ kind: 'barcode', value: `TICKET-${i}` }] })),
    ], 'cloud-1'));
    kioskA = startKiosk('kiosk-a', devA.device_id, 'door-a');
    kioskB = startKiosk('kiosk-b', devB.device_id, 'door-b');
    kioskUnregistered = startKiosk('kiosk-x', 'dev_not_in_cloud', 'door-x');
    await waitFor('kiosks to receive the guest list from the agent', () => kiosks.every((k) => k.service.search('guest').length > 0));
  });

  afterAll(async () => {
    for (const k of kiosks) {
      await k.sync.stop();
      k.close();
    }
    await agent?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('relays a kiosk check-in to the cloud, keeping the kiosk device_id', async () => {
    const r = kioskA.service.scan('TICKET-1', { kind: 'barcode' });
    expect(r.status).toBe('ok');
    kioskA.sync.kick();
    const row = await waitFor('the check-in to reach the cloud', () => cloudEvent(r.event_id!));
    expect(row).toEqual({ device_id: kioskA.service.config.device_id, via_device_id: agentKey.device_id, type: 'checkin.succeeded' });
    await waitFor('the kiosk outbox to drain', () => kioskA.service.outbox.depth() === 0);
  });

  it('refuses at door B a ticket admitted at door A within 2 s, with the cloud stopped', async () => {
    await cloud.app.close();
    try {
      const admitted = kioskA.service.scan('TICKET-2', { kind: 'barcode' });
      expect(admitted.status).toBe('ok');
      const t0 = Date.now();
      kioskA.sync.kick();
      await waitFor('door B to learn of the check-in', () => {
        const hits = kioskB.service.search('Guest 2');
        return hits.find((h) => h.guest_id === 'g2' && h.checked_in_at !== null);
      }, 2_000, 10);
      const refused = kioskB.service.scan('TICKET-2', { kind: 'barcode' });
      const elapsed = Date.now() - t0;
      expect(refused.status).toBe('already_checked_in');
      expect(elapsed).toBeLessThan(2_000);
      console.log(`[cross-door ${backend}] admitted at door A, refused at door B ${elapsed} ms later, cloud stopped`);
    } finally {
      await startCloud();
    }
    const ev = kioskA.service.outbox;
    await waitFor('everything to reach the cloud once it is back', () => ev.depth() === 0 && agent.store.outbox.depth() === 0, 20_000);
  });

  it('marks an event the cloud refuses for good as dead at the agent and in the cloud dead letters, and keeps flowing', async () => {
    const bad = kioskUnregistered.service.scan('TICKET-3', { kind: 'barcode' });
    kioskUnregistered.sync.kick();
    await waitFor('the refused event to land in the cloud dead letters', async () =>
      (await t.db.query<{ reason: string }>('SELECT reason FROM telemetry.events_dlq WHERE event_id = $1', [bad.event_id]))[0]?.reason === 'device_mismatch');
    // The cloud's dead letter is written before the agent reads the answer: wait for the agent's side too.
    const dead = await waitFor('the agent to mark the event dead', () => {
      const row = agent.store.db.prepare('SELECT state, dead_reason FROM outbox WHERE event_id = ?').get(bad.event_id) as { state: string; dead_reason: string } | undefined;
      return row?.state === 'dead' ? row : null;
    });
    expect(dead.state).toBe('dead');
    expect(dead.dead_reason).toContain('device_mismatch');
    const good = kioskA.service.scan('TICKET-4', { kind: 'barcode' });
    kioskA.sync.kick();
    await waitFor('a later event to flow past the dead one', () => cloudEvent(good.event_id!));
    const metrics = (await agent.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/seatpilot_push_dead_total [1-9]/);
  });

  it('serves metrics and health on the agent', async () => {
    const metrics = (await agent.app.inject({ method: 'GET', url: '/metrics' })).body;
    // The hub's own backlog carries its device id, as the alerts and fleet dashboard group it.
    expect(metrics).toMatch(new RegExp(`^seatpilot_outbox_depth\\{device="${agentKey.device_id}"\\} \\d+$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^seatpilot_outbox_oldest_unsent_seconds\\{device="${agentKey.device_id}"\\} \\d`, 'm'));
    expect(metrics).toMatch(/seatpilot_checkin_latency_seconds_count [1-9]/);
    expect(metrics).toMatch(/seatpilot_checkin_stage_seconds_count\{stage="persist"\} [1-9]/);
    expect(metrics).toMatch(/seatpilot_last_cloud_sync_timestamp_seconds \d{10}/);
    const health = await agent.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ checks: { database: { ok: true } } });
  });

  it('relays heartbeats of the agent and its kiosks to the cloud', async () => {
    kioskB.sync.heartbeat();
    agent.heartbeat();
    await waitFor('heartbeats from the agent and kiosk B in the cloud', async () => {
      const rows = await t.db.query<{ device_id: string }>("SELECT DISTINCT device_id FROM telemetry.events_raw WHERE type = 'device.heartbeat'");
      const ids = rows.map((r) => r.device_id);
      return ids.includes(agentKey.device_id) && ids.includes(kioskB.service.config.device_id);
    });
  });
});

describe('agent config', () => {
  it('names the bad field', () => {
    expect(() => parseAgentConfig({ venue_id: 'v', device_id: 'd', listen: { port: 'eighty' } })).toThrow(/\/listen\/port must be integer/);
    expect(() => parseAgentConfig({ venue_id: 'v' })).toThrow(/missing required field "device_id"/);
    expect(() => parseAgentConfig({ venue_id: 'v', device_id: 'd', cloud: { url: 'ftp://x', key_id: 'k', secret: 'x'.repeat(20) } })).toThrow(/\/cloud\/url/);
  });
});
