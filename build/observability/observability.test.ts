// The Prometheus/Alertmanager/Grafana bundle is valid: promtool and amtool accept it, every alert has a firing and a
// quiet unit test, and dashboards and rules use only series that a running cloud and agent really expose on /metrics
// (or series the rules record themselves).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type CloudApp } from '../../cloud-sync/app';
import { addDevice, addTenant, addVenue, type IssuedKey } from '../../cloud-sync/admin';
import { importGuests } from '../../cloud-sync/guestlist/import-guests';
import { addOccasion, importTables } from '../../cloud-sync/guestlist/manage';
import { assignSeats } from '../../cloud-sync/seating/assign';
import { signRequest } from '../../core/signing/signing';
import { parseAgentConfig } from '../../edge-agent/config';
import { startAgent, type RunningAgent } from '../../edge-agent/runtime';
import { freshDatabase, type TestDatabase } from '../../tests/pg-backends';
import { batchOf, checkinEvent } from '../../tests/signed';
import { runCli } from '../../tests/cli-run';
import { requireTool } from '../../tests/tools';
import { waitFor } from '../../tests/wait';
import { NOT_YET_EXPOSED, SYSTEM_METRICS } from './metric-names';

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
  'SeatPilotCloudDown',
  'SeatPilotAgentDown',
  'SeatPilotDoubleAdmission',
  'SeatPilotPushDead',
];

function run(tool: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(tool, args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

// Under CI=true a missing tool fails this file, naming its Debian package (tests/tools.ts); elsewhere its tests skip.
const promtool = requireTool('promtool', 'prometheus');
const amtool = requireTool('amtool', 'prometheus-alertmanager');
const shellcheck = requireTool('shellcheck', 'shellcheck');
const rulesText = readFileSync(join(DIR, 'seatpilot.rules.yml'), 'utf8');
const rulesTestText = readFileSync(join(DIR, 'seatpilot.rules.test.yml'), 'utf8');
const recorded = [...rulesText.matchAll(/^\s*- record:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
const alerts = [...rulesText.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);

/** Metric-like names in a PromQL expression, quoted strings removed first (label values are not metrics). */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...bare.matchAll(/\b(seatpilot[a-z0-9_:]*|http_[a-z0-9_]+|[a-z_]+:[a-z0-9_:]+)\b/g)].map((m) => m[1] as string);
}

/** What one /metrics answer exposes: the sample names (x_bucket, x_sum… for a histogram) and their families (x). */
function exposition(text: string): { samples: Set<string>; families: Set<string> } {
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
  const samples = new Set<string>();
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1];
    if (!name) continue;
    samples.add(name);
    const base = name.replace(/_(bucket|sum|count)$/, '');
    families.add(base !== name && types.get(base) === 'histogram' ? base : name);
  }
  return { samples, families };
}

/** Everything a running cloud and agent expose; filled in by the file's beforeAll. */
const exposed = { samples: new Set<string>(), families: new Set<string>() };

/** A series a PromQL expression may read: exposed, recorded by the rules, or a named not-yet-exposed contract metric. */
function isKnown(name: string): boolean {
  if (recorded.includes(name) || exposed.samples.has(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  const kind = NOT_YET_EXPOSED[base];
  return kind !== undefined && (base === name || kind === 'histogram');
}

// A real cloud (PGlite) and a real agent on 127.0.0.1, the agent relaying to the cloud: a kiosk's signed check-ins and
// refusal into the agent, the agent's heartbeat, and a bad event straight to the cloud, so that counters and histograms
// have series. Then both /metrics are scraped.
let t: TestDatabase | undefined;
let cloud: CloudApp | undefined;
let agent: RunningAgent | undefined;
const scraped: Record<'cloud' | 'agent', string> = { cloud: '', agent: '' };

async function signedPost(baseUrl: string, key: Pick<IssuedKey, 'key_id' | 'secret'>, path: string, body: string) {
  const headers = await signRequest({ keyId: key.key_id, secret: key.secret, method: 'POST', pathWithQuery: path, body });
  const r = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  return { status: r.status, body: (await r.json()) as { accepted: number; rejected: unknown[] } };
}

beforeAll(async () => {
  t = await freshDatabase('pglite');
  const tenant = await addTenant(t.db, 'Tenant');
  const venue = await addVenue(t.db, tenant.id, 'Hall');
  const agentKey = await addDevice(t.db, venue.id, 'agent');
  const kioskDevice = await addDevice(t.db, venue.id, 'kiosk');
  cloud = await buildApp({ db: t.db, doubleAdmissionEverySec: 0 });
  await cloud.app.listen({ host: '127.0.0.1', port: 0 });
  const cloudUrl = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'sp-obs-'));
  agent = await startAgent({
    config: parseAgentConfig({
      venue_id: venue.id, device_id: agentKey.device_id, listen: { host: '127.0.0.1', port: 0 },
      cloud: { url: cloudUrl, key_id: agentKey.key_id, secret: agentKey.secret }, push_interval_ms: 100, pull_interval_ms: 1000, tablet: {},
    }),
    databaseFile: join(dir, 'agent.sqlite'),
  });
  const kioskKey = agent.store.issueKey(kioskDevice.device_id, 'kiosk');
  const kiosk = { venue_id: venue.id, device_id: kioskDevice.device_id };
  const refusal = { ...checkinEvent(kiosk), type: 'checkin.rejected', payload: { reason: 'unknown_credential', credential_kind: 'barcode', door_id: 'door-a', latency_ms: 1.2 } };
  const atAgent = await signedPost(agent.url, kioskKey, '/v1/events', batchOf([checkinEvent(kiosk), checkinEvent(kiosk), refusal]));
  expect(atAgent).toMatchObject({ status: 200, body: { accepted: 3, rejected: [] } });
  agent.heartbeat();
  const bad = { event_id: randomUUID(), type: 'checkin.succeeded', occurred_at: new Date().toISOString(), venue_id: venue.id, device_id: agentKey.device_id, payload: {} };
  const atCloud = await signedPost(cloudUrl, agentKey, '/v1/events', batchOf([bad]));
  expect(atCloud).toMatchObject({ status: 200, body: { accepted: 0, rejected: [expect.objectContaining({ reason: expect.any(String) })] } });
  // One seating assign (as `cloud seating assign` runs it) for the cloud's assign metrics.
  const occasion = await addOccasion(t.db, { venueId: venue.id, name: 'Gala', startsAt: '2026-12-31T19:00:00Z', endsAt: '2027-01-01T03:00:00Z' });
  await importTables(t.db, venue.id, 'label,capacity\nT1,4\n');
  await importGuests(t.db, { venueId: venue.id, occasionId: occasion.id, csv: 'guest_id,name,group\ng1,Ana,silva\ng2,Bo,silva\n' });
  expect(await assignSeats(t.db, { occasionId: occasion.id, timeLimitMs: 200 })).toMatchObject({ guests_seated: 2 });
  await cloud.assignMetrics.tick();
  // The relayed check-ins and the heartbeat reach the cloud: its ingest counter and the device's last-seen gauge show it.
  await waitFor('the relayed events and heartbeat on the cloud /metrics', async () => {
    scraped.cloud = await (await fetch(`${cloudUrl}/metrics`)).text();
    // Summed over whatever labels the counter carries: 3 relayed events and the heartbeat.
    const accepted = [...scraped.cloud.matchAll(/^seatpilot_ingest_accepted_total(?:\{[^}]*\})? (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    return accepted >= 4 && /^seatpilot_device_last_seen_timestamp_seconds\{/m.test(scraped.cloud) && /^seatpilot_assign_duration_seconds_bucket\{.*channel="cli"/m.test(scraped.cloud);
  }, 30_000, 100);
  scraped.agent = await (await fetch(`${agent.url}/metrics`)).text();
  for (const text of Object.values(scraped)) {
    const e = exposition(text);
    for (const n of e.samples) exposed.samples.add(n);
    for (const n of e.families) exposed.families.add(n);
  }
});

afterAll(async () => {
  await agent?.close();
  await cloud?.app.close();
  await t?.drop();
});

describe('Prometheus rules and config', () => {
  const needPromtool = promtool ? it : it.skip;

  needPromtool('promtool check config accepts prometheus.yml, whose cloud job scrapes with a bearer token file', () => {
    const config = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    const cloudJob = config.slice(config.indexOf('- job_name: seatpilot-cloud'), config.indexOf('- job_name: seatpilot-agents'));
    expect(cloudJob).toMatch(/\n {4}authorization:\n {6}type: Bearer\n {6}credentials_file: seatpilot-metrics-token\n/);
    // promtool checks that the token file exists: the shipped config and rules in a folder that has one, and one that has not.
    const dir = mkdtempSync(join(tmpdir(), 'sp-promcfg-'));
    try {
      for (const f of ['prometheus.yml', 'seatpilot.rules.yml']) writeFileSync(join(dir, f), readFileSync(join(DIR, f)));
      const check = () => spawnSync(promtool as string, ['check', 'config', 'prometheus.yml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      const without = check();
      expect(without.status).not.toBe(0);
      expect(`${without.stdout}${without.stderr}`).toContain('seatpilot-metrics-token');
      writeFileSync(join(dir, 'seatpilot-metrics-token'), randomUUID(), { mode: 0o600 });
      const r = check();
      expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('defines exactly the alerts of the issue, each with a runbook section and an absolute link to it', () => {
    expect([...alerts].sort()).toEqual([...REQUIRED_ALERTS].sort());
    const runbook = readFileSync(join(DIR, '../../docs/runbooks/README.md'), 'utf8');
    for (const a of REQUIRED_ALERTS) {
      expect(runbook, `runbook section for ${a}`).toMatch(new RegExp(`^## ${a}$`, 'm'));
      expect(rulesText).toContain(`runbook_url: '{{ $externalLabels.runbook_base }}#${a.toLowerCase()}'`);
    }
    expect(rulesText.match(/runbook_url:/g)).toHaveLength(alerts.length);
    // The base the links hang off: an absolute https URL of the runbook file, set where Prometheus is configured.
    const base = /^\s+runbook_base:\s*'([^']+)'/m.exec(readFileSync(join(DIR, 'prometheus.yml'), 'utf8'))?.[1];
    expect(base).toMatch(/^https:\/\/[^/\s]+\/\S*README\.md$/);
  });

  it('lists no venue target in the discovery folder: the example sits outside it, on the agent\'s default port', () => {
    const config = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    expect(config).toContain("files: ['targets/agents/*.json']");
    expect(readdirSync(join(DIR, 'targets', 'agents')).filter((f) => f.endsWith('.json'))).toEqual([]);
    const example = JSON.parse(readFileSync(join(DIR, 'targets', 'example-agent.json'), 'utf8')) as { targets: string[]; labels: Record<string, string> }[];
    const defaultPort = /config\.listen\?\.port \?\? (\d+)/.exec(readFileSync(join(DIR, '../../edge-agent/runtime.ts'), 'utf8'))?.[1];
    expect(defaultPort).toBeDefined();
    expect(example[0]?.targets[0]).toMatch(new RegExp(`:${defaultPort}$`));
    expect(Object.keys(example[0]?.labels ?? {}).sort()).toEqual(['tenant', 'venue']);
  });

  it('says beside each address it sets what the address is', () => {
    const lines = readFileSync(join(DIR, 'prometheus.yml'), 'utf8').split('\n');
    for (const [what, line] of [['Alertmanager', "- targets: ['127.0.0.1:9093']"], ['cloud service', "- targets: ['127.0.0.1:8080']"]] as const) {
      const at = lines.findIndex((l) => l.trim() === line);
      expect(at, line).toBeGreaterThan(0);
      let from = at;
      while (from > 0 && /^\s*#/.test(lines[from - 1] ?? '')) from--;
      expect(lines.slice(from, at).join(' '), `the comment above ${line}`).toContain(what);
    }
  });

  it('unit-tests every alert once firing and once quiet', () => {
    const cases = [...rulesTestText.matchAll(/alertname:\s*(\S+)\s*\n\s*exp_alerts:\s*(\[\])?/g)].map((m) => ({ alert: m[1] as string, quiet: m[2] === '[]' }));
    for (const a of REQUIRED_ALERTS) {
      expect(cases.some((c) => c.alert === a && !c.quiet), `${a} has a firing case`).toBe(true);
      expect(cases.some((c) => c.alert === a && c.quiet), `${a} has a quiet case`).toBe(true);
    }
  });

  it('names recording rules level:metric:operations and reads only series the services expose', () => {
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

/**
 * The `seatpilot …` commands a document names: in code spans and in fenced code blocks. Each is cut to its command
 * words (up to the first option, placeholder or "…"); `a|b` alternatives become one command each.
 */
function documentedCommands(markdown: string): string[] {
  const snippets = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n'));
  const prose = markdown.replace(/```[a-z]*\n[\s\S]*?```/g, '');
  // A code span may wrap onto the next line of the paragraph.
  snippets.push(...[...prose.matchAll(/`([^`]+)`/g)].map((m) => (m[1] as string).replace(/\s+/g, ' ')));
  const out = new Set<string>();
  for (const text of snippets) {
    for (const m of text.matchAll(/(?:^|[\s(])seatpilot((?: [a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)*)/g)) {
      let paths: string[][] = [[]];
      for (const word of (m[1] as string).trim().split(' ').filter(Boolean)) paths = paths.flatMap((p) => word.split('|').map((w) => [...p, w]));
      for (const p of paths) if (p.length) out.add(p.join(' '));
    }
  }
  return [...out].sort();
}

/** Whether `seatpilot WORDS` is a command: it gets as far as reading its own options, and refuses `--help` there. */
async function commandExists(words: string): Promise<{ exists: boolean; output: string }> {
  const r = await runCli([...words.split(' '), '--help'], { DATABASE_URL: undefined }, 60_000);
  const output = `${r.stdout}${r.stderr}`;
  // A known command parses its options strictly (cli/util.ts): "--help" is an unknown option there. The kiosk's own
  // --help prints its usage. An unknown command or action is named as such before any option is read.
  const exists = (r.code === 2 && /Unknown option '--help'/.test(output)) || (r.code === 0 && /^usage: seatpilot /m.test(output));
  return { exists: exists && !/unknown (command|subcommand|\w+ action)/i.test(output), output };
}

describe('commands named in the runbook and README', () => {
  const docs = ['docs/runbooks/README.md', 'README.md'].map((f) => ({ file: f, text: readFileSync(join(DIR, '../..', f), 'utf8') }));

  it('finds the commands in both documents', () => {
    const runbook = documentedCommands(docs[0]!.text);
    expect(runbook).toEqual(expect.arrayContaining(['cloud billing close', 'cloud key revoke', 'cloud kpi-refresher', 'cloud plan set', 'cloud tenant plan', 'doctor']));
    expect(documentedCommands('`seatpilot hw list|listen` and\n```sh\nnpx seatpilot cloud guest revoke --guest G\n```')).toEqual(['cloud guest revoke', 'hw list', 'hw listen']);
  });

  it('every one exists (checked without running it: each stops at its --help), and a misspelt one is caught', async () => {
    const commands = [...new Set(docs.flatMap((d) => documentedCommands(d.text)))];
    expect(commands.length).toBeGreaterThan(15);
    const results: { command: string; exists: boolean; output: string }[] = [];
    for (let i = 0; i < commands.length; i += 4) {
      results.push(...(await Promise.all(commands.slice(i, i + 4).map(async (command) => ({ command, ...(await commandExists(command)) })))));
    }
    const missing = results.filter((r) => !r.exists);
    expect(missing.map((r) => `seatpilot ${r.command}: ${r.output.split('\n')[0]}`)).toEqual([]);
    // The check can fail: the runbook once named "cloud keys revoke", and a misspelt action is refused too.
    for (const wrong of ['cloud keys revoke', 'cloud billing closez', 'cloud tenant plans']) expect((await commandExists(wrong)).exists, wrong).toBe(false);
  }, 240_000);
});

describe('Grafana dashboards', () => {
  const files = readdirSync(join(DIR, 'dashboards')).filter((f) => f.endsWith('.json'));
  const PROVISIONED_UID = 'seatpilot-prometheus';

  it('provisioning files set the data source uid the dashboards default to, and load the dashboards folder', () => {
    const ds = readFileSync(join(DIR, 'grafana', 'provisioning', 'datasources', 'seatpilot.yml'), 'utf8');
    expect(ds).toMatch(/^apiVersion: 1$/m);
    expect(ds).toMatch(new RegExp(`^datasources:\\n  - name: .+\\n    uid: ${PROVISIONED_UID}\\n    type: prometheus\\n`, 'm'));
    expect(ds).toMatch(/^ {4}url: \$\{PROMETHEUS_URL\}$/m);
    const dash = readFileSync(join(DIR, 'grafana', 'provisioning', 'dashboards', 'seatpilot.yml'), 'utf8');
    expect(dash).toMatch(/^apiVersion: 1$/m);
    expect(dash).toMatch(/^providers:\n {2}- name: seatpilot\n/m);
    expect(dash).toMatch(/^ {4}type: file$/m);
    expect(dash).toMatch(/^ {6}path: \$\{SEATPILOT_DASHBOARDS_DIR\}$/m);
    // Tabs are not YAML indentation; a tab here would stop Grafana reading the file.
    expect(`${ds}${dash}`).not.toContain('\t');
  });

  it.each(files)('%s loads when provisioned from a file: every data source is the provisioned uid or a defined ${datasource} variable', (file) => {
    const text = readFileSync(join(DIR, 'dashboards', file), 'utf8');
    const dash = JSON.parse(text) as { __inputs?: unknown; templating: { list: { name: string; type: string; query?: unknown; current?: { value?: string } }[] } };
    // File provisioning fills no __inputs: a ${DS_…} input would stay unresolved and every panel show "data source not found".
    expect(dash.__inputs).toBeUndefined();
    expect(text).not.toMatch(/\$\{DS_/);
    const variable = dash.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: PROVISIONED_UID } });
    const uids = [...text.matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1] as string).filter((u) => !u.startsWith('seatpilot-fleet') && !u.startsWith('seatpilot-venue'));
    expect(uids.length).toBeGreaterThan(5);
    for (const u of uids) expect(['${datasource}', PROVISIONED_UID], file).toContain(u);
  });

  (promtool ? it : it.skip)('every panel and variable query is PromQL that promtool accepts', () => {
    // promtool has no "check expr": each query becomes a recording rule in a scratch file, which check rules parses.
    // Grafana's variables are replaced by a value first, as Grafana does before it sends the query.
    const exprs: { where: string; expr: string }[] = [];
    for (const file of files) {
      const dash = JSON.parse(readFileSync(join(DIR, 'dashboards', file), 'utf8')) as {
        panels: { title: string; targets: { expr: string }[] }[];
        templating: { list: { name: string; query?: { query?: string } | string }[] };
      };
      for (const p of dash.panels) for (const t of p.targets) exprs.push({ where: `${file} "${p.title}"`, expr: t.expr });
      for (const v of dash.templating.list) {
        const q = typeof v.query === 'object' ? v.query.query : undefined;
        const inner = q && /^label_values\((.+),\s*[a-z_]+\)$/.exec(q)?.[1];
        if (inner) exprs.push({ where: `${file} variable ${v.name}`, expr: inner });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'sp-dash-'));
    try {
      const rules = exprs.map((e, i) => `      - record: dashboard:expr_${i}:check\n        expr: ${JSON.stringify(e.expr.replace(/\$\{?(tenant|venue)\}?/g, 'x'))}`);
      writeFileSync(join(dir, 'dash.rules.yml'), `groups:\n  - name: dashboards\n    rules:\n${rules.join('\n')}\n`);
      const r = run(promtool as string, ['check', 'rules', join(dir, 'dash.rules.yml')]);
      expect(r.status, `${r.output}\n${exprs.map((e, i) => `expr_${i}: ${e.where}`).join('\n')}`).toBe(0);
      expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
      // The check can fail: a query with a typo is refused.
      writeFileSync(join(dir, 'bad.rules.yml'), 'groups:\n  - name: d\n    rules:\n      - record: d:x:y\n        expr: "sum by (tenant (up)"\n');
      expect(run(promtool as string, ['check', 'rules', join(dir, 'bad.rules.yml')]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(exprs.length).toBeGreaterThan(10);
  });

  it('ships the fleet overview and venue live dashboards', () => {
    expect(files.sort()).toEqual(['fleet-overview.json', 'venue-live.json']);
  });

  it.each(files)('%s parses, has unique panel ids and queries only series the services expose', (file) => {
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

  it('every contract metric is exposed by the running cloud or agent, but the named not-yet-exposed ones', () => {
    const missing = SYSTEM_METRICS.filter((n) => !exposed.families.has(n));
    expect(missing.sort()).toEqual(Object.keys(NOT_YET_EXPOSED).sort());
    // Where each comes from, as SYSTEM.md says: the agent's outbox and the kiosks' latencies, the cloud's fleet gauges.
    const agentSide = exposition(scraped.agent).families;
    const cloudSide = exposition(scraped.cloud).families;
    for (const n of ['seatpilot_outbox_depth', 'seatpilot_outbox_oldest_unsent_seconds', 'seatpilot_checkin_latency_seconds', 'seatpilot_checkin_stage_seconds', 'seatpilot_door_to_seat_seconds']) expect(agentSide.has(n), `agent ${n}`).toBe(true);
    for (const n of ['seatpilot_device_last_seen_timestamp_seconds', 'seatpilot_ingest_accepted_total', 'seatpilot_ingest_rejected_total', 'seatpilot_mv_lag_seconds', 'http_request_duration_seconds', 'seatpilot_assign_duration_seconds', 'seatpilot_assign_feasible_ratio']) expect(cloudSide.has(n), `cloud ${n}`).toBe(true);
    expect(scraped.cloud).toMatch(/^seatpilot_assign_feasible_ratio\{[^}]*channel="cli"[^}]*\} 1$/m);
  });

  it('the name check catches a metric no service exposes, and a histogram read without its suffix', () => {
    expect(metricNames('rate(seatpilot_checkins_total{job="seatpilot-cloud"}[5m])')).toEqual(['seatpilot_checkins_total']);
    expect(isKnown('seatpilot_checkins_total')).toBe(false);
    expect(isKnown('seatpilot_checkin_latency_seconds_bucket')).toBe(true);
    expect(isKnown('seatpilot_checkin_latency_seconds')).toBe(false);
    expect(isKnown('seatpilot_mv_lag_seconds')).toBe(true);
    expect(isKnown('seatpilot_mv_lag_seconds_bucket')).toBe(false);
    expect(isKnown('seatpilot_assign_duration_seconds_bucket')).toBe(true);
    expect(isKnown('seatpilot_assign_feasible_ratio_bucket')).toBe(false);
  });
});
