// The admin CLI and the service, as venue IT and cloud ops run them: real child processes on PGlite and on Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, runCli, startCli } from '../tests/cli-run';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { signRequest } from '../core/signing';
import { batchOf, checkinEvent } from '../tests/signed';

describe.each(backends())('seatpilot cloud admin commands on %s', (backend) => {
  let t: TestDatabase | undefined;
  let args: string[] = [];
  let env: Record<string, string | undefined> = {};

  beforeAll(async () => {
    if (backend === 'postgres') {
      t = await freshDatabase('postgres', { migrate: false });
      env = { DATABASE_URL: t.url };
    } else {
      args = ['--data', mkdtempSync(join(tmpdir(), 'sp-cloud-cli-'))];
      env = { DATABASE_URL: undefined };
    }
  });
  afterAll(async () => t?.drop());

  const json = async (cmd: string[]) => {
    const r = await runCli(['cloud', ...cmd, ...args], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('creates a tenant, venue and device, rotates and revokes keys, and serves signed ingest', async () => {
    expect((await json(['migrate'])).version).toBeGreaterThanOrEqual(1);
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

    // The service on the same database: the old key still works (24 h), the revoked one does not. Secrets never in its logs.
    const svc = await startCli(['cloud', '--port', '0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/, { ...env, LOG_LEVEL: 'debug' });
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

  it('exits non-zero with a clear message on bad input', async () => {
    const missing = await runCli(['cloud', 'tenant', 'add', ...args], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name is required');
    const noVenue = await runCli(['cloud', 'device', 'add', '--venue', 'ven_nope', '--kind', 'kiosk', ...args], env);
    expect(noVenue.code).toBe(1);
    expect(noVenue.stderr).toContain('no venue "ven_nope"');
    const unknown = await runCli(['cloud', 'frobnicate', ...args], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });
});
