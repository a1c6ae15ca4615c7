// The console's venue and occasion API through the real app on PGlite and on the real PostgreSQL: roles, tenant
// isolation, the CLI's occasion checks with the API's field names, audit entries, and an edit reaching the hub's sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Occasion, Venue } from '../../../core/console/guests';
import type { Caller } from '../../../protocol/store';
import { addDevice } from '../../admin';
import { buildApp, type CloudApp } from '../../app';
import { importGuests } from '../../guestlist/import-guests';
import { PgSyncStore } from '../../guestlist/sync-store';
import { backends, freshDatabase, type TestDatabase } from '../../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant } from '../../../tests/fixtures/console';

describe.each(backends())('console venue and occasion API on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let A: ConsoleTenant;
  let B: ConsoleTenant;
  const call = (who: Parameters<typeof asUser>[1], method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    asUser(cloud.app, who, { method, url: `/console/api${url}`, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const audit = (action: string) => t.db.query<{ tenant_id: string; actor: string; entity_id: string; before: unknown; after: unknown }>('SELECT tenant_id, actor, entity_id, before, after FROM console.audit_log WHERE action = $1 ORDER BY id', [action]);
  const input = (venueId: string, extra: Record<string, unknown> = {}) => ({ venue_id: venueId, name: 'Spring ball', starts_at: '2027-03-20T19:00:00+01:00', ends_at: '2027-03-21T01:00:00+01:00', timezone: 'Europe/Madrid', reentry_policy: 'after_exit', ...extra });

  beforeAll(async () => {
    t = await freshDatabase(backend);
    A = await consoleTenant(t.db, 'A');
    B = await consoleTenant(t.db, 'B');
    await importGuests(t.db, { venueId: A.venueId, occasionId: A.occasionId, csv: 'guest_id,name,barcode\ng1,One,B1\ng2,Two,B2\ng3,Three,B3\n' });
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
  }, 120_000);
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  it('lists only the tenant\'s venues to every role; only the owner adds and renames one, audited', async () => {
    for (const who of [A.owner, A.planner, A.viewer]) {
      const res = await call(who, 'GET', '/venues');
      expect(res.statusCode).toBe(200);
      expect((res.json() as { venues: Venue[] }).venues.map((v) => v.id)).toEqual([A.venueId]);
    }
    expect((await call(A.planner, 'POST', '/venues', { name: 'Annex' })).statusCode).toBe(403);
    expect((await call(A.viewer, 'POST', '/venues', { name: 'Annex' })).statusCode).toBe(403);
    const added = await call(A.owner, 'POST', '/venues', { name: '  Annex ' });
    expect(added.statusCode, added.body).toBe(201);
    const annex = added.json() as Venue;
    expect(annex).toMatchObject({ name: 'Annex', created_at: expect.stringMatching(/Z$/) });
    expect((await call(A.owner, 'POST', '/venues', { name: '' })).statusCode).toBe(400);
    expect((await call(A.planner, 'PATCH', `/venues/${annex.id}`, { name: 'Annexe' })).statusCode).toBe(403);
    expect((await call(B.owner, 'PATCH', `/venues/${annex.id}`, { name: 'Mine now' })).statusCode).toBe(404);
    const renamed = await call(A.owner, 'PATCH', `/venues/${annex.id}`, { name: 'Annexe' });
    expect(renamed.json()).toMatchObject({ id: annex.id, name: 'Annexe' });
    expect((await call(B.owner, 'GET', '/venues')).json().venues.map((v: Venue) => v.id)).toEqual([B.venueId]);
    expect(await audit('venue.add')).toEqual([{ tenant_id: A.tenantId, actor: A.owner.account.email, entity_id: annex.id, before: null, after: { name: 'Annex' } }]);
    expect(await audit('venue.update')).toEqual([{ tenant_id: A.tenantId, actor: A.owner.account.email, entity_id: annex.id, before: { name: 'Annex' }, after: { name: 'Annexe' } }]);
  });

  it('lists occasions with their guest counts, per venue or all; another tenant\'s venue or occasion is a 404', async () => {
    const res = await call(A.viewer, 'GET', `/occasions?venue_id=${A.venueId}`);
    expect(res.statusCode).toBe(200);
    expect((res.json() as { occasions: Occasion[] }).occasions).toEqual([
      { id: A.occasionId, venue_id: A.venueId, name: 'A gala', starts_at: '2026-12-31T18:00:00.000Z', ends_at: '2027-01-01T03:00:00.000Z', timezone: 'Europe/Madrid', reentry_policy: 'single', guests: 3 },
    ]);
    expect((await call(A.viewer, 'GET', '/occasions')).json().occasions.map((o: Occasion) => o.id)).toEqual([A.occasionId]);
    expect((await call(A.viewer, 'GET', `/occasions/${A.occasionId}`)).json()).toMatchObject({ guests: 3 });
    expect((await call(B.planner, 'GET', `/occasions?venue_id=${A.venueId}`)).statusCode).toBe(404);
    expect((await call(B.planner, 'GET', `/occasions/${A.occasionId}`)).statusCode).toBe(404);
    expect((await call(B.planner, 'GET', '/occasions')).json().occasions.map((o: Occasion) => o.id)).toEqual([B.occasionId]);
  });

  it('adds an occasion as a planner with the CLI\'s checks in the API\'s words; a viewer or tenant B cannot', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ starts_at: 'tomorrow' }, 'starts_at "tomorrow" is not an RFC 3339 date-time with an offset'],
      [{ ends_at: '2027-03-20T18:00:00+01:00' }, 'ends_at must be after starts_at'],
      [{ timezone: 'Mars/Olympus' }, 'timezone "Mars/Olympus" is not an IANA time zone'],
      [{ name: '   ' }, 'name must be 1–200 characters'],
    ];
    for (const [extra, message] of refusals) {
      const res = await call(A.planner, 'POST', '/occasions', input(A.venueId, extra));
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      expect(res.json(), JSON.stringify(extra)).toMatchObject({ error: 'bad_request', message: expect.stringContaining(message) });
    }
    expect((await call(A.planner, 'POST', '/occasions', input(A.venueId, { reentry_policy: 'twice' }))).statusCode).toBe(400);
    expect((await call(A.viewer, 'POST', '/occasions', input(A.venueId))).statusCode).toBe(403);
    expect((await call(B.planner, 'POST', '/occasions', input(A.venueId))).statusCode).toBe(404);
    const res = await call(A.planner, 'POST', '/occasions', input(A.venueId));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ venue_id: A.venueId, name: 'Spring ball', starts_at: '2027-03-20T18:00:00.000Z', reentry_policy: 'after_exit', guests: 0 });
    expect(await audit('occasion.add')).toEqual([expect.objectContaining({ tenant_id: A.tenantId, actor: A.planner.account.email, entity_id: res.json().id, after: expect.objectContaining({ name: 'Spring ball', timezone: 'Europe/Madrid' }) })]);
  });

  it('edits an occasion, checked against what is stored; the edit reaches the hub through the sync', async () => {
    const agent = await addDevice(t.db, A.venueId, 'agent');
    const caller: Caller = { keyId: agent.key_id, tenantId: agent.tenant_id, venueId: agent.venue_id, deviceId: agent.device_id, deviceKind: 'agent' };
    const store = new PgSyncStore(t.db);
    const { cursor } = await store.changesSince(caller, undefined, 1000);
    const late = await call(A.planner, 'PATCH', `/occasions/${A.occasionId}`, { starts_at: '2027-01-01T04:00:00Z' });
    expect(late.statusCode).toBe(400);
    expect(late.json().message).toBe('ends_at must be after starts_at');
    expect((await call(A.viewer, 'PATCH', `/occasions/${A.occasionId}`, { name: 'X' })).statusCode).toBe(403);
    expect((await call(B.planner, 'PATCH', `/occasions/${A.occasionId}`, { name: 'X' })).statusCode).toBe(404);
    expect((await call(A.planner, 'PATCH', `/occasions/${A.occasionId}`, {})).statusCode).toBe(400);
    const res = await call(A.planner, 'PATCH', `/occasions/${A.occasionId}`, { name: 'A grand gala', reentry_policy: 'unlimited' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'A grand gala', reentry_policy: 'unlimited', guests: 3 });
    const after = await store.changesSince(caller, cursor, 1000);
    expect(after.changes).toEqual([expect.objectContaining({ kind: 'occasion', occasion: expect.objectContaining({ id: A.occasionId, name: 'A grand gala', reentry_policy: 'unlimited' }) })]);
    expect(await audit('occasion.update')).toEqual([expect.objectContaining({ before: { name: 'A gala', reentry_policy: 'single' }, after: { name: 'A grand gala', reentry_policy: 'unlimited' } })]);
    // The same values again change nothing: nothing to sync, nothing audited.
    await call(A.planner, 'PATCH', `/occasions/${A.occasionId}`, { name: 'A grand gala' });
    expect((await store.changesSince(caller, after.cursor, 1000)).changes).toEqual([]);
    expect(await audit('occasion.update')).toHaveLength(1);
  });
});
