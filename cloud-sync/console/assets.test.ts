// The console's files as a browser gets them: the page, its script and styles from memory, under a strict CSP,
// never framed, no referrer, the page never cached; and a bundle that stays small (no TypeBox in it).
import Fastify from 'fastify';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleConsole, registerConsoleAssets } from './assets';
import type { ConsoleContext } from './plugin';

describe('console assets', () => {
  it('serves the page, its script and its styles with the security headers', async () => {
    const app = Fastify();
    await registerConsoleAssets(app, {} as ConsoleContext);
    for (const url of ['/console', '/console/']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.body).toContain('<script src="/console/app.js" defer></script>');
      expect(r.body).not.toMatch(/<script>|<style>|style="/);
    }
    const page = await app.inject({ url: '/console' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await app.inject({ url: '/console/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    const css = await app.inject({ url: '/console/app.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('.grid-row');
    await app.close();
  });

  it('bundles preact and the pages without TypeBox, in under 160 kB (50 kB gzipped)', async () => {
    const { js } = await bundleConsole();
    // TypeBox's Kind symbol and its error text are in every build of it.
    expect(js).not.toContain('TypeBox');
    expect(js).not.toContain('@sinclair');
    // Preact and signals are ~21 kB of it; the rest is the pages and both languages' strings (~136 kB, ~42 kB
    // gzipped with every page). TypeBox alone would add ~46 kB.
    expect(js.length).toBeLessThan(160_000);
    expect(gzipSync(js).length).toBeLessThan(50_000);
  });
});
