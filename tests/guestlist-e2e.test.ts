// The guest list from the cloud to a door: import in the cloud, the agent pulls it, the kiosk pulls it from the agent;
// a revocation and an addition in the cloud reach the kiosk's decisions within a pull interval or two.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database as SqliteDb } from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { importGuests } from '../cloud-sync/guestlist/import-guests';
import { addOccasion, revokeGuest } from '../cloud-sync/guestlist/manage';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { parseAgentConfig } from '../edge-agent/config';
import { CheckinService } from '../kiosk/checkin-service';
import { openStore } from '../venue-store/open';
import { KioskSync } from '../kiosk/sync-runtime';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { waitFor } from './wait';

const PULL_MS = 250;

describe.each(backends())('guest list cloud → agent → kiosk on %s', (backend) => {
  // 100,000 guests on the real PostgreSQL; 2,000 on PGlite, whose single WASM connection imports far slower.
  const N = backend === 'postgres' ? 100_000 : 2_000;
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: RunningAgent;
  let sync: KioskSync;
  let kiosk: CheckinService;
  let kioskDb: SqliteDb;
  let venueId: string;
  let occasionId: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const cloudUrl = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
    const tenant = await addTenant(t.db, 'Gala Co');
    venueId = (await addVenue(t.db, tenant.id, 'Grand Hall')).id;
    const agentKey: IssuedKey = await addDevice(t.db, venueId, 'agent');
    const kioskDevice = await addDevice(t.db, venueId, 'kiosk');
    occasionId = (await addOccasion(t.db, { venueId, name: 'Gala', startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 6 * 3600_000).toISOString(), timezone: 'UTC', reentry: 'single' })).id;
    const rows = ['guest_id,name,party_size,barcode'];
    for (let i = 0; i < N; i++) rows.push(`g${i},Guest Number ${i},${1 + (i % 4)},TICKET-${i}`);
    const progress: number[] = [];
    const report = await importGuests(t.db, { venueId, occasionId, csv: rows.join('\n'), onProgress: (done) => progress.push(done) });
    expect(report).toMatchObject({ rows: N, created: N });
    expect(progress.at(-1)).toBe(N);

    const dir = mkdtempSync(join(tmpdir(), 'sp-gl-e2e-'));
    agent = await startAgent({
      config: parseAgentConfig({
        venue_id: venueId, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: 0 },
        cloud: { url: cloudUrl, key_id: agentKey.key_id, secret: agentKey.secret }, push_interval_ms: PULL_MS, pull_interval_ms: PULL_MS,
      }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
    const opened = openStore(join(dir, 'kiosk.sqlite'));
    kioskDb = opened.db;
    kiosk = new CheckinService(opened.db, { venue_id: venueId, device_id: kioskDevice.device_id, door_id: 'door-a' });
    const key = agent.store.issueKey(kioskDevice.device_id, 'kiosk');
    sync = new KioskSync(kiosk, { agent: { baseUrl: agent.url, keyId: key.key_id, secret: key.secret }, pullIntervalMs: PULL_MS, pushIntervalMs: PULL_MS });
    sync.start();
  }, 600_000);

  afterAll(async () => {
    await sync?.stop();
    kioskDb?.close();
    await agent?.close();
    await cloud?.app.close();
    await t?.drop();
  });

  it(`brings all ${N} guests to the agent and then the kiosk, and a revocation and an addition follow`, async () => {
    const count = (db: SqliteDb) => db.prepare('SELECT count(*) FROM guests').pluck().get() as number;
    await waitFor('the agent to hold the whole guest list', () => count(agent.store.db) === N, 300_000, 200);
    await waitFor('the kiosk to hold the whole guest list', () => count(kioskDb) === N, 300_000, 200);
    expect(kiosk.scan('TICKET-1', { kind: 'barcode' }).status).toBe('ok');

    const t0 = Date.now();
    await revokeGuest(t.db, 'g2');
    await importGuests(t.db, { venueId, occasionId, csv: `guest_id,name,party_size,barcode\ng-new,Late Addition,1,TICKET-NEW` });
    const written = Date.now();
    await waitFor('the kiosk to learn of the revocation and the addition', () => {
      const known = kiosk.search('late addition').length > 0;
      const revoked = kiosk.search('guest number 2').some((h) => h.guest_id === 'g2' && h.status === 'revoked');
      return known && revoked;
    }, 20_000, 20);
    const elapsed = Date.now() - t0;
    expect(kiosk.scan('TICKET-2', { kind: 'barcode' }).status).toBe('revoked');
    expect(kiosk.scan('TICKET-NEW', { kind: 'barcode' }).status).toBe('ok');
    console.log(`[guestlist-e2e ${backend}] ${N} guests; revocation + addition written in the cloud in ${written - t0} ms, then at the kiosk ${elapsed - (written - t0)} ms later (pull interval ${PULL_MS} ms per hop)`);
  }, 600_000);
});
