// Test helper for suites that need a system tool (shellcheck, promtool, systemd-notify…). Under CI=true a missing tool
// fails the suite, naming the tool and the Debian package that brings it, as a missing TEST_DATABASE_URL does
// (tests/pg-backends.ts): CI must never pass by skipping. Elsewhere the suite skips, saying what to install.
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The tool's path on PATH (or in /usr/bin, /usr/local/bin), or undefined. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(':').filter(Boolean).concat(['/usr/bin', '/usr/local/bin']);
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The tool's path, or undefined when it is missing and this is not CI (the caller skips; a warning says why).
 * Throws under CI=true when it is missing.
 */
export function requireTool(name: string, debianPackage: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = findTool(name, env);
  if (path) return path;
  const install = `apt-get install ${debianPackage}`;
  if (env.CI === 'true') throw new Error(`CI=true but ${name} is not installed (Debian package ${debianPackage}: ${install}); the suites that need it must run in CI, never be skipped`);
  console.warn(`skipped: ${name} is not installed (Debian package ${debianPackage}: ${install})`);
  return undefined;
}
