import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, type networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { KioskStatus } from '../ipc/channels';
import { createHandlers, type KioskServicePort } from '../ipc/handlers';
import { HostAllowlist } from './allowed-hosts';
import { EventHub } from './event-hub';
import { buildBrowserApp, callerSource } from './app';
import { sessionFromPage } from './session';

// The service behind the channel map is a stand-in here: this suite proves the HTTP bridge (routing, codes, headers, SSE).
const service = {
  scan: async (c: { value: string }) => ({ outcome: 'rejected', reason: 'unknown_credential', guest: null, previous: null, echo: c.value }),
  staffRoleForPin: () => null,
  hasSupervisorPin: () => false,
} as unknown as KioskServicePort;

describe('browser-mode HTTP bridge', () => {
  let app: FastifyInstance;
  let base: string;
  let session: string;
  const events = new EventHub();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>k</title>');
    writeFileSync(join(dir, 'renderer.js'), 'void 0;');
    writeFileSync(join(dir, 'styles.css'), 'body{}');
    const hosts = new HostAllowlist(() => ({}));
    app = await buildBrowserApp({ handlers: createHandlers({ service }), events, rendererDir: dir, allowedHosts: hosts, keepAliveMs: 50 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    hosts.bind('127.0.0.1', port);
    base = `http://127.0.0.1:${port}`;
    session = sessionFromPage(await (await fetch(`${base}/`)).text())!;
  });
  afterAll(async () => app.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kiosk-session': session, ...headers }, body });

  it('serves the renderer with a strict CSP, and this boot\'s session secret in the page only', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await (await fetch(`${base}/renderer.js`)).text()).not.toContain(session);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${base}/renderer.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
  });

  it('serves the channel map over POST /ipc/:channel with documented codes', async () => {
    const ok = await post('/ipc/checkin.scan', JSON.stringify({ kind: 'barcode', value: 'A1' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, value: { reason: 'unknown_credential', echo: 'A1' } });
    const bad = await post('/ipc/checkin.scan', JSON.stringify({ kind: 'barcode' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: { code: 'bad_request', message: 'checkin.scan: request is missing required field "value"' } });
    const notJson = await post('/ipc/checkin.scan', '{"kind":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'The request body is not valid JSON.' } });
    const unknown = await post('/ipc/db.exec', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_channel' } });
    const pin = await post('/ipc/staff.unlock', JSON.stringify({ pin: '1' }));
    expect(pin.status).toBe(403);
    const huge = await post('/ipc/checkin.scan', JSON.stringify({ kind: 'barcode', value: 'x'.repeat(20_000) }));
    expect(huge.status).toBe(413);
  });

  it('refuses calls from another origin (a web page in a browser on this box)', async () => {
    const res = await post('/ipc/checkin.scan', JSON.stringify({ kind: 'barcode', value: 'A1' }), { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('answers no channel and no event stream without the page\'s session', async () => {
    for (const headers of [{ 'x-kiosk-session': '' }, { 'x-kiosk-session': session.slice(1) + 'x' }, { 'x-kiosk-session': session + session }]) {
      for (const channel of ['checkin.scan', 'kiosk.setup', 'kiosk.status', 'staff.unlock']) {
        const res = await post(`/ipc/${channel}`, channel === 'checkin.scan' ? JSON.stringify({ kind: 'barcode', value: 'A1' }) : channel === 'staff.unlock' ? '{"pin":"2468"}' : '{}', headers);
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ ok: false, error: { code: 'no_session' } });
      }
    }
    const noHeader = await fetch(`${base}/ipc/kiosk.setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noHeader.status).toBe(403);
    for (const url of ['/events', '/events?session=', `/events?session=${session}x`, `/events?other=${session}`]) {
      const res = await fetch(base + url);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
    expect(events.size).toBe(0);
    // Cross-origin is refused even with the secret (a stolen one in another page).
    const cross = await fetch(`${base}/events?session=${session}`, { headers: { origin: 'http://127.0.0.1:9999' } });
    expect(cross.status).toBe(403);
  });

  it('pushes scans and status to every open event stream', async () => {
    const res = await fetch(`${base}/events?session=${encodeURIComponent(session)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (events.size === 0) await new Promise((r) => setTimeout(r, 5));
    events.publish('scan', { kind: 'nfc', value: '04A22B1A', device: 'reader-1' });
    events.publish('status', { outbox_depth: 4 } as KioskStatus);
    while (!text.includes('event: status')) text += decoder.decode((await reader.read()).value);
    expect(text).toContain('event: scan\ndata: {"kind":"nfc","value":"04A22B1A","device":"reader-1"}\n\n');
    expect(text).toContain('event: status\ndata: {"outbox_depth":4}');
    await reader.cancel();
    while (events.size > 0) await new Promise((r) => setTimeout(r, 5));
  });
});

describe('browser-mode host check', () => {
  const appWith = async (allowedHosts: HostAllowlist) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-renderer-'));
    for (const f of ['index.html', 'renderer.js', 'styles.css']) writeFileSync(join(dir, f), '');
    return buildBrowserApp({ handlers: createHandlers({ service }), events: new EventHub(), rendererDir: dir, allowedHosts });
  };

  it('answers only on the configured host names (no DNS rebinding)', async () => {
    const app = await appWith(HostAllowlist.of(['127.0.0.1:3300']));
    const wrong = await app.inject({ method: 'GET', url: '/', headers: { host: 'attacker.example:3300' } });
    expect(wrong.statusCode).toBe(421);
    expect(wrong.body).not.toContain('127.0.0.1');
    const right = await app.inject({ method: 'GET', url: '/', headers: { host: '127.0.0.1:3300' } });
    expect(right.statusCode).toBe(200);
    await app.close();
  });

  it('a LAN-bound kiosk answers its own addresses, loopback and --allowed-host names, never any host', async () => {
    const interfaces = () => ({
      lo: [{ address: '127.0.0.1', family: 'IPv4' }],
      eth0: [{ address: '192.168.1.20', family: 'IPv4' }, { address: 'fe80::1c2:3ff:fe04:506', family: 'IPv6', scopeid: 2 }],
    }) as unknown as ReturnType<typeof networkInterfaces>;
    const hosts = new HostAllowlist(interfaces);
    expect(hosts.allows('192.168.1.20:3300')).toBe(false); // not bound yet: nothing is answered
    hosts.bind('0.0.0.0', 3300, ['Kiosk-1.venue.lan', 'door.local:8080']);
    const app = await appWith(hosts);
    const status = async (host: string) => (await app.inject({ method: 'GET', url: '/', headers: { host } })).statusCode;
    for (const ok of ['192.168.1.20:3300', '127.0.0.1:3300', 'localhost:3300', '[::1]:3300', '[fe80::1c2:3ff:fe04:506]:3300', 'kiosk-1.venue.lan:3300', 'door.local:8080']) expect(await status(ok), ok).toBe(200);
    for (const bad of ['evil.example:3300', 'evil.example', '192.168.1.20', '192.168.1.20:3301', 'door.local:3300', '192.168.1.21:3300', '0.0.0.0:3300', '']) expect(await status(bad), bad).toBe(421);
    await app.close();
  });

  it('counts wrong PINs per caller: this box is the screen, a LAN client its address (IPv6: its /64)', () => {
    expect(callerSource('127.0.0.1')).toBe('screen');
    expect(callerSource('::ffff:127.0.0.1')).toBe('screen');
    expect(callerSource('::1')).toBe('screen');
    expect(callerSource('::ffff:192.168.1.77')).toBe('192.168.1.77');
    expect(callerSource('::ffff:192.168.1.77', '::ffff:192.168.1.20')).toBe('192.168.1.77');
    expect(callerSource('::ffff:192.168.1.20', '::ffff:192.168.1.20')).toBe('screen'); // this box, to its own LAN address
    expect(callerSource('2001:db8:0:1:a:b:c:d')).toBe('2001:db8:0:1::/64');
    expect(callerSource('2001:db8:0:1::99')).toBe('2001:db8:0:1::/64');
    expect(callerSource('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
