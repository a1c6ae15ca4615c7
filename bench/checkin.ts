// `npm run bench:checkin [-- --dir DIR] [--guests N] [--checkins N] [--searches N]`: bundles bench/checkin-workload.ts
// and runs it in plain Node, so the RSS figure is that of kiosk code as shipped (bundled), not of the TypeScript loader
// this script runs under (tsx alone adds about 35 MB). Relays the workload's one JSON line.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { bundleEntry } from '../tests/bundle-entry';

const root = resolve(import.meta.dirname, '..');
const outfile = await bundleEntry('bench/checkin-workload.ts', join(root, 'data', 'bench-build'));
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`bench:checkin: the workload failed (exit ${run.status ?? run.signal})`);
  process.exit(1);
}
process.stdout.write(run.stdout);
