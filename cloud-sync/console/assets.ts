// The console's web application at /console: web/main.tsx (preact) bundled with esbuild when the cloud starts (once
// per process, ~100 ms), web/index.html and the style sheet, all served from memory under a strict CSP. The Seat
// Designer, the seating chart and the print pages are chunks of their own (/console/chunks/), loaded when one of
// them is opened, so the guest list does not wait for the designer's code. An install without esbuild (it is a build
// tool) serves what `npm run build:console` wrote to dist/console/ instead.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Plugin } from 'esbuild';
import { pageCsp } from '../../protocol/page-csp';
import type { ConsoleContext } from './plugin';

const WEB = join(import.meta.dirname, 'web');
export const CONSOLE_DIST = join(import.meta.dirname, '..', '..', 'dist', 'console');

export interface ConsoleAssets {
  html: string;
  appJs: string;
  appCss: string;
  /** Lazily loaded chunks by file name (`designer-HASH.js`): content-hashed, so cached for good. */
  chunks: Map<string, string>;
}

export interface ConsoleBundles {
  js: string;
  css: string;
  chunks: Map<string, string>;
}

const CHUNK_NAME = /^[A-Za-z0-9_-]+\.js$/;

export class ConsoleAssetsError extends Error {
  override name = 'ConsoleAssetsError';
}

/**
 * The pages import core/console for its types and a few plain values (may(), the guest filter); those files also
 * build TypeBox schemas at load. TypeBox's builders are pure, but esbuild cannot know, so it would keep every schema
 * and ~45 kB of TypeBox that the page never calls. Marking each `Type.X(` call in core/ as pure lets it drop them.
 */
const pureTypeBox: Plugin = {
  name: 'pure-typebox',
  setup(build) {
    build.onLoad({ filter: /[\\/]core[\\/].*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/(?<![\w.])Type\.(?=[A-Z]\w*\()/g, '/* @__PURE__ */ Type.'),
      loader: 'ts',
    }));
  },
};

/** The app's script, its chunks and style sheet, built now with esbuild (minified; preact and the pages, no TypeBox). */
export async function bundleConsole(): Promise<ConsoleBundles> {
  const esbuild = await import('esbuild');
  const [js, css] = await Promise.all([
    esbuild.build({
      entryPoints: { app: join(WEB, 'main.tsx') },
      bundle: true,
      write: false,
      // ES modules, split: each page that routes.tsx imports lazily becomes a chunk of its own.
      format: 'esm',
      splitting: true,
      outdir: '/console',
      chunkNames: 'chunks/[name]-[hash]',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [pureTypeBox],
    }),
    esbuild.build({ entryPoints: [join(WEB, 'app.css')], bundle: true, write: false, minify: true, logLevel: 'silent' }),
  ]);
  const chunks = new Map<string, string>();
  let app = '';
  for (const f of js.outputFiles) {
    if (f.path === '/console/app.js') app = f.text;
    else if (f.path.startsWith('/console/chunks/')) chunks.set(f.path.slice('/console/chunks/'.length), f.text);
  }
  return { js: app, css: (css.outputFiles[0] as { text: string }).text, chunks };
}

/** `npm run build:console`: the bundles for installs that ship without esbuild. */
export async function writeConsoleDist(dir: string = CONSOLE_DIST): Promise<string[]> {
  const b = await bundleConsole();
  mkdirSync(join(dir, 'chunks'), { recursive: true });
  const files = [join(dir, 'app.js'), join(dir, 'app.css')];
  writeFileSync(files[0] as string, b.js);
  writeFileSync(files[1] as string, b.css);
  for (const [name, text] of b.chunks) {
    files.push(join(dir, 'chunks', name));
    writeFileSync(join(dir, 'chunks', name), text);
  }
  return files;
}

function readDist(): ConsoleBundles {
  const chunkDir = join(CONSOLE_DIST, 'chunks');
  const names = existsSync(chunkDir) ? readdirSync(chunkDir).filter((n) => CHUNK_NAME.test(n)) : [];
  return {
    js: readFileSync(join(CONSOLE_DIST, 'app.js'), 'utf8'),
    css: readFileSync(join(CONSOLE_DIST, 'app.css'), 'utf8'),
    chunks: new Map(names.map((n) => [n, readFileSync(join(chunkDir, n), 'utf8')])),
  };
}

async function bundles(): Promise<ConsoleBundles> {
  try {
    // Fresh from source whenever esbuild is there: a stale dist/ never hides a change during development.
    return await bundleConsole();
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    const js = join(CONSOLE_DIST, 'app.js');
    const css = join(CONSOLE_DIST, 'app.css');
    if (missing && existsSync(js) && existsSync(css)) return readDist();
    throw new ConsoleAssetsError(missing
      ? `the console is not built: esbuild is not installed and ${CONSOLE_DIST} has no bundles (run "npm run build:console" when packaging)`
      : `the console does not build: ${(e as Error).message}`);
  }
}

let cached: Promise<ConsoleAssets> | null = null;

/** Built once per process and shared by every app instance (tests build many). */
export function buildConsoleAssets(): Promise<ConsoleAssets> {
  cached ??= bundles()
    .then((b) => ({ html: readFileSync(join(WEB, 'index.html'), 'utf8'), appJs: b.js, appCss: b.css, chunks: b.chunks }))
    .catch((e) => {
      cached = null;
      throw e;
    });
  return cached;
}

/** Every /console file: the page's own script, styles and API only, never framed, no referrer. */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': pageCsp(),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export async function registerConsoleAssets(app: FastifyInstance, _ctx: ConsoleContext): Promise<void> {
  let assets: ConsoleAssets | null = null;
  let assetsError = '';
  try {
    assets = await buildConsoleAssets();
  } catch (e) {
    assetsError = (e as Error).message;
    app.log.error(`console page unavailable: ${assetsError}`);
  }
  const file = (path: string, type: string, body: (a: ConsoleAssets) => string, cache: string) =>
    app.get(path, async (_req, reply) => {
      reply.headers(CONSOLE_SECURITY_HEADERS);
      if (!assets) return reply.code(503).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`SeatPilot console: ${assetsError}\n`);
      return reply.header('content-type', type).header('cache-control', cache).send(body(assets));
    });
  // The page itself is never stored: it is where a signed-in session starts.
  file('/console', 'text/html; charset=utf-8', (a) => a.html, 'no-store');
  file('/console/', 'text/html; charset=utf-8', (a) => a.html, 'no-store');
  file('/console/app.js', 'text/javascript; charset=utf-8', (a) => a.appJs, 'no-cache');
  file('/console/app.css', 'text/css; charset=utf-8', (a) => a.appCss, 'no-cache');
  app.get<{ Params: { name: string } }>('/console/chunks/:name', async (req, reply) => {
    reply.headers(CONSOLE_SECURITY_HEADERS);
    const text = CHUNK_NAME.test(req.params.name) ? assets?.chunks.get(req.params.name) : undefined;
    if (text === undefined) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('no such console file\n');
    return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(text);
  });
}
