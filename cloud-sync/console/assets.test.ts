// The console's files as a browser gets them: the page, its script, its chunks and styles from memory, under a strict
// CSP, never framed, no referrer, the page never cached; and a bundle that stays small (no TypeBox in it), with the
// designer, seating chart and print pages in chunks of their own that the first page does not load.
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
      expect(r.body).toContain('<script type="module" src="/console/app.js"></script>');
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
    // A chunk the script imports, by its content-hashed name, cached for good; any other name is a 404.
    const chunk = /\.\/chunks\/([\w-]+\.js)/.exec(js.body)?.[1];
    expect(chunk).toBeTruthy();
    const c = await app.inject({ url: `/console/chunks/${chunk}` });
    expect(c.statusCode).toBe(200);
    expect(c.headers['content-type']).toMatch(/^text\/javascript/);
    expect(c.headers['cache-control']).toContain('immutable');
    expect(c.headers['content-security-policy']).toContain("script-src 'self'");
    for (const bad of ['nope-123.js', '..%2Fapp.js', 'app.css']) expect((await app.inject({ url: `/console/chunks/${bad}` })).statusCode).toBe(404);
    await app.close();
  });

  it('bundles preact and the pages without TypeBox, the first page in under 160 kB (50 kB gzipped)', async () => {
    const b = await bundleConsole();
    // TypeBox's Kind symbol and its error text are in every build of it.
    for (const text of [b.js, ...b.chunks.values()]) {
      expect(text).not.toContain('TypeBox');
      expect(text).not.toContain('@sinclair');
    }
    // What the first page loads: app.js and the chunks it imports statically (not the lazy pages' own).
    const staticImports = (text: string) => [...text.matchAll(/(?:import|from)\s*["']\.\/(?:chunks\/)?([\w-]+\.js)["']/g)].map((m) => m[1] as string);
    const first = new Set<string>();
    const walk = (text: string) => {
      for (const name of staticImports(text)) {
        if (first.has(name)) continue;
        first.add(name);
        walk(b.chunks.get(name) ?? '');
      }
    };
    walk(b.js);
    const lazy = [...b.chunks.keys()].filter((n) => /^(designer|seating|print)-/.test(n));
    expect(lazy.map((n) => n.split('-')[0]).sort()).toEqual(['designer', 'print', 'seating']);
    for (const name of lazy) expect(first.has(name), `${name} is loaded by the first page`).toBe(false);
    const js = [b.js, ...[...first].map((n) => b.chunks.get(n) as string)].join('\n');
    // Preact and signals are ~21 kB of it; the rest is the pages and both languages' strings (~136 kB, ~42 kB
    // gzipped with every page). TypeBox alone would add ~46 kB.
    expect(js.length).toBeLessThan(160_000);
    expect(gzipSync(js).length).toBeLessThan(50_000);
    // Everything, the designer and its geometry and route engine included, stays within a budget too.
    const all = [b.js, ...b.chunks.values()].join('\n');
    expect(all.length).toBeLessThan(300_000);
    expect(gzipSync(all).length).toBeLessThan(95_000);
  });
});
