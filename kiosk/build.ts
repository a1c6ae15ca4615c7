// Bundles the kiosk for both shells with esbuild: the renderer (one bundle for Electron and browser mode), the preload and
// the Electron main. `node bin/run-ts.mjs kiosk/build.ts` builds all three; browser mode builds the renderer at start-up.
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

/** The preload (CommonJS: a sandboxed preload cannot load ES modules) and main, for electron-builder to package. */
export async function buildElectron(): Promise<void> {
  await build({
    entryPoints: [join(here, 'preload', 'preload.ts')],
    outfile: join(here, 'preload', 'dist', 'preload.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node20'],
    external: ['electron'],
    logLevel: 'silent',
  });
  await build({
    entryPoints: [join(here, 'main', 'main.ts')],
    outfile: join(here, 'main', 'dist', 'main.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: ['node20'],
    external: ['electron', 'better-sqlite3', 'node-hid'],
    logLevel: 'silent',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildRenderer();
  if (!process.argv.includes('--renderer-only')) await buildElectron();
  console.log('kiosk bundles built');
}
