// GET /v1/sync on the venue hub is scoped by the key's kind, over real HTTP on 127.0.0.1 and a real SQLite file: a
// door's kiosk reads the whole feed, a beacon gateway's key reads the tables (and their tombstones) and not one guest
// or credential, paged like any feed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncChange, SyncResponse } from '../core/contract/contract';
import { checkSyncResponse } from '../core/contract/validate';
import { SignedHttp } from '../protocol/http-client';
import { guestChange, occasionChange, page, tableChange } from '../tests/fixtures/sync-fixtures';
import { checkinEvent } from '../tests/signed';
import { parseAgentConfig } from './config';
import { startAgent, type RunningAgent } from './runtime';

describe('GET /v1/sync on the agent, by key kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-sync-scope-'));
  let agent: RunningAgent;
  const client = (kind: 'kiosk' | 'gateway', device: string) => {
    const key = agent.store.issueKey(device, kind);
    return { key, http: new SignedHttp({ baseUrl: agent.url, keyId: key.key_id, secret: key.secret }) };
  };
  const walk = async (http: SignedHttp, limit: number) => {
    const changes: SyncChange[] = [];
    let cursor = '';
    for (let pages = 0; pages < 100; pages++) {
      const r = await http.request('GET', `/v1/sync?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const body = r.body as SyncResponse;
      expect(checkSyncResponse(body).ok).toBe(true);
      changes.push(...body.changes);
      cursor = body.cursor;
      if (!body.has_more) return { changes, cursor };
    }
    throw new Error('the feed never ended');
  };

  beforeAll(async () => {
    agent = await startAgent({
      config: parseAgentConfig({ venue_id: 'ven_scope', device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 } }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    agent.store.applyCloudPage(page([
      occasionChange(1),
      tableChange(2, { id: 't1', label: '1' }),
      tableChange(3, { id: 't2', label: '2' }),
      ...Array.from({ length: 30 }, (_, i) => guestChange(10 + i, { id: `g${i}`, name: `Guest ${i}`, table_id: 't1', credentials: [{ kind: 'barcode', value: `TICKET-${i}` }, { kind: 'nfc', value: `04AABB${i}` }] })),
      { kind: 'floor_plan', version: 50, floor_plan: { width: 20, height: 10, walls: [], obstacles: [], doors: [] } },
      tableChange(51, { id: 't3', label: '3' }),
      { kind: 'tombstone', version: 52, entity: 'guest', id: 'g0' },
      { kind: 'tombstone', version: 53, entity: 'table', id: 't2' },
    ], 'cloud-1'));
    // A check-in at another door: kiosks get it, gateways do not.
    const door = client('kiosk', 'dev_door_a');
    const r = await door.http.request('POST', '/v1/events', JSON.stringify({ batch_id: crypto.randomUUID(), sent_at: new Date().toISOString(), events: [checkinEvent({ venue_id: 'ven_scope', device_id: 'dev_door_a' }, { payload: { guest_id: 'g5' } })] }));
    expect(r.body).toMatchObject({ accepted: 1 });
  });
  afterAll(async () => {
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a door's kiosk reads everything: guests with credentials, tables, plan, occasion, tombstones, check-ins", async () => {
    const { changes } = await walk(client('kiosk', 'dev_door_b').http, 500);
    const kinds = new Set(changes.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['checkin', 'floor_plan', 'guest', 'occasion', 'table', 'tombstone']);
    expect(changes.filter((c) => c.kind === 'guest')).toHaveLength(30);
  });

  it('a beacon gateway reads the tables and their tombstones only, and no guest or credential', async () => {
    const gateway = client('gateway', 'dev_gateway_1');
    const { changes } = await walk(gateway.http, 2);
    expect(changes.map((c) => (c.kind === 'table' ? `table ${c.table.id}` : c.kind === 'tombstone' ? `tombstone ${c.entity} ${c.id}` : c.kind))).toEqual([
      'table t1', 'table t2', 'table t3', 'tombstone table t2',
    ]);
    const text = JSON.stringify(changes);
    expect(text).not.toMatch(/TICKET-|04AABB|Guest /);
  });

  it('a gateway pages on from its cursor: a later table reaches it, a later guest does not', async () => {
    const gateway = client('gateway', 'dev_gateway_2');
    const first = await walk(gateway.http, 1000);
    agent.store.applyCloudPage(page([guestChange(60, { id: 'g99', name: 'Late Guest' }), tableChange(61, { id: 't9', label: '9' })], 'cloud-2'));
    const r = await gateway.http.request('GET', `/v1/sync?cursor=${encodeURIComponent(first.cursor)}`);
    expect((r.body as SyncResponse).changes.map((c) => c.kind === 'table' && c.table.id)).toEqual(['t9']);
  });
});
