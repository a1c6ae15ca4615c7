import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { KioskStatus } from '../ipc/channels';
import { createHandlers, type KioskServicePort } from '../ipc/handlers';
import { EventHub } from './event-hub';
import { buildBrowserApp } from './server';

// The service behind the channel map is a stand-in here: this suite proves the HTTP bridge (routing, codes, headers, SSE).
const service = {
  scan: async (c: { value: string }) => ({ outcome: 'rejected', reason: 'unknown_credential', guest: null, previous: null, echo: c.value }),
  verifyStaffPin: () => false,
} as unknown as KioskServicePort;

describe('browser-mode HTTP bridge', () => {
  let app: FastifyInstance;
  let base: string;
  const events = new EventHub();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>k</title>');
    writeFileSync(join(dir, 'renderer.js'), 'void 0;');
    writeFileSync(join(dir, 'styles.css'), 'body{}');
    app = await buildBrowserApp({ handlers: createHandlers({ service }), events, rendererDir: dir, allowedHosts: [], keepAliveMs: 50 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => app.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('serves the renderer with a strict CSP', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
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

  it('pushes scans and status to every open event stream', async () => {
    const res = await fetch(`${base}/events`);
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
  it('answers only on the configured host names (no DNS rebinding)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-renderer-'));
    for (const f of ['index.html', 'renderer.js', 'styles.css']) writeFileSync(join(dir, f), '');
    const app = await buildBrowserApp({ handlers: createHandlers({ service }), events: new EventHub(), rendererDir: dir, allowedHosts: ['127.0.0.1:3300'] });
    const wrong = await app.inject({ method: 'GET', url: '/', headers: { host: 'attacker.example:3300' } });
    expect(wrong.statusCode).toBe(421);
    const right = await app.inject({ method: 'GET', url: '/', headers: { host: '127.0.0.1:3300' } });
    expect(right.statusCode).toBe(200);
    await app.close();
  });
});
