// The cloud's systemd units (build/system/seatpilot-cloud@.service, seatpilot-cloud-migrate.service) through
// systemd-analyze verify, as the hub's unit is in packaging.test.ts, and what they must say: readiness by sd_notify,
// migrations once before the replicas, one environment file per replica, its own user, the hub's hardening.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../tests/tools';
import { backgroundFromEnv, opsConfigFromEnv } from '../cloud-sync/ops/config';

const ROOT = join(import.meta.dirname, '..');
const systemdAnalyze = requireTool('systemd-analyze', 'systemd');
const replica = readFileSync(join(ROOT, 'build/system/seatpilot-cloud@.service'), 'utf8');
const migrate = readFileSync(join(ROOT, 'build/system/seatpilot-cloud-migrate.service'), 'utf8');
const agent = readFileSync(join(ROOT, 'build/system/seatpilot-agent.service'), 'utf8');

/** The directive lines of a unit, comments dropped. */
const directives = (unit: string) => unit.split('\n').filter((l) => /^[A-Z]\w*=/.test(l));

describe('the cloud replica unit (seatpilot-cloud@.service)', () => {
  it('is Type=notify, reads the shared and its own environment file, runs as its own user, after the migrations', () => {
    for (const line of [
      'Type=notify', 'NotifyAccess=all', 'WatchdogSec=60', 'Restart=always',
      'EnvironmentFile=/etc/seatpilot/cloud.env', 'EnvironmentFile=-/etc/seatpilot/cloud-%i.env',
      'User=seatpilot-cloud', 'StateDirectory=seatpilot-cloud',
      'Wants=seatpilot-cloud-migrate.service',
    ]) expect(directives(replica)).toContain(line);
    // Requires= would restart every replica at once with each deploy's migrate, and stop them all on a refusal.
    expect(replica).not.toMatch(/^Requires=.*seatpilot-cloud-migrate/m);
    expect(replica).toMatch(/^After=.*seatpilot-cloud-migrate\.service/m);
    expect(replica).toMatch(/^ExecStart=\/usr\/bin\/node \S+\/bin\/seatpilot\.mjs cloud serve --host 127\.0\.0\.1 --port %i /m);
    expect(migrate).toMatch(/^ExecStart=\/usr\/bin\/node \S+\/bin\/seatpilot\.mjs cloud migrate /m);
    expect(directives(migrate)).toEqual(expect.arrayContaining(['Type=oneshot', 'RemainAfterExit=yes', 'User=seatpilot-cloud', 'EnvironmentFile=/etc/seatpilot/cloud.env']));
  });

  it("carries every hardening line of the hub's unit, both units", () => {
    const hardening = directives(agent).filter((l) => /^(NoNewPrivileges|Protect|Private|Restrict|LockPersonality|CapabilityBoundingSet|AmbientCapabilities|SystemCallArchitectures|UMask)/.test(l));
    expect(hardening.length).toBeGreaterThan(15);
    for (const unit of [replica, migrate]) for (const line of hardening) expect(directives(unit)).toContain(line);
    expect(replica).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it.skipIf(!systemdAnalyze)('pass systemd-analyze verify as an instance with no warnings (and broken copies do not)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-cloud-unit-'));
    // Node may live elsewhere on this machine: point ExecStart at the one running the test, leave the rest as shipped.
    const verify = (r: string, m: string) => {
      writeFileSync(join(dir, 'seatpilot-cloud@.service'), r.replaceAll('/usr/bin/node', process.execPath));
      writeFileSync(join(dir, 'seatpilot-cloud-migrate.service'), m.replaceAll('/usr/bin/node', process.execPath));
      return spawnSync(systemdAnalyze!, ['verify', join(dir, 'seatpilot-cloud@8081.service'), join(dir, 'seatpilot-cloud-migrate.service')], { encoding: 'utf8', cwd: dir });
    };
    const ok = verify(replica, migrate);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr.trim()).toBe('');
    expect(verify(replica.replace('WatchdogSec=60', 'WatchdogSec=a-minute'), migrate).stderr).toContain('Failed to parse sec value');
    // A misspelt ordering line would let replicas start before the migrations: systemd-analyze says so.
    expect(verify(replica.replace('Wants=seatpilot-cloud-migrate.service', 'Wantz=seatpilot-cloud-migrate.service'), migrate).stderr).toContain("Unknown key 'Wantz'");
    expect(verify(replica, migrate.replace('Type=oneshot', 'Type=oneshoot')).stderr).toContain('Failed to parse service type');
  });
});

describe('SEATPILOT_BACKGROUND (which replica runs the background passes)', () => {
  it('is on by default; off leaves the refresher and billing out; anything else stops the start naming it', () => {
    expect(backgroundFromEnv({})).toBe('on');
    expect(backgroundFromEnv({ SEATPILOT_BACKGROUND: 'OFF' })).toBe('off');
    expect(opsConfigFromEnv({})).toMatchObject({ refreshEverySec: 60, billingEverySec: 3600 });
    expect(opsConfigFromEnv({ SEATPILOT_BACKGROUND: 'off', REFRESH_EVERY_SEC: '5' })).toMatchObject({ refreshEverySec: undefined, billingEverySec: undefined });
    // A typo in a setting of the passes still shows on a replica that does not run them.
    expect(() => opsConfigFromEnv({ SEATPILOT_BACKGROUND: 'off', REFRESH_EVERY_SEC: 'soon' })).toThrow(/REFRESH_EVERY_SEC/);
    expect(() => backgroundFromEnv({ SEATPILOT_BACKGROUND: 'yes' })).toThrow('SEATPILOT_BACKGROUND must be on or off, got "yes"');
  });
});
