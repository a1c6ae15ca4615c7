// `seatpilot smoke --cloud`, the real command against a real `seatpilot cloud serve` on Postgres (the smoke needs the
// cloud's shared database: a PGlite folder is one process's), directly on 127.0.0.1 and through the shipped nginx front
// with a self-signed certificate: every step passes and the key made for it ends revoked; a failing step is named, exit
// 1, and the key is revoked all the same; an untrusted certificate stops it before anything is made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres, type Db } from '../cloud-sync/db';
import { fleetStatus } from '../cloud-sync/fleet/fleet';
import { loadMigrations, migrationsDir } from '../sql/migrate';
import { readEnvFile, SMOKE_CLOUD_USAGE, SMOKE_TENANT_NAME } from '../cli/smoke-cloud';
import { backends, freshDatabase, type TestDatabase } from './pg-backends';
import { exited, runCli, startCli } from './cli-run';
import { freePort, ROOT } from './procs';
import { requireTool } from './tools';
import { waitFor } from './wait';

const onPostgres = backends().includes('postgres');
const nginx = requireTool('nginx', 'nginx');
const openssl = requireTool('openssl', 'openssl');
const ADMIN_TOKEN = 'smoke-admin-token-0123456789';

const STEPS = ['health', 'database', 'pair', 'ingest', 'duplicate', 'stored', 'fleet', 'sync', 'revoke', 'revoked'];
const stepsOf = (stdout: string) => stdout.split('\n').filter((l) => /^[✓✗] /.test(l)).map((l) => [l[0], /^. (\w+):/.exec(l)![1]]);

describe('readEnvFile', () => {
  it('reads an EnvironmentFile= as systemd does for the simple cases', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-smoke-env-'));
    writeFileSync(join(dir, 'cloud.env'), '# comment\n\nDATABASE_URL="postgres://u:p@db/x"\nexport SEATPILOT_ADMIN_TOKEN=abc\nBROKEN LINE\n');
    expect(readEnvFile(join(dir, 'cloud.env'))).toEqual({ DATABASE_URL: 'postgres://u:p@db/x', SEATPILOT_ADMIN_TOKEN: 'abc' });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the deploy runbook', () => {
  const runbook = readFileSync(join(ROOT, 'docs/runbooks/deploy.md'), 'utf8');
  it('gives the smoke only options it has, and a row for each step it prints', () => {
    const options = [...runbook.matchAll(/smoke --cloud (?:[^\n\\]|\\\n)*/g)].flatMap((m) => m[0].match(/--[a-z-]+/g) ?? []);
    expect(options).toEqual(expect.arrayContaining(['--cloud', '--env-file', '--ca', '--admin']));
    for (const o of new Set(options)) expect(SMOKE_CLOUD_USAGE, `the runbook's ${o}`).toContain(`${o} `);
    const rows = [...runbook.matchAll(/^\| (\w+(?: \/ \w+)?) \|/gm)].flatMap((m) => m[1]!.split(' / ')).filter((s) => s !== 'step' && s !== 'migration');
    expect(rows.filter((r) => !/^00\d\d$/.test(r))).toEqual(['tls', ...STEPS]);
  });
  it('tells each recent migration\'s compatibility as its file records it', () => {
    const table = [...runbook.matchAll(/^\| (\d{4}) [^|]+\| (\d{4})(?: only)? \|/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    const shipped = loadMigrations(migrationsDir('postgres'));
    expect(table.length).toBeGreaterThanOrEqual(4);
    for (const [version, compat] of table) expect(shipped.find((x) => x.version === version)?.compatibleWith, `migration ${version}`).toBe(compat);
    // The newest migration is always in the table: a release that adds one says what it means for a rollback.
    expect(table.map(([v]) => v)).toContain(shipped.at(-1)!.version);
  });
});

describe.skipIf(!onPostgres)('seatpilot smoke --cloud against a real cloud', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-smoke-cloud-'));
  const keyFile = join(dir, 'seatpilot-secrets.key');
  const envFile = join(dir, 'cloud.env');
  let t: TestDatabase;
  let db: Db;
  let cloud: ChildProcess;
  let base: string;
  let front: ChildProcess | undefined;
  let tlsPort = 0;
  const cert = join(dir, 'cloud.crt');
  // The operator's credentials come from the service's environment file, never from the command line.
  const smoke = (args: string[]) => runCli(['smoke', ...args, '--env-file', envFile], { DATABASE_URL: undefined, SEATPILOT_ADMIN_TOKEN: undefined }, 90_000);
  const keysOf = (deviceId: string) => db.query<{ status: string }>('SELECT status FROM seatpilot.device_keys WHERE device_id = $1', [deviceId]);
  const deviceIn = (stdout: string) => /device (dev_\w+)/.exec(stdout)?.[1];

  beforeAll(async () => {
    t = await freshDatabase('postgres');
    db = openPostgres(t.url!);
    writeFileSync(envFile, `DATABASE_URL=${t.url}\nSEATPILOT_ADMIN_TOKEN=${ADMIN_TOKEN}\n`, { mode: 0o600 });
    const started = await startCli(['cloud', 'serve', '--port', '0', '--data', join(dir, 'data')], /background passes (on|off)/, {
      DATABASE_URL: t.url, SEATPILOT_SECRET_KEY_FILE: keyFile, SEATPILOT_TRUST_PROXY: '127.0.0.1/32', SEATPILOT_BACKGROUND: 'off',
      SEATPILOT_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', NOTIFY_SOCKET: undefined,
    });
    cloud = started.child;
    base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]!;
  }, 120_000);

  afterAll(async () => {
    if (front?.pid && front.exitCode === null) {
      front.kill('SIGTERM');
      await exited(front);
    }
    if (cloud?.pid && cloud.exitCode === null) {
      cloud.kill('SIGTERM');
      await exited(cloud);
    }
    await db?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every step on 127.0.0.1, reads the device on /admin/fleet, and leaves the key revoked', async () => {
    const r = await smoke(['--cloud', base, '--admin', base]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(stepsOf(r.stdout)).toEqual(STEPS.map((s) => ['✓', s]));
    expect(r.stdout).toMatch(/- tls: skipped/);
    expect(r.stdout).toMatch(/and on \/admin\/fleet/);
    expect(r.stdout).toMatch(/schema version \d+ \(runs builds of version \d+ and newer\)/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/all 10 steps passed/);
    const device = deviceIn(r.stdout)!;
    expect(await keysOf(device)).toEqual([{ status: 'revoked' }]);
    // Retired with its key: the fleet page and the silent-device alert never see it again.
    expect((await fleetStatus(db)).map((d) => d.device)).not.toContain(device);
    // The smoke's venue is the smoke tenant's, made once and used again by the next run.
    const venues = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM seatpilot.venues v JOIN seatpilot.tenants t ON t.id = v.tenant_id WHERE t.name = $1', [SMOKE_TENANT_NAME]);
    expect(venues).toEqual([{ n: 1 }]);
    const audit = await db.query<{ action: string }>(`SELECT action FROM console.audit_log WHERE action IN ('pair_code.issue', 'key.revoke') ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['pair_code.issue', 'key.revoke']);
  }, 120_000);

  it('names the step that failed, exits 1, and still revokes the key', async () => {
    writeFileSync(join(dir, 'wrong.env'), `DATABASE_URL=${t.url}\nSEATPILOT_ADMIN_TOKEN=not-the-admin-token-at-all\n`);
    const r = await runCli(['smoke', '--cloud', base, '--admin', base, '--env-file', join(dir, 'wrong.env')], { DATABASE_URL: undefined }, 90_000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(stepsOf(r.stdout)).toEqual([...STEPS.slice(0, 6).map((s) => ['✓', s]), ['✗', 'fleet'], ['✓', 'revoke'], ['✓', 'revoked']]);
    expect(r.stdout).toMatch(/✗ fleet: .*admin\/fleet answered 401/);
    expect(r.stdout).toMatch(/^- sync: not run$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('smoke --cloud: failed at step "fleet"');
    expect(await keysOf(deviceIn(r.stdout)!)).toEqual([{ status: 'revoked' }]);
    // The venue of the first run, used again.
    expect(await db.query('SELECT count(*)::int AS n FROM seatpilot.tenants WHERE name = $1', [SMOKE_TENANT_NAME])).toEqual([{ n: 1 }]);
  }, 120_000);

  it('refuses a cloud that does not answer, and one without the database credentials, naming what is wrong', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await smoke(['--cloud', dead]);
    expect(r.code).toBe(1);
    expect(stepsOf(r.stdout)).toEqual([['✗', 'health']]);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('smoke --cloud: failed at step "health"');
    const none = await runCli(['smoke', '--cloud', base], { DATABASE_URL: undefined }, 30_000);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/DATABASE_URL is not set: .*--env-file \/etc\/seatpilot\/cloud\.env/);
  }, 60_000);

  describe.skipIf(!nginx || !openssl)('through the shipped nginx front with a self-signed certificate', () => {
    beforeAll(async () => {
      const made = spawnSync(openssl!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
        '-keyout', join(dir, 'cloud.key'), '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      // build/nginx/seatpilot-cloud.conf as shipped but for ports, certificate paths and the IPv6 listeners (as in
      // tests/nginx-front.test.ts); both upstream slots point at the one replica.
      tlsPort = await freePort();
      const httpPort = await freePort();
      const replica = base.slice('http://'.length);
      let site = readFileSync(join(ROOT, 'build/nginx/seatpilot-cloud.conf'), 'utf8');
      const swap = (from: string | RegExp, to: string) => {
        const next = site.replace(from, to);
        expect(next, `build/nginx/seatpilot-cloud.conf no longer has ${String(from)}`).not.toBe(site);
        site = next;
      };
      swap(/server 127\.0\.0\.1:808[12] /g, `server ${replica} `);
      swap(/^\s*listen \[::\]:80;\n/m, '');
      swap(/^\s*listen \[::\]:443 ssl http2;\n/m, '');
      swap('listen 80;', `listen 127.0.0.1:${httpPort};`);
      swap('listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl http2;`);
      swap('/etc/ssl/seatpilot/cloud.crt', cert);
      swap('/etc/ssl/seatpilot/cloud.key', join(dir, 'cloud.key'));
      writeFileSync(join(dir, 'site.conf'), site);
      for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
      writeFileSync(join(dir, 'nginx.conf'), [
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        'daemon off;', 'worker_processes 1;', `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`,
        'events { worker_connections 64; }',
        `http { access_log off; default_type application/octet-stream;`,
        `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
        `  include ${dir}/site.conf; }`, '',
      ].join('\n'));
      const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
      const check = spawnSync(nginx!, ['-t', ...args], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
      front = spawn(nginx!, args, { stdio: 'ignore' });
      await waitFor('nginx listening', async () => (await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' }).then((r) => r.status === 301, () => false)), 15_000, 100);
    }, 60_000);

    it('passes every step over TLS and HTTP/2 with --ca, and the key ends revoked', async () => {
      const r = await smoke(['--cloud', `https://127.0.0.1:${tlsPort}`, '--ca', cert]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(stepsOf(r.stdout)).toEqual(['tls', ...STEPS].map((s) => ['✓', s]));
      expect(r.stdout).toMatch(/✓ tls: TLSv1\.[23], ALPN h2, certificate of 127\.0\.0\.1 valid (29|30) more days/);
      expect(await keysOf(deviceIn(r.stdout)!)).toEqual([{ status: 'revoked' }]);
    }, 120_000);

    it('without --ca the self-signed front is not trusted: it stops at tls, having made nothing', async () => {
      const codes = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM seatpilot.pairing_codes');
      const r = await smoke(['--cloud', `https://127.0.0.1:${tlsPort}`]);
      expect(r.code).toBe(1);
      expect(stepsOf(r.stdout)).toEqual([['✗', 'tls']]);
      expect(r.stdout).toMatch(/✗ tls: the certificate is not trusted \(.+\); for a self-signed front, pass --ca FILE/);
      expect(await db.query('SELECT count(*)::int AS n FROM seatpilot.pairing_codes')).toEqual(codes);
    }, 60_000);
  });
});
