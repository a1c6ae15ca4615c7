// The advisory lock registry: distinct keys, no key written anywhere else, and the two cloud jobs that once shared a
// key (KPI refresher, double-admission detector) both doing their work while the other holds its lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { Registry } from 'prom-client';
import { ADVISORY_LOCKS, ADVISORY_LOCK_CLASSES } from './advisory-locks';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { refreshKpiView } from '../cloud-sync/kpi/kpi';
import { checkin, insertEvents, seedTenant } from '../tests/fixtures/kpi-fixtures';
import { DoubleAdmissionDetector } from '../cloud-sync/double-admission-detector';
import { waitFor } from '../tests/wait';

const ROOT = join(import.meta.dirname, '..');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'data', '.git', 'coverage'].includes(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|sql)$/.test(e.name) && !e.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('advisory lock registry', () => {
  it('gives every job its own key', () => {
    const keys = Object.values(ADVISORY_LOCKS);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(Number.isSafeInteger(k) && k > 2 ** 32).toBe(true);
  });

  it('is the only place a key is written: code passes a registry entry, SQL uses a registered class', () => {
    const strays: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const rel = relative(ROOT, file);
      if (rel === join('sql', 'advisory-locks.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/pg_(?:try_)?advisory_(?:xact_)?lock(?:_shared)?\(([^)]*)\)/g)) {
        const first = (m[1] as string).split(',')[0]?.trim() ?? '';
        const ok = file.endsWith('.sql')
          ? Object.values(ADVISORY_LOCK_CLASSES).map(String).includes(first)
          : /^\$\d+$/.test(first);
        if (!ok) strays.push(`${rel}: ${m[0]}`);
      }
      if (/\b7_?411_?9\d\d_?\d{3}\b/.test(text)) strays.push(`${rel}: a lock key literal`);
    }
    expect(strays).toEqual([]);
  });
});

describe.each(backends())('the KPI refresher and the double-admission detector on %s', (backend) => {
  let t: TestDatabase;
  let detector: DoubleAdmissionDetector;
  let guest = 0;
  // Two entries of one guest at two kiosks: one pair for the detector to flag.
  const pair = async () => {
    const g = `g-lock-${++guest}`;
    const at = new Date(Date.now() - 60_000).toISOString();
    await insertEvents(t.db, ['ka', 'kb'].map((device) => ({ tenant: 'T', venue: 'v', device, type: 'checkin.succeeded', occurredAt: at, payload: { ...checkin('d1', 5), guest_id: g } })));
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    await seedTenant(t.db, 'T', { v: ['ka', 'kb'] });
    detector = new DoubleAdmissionDetector(t.db, new Registry());
  });
  afterAll(async () => t?.drop());

  it('both do their work when started together', async () => {
    await pair();
    const [refresh, flagged] = await Promise.all([refreshKpiView(t.db, 'mv_kpi_checkin'), detector.tick()]);
    expect(refresh).toMatchObject({ outcome: 'refreshed', rowCount: 1 });
    expect(flagged).toBe(1);
  });

  // Holding one job inside its lock needs a second connection: real Postgres.
  describe.runIf(backend === 'postgres')('while the other holds its lock (one 10 s window)', () => {
    let holder: pg.Client;
    const blockedOn = (table: string) => waitFor(`a statement waiting on ${table}`, async () => (await t.db.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [`%${table}%`])).length, 5_000);
    const holds = async (key: number) => (await t.db.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`, [key])).length === 1;

    beforeAll(async () => {
      holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
    });
    afterAll(async () => holder?.end());

    it('a refresh runs while a detector pass is in progress, and the pass then flags its pair', async () => {
      const started = Date.now();
      await pair();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM telemetry.double_admission_watermark FOR UPDATE');
      const pass = detector.tick();
      await blockedOn('double_admission_watermark');
      expect(await holds(ADVISORY_LOCKS.doubleAdmissionPass)).toBe(true);
      expect(await refreshKpiView(t.db, 'mv_kpi_checkin')).toMatchObject({ outcome: 'refreshed', rowCount: 1 });
      await holder.query('COMMIT');
      expect(await pass).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('a detector pass flags its pair while a refresh is in progress, and the refresh then completes', async () => {
      const started = Date.now();
      await pair();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE telemetry.mv_refresh_log IN SHARE MODE');
      const refresh = refreshKpiView(t.db, 'mv_kpi_door2seat');
      await blockedOn('mv_refresh_log');
      expect(await holds(ADVISORY_LOCKS.kpiRefresh)).toBe(true);
      expect(await detector.tick()).toBe(1);
      await holder.query('COMMIT');
      expect(await refresh).toMatchObject({ outcome: 'refreshed', error: null });
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });
});
