// `seatpilot agent pair-tablet | tablet | beacon-tag` as a child process against an agent's SQLite file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../venue-store/open';
import { guestChange, occasionChange, page } from '../../tests/fixtures/sync-fixtures';
import { runCli } from '../../tests/cli-run';
import { SqliteOutbox } from '../../venue-store/outbox';
import { AgentStore } from '../store';
import { TabletStore } from './store';

describe('seatpilot agent tablet commands', () => {
  it('pairs, lists, revokes tablets and assigns beacon tags, with clear errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-tablet-cli-'));
    const config = join(dir, 'agent.json');
    writeFileSync(config, JSON.stringify({ venue_id: 'ven_1', device_id: 'dev_agent', database: 'agent.sqlite' }));
    const { db } = openStore(join(dir, 'agent.sqlite'));
    new AgentStore(db, 'ven_1').applyCloudPage(page([occasionChange(1), guestChange(2, { id: 'g1', name: 'Ana', table_id: 't1' })]));
    db.close();

    const bad = await runCli(['agent', 'pair-tablet', '--config', config, '--ttl-minutes', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ttl-minutes must be a whole number from 1 to 1440; got "soon"/);
    const badRole = await runCli(['agent', 'pair-tablet', '--config', config, '--role', 'owner']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role is "steward" or "supervisor"; got "owner"/);

    const pair = await runCli(['agent', 'pair-tablet', '--config', config, '--label', 'Table 1']);
    expect(pair.code).toBe(0);
    const code = JSON.parse(pair.stdout) as { code: string; label: string; expires_at: string };
    expect(code).toMatchObject({ label: 'Table 1', role: 'steward', host: false, code: expect.stringMatching(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/) });
    expect(Date.parse(code.expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);

    // Redeem it as a tablet would (the store the agent runs), then list and revoke from the CLI.
    const { db: db2 } = openStore(join(dir, 'agent.sqlite'));
    const store2 = new TabletStore(db2, new SqliteOutbox(db2), { venueId: 'ven_1', deviceId: 'dev_agent', undoMs: 0 });
    const paired = store2.redeemPairingCode(code.code);
    const host = await runCli(['agent', 'pair-tablet', '--config', config, '--label', 'Host', '--role', 'supervisor', '--host']);
    expect(JSON.parse(host.stdout)).toMatchObject({ label: 'Host', role: 'supervisor', host: true });
    const hostPaired = store2.redeemPairingCode((JSON.parse(host.stdout) as { code: string }).code);
    db2.close();
    expect(paired).not.toBeNull();
    const list = await runCli(['agent', 'tablet', 'list', '--config', config]);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: paired!.tablet_id, label: 'Table 1', role: 'steward', host: false, revoked_at: null }),
      expect.objectContaining({ id: hostPaired!.tablet_id, label: 'Host', role: 'supervisor', host: true, revoked_at: null }),
    ]);
    expect(list.stdout).not.toContain(paired!.token.split('.')[1]);
    expect((await runCli(['agent', 'tablet', 'revoke', '--config', config, '--tablet', paired!.tablet_id])).code).toBe(0);
    const again = await runCli(['agent', 'tablet', 'revoke', '--config', config, '--tablet', paired!.tablet_id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no paired tablet .* already revoked/);

    const unknown = await runCli(['agent', 'beacon-tag', 'assign', '--config', config, '--tag', 'ibeacon:x:1:2', '--guest', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no guest "nobody"/);
    const assign = await runCli(['agent', 'beacon-tag', 'assign', '--config', config, '--tag', 'ibeacon:x:1:2', '--guest', 'g1']);
    expect(JSON.parse(assign.stdout)).toEqual({ tag: 'ibeacon:x:1:2', guest_id: 'g1' });
    expect((await runCli(['agent', 'beacon-tag', 'unassign', '--config', config, '--tag', 'ibeacon:x:1:2'])).code).toBe(0);
    expect((await runCli(['agent', 'beacon-tag', 'unassign', '--config', config, '--tag', 'ibeacon:x:1:2'])).stderr).toMatch(/not assigned/);
  }, 240_000); // nine child processes, each loading TypeScript through tsx, on a shared 2-core box
});
