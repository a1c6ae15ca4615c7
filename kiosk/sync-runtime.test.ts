// A kiosk whose clock is 10 minutes fast, syncing with a real agent on 127.0.0.1 over real HTTP and real SQLite files:
// the skew is measured from the first exchange (to the millisecond, device minus hub), the first heartbeat carries it,
// and check-ins are stamped and decided on the venue's time with the device's own time kept beside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { SeatPilotEvent } from '../core/contract/contract';
import { checkEvent } from '../core/contract/validate';
import { parseAgentConfig } from '../edge-agent/config';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { SERVER_TIME_HEADER } from '../protocol/server-time';
import { waitFor } from '../tests/wait';
import { CheckinService } from './checkin-service';
import { openStore } from '../venue-store/open';
import { KioskSync } from './sync-runtime';
import { guestChange, occasionChange, page } from '../tests/fixtures/sync-fixtures';

const FAST_MS = 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a kiosk 10 minutes fast against a real agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-skew-'));
  let agent: RunningAgent;
  let kioskDb: SqliteDatabase;
  let service: CheckinService;
  let sync: KioskSync;
  const deviceClock = () => Date.now() + FAST_MS;

  /** What the agent received from the kiosk, in arrival order. */
  const received = (type: SeatPilotEvent['type']): SeatPilotEvent[] =>
    (agent.store.db.prepare('SELECT event_json FROM outbox WHERE type = ? ORDER BY id').pluck().all(type) as string[])
      .map((j) => JSON.parse(j) as SeatPilotEvent)
      .filter((e) => e.device_id === 'kiosk_fast');

  beforeAll(async () => {
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: 'ven_skew', device_id: 'agent_skew', listen: { host: '127.0.0.1', port: 0 }, heartbeat_interval_s: 3600 }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    const t = Date.now();
    agent.store.applyCloudPage(page([
      occasionChange(1, { starts_at: iso(t - 3600_000), ends_at: iso(t + 6 * 3600_000) }),
      // Valid from 5 minutes from now: the kiosk's own clock is already past that.
      guestChange(2, { id: 'g_soon', name: 'Sam Soon', valid_from: iso(t + 5 * 60_000), credentials: [{ kind: 'barcode', value: 'TICKET-SOON' }] }),
      guestChange(3, { id: 'g_now', name: 'Nora Now', credentials: [{ kind: 'barcode', value: 'TICKET-NOW' }] }),
    ], 'cloud-1'));
    kioskDb = openStore(join(dir, 'kiosk.sqlite')).db;
    service = new CheckinService(kioskDb, { venue_id: 'ven_skew', device_id: 'kiosk_fast', door_id: 'door-a' }, { clock: deviceClock });
    const key = agent.store.issueKey('kiosk_fast', 'kiosk');
    sync = new KioskSync(service, { agent: { baseUrl: agent.url, keyId: key.key_id, secret: key.secret }, now: deviceClock, pushIntervalMs: 100, pullIntervalMs: 100, heartbeatIntervalS: 3600 });
    sync.start();
  });

  afterAll(async () => {
    await sync?.stop();
    kioskDb?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request, refused ones too, with its own time to the millisecond', async () => {
    const before = Date.now();
    const res = await fetch(`${agent.url}/v1/sync`);
    const after = Date.now();
    expect(res.status).toBe(401);
    const t = Number(res.headers.get(SERVER_TIME_HEADER));
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
  });

  it('sends a first heartbeat that carries the measured skew, device minus hub', async () => {
    const [first] = await waitFor('the first kiosk heartbeat at the agent', () => (received('device.heartbeat').length ? received('device.heartbeat') : null));
    expect(first!.type).toBe('device.heartbeat');
    const p = first!.payload as Extract<SeatPilotEvent, { type: 'device.heartbeat' }>['payload'];
    expect(p.clock_skew_ms).not.toBeNull();
    expect(Math.abs((p.clock_skew_ms as number) - FAST_MS)).toBeLessThan(300);
    expect(p).toMatchObject({ scanner_ok: null, last_scan_s: null, clock_corrected: true });
    // Stamped on the venue's time, not 10 minutes ahead.
    expect(Math.abs(Date.parse(first!.occurred_at) - Date.now())).toBeLessThan(5_000);
    expect(checkEvent(first)).toMatchObject({ ok: true });
  });

  it("stamps and decides check-ins on the venue's time, keeping the device time in the payload", async () => {
    await waitFor('the guest list at the kiosk', () => service.search('nora').length > 0);
    const soon = service.scan('TICKET-SOON', { kind: 'barcode' });
    expect(soon.status).toBe('not_yet_valid');
    const before = Date.now();
    const now = service.scan('TICKET-NOW', { kind: 'barcode' });
    const after = Date.now();
    expect(now.status).toBe('ok');
    sync.kick();
    const [admitted] = await waitFor('the check-in at the agent', () => (received('checkin.succeeded').length ? received('checkin.succeeded') : null));
    const at = Date.parse(admitted!.occurred_at);
    expect(at).toBeGreaterThanOrEqual(before - 300);
    expect(at).toBeLessThanOrEqual(after + 300);
    const payload = admitted!.payload as Extract<SeatPilotEvent, { type: 'checkin.succeeded' }>['payload'];
    const device = Date.parse(payload.device_time as string);
    expect(Math.abs(device - at - FAST_MS)).toBeLessThan(300);
    // The figures pushed are this scan's own.
    expect(payload.latency_ms).toBe(now.stages.total_ms);
    expect(payload.stages).toEqual(now.stages);
    const [refused] = received('checkin.rejected');
    expect(refused).toMatchObject({ event_id: soon.event_id, payload: { reason: 'not_yet_valid' } });

    sync.heartbeat();
    const beats = await waitFor('a second heartbeat', () => (received('device.heartbeat').length > 1 ? received('device.heartbeat') : null));
    const last = beats.at(-1)!.payload as Extract<SeatPilotEvent, { type: 'device.heartbeat' }>['payload'];
    expect(last.last_scan_s).toBeGreaterThanOrEqual(0);
    expect(last.last_scan_s).toBeLessThan(30);
  });
});
