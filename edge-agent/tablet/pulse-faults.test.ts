// The tablets' pulse on a real SQLite file whose writes are refused for a while (another connection holds the write
// lock): each failed tick reaches the agent's loop faults as `tablet_pulse`, the hub keeps serving, and once the file
// takes writes again the next tick commits the tap that was waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page, tableChange } from '../../tests/fixtures/sync-fixtures';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../../tests/signed';
import { waitFor } from '../../tests/wait';
import { buildAgentApp } from '../app';
import { parseAgentConfig } from '../config';
import { startAgent } from '../runtime';
import { AgentStore } from '../store';

const VENUE = 'ven_pulse';
const AGENT_DEVICE = 'dev_agent_pulse';

interface Hub {
  app: FastifyInstance;
  store: AgentStore;
  file: string;
  faults: Array<{ kind: string; message: string }>;
  advance(ms: number): void;
}

const seed = (store: AgentStore) =>
  store.applyCloudPage(page([occasionChange(1), tableChange(2, { id: 't1', label: '1' }), guestChange(10, { id: 'ana', name: 'ANA', table_id: 't1' })]));

/** Ana checked in at a door, a tablet paired through a kiosk's staff mode, and her arrival tapped: pending its undo window. */
async function tapPendingArrival(hub: Hub): Promise<string> {
  const kiosk: TestKey = { ...hub.store.issueKey('dev_kiosk_pulse', 'kiosk'), venue_id: VENUE };
  const checkin = checkinEvent(kiosk, { occurred_at: new Date(Date.now() - 60_000).toISOString(), payload: { guest_id: 'ana', table_id: 't1' } });
  expect((await signedInject(hub.app, kiosk, 'POST', '/v1/events', batchOf([checkin]))).json()).toMatchObject({ accepted: 1 });
  const code = await signedInject(hub.app, kiosk, 'POST', '/v1/tablets/pairing-codes', JSON.stringify({ label: 'Table 1' }));
  expect(code.statusCode).toBe(201);
  const paired = await hub.app.inject({ method: 'POST', url: '/tablet/api/pair', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ code: code.json().code }) });
  expect(paired.statusCode).toBe(201);
  const key = randomUUID();
  const tap = await hub.app.inject({
    method: 'POST',
    url: '/tablet/api/arrivals',
    headers: { authorization: `Bearer ${paired.json().token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ key, guest_id: 'ana', tapped_at: new Date().toISOString() }),
  });
  expect(tap.statusCode).toBe(201);
  return key;
}

const seatArrivals = (store: AgentStore) => store.db.prepare("SELECT event_id FROM outbox WHERE type = 'seat.arrived'").pluck().all() as string[];
const pulseFaults = (hub: Hub) => hub.faults.filter((f) => f.kind === 'tablet_pulse');

async function pulseThroughRefusedWrites(hub: Hub): Promise<void> {
  const key = await tapPendingArrival(hub);
  // Another process holds the write lock; the hub's connection waits only briefly, so a write fails with SQLITE_BUSY
  // (rather than the pulse blocking the event loop for the default five seconds).
  hub.store.db.pragma('busy_timeout = 20');
  const other = new Database(hub.file);
  try {
    other.exec('BEGIN IMMEDIATE');
    hub.advance(60_000); // past the undo window: the next tick wants to commit the tap
    await waitFor('three failed pulses reported as tablet_pulse', () => pulseFaults(hub).length >= 3, 10_000);
    expect(pulseFaults(hub)[0]!.message).toMatch(/locked|busy/i);
    expect(seatArrivals(hub.store)).toEqual([]);
    // Still serving, over its socket, while the ticks fail.
    const address = await hub.app.listen({ host: '127.0.0.1', port: 0 });
    const health = await fetch(`${address}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).checks.database).toMatchObject({ ok: true });
    other.exec('ROLLBACK');
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  }
  // The file takes writes again: the next tick commits the tap that waited.
  await waitFor('the waiting tap committed once writes are taken again', () => seatArrivals(hub.store).includes(key), 10_000);
  expect(seatArrivals(hub.store)).toEqual([key]);
}

describe("the tablets' pulse when the database refuses writes", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('buildAgentApp: failed ticks go to the fault sink as tablet_pulse, the app answers, the tap commits afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-pulse-app-'));
    const file = join(dir, 'agent.sqlite');
    let clock = Date.now();
    const { db } = openStore(file);
    const store = new AgentStore(db, VENUE, () => clock);
    seed(store);
    const faults: Hub['faults'] = [];
    const { app } = await buildAgentApp({
      store,
      now: () => clock,
      faults: (kind, message) => faults.push({ kind, message }),
      tablet: { venueId: VENUE, deviceId: AGENT_DEVICE, undoSeconds: 5, tickMs: 20 },
    });
    cleanups.push(async () => {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await pulseThroughRefusedWrites({ app, store, file, faults, advance: (ms) => (clock += ms) });
  });

  it("startAgent: the tablets' pulse reports into the agent's own fault sink", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-pulse-agent-'));
    const file = join(dir, 'agent.sqlite');
    let clock = Date.now();
    const faults: Hub['faults'] = [];
    const agent = await startAgent({
      config: parseAgentConfig({ venue_id: VENUE, device_id: AGENT_DEVICE, listen: { host: '127.0.0.1', port: 0 }, tablet: { undo_seconds: 5 } }),
      databaseFile: file,
      now: () => clock,
      faults: (kind, message) => faults.push({ kind, message }),
    });
    cleanups.push(async () => {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    });
    seed(agent.store);
    const key = await tapPendingArrival({ app: agent.app, store: agent.store, file, faults, advance: () => {} });
    agent.store.db.pragma('busy_timeout = 20');
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      clock += 60_000;
      await waitFor('a failed pulse reported as tablet_pulse', () => faults.some((f) => f.kind === 'tablet_pulse'), 10_000);
      expect((await fetch(`${agent.url}/health`)).status).toBe(200);
      other.exec('ROLLBACK');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    await waitFor('the waiting tap committed', () => seatArrivals(agent.store).includes(key), 10_000);
  });
});
