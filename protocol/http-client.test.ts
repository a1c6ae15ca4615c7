// SignedHttp's clock measurement against real HTTP servers on 127.0.0.1: skew is device minus receiver, to the
// millisecond from x-server-time-ms; a Date header alone (an older receiver, a captive portal) only corrects signing.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { SignedHttp } from './http-client';
import { SERVER_TIME_HEADER } from './server-time';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server whose clock is `behindMs` behind the real one, sending its time the way `headers` says. */
async function serverBehind(behindMs: number, headers: (nowMs: number) => Record<string, string>): Promise<string> {
  const s = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', ...headers(Date.now() - behindMs) });
    res.end('{"error":"stale_timestamp"}');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const upstream = (baseUrl: string) => ({ baseUrl, keyId: 'k', secret: 's' });

describe('SignedHttp clock', () => {
  it('measures device minus receiver to the millisecond from x-server-time-ms, even on a refusal', async () => {
    const url = await serverBehind(600_000, (now) => ({ [SERVER_TIME_HEADER]: String(now), date: new Date(now).toUTCString() }));
    const seen: number[] = [];
    const http = new SignedHttp(upstream(url), { onSkew: (ms) => seen.push(ms) });
    expect(http.skewMs).toBeNull();
    await http.request('GET', '/v1/sync');
    expect(Math.abs((http.skewMs as number) - 600_000)).toBeLessThan(100);
    expect(seen).toEqual([http.skewMs]);
    expect(await http.skewMeasured()).toBe(http.skewMs);
    // Signing runs on the receiver's clock.
    expect(http.offsetMs).toBe(-(http.skewMs as number));
  });

  it('takes a Date header alone for signing only, and reports no skew from it', async () => {
    const url = await serverBehind(600_000, (now) => ({ date: new Date(now).toUTCString() }));
    const http = new SignedHttp(upstream(url));
    await http.request('GET', '/v1/sync');
    expect(http.skewMs).toBeNull();
    expect(Math.abs(http.offsetMs + 600_000)).toBeLessThan(1_100);
    const measured = await Promise.race([http.skewMeasured().then(() => 'measured'), new Promise((r) => setTimeout(() => r('not measured'), 50))]);
    expect(measured).toBe('not measured');
  });
});
