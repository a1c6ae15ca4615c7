// A kiosk bound to the LAN (`--host 0.0.0.0`) answers only its own screen: in Chromium, a page from another origin on
// this box and a page that rebinds its own host name to the kiosk (DNS rebinding) can call no channel and read no
// /events, and a forged Host is refused; the kiosk's own page, on loopback and on the LAN address, still checks guests in.
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchTicket } from '../kiosk/demo-venue';
import { launchChromium, scanLikeAScanner, startKiosk, type KioskProcess } from './kiosk-browser';
import { freePort, seatpilot } from './procs';

/** This box's LAN address; without one, 127.0.0.2 (loopback too on Linux) named with --allowed-host stands in for it. */
const lanAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const LAN = lanAddress ?? '127.0.0.2';
const EVIL = 'evil.example';

/** Tickets the screen admits while attacks run (3 on: the attackers' own are 1 and 2). */
let nextTicket = 3;
const DEMO_NEXT = () => benchTicket(nextTicket++);
const waitScreen = (page: Page, name: string) => page.waitForSelector(`body[data-screen="${name}"]`, { timeout: 15_000 });

/** What the attacker's script does in the browser: every channel, the page (for its secret), and /events. */
const ATTACK = String.raw`
  const out = { calls: {}, events: [], eventErrors: 0, page: null, pageText: null, done: false };
  window.__attack = out;
  const kiosk = new URLSearchParams(location.search).get('kiosk') || '';
  const attempt = async (name, url, init) => {
    try {
      const res = await fetch(url, init);
      let body = null;
      try { body = await res.text(); } catch {}
      out.calls[name] = { status: res.status, type: res.type, body };
    } catch (e) {
      out.calls[name] = { error: String(e) };
    }
  };
  (async () => {
    const json = { method: 'POST', headers: { 'content-type': 'application/json' } };
    const es = new EventSource(kiosk + '/events');
    for (const ev of ['scan', 'status', 'message']) es.addEventListener(ev, (e) => out.events.push(ev + ':' + e.data));
    es.addEventListener('error', () => out.eventErrors++);
    const guessed = new EventSource(kiosk + '/events?session=guess');
    guessed.addEventListener('scan', (e) => out.events.push('guessed:' + e.data));
    await attempt('page', kiosk + '/', {});
    await attempt('scan', kiosk + '/ipc/checkin.scan', { ...json, body: JSON.stringify({ kind: 'barcode', value: '${benchTicket(1)}' }) });
    // A "simple" request needs no CORS preflight, so the browser does send it: the kiosk must refuse it itself.
    await attempt('scanNoCors', kiosk + '/ipc/checkin.scan', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ kind: 'barcode', value: '${benchTicket(2)}' }) });
    await attempt('setup', kiosk + '/ipc/kiosk.setup', { ...json, body: '{}' });
    await attempt('status', kiosk + '/ipc/kiosk.status', { ...json, body: '{}' });
    await attempt('unlock', kiosk + '/ipc/staff.unlock', { ...json, body: JSON.stringify({ pin: '2468' }) });
    await attempt('search', kiosk + '/ipc/guests.search', { ...json, body: JSON.stringify({ staff_token: 'x'.repeat(32), query: 'ana' }) });
    out.done = true;
  })();
`;
const attackPage = `<!doctype html><meta charset="utf-8"><title>Free Wi-Fi</title><body>win a prize<script>${ATTACK}</script>`;

/** A plain HTTP request with any Host header (a browser cannot forge one; a rebinding page sends its own name). */
function rawRequest(port: number, method: string, path: string, host: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      // /events would stay open when accepted: the first bytes are enough to know.
      res.once('data', () => (res.headers['content-type']?.includes('event-stream') ? res.destroy() : undefined));
      res.on('close', () => ok({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

type Attack = { calls: Record<string, { status?: number; type?: string; body?: string | null; error?: string }>; events: string[]; eventErrors: number; done: boolean };
const attackResult = async (page: Page): Promise<Attack> => {
  await page.waitForFunction(() => (window as unknown as { __attack?: Attack }).__attack?.done === true, undefined, { timeout: 15_000 });
  return page.evaluate(() => (window as unknown as { __attack: Attack }).__attack);
};

describe('kiosk bound to the LAN, in Chromium', () => {
  let kiosk: KioskProcess;
  let port: number;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let screenPage: Page;
  let attacker: Server;
  let attackerPort: number;
  const attackerSaw: string[] = [];

  beforeAll(async () => {
    kiosk = await startKiosk(['--demo', '--host', '0.0.0.0', '--bench-guests', '10', '--result-seconds', '2', '--scanner-gap-ms', '1000', ...(lanAddress ? [] : ['--allowed-host', LAN])]);
    port = Number(new URL(kiosk.url).port);
    attacker = createServer((req, res) => {
      attackerSaw.push(`${req.url} cookie=${req.headers.cookie ?? ''}`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackPage);
    });
    await new Promise<void>((r) => attacker.listen(0, '0.0.0.0', r));
    attackerPort = (attacker.address() as { port: number }).port;
    // evil.example resolves to this box, as a rebinding name does once its short TTL runs out.
    // Chromium's Private Network Access would stop the rebinding page by itself; other browsers (and older Chromium) do
    // not, so it is off here: the kiosk must refuse on its own.
    browser = await launchChromium(undefined, [
      `--host-resolver-rules=MAP ${EVIL} 127.0.0.1`,
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ]);
    screenPage = browser.page;
    await screenPage.goto(`http://127.0.0.1:${port}/`);
    await waitScreen(screenPage, 'idle');
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
    await new Promise((r) => attacker?.close(r));
  });

  it('a forged Host header gets 421 for the page, every channel and /events', async () => {
    for (const host of [`${EVIL}:${port}`, EVIL, `${LAN}:${port + 1}`, `127.0.0.1.${EVIL}:${port}`]) {
      expect({ host, status: (await rawRequest(port, "GET", "/", host)).status }).toEqual({ host, status: 421 });
      const setup = await rawRequest(port, 'POST', '/ipc/kiosk.setup', host, { 'content-type': 'application/json' }, '{}');
      expect(setup.status).toBe(421);
      expect(setup.body).not.toContain('venue_name');
      const events = await rawRequest(port, 'GET', '/events', host);
      expect(events.status).toBe(421);
    }
    // The kiosk's own names are answered, and still no channel without the page's session.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `${LAN}:${port}`]) {
      expect((await rawRequest(port, 'GET', '/', host)).status, host).toBe(200);
      expect((await rawRequest(port, 'POST', '/ipc/kiosk.setup', host, { 'content-type': 'application/json' }, '{}')).status).toBe(403);
      expect((await rawRequest(port, 'GET', '/events', host)).status).toBe(403);
    }
  });

  it('a page from another origin on this box (and on the LAN address) calls no channel, reads no page and no /events', async () => {
    for (const [pageHost, kioskHost] of [['127.0.0.1', '127.0.0.1'], ['127.0.0.1', LAN], [LAN, LAN]] as const) {
      const evil = await browser.context.newPage();
      await evil.goto(`http://${pageHost}:${attackerPort}/attack?kiosk=${encodeURIComponent(`http://${kioskHost}:${port}`)}`);
      const r = await attackResult(evil);
      // Nothing readable came back: each call failed in the browser (CORS) or came back opaque (no-cors).
      for (const [name, call] of Object.entries(r.calls)) {
        if (name === 'scanNoCors') expect(call, name).toMatchObject({ status: 0, type: 'opaque' });
        else expect(call, `${pageHost} → ${kioskHost}: ${name}`).toEqual({ error: expect.stringContaining('TypeError') });
      }
      // While the attacker's streams try, the screen admits a guest: none of it reaches the attacker's page.
      await scanLikeAScanner(screenPage, DEMO_NEXT());
      await waitScreen(screenPage, 'welcome');
      await waitScreen(screenPage, 'idle');
      await evil.waitForTimeout(300);
      expect(await evil.evaluate(() => (window as unknown as { __attack: Attack }).__attack.events)).toEqual([]);
      await evil.close();
    }
    // The kiosk never set a cookie a server on another port of this box could receive.
    expect(attackerSaw.every((l) => l.endsWith('cookie='))).toBe(true);
  });

  it('a page that rebinds its own name to the kiosk (DNS rebinding) is refused at every call', async () => {
    const evil = await browser.context.newPage();
    // The attacker's page, served for the attacker's name before the rebinding; everything after goes to the kiosk.
    await evil.route(`http://${EVIL}:${port}/attack`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: attackPage }));
    await evil.goto(`http://${EVIL}:${port}/attack`);
    const r = await attackResult(evil);
    // Same origin now, so the page reads every answer: the kiosk's refusal, with nothing of the venue in it.
    for (const [name, call] of Object.entries(r.calls)) {
      if (name === 'scanNoCors') continue;
      expect(call, name).toMatchObject({ status: 421 });
      expect(call.body, name).not.toMatch(/venue_name|Finca|guest|seatpilot-session/);
    }
    await scanLikeAScanner(screenPage, DEMO_NEXT());
    await waitScreen(screenPage, 'welcome');
    await waitScreen(screenPage, 'idle');
    expect(await evil.evaluate(() => (window as unknown as { __attack: Attack }).__attack.events)).toEqual([]);
    expect(r.eventErrors).toBeGreaterThan(0);
    await evil.close();
  });

  it("the attackers' scans admitted nobody: the kiosk's own pages, on loopback and on the LAN address, check those tickets in", async () => {
    await scanLikeAScanner(screenPage, benchTicket(1));
    await waitScreen(screenPage, 'welcome');
    await waitScreen(screenPage, 'idle');
    const lanScreen = await browser.context.newPage();
    await lanScreen.goto(`http://${LAN}:${port}/`);
    await waitScreen(lanScreen, 'idle');
    await lanScreen.bringToFront();
    await scanLikeAScanner(lanScreen, benchTicket(2));
    await waitScreen(lanScreen, 'welcome');
    // And the same ticket again is "already checked in": the welcome above was this scan's own.
    await waitScreen(lanScreen, 'idle');
    await scanLikeAScanner(lanScreen, benchTicket(2));
    await waitScreen(lanScreen, 'already');
    await lanScreen.close();
  });
});

describe('a kiosk page left open across a kiosk restart', () => {
  it('gets the new boot\'s session by itself and checks guests in again', async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'seatpilot-kiosk-restart-'));
    const args = ['kiosk', '--browser', '--demo', '--data', data, '--port', String(port), '--bench-guests', '5', '--result-seconds', '2', '--scanner-gap-ms', '1000'];
    const browser = await launchChromium();
    let kiosk = seatpilot(args);
    try {
      await kiosk.waitFor(/browser mode on/);
      const page = browser.page;
      await page.goto(`http://127.0.0.1:${port}/`);
      await waitScreen(page, 'idle');
      const before = await page.locator('meta[name="seatpilot-session"]').getAttribute('content');
      await kiosk.kill('SIGTERM');
      kiosk = seatpilot(args);
      await kiosk.waitFor(/browser mode on/);
      // The stream reconnects, is refused (old session), and the page reloads for the new one.
      await expect.poll(() => page.locator('meta[name="seatpilot-session"]').getAttribute('content').catch(() => before), { timeout: 30_000 }).not.toBe(before);
      await waitScreen(page, 'idle');
      await scanLikeAScanner(page, benchTicket(1));
      await waitScreen(page, 'welcome');
    } finally {
      await browser.close();
      await kiosk.kill('SIGTERM');
      rmSync(data, { recursive: true, force: true });
    }
  }, 90_000);
});
