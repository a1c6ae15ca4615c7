// Every change the CLI makes leaves one entry in the console's audit, as `cli:<os user>`, on PGlite (--data) and on the
// real PostgreSQL, the entries read back from console.audit_log. `tenant add` and `guests import` are real child
// processes on realProcessBackend(); the other commands run in-process on the same database
// (tests/fixtures/cli-inprocess.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliOnBackend, realProcessBackend } from '../../tests/fixtures/cli-inprocess';
import { backends } from '../../tests/pg-backends';

describe.each(backends())('CLI changes in the audit on %s', (backend) => {
  const real = backend === realProcessBackend();
  const dir = mkdtempSync(join(tmpdir(), 'sp-cli-audit-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  /** `run` in-process, `spawned` the real `seatpilot` child process, on this backend's fresh database. */
  const cli = cliOnBackend(backend, () => join(dir, 'data'), { spawnTimeoutMs: 120_000 });
  const { run, spawned } = cli;
  const json = async (cmd: string[], runner = run) => {
    const r = await runner(cmd);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const auditRows = async () => (await cli.db()).query<{ tenant_id: string; channel: string; actor: string; action: string; entity_id: string; after: Record<string, unknown> | null }>(
    'SELECT tenant_id, channel, actor, action, entity_id, after FROM console.audit_log ORDER BY id',
  );

  it('writes one entry per change command, none for a refused one, never a secret or a pairing code', { timeout: 300_000 }, async () => {
    // Before the in-process commands open the database: the child has it alone.
    const tenant = (await json(['tenant', 'add', '--name', 'Audit Co'], real ? spawned : run)).id as string;
    const venue = (await json(['venue', 'add', '--tenant', tenant, '--name', 'Hall'])).id as string;
    const device = await json(['device', 'add', '--venue', venue, '--kind', 'agent']);
    const pair = await json(['device', 'pair-code', '--venue', venue, '--kind', 'kiosk']);
    const occasion = (await json(['occasion', 'add', '--venue', venue, '--name', 'Gala', '--starts', '2026-12-31T19:00:00Z', '--ends', '2027-01-01T03:00:00Z'])).id as string;
    await json(['tables', 'import', '--venue', venue, file('t.csv', 'label,capacity\nT1,4\n')]);
    if (real) await cli.close(); // one process at a time on a PGlite folder: the child's now
    await json(['guests', 'import', '--venue', venue, '--occasion', occasion, file('g.csv', 'guest_id,name,table,barcode\ng1,One,T1,B1\ng2,Two,,B2\n')], real ? spawned : run);
    const refused = await run(['guests', 'import', '--venue', venue, '--occasion', occasion, file('bad.csv', 'guest_id,name,barcode\ng3,,B3\n')]);
    expect(refused.code).toBe(1);
    await json(['guest', 'revoke', '--guest', 'g1']);
    await json(['guest', 'delete', '--guest', 'g2']);
    await json(['key', 'rotate', '--device', device.device_id as string]);
    await json(['key', 'revoke', '--key', device.key_id as string]);

    const rows = await auditRows();
    const me = `cli:${userInfo().username}`;
    expect(rows.map((r) => r.action)).toEqual(['tenant.add', 'venue.add', 'device.add', 'pair_code.issue', 'occasion.add', 'tables.import', 'guests.import', 'guest.revoke', 'guest.delete', 'key.rotate', 'key.revoke']);
    expect(rows.every((r) => r.channel === 'cli' && r.actor === me && r.tenant_id === tenant)).toBe(true);
    expect(rows.find((r) => r.action === 'guests.import')).toMatchObject({ entity_id: occasion, after: { rows: 2, created: 2 } });
    expect(rows.find((r) => r.action === 'guest.revoke')).toMatchObject({ entity_id: 'g1', after: { status: 'revoked' } });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(device.secret as string);
    expect(text).not.toContain(pair.code as string);
  });
});
