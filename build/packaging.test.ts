// The packaging, as far as it can be exercised without downloading Electron: the electron-builder config against
// electron-builder's own schema, the systemd unit through systemd-analyze, every shell script through shellcheck, the
// native rebuild command line, the default configs, and the box CLI bundle run for real in Node mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { minimatch } from 'minimatch';
import { Ajv } from 'ajv';
import { parseAgentConfig } from '../edge-agent/config';
import { checkHardwareConfig } from '../hardware/config';
import { parseKioskConfig } from '../kiosk/config';
import { parseKioskAppConfig } from '../kiosk/app-config';
import { mergePairing } from '../appliance/pair';
import { closedPort } from '../tests/fixtures/test-servers';
import { exited } from '../tests/cli-run';
import { requireTool } from '../tests/tools';
import { waitFor } from '../tests/wait';
import { kioskAppPaths } from '../kiosk/main/layout';
import { loadMigrations } from '../sql/migrate';
import { buildAll, OUTPUTS } from './build';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
// Under CI=true a missing tool fails this file, naming its Debian package (tests/tools.ts); elsewhere its tests skip.
const systemdAnalyze = requireTool('systemd-analyze', 'systemd');
const shellcheck = requireTool('shellcheck', 'shellcheck');

type BuilderConfig = {
  files: string[];
  extraMetadata: { main: string };
  extraResources: { from: string; to: string }[];
  linux: { target: string[]; executableName: string };
  deb: { afterInstall: string; afterRemove: string; fpm: string[]; depends: string[] };
};
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(require('app-builder-lib/scheme.json') as object);

  it("is valid against electron-builder's schema, which does catch a wrong config", () => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, linux: { ...config.linux, targett: ['deb'] } })).toBe(false);
    expect(validate({ ...config, deb: { ...config.deb, afterInstall: 5 } })).toBe(false);
  });

  it('builds deb and AppImage from the build step output, with the scripts and resources it names', () => {
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.extraMetadata.main).toBe(`dist/${OUTPUTS.kioskMain}`);
    expect(config.files).toContain(`dist/${OUTPUTS.cli}`);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libusb-1.0-0', 'systemd']));
    const named = [config.deb.afterInstall, config.deb.afterRemove, ...config.deb.fpm.map((a) => a.replace(/^--before-remove=/, '')), ...config.extraResources.map((r) => r.from)];
    for (const p of named) expect(existsSync(join(ROOT, p)), p).toBe(true);
    // The scanners' udev rule is hardware's own, shipped as is.
    expect(config.extraResources).toContainEqual({ from: 'hardware/udev/70-seatpilot-hid.rules', to: 'system/70-seatpilot-hid.rules' });
  });

  it('post-install installs only files the package carries', () => {
    const postinst = readFileSync(join(ROOT, config.deb.afterInstall), 'utf8');
    const shipped = new Set([...readdirSync(join(ROOT, 'build/system')), '70-seatpilot-hid.rules']);
    const used = [...postinst.matchAll(/"\$SYS\/([\w.-]+)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const f of used) expect(shipped.has(f), f).toBe(true);
    const unit = readFileSync(join(ROOT, 'build/system/seatpilot-agent.service'), 'utf8');
    const wrapper = readFileSync(join(ROOT, 'build/system/seatpilot'), 'utf8');
    // The unit and the command run the bundle electron-builder packs, with the executable name it gives Electron.
    for (const text of [unit, wrapper]) {
      expect(text).toContain(config.linux.executableName);
      expect(text).toContain(`resources/app.asar/dist/${OUTPUTS.cli}`);
      expect(text).toContain('ELECTRON_RUN_AS_NODE=1');
    }
  });
});

describe('the systemd unit', () => {
  const unitFile = join(ROOT, 'build/system/seatpilot-agent.service');
  const unit = readFileSync(unitFile, 'utf8');

  it('restarts, watches, confines and runs as its own user', () => {
    for (const line of ['Type=notify', 'NotifyAccess=all', 'Restart=always', 'WatchdogSec=30', 'User=seatpilot', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'StateDirectory=seatpilot', '--config /etc/seatpilot/agent.json']) {
      expect(unit).toContain(line);
    }
    // V8 needs writable code pages: this hardening option would crash the agent at start.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it.skipIf(!systemdAnalyze)('passes systemd-analyze verify with no warnings (and a broken copy does not)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-unit-'));
    // The packaged Electron is not installed here: point ExecStart at an executable that is, leave the rest as shipped.
    const verify = (text: string) => {
      const f = join(dir, 'seatpilot-agent.service');
      writeFileSync(f, text.replace('/opt/SeatPilot/seatpilot-kiosk', process.execPath));
      return spawnSync(systemdAnalyze!, ['verify', f], { encoding: 'utf8' });
    };
    const ok = verify(unit);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr.trim()).toBe('');
    const broken = verify(unit.replace('WatchdogSec=30', 'WatchdogSec=half-a-minute'));
    expect(broken.stderr).toContain('Failed to parse sec value');
  });
});

describe('shell scripts', () => {
  /** Every file with a sh/bash shebang under build/, plus CI's entry point. */
  const scripts = (() => {
    const found: string[] = [join(ROOT, '.ci/run')];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/^#!.*\b(sh|bash)\b/.test(readFileSync(p, 'utf8').split('\n')[0] ?? '')) found.push(p);
      }
    };
    walk(join(ROOT, 'build'));
    return found.sort();
  })();

  it('include the packaging scripts, all executable', () => {
    const ours = ['build/package.sh', 'build/system/seatpilot', 'build/deb/postinst', 'build/deb/prerm', 'build/deb/postrm'].map((p) => join(ROOT, p));
    expect(scripts).toEqual(expect.arrayContaining(ours));
    for (const s of scripts) expect(statSync(s).mode & 0o111, s).not.toBe(0);
  });

  it.skipIf(!shellcheck)('pass shellcheck', () => {
    const r = spawnSync(shellcheck!, ['--severity=style', ...scripts], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('build/package.sh', () => {
  it("rebuilds better-sqlite3 against Electron's headers even when npm's config says nodedir=/usr", () => {
    const home = mkdtempSync(join(tmpdir(), 'sp-home-'));
    const r = spawnSync('bash', [join(ROOT, 'build/package.sh'), '--dry-run'], { encoding: 'utf8', env: { ...process.env, HOME: home, npm_config_nodedir: '/usr' } });
    expect(r.status, r.stderr).toBe(0);
    const electron = (require('electron/package.json') as { version: string }).version;
    const lines = r.stdout.split('\n');
    const rebuild = lines.find((l) => l.includes(' rebuild --release')) ?? '';
    expect(rebuild).toContain('env -u npm_config_nodedir');
    expect(rebuild).toContain('--runtime=electron');
    expect(rebuild).toContain(`--target=${electron}`);
    expect(rebuild).toContain('--dist-url=https://electronjs.org/headers');
    expect(rebuild).toContain(`--nodedir=${home}/.electron-gyp/${electron}`);
    expect(r.stdout).not.toMatch(/nodedir=\/usr/);
    const install = lines.findIndex((l) => l.includes('node-gyp install'));
    expect(install).toBeGreaterThan(-1);
    expect(install).toBeLessThan(lines.indexOf(rebuild));
    // The bundles are built first, and the tree is put back to Node's ABI afterwards.
    expect(r.stdout).toContain('+ node bin/run-ts.mjs build/build.ts\n');
    expect(lines.findIndex((l) => l.includes('electron-builder --linux deb AppImage'))).toBeLessThan(lines.findIndex((l) => l.includes('npm rebuild better-sqlite3')));
  });
});

describe('default config files', () => {
  const defaults = (name: string) => JSON.parse(readFileSync(join(ROOT, 'build/system/defaults', name), 'utf8')) as Record<string, unknown>;
  const paired = { device_id: 'dev_1', venue_id: 'ven_1', key_id: 'key_1', secret: 'sps_0123456789abcdef0123' };

  it('become valid configs once paired, with state under /var/lib/seatpilot', () => {
    const agent = parseAgentConfig(mergePairing(defaults('agent.json'), { ...paired, kind: 'agent' }, 'https://cloud.example'));
    expect(agent.database).toBe('/var/lib/seatpilot/agent.sqlite');
    const kiosk = mergePairing(defaults('kiosk.json'), { ...paired, kind: 'kiosk' }, 'http://10.0.0.2:8600') as { kiosk: unknown; database: string; ui: Record<string, unknown> };
    expect(parseKioskConfig(kiosk.kiosk)).toMatchObject({ venue_id: 'ven_1', device_id: 'dev_1', door_id: 'main' });
    expect(kiosk.database).toMatch(/^\/var\/lib\/seatpilot\//);
    // The staff PIN is the one thing set by hand: the kiosk app refuses to start without it, and with it accepts the file.
    expect(() => parseKioskAppConfig(kiosk, 'kiosk.json')).toThrow(/staff_pin/);
    expect(parseKioskAppConfig({ ...kiosk, ui: { ...kiosk.ui, staff_pin: '4821' } }, 'kiosk.json').hub).toMatchObject({ base_url: 'http://10.0.0.2:8600', key_id: 'key_1' });
    expect(checkHardwareConfig(defaults('hardware.json'))).toMatchObject({ ok: true });
  });
});

describe('build/build.ts', () => {
  let out = '';
  let built: string[] = [];
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'sp-dist-'));
    ({ built } = await buildAll({ outDir: out }));
  });

  it('lays the kiosk app out where its main looks for preload, page and migrations, all inside the package', () => {
    expect(built).toEqual(expect.arrayContaining([OUTPUTS.cli, OUTPUTS.sqliteMigrations, OUTPUTS.kioskMain]));
    // package.json "main" of the packaged app is the bundle the builders wrote.
    expect(config.extraMetadata.main).toBe(`dist/${OUTPUTS.kioskMain}`);
    const mainFile = join(out, OUTPUTS.kioskMain);
    expect(existsSync(mainFile), mainFile).toBe(true);
    // What main.ts computes from the bundle's own folder.
    const paths = kioskAppPaths(dirname(mainFile));
    for (const p of [paths.preload, paths.indexHtml]) expect(existsSync(p), p).toBe(true);
    // The page's script and stylesheet are beside it.
    const page = readFileSync(paths.indexHtml, 'utf8');
    const assets = [...page.matchAll(/(?:src|href)="([^":]+)"/g)].map((m) => m[1] as string);
    expect(assets).toEqual(expect.arrayContaining(['renderer.js', 'styles.css']));
    for (const a of assets) expect(existsSync(join(dirname(paths.indexHtml), a)), a).toBe(true);
    // CommonJS has no import.meta: a module reading it (migrations beside the bundle, createRequire) would get an empty
    // object and fail at start, where Electron cannot be run here to see it. The builders fill it in.
    for (const bundle of [mainFile, join(out, OUTPUTS.cli)]) expect(readFileSync(bundle, 'utf8'), bundle).not.toMatch(/\bimport_meta\d*\b/);
    // The kiosk's database migrations come along, the same ones as in the source tree.
    const names = (dir: string) => loadMigrations(dir).map((m) => m.name);
    expect(names(join(paths.sqlDir, 'migrations'))).toEqual(names(join(ROOT, 'venue-store', 'migrations')));

    // electron-builder packs every file the build wrote (its `files` globs, source maps aside), so nothing the main
    // looks for is left out of app.asar.
    const include = config.files.filter((f) => !f.startsWith('!'));
    const exclude = config.files.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
    const packed = (rel: string) => include.some((g) => minimatch(rel, g, { dot: true })) && !exclude.some((g) => minimatch(rel, g, { dot: true }));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => files.push(p))(join(dir, e.name));
    };
    walk(out);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(packed(`dist/${relative(out, f)}`), f).toBe(true);
    for (const p of [mainFile, paths.preload, paths.indexHtml]) expect(packed(`dist/${relative(out, p)}`), p).toBe(true);
    // The check itself can say no.
    expect(packed('dist/kiosk/main.cjs.map')).toBe(false);
    expect(packed('kiosk/main/main.ts')).toBe(false);
  });

  it('bundles the box CLI, which runs the agent in Node mode with its migrations and passes its own doctor', async () => {
    // As the unit runs it (plain Node standing in for Electron in Node mode; dependencies from node_modules).
    const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), ELECTRON_RUN_AS_NODE: '1' };
    const cfgDir = mkdtempSync(join(tmpdir(), 'sp-box-'));
    const cfg = join(cfgDir, 'agent.json');
    writeFileSync(cfg, JSON.stringify({ venue_id: 'ven_b', device_id: 'dev_b', listen: { host: '127.0.0.1', port: await closedPort() }, database: join(cfgDir, 'agent.sqlite') }));
    const { spawn } = await import('node:child_process');
    const agent = spawn(process.execPath, [join(out, OUTPUTS.cli), 'agent', '--config', cfg], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    agent.stdout.on('data', (d) => (log += d));
    agent.stderr.on('data', (d) => (log += d));
    try {
      const url = await waitFor('the bundled agent to listen', () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1], 30_000);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const doctor = spawnSync(process.execPath, [join(out, OUTPUTS.cli), 'doctor', '--config', cfg], { env, encoding: 'utf8' });
      expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
      expect(doctor.stdout).toMatch(/^OK {3}agent database: .*integrity ok, schema version \d+ \(current\)$/m);
      expect(doctor.stdout).toContain(`OK   agent service: answering on ${url}`);
    } finally {
      agent.kill('SIGTERM');
    }
    expect(await exited(agent)).toBe(0);
  });
});
