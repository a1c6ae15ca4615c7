// The audit page on PGlite and PostgreSQL: the tenant's entries newest first, paged by id and filtered exactly; no
// route of the product changes or deletes one, and the database refuses it to its owner and to the console's role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSchema } from '@sinclair/typebox';
import { ajv } from '../../../core/contract/validate';
import { AuditPageSchema, type AuditEntry, type AuditPage } from '../../../core/console/audit';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant, type TestSession } from '../../../tests/fixtures/console';
import { addDevice } from '../../admin';
import { buildApp, type CloudApp } from '../../app';
import { recordAudit } from '../audit';
import { scoped } from '../scope';

function expectShape(schema: TSchema, body: unknown): void {
  ajv.validate(schema, body);
  expect(ajv.errors ?? []).toEqual([]);
}

describe.each(backends())('console audit on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let a: ConsoleTenant;
  let b: ConsoleTenant;
  let deviceId: string;

  const page = async (query: string, who: TestSession = a.viewer) => {
    const res = await asUser(cloud.app, who, { method: 'GET', url: `/console/api/audit${query}` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as AuditPage;
    expectShape(AuditPageSchema, body);
    return body;
  };
  const everything = async () => t.db.query<{ id: number; actor: string; action: string; after: unknown }>('SELECT id, actor, action, after FROM console.audit_log ORDER BY id');

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
    a = await consoleTenant(t.db, 'Alpha');
    b = await consoleTenant(t.db, 'Beta');
    deviceId = (await addDevice(t.db, a.venueId, 'kiosk')).device_id;
    // Seven CLI entries, then two the console writes itself, and two of tenant B.
    for (let i = 1; i <= 7; i++) {
      await recordAudit(t.db, { channel: 'cli', actorId: null, actor: 'cli:Ops' }, {
        tenantId: a.tenantId, action: i % 2 ? 'guest.update' : 'guest.revoke', entity: 'guest', entityId: `g${i}`, venueId: a.venueId, before: { n: i - 1 }, after: { n: i },
      });
    }
    const pair = await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload: { kind: 'kiosk' } });
    expect(pair.statusCode).toBe(201);
    expect((await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/devices/${deviceId}/revoke` })).json()).toMatchObject({ revoked_keys: 1 });
    for (const i of [1, 2]) {
      await recordAudit(t.db, { channel: 'cli', actorId: null, actor: 'cli:beta' }, { tenantId: b.tenantId, action: 'guest.update', entity: 'guest', entityId: `b${i}` });
    }
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it("pages back through the tenant's entries newest first, by id, to the end", async () => {
    const seen: AuditEntry[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const body: AuditPage = await page(`?limit=4${before ? `&before=${before}` : ''}`);
      seen.push(...body.entries);
      before = body.next_before;
      pages++;
    } while (before !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(9);
    const ids = seen.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(new Set(ids).size).toBe(9);
    expect(seen.map((e) => e.action).slice(0, 2)).toEqual(['device.revoke', 'device.pair_code']);
    expect(seen[0]).toMatchObject({ channel: 'console', actor: a.owner.account.email, entity: 'device', entity_id: deviceId, venue_id: a.venueId });
    expect(seen.at(-1)).toMatchObject({ channel: 'cli', actor: 'cli:Ops', action: 'guest.update', entity_id: 'g1', before: { n: 0 }, after: { n: 1 } });
    expect(JSON.stringify(seen)).not.toContain('cli:beta');
    // B sees only B's.
    expect((await page('', b.planner)).entries.map((e) => e.entity_id)).toEqual(['b2', 'b1']);
  });

  it('filters exactly by action, entity, entity id, actor and channel', async () => {
    expect((await page('?action=guest.revoke')).entries.map((e) => e.entity_id)).toEqual(['g6', 'g4', 'g2']);
    expect((await page('?entity=device')).entries.map((e) => e.action)).toEqual(['device.revoke']);
    expect((await page('?entity_id=g3')).entries).toHaveLength(1);
    expect((await page(`?actor=${encodeURIComponent(a.owner.account.email.toUpperCase())}`)).entries).toHaveLength(2);
    expect((await page('?channel=cli&limit=2')).entries.map((e) => e.entity_id)).toEqual(['g7', 'g6']);
    expect((await page('?channel=cli&action=guest.update&entity_id=g6')).entries).toEqual([]);
    // Another tenant's entries do not turn up for any filter.
    expect((await page('?entity_id=b1')).entries).toEqual([]);
    expect((await page('?actor=cli:beta')).entries).toEqual([]);
  });

  it('refuses a bad query with a 400 that says which field', async () => {
    for (const query of ['?limit=0', '?limit=501', '?limit=ten', '?before=0', '?channel=fax', `?action=${'x'.repeat(65)}`]) {
      const res = await asUser(cloud.app, a.viewer, { method: 'GET', url: `/console/api/audit${query}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/limit|before|channel|action/) });
    }
    expect((await asUser(cloud.app, null, { method: 'GET', url: '/console/api/audit' })).statusCode).toBe(401);
  });

  it('has no route that changes or deletes an entry, for any role', async () => {
    const [newest] = (await page('?limit=1')).entries;
    const before = await everything();
    for (const who of [a.owner, a.planner, a.viewer, b.owner]) {
      for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'] as const) {
        for (const url of ['/console/api/audit', `/console/api/audit/${newest?.id}`]) {
          const res = await asUser(cloud.app, who, { method, url, payload: { actor: 'nobody', action: 'guest.nothing' } });
          expect([404, 405]).toContain(res.statusCode);
        }
      }
    }
    expect(await everything()).toEqual(before);
  });

  it("refuses UPDATE, DELETE and TRUNCATE of the log to the database's owner, and UPDATE and DELETE to the console's role", async () => {
    const before = await everything();
    await expect(t.db.query(`UPDATE console.audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM console.audit_log WHERE tenant_id = $1', [a.tenantId])).rejects.toThrow(/append-only/);
    await expect(t.db.exec('TRUNCATE console.audit_log')).rejects.toThrow(/append-only/);
    const session = { tenantId: a.tenantId, accountId: a.owner.account.id };
    await expect(scoped(t.db, session, (q) => q.query(`UPDATE console.audit_log SET actor = 'someone else' WHERE tenant_id = $1`, [a.tenantId]))).rejects.toThrow(/permission denied|append-only/);
    await expect(scoped(t.db, session, (q) => q.query('DELETE FROM console.audit_log WHERE tenant_id = $1', [a.tenantId]))).rejects.toThrow(/permission denied|append-only/);
    await expect(scoped(t.db, session, (q) => q.exec('TRUNCATE console.audit_log'))).rejects.toThrow(/permission denied|append-only/);
    expect(await everything()).toEqual(before);
    // It still takes new entries.
    await recordAudit(t.db, { channel: 'cli', actorId: null, actor: 'cli:Ops' }, { tenantId: a.tenantId, action: 'venue.rename', entity: 'venue', entityId: a.venueId });
    expect((await page('?limit=1')).entries[0]).toMatchObject({ action: 'venue.rename' });
  });
});
