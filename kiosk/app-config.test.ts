import { describe, expect, it } from 'vitest';
import { parseKioskAppConfig, staffPinAdvice } from './app-config';

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
});
