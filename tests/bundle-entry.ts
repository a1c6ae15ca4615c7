// Bundles a TypeScript entry point into one ESM file for plain Node (better-sqlite3 left external, the SQLite
// migrations copied beside it, where sql/migrate.ts looks for them). Child processes then start in a fraction of the
// time tsx needs, and run the code the way a shipped kiosk does.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** `outDir` must lie inside the repository: the bundle resolves better-sqlite3 from node_modules above it. */
export async function bundleEntry(entry: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [resolve(ROOT, entry)],
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
  cpSync(join(ROOT, 'venue-store/migrations'), join(outDir, 'migrations'), { recursive: true });
  return outfile;
}
