// Two cloud replicas on one Postgres, as build/system/seatpilot-cloud@.service runs them: `seatpilot cloud migrate` once
// (the migrate unit), then two `seatpilot cloud serve` processes, both left with SEATPILOT_BACKGROUND=on as an operator
// might by mistake. Each background pass takes its advisory lock (sql/advisory-locks.ts) or writes idempotently, so the
// double admission is flagged and counted once across both, KPI refreshes never overlap, billing rows are not doubled and
// nothing fails. The replica started by systemd says READY=1 once listening and feeds the watchdog (Type=notify).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../cloud-sync/admin';
import { openPostgres, type Db } from '../cloud-sync/db';
import { SecretBox } from '../node-kit/secret-box';
import { signRequest } from '../core/signing/signing';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { exited, runCli, startCli } from './cli-run';
import { batchOf, checkinEvent } from './signed';
import { notifySocket, type NotifySocket } from './notify-socket';
import { requireTool } from './tools';
import { waitFor } from './wait';

const onPostgres = backends().includes('postgres');
const haveTools = [requireTool('python3', 'python3'), requireTool('systemd-notify', 'systemd')].every(Boolean);
const METRICS_TOKEN = 'replicas-metrics-token-0123456789';

async function post(base: string, key: IssuedKey, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = await signRequest({ keyId: key.key_id, secret: key.secret, method: 'POST', pathWithQuery: '/v1/events', body });
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The replica's seatpilot_double_admissions_total (its own process's count). */
async function flaggedBy(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const m = text.match(/^seatpilot_double_admissions_total (\d+)/m);
  if (!m) throw new Error(`no seatpilot_double_admissions_total in ${base}/metrics`);
  return Number(m[1]);
}

describe.skipIf(!onPostgres || !haveTools)('two cloud replicas on one Postgres, both running the background passes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-replicas-'));
  const keyFile = join(dir, 'seatpilot-secrets.key');
  let t: TestDatabase;
  let db: Db;
  let sock: NotifySocket;
  const replicas: { child: ChildProcess; base: string; output: () => string }[] = [];
  let doorA: IssuedKey;
  let doorB: IssuedKey;

  beforeAll(async () => {
    t = await freshDatabase('postgres', { migrate: false });
    sock = await notifySocket();
  }, 60_000);
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    sock?.child.kill('SIGKILL');
    await db?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: t.url,
    SEATPILOT_SECRET_KEY_FILE: keyFile,
    SEATPILOT_METRICS_TOKEN: METRICS_TOKEN,
    SEATPILOT_BACKGROUND: 'on',
    REFRESH_EVERY_SEC: '1',
    BILLING_EVERY_SEC: '1',
    LOG_LEVEL: 'info',
    NOTIFY_SOCKET: undefined as unknown as string,
    ...extra,
  });

  it('migrates once with `seatpilot cloud migrate` (the migrate unit), making the key file the replicas share', async () => {
    const r = await runCli(['cloud', 'migrate', '--data', join(dir, 'data')], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { applied: unknown[] };
    expect(report.applied.length).toBeGreaterThan(10);
    db = openPostgres(t.url!, { secrets: SecretBox.load(keyFile) });
    const tenant = await addTenant(db, 'Replicas');
    const venue = await addVenue(db, tenant.id, 'Hall');
    doorA = await addDevice(db, venue.id, 'kiosk');
    doorB = await addDevice(db, venue.id, 'kiosk');
  });

  it('starts two replicas; the one under systemd says READY=1 once listening and feeds the watchdog', async () => {
    for (const extra of [{ NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' }, {}] as Record<string, string>[]) {
      const started = await startCli(['cloud', 'serve', '--port', '0', '--data', join(dir, 'data')], /background passes (on|off)/, env(extra));
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]!;
      replicas.push({ child: started.child, base, output: started.output });
      expect(started.match[1]).toBe('on');
    }
    await waitFor('READY=1 from the replica', () => sock.lines.includes('READY=1'));
    expect(sock.lines).toContainEqual(expect.stringMatching(/^STATUS=listening on http:\/\/127\.0\.0\.1:\d+, background passes on$/));
    await waitFor('two watchdog pings', () => sock.lines.filter((l) => l === 'WATCHDOG=1').length >= 2);
  }, 90_000);

  it('flags a double admission once across both, never overlaps KPI refreshes, and no pass fails', async () => {
    const [a, b] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    const guest = `g-${randomUUID()}`;
    const first = checkinEvent(doorA, { occurred_at: new Date(Date.now() - 60_000).toISOString(), payload: { guest_id: guest, direction: 'entry', offline: true } });
    const second = checkinEvent(doorB, { occurred_at: new Date(Date.now() - 30_000).toISOString(), payload: { guest_id: guest, direction: 'entry', offline: true } });
    expect((await post(a.base, doorA, batchOf([first]))).json).toMatchObject({ accepted: 1 });
    expect((await post(b.base, doorB, batchOf([second]))).json).toMatchObject({ accepted: 1 });
    // More events through both, so the refreshes and passes have work while they contend.
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? a : b;
      const key = i % 2 ? doorA : doorB;
      expect((await post(r.base, key, batchOf(Array.from({ length: 50 }, () => checkinEvent(key))))).status).toBe(200);
    }
    await waitFor('the pair flagged', async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.double_admissions WHERE guest_id = $1', [guest]))[0]!.n === 1, 30_000);
    // Several more detector passes (every 5 s) and refreshes (every 1 s) on both replicas.
    await new Promise((r) => setTimeout(r, 11_000));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.double_admissions WHERE guest_id = $1', [guest]))[0]!.n).toBe(1);
    // Counted once across both: the pass that flags it holds the detector's lock, and a pass that read the same window
    // anyway would insert nothing (the pair is keyed) and count only what it inserted.
    expect((await flaggedBy(a.base)) + (await flaggedBy(b.base))).toBe(1);

    const refreshes = await db.query<{ n: number; failed: number }>('SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT ok)::int AS failed FROM telemetry.mv_refresh_log');
    expect(refreshes[0]!.n).toBeGreaterThan(4);
    expect(refreshes[0]!.failed).toBe(0);
    const overlapping = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry.mv_refresh_log x JOIN telemetry.mv_refresh_log y
          ON x.id < y.id AND x.started_at < y.finished_at AND y.started_at < x.finished_at`);
    expect(overlapping[0]!.n).toBe(0);
    // Billing passed on them (its row per tenant and month is keyed, and the pass takes a try-lock), without failing.
    const usage = await db.query<{ rows: number }>('SELECT count(*)::int AS rows FROM billing.usage_monthly');
    expect(usage[0]!.rows).toBe(1);
    for (const r of replicas) expect(r.output()).not.toMatch(/failed/);
  }, 90_000);

  it('stops on SIGTERM, saying STOPPING=1', async () => {
    const r = replicas[0]!;
    r.child.kill('SIGTERM');
    expect(await exited(r.child)).toBe(0);
    expect(sock.lines).toContain('STOPPING=1');
  }, 30_000);

  it('with SEATPILOT_BACKGROUND=off a replica serves but runs no pass: alone, it leaves a double admission unflagged', async () => {
    const b = replicas[1]!;
    b.child.kill('SIGTERM');
    expect(await exited(b.child)).toBe(0);
    expect(replicas[0]!.output()).toContain('kpi refresher started');
    const started = await startCli(['cloud', 'serve', '--port', '0', '--data', join(dir, 'data')], /background passes (on|off)/, env({ SEATPILOT_BACKGROUND: 'off' }));
    const c = { child: started.child, base: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]!, output: started.output };
    replicas.push(c);
    expect(started.match[1]).toBe('off');
    const guest = `g-${randomUUID()}`;
    const at = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    expect((await post(c.base, doorA, batchOf([checkinEvent(doorA, { occurred_at: at(60), payload: { guest_id: guest, direction: 'entry', offline: true } })]))).json).toMatchObject({ accepted: 1 });
    expect((await post(c.base, doorB, batchOf([checkinEvent(doorB, { occurred_at: at(30), payload: { guest_id: guest, direction: 'entry', offline: true } })]))).json).toMatchObject({ accepted: 1 });
    // Longer than two detector periods (5 s) and many refresher periods (1 s): an "on" replica would have run them.
    await new Promise((r) => setTimeout(r, 11_000));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.double_admissions WHERE guest_id = $1', [guest]))[0]!.n).toBe(0);
    expect(c.output()).not.toMatch(/kpi refresher started|kpi view refresh/);
  }, 60_000);
});
