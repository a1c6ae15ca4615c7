import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseKioskAppConfig, pinAdvice, staffPinAdvice } from './app-config';
import { openKioskRuntime } from './runtime';

const config = (staff_pin: string) => ({ database: 'k.sqlite', kiosk: { venue_id: 'v', device_id: 'd', door_id: 'main' }, ui: { venue_name: 'Finca', language: 'es', staff_pin } });

describe('the staff PIN in the kiosk config', () => {
  it('takes 4 to 12 digits and advises 6 or more, without quoting the PIN', () => {
    for (const pin of ['2468', '24681', '246813', '246813579024']) expect(parseKioskAppConfig(config(pin), 'kiosk.json').ui.staff_pin).toBe(pin);
    for (const pin of ['246', '2468135790246', '24a8', '']) expect(() => parseKioskAppConfig(config(pin), 'kiosk.json')).toThrow(/staff_pin/);
    expect(staffPinAdvice('2468')).toBe('ui.staff_pin has 4 digits: 6 to 12 are recommended (a short PIN is quicker to guess)');
    expect(staffPinAdvice('24681')).toMatch(/5 digits/);
    expect(staffPinAdvice('2468')).not.toContain('2468');
    expect(staffPinAdvice('246813')).toBeNull();
    expect(staffPinAdvice('246813579024')).toBeNull();
  });

  it('takes an optional supervisor PIN of 4 to 12 digits that differs from the steward PIN, naming the field and never the PIN', () => {
    const withSupervisor = (supervisor_pin: unknown) => ({ ...config('246813'), ui: { ...config('246813').ui, supervisor_pin } });
    expect(parseKioskAppConfig(config('246813'), 'kiosk.json').ui.supervisor_pin).toBeUndefined();
    expect(parseKioskAppConfig(withSupervisor('97531086'), 'kiosk.json').ui.supervisor_pin).toBe('97531086');
    for (const bad of ['975', '9753108642013', '97a3', '', 97531086]) {
      expect(() => parseKioskAppConfig(withSupervisor(bad), 'kiosk.json')).toThrow(/^kiosk\.json: config\/ui\/supervisor_pin/);
    }
    let message = '';
    try {
      parseKioskAppConfig(withSupervisor('246813'), 'kiosk.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('kiosk.json: config/ui/supervisor_pin must differ from config/ui/staff_pin');
  });

  it('advises on each short PIN by its field', () => {
    const ui = (staff_pin: string, supervisor_pin?: string) => ({ venue_name: 'Finca', language: 'es' as const, staff_pin, ...(supervisor_pin ? { supervisor_pin } : {}) });
    expect(pinAdvice(ui('246813', '97531086'))).toEqual([]);
    expect(pinAdvice(ui('246813'))).toEqual([]);
    expect(pinAdvice(ui('2468', '9753'))).toEqual([
      { field: 'staff_pin', advice: 'ui.staff_pin has 4 digits: 6 to 12 are recommended (a short PIN is quicker to guess)' },
      { field: 'supervisor_pin', advice: 'ui.supervisor_pin has 4 digits: 6 to 12 are recommended (a short PIN is quicker to guess)' },
    ]);
    expect(pinAdvice(ui('246813', '97531'))).toEqual([{ field: 'supervisor_pin', advice: expect.stringMatching(/^ui\.supervisor_pin has 5 digits/) }]);
    expect(JSON.stringify(pinAdvice(ui('2468', '9753')))).not.toMatch(/2468|9753/);
  });

  it('warns at start about each short PIN, and opens staff mode with either PIN in its role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-kiosk-pins-'));
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ ...config('2468'), ui: { ...config('2468').ui, supervisor_pin: '97531' } }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let warnings: string[] = [];
    const runtime = await openKioskRuntime(file).finally(() => {
      warnings = warn.mock.calls.map((c) => String(c[0]));
      warn.mockRestore();
    });
    try {
      expect(warnings).toEqual([
        `seatpilot kiosk: ${file}: ui.staff_pin has 4 digits: 6 to 12 are recommended (a short PIN is quicker to guess)`,
        `seatpilot kiosk: ${file}: ui.supervisor_pin has 5 digits: 6 to 12 are recommended (a short PIN is quicker to guess)`,
      ]);
      expect(runtime.service.staffRoleForPin('2468')).toBe('steward');
      expect(runtime.service.staffRoleForPin('97531')).toBe('supervisor');
      expect(runtime.service.hasSupervisorPin()).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});
