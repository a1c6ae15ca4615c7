// The cloud's loop faults on its /metrics: with the table every double-admission pass reads gone (as after an operator's
// bad migration), the detector's failed passes are counted in seatpilot_loop_faults_total{kind} on /metrics over HTTP,
// the service keeps answering, and the count stops growing once the table is back. On PGlite and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildApp, type CloudApp } from './app';
import { backends, freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { requireTool } from '../tests/tools';
import { waitFor } from '../tests/wait';

const promtool = requireTool('promtool', 'prometheus');
const SERIES = 'seatpilot_loop_faults_total{kind="double-admission pass failed"}';

function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(backends())("the cloud's loop faults on /metrics (%s)", (backend) => {
  let t: TestDatabase;
  let cloud: CloudApp;
  let url: string;
  beforeAll(async () => {
    t = await freshDatabase(backend);
    cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0.02, assignMetricsEverySec: 0 });
    url = await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await cloud?.app.close();
    await t?.drop();
  });

  const scrape = async () => {
    const r = await fetch(`${url}/metrics`);
    expect(r.status).toBe(200);
    return r.text();
  };

  it('counts failed detector passes by kind while the service answers, and no more once the database is whole', async () => {
    const before = await scrape();
    expect(before).toContain('# HELP seatpilot_loop_faults_total Errors caught in a background loop');
    expect(before).toContain('# TYPE seatpilot_loop_faults_total counter');
    expect(seriesValue(before, SERIES)).toBeUndefined();

    await t.db.query('ALTER TABLE telemetry.double_admission_watermark RENAME TO double_admission_watermark_gone');
    const text = await waitFor('three failed passes on /metrics', async () => {
      const m = await scrape();
      return (seriesValue(m, SERIES) ?? 0) >= 3 ? m : null;
    }, 10_000);
    // One series per kind: the error's text stays in the log.
    expect(text).not.toMatch(/seatpilot_loop_faults_total\{[^}]*double_admission_watermark/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    if (promtool) {
      const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.error).toBeUndefined();
      // prom-client's default nodejs_* gauges carry a _total suffix promtool dislikes; ours must pass clean.
      expect((lint.stdout + lint.stderr).split('\n').filter((l) => l.trim() && !l.startsWith('nodejs_'))).toEqual([]);
    }

    await t.db.query('ALTER TABLE telemetry.double_admission_watermark_gone RENAME TO double_admission_watermark');
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the backoff reached
    const settled = seriesValue(await scrape(), SERIES)!;
    await new Promise((r) => setTimeout(r, 500));
    expect(seriesValue(await scrape(), SERIES)).toBe(settled);
  });
});
