// The pull client against a real venue hub on 127.0.0.1 and a real kiosk SQLite file, with a captive portal in between
// and with the kiosk's own store refusing writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseAgentConfig } from '../edge-agent/config';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from '../venue-store/open';
import { guestChange, occasionChange, page } from '../tests/fixtures/sync-fixtures';
import { startFront, type FrontServer } from '../tests/front-server';
import { waitFor } from '../tests/wait';
import { SignedHttp } from './http-client';
import { PullClient, type PullFaultKind } from './pull-client';

describe('pull client', () => {
  let dir: string;
  let agent: RunningAgent;
  let front: FrontServer;
  let http: SignedHttp;
  const closers: (() => void)[] = [];
  const kinds: PullFaultKind[] = [];

  const kiosk = (readonly = false) => {
    const file = join(dir, 'kiosk.sqlite');
    const opened = openStore(file).db;
    const db = readonly ? (opened.close(), new Database(file, { readonly: true })) : opened;
    closers.push(() => db.close());
    return new CheckinService(db, { venue_id: 'ven_pull', device_id: 'kiosk_pull', door_id: 'door_a' });
  };
  const sinkOf = (svc: CheckinService) => ({ cursor: () => svc.syncState().cursor ?? undefined, apply: (p: Parameters<CheckinService['applySyncPage']>[0]) => void svc.applySyncPage(p) });

  beforeEach(async () => {
    kinds.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'sp-pull-'));
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: 'ven_pull', device_id: 'agent_pull', listen: { host: '127.0.0.1', port: 0 } }),
      databaseFile: join(dir, 'agent.sqlite'),
      faults: () => {},
    });
    agent.store.applyCloudPage(page([occasionChange(1), ...Array.from({ length: 30 }, (_, i) => guestChange(2 + i, { id: `g${i}`, name: `Guest ${i}` }))], 'cloud-1'));
    const key = agent.store.issueKey('kiosk_pull', 'kiosk');
    front = await startFront(agent.url);
    http = new SignedHttp({ baseUrl: front.url, keyId: key.key_id, secret: key.secret }, { timeoutMs: 3_000 });
  });

  afterEach(async () => {
    for (const c of closers.splice(0)) c();
    await front.close();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a captive portal\'s page as no sync page: the cursor stays, and the list arrives once the portal is gone', async () => {
    const svc = kiosk();
    const pull = new PullClient(http, sinkOf(svc), { limit: 10, onError: (_m, kind) => kinds.push(kind) });
    front.mode = { kind: 'portal' };
    const report = await pull.pull();
    expect(report.error).toBe(`unexpected_response: text/html from ${front.url} (not a sync page: / must be object)`);
    expect(kinds).toEqual(['unexpected_response']);
    expect(svc.syncState().cursor).toBeNull();
    expect(svc.search('guest')).toHaveLength(0);

    front.mode = { kind: 'forward' };
    const again = await pull.pull();
    expect(again.error).toBeUndefined();
    expect(again.pages).toBeGreaterThan(1); // paged at 10
    expect(svc.search('guest 2').map((g) => g.guest_id)).toContain('g2');
    expect(pull.status.consecutiveFailures).toBe(0);
  });

  it('says what answered when an error is not the protocol\'s (a 500 page)', async () => {
    const pull = new PullClient(http, sinkOf(kiosk()));
    front.mode = { kind: 'answer', status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>oops</h1>' };
    expect((await pull.pull()).error).toBe(`unexpected_response: text/html from ${front.url} (status 500)`);
  });

  it('reports a store that refuses the page as a local fault with its SQLite error, and never throws', async () => {
    const errors: unknown[] = [];
    const pull = new PullClient(http, sinkOf(kiosk(true)), { onError: (_m, kind, e) => (kinds.push(kind), errors.push(e)) });
    const report = await pull.pull();
    expect(report.error).toMatch(/^local store: attempt to write a readonly database/);
    expect(kinds).toEqual(['local_store']);
    expect((errors[0] as { code?: string }).code).toBe('SQLITE_READONLY');
  });

  it('keeps pulling on its timer through failures, backing off, and catches up when the hub is back', async () => {
    const svc = kiosk();
    const pull = new PullClient(http, sinkOf(svc), { intervalMs: 20, backoffMaxMs: 200 });
    front.mode = { kind: 'portal' };
    pull.start();
    await waitFor('several failed pulls', () => pull.status.errorsTotal >= 4, 5_000);
    expect(pull.status.consecutiveFailures).toBeGreaterThanOrEqual(4);
    // Backing off: far fewer requests than a 20 ms interval would make in the same time.
    const t0 = Date.now();
    const n0 = front.requests.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(front.requests.length - n0).toBeLessThan((Date.now() - t0) / 20 / 2);
    front.mode = { kind: 'forward' };
    await waitFor('the guest list at the kiosk', () => svc.search('guest').length > 0, 5_000);
    expect(pull.status.consecutiveFailures).toBe(0);
    await pull.stop();
  });
});
