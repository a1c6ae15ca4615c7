// The runtime's desk wiring: the hub pulls from the real cloud naming checkin_reverts and guest_desk (the desk's
// fields reach the hub, never its doors), its VenueDesk serves the signed routes with the config's steward limit, and
// a bad desk config stops the start naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildApp, type CloudApp } from '../../cloud-sync/app';
import { addDevice, addTenant, addVenue } from '../../cloud-sync/admin';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { waitFor } from '../../tests/wait';
import { AgentConfigError, parseAgentConfig } from '../config';
import { startAgent, type RunningAgent } from '../runtime';
import { DeskError } from './venue-desk';

describe.each(backends())('the hub desk in the runtime, with the cloud on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-desk-runtime-'));
  let t: TestDatabase;
  let cloud: CloudApp;
  let agent: RunningAgent;
  const syncUrls: string[] = [];

  beforeAll(async () => {
    t = await freshDatabase(backend);
    const tenant = await addTenant(t.db, 'Tenant');
    const venue = await addVenue(t.db, tenant.id, 'Hall');
    const key = await addDevice(t.db, venue.id, 'agent');
    cloud = await buildApp({ db: t.db });
    cloud.app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/v1/sync')) syncUrls.push(request.url);
    });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (cloud.app.server.address() as { port: number }).port;
    agent = await startAgent({
      config: parseAgentConfig({
        venue_id: venue.id, device_id: key.device_id, listen: { host: '127.0.0.1', port: 0 },
        cloud: { url: `http://127.0.0.1:${port}`, key_id: key.key_id, secret: key.secret },
        push_interval_ms: 200, pull_interval_ms: 100, desk: { steward_walk_in_max: 2 },
      }),
      databaseFile: join(dir, 'agent.sqlite'),
    });
  });
  afterAll(async () => {
    await agent?.close();
    await cloud?.app.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls naming checkin_reverts and guest_desk, and the cloud answers the page', async () => {
    const url = await waitFor('a pull from the hub', () => syncUrls.find((u) => u.includes('features=')));
    expect(new URL(url, 'http://x').searchParams.get('features')).toBe('checkin_reverts,guest_desk');
    await waitFor('a successful pull', () => agent.pull?.status.lastSuccessAt);
  });

  it("exposes the runtime's desk with the config's steward limit", () => {
    expect(() => agent.desk.addWalkIn({ request_id: randomUUID(), name: 'Three', party_size: 3, table_id: null }, { device_id: 'k', role: 'steward', door_id: 'd' })).toThrow(DeskError);
    try {
      agent.desk.addWalkIn({ request_id: randomUUID(), name: 'Three', party_size: 3, table_id: null }, { device_id: 'k', role: 'steward', door_id: 'd' });
    } catch (e) {
      expect((e as DeskError).code).toBe('supervisor_required');
    }
  });

  it('a bad desk config names the field', () => {
    expect(() => parseAgentConfig({ venue_id: 'v', device_id: 'd', desk: { steward_walk_in_max: -1 } })).toThrow(AgentConfigError);
    expect(() => parseAgentConfig({ venue_id: 'v', device_id: 'd', desk: { steward_walk_in_max: -1 } })).toThrow(/steward_walk_in_max/);
    expect(() => parseAgentConfig({ venue_id: 'v', device_id: 'd', desk: { walk_in_limit: 3 } })).toThrow(AgentConfigError);
  });
});
