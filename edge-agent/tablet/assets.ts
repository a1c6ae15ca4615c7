// The tablet page's files: the TypeScript under web/ bundled with esbuild once when the agent starts (a few tens of
// ms), the HTML shell, the web app manifest and the icon, all served from memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TabletAssets {
  html: string;
  appJs: string;
  swJs: string;
  manifest: string;
  iconSvg: string;
}

const WEB = join(import.meta.dirname, 'web');

let cached: Promise<TabletAssets> | null = null;

export function buildTabletAssets(): Promise<TabletAssets> {
  cached ??= build().catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

async function build(): Promise<TabletAssets> {
  const esbuild = await import('esbuild');
  const bundle = async (entry: string) => {
    const out = await esbuild.build({
      entryPoints: [join(WEB, entry)],
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
  const [appJs, swJs] = await Promise.all([bundle('app.ts'), bundle('sw.ts')]);
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
    appJs,
    swJs,
    manifest,
    iconSvg: readFileSync(join(WEB, 'icon.svg'), 'utf8'),
  };
}
