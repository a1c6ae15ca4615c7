// The TLS front (build/nginx/seatpilot-cloud.conf) run by Debian's nginx, ports and certificate paths rewritten, with a
// self-signed certificate made here (tests/nginx-site.ts, shared with bench:fleet), in front of two real `seatpilot cloud
// serve` replicas on one Postgres. Signed event batches go through TLS; one replica is killed (SIGKILL, by PID)
// mid-load; every event is stored exactly once. Also:
// HTTP/2, /metrics and /admin closed, the 1 MiB limit, real client addresses for the pairing rate limit, and what a
// retry of an already-used signed request really gets (401 replayed_nonce; the client's fresh re-send stores nothing twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest, Agent } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { openPostgres, type Db } from '../cloud-sync/db';
import { SecretBox } from '../node-kit/secret-box';
import { signRequest, type SignedHeaders } from '../core/signing/signing';
import type { SeatPilotEvent } from '../core/contract/contract';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { exited, startCli } from './cli-run';
import { batchOf, checkinEvent } from './signed';
import { startNginxFront, type NginxFront } from './nginx-site';
import { requireTool } from './tools';
import { waitFor } from './wait';

const onPostgres = backends().includes('postgres');
const nginx = requireTool('nginx', 'nginx');
const openssl = requireTool('openssl', 'openssl');
const ADMIN_TOKEN = 'front-admin-token-0123456789';
const METRICS_TOKEN = 'front-metrics-token-0123456789';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request to the front, trusting only the test's certificate; `from` picks the client's loopback address. */
function tls(ca: string, agent: Agent, port: number, method: string, path: string, o: { headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca, agent, headers: o.headers, ...(o.from ? { localAddress: o.from } : {}), timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

const signed = (key: IssuedKey, body: string): Promise<SignedHeaders> =>
  signRequest({ keyId: key.key_id, secret: key.secret, method: 'POST', pathWithQuery: '/v1/events', body });

describe.skipIf(!onPostgres || !nginx || !openssl)('nginx in front of two cloud replicas on one Postgres', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-nginx-'));
  const keyFile = join(dir, 'seatpilot-secrets.key');
  let ca: string;
  let t: TestDatabase;
  let db: Db;
  let front: ChildProcess | undefined;
  let nginxFront: NginxFront | undefined;
  let tlsPort: number;
  let httpPort: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const replicas: { child: ChildProcess; base: string }[] = [];
  const doors: IssuedKey[] = [];
  const go = (method: string, path: string, o?: Parameters<typeof tls>[5]) => tls(ca, agent, tlsPort, method, path, o);

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    db = openPostgres(t.url!, { secrets: SecretBox.load(keyFile) });
    const tenant = await addTenant(db, 'Front');
    const venue = await addVenue(db, tenant.id, 'Arena');
    for (let i = 0; i < 4; i++) doors.push(await addDevice(db, venue.id, 'kiosk'));

    // Two replicas as the systemd units run them: one runs the background passes, the other not.
    for (const background of ['on', 'off']) {
      const started = await startCli(['cloud', 'serve', '--port', '0', '--data', join(dir, 'data')], /background passes (on|off)/, {
        DATABASE_URL: t.url, SEATPILOT_SECRET_KEY_FILE: keyFile, SEATPILOT_TRUST_PROXY: '127.0.0.1/32', SEATPILOT_BACKGROUND: background,
        SEATPILOT_ADMIN_TOKEN: ADMIN_TOKEN, SEATPILOT_METRICS_TOKEN: METRICS_TOKEN, LOG_LEVEL: 'warn', NOTIFY_SOCKET: undefined,
      });
      replicas.push({ child: started.child, base: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]! });
    }

    // The shipped file as it is, but for what differs on a test box: ports, certificate paths, no IPv6 listener.
    nginxFront = await startNginxFront({ nginx: nginx!, openssl: openssl!, dir, upstreams: [replicas[0]!.base, replicas[1]!.base] });
    front = nginxFront.child;
    ca = nginxFront.ca;
    tlsPort = nginxFront.tlsPort;
    httpPort = nginxFront.httpPort;
    await waitFor('nginx answering on TLS', () => go('GET', '/health').then((r) => r.status === 200, () => false), 15_000, 100);
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    if (front?.pid && front.exitCode === null) {
      front.kill('SIGTERM');
      await exited(front);
    }
    for (const r of replicas) r.child.kill('SIGKILL');
    await db?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks HTTP/2 over TLS, and plain HTTP only redirects', async () => {
    const session = http2Connect(`https://127.0.0.1:${tlsPort}`, { ca });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':path': '/health' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
        req.end();
      });
      expect(status).toBe(200);
      expect(session.alpnProtocol).toBe('h2');
    } finally {
      session.close();
    }
    const plain = await fetch(`http://127.0.0.1:${httpPort}/v1/events`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\//);
  });

  it('keeps /metrics and /admin closed from outside, though the replicas serve them', async () => {
    expect((await go('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(403);
    expect((await go('GET', '/admin/fleet', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(403);
    expect((await go('GET', '/admin', {})).status).toBe(403);
    const direct = replicas[0]!.base;
    expect((await fetch(`${direct}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${direct}/admin/fleet`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413 and the cloud\'s JSON code', async () => {
    const key = doors[0]!;
    const big = batchOf([checkinEvent(key, { payload: { pad: 'x'.repeat(1024 * 1024) } })]);
    const r = await go('POST', '/v1/events', { headers: { ...(await signed(key, big)), 'content-type': 'application/json' }, body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'payload_too_large' });
  });

  it('passes each client\'s own address to one replica: X-Forwarded-For from a client is replaced, two clients have two buckets', async () => {
    const pair = (from: string, forged: string) => go('POST', '/pair', { from, headers: { 'content-type': 'application/json', 'x-forwarded-for': forged }, body: JSON.stringify({ code: 'abcd-efgh-jkmn' }) });
    // Ten attempts from one client, each naming another address: one bucket all the same (10, then one per 5 s), on
    // the one replica its address hashes to (with round robin, each replica's bucket would let it try 10 more).
    for (let i = 0; i < 10; i++) expect((await pair('127.0.0.2', `203.0.113.${i + 1}`)).status).toBe(404);
    expect((await pair('127.0.0.2', '203.0.113.99')).status).toBe(429);
    expect((await pair('127.0.0.3', '127.0.0.2')).status).toBe(404);
  });

  it('a signed request re-sent as it was (as nginx retries it) is refused as replayed; re-signed, it stores nothing twice', async () => {
    const key = doors[1]!;
    const events = Array.from({ length: 20 }, () => checkinEvent(key));
    const body = batchOf(events);
    const headers = { ...(await signed(key, body)), 'content-type': 'application/json' };
    // Replica A stores it (and the nonce) and, say, dies before its answer reaches nginx, which sends the same bytes on.
    const first = await fetch(`${replicas[0]!.base}/v1/events`, { method: 'POST', headers, body });
    expect(await first.json()).toMatchObject({ accepted: 20, duplicates: 0 });
    const retried = await go('POST', '/v1/events', { headers, body });
    expect(retried.status).toBe(401);
    expect(JSON.parse(retried.body)).toMatchObject({ error: 'replayed_nonce' });
    // The push client keeps the batch and sends it again later, signed afresh.
    const again = await go('POST', '/v1/events', { headers: { ...(await signed(key, body)), 'content-type': 'application/json' }, body });
    expect(JSON.parse(again.body)).toMatchObject({ accepted: 0, duplicates: 20, rejected: [] });
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events_raw WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.event_id)]);
    expect(rows[0]!.n).toBe(20);
  });

  it('loses and doubles nothing when a replica is killed mid-load', async () => {
    const BATCHES = 60;
    const PER_BATCH = 100;
    const WORKERS = 4;
    const batches: SeatPilotEvent[][] = Array.from({ length: BATCHES }, (_, i) => Array.from({ length: PER_BATCH }, () => checkinEvent(doors[i % doors.length]!)));
    const keyOf = (i: number) => doors[i % doors.length]!;
    const answers: { accepted: number; duplicates: number }[] = [];
    const seen = new Map<string, number>(); // statuses of tries that did not get a 200
    let done = 0;
    let killedAt = -1;
    let next = 0;
    const victim = replicas[0]!;
    const worker = async () => {
      for (let i = next++; i < BATCHES; i = next++) {
        const events = batches[i]!;
        // As the push client does: the same events until a 200, each try signed afresh (new nonce), bounded.
        for (let attempt = 0; ; attempt++) {
          expect(attempt, `batch ${i} never got a 200: ${JSON.stringify([...seen])}`).toBeLessThan(30);
          const body = batchOf(events);
          let r: Answer | undefined;
          try {
            r = await go('POST', '/v1/events', { headers: { ...(await signed(keyOf(i), body)), 'content-type': 'application/json' }, body });
          } catch (e) {
            seen.set(`error ${(e as Error).message.slice(0, 40)}`, (seen.get(`error ${(e as Error).message.slice(0, 40)}`) ?? 0) + 1);
          }
          if (r?.status === 200) {
            const a = JSON.parse(r.body) as { accepted: number; duplicates: number; rejected: unknown[] };
            expect(a.rejected).toEqual([]);
            answers.push(a);
            break;
          }
          if (r) {
            const label = `${r.status} ${(/"error":"(\w+)"/.exec(r.body) ?? [])[1] ?? ''}`.trim();
            seen.set(label, (seen.get(label) ?? 0) + 1);
          }
          await new Promise((res) => setTimeout(res, 100 * Math.min(attempt + 1, 5)));
        }
        done++;
        if (done === Math.floor(BATCHES / 3) && killedAt < 0) {
          killedAt = done;
          process.kill(victim.child.pid!, 'SIGKILL'); // mid-load: other workers' batches are in flight
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(killedAt).toBeGreaterThan(0);
    expect(victim.child.signalCode ?? (await exited(victim.child), victim.child.signalCode)).toBe('SIGKILL');

    const ids = batches.flat().map((e) => e.event_id);
    const [stored] = await db.query<{ rows: number; distinct: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct FROM telemetry.events_raw WHERE event_id = ANY($1::uuid[])', [ids]);
    expect(stored).toEqual({ rows: ids.length, distinct: ids.length }); // none lost, none doubled
    // Every batch was answered for all of its events: stored now, or found stored by an earlier try.
    expect(answers).toHaveLength(BATCHES);
    expect(answers.reduce((s, a) => s + a.accepted + a.duplicates, 0)).toBe(ids.length);
    expect(answers.reduce((s, a) => s + a.accepted, 0)).toBe(ids.length - answers.reduce((s, a) => s + a.duplicates, 0));
    // Only answers that ask for a retry were met on the way (nginx's 502 when both tries failed, a replayed nonce).
    for (const label of seen.keys()) expect(label).toMatch(/^(502|401 replayed_nonce|error )/);
    // nginx met the dead replica (refused or cut connections) and sent those requests on to the other.
    const victimAddress = victim.base.slice('http://'.length);
    const upstreamFailures = readFileSync(join(dir, 'error.log'), 'utf8').split('\n').filter((l) => l.includes(victimAddress) && /failed|prematurely|reset/.test(l)).length;
    expect(upstreamFailures).toBeGreaterThan(0);
    console.log(JSON.stringify({ nginx_front: { batches: BATCHES, events: ids.length, killed_after_batches: killedAt, nginx_upstream_failures: upstreamFailures, client_retries: Object.fromEntries(seen), duplicates: answers.reduce((s, a) => s + a.duplicates, 0) } }));
    // The surviving replica took the rest: the front still answers.
    expect((await go('GET', '/health')).status).toBe(200);
  }, 180_000);
});
