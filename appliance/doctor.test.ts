// `seatpilot doctor` on a healthy box and on broken ones, as venue IT runs it (a child process) and in-process for the
// kiosk's scanners on a simulated HID bus. Real cloud (PGlite), real agent, real SQLite files, real HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp, type CloudApp } from '../cloud-sync/app';
import { addTenant, addVenue } from '../cloud-sync/admin';
import { openPglite, type Db } from '../cloud-sync/db';
import { issuePairCode } from '../cloud-sync/pairing';
import { loadAgentConfig } from '../edge-agent/config';
import { AgentPairing } from '../edge-agent/pairing';
import { AgentStore } from '../edge-agent/store';
import { HubAudit } from '../edge-agent/audit-log';
import { SecretBox } from '../node-kit/secret-box';
import { startAgent, type RunningAgent } from '../edge-agent/runtime';
import { SimulatedHidBackend } from '../hardware/simulated';
import { openStore } from '../venue-store/open';
import { loadVenueMigrations } from '../venue-store/migrations';
import { SqliteOutbox } from '../venue-store/outbox';
import { migratePostgres } from '../sql/migrate';
import { runCli } from '../tests/cli-run';
import { checkinEvent } from '../tests/signed';
import { formatReport, runDoctor, type DoctorReport } from './doctor';
import { pairBox } from './pair';
import { closedPort, skewedUpstream } from '../tests/fixtures/test-servers';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `sp-doctor-${p}-`));
const lines = (stdout: string) => stdout.trim().split('\n');
const lineOf = (stdout: string, prefix: string) => lines(stdout).find((l) => l.startsWith(prefix));

describe('seatpilot doctor on an agent box', () => {
  let db: Db;
  let cloud: CloudApp;
  let cloudUrl: string;
  let healthyDir: string;
  let agentConfig: Record<string, unknown>;
  let agent: RunningAgent | undefined;

  /** A copy of the healthy box's config with some fields changed, in a folder of its own. */
  const variant = (change: (c: Record<string, unknown>) => Record<string, unknown>) => {
    const dir = tmp('variant');
    writeFileSync(join(dir, 'agent.json'), JSON.stringify(change(structuredClone(agentConfig))));
    return dir;
  };

  beforeAll(async () => {
    db = await openPglite();
    await migratePostgres(db);
    cloud = await buildApp({ db });
    await cloud.app.listen({ host: '127.0.0.1', port: 0 });
    cloudUrl = `http://127.0.0.1:${(cloud.app.server.address() as { port: number }).port}`;
    const tenant = await addTenant(db, 'Gala Co');
    const venue = await addVenue(db, tenant.id, 'Grand Hall');
    // The box as installed: the shipped template, paired with a code, its database created by a first start.
    healthyDir = tmp('healthy');
    const defaults = tmp('defaults');
    writeFileSync(join(defaults, 'agent.json'), JSON.stringify({ listen: { host: '127.0.0.1', port: await closedPort() }, database: join(healthyDir, 'agent.sqlite') }));
    const code = await issuePairCode(db, venue.id, 'agent');
    await pairBox({ url: cloudUrl, issuer: 'cloud', code: code.code, configDir: healthyDir, defaultsDir: defaults });
    agentConfig = JSON.parse(readFileSync(join(healthyDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    // The agent service, running from that config.
    agent = await startAgent({ ...loadAgentConfig(join(healthyDir, 'agent.json')) });
  });
  afterAll(async () => {
    await agent?.close();
    await cloud?.app.close();
    await db?.close();
  });

  it('passes on a healthy, paired box: exit 0, one OK line per check, the secret never printed', async () => {
    const r = await runCli(['doctor', '--config-dir', healthyDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lineOf(r.stdout, 'OK   agent config:')).toContain('venue ven_');
    expect(lineOf(r.stdout, 'OK   agent service:')).toMatch(/^OK {3}agent service: answering on http:\/\/127\.0\.0\.1:\d+ \((ok|degraded)\)$/);
    expect(lineOf(r.stdout, 'OK   agent database:')).toContain('integrity ok, schema version');
    expect(lineOf(r.stdout, 'OK   agent cloud:')).toMatch(/reachable, key key_\w+ accepted/);
    expect(lineOf(r.stdout, 'OK   agent clock:')).toContain('of the cloud');
    expect(lineOf(r.stdout, 'OK   agent backlog:')).toMatch(/^OK {3}agent backlog: \d+ events? waiting/);
    // The cloud serves /v1/sync: the running agent has pulled (an empty list) by now, or is about to.
    expect(lineOf(r.stdout, 'OK   agent guest list:') ?? lineOf(r.stdout, 'WARN agent guest list:')).toMatch(/version \d+, last synced from the cloud \d+ s ago|no guest list received from the cloud yet/);
    expect(lineOf(r.stdout, 'OK   agent disk:')).toMatch(/[MG]iB free of/);
    expect(r.stdout.trim().endsWith('All checks passed.')).toBe(true);
    expect(r.stdout).not.toContain((agentConfig.cloud as { secret: string }).secret);

    const j = await runCli(['doctor', '--config', join(healthyDir, 'agent.json'), '--json']);
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.check)).toEqual(['agent config', 'agent service', 'agent database', 'agent files', 'agent cloud', 'agent clock', 'agent backlog', 'agent guest list', 'agent disk']);
  });

  it('fails when there is no config', async () => {
    const empty = await runCli(['doctor', '--config-dir', tmp('empty')]);
    expect(empty.code).toBe(1);
    expect(lines(empty.stdout)[0]).toMatch(/^FAIL config: no agent\.json or kiosk\.json in .* → pair this box: seatpilot pair --cloud URL --code CODE/);
    const missing = await runCli(['doctor', '--config', '/nonexistent/agent.json']);
    expect(missing.code).toBe(1);
    expect(lines(missing.stdout)[0]).toBe('FAIL config: cannot read /nonexistent/agent.json (ENOENT) → pair this box: seatpilot pair --cloud URL --code CODE (or --agent URL for a door kiosk)');
    const invalid = await runCli(['doctor', '--config-dir', variant((c) => ({ ...c, listen: { port: 'eighty' } }))]);
    expect(invalid.code).toBe(1);
    expect(lines(invalid.stdout)[0]).toMatch(/^FAIL agent config: .*agent\.json: \/listen\/port must be integer → fix that field/);
  });

  it('fails on a data file others can read, and on a missing key file the doors\' keys are sealed with', async () => {
    const dir = tmp('modes');
    const file = join(dir, 'agent.sqlite');
    const keyFile = join(dir, 'hub-secrets.key');
    const { db: sqlite } = openStore(file);
    new AgentStore(sqlite, 'ven_modes', Date.now, SecretBox.load(keyFile)).issueKey('dev_door', 'kiosk');
    sqlite.close();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, database: file, secret_key_file: 'hub-secrets.key' }));
    const ok = await runCli(['doctor', '--config-dir', dir]);
    expect(lineOf(ok.stdout, 'OK   agent files:')).toBe(`OK   agent files: ${dir}: readable by its owner only; secret key in ${keyFile}`);

    chmodSync(file, 0o644);
    const shared = await runCli(['doctor', '--config-dir', dir]);
    expect(shared.code).toBe(1);
    // SQLite gives the -wal the doctor's read opened the database file's mode: it is named too.
    expect(lineOf(shared.stdout, 'FAIL agent files:')).toMatch(new RegExp(`^FAIL agent files: readable by other users: ${file} \\(0644\\)(, ${file}-wal \\(0644\\))? → systemctl restart seatpilot-agent`));
    chmodSync(file, 0o600);

    rmSync(keyFile);
    const lost = await runCli(['doctor', '--config-dir', dir]);
    expect(lost.code).toBe(1);
    expect(lineOf(lost.stdout, 'FAIL agent files:')).toBe(
      `FAIL agent files: the secret key file ${keyFile} is missing, and the doors' keys in ${file} are sealed with it → restore it from the backup; if it is lost: seatpilot agent key revoke-unreadable --config ${join(dir, 'agent.json')}, then pair the doors again`,
    );
  });

  it('fails on a corrupt SQLite file, naming it and what to do', async () => {
    const dir = tmp('corrupt');
    const file = join(dir, 'agent.sqlite');
    writeFileSync(file, randomBytes(64 * 1024));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, database: file }));
    const r = await runCli(['doctor', '--config-dir', dir]);
    expect(r.code).toBe(1);
    expect(lineOf(r.stdout, 'FAIL agent database:')).toMatch(new RegExp(`${file} is damaged: .*not a database.* → stop the agent, move the file aside \\(mv ${file} ${file}\\.broken\\)`));

    // A real database with a damaged page inside: integrity_check finds it.
    const dir2 = tmp('corrupt-page');
    const file2 = join(dir2, 'agent.sqlite');
    openStore(file2).db.close();
    const bytes = readFileSync(file2);
    randomBytes(4096).copy(bytes, 4096 * 3);
    writeFileSync(file2, bytes);
    writeFileSync(join(dir2, 'agent.json'), JSON.stringify({ ...agentConfig, database: file2 }));
    const r2 = await runCli(['doctor', '--config-dir', dir2]);
    expect(r2.code).toBe(1);
    expect(lineOf(r2.stdout, 'FAIL agent database:')).toContain(`${file2} is damaged`);
  });

  it('passes on a database a newer build migrated compatibly, and fails on one it migrated past this build', async () => {
    const known = loadVenueMigrations().length;
    const newer = (compatibleWith: number) => {
      const dir = tmp(`newer-${compatibleWith}`);
      const file = join(dir, 'agent.sqlite');
      const store = openStore(file);
      // What a build one schema version ahead records: its migration, and the oldest build it keeps working.
      store.db.prepare('INSERT INTO schema_migrations (version, name, compatible_with) VALUES (?, ?, ?)').run(known + 1, 'from_a_newer_build', compatibleWith);
      store.db.close();
      writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, database: file }));
      return dir;
    };
    const ok = await runCli(['doctor', '--config-dir', newer(known)]);
    expect(ok.code).toBe(0);
    expect(lineOf(ok.stdout, 'OK   agent database:')).toContain(`schema version ${known + 1}, newer than this build (${known}) and compatible with it`);
    const bad = await runCli(['doctor', '--config-dir', newer(known + 1)]);
    expect(bad.code).toBe(1);
    expect(lineOf(bad.stdout, 'FAIL agent database:')).toContain(`needs a build of schema version ${known + 1} or newer`);
  });

  it('fails when the agent service is not running, pointing at its logs', async () => {
    const port = await closedPort();
    const dir = variant((c) => ({ ...c, listen: { host: '0.0.0.0', port } }));
    const report = await runDoctor({ configDir: dir });
    expect(report.ok).toBe(false);
    expect(formatReport(report)).toMatch(new RegExp(`^FAIL agent service: not answering on http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) → start it: systemctl start seatpilot-agent; journalctl -u seatpilot-agent -n 50 says why$`, 'm'));
  });

  it('fails when the cloud is down', async () => {
    const port = await closedPort();
    const dir = variant((c) => ({ ...c, cloud: { ...(c.cloud as object), url: `http://127.0.0.1:${port}` } }));
    const r = await runCli(['doctor', '--config-dir', dir]);
    expect(r.code).toBe(1);
    expect(lineOf(r.stdout, 'FAIL agent cloud:')).toBe(`FAIL agent cloud: cannot reach http://127.0.0.1:${port} (ECONNREFUSED) → check the network cable, DNS and firewall towards http://127.0.0.1:${port}; the venue keeps working offline and the backlog goes out once it is back`);
  });

  /** The healthy box's cloud key, as an upstream that checks signatures knows it. */
  const cloudKey = () => {
    const c = agentConfig.cloud as { key_id: string; secret: string };
    return { [c.key_id]: c.secret };
  };

  it('fails on clock skew, read from the upstream Date header', async () => {
    // 10 min off is beyond the ±300 s window: the key check passes only because the doctor signs on the upstream's clock.
    const upstream = await skewedUpstream(-10 * 60_000, cloudKey());
    try {
      const dir = variant((c) => ({ ...c, cloud: { ...(c.cloud as object), url: upstream.url } }));
      const r = await runCli(['doctor', '--config-dir', dir]);
      expect(r.code).toBe(1);
      const clock = lineOf(r.stdout, 'FAIL agent clock:') ?? '';
      expect(clock).toMatch(/^FAIL agent clock: this box's clock is (59[89]|60[0-2]) s ahead of the cloud → turn on time sync \(timedatectl set-ntp true\)/);
      // Only the clock is wrong: the (signed, offset-corrected) key check still passes.
      expect(r.stdout.match(/^FAIL/gm)).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });

  it('fails on a wrong secret: the upstream knows the key, the signature does not match', async () => {
    const upstream = await skewedUpstream(0, cloudKey());
    try {
      const dir = variant((c) => ({ ...c, cloud: { ...(c.cloud as object), url: upstream.url, secret: 'sps_not-the-paired-secret-0000' } }));
      const r = await runCli(['doctor', '--config-dir', dir]);
      expect(r.code).toBe(1);
      const keyId = (agentConfig.cloud as { key_id: string }).key_id;
      expect(lineOf(r.stdout, 'FAIL agent cloud:')).toBe(`FAIL agent cloud: ${upstream.url} knows key ${keyId} but the secret in ${join(dir, 'agent.json')} does not match → pair this box again (seatpilot pair --cloud ${upstream.url} --code CODE)`);
      expect(r.stdout).not.toContain('sps_not-the-paired-secret-0000');
    } finally {
      await upstream.close();
    }
  });

  it('fails on a revoked key and on a backlog older than five minutes', async () => {
    const keyId = (agentConfig.cloud as { key_id: string }).key_id;
    const dir = tmp('backlog');
    const file = join(dir, 'agent.sqlite');
    const { db: sqlite } = openStore(file);
    new SqliteOutbox(sqlite).append(checkinEvent({ venue_id: agentConfig.venue_id as string, device_id: agentConfig.device_id as string }), Date.now() - 20 * 60_000);
    sqlite.prepare("INSERT INTO sync_state (feed, cursor, version, updated_at) VALUES ('cloud', 'c7', 7, ?)").run(new Date(Date.now() - 2 * 86400_000).toISOString());
    sqlite.close();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, database: file }));
    const report = await runDoctor({ configDir: dir });
    expect(formatReport(report)).toMatch(/^FAIL agent backlog: 1 event waiting for the cloud, oldest 20 min → the cloud is unreachable or refusing/m);
    expect(formatReport(report)).toMatch(/^FAIL agent guest list: version 7, last synced from the cloud 2 days ago → changes made since/m);

    // Without a cloud the same old events are simply kept: not a fault.
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, cloud: undefined, database: file }));
    expect(formatReport(await runDoctor({ configDir: dir }))).toMatch(/^OK {3}agent backlog: 1 event kept locally \(no cloud configured\)$/m);

    // The hub's audit entries not yet carried up wait in the same push: an entry from 30 min ago is the oldest.
    const again = openStore(file);
    again.db.transaction(() => new HubAudit(again.db, agentConfig.venue_id as string).append({ deviceId: null, actor: 'cli:test', role: 'cli', action: 'tablet.pair', entity: 'tablet', at: new Date(Date.now() - 30 * 60_000).toISOString() }))();
    again.db.close();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...agentConfig, database: file }));
    expect(formatReport(await runDoctor({ configDir: dir }))).toMatch(/^FAIL agent backlog: 2 events waiting for the cloud, oldest 30 min/m);

    await db.query(`UPDATE seatpilot.device_keys SET status = 'revoked' WHERE key_id = $1`, [keyId]);
    try {
      const revoked = await runDoctor({ configDir: healthyDir });
      expect(revoked.ok).toBe(false);
      expect(formatReport(revoked)).toMatch(new RegExp(`^FAIL agent cloud: ${cloudUrl} refuses key ${keyId} \\(revoked_key\\) → pair this box again \\(seatpilot pair --cloud`, 'm'));
    } finally {
      await db.query(`UPDATE seatpilot.device_keys SET status = 'active' WHERE key_id = $1`, [keyId]);
    }
  });
});

describe('seatpilot doctor on a kiosk box', () => {
  let agent: RunningAgent;
  let dir: string;
  const venue = 'ven_doctor_kiosk';
  const scanner = { name: 'Front', role: 'keyboard-scanner', vendorId: '0c2e', productId: '0b61', layout: 'us' };
  const onBus = { path: '/dev/hidraw3', vendorId: 0x0c2e, productId: 0x0b61, usagePage: 1, usage: 6, product: 'Scanner' };

  beforeAll(async () => {
    agent = await startAgent({ config: { venue_id: venue, device_id: 'dev_agent', listen: { host: '127.0.0.1', port: 0 } }, databaseFile: join(tmp('hub'), 'agent.sqlite') });
    dir = tmp('kiosk');
    writeFileSync(join(dir, 'kiosk.json'), JSON.stringify({ database: 'kiosk.sqlite', kiosk: { venue_id: venue, device_id: 'unpaired', door_id: 'north' }, ui: { venue_name: 'Hall', language: 'en', staff_pin: '4321' } }));
    writeFileSync(join(dir, 'hardware.json'), JSON.stringify({ devices: [scanner] }));
    const code = new AgentPairing(agent.store, venue).issue('dev_kiosk_n', 'kiosk');
    await pairBox({ url: agent.url, issuer: 'agent', code: code.code, configDir: dir });
    openStore(join(dir, 'kiosk.sqlite')).db.close();
  });
  afterAll(async () => agent?.close());

  it('fails on a kiosk config the kiosk app would refuse, naming the field', async () => {
    const bad = tmp('kiosk-bad');
    const cfg = JSON.parse(readFileSync(join(dir, 'kiosk.json'), 'utf8')) as { ui: Record<string, unknown> };
    delete cfg.ui.staff_pin;
    writeFileSync(join(bad, 'kiosk.json'), JSON.stringify(cfg));
    const report = await runDoctor({ configDir: bad });
    expect(report.ok).toBe(false);
    expect(formatReport(report)).toMatch(/^FAIL kiosk config: .*kiosk\.json: config\/ui is missing required field "staff_pin" → fix that field/m);
  });

  it('warns about a staff PIN under 6 digits, never quoting it, and says nothing of a longer one', async () => {
    const short = await runDoctor({ configDir: dir, hid: async () => new SimulatedHidBackend([onBus]) });
    const text = formatReport(short);
    expect(short.ok).toBe(true);
    expect(text).toMatch(/^WARN kiosk staff PIN: ui\.staff_pin has 4 digits: 6 to 12 are recommended .* → set ui\.staff_pin in .*kiosk\.json to 6–12 digits/m);
    expect(text).not.toContain('4321');
    const long = tmp('kiosk-long-pin');
    const cfg = JSON.parse(readFileSync(join(dir, 'kiosk.json'), 'utf8')) as { ui: Record<string, unknown> };
    cfg.ui.staff_pin = '43218765';
    writeFileSync(join(long, 'kiosk.json'), JSON.stringify(cfg));
    expect(formatReport(await runDoctor({ configDir: long }))).not.toContain('staff PIN');
    // A short supervisor PIN gets the same advice under its own field.
    cfg.ui.supervisor_pin = '9753';
    writeFileSync(join(long, 'kiosk.json'), JSON.stringify(cfg));
    const supervisor = formatReport(await runDoctor({ configDir: long }));
    expect(supervisor).toMatch(/^WARN kiosk supervisor PIN: ui\.supervisor_pin has 4 digits: 6 to 12 are recommended .* → set ui\.supervisor_pin in .*kiosk\.json to 6–12 digits/m);
    expect(supervisor).not.toContain('9753');
    expect(supervisor).not.toContain('staff PIN');
  });

  it('passes with the scanner plugged in and the hub answering', async () => {
    const report = await runDoctor({ configDir: dir, hid: async () => new SimulatedHidBackend([onBus]) });
    const text = formatReport(report);
    expect(report.ok, text).toBe(true);
    expect(text).toContain('OK   kiosk scanner Front: connected');
    expect(text).toMatch(/^OK {3}kiosk hub: http:\/\/127\.0\.0\.1:\d+ reachable, key akey_\w+ accepted$/m);
  });

  it('fails when the scanner is unplugged or cannot be opened, saying what to do', async () => {
    const unplugged = await runDoctor({ configDir: dir, hid: async () => new SimulatedHidBackend([]) });
    expect(unplugged.ok).toBe(false);
    expect(formatReport(unplugged)).toMatch(/^FAIL kiosk scanner Front: .*is not plugged in → plug it in \(or try another USB port\)/m);

    const denied = new SimulatedHidBackend([onBus]);
    denied.denyOpen(onBus.path);
    const noAccess = await runDoctor({ configDir: dir, hid: async () => denied });
    expect(formatReport(noAccess)).toMatch(/^FAIL kiosk scanner Front: cannot open .* → the kiosk user may not open it: check \/etc\/udev\/rules\.d\/70-seatpilot-hid\.rules/m);
  });

  it("says a kiosk 3 s fast runs its check-ins on the hub's time, measured to the tenth of a second", async () => {
    const report = await runDoctor({ configDir: dir, hid: async () => new SimulatedHidBackend([onBus]), now: () => Date.now() + 3_000 });
    expect(formatReport(report)).toMatch(
      /^OK {3}kiosk clock: this box's clock is (2\.[89]|3\.[01]) s ahead of the hub; the kiosk stamps check-ins and decides ticket validity on the hub's time \(its clock corrected by the measured offset\) and keeps its own time in each event$/m,
    );
  });
});
