// CI runs the smoke test against `seatpilot demo`: the demo started fresh, a check-in, an arrival and a rejection
// through the public APIs, verified in the cloud database and on both /metrics, then a clean Ctrl-C.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from './procs';

describe('npm run smoke -- --start', () => {
  it('passes every step against a freshly started demo, then again against the same data reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-smoke-'));
    for (const round of [1, 2]) {
      const p = runTs('cli/smoke.ts', ['--data', dir, '--start']);
      const code = await p.exited();
      expect(code, `round ${round}:\n${p.out()}`).toBe(0);
      expect(p.out()).toContain('smoke: all steps passed');
      expect(p.out()).toContain('demo stopped cleanly on SIGINT');
    }
    // The demo keeps its keys and admin token in a file only its owner can read.
    expect(statSync(join(dir, 'demo.json')).mode & 0o777).toBe(0o600);
  }, 600_000);
});
