// `npm run bench:checkin [-- --dir DIR] [--guests N] [--checkins N] [--searches N]`: bundles bench/checkin-workload.ts
// with esbuild and runs it in plain Node, so the RSS figure is that of kiosk code as shipped (bundled), not of the
// TypeScript loader this script runs under (tsx alone adds about 35 MB). Relays the workload's one JSON line.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'data', 'bench-build');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'checkin-workload.mjs');
await build({
  entryPoints: [join(root, 'bench/checkin-workload.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // Bundled CommonJS dependencies (ajv) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
// sql/migrate.ts finds the SQLite migrations beside itself; in the bundle that is the bundle's folder.
cpSync(join(root, 'sql/sqlite'), join(outDir, 'sqlite'), { recursive: true });
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`bench:checkin: the workload failed (exit ${run.status ?? run.signal})`);
  process.exit(1);
}
process.stdout.write(run.stdout);
