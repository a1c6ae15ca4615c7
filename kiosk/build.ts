// Bundles the kiosk for both shells with esbuild: the renderer (one bundle for Electron and browser mode), the preload and
// the Electron main. `npm run build:kiosk` assembles dist/kiosk/ for packaging; browser mode builds the renderer at start-up.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Where the Electron app is assembled for electron-builder: main.cjs, preload.cjs and renderer/ side by side. */
export const ELECTRON_DIST = join(here, '..', 'dist', 'kiosk');

/** Main, the preload (CommonJS: a sandboxed preload cannot load ES modules) and the renderer, for the packaged app. */
export async function buildElectron(outDir: string = ELECTRON_DIST): Promise<void> {
  await buildRenderer(join(outDir, 'renderer'));
  await build({
    entryPoints: [join(here, 'preload', 'preload.ts')],
    outfile: join(outDir, 'preload.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node20'],
    external: ['electron'],
    logLevel: 'silent',
  });
  await build({
    entryPoints: [join(here, 'main', 'main.ts')],
    outfile: join(outDir, 'main.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node20'],
    external: ['electron', 'better-sqlite3', 'node-hid'],
    logLevel: 'silent',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--renderer-only')) await buildRenderer();
  else await buildElectron();
  console.log('kiosk bundles built');
}
