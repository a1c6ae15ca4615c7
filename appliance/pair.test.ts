// Pairing as venue IT does it: a code from the cloud (PGlite and Postgres) or from the venue hub, exchanged by the box over
// real HTTP; the key lands in the config folder with mode 0600 and signs requests that the issuer accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addTenant, addVenue } from '../cloud-sync/admin';
import { issuePairCode } from '../cloud-sync/pairing';
import { parseAgentConfig } from '../edge-agent/config';
import { AgentPairing } from '../edge-agent/pairing';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { SignedHttp } from '../protocol/http-client';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { batchOf, checkinEvent } from '../tests/signed';
import { pairBox, PairingFailed } from './pair';
import { closedPort } from '../tests/fixtures/test-servers';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `sp-pair-${p}-`));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** A signed batch with one check-in for the paired device, sent with the written key. */
async function sendWithKey(url: string, cred: { key_id: string; secret: string }, device: { venue_id: string; device_id: string }) {
  const http = new SignedHttp({ baseUrl: url, keyId: cred.key_id, secret: cred.secret });
  return http.request('POST', '/v1/events', batchOf([checkinEvent(device)]));
}

describe.each(backends())('pairing with the cloud on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let url: string;
  let venueA: string;
  let venueB: string;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, pairRateLimit: { perSecond: 100, burst: 100 } });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
    const tenant = await addTenant(t.db, 'Gala Co');
    venueA = (await addVenue(t.db, tenant.id, 'Grand Hall')).id;
    venueB = (await addVenue(t.db, tenant.id, 'Small Hall')).id;
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('pairs an agent once: agent.json gets the identity and key with mode 0600, and the key signs accepted requests', async () => {
    const issued = await issuePairCode(t.db, venueA, 'agent');
    expect(issued.code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const stored = await t.db.query<{ code_hash: string }>('SELECT code_hash FROM seatpilot.pairing_codes');
    expect(JSON.stringify(stored)).not.toContain(issued.code.replace(/-/g, ''));

    const dir = tmp('agent');
    const defaults = tmp('defaults');
    writeFileSync(join(defaults, 'agent.json'), JSON.stringify({ listen: { host: '0.0.0.0', port: 8600 }, database: '/var/lib/seatpilot/agent.sqlite' }));
    // Typed in capitals with spaces: still the same code.
    const out = await pairBox({ url: `${url}/`, issuer: 'cloud', code: ` ${issued.code.toUpperCase()} `, configDir: dir, defaultsDir: defaults });
    expect(out).toMatchObject({ kind: 'agent', venue_id: venueA, file: join(dir, 'agent.json') });
    expect(statSync(out.file).mode & 0o777).toBe(0o600);
    const config = parseAgentConfig(json(out.file));
    expect(config).toMatchObject({ venue_id: venueA, device_id: out.device_id, listen: { port: 8600 }, database: '/var/lib/seatpilot/agent.sqlite', cloud: { url, key_id: out.key_id } });

    const ok = await sendWithKey(url, config.cloud!, { venue_id: venueA, device_id: config.device_id });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: 1 });
    const device = await t.db.query<{ kind: string; venue_id: string }>('SELECT kind, venue_id FROM seatpilot.devices WHERE id = $1', [out.device_id]);
    expect(device).toEqual([{ kind: 'agent', venue_id: venueA }]);

    // Single use: the same code again is refused, and no second device appears.
    await expect(pairBox({ url, issuer: 'cloud', code: issued.code, configDir: tmp('again') })).rejects.toThrow(/already used/);
    const devices = await t.db.query('SELECT id FROM seatpilot.devices');
    expect(devices).toHaveLength(1);
  });

  it('pairs a kiosk with the cloud as its hub: kiosk.json keeps its door and gets venue, device and key', async () => {
    const dir = tmp('kiosk');
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({ database: 'kiosk.sqlite', kiosk: { venue_id: venueA, device_id: 'unpaired', door_id: 'north' } }));
    const issued = await issuePairCode(t.db, venueA, 'kiosk', { name: 'North door' });
    const out = await pairBox({ url, issuer: 'cloud', code: issued.code, configDir: dir });
    const written = json(out.file) as { kiosk: Record<string, string>; hub: Record<string, string> };
    expect(written.kiosk).toEqual({ venue_id: venueA, device_id: out.device_id, door_id: 'north' });
    expect(written.hub).toMatchObject({ base_url: url, key_id: out.key_id });
    expect(statSync(out.file).mode & 0o777).toBe(0o600);
    const res = await sendWithKey(url, written.hub as { key_id: string; secret: string }, { venue_id: venueA, device_id: out.device_id });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong code, an expired code and a code for another venue, each with a clear message', async () => {
    await expect(pairBox({ url, issuer: 'cloud', code: 'aaaa-bbbb-cccc', configDir: tmp('wrong') })).rejects.toThrow(/pairing refused: no such pairing code; check it for typos/);

    const old = await issuePairCode(t.db, venueA, 'agent', { ttlMinutes: 30, now: new Date(Date.now() - 3600_000) });
    await expect(pairBox({ url, issuer: 'cloud', code: old.code, configDir: tmp('expired') })).rejects.toThrow(/pairing refused: this pairing code expired at .*ask for a new one/);

    // A box already set up for venue A is handed a code for venue B: refused, and the code stays usable where it belongs.
    const dirA = tmp('venue-a');
    writeFileSync(join(dirA, 'agent.json'), JSON.stringify({ venue_id: venueA, device_id: 'dev_x' }));
    const forB = await issuePairCode(t.db, venueB, 'agent');
    await expect(pairBox({ url, issuer: 'cloud', code: forB.code, configDir: dirA })).rejects.toThrow(/pairing refused: this pairing code is for another venue/);
    expect(json(join(dirA, 'agent.json'))).toEqual({ venue_id: venueA, device_id: 'dev_x' });
    const inB = await pairBox({ url, issuer: 'cloud', code: forB.code, configDir: tmp('venue-b') });
    expect(inB.venue_id).toBe(venueB);

    // Status codes and bodies as a third-party client sees them.
    const raw = await fetch(`${url}/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: forB.code }) });
    expect(raw.status).toBe(410);
    expect(await raw.json()).toMatchObject({ error: 'code_used' });
    const bad = await fetch(`${url}/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code": 5}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('/code') });
  });

  it('checks the config folder before spending the code', async () => {
    const issued = await issuePairCode(t.db, venueA, 'agent');
    const notADir = join(tmp('file'), 'etc-seatpilot');
    writeFileSync(notADir, 'a file where the folder should be');
    await expect(pairBox({ url, issuer: 'cloud', code: issued.code, configDir: notADir })).rejects.toThrow(/cannot write to .*etc-seatpilot \((EEXIST|ENOTDIR)\); run it as root/);
    const out = await pairBox({ url, issuer: 'cloud', code: issued.code, configDir: tmp('good') });
    expect(out.kind).toBe('agent');
  });

  it('consumes a code once when two boxes race with it', async () => {
    const issued = await issuePairCode(t.db, venueA, 'kiosk');
    const results = await Promise.allSettled([1, 2, 3].map((i) => pairBox({ url, issuer: 'cloud', code: issued.code, configDir: tmp(`race${i}`) })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) expect(String((r as PromiseRejectedResult).reason)).toMatch(/already used/);
  });

  it('rate-limits guessing per address with 429 and Retry-After', async () => {
    const limited = await buildApp({ db: t.db, pairRateLimit: { perSecond: 0.01, burst: 2 } });
    try {
      const tryOnce = () => limited.app.inject({ method: 'POST', url: '/pair', headers: { 'content-type': 'application/json' }, payload: { code: 'zzzz-zzzz-zzzz' } });
      expect((await tryOnce()).statusCode).toBe(404);
      expect((await tryOnce()).statusCode).toBe(404);
      const third = await tryOnce();
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.json()).toMatchObject({ error: 'rate_limited' });
    } finally {
      await limited.app.close();
    }
  });
});

describe('pairing a door kiosk with the venue hub', () => {
  let agent: RunningAgent;
  let pairing: AgentPairing;
  const venue = 'ven_hub_test';

  beforeAll(async () => {
    const dir = tmp('hub');
    agent = await startAgent({ config: { venue_id: venue, device_id: 'dev_agent', listen: { host: '127.0.0.1', port: 0 } }, databaseFile: join(dir, 'agent.sqlite') });
    pairing = new AgentPairing(agent.store, venue);
  });
  afterAll(async () => agent?.close());

  it('gives the kiosk the device id recorded with the code and a key the hub accepts', async () => {
    const issued = pairing.issue('dev_kiosk_north', 'kiosk');
    const dir = tmp('door');
    const out = await pairBox({ url: agent.url, issuer: 'agent', code: issued.code, configDir: dir });
    expect(out).toMatchObject({ kind: 'kiosk', device_id: 'dev_kiosk_north', venue_id: venue });
    expect(statSync(out.file).mode & 0o777).toBe(0o600);
    const written = json(out.file) as { kiosk: Record<string, string>; hub: { base_url: string; key_id: string; secret: string } };
    expect(written.kiosk).toMatchObject({ venue_id: venue, device_id: 'dev_kiosk_north' });
    expect(written.hub.base_url).toBe(agent.url);
    const res = await sendWithKey(agent.url, written.hub, { venue_id: venue, device_id: 'dev_kiosk_north' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1 });

    await expect(pairBox({ url: agent.url, issuer: 'agent', code: issued.code, configDir: tmp('door2') })).rejects.toThrow(/already used/);
  });

  it('refuses expired, unknown and other-venue codes', async () => {
    const old = pairing.issue('dev_k2', 'kiosk', { ttlMinutes: 1, nowMs: Date.now() - 120_000 });
    await expect(pairBox({ url: agent.url, issuer: 'agent', code: old.code, configDir: tmp('old') })).rejects.toThrow(/expired/);
    await expect(pairBox({ url: agent.url, issuer: 'agent', code: 'abcd-efgh-jkmn', configDir: tmp('unknown') })).rejects.toThrow(/no such pairing code/);
    const dir = tmp('elsewhere');
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({ database: 'k.sqlite', kiosk: { venue_id: 'ven_other', device_id: 'd', door_id: 'x' } }));
    const fresh = pairing.issue('dev_k3', 'kiosk');
    await expect(pairBox({ url: agent.url, issuer: 'agent', code: fresh.code, configDir: dir })).rejects.toThrow(/another venue/);
  });

  it('says so when the hub cannot be reached, and when the URL is not one', async () => {
    const down = await closedPort();
    await expect(pairBox({ url: `http://127.0.0.1:${down}`, issuer: 'agent', code: 'abcd-efgh-jkmn', configDir: tmp('down') })).rejects.toThrow(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${down} \\(ECONNREFUSED\\)`));
    await expect(pairBox({ url: 'hub.local', issuer: 'agent', code: 'x', configDir: tmp('nourl') })).rejects.toThrow(PairingFailed);
  });
});
