// The audit's hash chain in the cloud, on PGlite and PostgreSQL: console and CLI writes append to one chain per tenant,
// parallel appends leave no gap, and an entry altered or deleted behind the append-only trigger (by the database's
// owner, who can disable it) is named by `GET /console/api/audit/chain` and by `seatpilot cloud audit verify`.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ajv } from '../../core/contract/validate';
import { GENESIS_HASH } from '../../core/audit/chain';
import { AuditChainStateSchema, type AuditChainState } from '../../core/console/audit';
import { loadMigrations, migratePostgres, migrationsDir } from '../../sql/migrate';
import { runCli } from '../../tests/cli-run';
import { cloudCliJson } from '../../tests/cloud-cli';
import { backends, freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { asUser, consoleTenant, type ConsoleTenant } from '../../tests/fixtures/console';
import { buildApp, type CloudApp } from '../app';
import { cloudCommand } from '../cli';
import { recordAudit, type AuditActor } from './audit';
import { verifyAuditChain } from './audit-verify';
import { scoped } from './scope';

const ops: AuditActor = { channel: 'cli', actorId: null, actor: 'cli:ops' };

describe.each(backends())('audit chain on %s', (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;

  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0, assignMetricsEverySec: 0 });
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  const chainOf = async (who: ConsoleTenant): Promise<AuditChainState> => {
    const res = await asUser(cloud.app, who.viewer, { method: 'GET', url: '/console/api/audit/chain' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as AuditChainState;
    ajv.validate(AuditChainStateSchema, body);
    expect(ajv.errors ?? []).toEqual([]);
    return body;
  };
  const rows = (tenantId: string) => t.db.query<{ id: number; seq: number; prev_hash: string; hash: string; action: string; channel: string; at: Date }>(
    'SELECT id, seq, prev_hash, hash, action, channel, at FROM console.audit_log WHERE tenant_id = $1 AND seq IS NOT NULL ORDER BY seq', [tenantId]);
  /** As the database's owner, with the append-only trigger off for this one statement. */
  const tamper = (sql: string, params: unknown[]) => t.db.tx(async (q) => {
    await q.exec('ALTER TABLE console.audit_log DISABLE TRIGGER audit_log_append_only');
    await q.query(sql, params);
    await q.exec('ALTER TABLE console.audit_log ENABLE TRIGGER audit_log_append_only');
  });
  /** `seatpilot cloud audit verify …` in this process: its JSON lines, and the CliError it ended with, if any. */
  const verifyCli = (args: string[]) => cloudCliJson<AuditChainState & { tenant_id: string }>(t.db, ['audit', 'verify', ...args]);

  it('chains the console\'s and the CLI\'s entries of a tenant in one gapless chain, and says so', async () => {
    const a = await consoleTenant(t.db, 'Alpha');
    const start = (await rows(a.tenantId)).length;
    // The CLI's own command, then the console's route, then the CLI again.
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await cloudCommand(['venue', 'add', '--tenant', a.tenantId, '--name', 'Annex'], t.db).finally(() => quiet.mockRestore());
    expect((await asUser(cloud.app, a.owner, { method: 'POST', url: `/console/api/venues/${a.venueId}/pairing-codes`, payload: { kind: 'kiosk' } })).statusCode).toBe(201);
    await recordAudit(t.db, ops, { tenantId: a.tenantId, action: 'guest.update', entity: 'guest', entityId: 'g1', before: { name: 'Ana', when: undefined }, after: { name: 'Ána', at: new Date(0) } });
    const chain = await rows(a.tenantId);
    expect(chain.slice(start).map((r) => [r.channel, r.action])).toEqual([['cli', 'venue.add'], ['console', 'device.pair_code'], ['cli', 'guest.update']]);
    expect(chain.map((r) => Number(r.seq))).toEqual(chain.map((_, i) => i + 1));
    expect(chain[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.prev_hash).toBe(chain[i - 1]?.hash);
    const state = await chainOf(a);
    expect(state).toEqual({ state: 'intact', verified: chain.length, before_chain: 0, head_at: new Date(chain.at(-1)?.at as Date).toISOString(), broken: null });
    const cli = await verifyCli(['--tenant', a.tenantId]);
    expect(cli.error).toBeUndefined();
    expect(cli.results).toEqual([{ tenant_id: a.tenantId, ...state }]);
  });

  it('gives 20 appends at once, each in its own transaction, 20 consecutive places in a valid chain', async () => {
    const c = await consoleTenant(t.db, 'Concurrent');
    const start = (await rows(c.tenantId)).length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.db.tx(async (q) => {
      await q.query('SELECT 1');
      await recordAudit(q, ops, { tenantId: c.tenantId, action: 'guest.update', entity: 'guest', entityId: `p${i}`, after: { i } });
    })));
    const chain = await rows(c.tenantId);
    expect(chain).toHaveLength(start + 20);
    expect(chain.map((r) => Number(r.seq))).toEqual(chain.map((_, i) => i + 1));
    expect(await chainOf(c)).toMatchObject({ state: 'intact', verified: start + 20, broken: null });
    // The page size does not change the verdict.
    expect(await t.db.tx((q) => verifyAuditChain(q, c.tenantId, 3))).toMatchObject({ state: 'intact', verified: start + 20 });
  });

  it('names an entry whose content was altered behind the trigger, for the console and the CLI (exit 1)', async () => {
    const x = await consoleTenant(t.db, 'Altered');
    for (let i = 1; i <= 5; i++) await recordAudit(t.db, ops, { tenantId: x.tenantId, action: 'guest.update', entity: 'guest', entityId: `x${i}`, after: { n: i } });
    const victim = (await rows(x.tenantId)).at(-3);
    await tamper(`UPDATE console.audit_log SET after = '{"n": 99}'::jsonb WHERE id = $1`, [victim?.id]);
    const state = await chainOf(x);
    expect(state).toMatchObject({ state: 'broken', verified: Number(victim?.seq) - 1, broken: { id: Number(victim?.id), action: 'guest.update', reason: 'altered', at: new Date(victim?.at as Date).toISOString() } });
    const cli = await verifyCli(['--tenant', x.tenantId]);
    expect(cli.results[0]).toMatchObject({ tenant_id: x.tenantId, state: 'broken', broken: { id: Number(victim?.id), reason: 'altered' } });
    expect(cli.error?.exitCode).toBe(1);
    expect(cli.error?.message).toContain(`entry #${victim?.id} (guest.update, ${new Date(victim?.at as Date).toISOString()}): altered`);
    // The real `seatpilot` process on Postgres (PGlite's folder is held by this process): exit 1, the entry named.
    if (t.url) {
      const child = await runCli(['cloud', 'audit', 'verify', '--tenant', x.tenantId], { DATABASE_URL: t.url });
      expect(child.code).toBe(1);
      expect(JSON.parse(child.stdout.trim())).toMatchObject({ tenant_id: x.tenantId, state: 'broken', broken: { id: Number(victim?.id), reason: 'altered' } });
      expect(child.stderr).toContain(`broken at entry #${victim?.id} (guest.update`);
    }
  }, 60_000);

  it('names the entry after a deleted one as removed, and a deleted newest entry too', async () => {
    const y = await consoleTenant(t.db, 'Removed');
    for (let i = 1; i <= 5; i++) await recordAudit(t.db, ops, { tenantId: y.tenantId, action: i === 3 ? 'guest.revoke' : 'guest.update', entity: 'guest', entityId: `y${i}` });
    const before = await rows(y.tenantId);
    const gone = before.at(-3);
    const after = before.at(-2);
    await tamper('DELETE FROM console.audit_log WHERE id = $1', [gone?.id]);
    expect(await chainOf(y)).toMatchObject({ state: 'broken', broken: { id: Number(after?.id), reason: 'removed' } });
    const cli = await verifyCli([]);
    expect(cli.error?.exitCode).toBe(1);
    expect(cli.error?.message).toContain(`entry #${after?.id} (guest.update`);
    expect(cli.results.find((r) => r.tenant_id === y.tenantId)).toMatchObject({ state: 'broken', broken: { reason: 'removed' } });

    // Only the newest one removed: no gap, but the chain stops short of its head.
    const z = await consoleTenant(t.db, 'Truncated');
    for (let i = 1; i <= 3; i++) await recordAudit(t.db, ops, { tenantId: z.tenantId, action: 'guest.update', entity: 'guest', entityId: `z${i}` });
    const zs = await rows(z.tenantId);
    await tamper('DELETE FROM console.audit_log WHERE id = $1', [zs.at(-1)?.id]);
    expect(await chainOf(z)).toMatchObject({ state: 'broken', broken: { id: Number(zs.at(-2)?.id), reason: 'removed' } });
  });

  it('counts entries from before the chain began apart, and flags one slipped in unchained after it began', async () => {
    const w = await consoleTenant(t.db, 'Older');
    const unchained = (action: string) => t.db.tx(async (q) => {
      await q.exec('ALTER TABLE console.audit_log DISABLE TRIGGER audit_log_chained');
      await q.query(`INSERT INTO console.audit_log (tenant_id, channel, actor, action, entity) VALUES ($1, 'cli', 'cli:old', $2, 'guest')`, [w.tenantId, action]);
      await q.exec('ALTER TABLE console.audit_log ENABLE TRIGGER audit_log_chained');
    });
    // As entries written before sql 0018 are: no seq. The database now refuses that to anyone who leaves the trigger on.
    await t.db.exec(`DELETE FROM console.audit_chain_heads WHERE tenant_id = '${w.tenantId}'`);
    if ((await rows(w.tenantId)).length === 0) {
      await unchained('guest.update');
      await unchained('guest.update');
      await expect(t.db.query(`INSERT INTO console.audit_log (tenant_id, channel, actor, action, entity) VALUES ($1, 'cli', 'cli:x', 'guest.update', 'guest')`, [w.tenantId])).rejects.toThrow(/chain/);
      await recordAudit(t.db, ops, { tenantId: w.tenantId, action: 'guest.update', entity: 'guest', entityId: 'w1' });
      expect(await chainOf(w)).toMatchObject({ state: 'intact', verified: 1, before_chain: 2, broken: null });
      await unchained('guest.delete');
      expect(await chainOf(w)).toMatchObject({ state: 'broken', before_chain: 2, broken: { action: 'guest.delete', reason: 'unchained' } });
    } else {
      throw new Error('consoleTenant wrote audit entries: this test needs a tenant without any');
    }
  });

  it("shows a tenant only its own chain: B's is intact and B's count while A's is broken", async () => {
    const a = await consoleTenant(t.db, 'A2');
    const b = await consoleTenant(t.db, 'B2');
    for (let i = 1; i <= 3; i++) await recordAudit(t.db, ops, { tenantId: a.tenantId, action: 'guest.update', entity: 'guest', entityId: `a${i}` });
    await recordAudit(t.db, ops, { tenantId: b.tenantId, action: 'venue.update', entity: 'venue', entityId: b.venueId });
    const victim = (await rows(a.tenantId)).at(-1);
    await tamper(`UPDATE console.audit_log SET actor = 'someone else' WHERE id = $1`, [victim?.id]);
    expect(await chainOf(a)).toMatchObject({ state: 'broken', broken: { id: Number(victim?.id) } });
    const bs = await rows(b.tenantId);
    const mine = await chainOf(b);
    expect(mine).toEqual({ state: 'intact', verified: bs.length, before_chain: 0, head_at: new Date(bs.at(-1)?.at as Date).toISOString(), broken: null });
    // Row-level security, the second layer: B's session asking for A's chain sees none of A's rows or head.
    const asB = await scoped(t.db, { tenantId: b.tenantId, accountId: b.owner.account.id }, (q) => verifyAuditChain(q, a.tenantId));
    expect(asB).toEqual({ state: 'intact', verified: 0, before_chain: 0, head_at: null, broken: null });
    expect((await asUser(cloud.app, null, { method: 'GET', url: '/console/api/audit/chain' })).statusCode).toBe(401);
  });
});

describe.each(backends())('audit chain migration (sql 0018) on %s', (backend) => {
  it('keeps the entries written before it unchained, reported as before the chain, and chains the next ones', async () => {
    const t = await freshDatabase(backend, { migrate: false });
    try {
      const all = loadMigrations(migrationsDir('postgres'));
      await migratePostgres(t.db, all.filter((m) => m.version < 18));
      const old = await consoleTenant(t.db, 'Before');
      for (const action of ['guest.update', 'guest.revoke', 'venue.update']) {
        await t.db.query(`INSERT INTO console.audit_log (tenant_id, channel, actor, action, entity) VALUES ($1, 'cli', 'cli:old', $2, 'guest')`, [old.tenantId, action]);
      }
      await migratePostgres(t.db, all);
      const rowsNow = await t.db.query<{ action: string; seq: number | null }>('SELECT action, seq FROM console.audit_log WHERE tenant_id = $1 ORDER BY id', [old.tenantId]);
      expect(rowsNow).toEqual([{ action: 'guest.update', seq: null }, { action: 'guest.revoke', seq: null }, { action: 'venue.update', seq: null }]);
      expect(await t.db.tx((q) => verifyAuditChain(q, old.tenantId))).toEqual({ state: 'intact', verified: 0, before_chain: 3, head_at: null, broken: null });
      await recordAudit(t.db, ops, { tenantId: old.tenantId, action: 'guest.update', entity: 'guest', entityId: 'n1' });
      expect(await t.db.tx((q) => verifyAuditChain(q, old.tenantId))).toMatchObject({ state: 'intact', verified: 1, before_chain: 3, broken: null });
    } finally {
      await t.drop();
    }
  });
});
