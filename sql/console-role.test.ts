// The console's database role on a database set up as Supabase sets one up (real PostgreSQL): a migrating owner that
// is not a superuser can make seatpilot_console and switch to it per request; Supabase's API login cannot; and under
// it a tenant sees and changes only its own rows, while the audit log stays append-only for the owner too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres } from './migrate';
import { addTenant, addVenue } from '../cloud-sync/admin';
import { scoped } from '../cloud-sync/console/scope';
import { recordAudit } from '../cloud-sync/console/audit';
import { postgresAvailable } from '../tests/pg-backends';
import { supabaseDatabase, type SupabaseDatabase } from '../tests/supabase';
import { failure } from '../tests/rls';

describe.runIf(postgresAvailable())('seatpilot_console on a Supabase-style database', () => {
  let s: SupabaseDatabase;
  let a: string;
  let b: string;

  beforeAll(async () => {
    s = await supabaseDatabase();
    await migratePostgres(s.owner);
    a = (await addTenant(s.owner, 'A')).id;
    b = (await addTenant(s.owner, 'B')).id;
    await addVenue(s.owner, a, 'Hall A');
    await addVenue(s.owner, b, 'Hall B');
  });
  afterAll(async () => s?.drop());

  it('lets the non-superuser owner act as the console for one tenant at a time', async () => {
    const names = await scoped(s.owner, { tenantId: a, accountId: 'acc_x' }, (q) => q.query<{ name: string }>('SELECT name FROM seatpilot.venues ORDER BY name'));
    expect(names).toEqual([{ name: 'Hall A' }]);
    const renamed = await scoped(s.owner, { tenantId: a, accountId: 'acc_x' }, (q) => q.query(`UPDATE seatpilot.venues SET name = 'taken' WHERE tenant_id = $1 RETURNING id`, [b]));
    expect(renamed).toEqual([]);
    expect(await s.owner.query('SELECT name FROM seatpilot.venues WHERE tenant_id = $1', [b])).toEqual([{ name: 'Hall B' }]);
  });

  it('keeps device secrets from the console role', async () => {
    await scoped(s.owner, { tenantId: a, accountId: 'acc_x' }, async (q) => {
      expect(await failure(q, 'SELECT secret FROM seatpilot.device_keys')).toMatch(/permission denied/);
      expect(await failure(q, 'SELECT password_hash FROM console.accounts')).toMatch(/permission denied/);
    });
  });

  it('cannot be reached from the Data API, whatever the JWT says', async () => {
    await expect(s.asApi('authenticated', { role: 'seatpilot_console', tenant_id: a }, async (q) => q.query(`SELECT set_config('role', 'seatpilot_console', true)`)))
      .rejects.toThrow(/permission denied/);
  });

  it('keeps each tenant\'s layouts to itself (sql 0017), telling it only that another venue\'s table id is taken', async () => {
    const [va] = await s.owner.query<{ id: string }>('SELECT id FROM seatpilot.venues WHERE tenant_id = $1', [a]);
    const [vb] = await s.owner.query<{ id: string }>('SELECT id FROM seatpilot.venues WHERE tenant_id = $1', [b]);
    await s.owner.query(`INSERT INTO guestlist.layout_drafts (venue_id, tenant_id, layout, revision) VALUES ($1, $2, '{}', 1), ($3, $4, '{}', 1)`, [va!.id, a, vb!.id, b]);
    await s.owner.query(`INSERT INTO guestlist.seating_tables (id, tenant_id, venue_id, label, capacity, shape, x, y, w, h, version) VALUES ('tbl_of_b', $1, $2, 'B1', 4, 'round', 0, 0, 1, 1, 0)`, [b, vb!.id]);
    await scoped(s.owner, { tenantId: a, accountId: 'acc_x' }, async (q) => {
      expect(await q.query('SELECT venue_id FROM guestlist.layout_drafts')).toEqual([{ venue_id: va!.id }]);
      expect(await q.query(`UPDATE guestlist.layout_drafts SET revision = 9 WHERE venue_id = $1 RETURNING venue_id`, [vb!.id])).toEqual([]);
      expect(await failure(q, `INSERT INTO guestlist.layout_versions (tenant_id, venue_id, version, layout) VALUES ($1, $2, 1, '{}')`, [b, vb!.id])).toMatch(/row-level security/);
      expect(await failure(q, 'DELETE FROM guestlist.layout_images')).toMatch(/permission denied/);
      expect(await q.query('SELECT id FROM guestlist.seating_tables WHERE id = $1', ['tbl_of_b'])).toEqual([]);
      expect(await q.query('SELECT guestlist.table_ids_of_other_venues($1, $2::text[]) AS id', [va!.id, ['tbl_of_b', 'tbl_free']])).toEqual([{ id: 'tbl_of_b' }]);
    });
    await expect(s.asApi('authenticated', { role: 'authenticated', tenant_id: a }, (q) => q.query(`SELECT guestlist.table_ids_of_other_venues('x', '{}')`))).rejects.toThrow(/permission denied/);
  });

  it('keeps the audit log append-only for the owner too', async () => {
    await recordAudit(s.owner, { channel: 'cli', actorId: null, actor: 'cli:test' }, { tenantId: a, action: 'venue.create', entity: 'venue' });
    expect(await s.owner.query('SELECT count(*)::int AS n FROM console.audit_log')).toEqual([{ n: 1 }]);
    await expect(s.owner.query(`UPDATE console.audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(s.owner.query('DELETE FROM console.audit_log')).rejects.toThrow(/append-only/);
    await expect(s.owner.query('TRUNCATE console.audit_log')).rejects.toThrow(/append-only/);
    expect(await s.owner.query('SELECT actor FROM console.audit_log')).toEqual([{ actor: 'cli:test' }]);
  });
});
