// `seatpilot demo` keeps its data folder its owner's alone, even under umask 000: no file or folder readable, writable
// or enterable by group or others once it is up, and no device secret readable in the cloud's or the hub's database
// files (they hold sealed values; the key file is beside those folders).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, seatpilot, type Proc } from './procs';
import { sharedEntries } from '../node-kit/private-files';
import type { DemoState } from '../cli/demo';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('seatpilot demo data folder', () => {
  let umask: number;
  let demo: Proc | undefined;
  beforeAll(() => {
    // The child inherits it: nothing may rely on the umask.
    umask = process.umask(0o000);
  });
  afterAll(async () => {
    await demo?.kill('SIGINT');
    process.umask(umask);
  });

  it('has no file or folder with group or other permission bits once it is up, and no plaintext device secret in a database', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'sp-demo-modes-')), 'data');
    const [cloud, agent, kiosk] = [await freePort(), await freePort(), await freePort()];
    demo = seatpilot(['demo', '--data', data, '--cloud-port', String(cloud), '--agent-port', String(agent), '--kiosk-port', String(kiosk)]);
    await demo.waitFor(/SeatPilot demo is running/, 180_000);
    const entries = filesUnder(data);
    expect(entries.length).toBeGreaterThan(900); // the PGlite cluster is in there
    expect(sharedEntries(data)).toEqual([]);
    expect(statSync(join(data, 'seatpilot-secrets.key')).mode & 0o777).toBe(0o600);

    const state = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')) as DemoState;
    const secrets = [state.agent.secret, ...state.kiosks.map((k) => k.hub_secret as string)];
    expect(secrets.every((s) => typeof s === 'string' && s.length > 20)).toBe(true);
    for (const file of [...filesUnder(join(data, 'cloud')), ...filesUnder(join(data, 'agent')).filter((f) => f.includes('agent.sqlite'))]) {
      const bytes = readFileSync(file);
      for (const s of secrets) expect(bytes.includes(s), `${file} holds a device secret`).toBe(false);
    }
  }, 300_000);
});
