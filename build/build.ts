// The build step the package is made from (electron-builder.yml `files`): esbuild bundles into dist/.
//   dist/kiosk/{main,preload,renderer}/dist/   the Electron kiosk app, laid out as kiosk/build.ts lays it out in the source
//                                             tree, because the Electron main finds preload and page at ../../{preload,renderer}/dist
//   dist/seatpilot.cjs + dist/sql/sqlite/      the box CLI (agent, pair, doctor, hw), run by Electron in Node mode
// Dependencies stay external: electron-builder ships them in node_modules, with better-sqlite3 rebuilt for Electron.
// `node bin/run-ts.mjs build/build.ts [--out DIR] [--require-kiosk]`.
import { build, type BuildOptions } from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Entry points of the kiosk app. The design names them kiosk/main/index.ts and kiosk/preload/index.ts; the kiosk-ui branch
 * has main.ts / preload.ts: the first one present is used. The Electron main finds its siblings at ../../{preload,renderer}.
 */
export const KIOSK_ENTRIES = {
  main: ['kiosk/main/index.ts', 'kiosk/main/main.ts'],
  preload: ['kiosk/preload/index.ts', 'kiosk/preload/preload.ts'],
  renderer: ['kiosk/renderer/main.ts', 'kiosk/renderer/index.ts', 'kiosk/renderer/app.ts'],
} as const;

/** Where the bundles land inside the output folder; electron-builder.yml names the same paths under dist/. */
export const OUTPUTS = {
  cli: 'seatpilot.cjs',
  sqliteMigrations: 'sql/sqlite',
  kioskMain: 'kiosk/main/dist/main.cjs',
  kioskPreload: 'kiosk/preload/dist/preload.cjs',
  kioskRenderer: 'kiosk/renderer/dist',
} as const;

export interface BuildReport {
  outDir: string;
  built: string[];
  /** Kiosk parts whose source is not in this tree (another branch): left out, with the reason. */
  skipped: string[];
}

const firstPresent = (candidates: readonly string[]) => candidates.find((c) => existsSync(join(ROOT, c)));

const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // Electron 45 ships Node 22; the agent also runs under plain Node 20 in development.
  target: ['node20'],
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
};

export async function buildAll(opts: { outDir?: string; requireKiosk?: boolean } = {}): Promise<BuildReport> {
  const outDir = opts.outDir ?? join(ROOT, 'dist');
  const report: BuildReport = { outDir, built: [], skipped: [] };
  mkdirSync(outDir, { recursive: true });

  // The box CLI. sql/migrate.ts finds its .sql files beside itself (import.meta.dirname): in the bundle, dist/sql.
  await build({
    ...NODE_BUNDLE,
    entryPoints: [join(ROOT, 'build', 'box-cli.ts')],
    outfile: join(outDir, OUTPUTS.cli),
    banner: { js: "const __seatpilot_sql_dir = require('node:path').join(__dirname, 'sql');" },
    define: { 'import.meta.dirname': '__seatpilot_sql_dir' },
  });
  cpSync(join(ROOT, 'sql', 'sqlite'), join(outDir, OUTPUTS.sqliteMigrations), { recursive: true });
  report.built.push(OUTPUTS.cli, OUTPUTS.sqliteMigrations);

  const main = firstPresent(KIOSK_ENTRIES.main);
  const preload = firstPresent(KIOSK_ENTRIES.preload);
  const renderer = firstPresent(KIOSK_ENTRIES.renderer);
  const missing = [!main && KIOSK_ENTRIES.main[0], !preload && KIOSK_ENTRIES.preload[0], !renderer && KIOSK_ENTRIES.renderer[0]].filter(Boolean) as string[];
  if (missing.length) {
    const why = `kiosk app sources not in this tree: ${missing.join(', ')}`;
    if (opts.requireKiosk) throw new Error(`${why}; a package without the kiosk app would be useless`);
    report.skipped.push(why);
    return report;
  }
  await build({
    ...NODE_BUNDLE,
    entryPoints: [join(ROOT, main!)],
    outfile: join(outDir, OUTPUTS.kioskMain),
    banner: { js: "const __seatpilot_sql_dir = require('node:path').join(__dirname, '..', '..', '..', 'sql');" },
    define: { 'import.meta.dirname': '__seatpilot_sql_dir' },
  });
  // A sandboxed preload cannot load ES modules or node_modules: one self-contained CommonJS file.
  await build({ ...NODE_BUNDLE, packages: undefined, external: ['electron'], entryPoints: [join(ROOT, preload!)], outfile: join(outDir, OUTPUTS.kioskPreload) });
  await build({ bundle: true, format: 'iife', platform: 'browser', target: ['chrome120'], minify: true, logLevel: 'warning', entryPoints: [join(ROOT, renderer!)], outfile: join(outDir, OUTPUTS.kioskRenderer, 'renderer.js') });
  for (const asset of ['index.html', 'styles.css']) {
    const src = join(ROOT, 'kiosk', 'renderer', asset);
    if (existsSync(src)) cpSync(src, join(outDir, OUTPUTS.kioskRenderer, asset));
  }
  report.built.push(OUTPUTS.kioskMain, OUTPUTS.kioskPreload, OUTPUTS.kioskRenderer);
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const report = await buildAll({ ...(outIdx >= 0 && args[outIdx + 1] ? { outDir: args[outIdx + 1] } : {}), requireKiosk: args.includes('--require-kiosk') });
  for (const b of report.built) console.log(`built ${relative(ROOT, join(report.outDir, b))}`);
  for (const s of report.skipped) console.warn(`skipped: ${s}`);
}
