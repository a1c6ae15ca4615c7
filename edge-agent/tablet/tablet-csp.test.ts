// The tablet page's CSP and frame protection in real Chromium against a real agent app (SQLite file, HTTP on 127.0.0.1):
// the page works under its policy (styles applied, script runs, service worker registers, no violation), and a page
// of another origin cannot frame it.
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../venue-store/open';
import { launchChromium } from '../../tests/kiosk-browser';
import { buildAgentApp } from '../app';
import { AgentStore } from '../store';

describe('the tablet page under its Content-Security-Policy, in Chromium', () => {
  let app: FastifyInstance;
  let base: string;
  let framer: Server;
  let framerUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    const { db } = openStore(join(mkdtempSync(join(tmpdir(), 'sp-tablet-csp-')), 'agent.sqlite'));
    ({ app } = await buildAgentApp({ store: new AgentStore(db, 'ven_csp'), tablet: { venueId: 'ven_csp', deviceId: 'dev_agent' } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    framer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><iframe id="f" src="${base}/tablet"></iframe>`));
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
    framerUrl = `http://127.0.0.1:${(framer.address() as { port: number }).port}/`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => framer?.close(r));
    await app?.close();
  });

  it('serves /tablet with the policy, nosniff, no referrer and no framing', async () => {
    for (const path of ['/tablet', '/tablet/', '/tablet/app.js', '/tablet/sw.js']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self' 'sha256-[A-Za-z0-9+/]+=*';.*frame-ancestors 'none'/);
      expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-(inline|eval)/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('the page works under it: its styles apply, its script draws the pairing form, its service worker registers, nothing is blocked', async () => {
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => (/Content Security Policy/i.test(m.text()) ? violations.push(m.text()) : undefined));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`)));
    await page.goto(`${base}/tablet`);
    await page.waitForSelector('#pair-code');
    // The inline style block's colours: applied only because its hash is in the policy.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 23, 42)');
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/tablet'))?.active?.state ?? 'none'), { timeout: 10_000 }).toBe('activated');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('a page of another origin cannot show the tablet page in a frame', async () => {
    const page = await browser.context.newPage();
    await page.goto(framerUrl);
    await page.waitForTimeout(1_000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    // Blocked frames show Chromium's error page, never the tablet's.
    expect(await frame!.locator('#pair-code').count()).toBe(0);
    expect(await frame!.evaluate(() => document.title).catch(() => '')).not.toContain('SeatPilot');
    await page.close();
  });
});
