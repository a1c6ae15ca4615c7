// The cloud's loop faults on its /metrics: with a table or view a background loop needs gone (as after an operator's
// bad migration), that loop's failed passes are counted in seatpilot_loop_faults_total{kind} on /metrics over HTTP,
// the service keeps answering, and the count stops growing once the object is back: the double-admission detector,
// the KPI refresher and its partition maker, the billing passes. On PGlite and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildApp, type CloudApp, type CloudDeps } from './app';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { requireTool } from '../tests/tools';
import { waitFor } from '../tests/wait';

const promtool = requireTool('promtool', 'prometheus');
const SERIES = 'seatpilot_loop_faults_total{kind="double-admission pass failed"}';

/** A cloud on a fresh database of `backend`, listening on 127.0.0.1 for the describe block; `setup` runs before it starts. */
function serving(backend: Parameters<typeof freshDatabase>[0], deps: Omit<CloudDeps, 'db'>, setup?: (db: TestDatabase['db']) => Promise<void>) {
  const s = { t: undefined as unknown as TestDatabase, url: '' };
  let cloud: CloudApp | undefined;
  beforeAll(async () => {
    s.t = await freshDatabase(backend);
    await setup?.(s.t.db);
    cloud = await buildApp({ db: s.t.db, ...deps });
    s.url = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await cloud?.app.close();
    await s.t?.drop();
  });
  return s;
}

async function scrape(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  return r.text();
}

/** promtool finds nothing in our series (prom-client's default nodejs_* gauges carry a _total suffix it dislikes). */
function expectLintClean(text: string): void {
  if (!promtool) return;
  const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(lint.error).toBeUndefined();
  expect((lint.stdout + lint.stderr).split('\n').filter((l) => l.trim() && !l.startsWith('nodejs_'))).toEqual([]);
}

function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(backends())("the cloud's loop faults on /metrics (%s)", (backend) => {
  const s = serving(backend, { doubleAdmissionEverySec: 0.02, assignMetricsEverySec: 0 });

  it('counts failed detector passes by kind while the service answers, and no more once the database is whole', async () => {
    const before = await scrape(s.url);
    expect(before).toContain('# HELP seatpilot_loop_faults_total Errors caught in a background loop');
    expect(before).toContain('# TYPE seatpilot_loop_faults_total counter');
    expect(seriesValue(before, SERIES)).toBeUndefined();

    await s.t.db.query('ALTER TABLE telemetry.double_admission_watermark RENAME TO double_admission_watermark_gone');
    const text = await waitFor('three failed passes on /metrics', async () => {
      const m = await scrape(s.url);
      return (seriesValue(m, SERIES) ?? 0) >= 3 ? m : null;
    }, 10_000);
    // One series per kind: the error's text stays in the log.
    expect(text).not.toMatch(/seatpilot_loop_faults_total\{[^}]*double_admission_watermark/);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expectLintClean(text);

    await s.t.db.query('ALTER TABLE telemetry.double_admission_watermark_gone RENAME TO double_admission_watermark');
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the backoff reached
    const settled = seriesValue(await scrape(s.url), SERIES)!;
    await new Promise((r) => setTimeout(r, 500));
    expect(seriesValue(await scrape(s.url), SERIES)).toBe(settled);
  });
});

// The refresher and the billing passes at a fast pace, the detector and assign metrics off. One object gone per loop:
// a KPI view (the refresh fails in its savepoint and is logged in mv_refresh_log), the partition settings the
// partition maker reads (gone from the start: once it has succeeded, the maker waits an hour for its next round), the
// usage table a billing pass inserts into.
const LOOPS = [
  { kind: 'partition maker failed', gone: 'telemetry.partition_settings', name: 'partition_settings', atStart: true },
  { kind: 'kpi refresh failed', gone: 'telemetry.mv_kpi_checkin', name: 'mv_kpi_checkin', atStart: false },
  { kind: 'billing pass failed', gone: 'billing.usage_monthly', name: 'usage_monthly', atStart: false },
] as const;
const rename = (db: TestDatabase['db'], from: string, to: string) =>
  db.query(`ALTER ${from.includes('.mv_') ? 'MATERIALIZED VIEW' : 'TABLE'} ${from} RENAME TO ${to}`);
const series = (kind: string) => `seatpilot_loop_faults_total{kind="${kind}"}`;

describe.each(backends())("the cloud's refresher and billing faults on /metrics (%s)", (backend) => {
  const logged: string[] = [];
  const s = serving(backend, {
    doubleAdmissionEverySec: 0,
    assignMetricsEverySec: 0,
    ops: { refreshEverySec: 0.05, billingEverySec: 0.05 },
    logger: { level: 'info', stream: { write: (line: string) => void logged.push(line) } },
  }, async (db) => {
    for (const l of LOOPS) if (l.atStart) await rename(db, l.gone, `${l.name}_gone`);
  });

  it.each(LOOPS)('counts $kind while $gone is gone, the service answering, and no more once it is back', async ({ kind, gone, name, atStart }) => {
    // The loops run: the views refresh.
    await waitFor('a kpi refresh logged', async () => ((await s.t.db.query('SELECT 1 FROM telemetry.mv_refresh_log WHERE ok LIMIT 1')).length ? true : null), 10_000);
    const before = atStart ? 0 : (seriesValue(await scrape(s.url), series(kind)) ?? 0);
    if (!atStart) await rename(s.t.db, gone, `${name}_gone`);
    const text = await waitFor(`three "${kind}" on /metrics`, async () => {
      const m = await scrape(s.url);
      return (seriesValue(m, series(kind)) ?? 0) >= before + 3 ? m : null;
    }, 10_000);
    // One series per kind: the error's text stays in the log, whose own lines are still written.
    expect(text).not.toMatch(new RegExp(`seatpilot_loop_faults_total\\{[^}]*${name}`));
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const own = { 'kpi refresh failed': 'kpi view refresh failed', 'partition maker failed': 'events_raw partition maintenance failed', 'billing pass failed': 'billing pass failed' }[kind];
    expect(logged.some((l) => (JSON.parse(l) as { msg?: string }).msg === own)).toBe(true);
    if (kind === 'kpi refresh failed') {
      expect((await s.t.db.query("SELECT 1 FROM telemetry.mv_refresh_log WHERE NOT ok AND view_name = 'mv_kpi_checkin' LIMIT 1")).length).toBe(1);
    }
    expectLintClean(text);

    await rename(s.t.db, `${gone}_gone`, name);
    await new Promise((r) => setTimeout(r, 500)); // a round in flight may still fail once
    const settled = seriesValue(await scrape(s.url), series(kind))!;
    await new Promise((r) => setTimeout(r, 500)); // ten ticks
    expect(seriesValue(await scrape(s.url), series(kind))).toBe(settled);
  });
});
