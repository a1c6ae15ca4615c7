// What the hub takes at its edge from a door: one spelling of an event id, and no event that can break the batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchOf, checkinEvent, signedInject, type TestKey } from '../tests/signed';
import { parseAgentConfig } from './config';
import { startAgent, type RunningAgent } from './runtime';

describe('hub ingest at its edge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-agent-edge-'));
  let agent: RunningAgent;
  let kiosk: TestKey;
  const post = (body: string) => signedInject(agent.app, kiosk, 'POST', '/v1/events', body);
  const feedCheckins = (eventId: string) =>
    agent.runtimeStore.db.prepare("SELECT count(*) FROM feed WHERE kind = 'checkin' AND json_extract(change_json, '$.checkin.event_id') = ?").pluck().get(eventId) as number;

  beforeAll(async () => {
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: 'ven_edge', device_id: 'agent_edge', listen: { host: '127.0.0.1', port: 0 } }),
      databaseFile: join(dir, 'agent.sqlite'),
      faults: () => {},
    });
    const key = agent.store.issueKey('kiosk_edge', 'kiosk');
    kiosk = { ...key, device_id: 'kiosk_edge', venue_id: 'ven_edge' };
  });
  afterAll(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes an event id in upper case as the same event: stored once, fanned out to the other doors once', async () => {
    const e = checkinEvent(kiosk);
    const first = await post(batchOf([e]));
    expect(first.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await post(batchOf([{ ...e, event_id: e.event_id.toUpperCase() }]));
    expect(again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(feedCheckins(e.event_id)).toBe(1);
    expect(feedCheckins(e.event_id.toUpperCase())).toBe(0);
    const queued = agent.runtimeStore.db.prepare('SELECT event_id FROM outbox WHERE lower(event_id) = ?').pluck().all(e.event_id);
    expect(queued).toEqual([e.event_id]);
  });

  it('refuses an event nested thousands of levels deep on its own, and stores the rest of its batch', async () => {
    // Written as text: JSON.stringify itself cannot go this deep (that was the 500).
    const deep = `${'{"n":'.repeat(4_500)}"x"${'}'.repeat(4_500)}`;
    const bad = { ...checkinEvent(kiosk), payload: { ...checkinEvent(kiosk).payload, extra: '__DEEP__' } };
    const good = checkinEvent(kiosk);
    const res = await post(batchOf([bad, good]).replace('"__DEEP__"', deep));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 0, event_id: bad.event_id, reason: 'invalid_event', detail: 'the event nests deeper than 32 levels' }],
    });
    expect(feedCheckins(good.event_id)).toBe(1);
  });
});
