// The Prometheus/Alertmanager/Grafana bundle is valid: promtool and amtool accept it, every alert has a firing and a
// quiet unit test, and dashboards and rules use only contract metric names or recorded series.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HISTOGRAM_METRICS, KNOWN_METRICS, SYSTEM_METRICS } from './metric-names';

const DIR = import.meta.dirname;
const REQUIRED_ALERTS = [
  'SeatPilotCheckinP95Fast',
  'SeatPilotCheckinP95Slow',
  'SeatPilotDoorToSeatP95',
  'SeatPilotMvLagHigh',
  'SeatPilotIngestRejectRateHigh',
  'SeatPilotCheckinStageP95High',
  'SeatPilotDeviceSilent',
  'SeatPilotOutboxBacklog',
];

function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

function run(tool: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(tool, args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const promtool = findTool('promtool');
const amtool = findTool('amtool');
const rulesText = readFileSync(join(DIR, 'seatpilot.rules.yml'), 'utf8');
const rulesTestText = readFileSync(join(DIR, 'seatpilot.rules.test.yml'), 'utf8');
const recorded = [...rulesText.matchAll(/^\s*- record:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
const alerts = [...rulesText.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);

/** Metric-like names in a PromQL expression, quoted strings removed first (label values are not metrics). */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...bare.matchAll(/\b(seatpilot[a-z0-9_:]*|http_[a-z0-9_]+|[a-z_]+:[a-z0-9_:]+)\b/g)].map((m) => m[1] as string);
}

function isKnown(name: string): boolean {
  if (recorded.includes(name) || KNOWN_METRICS.includes(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return base !== name && HISTOGRAM_METRICS.includes(base);
}

describe('Prometheus rules and config', () => {
  // CI installs promtool (package prometheus); a laptop without it skips rather than pretends.
  const needPromtool = promtool || process.env.CI === 'true' ? it : it.skip;

  needPromtool('promtool check config accepts prometheus.yml', () => {
    expect(promtool, 'promtool is required in CI').toBeDefined();
    const r = run(promtool as string, ['check', 'config', 'prometheus.yml']);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  needPromtool('promtool check rules accepts seatpilot.rules.yml', () => {
    const r = run(promtool as string, ['check', 'rules', 'seatpilot.rules.yml']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${recorded.length + alerts.length} rules found`);
  });

  needPromtool('promtool test rules passes the unit tests', () => {
    const r = run(promtool as string, ['test', 'rules', 'seatpilot.rules.test.yml']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('defines exactly the alerts of the issue, each with a runbook section', () => {
    expect([...alerts].sort()).toEqual([...REQUIRED_ALERTS].sort());
    const runbook = readFileSync(join(DIR, '../../docs/runbooks/README.md'), 'utf8');
    for (const a of REQUIRED_ALERTS) {
      expect(runbook, `runbook section for ${a}`).toMatch(new RegExp(`^## ${a}$`, 'm'));
      expect(rulesText).toContain(`docs/runbooks/README.md#${a.toLowerCase()}`);
    }
  });

  it('unit-tests every alert once firing and once quiet', () => {
    const cases = [...rulesTestText.matchAll(/alertname:\s*(\S+)\s*\n\s*exp_alerts:\s*(\[\])?/g)].map((m) => ({ alert: m[1] as string, quiet: m[2] === '[]' }));
    for (const a of REQUIRED_ALERTS) {
      expect(cases.some((c) => c.alert === a && !c.quiet), `${a} has a firing case`).toBe(true);
      expect(cases.some((c) => c.alert === a && c.quiet), `${a} has a quiet case`).toBe(true);
    }
  });

  it('names recording rules level:metric:operations and uses only contract metrics', () => {
    // seatpilot:assign_p95_5m is named by the issue itself (a fleet-level series, level "seatpilot").
    for (const r of recorded.filter((n) => n !== 'seatpilot:assign_p95_5m')) expect(r).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
    expect(recorded).toContain('seatpilot:assign_p95_5m');
    const exprs = [...rulesText.matchAll(/expr:\s*(\|\n(?:\s{10,}.*\n)+|.*)/g)].map((m) => m[1] as string);
    expect(exprs.length).toBe(recorded.length + alerts.length);
    for (const e of exprs) for (const n of metricNames(e)) expect(isKnown(n), `${n} in rule "${e.trim()}"`).toBe(true);
  });
});

describe('Alertmanager config', () => {
  (amtool ? it : it.skip)('amtool check-config accepts alertmanager.yml', () => {
    const r = run(amtool as string, ['check-config', 'alertmanager.yml']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('never holds the Slack webhook itself: it is read from the file the entrypoint writes', () => {
    const am = readFileSync(join(DIR, 'alertmanager.yml'), 'utf8');
    expect(am).not.toMatch(/hooks\.slack\.com/);
    const file = /slack_api_url_file:\s*(\S+)/.exec(am)?.[1];
    expect(file).toBeDefined();
    const entry = readFileSync(join(DIR, 'alertmanager-entrypoint.sh'), 'utf8');
    expect(entry).toContain(`ALERT_SLACK_WEBHOOK_FILE:-${file}`);
  });
});

describe('alertmanager-entrypoint.sh', () => {
  const script = join(DIR, 'alertmanager-entrypoint.sh');
  const shellcheck = findTool('shellcheck');

  (shellcheck ? it : it.skip)('passes shellcheck', () => {
    const r = run(shellcheck as string, [script]);
    expect(r.status, r.output).toBe(0);
  });

  it('writes the webhook to the secret file (mode 0600) without printing it, then starts Alertmanager', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-am-'));
    try {
      const file = join(dir, 'secrets', 'webhook');
      const url = 'https://hooks.example.invalid/services/T000/B000/secret-part';
      const r = spawnSync('sh', [script, '--flag-for-alertmanager'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ALERT_SLACK_WEBHOOK: url, ALERT_SLACK_WEBHOOK_FILE: file, ALERTMANAGER_BIN: 'echo' },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(url);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // "echo" stands in for alertmanager: it shows the arguments it would get, and they never hold the secret.
      expect(r.stdout.trim()).toBe(`--config.file=${join(DIR, 'alertmanager.yml')} --flag-for-alertmanager`);
      expect(`${r.stdout}${r.stderr}`).not.toContain('secret-part');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without ALERT_SLACK_WEBHOOK, saying which variable is missing', () => {
    const r = spawnSync('sh', [script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ALERTMANAGER_BIN: 'echo' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ALERT_SLACK_WEBHOOK');
  });
});

describe('Grafana dashboards', () => {
  const files = readdirSync(join(DIR, 'dashboards')).filter((f) => f.endsWith('.json'));

  it('ships the fleet overview and venue live dashboards', () => {
    expect(files.sort()).toEqual(['fleet-overview.json', 'venue-live.json']);
  });

  it.each(files)('%s parses, has unique panel ids and queries only known metrics', (file) => {
    const dash = JSON.parse(readFileSync(join(DIR, 'dashboards', file), 'utf8')) as {
      uid: string;
      panels: { id: number; title: string; targets: { expr: string }[] }[];
    };
    expect(dash.uid).toMatch(/^seatpilot-/);
    expect(dash.panels.length).toBeGreaterThan(3);
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels) {
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        const names = metricNames(t.expr);
        expect(names.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of names) expect(isKnown(n), `${file} "${p.title}" uses unknown metric ${n}`).toBe(true);
      }
    }
  });
});

describe('metric names', () => {
  // The design folder sits beside the repository (README: ../shared/design/SYSTEM.md); CI checkouts may not have it.
  const systemMd = join(DIR, '../../../shared/design/SYSTEM.md');
  (existsSync(systemMd) ? it : it.skip)('metric-names.ts matches SYSTEM.md "Metrics"', () => {
    const text = readFileSync(systemMd, 'utf8');
    const section = text.split(/^## Metrics/m)[1]?.split(/^## /m)[0] ?? '';
    const names = [...section.matchAll(/`([a-z_]+)(?:\{[^}]*\})?`/g)].map((m) => m[1] as string);
    expect([...new Set(names)].sort()).toEqual([...SYSTEM_METRICS].sort());
  });

  it('the name check catches a metric outside the contract', () => {
    expect(metricNames('rate(seatpilot_checkins_total{job="seatpilot-cloud"}[5m])')).toEqual(['seatpilot_checkins_total']);
    expect(isKnown('seatpilot_checkins_total')).toBe(false);
    expect(isKnown('seatpilot_checkin_latency_seconds_bucket')).toBe(true);
    expect(isKnown('seatpilot_mv_lag_seconds_bucket')).toBe(false);
  });
});
