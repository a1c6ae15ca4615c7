// Each venue's hub audit chain on the console's audit page (GET /console/api/audit/venues, issue 20), through the real
// app on PGlite and on the real PostgreSQL: intact, incomplete (entries still on their way) with the first missing
// one, broken naming the entry; another tenant sees only its own venues. Rows are written as the owner, as the
// cloud's ingest of audit.entry would (telemetry.venue_audit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VenueAuditChainListSchema, type VenueAuditChainList } from '../../../core/console/desk';
import { ajv } from '../../../core/contract/validate';
import { runCli } from '../../../tests/cli-run';
import { cloudCliJson } from '../../../tests/cloud-cli';
import type { CloudApp } from '../../app';
import { cloudCommand } from '../../cli';
import { backends, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, closeConsoleWorld, consoleWorld, type ConsoleTenant } from '../../../tests/fixtures/console';
import { insertVenueAudit, venueAuditRows } from '../../../tests/fixtures/desk-console';

const validChains = ajv.compile(VenueAuditChainListSchema);

describe.each(backends())('venue audit chains in the console on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  const app = () => cloud.app;

  beforeAll(async () => {
    ({ t, A, B, cloud } = await consoleWorld(backend));
  }, 120_000);
  afterAll(() => closeConsoleWorld({ t, cloud }));

  it('shows each venue\'s hub audit chain: intact, incomplete with the first missing entry, broken naming the entry', async () => {
    const chains = async (who = A.viewer) => {
      const res = await asUser(app(), who, { method: 'GET', url: '/console/api/audit/venues' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<VenueAuditChainList>();
      expect(validChains(body)).toBe(true);
      return body.venues;
    };
    expect(await chains()).toEqual([{ venue_id: A.venueId, venue_name: expect.any(String), entries: 0, state: 'intact', first_missing_seq: null, broken: null }]);
    const rows = await venueAuditRows(A.venueId, 6);
    // Entry 4 is still on its way (never received).
    await insertVenueAudit(t.db, A.tenantId, rows.filter((r) => r.seq !== 4));
    expect(await chains()).toMatchObject([{ entries: 5, state: 'incomplete', first_missing_seq: 4, broken: null }]);
    await insertVenueAudit(t.db, A.tenantId, rows.filter((r) => r.seq === 4));
    expect(await chains()).toMatchObject([{ entries: 6, state: 'intact', first_missing_seq: null }]);

    // Another tenant's venue: its own chain only, and a forged entry there (its after changed, the hash kept) is named.
    const forged = (await venueAuditRows(B.venueId, 3)).map((r) => (r.seq === 2 ? { ...r, after_json: JSON.stringify({ table_id: 'T99', note: 'müde' }) } : r));
    await insertVenueAudit(t.db, B.tenantId, forged);
    expect(await chains(B.owner)).toEqual([{
      venue_id: B.venueId, venue_name: expect.any(String), entries: 1, state: 'broken', first_missing_seq: null,
      broken: { seq: 2, at: forged[1]!.at, action: 'checkin', reason: 'altered' },
    }]);
    expect(await chains()).toMatchObject([{ venue_id: A.venueId, state: 'intact' }]);
  });

  /** `seatpilot cloud audit verify --venue …` in this process: its JSON line, and the CliError it ended with, if any. */
  const verifyCli = (args: string[]) => cloudCliJson(t.db, ['audit', 'verify', ...args]);

  it('seatpilot cloud audit verify --venue: one JSON line, exit 0 when intact, exit 1 naming the broken entry', async () => {
    const ok = await verifyCli(['--venue', A.venueId]);
    expect(ok.error).toBeUndefined();
    expect(ok.results).toEqual([{ venue_id: A.venueId, tenant_id: A.tenantId, entries: 6, state: 'intact', first_missing_seq: null, broken: null }]);
    const bad = await verifyCli(['--venue', B.venueId]);
    expect(bad.results[0]).toMatchObject({ venue_id: B.venueId, state: 'broken', broken: { seq: 2, reason: 'altered' } });
    expect(bad.error?.exitCode).toBe(1);
    expect(bad.error?.message).toMatch(new RegExp(`venue ${B.venueId} is broken at entry seq 2 \\(checkin, 2026-12-01T19:00:02.000Z\\): altered`));
    const unknown = await cloudCommand(['audit', 'verify', '--venue', 'no-such-venue'], t.db).then(() => null, (e: Error) => e);
    expect(unknown?.message).toContain('no venue "no-such-venue"');
    // The real `seatpilot` process on Postgres (PGlite's folder is held by this process).
    if (t.url) {
      const child = await runCli(['cloud', 'audit', 'verify', '--venue', B.venueId], { DATABASE_URL: t.url });
      expect(child.code).toBe(1);
      expect(JSON.parse(child.stdout.trim())).toMatchObject({ venue_id: B.venueId, state: 'broken', broken: { seq: 2 } });
      expect(child.stderr).toContain('broken at entry seq 2 (checkin');
      const good = await runCli(['cloud', 'audit', 'verify', '--venue', A.venueId], { DATABASE_URL: t.url });
      expect(good.code).toBe(0);
    }
  }, 60_000);
});
