// build/docker/, checked statically: this build machine pulls no images, so nothing is built or run here.
// - compose.yml through `docker-compose config` (Debian's docker-compose), a broken copy refused; then what it says:
//   every port on 127.0.0.1, migrations before the cloud, ops provisioned from build/observability/ (each mounted file
//   exists), secrets only from files.
// - Prometheus' compose config is build/observability/prometheus.yml but for its addresses (and passes promtool).
// - The Dockerfile: hadolint is not a Debian package, so a structural check of our own stands in for a lint: stages
//   named, the last one non-root with a HEALTHCHECK on /health, COPY --from only of stages defined, no secret in ENV, ARG
//   or COPY, and every folder the cloud's code imports copied into the image.
// - The image's entry point, run for real with sh: NAME_FILE becomes NAME.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { requireTool } from '../tests/tools';

const ROOT = join(import.meta.dirname, '..');
const DOCKER = join(ROOT, 'build/docker');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const compose = requireTool('docker-compose', 'docker-compose');
const promtool = requireTool('promtool', 'prometheus');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  secrets?: { source: string }[];
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}

const runCompose = (file: string, ...args: string[]) => spawnSync(compose!, ['-f', file, ...args], { encoding: 'utf8', cwd: dirname(file), timeout: 60_000 });

describe.skipIf(!compose)('build/docker/compose.yml', () => {
  // docker-compose takes seconds to start: the resolved file is read once.
  let cached: Compose | undefined;
  const resolved = () => {
    if (cached) return cached;
    const r = runCompose(join(DOCKER, 'compose.yml'), 'config');
    expect(r.status, r.stderr).toBe(0);
    cached = yaml.load(r.stdout) as Compose;
    return cached;
  };

  it('passes `docker-compose config -q`, and a broken copy does not', () => {
    const ok = runCompose(join(DOCKER, 'compose.yml'), 'config', '-q');
    expect(ok.status, ok.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'sp-compose-'));
    try {
      const text = readFileSync(join(DOCKER, 'compose.yml'), 'utf8');
      writeFileSync(join(dir, 'compose.yml'), text.replace('service_completed_successfully', 'service_finished'));
      const bad = runCompose(join(dir, 'compose.yml'), 'config', '-q');
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('service_finished');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the cloud after its migrations, with Postgres, Prometheus, Alertmanager and Grafana, every port on 127.0.0.1', () => {
    const c = resolved();
    expect(Object.keys(c.services).sort()).toEqual(['alertmanager', 'cloud', 'grafana', 'migrate', 'postgres', 'prometheus']);
    expect(c.services.migrate!.command).toEqual(expect.arrayContaining(['bin/seatpilot.mjs', 'cloud', 'migrate']));
    expect(c.services.cloud!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(c.services.migrate!.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(c.services.migrate!.build).toMatchObject({ dockerfile: 'build/docker/Dockerfile' });
    expect(relative(ROOT, c.services.migrate!.build!.context)).toBe('');
    for (const [name, s] of Object.entries(c.services)) {
      for (const p of s.ports ?? []) expect(p, `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:/);
      // Images are pinned: a deploy next month runs what was checked, except our own image, tagged by SEATPILOT_VERSION.
      if (s.image && !s.image.startsWith('seatpilot-cloud:')) expect(s.image, name).toMatch(/:[\w.-]*\d[\w.-]*$/);
    }
  });

  it('provisions the ops from build/observability/ as shipped: every file it mounts exists', () => {
    const c = resolved();
    const mounts = (svc: string) => (c.services[svc]!.volumes ?? []).map((v) => v.split(':')).filter(([src]) => src!.startsWith('/')).map(([src, dst]) => ({ src: relative(ROOT, src!), dst }));
    expect(mounts('grafana')).toEqual(expect.arrayContaining([
      { src: 'build/observability/grafana/provisioning', dst: '/etc/grafana/provisioning' },
      { src: 'build/observability/dashboards', dst: c.services.grafana!.environment!.SEATPILOT_DASHBOARDS_DIR },
    ]));
    expect(mounts('prometheus')).toEqual(expect.arrayContaining([
      { src: 'build/docker/prometheus.yml', dst: '/etc/prometheus/prometheus.yml' },
      { src: 'build/observability/seatpilot.rules.yml', dst: '/etc/prometheus/seatpilot.rules.yml' },
      { src: 'build/observability/targets', dst: '/etc/prometheus/targets' },
    ]));
    expect(mounts('alertmanager')).toContainEqual({ src: 'build/observability', dst: '/etc/seatpilot/observability' });
    expect(c.services.alertmanager!.command).toContain('--config.file=/etc/seatpilot/observability/alertmanager.yml');
    // alertmanager.yml reads the webhook where compose puts the secret of that name.
    expect(readFileSync(join(ROOT, 'build/observability/alertmanager.yml'), 'utf8')).toContain('slack_api_url_file: /run/secrets/alert_slack_webhook');
    expect(c.services.alertmanager!.secrets).toEqual([{ source: 'alert_slack_webhook' }]);
    for (const svc of Object.keys(c.services)) {
      for (const m of mounts(svc)) if (!m.src.startsWith('build/docker/secrets/')) expect(existsSync(join(ROOT, m.src)), `${svc} mounts ${m.src}`).toBe(true);
    }
  });

  it('takes secrets only from files: none in an environment value, every secret file in the ignored secrets folder', () => {
    const c = resolved();
    for (const [name, s] of Object.entries(c.services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/TOKEN|PASSWORD|SECRET|WEBHOOK/.test(k)) expect(k, `${name}: ${k}`).toMatch(/_FILE$/);
        expect(v, `${name}: ${k}`).not.toMatch(/:\/\/[^/@]*:[^/@]*@/); // no password inside a URL
      }
    }
    for (const [name, s] of Object.entries(c.secrets)) {
      expect(relative(ROOT, s.file), name).toMatch(/^build\/docker\/secrets\/[\w-]+$/);
      const ignored = spawnSync('git', ['check-ignore', '-q', s.file], { cwd: ROOT });
      expect(ignored.status, `${s.file} is not ignored by git`).toBe(0);
    }
  });
});

describe("Prometheus' config in compose", () => {
  it('is build/observability/prometheus.yml with the compose services for addresses, nothing else changed', () => {
    const shipped = yaml.load(readFileSync(join(ROOT, 'build/observability/prometheus.yml'), 'utf8'));
    const docker = readFileSync(join(DOCKER, 'prometheus.yml'), 'utf8');
    const back = docker.replace("'alertmanager:9093'", "'127.0.0.1:9093'").replace("'cloud:8080'", "'127.0.0.1:8080'").replace("'prometheus:9090'", "'127.0.0.1:9090'");
    expect(back).not.toBe(docker);
    expect(yaml.load(back)).toEqual(shipped);
    expect(docker).not.toMatch(/targets: \[[^\]]*127\.0\.0\.1/);
  });

  it.skipIf(!promtool)('passes promtool check config beside the shipped rules and a token file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-compose-prom-'));
    try {
      cpSync(join(DOCKER, 'prometheus.yml'), join(dir, 'prometheus.yml'));
      cpSync(join(ROOT, 'build/observability/seatpilot.rules.yml'), join(dir, 'seatpilot.rules.yml'));
      writeFileSync(join(dir, 'seatpilot-metrics-token'), 'a-token-for-the-check-only', { mode: 0o600 });
      const r = spawnSync(promtool!, ['check', 'config', 'prometheus.yml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The Dockerfile's instructions, continuation lines joined, comments dropped, each with the stage it belongs to. */
function instructions(text: string): { op: string; args: string; stage: number }[] {
  const out: { op: string; args: string; stage: number }[] = [];
  let stage = -1;
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of logical) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction: ${line}`);
    if (m[1] === 'FROM') stage++;
    out.push({ op: m[1]!, args: m[2]!, stage });
  }
  return out;
}

describe('build/docker/Dockerfile (a structural check standing in for hadolint, which Debian does not package)', () => {
  const text = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
  const all = instructions(text);
  const froms = all.filter((i) => i.op === 'FROM');
  const last = froms.length - 1;
  const final = all.filter((i) => i.stage === last);

  it('is multi-stage, every stage named, COPY --from only of stages defined before', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const names: string[] = [];
    for (const f of froms) {
      const m = /^\S+\s+AS\s+([a-z][\w-]*)$/i.exec(f.args);
      expect(m, `FROM ${f.args} names no stage`).not.toBeNull();
      names.push(m![1]!);
    }
    for (const c of all.filter((i) => i.op === 'COPY' && i.args.includes('--from='))) {
      const from = /--from=(\S+)/.exec(c.args)![1]!;
      expect(names.slice(0, c.stage), `COPY --from=${from}`).toContain(from);
    }
    // The console's bundles are made in a stage with the dev tools and only they reach the image.
    expect(all.some((i) => i.stage < last && i.op === 'RUN' && i.args.includes('npm run build:console'))).toBe(true);
    expect(final.some((i) => i.op === 'COPY' && /--from=build \S*dist\/console/.test(i.args))).toBe(true);
    expect(final.some((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toBe(false);
  });

  it('runs as a non-root user and checks /health', () => {
    const users = final.filter((i) => i.op === 'USER');
    expect(users.length, 'no USER in the last stage').toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
    // Nothing after the USER switches back or runs as root.
    expect(final.slice(final.indexOf(users.at(-1)!)).filter((i) => i.op === 'RUN')).toEqual([]);
    const health = final.filter((i) => i.op === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toMatch(/CMD .*127\.0\.0\.1:8080\/health/);
    expect(final.find((i) => i.op === 'CMD')!.args).toContain('"--port", "8080"');
  });

  it('holds no secret: no token, password or key in ENV or ARG, no key, env or secrets file copied', () => {
    for (const i of all.filter((x) => x.op === 'ENV' || x.op === 'ARG')) {
      for (const [, name] of i.args.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=/g)) {
        if (/TOKEN|PASSWORD|SECRET|WEBHOOK|_KEY\b/.test(name!)) expect(name, i.args).toMatch(/_FILE$/);
      }
    }
    for (const c of all.filter((i) => i.op === 'COPY' || i.op === 'ADD')) expect(c.args).not.toMatch(/\.key\b|\.env\b|secrets|metrics-token|\.pem\b/);
    const ignore = readFileSync(join(DOCKER, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '.git', 'data', 'build/docker/secrets', '**/seatpilot-secrets.key']) expect(ignore).toContain(p);
  });

  it('copies every folder the cloud command loads', async () => {
    // What `seatpilot cloud` reaches: bin/seatpilot.mjs → cli/main.ts → node-kit/dispatch.ts, then cloud-sync/cli.ts.
    const r = await build({ entryPoints: [join(ROOT, 'cloud-sync/cli.ts')], bundle: true, platform: 'node', packages: 'external', write: false, metafile: true, format: 'esm', logLevel: 'silent' });
    const folders = new Set(['bin', 'cli', 'node-kit', ...Object.keys(r.metafile.inputs).map((p) => relative(ROOT, join(ROOT, p)).split('/')[0]!)]);
    folders.delete('package.json');
    const copied = new Set(final.filter((i) => i.op === 'COPY' && !i.args.includes('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1)));
    for (const f of folders) expect(copied, `the image lacks ${f}/`).toContain(f);
    expect(copied).toContain('package.json');
  });

});

describe("the image's entry point (build/docker/cloud-entrypoint.sh)", () => {
  const script = join(DOCKER, 'cloud-entrypoint.sh');
  const show = ['-e', 'console.log(JSON.stringify({ t: process.env.SEATPILOT_ADMIN_TOKEN, f: process.env.SEATPILOT_ADMIN_TOKEN_FILE ?? null }))'];

  it('turns NAME_FILE into NAME before the command, and stops naming the file when it cannot be read', () => {
    expect(statSync(script).mode & 0o111).not.toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'sp-entry-'));
    try {
      writeFileSync(join(dir, 'token'), 'from-a-file-0123456789', { mode: 0o600 });
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      const ok = spawnSync('sh', [script, process.execPath, ...show], { encoding: 'utf8', env: { ...env, SEATPILOT_ADMIN_TOKEN_FILE: join(dir, 'token') } });
      expect(ok.status, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ t: 'from-a-file-0123456789', f: null });
      const missing = spawnSync('sh', [script, process.execPath, ...show], { encoding: 'utf8', env: { ...env, SEATPILOT_ADMIN_TOKEN_FILE: join(dir, 'nope') } });
      expect(missing.status).toBe(78);
      expect(missing.stderr).toContain(`SEATPILOT_ADMIN_TOKEN_FILE names ${join(dir, 'nope')}, which cannot be read`);
      expect(missing.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
