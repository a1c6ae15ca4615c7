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

  it('keeps the audit log append-only for the owner too', async () => {
    await recordAudit(s.owner, { channel: 'cli', actorId: null, actor: 'cli:test' }, { tenantId: a, action: 'venue.create', entity: 'venue' });
    expect(await s.owner.query('SELECT count(*)::int AS n FROM console.audit_log')).toEqual([{ n: 1 }]);
    await expect(s.owner.query(`UPDATE console.audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(s.owner.query('DELETE FROM console.audit_log')).rejects.toThrow(/append-only/);
    await expect(s.owner.query('TRUNCATE console.audit_log')).rejects.toThrow(/append-only/);
    expect(await s.owner.query('SELECT actor FROM console.audit_log')).toEqual([{ actor: 'cli:test' }]);
  });
});
