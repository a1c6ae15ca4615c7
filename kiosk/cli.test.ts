import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** `seatpilot kiosk …` as a person runs it: exit code and what they read. */
function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'seatpilot.mjs'), 'kiosk', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe('seatpilot kiosk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seatpilot-kiosk-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('explains what is missing instead of starting half-configured', async () => {
    const noMode = await run([]);
    expect(noMode.code).toBe(2);
    expect(noMode.out).toContain('use --browser here');
    const noConfig = await run(['--browser']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.out).toContain('--config FILE or --demo is required');
    const badPort = await run(['--browser', '--demo', '--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.out).toContain('--port must be a port number');
    const badHost = await run(['--browser', '--demo', '--allowed-host', '*']);
    expect(badHost.code).toBe(2);
    expect(badHost.out).toContain('--allowed-host takes a host name or address with an optional :port');
  });

  it('names the config file and the bad field, and never prints the PIN', async () => {
    const missing = await run(['--browser', '--config', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain(`cannot read the kiosk config ${join(dir, 'nope.json')}: ENOENT`);
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ database: 'k.sqlite', kiosk: { venue_id: 'v', device_id: 'd', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'es', staff_pin: '98a7' } }));
    const bad = await run(['--browser', '--config', file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${file}: config/ui/staff_pin must match pattern`);
    expect(bad.out).not.toContain('98a7');
    writeFileSync(file, JSON.stringify({ database: 'k.sqlite', kiosk: { venue_id: 'v', device_id: 'd', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'es', staff_pin: '864213', supervisor_pin: '864213' } }));
    const same = await run(['--browser', '--config', file]);
    expect(same.code).toBe(1);
    expect(same.out).toContain(`${file}: config/ui/supervisor_pin must differ from config/ui/staff_pin`);
    expect(same.out).not.toContain('864213');
    writeFileSync(file, '{"ui": {"staff_pin": "5555"');
    const notJson = await run(['--browser', '--config', file]);
    expect(notJson.out).toContain(`the kiosk config ${file} is not valid JSON`);
    expect(notJson.out).not.toContain('5555');
  });
});
