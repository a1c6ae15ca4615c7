// The pairing commands as venue IT types them (child processes): a code from `seatpilot cloud device pair-code` or
// `seatpilot agent pair-code`, exchanged by `seatpilot pair` on the box; usage errors exit 2, refusals exit 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addTenant, addVenue } from '../cloud-sync/admin';
import { openPglite, type Db } from '../cloud-sync/db';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { migratePostgres } from '../sql/migrate';
import { runCli } from '../tests/cli-run';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `sp-paircli-${p}-`));

describe('seatpilot cloud device pair-code → seatpilot pair --cloud', () => {
  let data: string;
  let venue: string;
  let db: Db | undefined;
  let cloud: CloudApp | undefined;

  beforeAll(async () => {
    data = tmp('cloud');
    const setup = await openPglite(data);
    await migratePostgres(setup);
    const tenant = await addTenant(setup, 'Gala Co');
    venue = (await addVenue(setup, tenant.id, 'Grand Hall')).id;
    await setup.close();
  });
  afterAll(async () => {
    await cloud?.app.close();
    await db?.close();
  });

  it('issues a code, pairs the box with it once, and never prints the secret', async () => {
    const issued = await runCli(['cloud', 'device', 'pair-code', '--venue', venue, '--kind', 'agent', '--data', data], { DATABASE_URL: undefined });
    expect(issued.code, issued.stderr).toBe(0);
    const code = JSON.parse(issued.stdout) as { code: string; venue_id: string; kind: string; expires_at: string };
    expect(code).toMatchObject({ venue_id: venue, kind: 'agent' });
    expect(Date.parse(code.expires_at)).toBeGreaterThan(Date.now() + 50 * 60_000);

    // The service on the same data folder (PGlite is one process at a time, so the CLI above has exited).
    db = await openPglite(data);
    cloud = await buildApp({ db });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;

    const dir = tmp('box');
    const paired = await runCli(['pair', '--cloud', url, '--code', code.code, '--config-dir', dir], { SEATPILOT_DEFAULTS_DIR: tmp('nodefaults') });
    expect(paired.code, paired.stderr).toBe(0);
    expect(paired.stdout).toMatch(new RegExp(`^paired: agent dev_\\w+ of venue ${venue}; key key_\\w+ written to ${join(dir, 'agent.json')} \\(mode 0600\\)`));
    const written = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')) as { cloud: { secret: string } };
    expect(statSync(join(dir, 'agent.json')).mode & 0o777).toBe(0o600);
    expect(paired.stdout + paired.stderr).not.toContain(written.cloud.secret);

    const again = await runCli(['pair', '--cloud', url, '--code', code.code, '--config-dir', tmp('box2')]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('seatpilot pair: pairing refused: this pairing code was already used; ask for a new one (each code pairs one box)');
  });

  it('rejects bad options with usage errors', async () => {
    const neither = await runCli(['pair', '--code', 'abcd']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give exactly one of --cloud URL or --agent URL');
    const gateway = await runCli(['cloud', 'device', 'pair-code', '--venue', venue, '--kind', 'gateway', '--data', tmp('unused')], { DATABASE_URL: undefined });
    expect(gateway.code).toBe(2);
    expect(gateway.stderr).toContain('--kind must be kiosk or agent; got "gateway"');
  });
});

describe('seatpilot agent pair-code → seatpilot pair --agent', () => {
  let agent: RunningAgent | undefined;
  afterAll(async () => agent?.close());

  it("pairs a door kiosk to the hub under the device id the code was issued for", async () => {
    const hubDir = tmp('hub');
    const cfg = join(hubDir, 'agent.json');
    writeFileSync(cfg, JSON.stringify({ venue_id: 'ven_cli', device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 } }));
    const issued = await runCli(['agent', 'pair-code', '--config', cfg, '--device', 'dev_north_door', '--ttl-minutes', '15']);
    expect(issued.code, issued.stderr).toBe(0);
    const code = JSON.parse(issued.stdout) as { code: string; device_id: string; venue_id: string; expires_at: string };
    expect(code).toMatchObject({ device_id: 'dev_north_door', venue_id: 'ven_cli', kind: 'kiosk' });
    expect(Date.parse(code.expires_at)).toBeLessThan(Date.now() + 16 * 60_000);

    // The hub running on the same SQLite file serves the exchange.
    agent = await startAgent({ config: { venue_id: 'ven_cli', device_id: 'dev_hub', listen: { host: '127.0.0.1', port: 0 } }, databaseFile: join(hubDir, 'agent.sqlite') });
    const box = tmp('kiosk');
    const paired = await runCli(['pair', '--agent', agent.url, '--code', code.code.toUpperCase(), '--config-dir', box, '--json']);
    expect(paired.code, paired.stderr).toBe(0);
    expect(JSON.parse(paired.stdout)).toMatchObject({ kind: 'kiosk', device_id: 'dev_north_door', venue_id: 'ven_cli', file: join(box, 'kiosk.json') });

    const missing = await runCli(['agent', 'pair-code', '--config', cfg]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--device is required');
  });
});
