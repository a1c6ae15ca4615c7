// SEATPILOT_TRUST_PROXY behind a load balancer: the pairing routes' rate limit keys by each client's own address
// (X-Forwarded-For from a trusted hop), and without the setting the header is ignored, so no client picks its bucket.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { parseTrustProxy } from '../protocol/trust-proxy';
import { runCli, startCli } from './cli-run';
import { freshDatabase, type TestDatabase } from './pg-backends';
import type { ChildProcess } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'sp-trust-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One pairing attempt with a code nobody issued, as a client behind the balancer at `client`: 404 until rate-limited. */
const tryPair = async (base: string, path: string, client: string, forwardedFor?: string) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ?? client ? { 'x-forwarded-for': forwardedFor ?? client } : {}) },
    body: JSON.stringify({ code: 'abcd-efgh-jkmn' }),
  });
  await res.arrayBuffer();
  return res.status;
};

describe('SEATPILOT_TRUST_PROXY values', () => {
  it('takes a hop count or a list of addresses and CIDR ranges, and refuses anything else naming the variable', () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy('')).toBeUndefined();
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    for (const bad of ['0', '11', 'true', '10.0.0.0/33', 'fd00::/129', '10.0.0/8', 'lb.example.com', '10.0.0.1,,10.0.0.2', '1.5']) {
      expect(() => parseTrustProxy(bad), bad).toThrow(/^SEATPILOT_TRUST_PROXY must be a hop count/);
    }
  });
});

describe('the agent behind a reverse proxy (seatpilot agent, POST /pair, 10 attempts per address)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  const startAgent = async (name: string, env: Record<string, string>) => {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify({ venue_id: 'ven_tp', device_id: 'dev_tp', listen: { host: '127.0.0.1', port: 0 }, database: join(dir, `${name}.sqlite`) }));
    const started = await startCli(['agent', '--config', config], /listening on (http:\/\/127\.0\.0\.1:\d+)/, env);
    child = started.child;
    return started.match[1] as string;
  };

  it('with a hop count, two clients behind the proxy get buckets of their own', async () => {
    const base = await startAgent('hops', { SEATPILOT_TRUST_PROXY: '1' });
    for (let i = 0; i < 10; i++) expect(await tryPair(base, '/pair', '203.0.113.10')).toBe(404);
    expect(await tryPair(base, '/pair', '203.0.113.10')).toBe(429);
    expect(await tryPair(base, '/pair', '203.0.113.20')).toBe(404);
    // The proxy appends the address it saw: what the client wrote before it is not believed.
    expect(await tryPair(base, '/pair', '', '198.51.100.1, 203.0.113.10')).toBe(429);
  });

  it('without the setting, X-Forwarded-For is ignored: a client cannot leave its bucket by naming another address', async () => {
    const base = await startAgent('none', {});
    for (let i = 0; i < 10; i++) expect(await tryPair(base, '/pair', `203.0.113.${i + 1}`)).toBe(404);
    expect(await tryPair(base, '/pair', '203.0.113.99')).toBe(429);
  });

  it('a bad value stops the agent with a message naming the variable', async () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ venue_id: 'ven_tp', device_id: 'dev_tp', listen: { host: '127.0.0.1', port: 0 }, database: join(dir, 'bad.sqlite') }));
    const r = await runCli(['agent', '--config', config], { SEATPILOT_TRUST_PROXY: 'everyone' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('seatpilot agent: SEATPILOT_TRUST_PROXY must be a hop count from 1 to 10, or a comma-separated list');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});

describe('the cloud behind a load balancer (POST /pair)', () => {
  let t: TestDatabase;
  const apps: CloudApp[] = [];
  beforeAll(async () => {
    t = await freshDatabase('pglite');
  });
  afterAll(async () => {
    for (const a of apps) await a.app.close();
    await t?.drop();
  });
  const listen = async (trustProxy?: string[]) => {
    const cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, pairRateLimit: { perSecond: 0.001, burst: 3 }, ...(trustProxy ? { trustProxy } : {}) });
    apps.push(cloud);
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
  };

  it('trusting the balancer by address, each client is limited on its own', async () => {
    const base = await listen(['127.0.0.1/32']);
    for (let i = 0; i < 3; i++) expect(await tryPair(base, '/pair', '192.0.2.1')).toBe(404);
    expect(await tryPair(base, '/pair', '192.0.2.1')).toBe(429);
    expect(await tryPair(base, '/pair', '192.0.2.2')).toBe(404);
  });

  it('trusting nobody, every client behind the balancer shares the one address it sees', async () => {
    const base = await listen();
    for (let i = 0; i < 3; i++) expect(await tryPair(base, '/pair', `192.0.2.${i + 10}`)).toBe(404);
    expect(await tryPair(base, '/pair', '192.0.2.50')).toBe(429);
  });

  it('a bad value stops `seatpilot cloud` before it opens the database', async () => {
    const r = await runCli(['cloud', '--port', '0', '--data', join(dir, 'cloud-data')], { SEATPILOT_TRUST_PROXY: '10.0.0.0/99', DATABASE_URL: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('seatpilot cloud: SEATPILOT_TRUST_PROXY must be a hop count from 1 to 10, or a comma-separated list of proxy addresses or CIDR ranges such as 10.0.0.0/8; "10.0.0.0/99" is neither');
  });
});
