// The build step the package is made from (electron-builder.yml `files`): esbuild bundles into dist/.
//   dist/kiosk/{main.cjs,preload.cjs,renderer/,sql/}   the Electron kiosk app (kiosk/build.ts), laid out as
//                                                      kiosk/main/layout.ts says: the main finds the rest beside itself
//   dist/seatpilot.cjs + dist/sql/migrations/               the box CLI (agent, pair, doctor, hw), run by Electron in Node mode
// The appliance never carries the cloud: the console's bundles (dist/console/) are `npm run build:console`'s, for a
// cloud installed without esbuild.
// Dependencies stay external: electron-builder ships them in node_modules, with better-sqlite3 rebuilt for Electron.
// `node bin/run-ts.mjs build/build.ts [--out DIR]`.
import { build, type BuildOptions } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron, importMetaFor } from '../kiosk/build';
import { KIOSK_APP_DIR, KIOSK_APP_LAYOUT } from '../kiosk/main/layout';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the bundles land inside the output folder; electron-builder.yml names the same paths under dist/. */
export const OUTPUTS = {
  cli: 'seatpilot.cjs',
  sqliteMigrations: 'sql/migrations',
  /** The Electron app's folder, laid out as kiosk/main/layout.ts says, and its entry point (package.json "main"). */
  kioskApp: KIOSK_APP_DIR,
  kioskMain: `${KIOSK_APP_DIR}/${KIOSK_APP_LAYOUT.main}`,
} as const;

export interface BuildReport {
  outDir: string;
  /** What was written, relative to outDir. */
  built: string[];
}

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

export async function buildAll(opts: { outDir?: string } = {}): Promise<BuildReport> {
  const outDir = opts.outDir ?? join(ROOT, 'dist');
  const report: BuildReport = { outDir, built: [] };
  mkdirSync(outDir, { recursive: true });

  // The box CLI, with its SQLite migrations beside it in dist/sql.
  await build({
    ...NODE_BUNDLE,
    entryPoints: [join(ROOT, 'build', 'box-cli.ts')],
    outfile: join(outDir, OUTPUTS.cli),
    ...importMetaFor('sql'),
  });
  cpSync(join(ROOT, 'venue-store', 'migrations'), join(outDir, OUTPUTS.sqliteMigrations), { recursive: true });
  report.built.push(OUTPUTS.cli, OUTPUTS.sqliteMigrations);

  // The kiosk app: the kiosk's own builder, so there is one layout and one way to make it.
  const kiosk = await buildElectron(join(outDir, OUTPUTS.kioskApp));
  report.built.push(...kiosk.map((p) => `${OUTPUTS.kioskApp}/${p}`));
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const report = await buildAll(outIdx >= 0 && args[outIdx + 1] ? { outDir: args[outIdx + 1] } : {});
  for (const b of report.built) console.log(`built ${relative(ROOT, join(report.outDir, b))}`);
}
