// What Supabase's roles may do in our database, proved as those roles: anon nothing, authenticated its own tenant's
// rows read-only, service_role every tenant's rows read-only, nobody but the owner the migration bookkeeping. Once on
// every backend against the list below, and on the real PostgreSQL set up as a Supabase project (a non-superuser
// owner, the API roles, PostgREST's authenticator, public's default privileges) through the sessions PostgREST and
// Supabase Auth open, including a database an older build migrated with its bookkeeping in public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openPostgres, type Queryable } from '../cloud-sync/db';
import { loadMigrations, migratePostgres, migrationsDir, type Migration } from './migrate';
import { backends, freshDatabase, postgresAvailable, type TestDatabase } from '../tests/pg-backends';
import { supabaseDatabase, type SupabaseDatabase } from '../tests/supabase';
import { failure } from '../tests/rls';
import { checkin, insertEvents, seedTenant } from '../tests/fixtures/kpi-fixtures';
import { refreshKpiView } from '../cloud-sync/kpi/kpi';

// What authenticated reads (its tenant's rows, by RLS or the claim filter of the view) and service_role reads (all).
const CLIENT_READS = [
  'billing.entitlements', 'billing.month_closes', 'billing.plans', 'billing.usage_devices', 'billing.usage_monthly',
  'billing.v_tenant_billing_report', 'billing.v_usage_priced',
  'guestlist.credentials', 'guestlist.floor_plans', 'guestlist.guest_notes', 'guestlist.guest_seating', 'guestlist.guests',
  'guestlist.layout_drafts', 'guestlist.layout_versions', 'guestlist.occasions', 'guestlist.seat_conflicts',
  'guestlist.seating_relations', 'guestlist.seating_table_tags', 'guestlist.seating_tables',
  'telemetry.double_admissions', 'telemetry.events_dlq', 'telemetry.events_raw', 'telemetry.v_event_counts_last_hour',
  'telemetry.v_kpi_checkin', 'telemetry.v_kpi_door2seat', 'telemetry.v_mv_staleness', 'telemetry.v_rejected_events_last_hour', 'telemetry.venue_audit',
];
const SERVICE_ROLE_READS = ['telemetry.mv_kpi_checkin', 'telemetry.mv_kpi_door2seat', 'telemetry.mv_refresh_log'];
const CLIENT_ROLES = ['anon', 'authenticated', 'service_role', 'supabase_auth_admin'];

/** Every privilege the client roles that exist hold on anything outside the system schemas, as "role PRIV object". */
async function clientPrivileges(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ p: string }>(
    `WITH roles AS (SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])),
          schemas AS (SELECT oid, nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema')
     SELECT r.rolname || ' ' || x.priv || ' ' || x.obj AS p FROM roles r CROSS JOIN LATERAL (
       SELECT p.priv, 'schema ' || s.nspname AS obj FROM schemas s CROSS JOIN unnest(ARRAY['USAGE', 'CREATE']) AS p(priv)
        WHERE has_schema_privilege(r.rolname, s.oid, p.priv)
       UNION ALL
       SELECT p.priv, s.nspname || '.' || c.relname FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND CASE WHEN p.priv IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') THEN has_any_column_privilege(r.rolname, c.oid, p.priv)
                   ELSE has_table_privilege(r.rolname, c.oid, p.priv) END
       UNION ALL
       SELECT p.priv, s.nspname || '.' || c.relname FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p(priv)
        WHERE c.relkind = 'S' AND has_sequence_privilege(r.rolname, c.oid, p.priv)
       UNION ALL
       SELECT 'EXECUTE', f.oid::regprocedure::text FROM pg_proc f JOIN schemas s ON s.oid = f.pronamespace
        WHERE has_function_privilege(r.rolname, f.oid, 'EXECUTE')
     ) x ORDER BY 1`, [CLIENT_ROLES]);
  return rows.map((r) => r.p);
}

function expectedPrivileges(existing: string[]): string[] {
  const out: string[] = [];
  for (const role of existing) out.push(`${role} USAGE schema public`); // PUBLIC's (and on Supabase, explicitly)
  for (const role of ['authenticated', 'service_role']) {
    for (const s of ['billing', 'guestlist', 'telemetry']) out.push(`${role} USAGE schema ${s}`);
    out.push(`${role} EXECUTE telemetry.claim_tenant_id()`);
    for (const r of CLIENT_READS) out.push(`${role} SELECT ${r}`);
  }
  for (const r of SERVICE_ROLE_READS) out.push(`service_role SELECT ${r}`);
  if (existing.includes('supabase_auth_admin')) {
    out.push('supabase_auth_admin USAGE schema seatpilot', 'supabase_auth_admin EXECUTE seatpilot.custom_access_token_hook(jsonb)');
  }
  return out.sort();
}

async function existingClientRoles(q: Queryable): Promise<string[]> {
  return (await q.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[]) ORDER BY 1', [CLIENT_ROLES])).map((r) => r.rolname);
}

describe.each(backends())('client role privileges on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(backend, { migrate: false });
  });
  afterAll(async () => t?.drop());

  it('are exactly the reads listed here, with the roles made by the migrations where they did not exist', async () => {
    // A fresh PGlite has no Supabase roles: 0001 makes them (on the shared server an earlier suite may have).
    if (backend === 'pglite') expect(await existingClientRoles(t.db)).toEqual([]);
    await migratePostgres(t.db);
    const existing = await existingClientRoles(t.db);
    expect(existing).toEqual(expect.arrayContaining(['anon', 'authenticated', 'service_role']));
    // Partitions the service makes later open nothing either (a partition read directly skips the parent's RLS).
    await t.db.query(`SELECT telemetry.ensure_event_partitions('2031-01-01', 2)`);
    expect(await clientPrivileges(t.db)).toEqual(expectedPrivileges(existing));
  });
});

const REFUSED = /permission denied/;

describe.runIf(postgresAvailable())('on a database set up as Supabase sets one up (real PostgreSQL)', () => {
  let s: SupabaseDatabase;
  let ours: { name: string; kind: string; col: string }[];
  const userA = randomUUID();
  const userNobody = randomUUID();
  const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).toISOString().slice(0, 10);

  beforeAll(async () => {
    s = await supabaseDatabase();
    await migratePostgres(s.owner);
    const o = s.owner;
    await o.query(`INSERT INTO billing.plans (id, name, price_cents, events_per_month, devices, venues) VALUES ('basic', 'Basic', 1000, 1000, 10, 2)`);
    for (const [tenant, venue, n] of [['A', 'vA', 3], ['B', 'vB', 2]] as const) {
      await seedTenant(o, tenant, { [venue]: [`k${tenant}`] });
      await insertEvents(o, Array.from({ length: n }, () => ({ tenant, venue, device: `k${tenant}`, type: 'checkin.succeeded', occurredAt: new Date(Date.now() - 60_000), payload: checkin('d1', 5) })));
      await o.query(`INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, event_index, reason, detail, raw)
                     VALUES ($1, $2, $3, 'key', 0, 'unknown_type', 'x', '{}')`, [tenant, venue, `k${tenant}`]);
      await o.query(`INSERT INTO telemetry.double_admissions (tenant_id, venue_id, guest_id, first_event_id, first_device_id, first_at, second_event_id, second_device_id, second_at)
                     VALUES ($1, $2, 'g1', $3, 'k1', now(), $4, 'k2', now())`, [tenant, venue, randomUUID(), randomUUID()]);
      await o.query(`INSERT INTO billing.entitlements (tenant_id, plan_id) VALUES ($1, 'basic')`, [tenant]);
      await o.query(`INSERT INTO billing.usage_monthly (tenant_id, month, events) VALUES ($1, $2, $3)`, [tenant, month, n]);
      await o.query(`INSERT INTO guestlist.occasions (id, tenant_id, venue_id, name, starts_at, ends_at, timezone, reentry_policy)
                     VALUES ($1, $2, $3, 'Gala', now(), now() + interval '1 day', 'UTC', 'single')`, [`occ${tenant}`, tenant, venue]);
    }
    await refreshKpiView(o, 'mv_kpi_checkin');
    await o.query(`INSERT INTO seatpilot.tenant_members (user_id, tenant_id) VALUES ($1, 'A')`, [userA]);
    ours = await o.query<{ name: string; kind: string; col: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind,
              (SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                  AND a.attidentity = '' AND a.attgenerated = '' ORDER BY a.attnum LIMIT 1) AS col
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('seatpilot', 'telemetry', 'billing', 'guestlist') AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`);
  });
  afterAll(async () => s?.drop());

  it('migrates as an owner that is not a superuser, and leaves nothing of ours in public', async () => {
    expect(await s.owner.query(`SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user`)).toEqual([{ rolsuper: false, rolcreaterole: true }]);
    expect(await s.owner.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).toEqual([{ n: 0 }]);
    const latest = loadMigrations(migrationsDir('postgres')).length;
    expect(await s.owner.query('SELECT max(version) AS v FROM seatpilot.schema_migrations')).toEqual([{ v: latest }]);
    expect(ours.map((r) => r.name)).toContain('seatpilot.schema_migrations');
  });

  it('gives each role exactly the reads listed, after Supabase\'s default privileges and with supabase_auth_admin there', async () => {
    expect(await clientPrivileges(s.owner)).toEqual(expectedPrivileges(CLIENT_ROLES.slice().sort()));
  });

  it('gives anon nothing: no read, no write, no function', async () => {
    await s.asApi('anon', { role: 'anon' }, async (q) => {
      for (const { name } of ours) {
        expect(await failure(q, `SELECT * FROM ${name}`), name).toMatch(REFUSED);
        expect(await failure(q, `DELETE FROM ${name}`), name).toMatch(REFUSED);
      }
      expect(await failure(q, `SELECT telemetry.maintain_event_partitions()`)).toMatch(REFUSED);
      expect(await failure(q, `SELECT seatpilot.custom_access_token_hook('{}')`)).toMatch(REFUSED);
    });
  });

  it('keeps the migration bookkeeping from every role but the owner, so no client can make migrate fail', async () => {
    for (const role of ['anon', 'authenticated', 'service_role'] as const) {
      await s.asApi(role, { role, tenant_id: 'A' }, async (q) => {
        expect(await failure(q, 'DELETE FROM seatpilot.schema_migrations')).toMatch(REFUSED);
        expect(await failure(q, 'SELECT * FROM seatpilot.schema_migrations')).toMatch(REFUSED);
      });
    }
    await s.asAuthAdmin(async (q) => {
      expect(await failure(q, 'DELETE FROM seatpilot.schema_migrations')).toMatch(REFUSED);
    });
    expect((await migratePostgres(s.owner)).applied).toEqual([]);
  });

  it('shows authenticated its own tenant\'s events, dead letters, KPIs, double admissions, billing and guest lists', async () => {
    await s.asApi('authenticated', { role: 'authenticated', sub: userA, tenant_id: 'A' }, async (q) => {
      expect(await q.query('SELECT tenant_id, count(*)::int AS n FROM telemetry.events_raw GROUP BY 1')).toEqual([{ tenant_id: 'A', n: 3 }]);
      for (const view of ['telemetry.events_dlq', 'telemetry.double_admissions', 'telemetry.v_kpi_checkin', 'telemetry.v_event_counts_last_hour',
        'billing.usage_monthly', 'billing.entitlements', 'billing.v_tenant_billing_report', 'guestlist.occasions']) {
        expect(await q.query(`SELECT DISTINCT tenant_id FROM ${view}`), view).toEqual([{ tenant_id: 'A' }]);
      }
      expect(await q.query(`SELECT events FROM billing.v_tenant_billing_report`)).toEqual([{ events: 3 }]);
      expect(await q.query(`SELECT decisions FROM telemetry.v_kpi_checkin`)).toEqual([{ decisions: 3 }]);
      // Staleness without the log itself, whose error text can quote another tenant's keys.
      expect((await q.query('SELECT view_name FROM telemetry.v_mv_staleness')).length).toBe(2);
      expect(await failure(q, 'SELECT error FROM telemetry.mv_refresh_log')).toMatch(REFUSED);
    });
    await s.asApi('authenticated', { role: 'authenticated', sub: userNobody }, async (q) => {
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 0 }]);
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.v_kpi_checkin')).toEqual([{ n: 0 }]);
    });
  });

  it('refuses authenticated every write, its own tenant\'s forged events and dead letters first', async () => {
    await s.asApi('authenticated', { role: 'authenticated', sub: userA, tenant_id: 'A' }, async (q) => {
      // The rows a client could once add past HMAC, validation and metering, feeding the KPIs and the detector.
      expect(await failure(q, `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
                               VALUES ('A', $1, 'vA', 'kA', 'kA', 'checkin.succeeded', now(), '{"guest_id": "g1", "direction": "entry"}')`, [randomUUID()])).toMatch(REFUSED);
      expect(await failure(q, `INSERT INTO telemetry.events_dlq (tenant_id, venue_id, via_device_id, key_id, event_index, reason, detail, raw)
                               VALUES ('A', 'vA', 'kA', 'key', 0, 'bad_event', 'x', '{}')`)).toMatch(REFUSED);
      for (const { name, kind, col } of ours) {
        if (kind === 'v' || kind === 'm') continue;
        expect(await failure(q, `DELETE FROM ${name}`), name).toMatch(REFUSED);
        expect(await failure(q, `TRUNCATE ${name}`), name).toMatch(REFUSED);
        expect(await failure(q, `UPDATE ${name} SET ${col} = ${col}`), name).toMatch(REFUSED);
      }
      for (const { name } of ours.filter((r) => !CLIENT_READS.includes(r.name))) {
        expect(await failure(q, `SELECT * FROM ${name}`), name).toMatch(REFUSED);
      }
      expect(await failure(q, `SELECT billing.close_month('2000-01-01')`)).toMatch(REFUSED);
      expect(await failure(q, `SELECT telemetry.drop_old_event_partitions(0)`)).toMatch(REFUSED);
      expect(await failure(q, `SELECT seatpilot.custom_access_token_hook('{}')`)).toMatch(REFUSED);
    });
  });

  it('lets service_role, for trusted servers, read every tenant\'s rows and write nothing', async () => {
    await s.asApi('service_role', { role: 'service_role' }, async (q) => {
      expect(await q.query('SELECT tenant_id, count(*)::int AS n FROM telemetry.events_raw GROUP BY 1 ORDER BY 1')).toEqual([{ tenant_id: 'A', n: 3 }, { tenant_id: 'B', n: 2 }]);
      expect(await q.query('SELECT tenant_id, decisions FROM telemetry.mv_kpi_checkin ORDER BY 1')).toEqual([{ tenant_id: 'A', decisions: 3 }, { tenant_id: 'B', decisions: 2 }]);
      expect(await failure(q, `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
                               VALUES ('B', $1, 'vB', 'kB', 'kB', 'checkin.succeeded', now(), '{}')`, [randomUUID()])).toMatch(REFUSED);
      for (const { name, kind } of ours) {
        if (kind === 'v' || kind === 'm') continue;
        expect(await failure(q, `DELETE FROM ${name}`), name).toMatch(REFUSED);
        expect(await failure(q, `TRUNCATE ${name}`), name).toMatch(REFUSED);
      }
      for (const name of ['seatpilot.device_keys', 'seatpilot.pairing_codes', 'seatpilot.tenant_members', 'telemetry.nonces']) {
        expect(await failure(q, `SELECT * FROM ${name}`), name).toMatch(REFUSED);
      }
      expect(await failure(q, `SELECT telemetry.maintain_event_partitions()`)).toMatch(REFUSED);
      expect(await failure(q, `SELECT billing.close_month('2000-01-01')`)).toMatch(REFUSED);
    });
  });

  it('puts the member\'s tenant at the top of the JWT from the Custom Access Token Hook, whatever else the claims say', async () => {
    const claimsFor = async (userId: string, extra: Record<string, unknown>) => s.asAuthAdmin(async (q) => {
      const [row] = await q.query<{ event: { claims: Record<string, unknown> } }>('SELECT seatpilot.custom_access_token_hook($1::jsonb) AS event', [
        JSON.stringify({ user_id: userId, claims: { sub: userId, role: 'authenticated', aud: 'authenticated', ...extra }, authentication_method: 'password' }),
      ]);
      return row!.event.claims;
    });
    const member = await claimsFor(userA, { tenant_id: 'B', user_metadata: { tenant_id: 'B' } });
    expect(member).toEqual({ sub: userA, role: 'authenticated', aud: 'authenticated', tenant_id: 'A', user_metadata: { tenant_id: 'B' } });
    const stranger = await claimsFor(userNobody, { tenant_id: 'B', app_metadata: {} });
    expect(stranger).toEqual({ sub: userNobody, role: 'authenticated', aud: 'authenticated', app_metadata: {} });
    // Those claims, as PostgREST hands them to the database, decide what each user sees.
    await s.asApi('authenticated', member, async (q) => {
      expect(await q.query('SELECT DISTINCT tenant_id FROM telemetry.events_raw')).toEqual([{ tenant_id: 'A' }]);
    });
    await s.asApi('authenticated', stranger, async (q) => {
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 0 }]);
    });
    await s.asAuthAdmin(async (q) => {
      expect(await failure(q, 'SELECT * FROM seatpilot.tenant_members')).toMatch(REFUSED);
      expect(await failure(q, 'SELECT * FROM telemetry.events_raw')).toMatch(REFUSED);
    });
  });
});

describe.runIf(postgresAvailable())('a Supabase database an older build migrated (bookkeeping in public)', () => {
  let s: SupabaseDatabase;
  const all = loadMigrations(migrationsDir('postgres'));
  const firstNew = all.findIndex((m) => m.name === 'client_roles_read_only');
  const old: Migration[] = all.slice(0, firstNew);
  let before: { version: number; name: string; applied_at: Date }[];

  beforeAll(async () => {
    s = await supabaseDatabase();
    // What the older runner did: its table in public (so under Supabase's default privileges), then each migration.
    await s.owner.exec('CREATE TABLE public.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of old) {
      await s.owner.tx(async (q) => {
        await q.exec(m.sql);
        await q.query('INSERT INTO public.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date(Date.UTC(2025, 0, m.version))]);
      });
    }
    await seedTenant(s.owner, 'A', { vA: ['kA'] });
    await insertEvents(s.owner, [{ tenant: 'A', venue: 'vA', device: 'kA', type: 'checkin.succeeded', occurredAt: new Date(), payload: checkin('d1', 5) }]);
    before = await s.owner.query('SELECT version, name, applied_at FROM public.schema_migrations ORDER BY version');
  });
  afterAll(async () => s?.drop());

  it('had the holes: anon could delete the bookkeeping, authenticated could add events', async () => {
    expect(firstNew).toBeGreaterThan(0);
    await s.asApi('anon', { role: 'anon' }, async (q) => {
      expect((await q.query('DELETE FROM public.schema_migrations RETURNING version')).length).toBe(old.length);
    });
    await s.asApi('authenticated', { role: 'authenticated', tenant_id: 'A' }, async (q) => {
      expect(await q.query(`INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
                            VALUES ('A', $1, 'vA', 'kA', 'kA', 'checkin.succeeded', now(), '{}') RETURNING tenant_id`, [randomUUID()])).toEqual([{ tenant_id: 'A' }]);
    });
  });

  it('moves the bookkeeping with its rows out of public and closes both, with two replicas migrating at once', async () => {
    const second = openPostgres(s.ownerUrl, { max: 2, lookupMax: 1 });
    let reports;
    try {
      reports = await Promise.all([migratePostgres(s.owner), migratePostgres(second)]);
    } finally {
      await second.close();
    }
    expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(all.slice(firstNew).map((m) => m.version));
    expect(await s.owner.query(`SELECT to_regclass('public.schema_migrations') AS t`)).toEqual([{ t: null }]);
    expect(await s.owner.query(`SELECT version, name, applied_at FROM seatpilot.schema_migrations WHERE version <= $1 ORDER BY version`, [old.length])).toEqual(before);
    expect(await s.owner.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 1 }]);
    expect(await clientPrivileges(s.owner)).toEqual(expectedPrivileges(CLIENT_ROLES.slice().sort()));
    await s.asApi('anon', { role: 'anon' }, async (q) => {
      expect(await failure(q, 'DELETE FROM seatpilot.schema_migrations')).toMatch(REFUSED);
    });
    await s.asApi('authenticated', { role: 'authenticated', tenant_id: 'A' }, async (q) => {
      expect(await failure(q, `INSERT INTO telemetry.events_raw (tenant_id, event_id, venue_id, device_id, via_device_id, type, occurred_at, payload)
                               VALUES ('A', $1, 'vA', 'kA', 'kA', 'checkin.succeeded', now(), '{}')`, [randomUUID()])).toMatch(REFUSED);
      expect(await q.query('SELECT count(*)::int AS n FROM telemetry.events_raw')).toEqual([{ n: 1 }]);
    });
  });
});

if (!postgresAvailable()) {
  describe('on a database set up as Supabase sets one up', () => {
    it.skip('needs the real PostgreSQL: set TEST_DATABASE_URL (CI does; under CI=true a missing URL fails the suites)', () => undefined);
  });
}
