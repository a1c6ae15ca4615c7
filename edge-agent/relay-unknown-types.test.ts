// The hub as a relay: a kiosk's event of a type this hub does not know is kept and forwarded to the cloud unchanged,
// where the final check dead-letters it; the venue-side types (checkin.reverted from a door; guest.added and
// seat.changed, which only the hub's desk makes: a kiosk's are refused) flow to events_raw and leave the check-in KPIs
// and the double-admission detector as they were.
// Real agent (SQLite file, HTTP push to the cloud), real cloud on PGlite and Postgres; kiosk batches signed with its key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { readCheckinKpis, refreshKpiView } from '../cloud-sync/kpi/kpi';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';
import { waitFor } from '../tests/wait';
import { startAgent, type RunningAgent } from './runtime';
import { parseAgentConfig } from './config';
import { VENUE_DECISION_REFUSED } from '../protocol/ingest';
import type { SeatPilotEvent } from '../core/contract/contract';

describe.each(backends())('the hub relays event types it does not know, on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: RunningAgent;
  let tenantId = '';
  let kioskA: TestKey;
  let kioskB: TestKey;
  let hubDevice = '';
  const dir = mkdtempSync(join(tmpdir(), 'sp-relay-types-'));
  // Within the KPI views' recent window (the last 7 days of occurred_at).
  const start = Math.floor(Date.now() / 3600_000) * 3600_000 - 2 * 3600_000;
  const at = (min: number) => new Date(start + min * 60_000).toISOString();
  const envelope = (key: TestKey, type: string, payload: Record<string, unknown>, min = 1) =>
    ({ event_id: randomUUID(), type, occurred_at: at(min), venue_id: key.venue_id, device_id: key.device_id, payload });

  /** A kiosk's push to the hub, signed with the kiosk's own key. */
  const push = async (key: TestKey, events: unknown[]) => {
    const res = await signedInject(agent.app, key, 'POST', '/v1/events', batchOf(events));
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { accepted: number; duplicates: number; rejected: { index: number; reason: string }[] };
  };
  const outboxRow = (eventId: string) =>
    agent.store.db.prepare('SELECT type, state, dead_reason, event_json FROM outbox WHERE event_id = ?').get(eventId) as
      { type: string; state: string; dead_reason: string | null; event_json: string } | undefined;
  const cloudRow = async (eventId: string) =>
    (await t.db.query<{ type: string; device_id: string; via_device_id: string; payload: unknown }>(
      'SELECT type, device_id, via_device_id, payload FROM telemetry.events_raw WHERE event_id = $1', [eventId]))[0];
  const cloudDeadLetter = async (eventId: string) =>
    (await t.db.query<{ reason: string; raw: unknown }>('SELECT reason, raw FROM telemetry.events_dlq WHERE event_id = $1', [eventId]))[0];

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const cloudPort = (cloud.app.server.address() as { port: number }).port;
    const tenant = await addTenant(t.db, 'Tenant');
    tenantId = tenant.id;
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    const agentKey: IssuedKey = await addDevice(t.db, venue.id, 'agent');
    hubDevice = agentKey.device_id;
    const devA = await addDevice(t.db, venue.id, 'kiosk');
    const devB = await addDevice(t.db, venue.id, 'kiosk');
    agent = await startAgent({
      config: parseAgentConfig({
        venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: 0 },
        cloud: { url: `http://127.0.0.1:${cloudPort}`, key_id: agentKey.key_id, secret: agentKey.secret },
        push_interval_ms: 100, pull_interval_ms: 60_000,
      }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    const keyOf = (deviceId: string): TestKey => ({ ...agent.store.issueKey(deviceId, 'kiosk'), device_id: deviceId, venue_id: venue.id });
    kioskA = keyOf(devA.device_id);
    kioskB = keyOf(devB.device_id);
  });

  afterAll(async () => {
    await agent?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it('keeps a future type at the hub and forwards it unchanged; the cloud dead-letters it as unknown_type, the rest of the batch arrives', async () => {
    const admitted = checkinEvent(kioskA, { occurred_at: at(0), payload: { guest_id: 'g-relay', door_id: 'door-a' } });
    const future = envelope(kioskA, 'table.cleaned', { table_id: 't7', by_role: 'steward', crumbs: { level: 3 } });
    const moved = envelope(kioskA, 'seat.changed', { guest_id: 'g-relay', from_table_id: 't7', to_table_id: 't9', source: 'hub', by_role: 'supervisor' });
    // Every other check still holds for a type the hub does not know: the envelope, and whose device it is.
    const { device_id: _d, ...noDevice } = envelope(kioskA, 'table.cleaned', { table_id: 't1' });
    const foreign = { ...envelope(kioskA, 'table.cleaned', { table_id: 't2' }), device_id: kioskB.device_id };
    const knownButBad = envelope(kioskA, 'seat.changed', { guest_id: 'g-relay', source: 'tablet' });

    const answer = await push(kioskA, [admitted, future, noDevice, moved, foreign, knownButBad]);
    expect(answer).toMatchObject({ accepted: 2, duplicates: 0 });
    // A kiosk's move is refused: moves are the hub's own decisions (VenueDesk), a door never sends one.
    expect(answer.rejected.map((r) => [r.index, r.reason])).toEqual([[2, 'invalid_event'], [3, 'invalid_event'], [4, 'device_mismatch'], [5, 'invalid_payload']]);
    expect(answer.rejected[1]).toMatchObject({ detail: VENUE_DECISION_REFUSED });
    expect(outboxRow(moved.event_id)).toBeUndefined();
    // Sent again (a kiosk retrying): counted as a duplicate, stored once.
    expect(await push(kioskA, [future])).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });

    const queued = outboxRow(future.event_id);
    expect(queued?.type).toBe('table.cleaned');
    expect(JSON.parse(queued!.event_json)).toEqual(future);

    // Pushed over HTTP to the cloud, which checks the type: dead-lettered there with the event as the kiosk made it.
    const letter = await waitFor('the cloud to dead-letter the unknown type', () => cloudDeadLetter(future.event_id));
    expect(letter.reason).toBe('unknown_type');
    expect(letter.raw).toEqual(future);
    expect(await cloudRow(future.event_id)).toBeUndefined();
    const dead = await waitFor('the hub to mark its copy dead', () => (outboxRow(future.event_id)?.state === 'dead' ? outboxRow(future.event_id) : null));
    expect(dead.dead_reason).toContain('unknown_type');

    // Nothing else of the batch was lost: the known event reached events_raw with the kiosk's device id.
    for (const e of [admitted]) {
      const row = await waitFor(`${e.type} to reach the cloud`, () => cloudRow(e.event_id));
      expect(row).toMatchObject({ type: e.type, device_id: kioskA.device_id, payload: e.payload });
      expect(outboxRow(e.event_id)?.state).toBe('sent');
    }
  });

  it('carries checkin.reverted, guest.added and seat.changed to events_raw; guest.added and seat.changed count as no check-in, and the revert of X takes its admission out of the KPIs and of any pair', async () => {
    // Guest X: admitted at door A, then undone, moved and re-added from door B. Guest Y: admitted at both doors (a real pair).
    const xAtA = checkinEvent(kioskA, { occurred_at: at(10), payload: { guest_id: 'g-x', door_id: 'door-a', offline: true } });
    const yAtA = checkinEvent(kioskA, { occurred_at: at(11), payload: { guest_id: 'g-y', door_id: 'door-a', offline: true } });
    const yAtB = checkinEvent(kioskB, { occurred_at: at(12), payload: { guest_id: 'g-y', door_id: 'door-b', offline: true } });
    const revert = envelope(kioskB, 'checkin.reverted', { guest_id: 'g-x', reverted_event_id: xAtA.event_id, door_id: 'door-b', by_role: 'supervisor', reason: 'wrong ticket scanned' }, 13);
    // The walk-in and the move as the hub's desk makes them: its own device id, queued in its outbox (VenueDesk does so).
    const hubSide = [
      envelope({ ...kioskB, device_id: hubDevice }, 'guest.added', { guest_id: 'g-x', name: 'Walk In', party_size: 2, table_id: null, door_id: 'door-b', by_role: 'steward' }, 14),
      envelope({ ...kioskB, device_id: hubDevice }, 'seat.changed', { guest_id: 'g-x', from_table_id: null, to_table_id: 't3', source: 'engine', by_role: 'planner' }, 15),
    ];
    expect(await push(kioskA, [xAtA, yAtA])).toMatchObject({ accepted: 2, rejected: [] });
    expect(await push(kioskB, [yAtB, revert])).toMatchObject({ accepted: 2, rejected: [] });
    for (const e of hubSide) expect(agent.store.outbox.appendValidated(e as SeatPilotEvent, Date.now())).toBe(true);

    for (const e of [revert, ...hubSide]) {
      const row = await waitFor(`${e.type} to reach the cloud`, () => cloudRow(e.event_id));
      expect(row).toEqual({ type: e.type, device_id: e.device_id, via_device_id: expect.any(String), payload: e.payload });
    }
    await waitFor('the check-ins to reach the cloud', async () => (await Promise.all([xAtA, yAtA, yAtB].map((e) => cloudRow(e.event_id)))).every(Boolean));

    // The detector pairs only admissions: guest Y's two doors, never guest X's admission with the venue-side events.
    await cloud.doubleAdmissions.tick();
    const pairs = await t.db.query<{ guest_id: string }>('SELECT guest_id FROM telemetry.double_admissions WHERE tenant_id = $1 ORDER BY guest_id', [tenantId]);
    expect(pairs.map((p) => p.guest_id)).toEqual(['g-y']);

    // The check-in KPIs count decisions only: the check-ins of both tests, no row for door B beyond Y's. Of the 4
    // admissions, X's was reverted: still a decision, no longer admitted (sql 0019).
    expect(await refreshKpiView(t.db, 'mv_kpi_checkin')).toMatchObject({ outcome: 'refreshed' });
    const kpis = await readCheckinKpis(t.db, { tenantId });
    const perDoor = Object.fromEntries(['door-a', 'door-b'].map((d) => [d, kpis.filter((k) => k.door_id === d).reduce((n, k) => n + Number(k.decisions), 0)]));
    expect(perDoor).toEqual({ 'door-a': 3, 'door-b': 1 });
    expect(kpis.reduce((n, k) => n + Number(k.admitted), 0)).toBe(3);
  });
});
