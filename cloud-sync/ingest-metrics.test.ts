// The cloud's ingest counters carry the caller's tenant: read off a running cloud's /metrics after signed batches over
// HTTP, on PGlite and the real PostgreSQL; and the promtool rule tests feed exactly these series (plus scrape labels).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type CloudApp } from './app';
import { addDevice, addTenant, addVenue, type IssuedKey } from './admin';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent } from '../tests/signed';
import { SignedHttp } from '../protocol/http-client';

const COUNTERS = ['seatpilot_ingest_accepted_total', 'seatpilot_ingest_rejected_total'];

/** The samples of the two counters, as `name{labels} value` lines in the exposition. */
function counterSamples(text: string): string[] {
  return text.split('\n').filter((l) => COUNTERS.some((c) => l.startsWith(`${c}{`) || l.startsWith(`${c} `))).sort();
}

const labelNames = (series: string) => [...(/\{(.*)\}/.exec(series)?.[1] ?? '').matchAll(/(\w+)="/g)].map((m) => m[1]).sort();

describe.each(backends())('cloud ingest counters per tenant on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let base: string;
  let a: IssuedKey;
  let b: IssuedKey;
  const post = async (key: IssuedKey, events: unknown[]) => {
    const res = await new SignedHttp({ baseUrl: base, keyId: key.key_id, secret: key.secret }).request('POST', '/v1/events', batchOf(events));
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
    base = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    a = await addDevice(t.db, (await addVenue(t.db, (await addTenant(t.db, 'A')).id, 'Hall A')).id, 'kiosk');
    b = await addDevice(t.db, (await addVenue(t.db, (await addTenant(t.db, 'B')).id, 'Hall B')).id, 'kiosk');
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('counts accepted and rejected events under the tenant of the key that sent them, one series per tenant and reason', async () => {
    const broken = (key: IssuedKey) => ({ ...checkinEvent(key), payload: {} });
    expect(await post(a, [checkinEvent(a), checkinEvent(a), broken(a)])).toMatchObject({ accepted: 2, rejected: [{ reason: 'invalid_payload' }] });
    expect(await post(a, [broken(a), { ...checkinEvent(a), type: 'checkin.teleported' }])).toMatchObject({ accepted: 0 });
    // Every event of tenant B is refused: its accepted series still exists, at 0, so its reject ratio is defined.
    expect(await post(b, [checkinEvent(a)])).toMatchObject({ accepted: 0, rejected: [{ reason: 'venue_mismatch' }] });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(counterSamples(text)).toEqual([
      `seatpilot_ingest_accepted_total{tenant="${a.tenant_id}"} 2`,
      `seatpilot_ingest_accepted_total{tenant="${b.tenant_id}"} 0`,
      `seatpilot_ingest_rejected_total{tenant="${a.tenant_id}",reason="invalid_payload"} 2`,
      `seatpilot_ingest_rejected_total{tenant="${a.tenant_id}",reason="unknown_type"} 1`,
      `seatpilot_ingest_rejected_total{tenant="${b.tenant_id}",reason="venue_mismatch"} 1`,
    ].sort());
  });

  it('the promtool rule tests feed the cloud job exactly these label sets, with tenant ids of the form the keys carry', () => {
    const tests = readFileSync(join(import.meta.dirname, '..', 'build', 'observability', 'seatpilot.rules.test.yml'), 'utf8');
    const fed = [...tests.matchAll(/series: '((seatpilot_ingest_(?:accepted|rejected)_total)\{[^']*job="seatpilot-cloud"[^']*\})'/g)];
    expect(fed.length).toBeGreaterThanOrEqual(4);
    for (const [, series, name] of fed) {
      const scrape = ['instance', 'job'];
      expect(labelNames(series as string), series).toEqual([...scrape, 'tenant', ...(name === 'seatpilot_ingest_rejected_total' ? ['reason'] : [])].sort());
      expect(/tenant="([^"]+)"/.exec(series as string)?.[1], series).toMatch(new RegExp(`^${a.tenant_id.replace(/_.*/, '')}_[a-z2-9]{16}$`));
    }
  });
});
