// The tablet page's files: the TypeScript under web/ bundled with esbuild when the agent starts (a few tens of ms),
// the HTML shell, the web app manifest and the icon, all served from memory. An install without esbuild (it is a
// build tool) serves the bundles `npm run build:tablet` wrote to dist/tablet/ instead.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TabletAssets {
  html: string;
  appJs: string;
  swJs: string;
  manifest: string;
  iconSvg: string;
}

const WEB = join(import.meta.dirname, 'web');
export const TABLET_DIST = join(import.meta.dirname, '..', '..', 'dist', 'tablet');
const BUNDLES = ['app', 'sw'] as const;

export class TabletAssetsError extends Error {
  override name = 'TabletAssetsError';
}

let cached: Promise<TabletAssets> | null = null;

export function buildTabletAssets(): Promise<TabletAssets> {
  cached ??= load().catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

/** The two bundles, built now with esbuild. */
export async function bundleTablet(): Promise<Record<(typeof BUNDLES)[number], string>> {
  const esbuild = await import('esbuild');
  const one = async (name: string) => {
    const out = await esbuild.build({
      entryPoints: [join(WEB, `${name}.ts`)],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    return (out.outputFiles[0] as { text: string }).text;
  };
  const [app, sw] = await Promise.all(BUNDLES.map(one));
  return { app: app as string, sw: sw as string };
}

/** `npm run build:tablet`: the bundles for installs that ship without esbuild. */
export async function writeTabletDist(dir: string = TABLET_DIST): Promise<string[]> {
  const b = await bundleTablet();
  mkdirSync(dir, { recursive: true });
  return BUNDLES.map((name) => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, b[name]);
    return file;
  });
}

async function bundles(): Promise<Record<(typeof BUNDLES)[number], string>> {
  try {
    // Fresh from source whenever esbuild is there: a stale dist/ never hides a change during development.
    return await bundleTablet();
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    if (missing && BUNDLES.every((n) => existsSync(join(TABLET_DIST, `${n}.js`)))) {
      return { app: readFileSync(join(TABLET_DIST, 'app.js'), 'utf8'), sw: readFileSync(join(TABLET_DIST, 'sw.js'), 'utf8') };
    }
    throw new TabletAssetsError(missing
      ? `the tablet page is not built: esbuild is not installed and ${TABLET_DIST} has no bundles (run "npm run build:tablet" when packaging)`
      : `the tablet page does not build: ${(e as Error).message}`);
  }
}

async function load(): Promise<TabletAssets> {
  const b = await bundles();
  const manifest = JSON.stringify({
    name: 'SeatPilot tables',
    short_name: 'Tables',
    description: 'Who is expected, on the way and seated at your tables.',
    start_url: '/tablet',
    scope: '/tablet',
    display: 'standalone',
    background_color: '#0f172a',
    theme_color: '#0f172a',
    icons: [
      { src: '/tablet/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: '/tablet/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
    ],
  });
  return {
    html: readFileSync(join(WEB, 'index.html'), 'utf8'),
    appJs: b.app,
    swJs: b.sw,
    manifest,
    iconSvg: readFileSync(join(WEB, 'icon.svg'), 'utf8'),
  };
}
