// Each venue's hub audit chain on the console's audit page (GET /console/api/audit/venues, issue 20), through the real
// app on PGlite and on the real PostgreSQL: intact, incomplete (entries still on their way) with the first missing
// one, broken naming the entry; another tenant sees only its own venues. Rows are written as the owner, as the
// cloud's ingest of audit.entry would (telemetry.venue_audit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VenueAuditChainListSchema, type VenueAuditChainList } from '../../../core/console/desk';
import { ajv } from '../../../core/contract/validate';
import type { CloudApp } from '../../app';
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
});
