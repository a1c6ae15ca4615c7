// Bundles the kiosk for both shells with esbuild: the renderer (one bundle for Electron and browser mode), the preload and
// the Electron main. `npm run build:kiosk` assembles dist/kiosk/ for packaging, laid out as kiosk/main/layout.ts says;
// browser mode builds the renderer at start-up.
import { build, type BuildOptions } from 'esbuild';
import { copyFile, cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIOSK_APP_DIR, KIOSK_APP_LAYOUT } from './main/layout';

const here = dirname(fileURLToPath(import.meta.url));
export const RENDERER_DIST = join(here, 'renderer', 'dist');

/** The renderer bundle, its page and its styles into `outDir`; returns the directory. */
export async function buildRenderer(outDir: string = RENDERER_DIST, options: { minify?: boolean } = {}): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'renderer', 'main.ts')],
    outfile: join(outDir, 'renderer.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
  });
  await copyFile(join(here, 'renderer', 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(here, 'renderer', 'styles.css'), join(outDir, 'styles.css'));
  return outDir;
}

/**
 * A CommonJS bundle has no import.meta: modules that find files beside themselves (sql/migrate.ts: import.meta.dirname)
 * or resolve packages from where they are (createRequire(import.meta.url)) are told, at the bundle's top, `sqlDir` (a
 * path relative to the bundle) and the bundle's own URL. build/build.ts uses it for the box CLI too.
 */
export function importMetaFor(sqlDir: string): Pick<BuildOptions, 'banner' | 'define'> {
  return {
    banner: { js: `const __seatpilot_sql_dir = require('node:path').join(__dirname, ${JSON.stringify(sqlDir)}); const __seatpilot_url = require('node:url').pathToFileURL(__filename).href;` },
    define: { 'import.meta.dirname': '__seatpilot_sql_dir', 'import.meta.url': '__seatpilot_url' },
  };
}

/** Where `npm run build:kiosk` assembles the Electron app for electron-builder (build/build.ts uses the same layout). */
export const ELECTRON_DIST = join(here, '..', 'dist', KIOSK_APP_DIR);

/**
 * The packaged app, laid out as kiosk/main/layout.ts says (main.cjs, preload.cjs, renderer/ and sql/migrations/ side by side):
 * the main finds everything beside itself. The preload is CommonJS and self-contained (a sandboxed preload can load
 * neither ES modules nor node_modules); the main leaves its dependencies to node_modules, which electron-builder ships.
 */
export async function buildElectron(outDir: string = ELECTRON_DIST): Promise<string[]> {
  await buildRenderer(join(outDir, KIOSK_APP_LAYOUT.renderer));
  await build({
    entryPoints: [join(here, 'preload', 'preload.ts')],
    outfile: join(outDir, KIOSK_APP_LAYOUT.preload),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node20'],
    external: ['electron'],
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(here, 'main', 'main.ts')],
    outfile: join(outDir, KIOSK_APP_LAYOUT.main),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // Electron 45 ships Node 22.
    target: ['node20'],
    packages: 'external',
    ...importMetaFor(KIOSK_APP_LAYOUT.sql),
    logLevel: 'warning',
    legalComments: 'none',
  });
  await cp(join(here, '..', 'venue-store', 'migrations'), join(outDir, KIOSK_APP_LAYOUT.sql, 'migrations'), { recursive: true });
  return [KIOSK_APP_LAYOUT.main, KIOSK_APP_LAYOUT.preload, KIOSK_APP_LAYOUT.renderer, KIOSK_APP_LAYOUT.sql];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--renderer-only')) await buildRenderer();
  else await buildElectron();
  console.log('kiosk bundles built');
}
