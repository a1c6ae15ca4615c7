// The push client against a real venue hub on 127.0.0.1, with what a venue's network puts in between: a captive portal,
// a proxy with a small body limit, a rate limit, a wrong clock, and its own store failing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { SeatPilotEvent } from '../core/contract/contract';
import { newEventId } from '../core/contract/event-id';
import { parseAgentConfig } from '../edge-agent/config';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { openStore } from '../venue-store/open';
import { SqliteOutbox } from '../venue-store/outbox';
import { startFront, type FrontServer } from '../tests/front-server';
import { waitFor } from '../tests/wait';
import { SignedHttp } from './http-client';
import { PushClient } from './push-client';

describe('push client', () => {
  let dir: string;
  let agent: RunningAgent;
  let front: FrontServer;
  let db: SqliteDatabase;
  let outbox: SqliteOutbox;
  let key: { key_id: string; secret: string };
  const faults: string[] = [];

  const heartbeat = (n: number): SeatPilotEvent => ({
    event_id: newEventId(),
    type: 'device.heartbeat',
    occurred_at: new Date().toISOString(),
    venue_id: 'ven_push',
    device_id: 'kiosk_push',
    payload: { app_version: '0.1.0', outbox_depth: n, oldest_unsent_s: 0, guest_list_version: 0, scanner_ok: null, clock_skew_ms: 0 },
  });
  const queue = (n: number) => Array.from({ length: n }, (_, i) => heartbeat(i)).map((e) => (outbox.append(e), e.event_id));
  /** Events from this kiosk the hub has stored, by id. */
  const storedAtHub = (ids: string[]) =>
    agent.runtimeStore.db.prepare(`SELECT count(*) FROM outbox WHERE event_id IN (${ids.map(() => '?').join(',')})`).pluck().get(...ids) as number;
  const client = (opts: ConstructorParameters<typeof PushClient>[2] = {}, now: () => number = Date.now) =>
    new PushClient(outbox, new SignedHttp({ baseUrl: front.url, keyId: key.key_id, secret: key.secret }, { now, timeoutMs: 3_000 }), {
      backoffBaseMs: 50,
      backoffMaxMs: 200,
      onError: (m, kind) => faults.push(`${kind}: ${m}`),
      ...opts,
    });

  beforeEach(async () => {
    faults.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'sp-push-'));
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: 'ven_push', device_id: 'agent_push', listen: { host: '127.0.0.1', port: 0 } }),
      databaseFile: join(dir, 'agent.sqlite'),
      faults: () => {},
    });
    key = agent.store.issueKey('kiosk_push', 'kiosk');
    front = await startFront(agent.url);
    ({ db } = openStore(join(dir, 'kiosk.sqlite')));
    outbox = new SqliteOutbox(db);
  });

  afterEach(async () => {
    await front.close();
    await agent.close();
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a captive portal\'s 200 page for what it is: nothing is marked sent, and it all goes once the portal is gone', async () => {
    const ids = queue(12);
    front.mode = { kind: 'portal' };
    const push = client();
    const report = await push.drain();
    expect(report.sent).toBe(0);
    expect(report.error).toBe(`unexpected_response: text/html from ${front.url} (/ must be object)`);
    expect(push.status.faults.unexpected_response).toBe(1);
    expect(push.status.state).toBe('backing_off');
    expect(outbox.depth()).toBe(12);
    // The reason is kept on the waiting events, where seatpilot doctor reads it.
    expect(db.prepare("SELECT DISTINCT last_error FROM outbox WHERE state = 'pending'").pluck().all()).toEqual([report.error]);
    expect(storedAtHub(ids)).toBe(0);

    front.mode = { kind: 'forward' };
    const again = await push.drain();
    expect(again).toMatchObject({ sent: 12, dead: 0 });
    expect(outbox.depth()).toBe(0);
    expect(storedAtHub(ids)).toBe(12);
    expect(push.status.lastError).toBeNull();
  });

  it('acknowledges nothing from a 200 whose rejected[].index names no event it sent', async () => {
    queue(3);
    front.mode = { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: 2, duplicates: 0, rejected: [{ index: 7, event_id: null, reason: 'invalid_event', detail: 'x' }] }) };
    const push = client();
    const report = await push.drain();
    expect(report.error).toBe(`unexpected_response: application/json from ${front.url} (rejected[].index 7 is outside the batch of 3)`);
    expect(outbox.depth()).toBe(3);
    expect(db.prepare("SELECT count(*) FROM outbox WHERE state = 'dead'").pluck().get()).toBe(0);
  });

  it('says what answered when an error page is not the protocol\'s (a proxy\'s 502)', async () => {
    queue(1);
    front.mode = { kind: 'answer', status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' };
    const report = await client().drain();
    expect(report.error).toBe(`unexpected_response: text/html from ${front.url} (status 502)`);
  });

  it('halves its batches on a 413 until they pass, and gives up only on a single event too large for the path', async () => {
    const ids = queue(40);
    const one = JSON.stringify(heartbeat(0)).length;
    front.bodyLimit = one * 6; // a proxy that takes about five events a request
    const push = client();
    const report = await push.drain();
    expect(report).toMatchObject({ sent: 40, dead: 0 });
    expect(report.error).toBeUndefined();
    expect(storedAtHub(ids)).toBe(40);
    const posted = front.requests.filter((r) => r.path === '/v1/events');
    expect(posted.some((r) => r.bytes > front.bodyLimit)).toBe(true); // it did meet the 413
    expect(Math.max(...posted.filter((r) => r.bytes <= front.bodyLimit).map((r) => r.bytes))).toBeLessThanOrEqual(front.bodyLimit);

    front.bodyLimit = 10; // now not even one event passes
    const [lone] = queue(1);
    const last = await push.drain();
    expect(last).toMatchObject({ sent: 0, dead: 1 });
    expect(db.prepare('SELECT dead_reason FROM outbox WHERE event_id = ?').pluck().get(lone)).toMatch(/^413: /);
  });

  it('corrects a wrong clock from the refusal itself and delivers in the same drain', async () => {
    const ids = queue(5);
    const behind = () => Date.now() - 400_000; // a kiosk whose clock is 400 s slow: outside the ±300 s window
    const push = client({}, behind);
    const report = await push.drain();
    expect(report).toMatchObject({ sent: 5, dead: 0 });
    expect(storedAtHub(ids)).toBe(5);
    const posted = front.requests.filter((r) => r.path === '/v1/events');
    expect(posted).toHaveLength(2); // the refused one, then the corrected one
    expect(push.status.errorsTotal).toBe(0);
  });

  it('waits as long as a 429 says, and a kick does not cut the wait short', async () => {
    queue(2);
    front.mode = { kind: 'answer', status: 429, headers: { 'content-type': 'application/json', 'retry-after': '7' }, body: '{"error":"rate_limited"}' };
    const push = client();
    const before = Date.now();
    const report = await push.drain();
    expect(report.retryAfterMs).toBe(7_000);
    expect(push.status.faults.rate_limited).toBe(1);
    expect(push.status.retryAt! - before).toBeGreaterThanOrEqual(7_000);
    push.start();
    const seen = front.requests.length;
    push.kick();
    await new Promise((r) => setTimeout(r, 300));
    expect(front.requests.length).toBe(seen + 1); // start() tried once; the kick inside the window sent nothing
    await push.stop();
  });

  it('keeps its timer alive when its own store fails, and resumes when the store is back', async () => {
    queue(3);
    const push = client({ intervalMs: 50 });
    db.close(); // the kiosk's file gone from under it: every store call throws
    push.start();
    await waitFor('three failed rounds', () => push.status.faults.local_store >= 3, 5_000);
    expect(push.status.lastError).toMatch(/^local store: /);
    expect(faults.every((f) => f.startsWith('local_store: local store: '))).toBe(true);
    await push.stop();
  });
});
