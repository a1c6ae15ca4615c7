// Fault test: two kiosks make 10,000 check-ins while the cloud is stopped and restarted, the agent is SIGKILLed
// mid-push and restarted, and a kiosk is SIGKILLed mid-push and restarted. Every check-in reaches the cloud once.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, addTenant, addVenue } from '../cloud-sync/admin';
import { openPglite, openPostgres, type Db } from '../cloud-sync/db';
import { openStore } from '../venue-store/open';
import { AgentStore } from '../edge-agent/store';
import { migratePostgres } from '../sql/migrate';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { freePort, runTs, seatpilot, type Proc } from './procs';
import { waitFor } from './wait';

const PER_KIOSK = 5_000;

describe.each(backends())('fault test with the cloud on %s', (backend) => {
  const procs: Proc[] = [];
  let pgTest: TestDatabase | undefined;
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await pgTest?.drop();
  });

  it('delivers every check-in exactly once through cloud, agent and kiosk crashes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fault-'));
    const cloudData = join(dir, 'cloud');
    let cloudEnv: Record<string, string | undefined>;
    let openCloud: () => Promise<Db>;
    if (backend === 'postgres') {
      pgTest = await freshDatabase('postgres');
      cloudEnv = { DATABASE_URL: pgTest.url };
      openCloud = async () => openPostgres(pgTest!.url!);
    } else {
      cloudEnv = { DATABASE_URL: undefined };
      openCloud = () => openPglite(cloudData);
    }
    // Register the venue's devices in the cloud, then let the service have the database.
    let db = await openCloud();
    await migratePostgres(db);
    const tenant = await addTenant(db, 'Fault Co');
    const venue = await addVenue(db, tenant.id, 'Hall');
    const agentKey = await addDevice(db, venue.id, 'agent');
    const kioskIds = [(await addDevice(db, venue.id, 'kiosk')).device_id, (await addDevice(db, venue.id, 'kiosk')).device_id];
    await db.close();

    const cloudPort = await freePort();
    const agentPort = await freePort();
    const startCloud = async () => {
      const p = seatpilot(['cloud', '--port', String(cloudPort), '--data', cloudData], cloudEnv);
      procs.push(p);
      await p.waitFor(/listening on/);
      return p;
    };
    const agentConfig = join(dir, 'agent.json');
    writeFileSync(agentConfig, JSON.stringify({
      venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: agentPort }, database: 'agent.sqlite',
      cloud: { url: `http://127.0.0.1:${cloudPort}`, key_id: agentKey.key_id, secret: agentKey.secret },
      push_interval_ms: 200, pull_interval_ms: 60_000, heartbeat_interval_s: 3600,
    }));
    const { db: agentDb } = openStore(join(dir, 'agent.sqlite'));
    const agentStore = new AgentStore(agentDb, venue.id);
    const keys = kioskIds.map((id) => agentStore.issueKey(id, 'kiosk'));
    agentDb.close();
    const startAgentProc = async () => {
      const p = seatpilot(['agent', '--config', agentConfig]);
      procs.push(p);
      await p.waitFor(/listening on/);
      return p;
    };
    const startKiosk = (i: number) => {
      const p = runTs('tests/fixtures/kiosk-worker.ts', [
        '--db', join(dir, `kiosk-${i}.sqlite`), '--venue', venue.id, '--device', kioskIds[i]!, '--door', `door-${i}`,
        '--agent', `http://127.0.0.1:${agentPort}`, '--key', keys[i]!.key_id, '--secret', keys[i]!.secret,
        '--from', String(i * PER_KIOSK), '--count', String(PER_KIOSK), '--rate', '1500',
      ]);
      procs.push(p);
      return p;
    };

    let cloud = await startCloud();
    let agent = await startAgentProc();
    const kiosk = [startKiosk(0), startKiosk(1)];
    await kiosk[0]!.waitFor(/progress 1000\b/);

    // The cloud goes away for a while, then comes back.
    expect(await cloud.kill('SIGTERM')).toBe(0);
    await kiosk[1]!.waitFor(/progress 2000\b/);
    cloud = await startCloud();

    // The agent dies mid-push.
    await kiosk[0]!.waitFor(/progress 2500\b/);
    await agent.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    agent = await startAgentProc();

    // A kiosk dies mid-push and is started again on its file.
    await kiosk[0]!.waitFor(/progress 3500\b/);
    await kiosk[0]!.kill('SIGKILL');
    kiosk[0] = startKiosk(0);

    for (const k of kiosk) await k.waitFor(/drained/, 120_000);
    const kioskEventIds = [0, 1].flatMap((i) => {
      const k = new Database(join(dir, `kiosk-${i}.sqlite`), { readonly: true });
      try {
        // Check-in rows carry their events (venue-store/migrations/0006): the view holds both kinds of queued event.
        expect(k.prepare("SELECT count(*) FROM outbox_events WHERE state != 'sent'").pluck().get()).toBe(0);
        expect(k.prepare("SELECT count(*) FROM checkins WHERE source = 'local' AND push_state IS NOT 'sent'").pluck().get()).toBe(0);
        return k.prepare("SELECT event_id FROM checkins WHERE source = 'local' AND outcome = 'admitted'").pluck().all() as string[];
      } finally {
        k.close();
      }
    });
    expect(kioskEventIds).toHaveLength(2 * PER_KIOSK);
    expect(new Set(kioskEventIds).size).toBe(2 * PER_KIOSK);

    // The agent's outbox drains to the cloud.
    await waitFor('the agent outbox to drain', () => {
      const a = new Database(join(dir, 'agent.sqlite'), { readonly: true });
      try {
        return a.prepare("SELECT count(*) FROM outbox_events WHERE state != 'sent'").pluck().get() === 0;
      } finally {
        a.close();
      }
    }, 60_000, 200);
    await cloud.kill('SIGTERM');
    await agent.kill('SIGTERM');

    db = await openCloud();
    try {
      const rows = await db.query<{ event_id: string }>("SELECT event_id::text FROM telemetry.events_raw WHERE type = 'checkin.succeeded'");
      const cloudIds = rows.map((r) => r.event_id);
      expect(cloudIds).toHaveLength(2 * PER_KIOSK);
      expect(new Set(cloudIds)).toEqual(new Set(kioskEventIds.map((id) => id.toLowerCase())));
      expect(await db.query('SELECT count(*)::int AS n FROM telemetry.events_dlq')).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  }, 240_000);
});
