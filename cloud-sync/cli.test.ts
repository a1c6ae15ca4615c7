// The admin CLI and the service, as venue IT and cloud ops run them, on PGlite and on Postgres. The service is a real
// child process on each backend, and so are `cloud migrate` and one refused command on realProcessBackend() (the bin,
// tsx, parsing and exit code end to end); the other commands run in-process on the same database
// (tests/fixtures/cli-inprocess.ts), which is what makes this file quick.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, startCli } from '../tests/cli-run';
import { cliOnBackend, realProcessBackend } from '../tests/fixtures/cli-inprocess';
import { backends } from '../tests/pg-backends';
import { signRequest } from '../core/signing/signing';
import { batchOf, checkinEvent } from '../tests/signed';
import { billingReport, recordUsage } from './billing/billing';

describe.each(backends())('seatpilot cloud admin commands on %s', (backend) => {
  const real = backend === realProcessBackend();

  /** `run` in-process, `spawned` the real `seatpilot` child process, on this backend's fresh database. */
  const cli = cliOnBackend(backend, () => mkdtempSync(join(tmpdir(), 'sp-cloud-cli-')));
  const { run, spawned } = cli;
  const json = async (cmd: string[], runner = run) => {
    const r = await runner(cmd);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('creates a tenant, venue and device, rotates and revokes keys, and serves signed ingest', async () => {
    // On realProcessBackend() the real command migrates the empty database, before the in-process ones open it.
    expect((await json(['migrate'], real ? spawned : run)).version).toBeGreaterThanOrEqual(1);
    const tenant = await json(['tenant', 'add', '--name', 'Gala Co']);
    expect(tenant.id).toMatch(/^ten_/);
    const venue = await json(['venue', 'add', '--tenant', tenant.id!, '--name', 'Grand Hall']);
    const device = await json(['device', 'add', '--venue', venue.id!, '--kind', 'kiosk']);
    expect(device).toMatchObject({ tenant_id: tenant.id, venue_id: venue.id, kind: 'kiosk' });
    expect(device.key_id).toMatch(/^key_/);
    expect(device.secret!.length).toBeGreaterThanOrEqual(40);
    const rotated = await json(['key', 'rotate', '--device', device.device_id!]);
    expect(rotated.key_id).not.toBe(device.key_id);
    expect(new Date(rotated.previous_keys_expire_at!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(await json(['key', 'revoke', '--key', rotated.key_id!])).toEqual({ key_id: rotated.key_id, status: 'revoked' });
    await cli.close(); // one process at a time on a PGlite folder: the service's now

    // The service on the same database: the old key still works (24 h), the revoked one does not. Secrets never in its logs.
    const svc = await startCli(['cloud', '--port', '0', ...cli.args], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { ...cli.env, LOG_LEVEL: 'debug' });
    try {
      const base = svc.match[1]!;
      const send = async (key: { key_id: string; secret: string }) => {
        const body = batchOf([checkinEvent({ venue_id: venue.id!, device_id: device.device_id! })]);
        const headers = await signRequest({ keyId: key.key_id, secret: key.secret, method: 'POST', pathWithQuery: '/v1/events', body });
        return fetch(`${base}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
      };
      const ok = await send(device as { key_id: string; secret: string });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ accepted: 1 });
      const revoked = await send(rotated as { key_id: string; secret: string });
      expect(revoked.status).toBe(401);
      expect(await revoked.json()).toMatchObject({ error: 'revoked_key' });
      expect((await fetch(`${base}/health`)).status).toBe(200);
      svc.child.kill('SIGTERM');
      expect(await exited(svc.child)).toBe(0);
      expect(svc.output()).not.toContain(device.secret);
      expect(svc.output()).not.toContain(rotated.secret);
      expect(svc.output()).not.toMatch(/v1=[0-9a-f]{64}/);
    } finally {
      svc.child.kill('SIGKILL');
    }
  }, 180_000);

  it('manages plans and puts a tenant on one; the billing report prices its month by it', async () => {
    const tenant = await json(['tenant', 'add', '--name', 'Plan Co']);
    const bare = await json(['tenant', 'add', '--name', 'No Plan Co']);
    const plan = ['plan', 'set', '--id', 'pro', '--name', 'Pro', '--price-cents', '25000', '--monthly-events', '50000', '--devices', '20', '--venues', '3'];
    expect(await json([...plan, '--overage-cents-per-1000', '40'])).toMatchObject({ id: 'pro', priceCents: 25_000, eventsPerMonth: 50_000, overageCentsPer1000: 40 });
    await json([...plan.slice(0, 7), '26000', ...plan.slice(8)]); // set again: a change, not a second plan
    const list = (await run(['plan', 'list'])).stdout;
    expect(JSON.parse(list)).toEqual([{ id: 'pro', name: 'Pro', priceCents: 26_000, eventsPerMonth: 50_000, devices: 20, venues: 3, overageCentsPer1000: 0 }]);
    expect(await json(['tenant', 'plan', '--tenant', tenant.id!, '--plan', 'pro', '--devices', '25'])).toEqual({ tenant_id: tenant.id, plan_id: 'pro', overrides: { devices: 25 } });
    const [row] = await t0Usage(tenant.id!, bare.id!);
    expect(row).toMatchObject({ tenant_id: tenant.id, plan_id: 'pro', price_cents: 26_000, devices_included: 25, events: 12 });
    // A tenant on no plan still shows, with its usage and no plan.
    const noPlan = JSON.parse((await run(['billing', 'report', '--tenant', bare.id!])).stdout) as { plan_id: string | null; events: number }[];
    expect(noPlan).toEqual([expect.objectContaining({ plan_id: null, events: 3 })]);

    for (const [cmd, message] of [
      [['tenant', 'plan', '--tenant', tenant.id!, '--plan', 'gold'], 'no plan "gold"'],
      [['tenant', 'plan', '--tenant', 'ten_nope', '--plan', 'pro'], 'no tenant "ten_nope"'],
      [['tenant', 'plan', '--tenant', tenant.id!], '--plan is required'],
      [['plan', 'set', '--id', 'x', '--name', 'X', '--price-cents', '12.5', '--monthly-events', '1', '--devices', '1', '--venues', '1'], '--price-cents must be a whole number'],
      [['plan', 'set', '--id', 'x', '--name', 'X', '--price-cents', '1', '--devices', '1', '--venues', '1'], '--monthly-events is required'],
      [['plan', 'frob'], 'unknown plan action "frob"'],
      [['billing', 'closez', '--month', '2026-01'], 'unknown billing action "closez"'],
    ] as const) {
      const r = await run([...cmd]);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  }, 180_000);

  /** Usage of this month for two tenants, as ingest meters it, in the database the commands use; then the report. */
  async function t0Usage(onPlan: string, bare: string) {
    const db = await cli.db();
    await db.tx(async (q) => {
      await recordUsage(q, { tenantId: onPlan, venueId: 'v', deviceIds: ['d'], accepted: 12, rejected: 0 });
      await recordUsage(q, { tenantId: bare, venueId: 'w', deviceIds: ['e'], accepted: 3, rejected: 0 });
    });
    return billingReport(db, { tenantId: onPlan });
  }

  it('exits non-zero with a clear message on bad input', async () => {
    // On realProcessBackend() the real process: the dispatcher prints the message and exits with the command's code.
    const missing = await (real ? spawned : run)(['tenant', 'add']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('seatpilot cloud: --name is required');
    // In-process, the same command ends the same way: what the other tests' in-process runs stand on.
    if (real) expect(await run(['tenant', 'add'])).toEqual(missing);
    const noVenue = await run(['device', 'add', '--venue', 'ven_nope', '--kind', 'kiosk']);
    expect(noVenue.code).toBe(1);
    expect(noVenue.stderr).toContain('no venue "ven_nope"');
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });
});
